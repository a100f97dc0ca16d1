/**
 * Shared by sign / encrypt / decrypt: read a .p12 given on the command line into an Identity (per call, in
 * memory; nothing private is written anywhere), and write output to --out or stdout.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { importPkcs12, type Identity } from '../../src/index';
import { CliError, UsageError } from './types';

export function readInput(path: string | undefined, what = 'message'): Uint8Array {
  if (!path) throw new UsageError(`no input ${what} given`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export async function loadIdentity(keyPath: string | undefined, password: string | undefined): Promise<Identity> {
  if (!keyPath) throw new UsageError('--key ID.p12 is required');
  if (password === undefined) throw new UsageError('a password is required with --key: --password-file FILE, the SMIME_ADDIN_PASSWORD environment variable, or --password PW');
  const bytes = readInput(keyPath, 'key file');
  const r = await importPkcs12(bytes, password);
  if (!r.ok) {
    throw new CliError(r.error.code === 'wrong-password' ? `wrong password for ${keyPath}` : `${keyPath}: ${r.error.message}`);
  }
  return r.identity;
}

/**
 * The password of a key file, from (in this order) --password-file FILE (its first line), the environment variable
 * SMIME_ADDIN_PASSWORD, or --password PW. A password on the command line is visible to other users of the machine
 * (ps, /proc/PID/cmdline) and stays in shell history; the file and the variable do not.
 */
export function readPassword(o: { password?: string; passwordFile?: string }): string | undefined {
  if (o.passwordFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(o.passwordFile, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new CliError(`cannot read password file ${o.passwordFile}: ${code === 'ENOENT' ? 'no such file' : code ?? String(e)}`);
    }
    const nl = text.indexOf('\n');
    const line = nl < 0 ? text : text.slice(0, nl);
    return line.endsWith('\r') ? line.slice(0, -1) : line;
  }
  if (process.env.SMIME_ADDIN_PASSWORD !== undefined) return process.env.SMIME_ADDIN_PASSWORD;
  return o.password;
}

export function writeOutput(out: string | undefined, data: Uint8Array): void {
  if (!out) {
    process.stdout.write(data);
    return;
  }
  try {
    writeFileSync(out, data);
  } catch (e) {
    throw new CliError(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

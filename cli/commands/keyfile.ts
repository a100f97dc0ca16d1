/**
 * Shared by sign / encrypt / decrypt: read a .p12 given on the command line into an Identity (per call, in
 * memory; nothing private is written anywhere), and write output to --out or stdout.
 *
 * Passwords: readPassword below (--password-file, SMIME_ADDIN_PASSWORD, --password).
 */
import { importPkcs12, type Identity } from '../../src/index';
import { readFileBytes, writeFileBytes } from '../io';
import { CliError, UsageError } from './types';

export const PASSWORD_USAGE = '(--password-file FILE | env SMIME_ADDIN_PASSWORD | --password PW)';
export const PASSWORD_OPTIONS = ['password', 'password-file'] as const;

export function readInput(path: string | undefined, what = 'message'): Uint8Array {
  if (!path) throw new UsageError(`no input ${what} given`);
  return readFileBytes(path, what);
}

/** The password given with a command's PASSWORD_OPTIONS (see readPassword). */
export function passwordOf(single: { password?: string; 'password-file'?: string }): string | undefined {
  return readPassword({ password: single.password, passwordFile: single['password-file'] });
}

export async function loadIdentity(keyPath: string | undefined, password: string | undefined): Promise<Identity> {
  if (!keyPath) throw new UsageError('--key ID.p12 is required');
  if (password === undefined) throw new UsageError(`--key needs a password: ${PASSWORD_USAGE}`);
  const bytes = readInput(keyPath, 'key file');
  const r = await importPkcs12(bytes, password);
  if (!r.ok) {
    if (r.error.code === 'wrong-password') throw new CliError(`wrong password for ${keyPath}`);
    if (r.error.code === 'malformed') throw new CliError(`${keyPath} is not a PKCS#12 key file (.p12 or .pfx) that can be read`);
    throw new CliError(`${keyPath}: ${r.error.message}`);
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
    const text = new TextDecoder().decode(readFileBytes(o.passwordFile, 'password file'));
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
  writeFileBytes(out, data);
}

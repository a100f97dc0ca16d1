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
  if (password === undefined) throw new UsageError('--password is required with --key');
  const bytes = readInput(keyPath, 'key file');
  const r = await importPkcs12(bytes, password);
  if (!r.ok) {
    throw new CliError(r.error.code === 'wrong-password' ? `wrong password for ${keyPath}` : `${keyPath}: ${r.error.message}`);
  }
  return r.identity;
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

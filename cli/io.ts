/**
 * Files for the CLI, with errors as plain sentences (issue 10, item 22): "cannot read x.pem: no such file", never
 * ENOENT/EISDIR. Every command reads and writes through these, so the wording is the same everywhere. A file that
 * cannot be read is a CliError: exit 3, "could not run".
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { CliError } from './commands/types';

const ERRNO: Record<string, string> = {
  ENOENT: 'no such file',
  EISDIR: 'it is a directory, not a file',
  ENOTDIR: 'a part of the path is not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'the file name is too long',
  ELOOP: 'too many symbolic links',
  ENOSPC: 'the disk is full',
  EROFS: 'the file system is read-only',
  EBUSY: 'the file is busy',
};

/** Why a file operation failed, in words. */
export function fileProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code && ERRNO[code]) return ERRNO[code];
  return code ? `the system refused (${code.toLowerCase()})` : e instanceof Error ? e.message : String(e);
}

/** A file's bytes as a view over the Buffer's memory (no copy of a large message). `what` names it in errors. */
export function readFileBytes(path: string, what: string): Uint8Array {
  try {
    if (statSync(path).isDirectory()) throw Object.assign(new Error('directory'), { code: 'EISDIR' });
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    throw new CliError(`cannot read ${what} ${path}: ${fileProblem(e)}`);
  }
}

export function writeFileBytes(path: string, data: Uint8Array): void {
  try {
    writeFileSync(path, data);
  } catch (e) {
    throw new CliError(`cannot write ${path}: ${fileProblem(e)}`);
  }
}

/**
 * The public corpora live in ../shared/corpus (beside the repository), never in it.
 * When they are missing, tests skip with a printed reason instead of failing or passing silently.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests run from anywhere). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SHARED = resolve(ROOT, '..', 'shared');

/** The directory of one corpus, or a skip reason. */
export function corpus(name: string): { dir: string; skip: false } | { dir: undefined; skip: string } {
  const dir = join(SHARED, 'corpus', name);
  if (!existsSync(join(dir, 'expected.json'))) {
    const why = `corpus ${name} not found at ${dir} (../shared is missing): skipped`;
    console.log(`# SKIP ${why}`);
    return { dir: undefined, skip: why };
  }
  return { dir, skip: false };
}

export function readExpected<T = unknown>(dir: string): T {
  return JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as T;
}

/**
 * Shared set-up for the Thunderbird e2e tests: finding Thunderbird (or saying why the suite skips), the built
 * add-on, the artifacts directory.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/corpus';
import { findThunderbird } from './harness';

export const ARTIFACTS = join(ROOT, 'test-artifacts', 'thunderbird');
export const DIST = join(ROOT, 'dist', 'thunderbird');

/** Thunderbird's binary, or a skip reason (printed, so a skipped suite is never silent). */
export function thunderbirdOrSkip(): { bin: string; skip: false } | { bin: undefined; skip: string } {
  const bin = findThunderbird();
  if (!bin) {
    const why = 'Thunderbird is not installed (apt-get install thunderbird; .ci/run does): Thunderbird e2e skipped';
    console.log(`# SKIP ${why}`);
    return { bin: undefined, skip: why };
  }
  return { bin, skip: false };
}

/**
 * The built XPI; builds the Thunderbird part once when it is missing (`npm test` builds before testing). Test files
 * run in parallel, so the build is guarded by a lock directory: the others wait for the XPI.
 */
export async function builtXpi(): Promise<string> {
  const find = () => (existsSync(DIST) ? readdirSync(DIST).find((f) => f.endsWith('.xpi')) : undefined);
  const lock = join(ROOT, 'dist', '.thunderbird-build.lock');
  for (let waited = 0; !find(); waited += 200) {
    mkdirSync(join(ROOT, 'dist'), { recursive: true });
    let mine = false;
    try {
      mkdirSync(lock);
      mine = true;
    } catch {
      /* another test file is building */
    }
    if (mine) {
      try {
        const r = spawnSync('npx', ['webpack', '--mode', 'production', '--config-name', 'thunderbird'], { cwd: ROOT, encoding: 'utf8' });
        if (r.status !== 0) throw new Error(`building the add-on failed:\n${r.stdout}\n${r.stderr}`);
      } finally {
        rmSync(lock, { recursive: true, force: true });
      }
      break;
    }
    if (waited > 300_000) throw new Error('waited 5 minutes for another build of the add-on');
    await new Promise((r) => setTimeout(r, 200));
  }
  const xpi = find();
  if (!xpi) throw new Error('no XPI in dist/thunderbird after the build');
  return join(DIST, xpi);
}

export function artifactsDir(): string {
  mkdirSync(ARTIFACTS, { recursive: true });
  return ARTIFACTS;
}

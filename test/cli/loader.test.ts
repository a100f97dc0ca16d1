// cli/loader.cjs, the CLI's entry file: runs the bundle from the V8 code cache the build wrote, and the same
// bundle without it (no cache file, or one V8 refuses) with the same result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/corpus';
import { makePki, smimeSign } from '../support/pki';

const DIST = join(ROOT, 'dist', 'cli');
const CACHE = join(DIST, 'smime-addin.main.cjs.v8cache');

test(
  'the CLI runs from the code cache the build wrote; without it, or with a cache V8 refuses, the verdict is the same',
  { skip: !existsSync(CACHE) && 'no code cache in dist/cli (not built, or built with SMIME_ADDIN_NO_CODE_CACHE=1)' },
  async () => {
    const pki = await makePki();
    const alice = await pki.issue({ name: 'Alice Loader', email: 'alice@example.com' });
    const m = await smimeSign({ signer: alice, headers: { from: 'alice@example.com', to: 'bob@example.org', subject: 'loader' }, content: 'Content-Type: text/plain\r\n\r\nhello\r\n' });
    const run = (dir: string) => {
      const r = spawnSync(process.execPath, [join(dir, 'smime-addin.cjs'), 'verify', m.path, '--anchor', pki.root.certPath, '--json'], {
        encoding: 'utf8',
        env: { ...process.env, SMIME_ADDIN_CODE_CACHE_REPORT: '1' },
      });
      const v = JSON.parse(r.stdout);
      delete v.checkedAt;
      return { status: r.status, cache: /code cache: (\w+)/.exec(r.stderr)?.[1], v };
    };

    const cached = run(DIST);
    assert.equal(cached.cache, 'accepted');
    assert.equal(cached.status, 0);
    assert.equal(cached.v.verdict, 'trusted');

    const bare = mkdtempSync(join(tmpdir(), 'cli-loader-'));
    for (const f of ['smime-addin.cjs', 'smime-addin.main.cjs']) copyFileSync(join(DIST, f), join(bare, f));
    const none = run(bare);
    assert.equal(none.cache, 'none');
    assert.deepEqual(none, { ...cached, cache: 'none' });

    // Damaged cache data: V8 checks it and compiles from source instead.
    const bytes = readFileSync(CACHE);
    for (let i = 0; i < bytes.length; i += 97) bytes[i] ^= 0x5a;
    writeFileSync(join(bare, 'smime-addin.main.cjs.v8cache'), bytes);
    const refused = run(bare);
    assert.equal(refused.cache, 'rejected');
    assert.deepEqual(refused, { ...cached, cache: 'rejected' });
  },
);

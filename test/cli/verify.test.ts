// The CLI's contract: flags, exit status (0 all trusted, 1 not trusted, 2 usage, 3 could not run), one JSON object per file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { corpus, ROOT } from '../support/corpus';

const CLI = join(ROOT, 'dist', 'cli', 'smime-addin.cjs');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('usage errors exit 2 with a one-line reason', () => {
  for (const args of [[], ['verify'], ['verify', 'x.eml', '--bogus'], ['verify', 'x.eml', '--at', 'yesterday'], ['frobnicate']]) {
    const r = run(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0);
    assert.ok(!/at .*\.cjs:\d+/.test(r.stderr), 'no stack trace');
  }
});

test('a missing file or an unreadable anchor is a one-line error, not a stack trace', () => {
  const r = run('verify', '/nonexistent.eml', '--json');
  assert.equal(r.status, 3);
  assert.match(r.stderr, /cannot read message \/nonexistent\.eml: no such file/);
  assert.equal(JSON.parse(r.stdout).verdict, 'error');
  const a = run('verify', '/nonexistent.eml', '--anchor', '/nonexistent.pem');
  assert.equal(a.status, 3);
  assert.match(a.stderr, /cannot read --anchor file \/nonexistent\.pem: no such file/);
});

const j = corpus('johnny-you-are-fired');
test('exit 0 only when every file is trusted; human summary names the reason', { skip: j.skip }, () => {
  const dir = j.dir!;
  const anchor = join(dir, 'trust-anchor', 'GlobalSign_Root_CA_-_R3.pem');
  const good = join(dir, 'assets/valid-signed/manager-smime.eml');
  const spoof = join(dir, '04-id/i1-sender-signer-checks/i1-from-unequals-signer-smime.eml');
  const ok = run('verify', good, '--anchor', anchor, '--at', '2019-04-01T00:00:00Z', '--json');
  assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  const v = JSON.parse(ok.stdout);
  assert.equal(v.verdict, 'trusted');
  assert.equal(v.signers[0].certificate.emails[0], 'manager@bigcorporation.de');
  const both = run('verify', good, spoof, '--anchor', anchor, '--at', '2019-04-01T00:00:00Z');
  assert.equal(both.status, 1);
  assert.match(both.stdout, /UNTRUSTED/);
  assert.match(both.stdout, /signed by eve@bigcorporation\.de/);
  const today = run('verify', good, '--anchor', anchor, '--json');
  assert.equal(JSON.parse(today.stdout).trust, 'expired');
});

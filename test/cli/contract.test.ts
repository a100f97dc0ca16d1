// The CLI says what it means (issue 10, items 21 and 22): exit statuses 0/1/2/3, help and --version on stdout,
// errors as plain sentences, non-mail input, passwords from a file or the environment, JSON over 64 KiB through a
// pipe, and `decrypt` checking the inner signature with every trust option and the policy, as `verify` does.
// Runs dist/cli (build first); fixtures from OpenSSL (test/support/pki.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/corpus';
import { makePki, smimeEncrypt, smimeSign, type IssuedCert, type Pki } from '../support/pki';

const CLI = join(ROOT, 'dist', 'cli', 'smime-addin.cjs');
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });

let pki: Pki;
let alice: IssuedCert;
let bob: IssuedCert;
let bobP12: string;
let signed: string;
let encrypted: string;
let files: Record<string, string>;

before(async () => {
  pki = await makePki();
  alice = await pki.issue({ name: 'Alice CLI', email: 'alice@example.com' });
  bob = await pki.issue({ name: 'Bob CLI', email: 'bob@example.com' });
  bobP12 = await bob.makeP12('s3cret');
  const s = await smimeSign({ signer: alice, content: 'Content-Type: text/plain\r\n\r\nhello Bob\r\n', headers: { from: 'alice@example.com', to: 'bob@example.com', subject: 'hi' } });
  signed = s.path;
  const inner = (await smimeSign({ signer: alice, content: 'Content-Type: text/plain\r\n\r\nsecret for Bob\r\n', headers: { from: 'alice@example.com', to: 'bob@example.com', subject: 'hi' } })).bytes;
  encrypted = (await smimeEncrypt({ content: inner, recipients: [bob], headers: { from: 'alice@example.com', to: 'bob@example.com', subject: 'hi' } })).path;
  const f = (name: string, data: string | Buffer) => {
    const p = join(pki.dir, name);
    writeFileSync(p, data);
    return p;
  };
  files = {
    empty: f('empty.eml', ''),
    random: f('random.eml', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251))),
    policy: f('policy.json', JSON.stringify({ bundledRoots: false })),
    badPolicy: f('bad-policy.json', '{ "revocation": "sometimes" }'),
    minRsa: f('min-rsa.json', JSON.stringify({ bundledRoots: false, algorithms: { minRsaBits: 3072 } })),
    passwordFile: f('password.txt', 's3cret\n'),
  };
});

const trusted = () => ['--anchor', pki.root.certPath, '--policy', files.policy];

test('exit codes: 0 all trusted, 1 not trusted, 2 usage error, 3 could not run (missing file, unreadable key, bad policy)', () => {
  assert.equal(run(['verify', signed, ...trusted()]).status, 0);
  assert.equal(run(['verify', signed, '--policy', files.policy]).status, 1, 'no anchor: not trusted');
  assert.equal(run(['verify', signed, '--bogus']).status, 2);
  assert.equal(run(['verify', join(pki.dir, 'missing.eml'), ...trusted()]).status, 3);
  assert.equal(run(['verify', signed, join(pki.dir, 'missing.eml'), ...trusted()]).status, 3, 'one file missing among several');
  assert.equal(run(['verify', signed, '--anchor', join(pki.dir, 'missing.pem')]).status, 3);
  assert.equal(run(['verify', signed, '--policy', files.badPolicy]).status, 3);
  assert.equal(run(['decrypt', encrypted, '--key', files.random, '--password', 'x', ...trusted()]).status, 3, 'unreadable key');
  assert.equal(run(['decrypt', encrypted, '--key', bobP12, '--password', 'wrong', ...trusted()]).status, 3, 'wrong password');
});

test('help: `help`, `help COMMAND`, `COMMAND --help` and `--version` go to stdout and exit 0', () => {
  for (const args of [['help'], ['--help'], ['help', 'decrypt'], ['verify', '--help'], ['decrypt', '--help'], ['--version']]) {
    const r = run(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stdout.length > 0, args.join(' '));
    assert.equal(r.stderr, '', args.join(' '));
  }
  assert.match(run(['help']).stdout, /smime-addin verify FILE/);
  assert.match(run(['help']).stdout, /3 could not run/);
  assert.match(run(['verify', '--help']).stdout, /--crl CRL/);
  assert.match(run(['--version']).stdout, /^\d+\.\d+\.\d+\s*$/);
  assert.equal(run(['help', 'frobnicate']).status, 2);
});

test('errors are plain sentences: no ENOENT, EISDIR or "Too big integer"', () => {
  const cases = [
    run(['verify', join(pki.dir, 'missing.eml')]),
    run(['verify', pki.dir]),
    run(['verify', signed, '--anchor', pki.dir]),
    run(['verify', signed, '--policy', join(pki.dir, 'nope.json')]),
    run(['decrypt', encrypted, '--key', files.random, '--password', 'x']),
    run(['decrypt', encrypted, '--key', join(pki.dir, 'nope.p12'), '--password', 'x']),
    run(['sign', signed, '--key', files.empty, '--password', 'x']),
  ];
  for (const r of cases) {
    assert.equal(r.status, 3, r.stderr);
    assert.doesNotMatch(r.stderr, /ENOENT|EISDIR|EACCES|Too big integer|at .*\.cjs:\d+/, r.stderr);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
  assert.match(cases[0].stderr, /cannot read message .*missing\.eml: no such file/);
  assert.match(cases[1].stderr, /is a directory, not a file/);
  assert.match(cases[4].stderr, /is not a PKCS#12 key file/);
});

test('non-mail input: an empty file and random bytes are "not a mail message" (not-mail), not "Not signed"', () => {
  for (const file of [files.empty, files.random]) {
    const r = run(['verify', file, '--json']);
    assert.equal(r.status, 1);
    const v = JSON.parse(r.stdout);
    assert.equal(v.verdict, 'error');
    assert.equal(v.error.code, 'not-mail');
    assert.match(v.error.message, /not a mail message/);
    assert.ok(!v.reasons.some((x: { code: string }) => x.code === 'not-signed'));
    assert.match(run(['verify', file]).stdout, /not a mail message/);
  }
});

test('passwords: --password-file FILE and SMIME_ADDIN_PASSWORD beside --password', () => {
  const out = join(pki.dir, 'dec.eml');
  const viaFile = run(['decrypt', encrypted, '--key', bobP12, '--password-file', files.passwordFile, '--out', out, ...trusted()]);
  assert.equal(viaFile.status, 0, viaFile.stderr);
  const viaEnv = run(['decrypt', encrypted, '--key', bobP12, '--out', out, ...trusted()], { SMIME_ADDIN_PASSWORD: 's3cret' });
  assert.equal(viaEnv.status, 0, viaEnv.stderr);
  const none = run(['decrypt', encrypted, '--key', bobP12, ...trusted()], { SMIME_ADDIN_PASSWORD: '' });
  assert.equal(none.status, 3, 'an empty password is a wrong password here, not a missing one');
  const env = { ...process.env };
  delete env.SMIME_ADDIN_PASSWORD;
  const missing = spawnSync(process.execPath, [CLI, 'decrypt', encrypted, '--key', bobP12], { encoding: 'utf8', env });
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /--password-file/);
});

test('JSON over 64 KiB is not cut when piped', () => {
  const many = Array.from({ length: 60 }, () => signed);
  const r = run(['verify', ...many, ...trusted(), '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.length > 64 * 1024, `${r.stdout.length} bytes`);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 60);
  for (const l of lines) assert.equal(JSON.parse(l).verdict, 'trusted');
});

test('decrypt takes every trust option verify does and applies the policy to the inner verdict; not trusted → exit 1 with the summary on stderr', async () => {
  const base = ['decrypt', encrypted, '--key', bobP12, '--password-file', files.passwordFile];
  const ok = run([...base, ...trusted()]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /secret for Bob/);
  assert.match(ok.stderr, /TRUSTED/);
  // No anchor: the content is still written, the verdict says why it is not trusted, exit 1.
  const noAnchor = run([...base, '--policy', files.policy]);
  assert.equal(noAnchor.status, 1);
  assert.match(noAnchor.stdout, /secret for Bob/);
  assert.match(noAnchor.stderr, /UNTRUSTED/);
  // Policy minRsaBits applies to the inner signer (a 2048-bit key under a 3072-bit minimum).
  const weak = run([...base, '--anchor', pki.root.certPath, '--policy', files.minRsa, '--json']);
  assert.equal(weak.status, 1, weak.stderr);
  const wv = JSON.parse(weak.stdout);
  assert.equal(wv.verdict, 'untrusted');
  assert.ok(wv.reasons.some((x: { code: string }) => x.code === 'weak-key'), JSON.stringify(wv.reasons));
  // --at before the signer's certificate was valid.
  const early = run([...base, ...trusted(), '--at', '2019-01-01T00:00:00Z', '--json']);
  assert.equal(early.status, 1);
  assert.equal(JSON.parse(early.stdout).trust, 'not-yet-valid');
  // --crl that lists the signer; --cert is accepted; --online is accepted (nothing to fetch here).
  await pki.revoke(alice, { reason: 'keyCompromise', at: new Date(Date.UTC(2024, 0, 1)) });
  const crl = await pki.crl({ issuer: 'intermediate' });
  const revoked = run([...base, ...trusted(), '--crl', crl.pemPath, '--cert', pki.intermediate.certPath, '--json']);
  assert.equal(revoked.status, 1, revoked.stderr);
  assert.equal(JSON.parse(revoked.stdout).trust, 'revoked');
  const online = run([...base, ...trusted(), '--online', '--json']);
  assert.ok(online.status === 0 || online.status === 1, online.stderr);
  assert.equal(JSON.parse(online.stdout).signature, 'valid');
});

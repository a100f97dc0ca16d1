/**
 * smime-addin doctor (issue 13): the contract names (--key with --password-file or SMIME_ADDIN_PASSWORD, --cert,
 * --policy, --purpose, --json {findings: [{code, severity, message, certificate}]}), exit 0 with nothing of warning or
 * worse and 1 otherwise, against OpenSSL-made identities and certificates.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ROOT } from '../support/corpus';
import { type Pki, makePki } from '../support/pki';

const CLI = join(ROOT, 'dist', 'cli', 'smime-addin.cjs');
const AT = '2026-06-01T12:00:00Z';
let pki: Pki;
let policyFile: string;
before(async () => {
  pki = await makePki();
  policyFile = join(pki.dir, 'doctor-policy.json');
  writeFileSync(policyFile, JSON.stringify({ anchors: [pki.root.certPem], bundledRoots: false }));
});

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, 'doctor', ...args], { encoding: 'utf8', env: { ...process.env, SMIME_ADDIN_PASSWORD: '', ...env } });

interface Out { findings: { code: string; severity: string; message: string; certificate: string | null }[] }

test('doctor --key with --password-file: an identity that expires in 12 days is a warning, exit 1; JSON names code, severity, message, certificate', async () => {
  const soon = await pki.issue({ name: 'Doctor Soon', email: 'soon@example.com', end: new Date(Date.parse(AT) + 12 * 86_400_000 + 3600_000) });
  const p12 = await soon.makeP12('pw one');
  const pwFile = join(pki.dir, 'pw.txt');
  writeFileSync(pwFile, 'pw one\n');
  const r = run(['--key', p12, '--password-file', pwFile, '--policy', policyFile, '--at', AT, '--json']);
  assert.equal(r.status, 1, r.stderr);
  const out = JSON.parse(r.stdout) as Out;
  const f = out.findings.find((x) => x.code === 'expires-soon');
  assert.ok(f, r.stdout);
  assert.equal(f.severity, 'warning');
  assert.match(f.message, /in 12 days/);
  assert.match(f.certificate ?? '', /^'Doctor Soon' \(SHA-256 [0-9A-F:]{11}…\)$/);
  // Without --json: one line per finding, plain words.
  const h = run(['--key', p12, '--password-file', pwFile, '--policy', policyFile, '--at', AT]);
  assert.equal(h.status, 1);
  assert.match(h.stdout, /WARNING: 'Doctor Soon' .* expires on .*, in 12 days\./);
});

test('doctor --key with SMIME_ADDIN_PASSWORD: a sound identity exits 0; a wrong password is one line', async () => {
  const ok = await pki.issue({ name: 'Doctor Fine', email: 'fine@example.com' });
  const p12 = await ok.makeP12('pw two');
  const r = run(['--key', p12, '--policy', policyFile, '--at', AT, '--address', 'fine@example.com'], { SMIME_ADDIN_PASSWORD: 'pw two' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /OK: nothing found/);
  const bad = run(['--key', p12, '--policy', policyFile], { SMIME_ADDIN_PASSWORD: 'nope' });
  assert.notEqual(bad.status, 0);
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /wrong password/);
});

test('doctor --cert --purpose recipient: a signing-only certificate cannot be encrypted to; address-mismatch; missing CA named', async () => {
  const signOnly = await pki.issue({ name: 'Doctor Sign Only', email: 'so@example.com', keyUsage: ['digitalSignature'] });
  const r = run(['--cert', signOnly.certPath, '--cert', pki.intermediate.certPath, '--purpose', 'recipient', '--address', 'other@example.com', '--policy', policyFile, '--at', AT, '--json']);
  assert.equal(r.status, 1, r.stderr);
  const codes = (JSON.parse(r.stdout) as Out).findings.map((f) => f.code);
  assert.ok(codes.includes('wrong-key-usage') && codes.includes('address-mismatch'), codes.join());
  const lone = run(['--cert', signOnly.certPath, '--policy', policyFile, '--at', AT, '--json']);
  const incomplete = (JSON.parse(lone.stdout) as Out).findings.find((f) => f.code === 'chain-incomplete');
  assert.ok(incomplete && incomplete.message.includes(pki.intermediate.name), lone.stdout);
});

test('doctor --policy checks the policy file itself: every bad field is named, exit 1; a valid one exits 0', () => {
  const bad = join(pki.dir, 'bad-policy.json');
  writeFileSync(bad, JSON.stringify({ revocation: 'sometimes', algorithms: { minRsaBits: 'big' }, anchros: [] }));
  const r = run(['--policy', bad, '--json']);
  assert.equal(r.status, 1, r.stderr);
  const f = (JSON.parse(r.stdout) as Out).findings.filter((x) => x.code === 'policy-invalid');
  const text = f.map((x) => x.message).join('\n');
  for (const field of ['revocation', 'minRsaBits', 'anchros']) assert.match(text, new RegExp(field), text);
  assert.ok(f.every((x) => x.certificate === null && x.severity === 'error'));
  const good = run(['--policy', policyFile]);
  assert.equal(good.status, 0, good.stdout + good.stderr);
  assert.match(good.stdout, /the policy is valid/);
});

test('doctor usage: nothing to check, an unknown purpose, a stray argument are usage errors (exit 2)', () => {
  for (const args of [[], ['--purpose', 'mine', '--policy', 'x'], ['stray']]) {
    const r = run(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
  }
});

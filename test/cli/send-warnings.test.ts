/**
 * sign / encrypt warn before sending something that will disappoint (issue 13): a From the signing certificate does
 * not carry; a recipient certificate that is a CA's, expired, or without encryption usage; an encrypted message the
 * sender cannot read later because no --key made them a recipient. One warning line each on stderr; the command
 * still does what it was told (exit 0), and sound input gives no warning.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { ROOT } from '../support/corpus';
import { type IssuedCert, type Pki, makePki } from '../support/pki';

const CLI = join(ROOT, 'dist', 'cli', 'smime-addin.cjs');
let pki: Pki;
let alice: IssuedCert;
let aliceP12: string;
let bob: IssuedCert;
const msg = (from: string) => {
  const p = join(pki.dir, `msg-${from.replace(/\W/g, '_')}.eml`);
  writeFileSync(p, `From: ${from}\r\nTo: bob@example.com\r\nSubject: Hi\r\nContent-Type: text/plain\r\n\r\nHello.\r\n`);
  return p;
};
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, SMIME_ADDIN_PASSWORD: 'pw' } });
const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.includes('warning:'));

before(async () => {
  pki = await makePki();
  alice = await pki.issue({ name: 'Alice Sender', email: 'alice@example.com' });
  aliceP12 = await alice.makeP12('pw');
  bob = await pki.issue({ name: 'Bob Recipient', email: 'bob@example.com' });
});

test('sign: a From the certificate does not carry is warned about; the matching From is not', () => {
  const bad = run('sign', msg('The CEO <ceo@example.com>'), '--key', aliceP12, '--out', join(pki.dir, 'signed1.eml'));
  assert.equal(bad.status, 0, bad.stderr);
  assert.deepEqual(warnings(bad.stderr).length, 1, bad.stderr);
  assert.match(bad.stderr, /warning: the message is From ceo@example\.com, but the signing certificate is for alice@example\.com/);
  const ok = run('sign', msg('Alice <alice@example.com>'), '--key', aliceP12, '--out', join(pki.dir, 'signed2.eml'));
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(warnings(ok.stderr), []);
});

test('encrypt: recipient certificates that are a CA, expired or signing-only are warned about; a sound one is not', async () => {
  const expired = await pki.issue({ name: 'Old Bob', email: 'oldbob@example.com', start: new Date('2020-01-01T00:00:00Z'), end: new Date('2021-01-01T00:00:00Z') });
  const signOnly = await pki.issue({ name: 'Sign Only Bob', email: 'sobob@example.com', keyUsage: ['digitalSignature'] });
  const r = run('encrypt', msg('Alice <alice@example.com>'), '--key', aliceP12, '--to', bob.certPath, '--to', pki.intermediate.certPath, '--to', expired.certPath, '--to', signOnly.certPath, '--out', join(pki.dir, 'enc1.eml'));
  assert.equal(r.status, 0, r.stderr);
  const w = warnings(r.stderr).join('\n');
  assert.match(w, new RegExp(`--to ${pki.intermediate.certPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*is a CA certificate`));
  assert.match(w, /expired on 2021-01-01/);
  assert.match(w, /cannot be used to encrypt to \(its key usage lacks key encipherment\)/);
  assert.doesNotMatch(w, new RegExp(bob.certPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
});

test('encrypt without --key: the sender cannot read their own copy, said once', () => {
  const r = run('encrypt', msg('Alice <alice@example.com>'), '--to', bob.certPath, '--out', join(pki.dir, 'enc2.eml'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(warnings(r.stderr).length, 1, r.stderr);
  assert.match(r.stderr, /no --key given: the message is not encrypted to you, so you will not be able to read your own copy/);
  const withKey = run('encrypt', msg('Alice <alice@example.com>'), '--to', bob.certPath, '--key', aliceP12, '--out', join(pki.dir, 'enc3.eml'));
  assert.deepEqual(warnings(withKey.stderr), []);
});

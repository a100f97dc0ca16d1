/**
 * PKCS#12 import: Thunderbird's own key files (PBES2/AES and legacy 3DES), OpenSSL exports (default, 3DES and
 * RC2-40 legacy), wrong passwords, damaged files; keys come out non-extractable.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importPkcs12 } from '../../src/keys/pkcs12';
import { corpus } from '../support/corpus';
import { makePki, openssl } from '../support/pki';

const tb = corpus('thunderbird');
const SMIME = tb.dir ? join(tb.dir, 'mailnews/test/data/smime') : '';

test('Thunderbird key files import with password "nss" (PBES2/AES and legacy 3DES kinds)', { skip: tb.skip }, async () => {
  const want: Record<string, { email: string; kind: 'rsa' | 'ec' }> = {
    'Alice.p12': { email: 'alice@example.com', kind: 'rsa' },
    'Alice-ec.p12': { email: 'alice-ec@example.com', kind: 'ec' },
    'Bob.p12': { email: 'bob@example.com', kind: 'rsa' },
    'Dave.p12': { email: 'dave@example.com', kind: 'rsa' },
    'Eve.p12': { email: 'eve@example.com', kind: 'rsa' },
    'Fran.p12': { email: 'fran@example.com', kind: 'rsa' }, // pbeWithSHAAnd3-KeyTripleDES-CBC, SHA-1 MAC
    'Fran-ec.p12': { email: 'fran-ec@example.com', kind: 'ec' },
  };
  for (const [file, w] of Object.entries(want)) {
    const r = await importPkcs12(new Uint8Array(readFileSync(join(SMIME, file))), 'nss');
    assert.ok(r.ok, `${file}: ${!r.ok && r.error.message}`);
    assert.ok(r.identity.emails.includes(w.email), `${file}: ${r.identity.emails}`);
    assert.equal(r.identity.keys.kind, w.kind, file);
    assert.match(r.identity.id, /^[0-9A-F]{64}$/);
  }
});

test('wrong password says "wrong password" (MAC check), for modern and legacy files', { skip: tb.skip }, async () => {
  for (const file of ['Bob.p12', 'Fran.p12']) {
    const r = await importPkcs12(new Uint8Array(readFileSync(join(SMIME, file))), 'not-the-password');
    assert.ok(!r.ok);
    assert.equal(r.error.code, 'wrong-password');
    assert.match(r.error.message, /wrong password/i);
  }
});

test('private keys are non-extractable CryptoKeys', { skip: tb.skip }, async () => {
  const r = await importPkcs12(new Uint8Array(readFileSync(join(SMIME, 'Alice.p12'))), 'nss');
  assert.ok(r.ok);
  const k = r.identity.keys;
  for (const key of [...Object.values(k.rsaPkcs1 ?? {}), ...Object.values(k.rsaPss ?? {}), ...Object.values(k.rsaOaep ?? {})]) {
    assert.equal(key.extractable, false);
    assert.equal(key.type, 'private');
  }
  assert.equal(k.sealedRsa?.key.extractable, false);
  const ec = await importPkcs12(new Uint8Array(readFileSync(join(SMIME, 'Alice-ec.p12'))), 'nss');
  assert.ok(ec.ok);
  assert.equal(ec.identity.keys.ecdsa?.extractable, false);
  assert.equal(ec.identity.keys.ecdh?.extractable, false);
  // Declining the sealed copy leaves only WebCrypto keys.
  const noSeal = await importPkcs12(new Uint8Array(readFileSync(join(SMIME, 'Alice.p12'))), 'nss', undefined, { keepRsaForPkcs1Decrypt: false });
  assert.ok(noSeal.ok && noSeal.identity.keys.sealedRsa === undefined);
});

test('OpenSSL exports: default (PBES2/AES), 3DES legacy and RC2-40 legacy; chain without the root', async () => {
  const pki = await makePki();
  for (const keyType of ['rsa2048', 'ec-p256', 'ec-p384'] as const) {
    const u = await pki.issue({ name: `User ${keyType}`, email: `${keyType}@example.com`, keyType });
    const rc2 = join(pki.dir, `${keyType}-rc2.p12`);
    await openssl([
      'pkcs12', '-export', '-legacy', '-inkey', u.keyPath, '-in', u.certPath, '-certfile', u.chainBundlePath,
      '-passout', 'pass:pw rc2', '-out', rc2,
    ]);
    const files: [string, string][] = [
      [await u.makeP12('pw modern'), 'pw modern'],
      [await u.makeP12('pw 3des', { legacy: true }), 'pw 3des'],
      [rc2, 'pw rc2'],
    ];
    for (const [file, pw] of files) {
      const r = await importPkcs12(new Uint8Array(readFileSync(file)), pw);
      assert.ok(r.ok, `${file}: ${!r.ok && r.error.message}`);
      assert.deepEqual(r.identity.certificate, new Uint8Array(u.certDer));
      assert.equal(r.identity.chain.length, 1, 'the intermediate, not the root');
      assert.deepEqual(r.identity.chain[0], new Uint8Array(pki.intermediate.certDer));
      assert.deepEqual(r.identity.emails, [`${keyType}@example.com`]);
      const bad = await importPkcs12(new Uint8Array(readFileSync(file)), 'wrong');
      assert.ok(!bad.ok && bad.error.code === 'wrong-password', file);
    }
  }
});

test('damaged and foreign files give a typed error, never a throw', async () => {
  const pki = await makePki();
  const u = await pki.issue({ name: 'Damaged', email: 'd@example.com' });
  const good = new Uint8Array(readFileSync(await u.makeP12('pw')));
  const cases: Uint8Array[] = [
    new Uint8Array(0),
    new TextEncoder().encode('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'),
    good.subarray(0, good.length >> 1),
    new Uint8Array(u.certDer),
  ];
  for (let i = 0; i < 40; i++) {
    const m = good.slice();
    m[(i * 7919) % m.length] ^= 1 << i % 8;
    cases.push(m);
  }
  for (const c of cases) {
    const r = await importPkcs12(c, 'pw');
    if (!r.ok) assert.ok(['malformed', 'wrong-password', 'unsupported', 'no-key', 'no-certificate'].includes(r.error.code));
  }
  const cert = await importPkcs12(new Uint8Array(u.certDer), 'pw');
  assert.ok(!cert.ok && cert.error.code === 'malformed');
});

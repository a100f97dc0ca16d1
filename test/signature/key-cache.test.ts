// signature/key-cache.ts: a public key is imported once per key object, algorithm and engine; a failed import is
// not kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as pkijs from 'pkijs';
import { defaultCrypto } from '../../src/crypto';
import { importVerifyKey } from '../../src/signature/key-cache';
import { spkiBytes } from '../../src/signature/key';
import { makePki } from '../support/pki';

test('one import per key object and algorithm; another algorithm or engine imports again; failures are retried', async () => {
  const pki = await makePki();
  const alice = await pki.issue({ name: 'Alice Keys', email: 'alice@example.com' });
  const cert = pkijs.Certificate.fromBER(new Uint8Array(alice.certDer));
  const spki = cert.subjectPublicKeyInfo;
  const crypto = defaultCrypto();
  let imports = 0;
  const der = () => (imports++, spkiBytes(spki));
  const a = await importVerifyKey(crypto, spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, der);
  const b = await importVerifyKey(crypto, spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, der);
  assert.equal(a, b);
  assert.equal(imports, 1);
  assert.deepEqual(a.usages, ['verify']);
  assert.equal(a.extractable, false);
  const pss = await importVerifyKey(crypto, spki, { name: 'RSA-PSS', hash: 'SHA-256' }, der);
  assert.notEqual(pss, a);
  assert.equal(imports, 2);
  const other = new pkijs.CryptoEngine({ name: 'other', crypto: globalThis.crypto });
  await importVerifyKey(other, spki, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, der);
  assert.equal(imports, 3);

  let tries = 0;
  const bad = () => (tries++, new Uint8Array([0x30, 0x00]));
  const wrong = pkijs.Certificate.fromBER(new Uint8Array(alice.certDer)).subjectPublicKeyInfo;
  await assert.rejects(importVerifyKey(crypto, wrong, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, bad));
  await assert.rejects(importVerifyKey(crypto, wrong, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, bad));
  assert.equal(tries, 2, 'a failed import is tried again');
});

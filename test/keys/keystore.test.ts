/**
 * Key stores: the IndexedDB one keeps non-extractable CryptoKeys by structured clone (fake-indexeddb in Node) and
 * they still sign and decrypt after a round trip through storage; the memory one for the CLI.
 */
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IDBFactory } from 'fake-indexeddb';
import { decryptMessage } from '../../src/compose/decrypt-message';
import { encryptMessage } from '../../src/compose/encrypt-message';
import { signMessage } from '../../src/compose/sign-message';
import { IdbKeyStore } from '../../src/keys/idb-keystore';
import { MemoryKeyStore } from '../../src/keys/memory-keystore';
import { importPkcs12 } from '../../src/keys/pkcs12';
import { makePki, opensslVerify } from '../support/pki';
import { buildMessage, textEntity } from '../support/messages';

async function identities() {
  const pki = await makePki();
  const rsa = await pki.issue({ name: 'Store RSA', email: 'rsa@example.com' });
  const ec = await pki.issue({ name: 'Store EC', email: 'ec@example.com', keyType: 'ec-p256' });
  const out = [];
  for (const c of [rsa, ec]) {
    const r = await importPkcs12(new Uint8Array(readFileSync(await c.makeP12('pw'))), 'pw');
    assert.ok(r.ok);
    out.push(r.identity);
  }
  return { pki, rsa: out[0], ec: out[1] };
}

test('IdbKeyStore: put/get/list/forAddress/delete; keys come back non-extractable and still work', async () => {
  const { pki, rsa, ec } = await identities();
  const store = new IdbKeyStore({ factory: new IDBFactory() });
  await store.put(rsa);
  await store.put(ec);
  assert.deepEqual((await store.list()).map((s) => s.key).sort(), ['EC P-256', 'RSA 2048']);
  const back = await store.get(rsa.id);
  assert.ok(back);
  assert.notEqual(back, rsa, 'a structured clone, not the same object');
  assert.equal(back.keys.rsaPkcs1?.['SHA-256']?.extractable, false);
  assert.equal(back.keys.sealedRsa?.key.extractable, false);
  assert.deepEqual((await store.forAddress('EC@example.com')).map((i) => i.id), [ec.id]);
  // The cloned keys sign (OpenSSL verifies) and decrypt (PKCS#1 v1.5 via the sealed copy, ECDH).
  const msg = new Uint8Array(buildMessage({ from: 'rsa@example.com', to: 'ec@example.com', subject: 's' }, textEntity('stored')));
  const signed = await signMessage(msg, back);
  assert.ok(signed.ok);
  const f = join(pki.dir, 'stored-signed.eml');
  (await import('node:fs')).writeFileSync(f, signed.message);
  assert.ok((await opensslVerify(f, { CAfile: pki.root.certPath })).ok);
  const enc = await encryptMessage(msg, [ec.certificate], { sender: rsa });
  assert.ok(enc.ok);
  const opened = await decryptMessage(enc.message, store);
  assert.ok(opened.ok);
  await store.delete(rsa.id);
  assert.equal(await store.get(rsa.id), undefined);
  assert.equal((await store.identities()).length, 1);
});

test('MemoryKeyStore: same interface, nothing persisted', async () => {
  const { rsa, ec } = await identities();
  const store = new MemoryKeyStore([rsa]);
  await store.put(ec);
  assert.equal((await store.identities()).length, 2);
  assert.deepEqual((await store.forAddress('rsa@example.com')).map((i) => i.id), [rsa.id]);
  await store.delete(ec.id);
  assert.deepEqual((await store.list()).map((s) => s.id), [rsa.id]);
});

/**
 * Recipient directory: certificates from verified signed messages and manual import, looked up by address;
 * expired, not-yet-valid, revoked and signing-only certificates are not offered; untrusted signers not collected.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { IDBFactory } from 'fake-indexeddb';
import { loadCertificates } from '../../src/certs/load';
import { IdbDirectoryStorage, RecipientDirectory } from '../../src/keys/directory';
import { verifyMessage } from '../../src/verify-message';
import { makePki, smimeSign } from '../support/pki';
import { textEntity } from '../support/messages';

const pkiP = makePki();

test('collects the signer certificate of a trusted signed message, not of an untrusted one', async () => {
  const pki = await pkiP;
  const alice = await pki.issue({ name: 'Dir Alice', email: 'dir-alice@example.com' });
  const msg = await smimeSign({ signer: alice, content: textEntity('hi'), headers: { from: 'dir-alice@example.com', to: 'b@example.com', subject: 's' } });
  const anchors = loadCertificates(readFileSync(pki.root.certPath)).certs;
  const dir = new RecipientDirectory();
  const untrusted = await verifyMessage(new Uint8Array(msg.bytes));
  assert.notEqual(untrusted.verdict, 'trusted');
  assert.deepEqual(await dir.addFromVerifiedMessage(new Uint8Array(msg.bytes), untrusted), []);
  const trusted = await verifyMessage(new Uint8Array(msg.bytes), { anchors });
  assert.equal(trusted.verdict, 'trusted', trusted.summary);
  const added = await dir.addFromVerifiedMessage(new Uint8Array(msg.bytes), trusted);
  assert.equal(added.length, 1, 'only the signer, not the intermediate');
  assert.deepEqual(added[0].der, new Uint8Array(alice.certDer));
  assert.equal(added[0].source, 'signed-message');
  assert.deepEqual((await dir.lookup('Dir-Alice@Example.com')).map((e) => e.sha256), [added[0].sha256]);
});

test('lookup skips expired, not-yet-valid and revoked certificates; newest first; signing-only refused', async () => {
  const pki = await pkiP;
  const now = new Date();
  const day = 86400_000;
  const old = await pki.issue({ name: 'Bob old', email: 'bob@example.com', start: new Date(now.getTime() - 400 * day), end: new Date(now.getTime() - day) });
  const current = await pki.issue({ name: 'Bob now', email: 'bob@example.com', start: new Date(now.getTime() - 10 * day), end: new Date(now.getTime() + 300 * day) });
  const newer = await pki.issue({ name: 'Bob newer', email: 'bob@example.com', start: new Date(now.getTime() - day), end: new Date(now.getTime() + 300 * day) });
  const future = await pki.issue({ name: 'Bob future', email: 'bob@example.com', start: new Date(now.getTime() + 10 * day), end: new Date(now.getTime() + 300 * day) });
  const signOnly = await pki.issue({ name: 'Bob sign', email: 'bob@example.com', keyUsage: ['digitalSignature'] });
  const dir = new RecipientDirectory(new IdbDirectoryStorage({ factory: new IDBFactory() }));
  for (const c of [old, current, newer, future]) assert.ok((await dir.add(new Uint8Array(c.certDer))).ok);
  const refused = await dir.add(new Uint8Array(signOnly.certDer));
  assert.ok(!refused.ok && refused.reason === 'not-for-encryption');
  const noEmail = await dir.add(new Uint8Array(pki.intermediate.certDer));
  assert.ok(!noEmail.ok && noEmail.reason === 'no-email');
  assert.ok(!(await dir.add(new Uint8Array([1, 2, 3]))).ok);
  let found = await dir.lookup('bob@example.com');
  assert.deepEqual(found.map((e) => e.der), [new Uint8Array(newer.certDer), new Uint8Array(current.certDer)]);
  await dir.markRevoked(found[0].sha256);
  // Re-adding (e.g. from another signed message) does not clear the revocation mark.
  await dir.add(new Uint8Array(newer.certDer), 'signed-message');
  found = await dir.lookup('bob@example.com');
  assert.deepEqual(found.map((e) => e.der), [new Uint8Array(current.certDer)]);
  assert.equal((await dir.lookup('bob@example.com', new Date(now.getTime() + 20 * day))).length, 2, 'future cert valid later');
  await dir.remove(found[0].sha256);
  assert.equal((await dir.lookup('bob@example.com')).length, 0);
  assert.equal((await dir.all()).length, 3);
});

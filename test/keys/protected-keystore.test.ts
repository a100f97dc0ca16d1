/**
 * Issue 10, item 12: keys at rest. A "non-extractable" CryptoKey in IndexedDB is stored WITH its key material
 * (structured clone), and the sealed PKCS#8 sits beside its own AES key, so the private key could be read from the
 * browser profile. With a passphrase, the store keeps only the PKCS#8 encrypted under a PBKDF2-derived key.
 *
 * "Raw storage" here is every record of every object store, read back from fake-indexeddb and scanned byte for
 * byte: Uint8Arrays, strings, and CryptoKeys too, whose bytes Node's KeyObject.from() gives even when the key is
 * non-extractable (that is what reading the profile's files amounts to). The Chromium e2e test does the same on the
 * profile's LevelDB files (test/outlook/keys-at-rest.e2e.test.ts).
 */
import assert from 'node:assert/strict';
import { KeyObject, createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { IDBFactory } from 'fake-indexeddb';
import { encryptMessage } from '../../src/compose/encrypt-message';
import { decryptMessage } from '../../src/compose/decrypt-message';
import { PASSPHRASE_ITERATIONS, ProtectedKeyStore, WRONG_PASSPHRASE } from '../../src/keys/protected-keystore';
import { DB, run } from '../../src/keys/idb';
import { makePki, type IssuedCert } from '../support/pki';
import { buildMessage, textEntity } from '../support/messages';

/** Every byte sequence reachable from a stored value (CryptoKeys through KeyObject, as a profile reader would). */
function bytesOf(v: unknown, out: Buffer[] = [], seen = new Set<unknown>()): Buffer[] {
  if (v === null || typeof v !== 'object') {
    if (typeof v === 'string') out.push(Buffer.from(v, 'latin1'));
    return out;
  }
  if (seen.has(v)) return out;
  seen.add(v);
  if (v instanceof CryptoKey) {
    const k = KeyObject.from(v);
    out.push(k.type === 'secret' ? k.export() : k.type === 'private' ? k.export({ format: 'der', type: 'pkcs8' }) : k.export({ format: 'der', type: 'spki' }));
  } else if (ArrayBuffer.isView(v)) out.push(Buffer.from(v.buffer, v.byteOffset, v.byteLength));
  else if (v instanceof ArrayBuffer) out.push(Buffer.from(v));
  else for (const x of Object.values(v as Record<string, unknown>)) bytesOf(x, out, seen);
  return out;
}

/** Every record of every database the factory holds. */
async function rawStorage(factory: IDBFactory): Promise<unknown[]> {
  const records: unknown[] = [];
  for (const { name } of await factory.databases()) {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = factory.open(name!);
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    for (const store of Array.from(db.objectStoreNames)) {
      records.push(
        ...(await new Promise<unknown[]>((res, rej) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => res(r.result);
          r.onerror = () => rej(r.error);
        })),
      );
    }
    db.close();
  }
  return records;
}

/** The first 32 bytes of the RSA prime p, big-endian: a needle no public value contains. */
function primeOf(c: IssuedCert): Buffer {
  const jwk = createPrivateKey(c.keyPem).export({ format: 'jwk' }) as { p: string };
  return Buffer.from(jwk.p, 'base64url').subarray(0, 32);
}

function holds(records: unknown[], needle: Buffer): boolean {
  return bytesOf(records).some((b) => b.includes(needle));
}

let fixture: Promise<{ alice: IssuedCert; p12: Uint8Array; message: Uint8Array }> | undefined;
function setup() {
  fixture ??= (async () => {
    const pki = await makePki();
    const alice = await pki.issue({ name: 'Alice At Rest', email: 'alice@example.com' });
    const p12 = new Uint8Array(readFileSync(await alice.makeP12('pw')));
    const enc = await encryptMessage(buildMessage({ from: 'bob@example.com', to: 'alice@example.com', subject: 's' }, textEntity('secret at rest')), [new Uint8Array(alice.certDer)]);
    assert.ok(enc.ok);
    return { alice, p12, message: enc.message };
  })();
  return fixture;
}

test('keys at rest: without a passphrase the stored record holds the private key (what the UI says plainly)', async () => {
  const { alice, p12 } = await setup();
  const factory = new IDBFactory();
  const store = new ProtectedKeyStore({ factory });
  const r = await store.importPkcs12(p12, 'pw');
  assert.ok(r.ok);
  assert.ok(holds(await rawStorage(factory), primeOf(alice)), 'the prime is in the stored CryptoKeys');
  assert.deepEqual((await store.stored()).map((s) => s.protection), ['profile']);
});

test('keys at rest: imported with a passphrase, the raw IndexedDB storage holds no key material; unlock restores use', async () => {
  const { alice, p12, message } = await setup();
  const factory = new IDBFactory();
  const store = new ProtectedKeyStore({ factory });
  const t0 = performance.now();
  const r = await store.importPkcs12(p12, 'pw', { passphrase: 'correct horse battery' });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.error));
  const records = await rawStorage(factory);
  assert.ok(!holds(records, primeOf(alice)), 'no prime bytes anywhere in storage');
  assert.ok(!bytesOf(records).some((b) => b.includes(Buffer.from('MII'))), 'no PEM/base64 key either');
  assert.equal(JSON.stringify(records).includes('CryptoKey'), false);
  assert.ok(!records.some((x) => bytesOf(x).length && Object.values(x as object).some((v) => v instanceof CryptoKey)), 'no CryptoKey stored');
  const [s] = await store.stored();
  assert.equal(s.protection, 'passphrase');

  // A new session (host restart): the identity is there but locked until the passphrase is given.
  const next = new ProtectedKeyStore({ factory });
  assert.deepEqual(await next.identities(), []);
  assert.equal((await next.stored())[0].locked, true);
  const locked = await decryptMessage(message, next);
  assert.equal(locked.ok, false);
  const wrong = await next.unlock('correct horse battery staple');
  assert.deepEqual(wrong, { ok: false, message: WRONG_PASSPHRASE });
  assert.doesNotMatch(WRONG_PASSPHRASE, /\n/);
  const t1 = performance.now();
  assert.deepEqual(await next.unlock('correct horse battery'), { ok: true, unlocked: 1 });
  console.log(`# PBKDF2-SHA-256 x ${PASSPHRASE_ITERATIONS}: unlock took ${(performance.now() - t1).toFixed(0)} ms (import ${(t1 - t0).toFixed(0)} ms incl. a wrong try)`);
  const opened = await decryptMessage(message, next);
  assert.ok(opened.ok);
  assert.match(new TextDecoder().decode(opened.content), /secret at rest/);
  // Still nothing at rest after use.
  assert.ok(!holds(await rawStorage(factory), primeOf(alice)));
  // A forgotten passphrase: removing the last key forgets it too, so the key can be imported again.
  await next.delete((await next.stored())[0].id);
  assert.equal(await next.hasPassphrase(), false);
  assert.ok((await new ProtectedKeyStore({ factory }).importPkcs12(p12, 'pw', { passphrase: 'a new passphrase' })).ok);
});

test('keys at rest: an administrator who requires a passphrase refuses an import without one, and unprotected keys go unused', async () => {
  const { p12 } = await setup();
  const factory = new IDBFactory();
  const old = new ProtectedKeyStore({ factory });
  assert.ok((await old.importPkcs12(p12, 'pw')).ok, 'stored before the policy');
  let required = true;
  const store = new ProtectedKeyStore({ factory }, () => required);
  const refused = await store.importPkcs12(p12, 'pw');
  assert.equal(refused.ok, false);
  assert.match(!refused.ok ? refused.error.message : '', /^Your administrator requires a passphrase for stored keys/);
  assert.deepEqual(await store.identities(), [], 'the unprotected key is not used');
  assert.equal((await store.stored())[0].disallowed, true);
  const short = await store.importPkcs12(p12, 'pw', { passphrase: 'short' });
  assert.equal(short.ok, false);
  assert.ok((await store.importPkcs12(p12, 'pw', { passphrase: 'a long passphrase' })).ok);
  assert.equal((await store.identities()).length, 1);
  assert.equal((await store.stored())[0].protection, 'passphrase', 'the same certificate is now stored wrapped');
  required = false;
});

test('a vault record whose iteration count was changed in storage (2^31) is refused at once as damaged, not run for an hour; within range it still unlocks', { timeout: 60_000 }, async () => {
  const factory = new IDBFactory();
  const store = new ProtectedKeyStore({ factory });
  assert.ok((await store.unlock('correct horse battery', true)).ok);
  const vault = await run({ factory }, DB.identities, 'readonly', (s) => s.get('#vault') as IDBRequest<{ kdf: { iterations: unknown } }>);
  for (const iterations of [2 ** 31, 'many', 1]) {
    await run({ factory }, DB.identities, 'readwrite', (s) => s.put({ ...vault, kdf: { ...vault.kdf, iterations } }));
    const t0 = performance.now();
    const r = await new ProtectedKeyStore({ factory }).unlock('correct horse battery');
    const ms = performance.now() - t0;
    assert.ok(!r.ok);
    assert.match(r.message, /^The stored key vault is damaged \(iteration count .* outside 100,000-10,000,000\); your keys cannot be unlocked\.$/);
    assert.ok(ms < 1000, `${iterations}: ${Math.round(ms)} ms`);
  }
  await run({ factory }, DB.identities, 'readwrite', (s) => s.put(vault));
  assert.ok((await new ProtectedKeyStore({ factory }).unlock('correct horse battery')).ok);
});

/**
 * The user's identities (certificate, chain, non-extractable private keys: src/keys Identity) for the Outlook
 * add-in, in IndexedDB of the add-in's origin. An Identity is structured-cloneable, so IndexedDB keeps the
 * CryptoKey objects themselves and the private key never exists in a form a script could read back.
 *
 * Limit: this is a small store of our own because the core's KeyStore (issue 3) has not landed yet; when it
 * does, these four functions delegate to its IndexedDB implementation.
 */
import type { Identity } from '../src/index';

const DB = 'smime-addin-outlook-keys';
const STORE = 'identities';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'id' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('cannot open the key store'));
  });
}

async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error ?? new Error('key store transaction failed'));
      t.onabort = () => reject(t.error ?? new Error('key store transaction aborted'));
    });
  } finally {
    db.close();
  }
}

export async function listIdentities(): Promise<Identity[]> {
  try {
    return await tx('readonly', (s) => s.getAll() as IDBRequest<Identity[]>);
  } catch {
    return []; // storage unavailable: no keys, said where keys are needed
  }
}

export async function saveIdentity(identity: Identity): Promise<void> {
  await tx('readwrite', (s) => s.put(identity));
}

export async function removeIdentity(id: string): Promise<void> {
  await tx('readwrite', (s) => s.delete(id));
}

/** The identity whose certificate names this address. */
export function identityFor(identities: Identity[], email: string): Identity | undefined {
  const e = email.toLowerCase();
  return identities.find((i) => i.emails.includes(e));
}

/**
 * The user's own identities (certificate + non-extractable private keys, src/keys/identity.ts) in IndexedDB.
 * An Identity is structured-cloneable (CryptoKey, Uint8Array, strings), so IndexedDB keeps the CryptoKey objects
 * themselves: the private key never exists in a form a script could read back, and nothing private is in
 * storage.local. Removing an identity deletes its record (and with it the only reference to its keys).
 */
import type { Identity } from '../src/index';

const DB = 'smime-addin-keys';
const STORE = 'identities';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE)) req.result.createObjectStore(STORE, { keyPath: 'id' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    db.close();
  }
}

export function listIdentities(): Promise<Identity[]> {
  return tx('readonly', (s) => s.getAll() as IDBRequest<Identity[]>);
}

export async function saveIdentity(identity: Identity): Promise<void> {
  await tx('readwrite', (s) => s.put(identity));
}

export async function removeIdentity(id: string): Promise<void> {
  await tx('readwrite', (s) => s.delete(id));
}

export async function removeAllIdentities(): Promise<void> {
  await tx('readwrite', (s) => s.clear());
}

/** The identity to sign with for a From address: one whose certificate names it. */
export function identityFor(identities: Identity[], email: string): Identity | undefined {
  const e = email.toLowerCase();
  return identities.find((i) => i.emails.includes(e));
}

/**
 * The user's settings for the Outlook add-in: a PartialPolicy (src/policy) — the "user" layer under the admin's
 * policy.json — kept in IndexedDB of the add-in's origin. Nothing secret is stored here: certificates are public
 * and private keys live in the key store (src/keys/protected-keystore.ts), under the user's passphrase when set.
 *
 * IndexedDB rather than Office roamingSettings: roaming settings are capped at 32 KB per add-in and synced to
 * the mailbox, and a user's anchors and intermediates can exceed that.
 */
import type { PartialPolicy } from '../src/index';

const DB_NAME = 'smime-addin-outlook';
const STORE = 'settings';
const KEY = 'user-policy';

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error ?? new Error('IndexedDB request failed'));
  });
}

let dbPromise: Promise<IDBDatabase> | undefined;

function db(): Promise<IDBDatabase> {
  dbPromise ??= new Promise<IDBDatabase>((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => {
      if (!open.result.objectStoreNames.contains(STORE)) open.result.createObjectStore(STORE);
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error ?? new Error('cannot open IndexedDB'));
    open.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of the add-in'));
  });
  return dbPromise;
}

export async function loadUserPolicy(): Promise<PartialPolicy> {
  try {
    const d = await db();
    const v = await request(d.transaction(STORE, 'readonly').objectStore(STORE).get(KEY));
    return v && typeof v === 'object' ? (v as PartialPolicy) : {};
  } catch {
    // Storage disabled (private mode, blocked third-party storage in an iframe): run on defaults.
    return {};
  }
}

export async function saveUserPolicy(p: PartialPolicy): Promise<void> {
  const d = await db();
  const tx = d.transaction(STORE, 'readwrite');
  tx.objectStore(STORE).put(p, KEY);
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('could not save settings'));
    tx.onabort = () => reject(tx.error ?? new Error('saving settings was aborted'));
  });
}

export async function clearUserPolicy(): Promise<void> {
  await saveUserPolicy({});
}

/**
 * Minimal promise wrapper over globalThis.indexedDB (only the IndexedDB API itself, no DOM), shared by the key
 * store and the recipient directory. Each keeps one object store in a database of its own at version 1, so the
 * identities database stays the one the Thunderbird add-on already opens ("smime-addin-keys", store
 * "identities", keyPath "id") and neither can break the other with a version upgrade.
 */

export interface IdbOptions {
  /** Database name (defaults per store, see DB). */
  name?: string;
  /** The IDBFactory; default globalThis.indexedDB (tests pass fake-indexeddb's). */
  factory?: IDBFactory;
}

export const DB = {
  identities: { name: 'smime-addin-keys', store: 'identities', keyPath: 'id' },
  certificates: { name: 'smime-addin-directory', store: 'certificates', keyPath: 'sha256' },
} as const;

type Db = (typeof DB)[keyof typeof DB];

function factoryOf(o: IdbOptions): IDBFactory {
  const f = o.factory ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
  if (!f) throw new Error('IndexedDB is not available in this runtime');
  return f;
}

function openDb(o: IdbOptions, db: Db): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = factoryOf(o).open(o.name ?? db.name, 1);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(db.store)) req.result.createObjectStore(db.store, { keyPath: db.keyPath });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export async function run<T>(o: IdbOptions, db: Db, mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const conn = await openDb(o, db);
  try {
    return await new Promise<T>((resolve, reject) => {
      const t = conn.transaction(db.store, mode);
      const req = fn(t.objectStore(db.store));
      t.oncomplete = () => resolve(req.result);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  } finally {
    conn.close();
  }
}

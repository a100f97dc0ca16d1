/**
 * IndexedDB storage for the audit log and the forwarding queue, for both hosts (the Outlook task pane and the
 * Thunderbird background page have IndexedDB; the factory is a parameter so tests can pass fake-indexeddb).
 * Events live in an auto-increment store, so their order is the order they were appended; trimming deletes
 * from the low end in the same transaction as the insert.
 */
import { filterEvents, readAuditEvents, type AuditEvent, type AuditFilter } from './event';
import type { QueueState, QueueStore } from './forwarder';
import { DEFAULT_MAX_EVENTS, type AuditLog, type AuditLogStats } from './log';

const VERSION = 1;
const EVENTS = 'events';
const META = 'meta';

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export function openAuditDb(name = 'smime-audit', factory: IDBFactory | undefined = globalThis.indexedDB): Promise<IDBDatabase> {
  if (!factory) return Promise.reject(new Error('IndexedDB is not available in this runtime'));
  const open = factory.open(name, VERSION);
  open.onupgradeneeded = () => {
    const db = open.result;
    if (!db.objectStoreNames.contains(EVENTS)) db.createObjectStore(EVENTS, { autoIncrement: true });
    if (!db.objectStoreNames.contains(META)) db.createObjectStore(META);
  };
  return req(open);
}

export class IndexedDBAuditLog implements AuditLog {
  constructor(
    private readonly db: IDBDatabase,
    readonly maxEvents = DEFAULT_MAX_EVENTS,
  ) {}

  async append(e: AuditEvent): Promise<void> {
    const tx = this.db.transaction([EVENTS, META], 'readwrite');
    const events = tx.objectStore(EVENTS);
    const meta = tx.objectStore(META);
    events.add(e);
    const count = await req(events.count());
    const over = count - this.maxEvents;
    if (over > 0) {
      let left = over;
      await new Promise<void>((resolve, reject) => {
        const c = events.openCursor();
        c.onerror = () => reject(c.error);
        c.onsuccess = () => {
          const cur = c.result;
          if (!cur || left === 0) return resolve();
          cur.delete();
          left--;
          cur.continue();
        };
      });
      const dropped = ((await req(meta.get('dropped'))) as number | undefined) ?? 0;
      meta.put(dropped + over, 'dropped');
    }
    await done(tx);
  }

  async list(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const tx = this.db.transaction(EVENTS, 'readonly');
    const all = (await req(tx.objectStore(EVENTS).getAll())) as unknown[];
    return filterEvents(readAuditEvents(all), filter);
  }

  async stats(): Promise<AuditLogStats> {
    const tx = this.db.transaction([EVENTS, META], 'readonly');
    const count = await req(tx.objectStore(EVENTS).count());
    const dropped = ((await req(tx.objectStore(META).get('dropped'))) as number | undefined) ?? 0;
    return { count, dropped, maxEvents: this.maxEvents };
  }

  async clear(): Promise<void> {
    const tx = this.db.transaction([EVENTS, META], 'readwrite');
    tx.objectStore(EVENTS).clear();
    tx.objectStore(META).delete('dropped');
    await done(tx);
  }
}

/** The forwarding queue's state as one record (the queue is bounded, so one write per change is fine). */
export class IndexedDBQueueStore implements QueueStore {
  constructor(private readonly db: IDBDatabase) {}

  async load(): Promise<QueueState> {
    const tx = this.db.transaction(META, 'readonly');
    const v = (await req(tx.objectStore(META).get('queue'))) as Partial<QueueState> | undefined;
    return {
      events: Array.isArray(v?.events) ? readAuditEvents(v!.events) : [],
      dropped: typeof v?.dropped === 'number' ? v.dropped : 0,
    };
  }

  async save(state: QueueState): Promise<void> {
    const tx = this.db.transaction(META, 'readwrite');
    tx.objectStore(META).put(state, 'queue');
    await done(tx);
  }
}

/**
 * The bounded local audit log. Past `maxEvents` the oldest events are dropped and counted, so a host can say
 * "1,234 older events were dropped". Two implementations: in memory (tests, short sessions) and IndexedDB
 * (indexeddb.ts, both hosts); the CLI keeps a JSON Lines file (cli/audit.ts).
 */
import { filterEvents, type AuditEvent, type AuditFilter } from './event';

export interface AuditLogStats {
  count: number;
  dropped: number;
  maxEvents: number;
}

export interface AuditLog {
  append(e: AuditEvent): Promise<void>;
  /** Newest first. */
  list(filter?: AuditFilter): Promise<AuditEvent[]>;
  stats(): Promise<AuditLogStats>;
  clear(): Promise<void>;
}

export const DEFAULT_MAX_EVENTS = 10_000;

export class MemoryAuditLog implements AuditLog {
  private events: AuditEvent[] = [];
  private dropped = 0;

  constructor(readonly maxEvents = DEFAULT_MAX_EVENTS) {
    if (!(maxEvents >= 1)) throw new Error('MemoryAuditLog: maxEvents must be at least 1');
  }

  async append(e: AuditEvent): Promise<void> {
    this.events.push(structuredClone(e));
    const over = this.events.length - this.maxEvents;
    if (over > 0) {
      this.events.splice(0, over);
      this.dropped += over;
    }
  }

  async list(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    return filterEvents(this.events, filter).map((e) => structuredClone(e));
  }

  async stats(): Promise<AuditLogStats> {
    return { count: this.events.length, dropped: this.dropped, maxEvents: this.maxEvents };
  }

  async clear(): Promise<void> {
    this.events = [];
    this.dropped = 0;
  }
}

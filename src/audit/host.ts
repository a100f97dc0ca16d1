/**
 * The audit log as a host uses it, in one call: the IndexedDB log bounded by policy, and — when policy names an
 * endpoint — a forwarder over a queue in the same database, sending in the background (in the format
 * audit.format names). The subject leaves an event here unless audit.includeSubject allows it. Both hosts (Outlook task
 * pane, Thunderbird background page) call openHostAudit once and then record(event) per operation.
 */
import type { Policy } from '../policy/schema';
import { applyAuditPolicy, readAuditEvent, type AuditEvent, type AuditFilter, type AuditHost } from './event';
import { toCsv, toJsonLines } from './export';
import { auditReport, type AuditReport, type ReportOptions } from './report';
import { AuditForwarder } from './forwarder';
import { IndexedDBAuditLog, IndexedDBQueueStore, openAuditDb } from './indexeddb';
import type { AuditLog, AuditLogStats } from './log';

export interface HostAudit {
  readonly host: AuditHost;
  readonly log: AuditLog;
  readonly forwarder?: AuditForwarder;
  /** Appends (and queues for forwarding); a no-op when policy turns the audit log off. */
  record(e: AuditEvent): Promise<void>;
  list(filter?: AuditFilter): Promise<AuditEvent[]>;
  stats(): Promise<AuditLogStats & { queued: number; queueDropped: number }>;
  /** The filtered events, oldest first, as a file's text. */
  exportText(format: 'jsonl' | 'csv', filter?: AuditFilter): Promise<string>;
  /** The summary the settings pages and `smime-addin audit --report` show (src/audit/report.ts). */
  report(opts?: ReportOptions): Promise<AuditReport>;
  close(): void;
}

export async function openHostAudit(
  policy: Policy,
  host: AuditHost,
  opts: { factory?: IDBFactory; dbName?: string; fetch?: typeof fetch } = {},
): Promise<HostAudit> {
  const db = await openAuditDb(opts.dbName ?? 'smime-audit', opts.factory);
  const log = new IndexedDBAuditLog(db, policy.audit.maxEvents);
  const forwarder =
    policy.audit.enabled && policy.audit.endpoint
      ? new AuditForwarder({
          endpoint: policy.audit.endpoint,
          store: new IndexedDBQueueStore(db),
          batchSize: policy.audit.batchSize,
          maxQueue: policy.audit.maxQueue,
          format: policy.audit.format,
          fetch: opts.fetch,
        })
      : undefined;
  forwarder?.start();
  return {
    host,
    log,
    forwarder,
    async record(e) {
      if (!policy.audit.enabled) return;
      // readAuditEvent: a caller's event without a name or severity (older code) gets them, as stored ones do.
      const named = readAuditEvent(e);
      if (!named) return;
      const scoped = applyAuditPolicy(named, policy.audit);
      const ev = scoped.host ? scoped : { ...scoped, host };
      await log.append(ev);
      await forwarder?.enqueue(ev);
    },
    list: (filter) => log.list(filter),
    async stats() {
      const s = await log.stats();
      const q = forwarder ? await forwarder.pending() : { events: [], dropped: 0 };
      return { ...s, queued: q.events.length, queueDropped: q.dropped };
    },
    async exportText(format, filter) {
      const events = (await log.list(filter)).reverse();
      return format === 'csv' ? toCsv(events) : toJsonLines(events);
    },
    async report(opts) {
      return auditReport(await log.list({ since: opts?.since, until: opts?.until }), opts);
    },
    close() {
      forwarder?.stop();
      db.close();
    },
  };
}

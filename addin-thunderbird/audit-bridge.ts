/**
 * The audit log across the add-on's pages. It lives in the background page (src/audit/host.ts: the IndexedDB
 * log that every check appends to), while the options page shows it with the shared view (ui/audit-view.ts).
 * The options page's AuditSource sends each read as a runtime message (protocol.ts); the background answers
 * with `answerAudit`. Only events and counts cross, never a handle to the database.
 */
import type { HostAudit } from '../src/index';
import type { AuditSource } from '../ui/audit-view';
import type { AuditRequest, AuditStatsReply } from './protocol';

/** The background's answer to one audit request; `audit` is undefined when the log could not be opened. */
export async function answerAudit(audit: HostAudit | undefined, enabled: boolean, req: AuditRequest): Promise<unknown> {
  switch (req.type) {
    case 'audit-stats': {
      if (!audit) return { enabled } satisfies AuditStatsReply;
      const { count, dropped, queued } = await audit.stats();
      return { enabled, stats: { count, dropped, queued } } satisfies AuditStatsReply;
    }
    case 'audit-list':
      return audit ? audit.list(req.filter) : [];
    case 'audit-export-text':
      return audit ? audit.exportText(req.format, req.filter) : '';
    case 'audit-report':
      // Made in the background, next to the log: only the summary crosses, not every event.
      if (!audit) throw new Error('the audit log could not be opened');
      return audit.report(req.opts);
  }
}

/** The options page's view of the background's log; `send` is runtime.sendMessage. */
export function backgroundAuditSource(send: (req: AuditRequest) => Promise<unknown>): AuditSource & { state(): Promise<AuditStatsReply> } {
  const stats = () => send({ type: 'audit-stats' }) as Promise<AuditStatsReply>;
  return {
    state: stats,
    async stats() {
      const s = (await stats()).stats;
      if (!s) throw new Error('the audit log could not be opened');
      return s;
    },
    list: (filter) => send({ type: 'audit-list', filter }) as ReturnType<AuditSource['list']>,
    exportText: (format, filter) => send({ type: 'audit-export-text', format, filter }) as Promise<string>,
    report: (opts) => send({ type: 'audit-report', opts }) as ReturnType<AuditSource['report']>,
  };
}

/**
 * The audit log section of a settings page, shared by the hosts: how many events are kept (and dropped), the summary
 * with its verdicts-per-day chart (ui/audit-report.ts), a filter by verdict and sender, the newest matching events,
 * and export of the filtered events as JSON Lines or CSV.
 * Works over any source with HostAudit's reading methods (src/audit/host.ts).
 */
import type { AuditEvent, AuditFilter } from '../src/index';
import { renderAuditReport, type ReportSource } from './audit-report';
import { append, clear, h } from './dom';

export interface AuditSource extends ReportSource {
  stats(): Promise<{ count: number; dropped: number; queued?: number }>;
  list(filter?: AuditFilter): Promise<AuditEvent[]>;
  exportText(format: 'jsonl' | 'csv', filter?: AuditFilter): Promise<string>;
}

const VERDICTS = ['trusted', 'untrusted', 'invalid', 'unsigned', 'error'] as const;
const SHOWN = 20;

export interface AuditSectionOptions {
  /** The heading's level where the section sits (default h3, under a settings page's h2). */
  heading?: 'h2' | 'h3';
}

export async function renderAuditSection(el: HTMLElement, source: AuditSource | undefined, enabled: boolean, opts: AuditSectionOptions = {}): Promise<void> {
  const doc = el.ownerDocument;
  append(el, h(doc, opts.heading ?? 'h3', { className: 'sv-heading', attrs: { id: 'audit-heading' } }, 'Audit log'));
  if (!source || !enabled) {
    append(el, h(doc, 'p', { attrs: { id: 'audit-count' } }, enabled ? 'The audit log could not be opened here.' : 'Off (your policy keeps no audit log).'));
    return;
  }
  const count = h(doc, 'p', { attrs: { id: 'audit-count', role: 'status' } });
  const verdict = h(doc, 'select', { attrs: { id: 'audit-verdict' } });
  append(verdict, h(doc, 'option', { attrs: { value: '' } }, 'all verdicts'));
  for (const v of VERDICTS) append(verdict, h(doc, 'option', { attrs: { value: v } }, v));
  const from = h(doc, 'input', { attrs: { id: 'audit-from', type: 'search', placeholder: 'sender contains…' } });
  const list = h(doc, 'ul', { className: 'cert-list', attrs: { 'data-list': 'audit' } });
  const exportButton = (format: 'jsonl' | 'csv', label: string) => {
    const b = h(doc, 'button', { className: 'sv-button sv-button--secondary', attrs: { type: 'button', id: `audit-export-${format}` } }, label);
    b.addEventListener('click', async () => {
      const text = await source.exportText(format, filter());
      const a = h(doc, 'a', {
        attrs: {
          href: URL.createObjectURL(new Blob([text], { type: format === 'csv' ? 'text/csv' : 'application/x-ndjson' })),
          download: `smime-audit.${format === 'csv' ? 'csv' : 'jsonl'}`,
        },
      });
      append(el, a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
    });
    return b;
  };
  const filter = (): AuditFilter => ({
    verdict: verdict.value || undefined,
    from: from.value.trim() || undefined,
  });
  // Typing in the sender box starts a redraw per key; only the latest one may draw, whatever order they finish in.
  let latest = 0;
  const redraw = async () => {
    const mine = ++latest;
    list.setAttribute('aria-busy', 'true');
    const s = await source.stats();
    count.textContent =
      `${s.count} event${s.count === 1 ? '' : 's'} kept on this computer` +
      (s.dropped ? ` (${s.dropped} oldest dropped by the size limit)` : '') +
      (s.queued ? `, ${s.queued} waiting to be sent to your organisation` : '') +
      '. No message content or keys are recorded.';
    const events = await source.list({ ...filter(), limit: SHOWN });
    if (mine !== latest) return;
    list.removeAttribute('aria-busy');
    clear(list);
    for (const e of events) {
      append(
        list,
        h(doc, 'li', { attrs: { 'data-severity': e.severity } }, h(doc, 'span', { className: 'sv-mono' }, `${e.time.slice(0, 19).replace('T', ' ')} UTC`), ` ${e.event} · ${e.verdict}${e.rule ? ` · ${e.rule}` : ''} · ${e.from.join(', ') || 'no sender'}`),
      );
    }
    if (events.length === 0) append(list, h(doc, 'li', null, 'No matching events.'));
  };
  verdict.addEventListener('change', () => void redraw());
  from.addEventListener('input', () => void redraw());
  const summary = h(doc, 'div', { className: 'ar-section', attrs: { id: 'audit-summary' } });
  append(
    el,
    count,
    summary,
    h(doc, 'h4', { className: 'ar-heading' }, 'Events'),
    h(doc, 'div', { className: 'setting' }, h(doc, 'label', { attrs: { for: 'audit-verdict' } }, 'Show '), verdict, ' ', h(doc, 'label', { attrs: { for: 'audit-from' } }, 'from '), from),
    list,
    h(doc, 'div', { className: 'sv-actions' }, exportButton('jsonl', 'Export JSON Lines'), ' ', exportButton('csv', 'Export CSV')),
  );
  await Promise.all([redraw(), renderAuditReport(summary, source)]);
}

/**
 * Exporting the audit log: JSON Lines (one event per line, for SIEMs and jq) and CSV (RFC 4180 quoting, for
 * spreadsheets). CSV cells that a spreadsheet would run as a formula (starting with = + - @ or a tab/CR) are
 * prefixed with an apostrophe: a From address is chosen by whoever sent the mail.
 */
import type { AuditEvent } from './event';

/** The first ten columns are those of earlier versions, in the same order; later columns are appended. */
export const CSV_COLUMNS = [
  'time', 'op', 'host', 'verdict', 'messageId', 'from', 'signer', 'recipients', 'reasons', 'id',
  'event', 'severity', 'rule', 'action', 'recipientDomains', 'signerIssuer', 'subject',
] as const;

export function toJsonLines(events: AuditEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '');
}

export function csvCell(v: string): string {
  let s = v;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(events: AuditEvent[]): string {
  const rows = [CSV_COLUMNS.join(',')];
  for (const e of events) {
    const cells: Record<(typeof CSV_COLUMNS)[number], string> = {
      time: e.time,
      op: e.op,
      host: e.host ?? '',
      verdict: e.verdict,
      messageId: e.messageId ?? '',
      from: e.from.join(' '),
      signer: e.signer ?? '',
      recipients: e.recipients === undefined ? '' : String(e.recipients),
      reasons: e.reasons.join(' '),
      id: e.id,
      event: e.event,
      severity: e.severity,
      rule: e.rule ?? '',
      action: e.action ?? '',
      recipientDomains: (e.recipientDomains ?? []).join(' '),
      signerIssuer: e.signerCert?.issuer ?? '',
      subject: e.subject ?? '',
    };
    rows.push(CSV_COLUMNS.map((c) => csvCell(cells[c])).join(','));
  }
  return rows.join('\r\n') + '\r\n';
}

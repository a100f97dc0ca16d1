/**
 * The audit summary over a period: counts per verdict, per rule, per sender domain and per signer CA, the top
 * reasons, and verdicts per day (the chart in both hosts' settings). One function for the CLI's
 * `audit --report` and the hosts' pages (ui/audit-report.ts), so they show the same numbers.
 *
 * What is counted where:
 * - verdicts: received messages (message.verified, message.decrypted), by verdict word;
 * - rules: policy events (policy.violation, send.*), by `rule`;
 * - sender domains: received messages, by the domain of each From address (once per message);
 * - signer CAs: received messages with a signer certificate, by its issuer (DN);
 * - reasons: the leading reason code of each received message that was not trusted, and the reason codes of
 *   policy events;
 * - events: every event by name, and by severity.
 * Bounded: each table keeps its `top` largest entries (ties by name) and says how many others there were.
 */
import { visibleText } from '../trust/names';
import { AUDIT_SEVERITIES, type AuditEvent, type AuditEventName, type AuditSeverity } from './event';

export interface CountRow {
  key: string;
  count: number;
}

export interface CountTable {
  rows: CountRow[];
  /** Entries beyond the top ones, and their total count. */
  otherKeys: number;
  otherCount: number;
}

export interface DayRow {
  /** YYYY-MM-DD (UTC). */
  day: string;
  /** Verdict word → received messages that day. */
  verdicts: Record<string, number>;
}

export interface AuditReport {
  /** The period asked for (ISO), when one was. */
  since?: string;
  until?: string;
  /** The first and last event counted. */
  first?: string;
  last?: string;
  events: number;
  /** Received messages (message.verified / message.decrypted). */
  messages: number;
  byEvent: Partial<Record<AuditEventName, number>>;
  bySeverity: Partial<Record<AuditSeverity, number>>;
  verdicts: CountTable;
  rules: CountTable;
  senderDomains: CountTable;
  signerCAs: CountTable;
  reasons: CountTable;
  /** Every day from the first to the last counted day, oldest first (at most maxDays, the latest ones). */
  perDay: DayRow[];
}

/** Verdict words in the order the chart stacks them, most reassuring first. */
export const REPORT_VERDICTS = ['trusted', 'untrusted', 'invalid', 'unsigned', 'error'] as const;

const RECEIVED: ReadonlySet<string> = new Set(['message.verified', 'message.decrypted']);
const POLICY: ReadonlySet<string> = new Set(['policy.violation', 'send.blocked', 'send.prompted', 'send.overridden']);
const DAY_MS = 86_400_000;

function bump(m: Map<string, number>, key: string, by = 1): void {
  m.set(key, (m.get(key) ?? 0) + by);
}

function table(m: Map<string, number>, top: number): CountTable {
  const all = [...m].map(([key, count]) => ({ key, count })).sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const rows = all.slice(0, top);
  const rest = all.slice(top);
  return { rows, otherKeys: rest.length, otherCount: rest.reduce((n, r) => n + r.count, 0) };
}

function domainOf(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  return at >= 0 && at < address.length - 1 ? address.slice(at + 1).toLowerCase() : undefined;
}

export interface ReportOptions {
  /** Inclusive ISO times. */
  since?: string;
  until?: string;
  /** Rows per table (default 10). */
  top?: number;
  /** Days in perDay (default 31; the latest ones). */
  maxDays?: number;
}

/** The summary of `events` (any order) within the period; any iterable, read once (the CLI streams its file). */
export function auditReport(events: Iterable<AuditEvent>, o: ReportOptions = {}): AuditReport {
  const top = o.top ?? 10;
  const maxDays = o.maxDays ?? 31;
  const byEvent = new Map<string, number>();
  const bySeverity = new Map<string, number>();
  const verdicts = new Map<string, number>();
  const rules = new Map<string, number>();
  const domains = new Map<string, number>();
  const cas = new Map<string, number>();
  const reasons = new Map<string, number>();
  const days = new Map<string, Record<string, number>>();
  let first: string | undefined;
  let last: string | undefined;
  let count = 0;
  let messages = 0;
  for (const e of events) {
    if (o.since && e.time < o.since) continue;
    if (o.until && e.time > o.until) continue;
    const t = Date.parse(e.time);
    if (Number.isNaN(t)) continue;
    count++;
    if (!first || e.time < first) first = e.time;
    if (!last || e.time > last) last = e.time;
    bump(byEvent, e.event);
    bump(bySeverity, e.severity);
    if (RECEIVED.has(e.event)) {
      messages++;
      bump(verdicts, e.verdict);
      const day = new Date(t).toISOString().slice(0, 10);
      const d = days.get(day) ?? {};
      d[e.verdict] = (d[e.verdict] ?? 0) + 1;
      days.set(day, d);
      for (const dom of new Set(e.from.map(domainOf).filter((x): x is string => !!x))) bump(domains, dom);
      if (e.signerCert) bump(cas, e.signerCert.issuer);
      // The leading reason (events list them most important first): the one that explains the verdict; later ones
      // include notes such as signature-valid that would crowd the table.
      if (e.verdict !== 'trusted' && e.reasons.length) bump(reasons, e.reasons[0]);
    } else if (POLICY.has(e.event)) {
      if (e.rule) bump(rules, e.rule);
      for (const r of new Set(e.reasons)) bump(reasons, r);
    }
  }
  const perDay: DayRow[] = [];
  if (days.size) {
    const keys = [...days.keys()].sort();
    const end = Date.parse(`${keys[keys.length - 1]}T00:00:00Z`);
    const start = Math.max(Date.parse(`${keys[0]}T00:00:00Z`), end - (maxDays - 1) * DAY_MS);
    for (let d = start; d <= end; d += DAY_MS) {
      const day = new Date(d).toISOString().slice(0, 10);
      perDay.push({ day, verdicts: days.get(day) ?? {} });
    }
  }
  const severities: Partial<Record<AuditSeverity, number>> = {};
  for (const s of AUDIT_SEVERITIES) if (bySeverity.has(s)) severities[s] = bySeverity.get(s);
  const report: AuditReport = {
    events: count,
    messages,
    byEvent: Object.fromEntries([...byEvent].sort()) as AuditReport['byEvent'],
    bySeverity: severities,
    verdicts: table(verdicts, top),
    rules: table(rules, top),
    senderDomains: table(domains, top),
    signerCAs: table(cas, top),
    reasons: table(reasons, top),
    perDay,
  };
  if (o.since) report.since = o.since;
  if (o.until) report.until = o.until;
  if (first) report.first = first;
  if (last) report.last = last;
  return report;
}

/** The report as plain text for a terminal (the CLI without --json). */
export function reportText(r: AuditReport): string {
  const out: string[] = [];
  const period = r.first ? `${r.since ?? r.first} to ${r.until ?? r.last}` : r.since ? `since ${r.since}` : 'all time';
  out.push(`Audit report, ${period}: ${r.events} events, ${r.messages} received messages checked`);
  const section = (title: string, t: CountTable) => {
    out.push('', `${title}:`);
    if (!t.rows.length) out.push('  (none)');
    const width = Math.max(...t.rows.map((x) => String(x.count).length), 1);
    // Keys are sender-chosen (domains) or CA-chosen (issuer names): control and bidi characters written out.
    for (const row of t.rows) out.push(`  ${String(row.count).padStart(width)}  ${visibleText(row.key)}`);
    if (t.otherKeys) out.push(`  ${String(t.otherCount).padStart(width)}  (${t.otherKeys} others)`);
  };
  section('Verdicts', r.verdicts);
  section('Rules', r.rules);
  section('Sender domains', r.senderDomains);
  section('Signer CAs', r.signerCAs);
  section('Top reasons', r.reasons);
  const ev = Object.entries(r.byEvent);
  out.push('', 'Events:');
  if (!ev.length) out.push('  (none)');
  for (const [k, n] of ev) out.push(`  ${n}  ${k}`);
  return out.join('\n') + '\n';
}

/**
 * Audit events in Elastic Common Schema (ECS) JSON: the one mapping, used by `smime-addin audit --format ecs`,
 * the HTTPS forwarder and syslog when policy says audit.format "ecs". Nested objects (the form Elasticsearch
 * stores as _source), fields only when the event has them. The table of which field goes where is in
 * docs/administrators.md; keep them together.
 *
 * Choices where ECS leaves room:
 * - event.severity is the syslog severity code (2 critical … 6 info; lower is more severe), as ECS suggests for a
 *   source without its own numeric scale, and log.syslog.severity carries the same; log.level the name.
 * - The signer's certificate goes to file.x509.* and its SHA-256 to file.hash.sha256 (and related.hash): ECS has
 *   no top-level x509 and names file.x509 for "S/MIME information in email bodies" (x509 field set description).
 * - event.kind is "alert" for policy.violation, send.blocked and send.overridden (what a SOC acts on), "event"
 *   otherwise; event.category "email" (identity.health: "configuration").
 * - What ECS has no field for is under smime.* (verdict word, reason codes, operation, recipient count and domains,
 *   inbound action): ECS reserves no such namespace, and custom fields belong in one of their own.
 */
import { SYSLOG_SEVERITY, type AuditEvent, type AuditEventName } from './event';

/** The ECS version the mapping follows (field names checked against elastic/ecs schemas). */
export const ECS_VERSION = '8.17.0';

const ALERTS: ReadonlySet<AuditEventName> = new Set(['policy.violation', 'send.blocked', 'send.overridden']);

/** success / failure / unknown, from the event's point of view (did what it describes succeed?). */
export function ecsOutcome(e: Pick<AuditEvent, 'event' | 'verdict'>): 'success' | 'failure' | 'unknown' {
  switch (e.event) {
    case 'message.verified':
    case 'message.decrypted':
      return e.verdict === 'trusted' ? 'success' : e.verdict === 'unsigned' ? 'unknown' : 'failure';
    case 'message.signed':
    case 'message.encrypted':
    case 'identity.health':
      return e.verdict === 'ok' ? 'success' : 'failure';
    case 'policy.violation':
    case 'send.blocked':
      return 'failure';
    case 'send.prompted':
      return 'unknown';
    case 'send.overridden':
      return 'success';
  }
}

function ecsType(e: AuditEvent): string[] {
  if (e.event === 'send.blocked') return ['denied'];
  if (e.event === 'send.overridden') return ['allowed'];
  return ['info'];
}

function direction(e: AuditEvent): 'inbound' | 'outbound' | undefined {
  switch (e.event) {
    case 'message.verified':
    case 'message.decrypted':
    case 'policy.violation':
      return 'inbound';
    case 'identity.health':
      return undefined;
    default:
      return 'outbound';
  }
}

/** The common name(s) of a DN as the verdict writes it (RFC 4514: "CN=Alice,O=Example"), for x509.*.common_name. */
function commonNames(dn: string): string[] {
  const out: string[] = [];
  // RFC 4514 escapes a comma inside a value as "\,": split only on unescaped commas.
  let cur = '';
  const parts: string[] = [];
  for (let i = 0; i < dn.length; i++) {
    const c = dn[i];
    if (c === '\\' && i + 1 < dn.length) {
      cur += c + dn[i + 1];
      i++;
    } else if (c === ',') {
      parts.push(cur);
      cur = '';
    } else cur += c;
  }
  parts.push(cur);
  for (const p of parts) {
    const t = p.trim();
    if (t.toUpperCase().startsWith('CN=')) out.push(t.slice(3).replace(/\\(.)/g, '$1'));
  }
  return out;
}

function domainOf(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  return at >= 0 && at < address.length - 1 ? address.slice(at + 1) : undefined;
}

export type EcsDocument = Record<string, unknown>;

/** One audit event as an ECS document. */
export function toEcs(e: AuditEvent): EcsDocument {
  const sev = SYSLOG_SEVERITY[e.severity];
  const event: Record<string, unknown> = {
    id: e.id,
    kind: ALERTS.has(e.event) ? 'alert' : 'event',
    category: [e.event === 'identity.health' ? 'configuration' : 'email'],
    type: ecsType(e),
    action: e.event,
    outcome: ecsOutcome(e),
    severity: sev,
    module: 'smime_addin',
    dataset: 'smime_addin.audit',
  };
  if (e.host) event.provider = e.host;
  if (e.reasons.length) event.reason = e.reasons[0];
  const doc: EcsDocument = {
    '@timestamp': e.time,
    ecs: { version: ECS_VERSION },
    event,
    log: { level: e.severity, syslog: { severity: { code: sev, name: e.severity } } },
    observer: { product: 'smime-addin', vendor: 'smime-addin', type: 'mail-client' },
  };
  const email: Record<string, unknown> = {};
  const dir = direction(e);
  if (dir) email.direction = dir;
  if (e.from.length) email.from = { address: [...e.from] };
  if (e.messageId) email.message_id = e.messageId;
  if (e.subject !== undefined) email.subject = e.subject;
  if (Object.keys(email).length) doc.email = email;
  if (e.signer || e.signerCert) {
    const file: Record<string, unknown> = {};
    if (e.signer) file.hash = { sha256: e.signer.replace(/:/g, '').toLowerCase() };
    if (e.signerCert) {
      const c = e.signerCert;
      file.x509 = {
        subject: { distinguished_name: c.subject, common_name: commonNames(c.subject) },
        issuer: { distinguished_name: c.issuer, common_name: commonNames(c.issuer) },
        serial_number: c.serial,
        not_before: c.notBefore,
        not_after: c.notAfter,
      };
    }
    doc.file = file;
  }
  if (e.rule) doc.rule = { name: e.rule, ruleset: 'smime-addin policy' };
  const related: Record<string, string[]> = {};
  if (e.signer) related.hash = [e.signer.replace(/:/g, '').toLowerCase()];
  const hosts = new Set<string>();
  for (const a of e.from) {
    const d = domainOf(a);
    if (d) hosts.add(d);
  }
  for (const d of e.recipientDomains ?? []) hosts.add(d);
  if (hosts.size) related.hosts = [...hosts];
  if (Object.keys(related).length) doc.related = related;
  const smime: Record<string, unknown> = { verdict: e.verdict, operation: e.op, reasons: [...e.reasons] };
  if (e.recipients !== undefined) smime.recipients = e.recipients;
  if (e.recipientDomains?.length) smime.recipient_domains = [...e.recipientDomains];
  if (e.action) smime.action = e.action;
  doc.smime = smime;
  return doc;
}

/** ECS JSON Lines, one document per line. */
export function toEcsJsonLines(events: AuditEvent[]): string {
  return events.map((e) => JSON.stringify(toEcs(e))).join('\n') + (events.length ? '\n' : '');
}

/**
 * Audit events: one per verify, decrypt, sign and encrypt, and one per policy decision (a violation on receive,
 * a send blocked, prompted or overridden, the health of the user's own certificate). What a security team needs
 * to see what the add-in decided — time, a stable event name, a severity, message id, sender addresses, verdict,
 * reason codes, the rule, the signer's certificate (names, serial, validity, fingerprint) — and never content,
 * keys or passwords. The subject is content too: it is recorded only when policy says so (audit.includeSubject,
 * off by default). Events are plain JSON (they go to IndexedDB, files, an HTTPS endpoint and syslog).
 *
 * Compatibility: records written before `event` and `severity` existed are read through readAuditEvent, which
 * derives both from `op` and `verdict` the same way new events get them, so old logs, queues and exports keep
 * working and report alongside new ones.
 */
import type { ReasonCode, Verdict } from '../verdict';

/**
 * What the add-in did. 'policy': an organisation rule acted (src/policy/inbound.ts, outbound.ts): an inbound
 * action on a violation, or a send blocked, prompted or overridden. 'identity': a check of the user's own certificate.
 */
export type AuditOperation = 'verify' | 'decrypt' | 'sign' | 'encrypt' | 'policy' | 'identity';
export const AUDIT_OPERATIONS: readonly AuditOperation[] = ['verify', 'decrypt', 'sign', 'encrypt', 'policy', 'identity'];
export type AuditHost = 'cli' | 'outlook' | 'thunderbird';

/**
 * Stable event names (a contract for SIEM rules: never rename one, add new ones here and in the docs table):
 * - message.verified   a received message's signature was checked (any verdict)
 * - message.decrypted  a received message was decrypted (and its inner signature checked)
 * - message.signed     the user signed a message (ok or failed)
 * - message.encrypted  the user encrypted a message (ok or failed)
 * - policy.violation   a received message breaks a policy rule (e.g. inbound.requireSignedFrom)
 * - send.blocked       a send was refused by an outbound rule
 * - send.prompted      the user was warned by an outbound rule before sending
 * - send.overridden    the user sent anyway after such a warning
 * - identity.health    the user's own certificate: expiring, expired, revoked (or healthy again)
 */
export const AUDIT_EVENT_NAMES = [
  'message.verified',
  'message.decrypted',
  'message.signed',
  'message.encrypted',
  'policy.violation',
  'send.blocked',
  'send.prompted',
  'send.overridden',
  'identity.health',
] as const;
export type AuditEventName = (typeof AUDIT_EVENT_NAMES)[number];

/**
 * Severities, the RFC 5424 syslog names (their numeric codes are SYSLOG_SEVERITY; lower is more severe).
 * Defaults: see defaultSeverity.
 */
export const AUDIT_SEVERITIES = ['critical', 'error', 'warning', 'notice', 'info'] as const;
export type AuditSeverity = (typeof AUDIT_SEVERITIES)[number];
export const SYSLOG_SEVERITY: Record<AuditSeverity, number> = { critical: 2, error: 3, warning: 4, notice: 5, info: 6 };

/** What a rule did: refused a send, asked the user, the user sent anyway, or an inbound action on a violation. */
export type PolicyAction = 'block' | 'prompt' | 'override' | 'flag' | 'tag' | 'quarantine';

/** The signer's (or, for identity.health, the user's own) certificate, without the key. */
export interface AuditCertificate {
  /** Distinguished names as the verdict shows them (RFC 4514). */
  subject: string;
  issuer: string;
  /** Hex, upper-case, no separators (the form ECS x509.serial_number asks for). */
  serial: string;
  /** ISO 8601. */
  notBefore: string;
  notAfter: string;
}

export interface AuditEvent {
  /** Unique per event (random, 128 bits hex): receivers de-duplicate retried batches by it. */
  id: string;
  /** ISO 8601. */
  time: string;
  /** The stable event name (see AUDIT_EVENT_NAMES). */
  event: AuditEventName;
  severity: AuditSeverity;
  op: AuditOperation;
  host?: AuditHost;
  messageId?: string;
  /** Sender addresses (From), lower-cased. */
  from: string[];
  /**
   * verify/decrypt: the verdict word; sign/encrypt: 'ok' or 'failed'; policy (policy.violation, send.*): the
   * action (PolicyAction); identity.health: 'ok', 'expiring', 'expired' or 'revoked'.
   */
  verdict: string;
  /**
   * Reason codes, most important first (no messages: they can quote names from the message). verify/decrypt:
   * ReasonCodes; sign/encrypt failures: the operation's error code (a ReasonCode, or e.g. 'no-recipient').
   */
  reasons: string[];
  /** SHA-256 fingerprint of the (first) signer's certificate, "AB:CD:…". */
  signer?: string;
  /** The same certificate's names, serial and validity (for SIEM rules on the issuing CA). */
  signerCert?: AuditCertificate;
  /** encrypt: the number of recipients (not their addresses). */
  recipients?: number;
  /** send.*: the recipients' domains the rule was about (lower-cased; never the addresses). */
  recipientDomains?: string[];
  /** policy.violation, send.*: the policy field of the rule, e.g. "inbound.requireSignedFrom". */
  rule?: string;
  /** policy.violation, send.*: what the rule did. */
  action?: PolicyAction;
  /** Only when policy sets audit.includeSubject (content: off by default). */
  subject?: string;
}

const MAX_REASONS = 32;
const MAX_ADDRESSES = 20;
const MAX_FIELD = 512;

function clip(s: string | undefined): string | undefined {
  return s === undefined ? undefined : s.slice(0, MAX_FIELD);
}

function addresses(a: readonly string[] | undefined): string[] {
  return (a ?? []).slice(0, MAX_ADDRESSES).map((x) => x.toLowerCase().slice(0, MAX_FIELD));
}

export function newEventId(): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * The default severity of an event, from its name and verdict. Violations of a receive rule are critical (mail
 * claiming to come from a domain that always signs, unsigned or badly signed, is the attack the rule exists for);
 * a broken signature is an error; an untrusted one, a block or an override a warning; the rest informational.
 */
export function defaultSeverity(event: AuditEventName, verdict: string): AuditSeverity {
  switch (event) {
    case 'policy.violation':
      return 'critical';
    case 'message.verified':
    case 'message.decrypted':
      return verdict === 'invalid' ? 'error' : verdict === 'untrusted' || verdict === 'error' ? 'warning' : 'info';
    case 'message.signed':
    case 'message.encrypted':
      return verdict === 'ok' ? 'info' : 'warning';
    case 'send.blocked':
    case 'send.overridden':
      return 'warning';
    case 'send.prompted':
      return 'notice';
    case 'identity.health':
      return verdict === 'ok' ? 'info' : verdict === 'expiring' ? 'warning' : 'error';
  }
}

/** The event name a record without one (written before names existed) gets: from its operation (and action). */
function nameForOp(op: AuditOperation, verdict: string): AuditEventName {
  switch (op) {
    case 'verify':
      return 'message.verified';
    case 'decrypt':
      return 'message.decrypted';
    case 'sign':
      return 'message.signed';
    case 'encrypt':
      return 'message.encrypted';
    case 'policy':
      return verdict === 'block' ? 'send.blocked' : verdict === 'prompt' ? 'send.prompted' : verdict === 'override' ? 'send.overridden' : 'policy.violation';
    case 'identity':
      return 'identity.health';
  }
}

function certOf(c: { subject: string; issuer: string; serialNumber: string; notBefore: string; notAfter: string }): AuditCertificate {
  return { subject: c.subject.slice(0, MAX_FIELD), issuer: c.issuer.slice(0, MAX_FIELD), serial: c.serialNumber.slice(0, 128), notBefore: c.notBefore, notAfter: c.notAfter };
}

export interface AuditEventOptions {
  host?: AuditHost;
  now?: Date;
  /** Record the subject (only when policy's audit.includeSubject is true; the recorders strip it otherwise). */
  includeSubject?: boolean;
  /** Overrides the derived severity. */
  severity?: AuditSeverity;
}

/**
 * The event for a verify (or decrypt, which also yields a Verdict): message.verified / message.decrypted, whatever
 * the verdict. A broken inbound rule is a second event, policy.violation (auditEventForInbound), so verdict counts
 * and alert counts stay separate.
 */
export function auditEventFromVerdict(v: Verdict, op: 'verify' | 'decrypt' = 'verify', opts: AuditEventOptions = {}): AuditEvent {
  const reasons = v.reasons.slice(0, MAX_REASONS).map((r) => r.code);
  const event = nameForOp(op, v.verdict);
  const ev: AuditEvent = {
    id: newEventId(),
    time: (opts.now ?? new Date()).toISOString(),
    event,
    severity: opts.severity ?? defaultSeverity(event, v.verdict),
    op,
    from: v.from.slice(0, MAX_ADDRESSES).map((a) => a.slice(0, MAX_FIELD)),
    verdict: v.verdict,
    reasons,
  };
  if (opts.host) ev.host = opts.host;
  if (v.messageId) ev.messageId = clip(v.messageId);
  const cert = v.signers[0]?.certificate;
  if (cert?.sha256) ev.signer = cert.sha256;
  if (cert) ev.signerCert = certOf(cert);
  if (opts.includeSubject && v.subject !== undefined) ev.subject = clip(v.subject);
  return ev;
}

/** "AB:CD:…" from a fingerprint in plain hex (an Identity's id), the form audit events and CertificateDetails use. */
export function colonFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}

/** The event for a sign or encrypt done by the user. */
export function auditEventForSend(
  op: 'sign' | 'encrypt',
  o: {
    ok: boolean;
    from?: string[];
    messageId?: string;
    reasons?: string[];
    signer?: string;
    recipients?: number;
    host?: AuditHost;
    now?: Date;
  },
): AuditEvent {
  return auditEvent(op === 'sign' ? 'message.signed' : 'message.encrypted', { ...o, verdict: o.ok ? 'ok' : 'failed' });
}

/**
 * Any event by name: what the rules use for policy.violation, send.blocked/prompted/overridden and
 * identity.health (and auditEventForSend for sign/encrypt). Fields are bounded like every event's.
 */
export function auditEvent(
  event: AuditEventName,
  o: AuditEventOptions & {
    verdict: string;
    op?: AuditOperation;
    from?: readonly string[];
    messageId?: string;
    reasons?: readonly string[];
    signer?: string;
    signerCert?: AuditCertificate;
    recipients?: number;
    recipientDomains?: readonly string[];
    rule?: string;
    action?: PolicyAction;
    subject?: string;
  },
): AuditEvent {
  const ev: AuditEvent = {
    id: newEventId(),
    time: (o.now ?? new Date()).toISOString(),
    event,
    severity: o.severity ?? defaultSeverity(event, o.verdict),
    op: o.op ?? OP_OF_EVENT[event],
    from: addresses(o.from),
    verdict: o.verdict.slice(0, 64),
    reasons: (o.reasons ?? []).slice(0, MAX_REASONS).map((r) => r.slice(0, 128)),
  };
  if (o.host) ev.host = o.host;
  if (o.messageId) ev.messageId = clip(o.messageId);
  if (o.signer) ev.signer = o.signer;
  if (o.signerCert) ev.signerCert = { ...o.signerCert };
  if (o.recipients !== undefined) ev.recipients = o.recipients;
  if (o.recipientDomains) ev.recipientDomains = [...new Set(addresses(o.recipientDomains))];
  if (o.rule) ev.rule = clip(o.rule);
  if (o.action) ev.action = o.action;
  if (o.includeSubject && o.subject !== undefined) ev.subject = clip(o.subject);
  return ev;
}

const OP_OF_EVENT: Record<AuditEventName, AuditOperation> = {
  'message.verified': 'verify',
  'message.decrypted': 'decrypt',
  'message.signed': 'sign',
  'message.encrypted': 'encrypt',
  'policy.violation': 'policy',
  'send.blocked': 'policy',
  'send.prompted': 'policy',
  'send.overridden': 'policy',
  'identity.health': 'identity',
};

const EVENT_OF_ACTION: Record<PolicyAction, AuditEventName> = {
  block: 'send.blocked',
  prompt: 'send.prompted',
  override: 'send.overridden',
  flag: 'policy.violation',
  tag: 'policy.violation',
  quarantine: 'policy.violation',
};

/**
 * The event for an organisation rule acting: who (From), which rule, what it did, recipient domains; never
 * content or recipient addresses. `verdict` is the action, `reasons` the reason or rule codes. The name follows
 * the action: block/prompt/override → send.*, flag/tag/quarantine → policy.violation.
 */
export function auditEventForPolicy(o: {
  rule: string;
  action: PolicyAction;
  from?: string[];
  recipientDomains?: string[];
  messageId?: string;
  reasons?: string[];
  signer?: string;
  signerCert?: AuditCertificate;
  host?: AuditHost;
  now?: Date;
  severity?: AuditSeverity;
}): AuditEvent {
  return auditEvent(EVENT_OF_ACTION[o.action], { ...o, op: 'policy', verdict: o.action });
}

/**
 * The event for an inbound rule acting on a received message (policy/inbound.ts needsInboundAction): a From in
 * inbound.requireSignedFrom that is not signed and trusted, or an invalid signature from anyone. `action` is what
 * the host did about it (inbound.action, or 'flag' where it can do no more).
 */
export function auditEventForInbound(
  v: Verdict,
  action: Extract<PolicyAction, 'flag' | 'tag' | 'quarantine'>,
  opts: AuditEventOptions = {},
): AuditEvent {
  const codes = v.reasons.map((r) => r.code as string);
  const violation = codes.some((c) => c === 'policy-unsigned-internal' || c === 'policy-untrusted-internal');
  const cert = v.signers[0]?.certificate;
  return auditEvent('policy.violation', {
    ...opts,
    op: 'policy',
    verdict: action,
    action,
    rule: violation ? 'inbound.requireSignedFrom' : 'inbound.invalidSignature',
    from: v.from,
    messageId: v.messageId,
    reasons: codes,
    signer: cert?.sha256,
    signerCert: cert ? certOf(cert) : undefined,
    subject: v.subject,
  });
}

/** The form an event is stored and sent in under a policy: without the subject unless policy allows it. */
export function applyAuditPolicy(e: AuditEvent, audit: { includeSubject: boolean }): AuditEvent {
  if (e.subject === undefined || audit.includeSubject) return e;
  const { subject: _dropped, ...rest } = e;
  return rest;
}

/** Checks that a value read back from storage or a file is an AuditEvent (storage can be corrupted). */
export function isAuditEvent(x: unknown): x is AuditEvent {
  return readAuditEvent(x) !== undefined;
}

/**
 * A stored value as an AuditEvent, or undefined when it is not one. Records from before event names and
 * severities get them derived from `op` and `verdict` (the same rule new events follow); an unknown name or
 * severity (from a newer version) is kept as the derived one rather than dropping the record.
 */
export function readAuditEvent(x: unknown): AuditEvent | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const e = x as Record<string, unknown>;
  if (
    !(
      typeof e.id === 'string' &&
      typeof e.time === 'string' &&
      AUDIT_OPERATIONS.includes(e.op as AuditOperation) &&
      Array.isArray(e.from) &&
      typeof e.verdict === 'string' &&
      Array.isArray(e.reasons)
    )
  )
    return undefined;
  const ev = x as AuditEvent;
  const event = (AUDIT_EVENT_NAMES as readonly unknown[]).includes(e.event) ? ev.event : nameForOp(ev.op, ev.verdict);
  const severity = (AUDIT_SEVERITIES as readonly unknown[]).includes(e.severity) ? ev.severity : defaultSeverity(event, ev.verdict);
  return event === e.event && severity === e.severity ? ev : { ...ev, event, severity };
}

/** The events among stored values (see readAuditEvent), in order. */
export function readAuditEvents(xs: readonly unknown[]): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (const x of xs) {
    const e = readAuditEvent(x);
    if (e) out.push(e);
  }
  return out;
}

export interface AuditFilter {
  op?: AuditOperation | AuditOperation[];
  event?: AuditEventName | AuditEventName[];
  /** This severity or a more severe one. */
  minSeverity?: AuditSeverity;
  verdict?: string | string[];
  /** Inclusive ISO times. */
  since?: string;
  until?: string;
  /** Substring of a From address, case-insensitive. */
  from?: string;
  /** An event with this reason code. */
  reason?: ReasonCode;
  /** Newest first, at most this many. */
  limit?: number;
}

export function matchesFilter(e: AuditEvent, f: AuditFilter): boolean {
  const ops = f.op === undefined ? undefined : Array.isArray(f.op) ? f.op : [f.op];
  if (ops && !ops.includes(e.op)) return false;
  const names = f.event === undefined ? undefined : Array.isArray(f.event) ? f.event : [f.event];
  if (names && !names.includes(e.event)) return false;
  if (f.minSeverity && SYSLOG_SEVERITY[e.severity] > SYSLOG_SEVERITY[f.minSeverity]) return false;
  const vs = f.verdict === undefined ? undefined : Array.isArray(f.verdict) ? f.verdict : [f.verdict];
  if (vs && !vs.includes(e.verdict)) return false;
  if (f.since && e.time < f.since) return false;
  if (f.until && e.time > f.until) return false;
  if (f.from) {
    const needle = f.from.toLowerCase();
    if (!e.from.some((a) => a.includes(needle))) return false;
  }
  if (f.reason && !e.reasons.includes(f.reason)) return false;
  return true;
}

/** Applies a filter to events in time order; returns newest first. */
export function filterEvents(events: AuditEvent[], f: AuditFilter = {}): AuditEvent[] {
  const out: AuditEvent[] = [];
  for (let i = events.length - 1; i >= 0; i--) {
    if (matchesFilter(events[i], f)) out.push(events[i]);
    if (f.limit !== undefined && out.length >= f.limit) break;
  }
  return out;
}

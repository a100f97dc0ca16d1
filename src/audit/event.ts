/**
 * Audit events: one per verify, decrypt, sign and encrypt. What a security team needs to see what the add-in
 * decided — time, operation, message id, sender addresses, verdict, reason codes, signer fingerprint — and
 * never content, subjects, keys or passwords. Events are plain JSON (they go to IndexedDB, files and a SIEM).
 */
import type { ReasonCode, Verdict } from '../verdict';

export type AuditOperation = 'verify' | 'decrypt' | 'sign' | 'encrypt';
export type AuditHost = 'cli' | 'outlook' | 'thunderbird';

export interface AuditEvent {
  /** Unique per event (random, 128 bits hex): receivers de-duplicate retried batches by it. */
  id: string;
  /** ISO 8601. */
  time: string;
  op: AuditOperation;
  host?: AuditHost;
  messageId?: string;
  /** Sender addresses (From), lower-cased. */
  from: string[];
  /** verify/decrypt: the verdict word; sign/encrypt: 'ok' or 'failed'. */
  verdict: string;
  /**
   * Reason codes, most important first (no messages: they can quote names from the message). verify/decrypt:
   * ReasonCodes; sign/encrypt failures: the operation's error code (a ReasonCode, or e.g. 'no-recipient').
   */
  reasons: string[];
  /** SHA-256 fingerprint of the (first) signer's certificate, "AB:CD:…". */
  signer?: string;
  /** encrypt: the number of recipients (not their addresses). */
  recipients?: number;
}

const MAX_REASONS = 32;
const MAX_ADDRESSES = 20;
const MAX_FIELD = 512;

function clip(s: string | undefined): string | undefined {
  return s === undefined ? undefined : s.slice(0, MAX_FIELD);
}

export function newEventId(): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** The event for a verify (or decrypt, which also yields a Verdict). */
export function auditEventFromVerdict(
  v: Verdict,
  op: 'verify' | 'decrypt' = 'verify',
  opts: { host?: AuditHost; now?: Date } = {},
): AuditEvent {
  const ev: AuditEvent = {
    id: newEventId(),
    time: (opts.now ?? new Date()).toISOString(),
    op,
    from: v.from.slice(0, MAX_ADDRESSES).map((a) => a.slice(0, MAX_FIELD)),
    verdict: v.verdict,
    reasons: v.reasons.slice(0, MAX_REASONS).map((r) => r.code),
  };
  if (opts.host) ev.host = opts.host;
  if (v.messageId) ev.messageId = clip(v.messageId);
  const fp = v.signers[0]?.certificate?.sha256;
  if (fp) ev.signer = fp;
  return ev;
}

/** The event for a sign or encrypt done by the user. */
/** "AB:CD:…" from a fingerprint in plain hex (an Identity's id), the form audit events and CertificateDetails use. */
export function colonFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/../g) ?? []).join(':');
}

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
  const ev: AuditEvent = {
    id: newEventId(),
    time: (o.now ?? new Date()).toISOString(),
    op,
    from: (o.from ?? []).slice(0, MAX_ADDRESSES).map((a) => a.toLowerCase().slice(0, MAX_FIELD)),
    verdict: o.ok ? 'ok' : 'failed',
    reasons: (o.reasons ?? []).slice(0, MAX_REASONS),
  };
  if (o.host) ev.host = o.host;
  if (o.messageId) ev.messageId = clip(o.messageId);
  if (o.signer) ev.signer = o.signer;
  if (o.recipients !== undefined) ev.recipients = o.recipients;
  return ev;
}

/** Checks that a value read back from storage or a file is an AuditEvent (storage can be corrupted). */
export function isAuditEvent(x: unknown): x is AuditEvent {
  if (typeof x !== 'object' || x === null) return false;
  const e = x as Record<string, unknown>;
  return (
    typeof e.id === 'string' &&
    typeof e.time === 'string' &&
    (e.op === 'verify' || e.op === 'decrypt' || e.op === 'sign' || e.op === 'encrypt') &&
    Array.isArray(e.from) &&
    typeof e.verdict === 'string' &&
    Array.isArray(e.reasons)
  );
}

export interface AuditFilter {
  op?: AuditOperation | AuditOperation[];
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

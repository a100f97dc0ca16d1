/**
 * Header protection on the receiving side (RFC 9788): one assessment per message, from the cryptographic payload
 * that verify-message.ts found after unwrapping every layer.
 *
 * - payload.ts: does the payload declare header protection (hp="clear" / hp="cipher"), or is it the RFC 8551 §3.1
 *   message/rfc822 form;
 * - fields.ts: the protected fields and HP-Outer records of the payload's own header block;
 * - outer-compare.ts: which outer fields are not what was protected (header-from-changed, header-changed);
 * - legacy-display.ts: the decorative copies a host hides from the body it shows.
 *
 * Messages without header protection get the info reason headers-unprotected, naming the visible fields the
 * signature does not cover.
 */
import { getHeaders, parseAddressList } from '../mime';
import type { MimeEntity } from '../mime/types';
import type { HeaderFieldStatus, HeaderProtection, Reason } from '../verdict';
import { noHeaderProtection, reason } from '../verdict';
import { headerSets, normalized, shown, valuesOf } from './fields';
import { legacyDisplayParts } from './legacy-display';
import { TRUST_BLOCKING, compareOuter } from './outer-compare';
import { identifyPayload } from './payload';

export { stripLegacyDisplay, hasLegacyDisplay } from './legacy-display';

/**
 * Does the verdict carry a header change that keeps it from "trusted" (the From, or a field in TRUST_BLOCKING)?
 * For rules that would raise a verdict afterwards (the policy's senderMatch "warn"): none may forgive this.
 */
export function headerChangeBlocksTrust(v: { headerProtection?: HeaderProtection }): boolean {
  return (v.headerProtection?.changed ?? []).some((c) => c.field === 'from' || TRUST_BLOCKING.has(c.field));
}

export interface HeaderProtectionInput {
  /** The message as received: its root's header block is the outer header section. */
  outer: MimeEntity;
  /** The cryptographic payload, when the whole message is one cryptographic envelope and it could be opened. */
  payload?: MimeEntity;
  /** A layer that provides encryption was opened on the way to the payload. */
  encrypted: boolean;
  /** At least one signed layer was found. */
  signed: boolean;
  /** Every signature on the way checked out (the verdict's signature is 'valid'). */
  signatureValid: boolean;
}

export interface HeaderProtectionAssessment {
  headerProtection: HeaderProtection;
  reasons: Reason[];
  /** The protected From / Sender / Reply-To values (raw) for the sender binding, when protected. */
  senderHeaders?: { from: string[]; sender: string[]; replyTo: string[] };
  /** The outer From is not the protected one: never trusted, and the sender is a mismatch for the reader. */
  fromChanged: boolean;
  /** A field the reader sees (Subject, To, Cc, Date) or that steers replies changed: not trusted (docs/users.md). */
  trustBlocked: boolean;
}

const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;

/** The fields a reader sees that a signature without header protection leaves uncovered, in reading order. */
const VISIBLE_UNCOVERED: [string, string][] = [
  ['subject', 'Subject'],
  ['to', 'To'],
  ['cc', 'Cc'],
  ['date', 'Date'],
];

export function assessHeaderProtection(input: HeaderProtectionInput): HeaderProtectionAssessment {
  const none: HeaderProtectionAssessment = { headerProtection: noHeaderProtection(), reasons: [], fromChanged: false, trustBlocked: false };
  const info = input.payload ? identifyPayload(input.payload) : undefined;
  if (!info || info.mode === null) {
    if (input.signed && input.signatureValid) none.reasons.push(unprotectedReason(input.outer));
    return none;
  }

  const { protectedFields, hpOuter } = headerSets(info.headerEntity);
  // HP-Outer belongs to encrypted messages only (§2.2), and the legacy form has none (§4.10.2).
  const records = info.mode === 'cipher' ? hpOuter : [];
  const headers: Record<string, string> = Object.create(null) as Record<string, string>;
  // Keys are field names as sent: only RFC 5322 field names (printable ASCII, no colon) become keys, so no control
  // or bidi character can reach a JSON key or a host's label (defence in depth: the MIME parser keeps none today).
  for (const f of protectedFields) if (FIELD_NAME.test(f.key) && !(f.key in headers)) headers[f.key] = shown(f.value);

  // Integrity needs a valid signature; hp="cipher" without any signature still hides the real headers inside the
  // encryption (encrypted-only, §4.3), so they are shown, but nothing vouches for them.
  const isProtected = input.signed && input.signatureValid;
  const legacyDisplay = input.encrypted && info.mode !== 'legacy-wrapped' ? legacyDisplayParts(info.bodyRoot) : [];
  // §4.3.1 HeaderFieldProtection. refouter: the HP-Outer records, or for the legacy form the actual outer header
  // (§4.10.2); confidentiality only when a layer really encrypted AND the composer meant it (hp="cipher", or the
  // legacy form inside encryption).
  const confidential = input.encrypted && (info.mode === 'cipher' || info.mode === 'legacy-wrapped');
  const refouter = info.mode === 'legacy-wrapped' ? input.outer.headers.map((h) => ({ key: h.key, value: h.value })) : records;
  const fieldStatus: Record<string, HeaderFieldStatus> = Object.create(null) as Record<string, HeaderFieldStatus>;
  const outsideSet = new Set(refouter.map((r) => `${r.key}\u0000${normalized(r.value)}`));
  for (const f of protectedFields) {
    if (!FIELD_NAME.test(f.key) || f.key in fieldStatus) continue;
    const outside = outsideSet.has(`${f.key}\u0000${normalized(f.value)}`);
    fieldStatus[f.key] = confidential && !outside ? (isProtected ? 'signed-and-encrypted' : 'encrypted-only') : isProtected ? 'signed-only' : 'unprotected';
  }
  const outerRecords: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const r of records) if (FIELD_NAME.test(r.key) && !(r.key in outerRecords)) outerRecords[r.key] = shown(r.value);
  const hp: HeaderProtection = {
    protected: isProtected,
    mode: info.mode,
    headers,
    changed: [],
    legacyDisplay,
    fieldStatus,
    hpOuter: outerRecords,
    addresses: protectedAddresses(protectedFields),
  };
  if (!isProtected) return { headerProtection: hp, reasons: [], fromChanged: false, trustBlocked: false };

  const cmp = compareOuter({ outer: input.outer, mode: info.mode, protectedFields, hpOuter: records, encrypted: input.encrypted });
  hp.changed = cmp.changed;
  const reasons = [...cmp.reasons];
  if (cmp.changed.length === 0) reasons.push(protectedReason(info.mode, headers));
  return {
    headerProtection: hp,
    reasons,
    senderHeaders: {
      from: valuesOf(protectedFields, 'from'),
      sender: valuesOf(protectedFields, 'sender'),
      replyTo: valuesOf(protectedFields, 'reply-to'),
    },
    fromChanged: cmp.fromChanged,
    trustBlocked: cmp.trustBlocked,
  };
}

/** The address fields a reply's recipients can come from (RFC 9788 §4.4.4), read from the raw protected values. */
const ADDRESS_FIELDS = ['from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'mail-followup-to', 'mail-reply-to'];

function protectedAddresses(fields: { key: string; value: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const key of ADDRESS_FIELDS) {
    const values = valuesOf(fields, key);
    if (!values.length) continue;
    out[key] = [...new Set(values.flatMap((v) => parseAddressList(v).addresses.map((m) => m.asciiAddress.toLowerCase())))];
  }
  return out;
}

/** "The signature covers the body, not the Subject, To or Date." */
function unprotectedReason(outer: MimeEntity): Reason {
  const present = VISIBLE_UNCOVERED.filter(([key]) => getHeaders(outer, key).length > 0).map(([, label]) => label);
  const list = present.length === 0 ? "the message's header fields" : `the ${orList(present)}`;
  return reason('headers-unprotected', 'info', `The signature covers the body, not ${list}.`);
}

function protectedReason(mode: 'clear' | 'cipher' | 'legacy-wrapped', headers: Record<string, string>): Reason {
  const covered = ['Subject', 'From', 'To', 'Cc', 'Date'].filter((l) => l.toLowerCase() in headers);
  const what = covered.length ? `the ${andList(covered)} as well as the body` : 'the header fields as well as the body';
  const form = mode === 'legacy-wrapped' ? ' (in the older RFC 8551 form: the whole message wrapped inside the signature)' : '';
  return reason('headers-protected', 'ok', `The signature covers ${what}${form}.`);
}

function orList(items: string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}
function andList(items: string[]): string {
  return items.length === 1 ? items[0] : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/**
 * Outer header vs protected header (RFC 9788 §4.2-§4.4): which fields a reader sees outside the signature are not
 * what the signer protected.
 *
 * The reference each outer field is held against:
 * - hp="clear" (and the legacy form when signed only): the protected value itself; the composer copied every
 *   field out unchanged (§5.2.1), so any difference happened after signing.
 * - hp="cipher": the HP-Outer records, i.e. what the sender deliberately put outside (§2.2). "Subject: [...]" or a
 *   shy "From: alice@example" outside is then expected, not a change; an outer value unlike its record (or a field
 *   the sender put no record of) was changed in transit.
 * - the legacy form with encryption has no records (§4.10.2 infers them from the outer header itself), so the
 *   protected value is the reference and only the hcp_baseline shapes (Subject "[...]", a removed field) pass.
 * The From is also held against the actual outer From by addr-spec (§4.4.1.1), even when an HP-Outer record agrees
 * with the outer one: a reader's mail program shows the outer From.
 *
 * Only fields a reader sees or that steer replies and threads are compared (WATCHED): fields added in transit
 * (Received, List-*, DKIM) are outside every signature by nature (§7) and are left alone.
 */
import { parseAddressList } from '../mime';
import type { MimeEntity } from '../mime/types';
import type { HeaderChange, HeaderProtectionMode, Reason } from '../verdict';
import { reason } from '../verdict';
import { type Field, fieldLabel, normalized, shown, valuesOf } from './fields';

/** Compared even when one side lacks them. */
const WATCHED = ['from', 'sender', 'reply-to', 'mail-followup-to', 'to', 'cc', 'subject', 'date', 'message-id', 'in-reply-to', 'references'];
const ADDRESS_FIELDS = new Set(['from', 'sender', 'reply-to', 'mail-followup-to', 'to', 'cc']);
/**
 * A change to one of these keeps a verdict from being "trusted": the reader sees them in the mail program's own
 * header area, or they decide where a reply goes (decision and reasons in docs/users.md). The From has a code of
 * its own (header-from-changed). Message-ID, In-Reply-To and References only place a message in a thread: a
 * warning, the verdict stands.
 */
export const TRUST_BLOCKING = new Set(['sender', 'reply-to', 'mail-followup-to', 'to', 'cc', 'subject', 'date']);

/** The fixed string hcp_baseline and hcp_shy put outside for the Subject (§3.2.1). */
const OBSCURED_SUBJECT = '[...]';
/** Longest value quoted in a reason sentence; the `changed` entries carry more (fields.ts MAX_SHOWN_CHARS). */
const QUOTE_CHARS = 200;

export interface CompareInput {
  outer: MimeEntity;
  mode: 'clear' | 'cipher' | 'legacy-wrapped';
  protectedFields: Field[];
  hpOuter: Field[];
  /** A layer that provides encryption was opened (not what hp says: §2.1.1). */
  encrypted: boolean;
}

export interface Comparison {
  changed: HeaderChange[];
  reasons: Reason[];
  fromChanged: boolean;
  /** A TRUST_BLOCKING field changed. */
  trustBlocked: boolean;
}

export function compareOuter(input: CompareInput): Comparison {
  const { outer, mode, protectedFields, hpOuter, encrypted } = input;
  const outerFields: Field[] = outer.headers.map((h) => ({ key: h.key, value: h.value }));
  const byRecord = mode === 'cipher';
  const changed: HeaderChange[] = [];
  const reasons: Reason[] = [];
  let fromChanged = false;
  let trustBlocked = false;

  for (const key of WATCHED) {
    const out = valuesOf(outerFields, key);
    const prot = valuesOf(protectedFields, key);
    const ref = byRecord ? valuesOf(hpOuter, key) : prot;
    let differs = !sameValues(key, out, ref);
    if (differs && mode === 'legacy-wrapped' && encrypted) differs = !obscuredByBaseline(key, out);
    // §4.4.1.1: the addr-spec of the actual outer From against the protected one, whatever HP-Outer says.
    if (!differs && key === 'from' && prot.length > 0 && addrSpecs(out) !== addrSpecs(prot)) differs = true;
    if (!differs) continue;

    const change: HeaderChange = { field: key, outer: joined(out), protected: joined(prot) };
    if (byRecord) change.recordedOuter = joined(ref);
    changed.push(change);
    if (key === 'from') {
      fromChanged = true;
      reasons.push(reason('header-from-changed', 'error', `${sentence(key, change, byRecord)} Your mail program shows the sender from outside the signature; the signature vouches only for the signed one.`));
    } else {
      if (TRUST_BLOCKING.has(key)) trustBlocked = true;
      reasons.push(reason('header-changed', 'warning', sentence(key, change, byRecord)));
    }
  }
  return { changed, reasons, fromChanged, trustBlocked };
}

function joined(values: string[]): string | null {
  return values.length === 0 ? null : shown(values.join(', '));
}

function quote(v: string): string {
  return `'${v.length > QUOTE_CHARS ? `${v.slice(0, QUOTE_CHARS)}…` : v}'`;
}

/** "The Subject was changed after signing: it was signed as 'Quarterly figures', and now reads 'Urgent: …'." */
function sentence(key: string, c: HeaderChange, byRecord: boolean): string {
  const label = fieldLabel(key);
  const article = /^[aeiou]/i.test(label) ? 'An' : 'A';
  if (byRecord) {
    const signed = c.protected === null ? '' : ` It was signed as ${quote(c.protected)}.`;
    if (c.outer === null) return `The ${label} was removed in transit: the sender put ${quote(c.recordedOuter ?? '')} outside the encryption.${signed}`;
    if (c.recordedOuter === null) return `${article} ${label} was added in transit: it reads ${quote(c.outer)}, and the sender put none outside the encryption.${signed}`;
    return `The ${label} was changed in transit: the sender put ${quote(c.recordedOuter ?? '')} outside the encryption, and it now reads ${quote(c.outer)}.${signed}`;
  }
  if (c.outer === null) return `The ${label} was removed after signing: it was signed as ${quote(c.protected ?? '')}.`;
  if (c.protected === null) return `${article} ${label} was added after signing: it reads ${quote(c.outer)}, and the signature does not cover it.`;
  return `The ${label} was changed after signing: it was signed as ${quote(c.protected)}, and now reads ${quote(c.outer)}.`;
}

function sameValues(key: string, a: string[], b: string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameValue(key, a[i], b[i])) return false;
  return true;
}

function sameValue(key: string, a: string, b: string): boolean {
  if (ADDRESS_FIELDS.has(key)) return mailboxes(a) === mailboxes(b);
  const na = normalized(a);
  const nb = normalized(b);
  if (na === nb) return true;
  // The same instant written in another zone or spacing misleads nobody. Date.parse is linear; the length bound
  // keeps hostile values from reaching it at all.
  if (key === 'date' && na.length < 200 && nb.length < 200) {
    const ta = Date.parse(na);
    return Number.isFinite(ta) && ta === Date.parse(nb);
  }
  return false;
}

/**
 * Mailboxes as the reader sees them: display name (decoded, spaces collapsed), the other comments (Thunderbird
 * shows them with the name) and the lower-cased addr-spec.
 */
function mailboxes(value: string): string {
  const list = parseAddressList(value);
  if (list.addresses.length === 0) return `\u0001${normalized(value)}`;
  const squeeze = (t: string) => t.replace(/[ \t\r\n]+/g, ' ').trim();
  return list.addresses.map((m) => `${squeeze(m.name ?? '')}\u0003${m.comments.filter((c) => c !== m.name).map(squeeze).join('\u0003')}\u0000${m.address}`).join('\u0002');
}

function addrSpecs(values: string[]): string {
  return values
    .flatMap((v) => parseAddressList(v).addresses.map((m) => m.asciiAddress))
    .sort()
    .join(' ');
}

/** What hcp_baseline does to a field outside the encryption: the Subject obscured as "[...]", or the field removed. */
function obscuredByBaseline(key: string, outer: string[]): boolean {
  if (outer.length === 0) return key !== 'from';
  return key === 'subject' && outer.length === 1 && normalized(outer[0]) === OBSCURED_SUBJECT;
}

/**
 * Header Protection for what we send (RFC 9788 §5.2, "Compose"): the message's own header fields are copied into
 * the Cryptographic Payload (the entity the signature or encryption covers), so a reader can check the Subject,
 * From, To, Cc, Date … it sees against the signed ones.
 *
 * - Signed only: every non-structural field is copied into the payload's header block and its Content-Type
 *   gets `hp="clear"`; the outer fields stay as they are (RFC 9788 §5.2.1 step 4).
 * - Encrypted (signed or not): the payload gets `hp="cipher"`. The header confidentiality policy decides what
 *   goes outside (§3.2): `baseline` (hcp_baseline, RFC 9788's recommended default) replaces the Subject with
 *   `[...]` and leaves Comments and Keywords out; `none` (hcp_no_confidentiality) copies everything. Every field
 *   that goes outside is recorded inside as an `HP-Outer` line (§2.2), so the reader can tell "hidden by the
 *   sender" from "changed in transit".
 * - Legacy display element (§5.2.2, §5.2.3): when the policy hid a user-facing field, its real value is written
 *   at the top of each main body part (text/plain: "Subject: …" lines and a blank line; text/html: a
 *   <div class="header-protection-legacy-display"><pre>…</pre></div> first in <body>), and that part is marked
 *   `hp-legacy-display="1"`. Readers that know RFC 9788 hide it; Thunderbird's and Outlook's own S/MIME show the
 *   real Subject there instead of "[...]". Main body parts per RFC 9788 §5.2.4: the root or, through
 *   multipart/alternative every child and through any other multipart the first child, never a part with
 *   Content-Disposition: attachment, only text/plain and text/html.
 *
 * A rewritten body part is re-encoded as UTF-8 (7bit or quoted-printable, compose/entity.ts textEncoding); a part
 * in a charset this platform cannot decode is left without the element (limit: its reader sees "[...]").
 * Trace fields (Received, Return-Path) and relay signatures (DKIM, ARC, Authentication-Results) of a message that
 * was sent before are not the composer's and are not copied in.
 */
import { concat } from '../keys/bytes';
import { decodeBody, parseMime, type MimeEntity } from '../mime';
import { decodeCharset } from '../mime/bytes';
import { decodeEncodedWords } from '../mime/headers';
import { toCrlf } from './canonical';
import { fieldWithParams, mimeParams, textEncoding } from './entity';
import { quotedPrintable } from './base64';
import { formatHeaderLines, isContentField, parseHeaderBlock, splitEntity, type HeaderLine } from './headers';
import { encodeWords } from './build-message';
import type { ReferenceHcpEntry } from '../header-protection/respond';

/** RFC 9788 §3.2: `baseline` = hcp_baseline (the default), `none` = hcp_no_confidentiality. */
export type HeaderConfidentiality = 'baseline' | 'none';
export const HEADER_CONFIDENTIALITY: readonly HeaderConfidentiality[] = ['baseline', 'none'];

export interface HeaderProtectionOptions {
  /** Copy the message's header fields into the signed/encrypted payload (RFC 9788). Default true. */
  headerProtection?: boolean;
  /** Encrypted mail only: which fields are hidden from relays. Default 'baseline'. */
  headerConfidentiality?: HeaderConfidentiality;
  /**
   * Encrypted mail only, for a reply or forward: the single-use HCP of RFC 9788 §6.1.2 (header-protection/respond.ts
   * planResponse), applied to a field the policy leaves as it is, so "Re: <a Subject kept inside>" goes out as
   * "Re: [...]" even under `none`.
   */
  referenceHcp?: ReferenceHcpEntry[];
}

/** The two policy fields (src/policy/schema.ts, same names) as send options, for the hosts and the CLI. */
export function headerProtectionOptions(p: HeaderProtectionOptions): HeaderProtectionOptions {
  return { headerProtection: p.headerProtection, headerConfidentiality: p.headerConfidentiality };
}

/** One sentence for the user after sending: what header protection did to this message. */
export function headerProtectionNote(p: HeaderProtectionOptions, encrypted: boolean): string {
  if (p.headerProtection === false) return 'Header protection is off: the Subject, From and To are not covered by the signature.';
  if (!encrypted) return 'Header protection: the Subject, From, To and Date are signed too.';
  if (p.headerConfidentiality === 'none') return 'Header protection: the Subject, From, To and Date are protected inside; the Subject is still readable by mail servers.';
  return 'Header protection: mail servers see the Subject as "[...]"; recipients see the real one.';
}

const enc = new TextEncoder();
const OBSCURED = '[...]';

/** Fields added on the way (or by a relay), never by the composer: not copied into the payload. */
const TRANSIT = new Set(['received', 'return-path', 'dkim-signature', 'authentication-results', 'arc-seal', 'arc-message-signature', 'arc-authentication-results', 'delivered-to']);

/** hcp(name, value) → the outer value, or null to leave the field out (RFC 9788 §3.1). */
function hcp(policy: HeaderConfidentiality, key: string, value: string): string | null {
  if (policy === 'none') return value;
  if (key === 'subject') return OBSCURED;
  if (key === 'comments' || key === 'keywords') return null;
  return value;
}

/**
 * The policy's HCP, then (where it changed nothing) the reference HCP of a response (§6.1: "If the Header Field's
 * value is changed by that HCP, then the resulting value is used"). Entries match on the decoded value; the value
 * returned is ready for the wire (RFC 2047 encoded when it is not ASCII).
 */
function responseHcp(policy: HeaderConfidentiality, reference: readonly ReferenceHcpEntry[], key: string, value: string): string | null {
  const v = hcp(policy, key, value);
  if (v !== value || !reference.length) return v;
  const decoded = decodeEncodedWords(value).trim();
  const hit = reference.find((r) => r.field === key && r.value.trim() === decoded);
  return hit ? (hit.outer === null ? null : encodeWords(hit.outer, key.length + 2)) : v;
}

/**
 * The Subject as it goes on the wire outside any encryption: itself when the message is not encrypted or header
 * protection is off, else what the HCPs make of it (null: left out). For a host's check that a response does not
 * reveal a Subject its referenced message kept inside (respond.ts wouldReveal).
 */
export function outerSubjectOnWire(subject: string, encrypted: boolean, options: HeaderProtectionOptions): string | null {
  if (!encrypted || options.headerProtection === false) return subject;
  const v = responseHcp(options.headerConfidentiality ?? 'baseline', options.referenceHcp ?? [], 'subject', subject);
  return v === null ? null : decodeEncodedWords(v);
}

/** The field's value as written (folding kept, leading white space after the colon dropped), without CRLF. */
function rawValue(h: HeaderLine): string {
  if (!h.raw) return h.value;
  const text = new TextDecoder('latin1').decode(h.raw).replace(/\r\n$/, '');
  return text.slice(text.indexOf(':') + 1).replace(/^[ \t]+/, '');
}

/** `HP-Outer: Name: value` (RFC 9788 §2.2.1), folded after "HP-Outer:" when the first line would pass 78. */
function hpOuter(h: HeaderLine, value: string): HeaderLine {
  const first = value.split('\r\n')[0];
  const sep = 'HP-Outer: '.length + h.name.length + 2 + first.length > 78 ? '\r\n ' : ' ';
  const text = `HP-Outer:${sep}${h.name}: ${value}\r\n`;
  return { name: 'HP-Outer', key: 'hp-outer', value: `${h.name}: ${value}`, raw: Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff) };
}

/** One line of a legacy display element: decoded (RFC 2047), unfolded, no line breaks or controls (RFC 9788 §10.3). */
function displayLine(h: HeaderLine): string {
  const value = decodeEncodedWords(h.value).replace(/[\x00-\x1f\x7f\u2028\u2029]+/g, ' ').trim();
  return `${h.name}: ${value}`;
}

function escapeHtml(s: string): string {
  return s.replace(/[<>'"&]/g, (c) => ({ '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;', '&': '&amp;' })[c]!);
}

/** Where the <div> goes: right after the <body …> tag; without one after </head> or <html …>; else at the start. */
function htmlInsertAt(html: string): number {
  const lower = html.toLowerCase();
  for (const tag of ['<body', '</head', '<html']) {
    for (let i = lower.indexOf(tag); i >= 0; i = lower.indexOf(tag, i + 1)) {
      const next = lower[i + tag.length];
      if (next !== undefined && !/[\s>/]/.test(next)) continue; // <bodyx> is not <body>
      const close = lower.indexOf('>', i);
      if (close < 0) break; // no '>' after this one: none after a later one either (keeps this linear)
      return close + 1;
    }
  }
  return 0;
}

/** The main body parts (RFC 9788 §5.2.4, RFC 9787 §7.1) that can carry a legacy display element. */
function mainBodyParts(e: MimeEntity, out: MimeEntity[] = []): MimeEntity[] {
  if (e.contentType.type === 'multipart') {
    if (e.contentType.subtype === 'alternative') for (const c of e.children) mainBodyParts(c, out);
    else if (e.children[0]) mainBodyParts(e.children[0], out);
    return out;
  }
  const disposition = e.headers.find((h) => h.key === 'content-disposition')?.value.split(';')[0].trim().toLowerCase();
  if ((e.contentType.mediaType === 'text/plain' || e.contentType.mediaType === 'text/html') && disposition !== 'attachment') out.push(e);
  return out;
}

/** A main body part with the element at its top, UTF-8, and `hp-legacy-display="1"`; undefined when it cannot be decoded. */
function withLegacyDisplay(e: MimeEntity, lines: string[]): Uint8Array | undefined {
  const decoded = decodeCharset(decodeBody(e), e.contentType.params.charset ?? 'us-ascii');
  if (!decoded.known) return undefined;
  let text = decoded.text;
  if (e.contentType.subtype === 'html') {
    const div = `<div class="header-protection-legacy-display">\r\n<pre>${lines.map(escapeHtml).join('\r\n')}</pre></div>\r\n`;
    const at = htmlInsertAt(text);
    text = `${text.slice(0, at)}${at ? '\r\n' : ''}${div}${text.slice(at)}`;
  } else {
    text = `${lines.join('\r\n')}\r\n\r\n${text}`;
  }
  const body = toCrlf(enc.encode(text));
  const cte = textEncoding(body);
  const params = Object.entries(e.contentType.params)
    .filter(([k]) => k !== 'charset' && k !== 'hp-legacy-display' && k !== 'hp')
    .flatMap(([k, v]) => mimeParams(k, v));
  const kept = parseHeaderBlock(e.source.subarray(e.start, e.headerEnd)).filter((h) => h.key !== 'content-type' && h.key !== 'content-transfer-encoding');
  const head = `${fieldWithParams('Content-Type', e.contentType.mediaType, [...params, 'charset=utf-8', 'hp-legacy-display="1"'])}\r\nContent-Transfer-Encoding: ${cte}\r\n`;
  return concat([formatHeaderLines(kept), enc.encode(head + '\r\n'), cte === '7bit' ? body : quotedPrintable(body)]);
}

/** The payload with legacy display elements in its main body parts (the entity itself when none can be added). */
function addLegacyDisplay(inner: Uint8Array, lines: string[]): Uint8Array {
  const parsed = parseMime(inner, { maxBytes: Math.max(inner.length, 1) });
  if (!parsed.ok) return inner;
  const parts = mainBodyParts(parsed.root).sort((a, b) => a.start - b.start);
  const pieces: Uint8Array[] = [];
  let at = 0;
  for (const p of parts) {
    const replaced = withLegacyDisplay(p, lines);
    if (!replaced) continue;
    pieces.push(inner.subarray(at, p.start), replaced);
    at = p.end;
  }
  if (!pieces.length) return inner;
  pieces.push(inner.subarray(at));
  return concat(pieces);
}

/** The payload's Content-Type with `hp="clear"` or `hp="cipher"` (any hp it already had replaced). */
function withHp(h: HeaderLine, mode: 'clear' | 'cipher'): HeaderLine {
  let value = rawValue(h).replace(/;[ \t]*hp[ \t]*=[ \t]*(?:"[^"\r\n]*"|[^;\s]*)/gi, '');
  let end = value.length;
  while (end > 0 && /[;\s]/.test(value[end - 1])) end--; // "text/plain;" must not become "text/plain;;"
  value = value.slice(0, end);
  const text = `${h.name}: ${value};\r\n hp="${mode}"\r\n`;
  return { name: h.name, key: h.key, value: text.slice(h.name.length + 1).trim(), raw: Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff) };
}

/**
 * RFC 9788 Compose: the outer fields that go on the wire and the payload entity to sign or encrypt.
 * `outer` are the message's fields outside the body (compose/headers.ts splitMessage), `inner` the body entity.
 * A body without message fields (a bare entity the caller will add fields to) is returned as it is: nothing to protect.
 */
export function protectHeaders(
  outer: HeaderLine[],
  inner: Uint8Array,
  mode: 'clear' | 'cipher',
  policy: HeaderConfidentiality = 'baseline',
  reference: readonly ReferenceHcpEntry[] = [],
): { outer: HeaderLine[]; inner: Uint8Array } {
  const fields = outer.filter((h) => !TRANSIT.has(h.key) && h.key !== 'hp-outer' && !h.key.startsWith('x-mozilla-'));
  if (!fields.length) return { outer, inner };
  let newOuter = outer;
  const records: HeaderLine[] = [];
  let payload = inner;
  if (mode === 'cipher') {
    newOuter = [];
    const hidden: HeaderLine[] = [];
    for (const h of outer) {
      const composer = fields.includes(h);
      const v = composer ? responseHcp(policy, reference, h.key, h.value) : h.value;
      if (v === h.value) {
        newOuter.push(h);
        if (composer) records.push(hpOuter(h, rawValue(h)));
        continue;
      }
      hidden.push(h);
      if (v === null) continue;
      newOuter.push({ name: h.name, key: h.key, value: v, raw: undefined });
      records.push(hpOuter(h, v));
    }
    if (hidden.length) payload = addLegacyDisplay(inner, hidden.map(displayLine));
  }
  const { header, body } = splitEntity(payload);
  const content = parseHeaderBlock(header).filter((h) => isContentField(h.key));
  const marked = content.map((h) => (h.key === 'content-type' ? withHp(h, mode) : h));
  return { outer: newOuter, inner: concat([formatHeaderLines([...fields, ...records, ...marked]), enc.encode('\r\n'), body]) };
}

/**
 * The message the user is sending, as RFC 5322 + MIME bytes, built once for every host: the Outlook add-in
 * maps its Office.js draft onto OutgoingMessage, the Thunderbird add-on its ComposeDetails; the result goes to
 * signMessage / encryptMessage, and those exact bytes are sent.
 *
 * - Structure: text/plain; with HTML, multipart/alternative(text, html) — and when the HTML has inline parts
 *   with a Content-ID, the HTML becomes multipart/related(html, inline parts…) (RFC 2387); other attachments
 *   make it multipart/mixed(body, attachments…).
 * - Text parts are UTF-8, 7bit when safe and quoted-printable otherwise (compose/entity.ts). Not 8bit: the core's
 *   signMessage/encryptMessage would turn 8bit into quoted-printable anyway before signing (canonical.ts,
 *   RFC 8551 §3.1.3), so building it that way means the bytes we build are the bytes that get signed (no copy),
 *   and an unsigned send through a relay without 8BITMIME is safe too.
 * - Header text (Subject, display names) that is not printable ASCII becomes RFC 2047 B-encoded UTF-8 words of at
 *   most 75 characters, split between whole characters, folded so no such line passes 76 characters.
 * - CR and LF in names and subjects become spaces (no header injection); addresses are checked against the
 *   dot-atom form and refused otherwise.
 * Bad input (an address that is not one, no recipients, too much) is a typed result with a one-sentence message
 * for the user, as signMessage reports its errors; nothing here throws for what a user typed.
 * - Replies carry Reply-To, In-Reply-To and References when the host gives them (they thread the conversation, and
 *   header protection signs them with the rest: compose/protect-headers.ts).
 * Limits: ASCII addresses only (no SMTPUTF8 local parts or Unicode domains: write the domain as xn--); groups and
 * Bcc are not written (a Bcc header would be visible to every recipient of a signed message).
 */
import { defaultCrypto } from '../crypto';
import { concat, hex } from '../keys/bytes';
import { base64Text } from './base64';
import { buildEntity, contentIdOf, type OutgoingPart } from './entity';
import { parseAddressList } from '../mime/address';

export interface MessageAddress {
  /** Display name; omitted or empty for a bare address. */
  name?: string;
  address: string;
}

export interface MessageAttachment {
  name: string;
  /** Media type ("application/pdf"); anything that is not type/subtype is sent as application/octet-stream. */
  contentType: string;
  bytes: Uint8Array;
  /** Shown in the text (an image in the HTML) rather than listed as an attachment. */
  inline?: boolean;
  /** What the HTML refers to as cid:…; without angle brackets. */
  contentId?: string;
}

export interface OutgoingMessage {
  from: MessageAddress;
  to: MessageAddress[];
  cc: MessageAddress[];
  subject: string;
  /** Plain text of the message (always sent). */
  text: string;
  /** The HTML body when the user wrote HTML mail. */
  html?: string;
  attachments: MessageAttachment[];
  /** Where replies should go, when not to the sender (Reply-To). */
  replyTo?: MessageAddress[];
  /** A reply: the Message-ID of the message replied to (In-Reply-To), with or without angle brackets. */
  inReplyTo?: string;
  /** A reply: the thread's Message-IDs, oldest first (References). Ids that are not msg-ids are left out. */
  references?: string[];
}

export interface BuildMessageOptions {
  /** Date field (default: now). */
  date?: Date;
  /** Random bytes for boundaries and the Message-ID: a CSPRNG (default: the platform's WebCrypto). */
  random?: (n: number) => Uint8Array;
  /** Domain for the Message-ID (default: the sender's domain). */
  messageIdDomain?: string;
}

export type BuildMessageErrorCode = 'no-recipients' | 'bad-address' | 'too-many-attachments' | 'too-large';

export type BuildMessageResult =
  | { ok: true; message: Uint8Array; /** With angle brackets, as in the field. */ messageId: string }
  | { ok: false; error: { code: BuildMessageErrorCode; message: string } };

/** What Exchange Online accepts as a message at most (Thunderbird's usual servers accept less), and a sane number of parts. */
export const MAX_MESSAGE_BYTES = 150 * 1024 * 1024;
export const MAX_ATTACHMENTS = 250;

const CRLF = '\r\n';
const enc = new TextEncoder();

function isPlainAscii(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

/** Typed text that a reader would take for an RFC 2047 encoded word must itself be encoded (RFC 2047 §5). */
const LOOKS_ENCODED = /=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=/;

/** Header text on one line: CR/LF (and other line breaks) become a space, so nothing can start a new field. */
function oneLine(s: string): string {
  return s.replace(/[\r\n\u2028\u2029]+/g, ' ');
}

function word(text: string): string {
  return `=?UTF-8?B?${base64Text(enc.encode(text))}?=`;
}

/**
 * RFC 2047 B-encoded words for `s` (as is when printable ASCII and `force` is not set), each at most 75
 * characters, split between whole characters (a character never spans two words), folded with CRLF SP.
 * `used` is what the line already holds before the first word ("Subject: " = 9), so that line stays within 76.
 */
export function encodeWords(s: string, used = 0, force = false): string {
  if (!force && isPlainAscii(s) && !LOOKS_ENCODED.test(s)) return s;
  const words: string[] = [];
  let chunk = '';
  let limit = Math.max(20, Math.min(75, 76 - used));
  for (const ch of s) {
    const next = chunk + ch;
    if (chunk && word(next).length > limit) {
      words.push(word(chunk));
      chunk = ch;
      limit = 75; // later lines: one space + a 75-character word
    } else chunk = next;
  }
  if (chunk || !words.length) words.push(word(chunk));
  return words.join(`${CRLF} `);
}

/** Unstructured text (Subject): as is, folded at spaces when long, or encoded words when not printable ASCII. */
function unstructured(field: string, value: string): string {
  const s = oneLine(value);
  const head = `${field}: `;
  if (!isPlainAscii(s) || LOOKS_ENCODED.test(s)) return head + encodeWords(s, head.length, true);
  if (head.length + s.length <= 78) return head + s;
  // Fold (CRLF before a space: unfolding gives the same text back) so lines stay near 78 characters.
  const lines: string[] = [];
  let line = `${field}:`;
  for (const w of s.split(' ')) {
    if (line.length + 1 + w.length > 78 && line !== `${field}:`) {
      lines.push(line);
      line = '';
    }
    line += ` ${w}`;
  }
  lines.push(line);
  // A word longer than a line, or a fold that would leave a line of only spaces (not allowed): encoded words.
  if (lines.some((l) => l.length > 998 || l.trim() === '')) return head + encodeWords(s, head.length, true);
  return lines.join(CRLF);
}

const LOCAL = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

/** A dot-atom addr-spec with a dotted host name, at most 254 characters (RFC 5321 §4.5.3.1). */
export function validAddress(a: string): boolean {
  const at = a.lastIndexOf('@');
  return a.length <= 254 && at > 0 && at <= 64 && LOCAL.test(a.slice(0, at)) && DOMAIN.test(a.slice(at + 1));
}

class BuildError {
  constructor(
    readonly code: BuildMessageErrorCode,
    readonly message: string,
  ) {}
}

/** What the user typed, short and on one line, for an error message. */
function shown(s: string): string {
  const t = oneLine(s).trim();
  return t.length > 60 ? `${t.slice(0, 57)}…` : t;
}

/** `"Name" <addr>`, `=?UTF-8?B?…?= <addr>` or `addr`; `used` is the length of the line before it. */
function mailbox(a: MessageAddress, used: number): string {
  const address = a.address.trim();
  if (!address) throw new BuildError('bad-address', 'An address of the message is empty.');
  if (!validAddress(address)) throw new BuildError('bad-address', `"${shown(a.address)}" is not an e-mail address this message can be sent to.`);
  const name = oneLine(a.name ?? '').trim();
  if (!name || name.toLowerCase() === address.toLowerCase()) return address;
  // Long names are encoded too: encoded words fold, a quoted string would make one long line.
  if (!isPlainAscii(name) || name.length > 60 || LOOKS_ENCODED.test(name)) {
    const words = encodeWords(name, used, true);
    const last = words.slice(words.lastIndexOf('\n') + 1);
    return `${words}${last.length + address.length + 3 > 76 ? `${CRLF} ` : ' '}<${address}>`;
  }
  return `"${name.replace(/(["\\])/g, '\\$1')}" <${address}>`;
}

/**
 * The mailboxes of an address line as a host has it as text ("Name <addr>", "\"Last, First\" <addr>", "addr",
 * several separated by commas), parsed by the core's RFC 5322 parser (mime/address.ts; addresses come back
 * lower-cased). Text with no address in it comes back as it was, so buildMessage refuses it in words.
 */
export function mailboxesOf(text: string): MessageAddress[] {
  const list = parseAddressList(oneLine(text));
  if (!list.addresses.length || list.defects.length) return [{ address: text }];
  return list.addresses.map((a) => (a.name ? { name: a.name, address: a.address } : { address: a.address }));
}

function addressField(field: string, list: MessageAddress[]): string {
  return `${field}: ${list.map((a, i) => mailbox(a, i === 0 ? field.length + 2 : 1)).join(`,${CRLF} `)}`;
}

/** A msg-id as sent (RFC 5322 §3.6.4, without comments or folding inside): `<left@right>`; undefined when it is not one. */
function msgId(id: string): string | undefined {
  const bare = id.trim().replace(/^<|>$/g, '');
  return bare.length <= 250 && /^[^<>\s"()@,;:\\[\]]+@[^<>\s"()@,;:\\]+$/.test(bare) ? `<${bare}>` : undefined;
}

/** References as RFC 5322 §3.6.4 wants it, one id per folded line; a long thread keeps its first id and the last 49. */
function referencesField(ids: string[]): string | undefined {
  let list = ids.map(msgId).filter((x): x is string => x !== undefined);
  if (list.length > 50) list = [list[0], ...list.slice(-49)];
  return list.length ? `References: ${list.join(`${CRLF} `)}` : undefined;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 §3.3 date-time in UTC: "Wed, 25 Nov 2026 20:00:00 +0000". */
export function rfc5322Date(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

function attachmentPart(a: MessageAttachment, inline: boolean): OutgoingPart {
  // Line breaks and other control characters have no place in a file name (RFC 2231 would carry them).
  const filename = oneLine(a.name).replace(/[\x00-\x1f\x7f]/g, '_');
  return { contentType: a.contentType, body: a.bytes, filename, disposition: inline ? 'inline' : 'attachment', contentId: a.contentId };
}

function bodyPart(m: OutgoingMessage): OutgoingPart {
  const text: OutgoingPart = { contentType: 'text/plain', body: m.text };
  // Inline parts the HTML refers to (cid:) travel with the HTML in multipart/related; everything else is mixed.
  const related = m.html !== undefined ? m.attachments.filter((a) => a.inline && contentIdOf(a.contentId)) : [];
  const others = m.attachments.filter((a) => !related.includes(a));
  let body: OutgoingPart = text;
  if (m.html !== undefined) {
    const html: OutgoingPart = { contentType: 'text/html', body: m.html };
    body = { multipart: 'alternative', parts: [text, related.length ? { multipart: 'related', parts: [html, ...related.map((a) => attachmentPart(a, true))] } : html] };
  }
  if (others.length) body = { multipart: 'mixed', parts: [body, ...others.map((a) => attachmentPart(a, !!a.inline))] };
  return body;
}

/** The whole message: From, To, Cc, Subject, Date, Message-ID, MIME-Version and the body entity; CRLF throughout. */
export function buildMessage(m: OutgoingMessage, o: BuildMessageOptions = {}): BuildMessageResult {
  try {
    if (m.to.length + m.cc.length === 0) throw new BuildError('no-recipients', 'The message has no recipients.');
    if (m.attachments.length > MAX_ATTACHMENTS) {
      throw new BuildError('too-many-attachments', `The message has ${m.attachments.length} attachments; at most ${MAX_ATTACHMENTS} can be sent in one message.`);
    }
    // base64 grows attachments by 4/3 (+ line ends): refuse before building hundreds of megabytes.
    const estimate = m.attachments.reduce((n, a) => n + Math.ceil(a.bytes.length / 57) * 78, 0) + m.text.length * 3 + (m.html?.length ?? 0) * 3;
    const tooLarge = new BuildError('too-large', `The message is larger than ${MAX_MESSAGE_BYTES / 1024 / 1024} MB, more than mail servers accept.`);
    if (estimate > MAX_MESSAGE_BYTES) throw tooLarge;
    const random = o.random ?? ((n: number) => defaultCrypto().getRandomValues(new Uint8Array(n)));
    const fields = [addressField('From', [m.from])];
    if (m.replyTo?.length) fields.push(addressField('Reply-To', m.replyTo));
    if (m.to.length) fields.push(addressField('To', m.to));
    if (m.cc.length) fields.push(addressField('Cc', m.cc));
    fields.push(unstructured('Subject', m.subject));
    fields.push(`Date: ${rfc5322Date(o.date ?? new Date())}`);
    const domain = o.messageIdDomain && DOMAIN.test(o.messageIdDomain) ? o.messageIdDomain : m.from.address.trim().split('@')[1];
    const messageId = `<${hex(random(16))}@${domain}>`;
    fields.push(`Message-ID: ${messageId}`);
    const inReplyTo = m.inReplyTo !== undefined ? msgId(m.inReplyTo) : undefined;
    if (inReplyTo) fields.push(`In-Reply-To: ${inReplyTo}`);
    const references = referencesField(m.references ?? []);
    if (references) fields.push(references);
    fields.push('MIME-Version: 1.0');
    const body = buildEntity(bodyPart(m), () => hex(random(12)));
    const message = concat([enc.encode(fields.join(CRLF) + CRLF), body]);
    if (message.length > MAX_MESSAGE_BYTES) throw tooLarge;
    return { ok: true, message, messageId };
  } catch (e) {
    if (e instanceof BuildError) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  }
}

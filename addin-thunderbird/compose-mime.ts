/**
 * The message being written, as RFC 5322 + MIME bytes, from what the compose API hands over (ComposeDetails,
 * attachments). This is the host's half of sending: it only lays out what the user wrote; the core signs or
 * encrypts the result (signMessage / encryptMessage), and those exact bytes are sent.
 *
 * - text/plain (quoted-printable, UTF-8) for plain-text mail; multipart/alternative (plain + HTML) for HTML.
 * - Attachments make it multipart/mixed, base64 each.
 * - Header values with non-ASCII text are RFC 2047 encoded (UTF-8, B); addresses stay as given.
 * Limits: recipients must be address strings (address book contacts and lists are not expanded: that needs the
 * addressBooks permission); inline images of HTML mail are sent as ordinary attachments.
 */
import { base64Lines, quotedPrintable } from '../src/compose/base64';

const utf8 = new TextEncoder();

export interface OutgoingAttachment {
  name: string;
  type: string;
  data: Uint8Array;
}

export interface OutgoingMessage {
  from: string;
  to: string[];
  cc: string[];
  subject: string;
  /** Plain text of the message (always present). */
  text: string;
  /** HTML, when the user wrote HTML mail. */
  html?: string;
  attachments: OutgoingAttachment[];
  date: Date;
  messageId: string;
  /** Random source for boundaries (a CSPRNG: boundaries must not be guessable). */
  random: (n: number) => Uint8Array;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** RFC 2047 encoded-word(s) when the value is not plain printable ASCII; folded so no line exceeds 78. */
export function encodeHeaderText(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(clean)) return clean;
  const words: string[] = [];
  let chunk = '';
  for (const ch of clean) {
    // 45 bytes of UTF-8 → 60 base64 chars: each word stays under 75 characters.
    if (utf8.encode(chunk + ch).length > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${b64(utf8.encode(w))}?=`).join('\r\n ');
}

/** Address header: a display name with non-ASCII text is encoded, the address itself is kept. */
export function encodeAddress(addr: string): string {
  const m = /^\s*(.*?)\s*<([^<>]+)>\s*$/.exec(addr);
  if (!m || !m[1]) return addr.trim();
  const name = m[1].replace(/^"(.*)"$/, '$1');
  const shown = /^[\x20-\x7e]*$/.test(name) ? `"${name.replace(/(["\\])/g, '\\$1')}"` : encodeHeaderText(name);
  return `${shown} <${m[2].trim()}>`;
}

function b64(data: Uint8Array): string {
  let s = '';
  for (let i = 0; i < data.length; i++) s += String.fromCharCode(data[i]);
  return btoa(s);
}

function crlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

function boundary(random: (n: number) => Uint8Array): string {
  return `----=_tb_${Array.from(random(12), (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function textPart(subtype: 'plain' | 'html', text: string): Uint8Array {
  let body = crlf(text);
  if (!body.endsWith('\r\n')) body += '\r\n';
  return concat([
    utf8.encode(`Content-Type: text/${subtype}; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n`),
    quotedPrintable(utf8.encode(body)),
  ]);
}

function attachmentPart(a: OutgoingAttachment): Uint8Array {
  const name = a.name.replace(/["\\\r\n]/g, '_');
  const encodedName = /^[\x20-\x7e]*$/.test(name) ? `"${name}"` : `"${encodeHeaderText(name).replace(/\r\n /g, ' ')}"`;
  return concat([
    utf8.encode(
      `Content-Type: ${a.type || 'application/octet-stream'}; name=${encodedName}\r\n` +
        `Content-Disposition: attachment; filename=${encodedName}\r\nContent-Transfer-Encoding: base64\r\n\r\n`,
    ),
    base64Lines(a.data),
  ]);
}

function multipart(subtype: string, parts: Uint8Array[], random: (n: number) => Uint8Array): Uint8Array {
  const b = boundary(random);
  const out: Uint8Array[] = [utf8.encode(`Content-Type: multipart/${subtype}; boundary="${b}"\r\n\r\n`)];
  for (const p of parts) out.push(utf8.encode(`--${b}\r\n`), p, utf8.encode('\r\n'));
  out.push(utf8.encode(`--${b}--\r\n`));
  return concat(out);
}

/** The body entity (Content-* fields + body) of the message. */
export function bodyEntity(m: OutgoingMessage): Uint8Array {
  let body = m.html !== undefined ? multipart('alternative', [textPart('plain', m.text), textPart('html', m.html)], m.random) : textPart('plain', m.text);
  if (m.attachments.length) body = multipart('mixed', [body, ...m.attachments.map(attachmentPart)], m.random);
  return body;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function rfc5322Date(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** The whole message: fields, MIME-Version and the body entity, CRLF throughout. */
export function buildMessage(m: OutgoingMessage): Uint8Array {
  const fields = [
    `From: ${encodeAddress(m.from)}`,
    m.to.length ? `To: ${m.to.map(encodeAddress).join(',\r\n ')}` : '',
    m.cc.length ? `Cc: ${m.cc.map(encodeAddress).join(',\r\n ')}` : '',
    `Subject: ${encodeHeaderText(m.subject)}`,
    `Date: ${rfc5322Date(m.date)}`,
    `Message-ID: ${m.messageId}`,
    'MIME-Version: 1.0',
  ].filter(Boolean);
  return concat([utf8.encode(fields.map((f) => `${f}\r\n`).join('')), bodyEntity(m)]);
}

/** The bare address of "Name <addr>" or "addr", lower-cased. */
export function addressOf(s: string): string {
  const m = /<([^<>]+)>\s*$/.exec(s);
  return (m ? m[1] : s).trim().toLowerCase();
}

export function newMessageId(from: string, random: (n: number) => Uint8Array): string {
  const domain = addressOf(from).split('@')[1] || 'localhost';
  return `<${Array.from(random(16), (b) => b.toString(16).padStart(2, '0')).join('')}@${domain}>`;
}

/** One char per byte, as the Experiment API takes it (structured clone of a string is cheap and safe). */
export function toBinaryString(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return s;
}

/**
 * Building an outgoing MIME entity from parts (what a compose window has: text, HTML, attachments), already in
 * canonical form (RFC 8551 §3.1), so signMessage / encryptMessage sign exactly these bytes:
 * - text given as a string is UTF-8 with CRLF line ends: 7bit when that is safe on any transport, otherwise
 *   quoted-printable (see textEncoding);
 * - bytes (attachments) are base64, kept exactly as given (no charset guessing, no line-end changes), except
 *   message/rfc822, which RFC 2046 §5.2.1 forbids to base64: CRLF, 7bit or 8bit;
 * - file names as RFC 2231 parameters with a plain ASCII fallback, continued over several lines when long;
 * - boundaries from a CSPRNG (a guessable boundary lets content forge a part end).
 * Header values the caller hands in (media type, Content-ID) are checked, never copied blindly into a field.
 */
import { defaultCrypto } from '../crypto';
import { concat, hex } from '../keys/bytes';
import { base64Lines, quotedPrintable } from './base64';
import { toCrlf, needsEncoding } from './canonical';

export type OutgoingPart =
  | {
      /** e.g. "text/plain", "text/html", "application/pdf". A string body is sent as UTF-8 text. */
      contentType: string;
      body: string | Uint8Array;
      filename?: string;
      disposition?: 'inline' | 'attachment';
      contentId?: string;
    }
  | { multipart: 'mixed' | 'alternative' | 'related'; parts: OutgoingPart[] };

const enc = new TextEncoder();
const MEDIA_TYPE = /^[A-Za-z0-9][\w!#$&^.+-]*\/[A-Za-z0-9][\w!#$&^.+-]*$/;
/** Content-ID: a msg-id's dot-atoms (RFC 5322 §3.6.4), without the angle brackets. */
const CONTENT_ID = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+$|^[A-Za-z0-9._$-]+$/;
/** Longest header line we write where we have the choice (RFC 5322 §2.1.1 recommends 78, RFC 2047 says 76). */
const LINE = 76;

function isPlainAscii(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

/** RFC 2231 attribute-char: kept as is; everything else is %XX of its UTF-8 bytes. */
function pctChar(ch: string): string {
  return /^[A-Za-z0-9.\-_~!$&+^`{|}#]$/.test(ch) ? ch : Array.from(enc.encode(ch), (b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
}

/** The plain fallback for readers without RFC 2231: printable ASCII, '_' for the rest, at most 60 characters. */
function asciiFallback(value: string): string {
  const clean = Array.from(value, (c) => (/^[\x20-\x7e]$/.test(c) && c !== '"' && c !== '\\' ? c : '_')).join('');
  if (clean.length <= 60) return clean;
  const dot = clean.lastIndexOf('.');
  const ext = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : '';
  return clean.slice(0, 60 - ext.length) + ext;
}

/**
 * A parameter: `name="value"` when the value is short printable ASCII without quotes or backslashes; otherwise a
 * plain fallback plus the RFC 2231 form (`name*=utf-8''%..`), split into `name*0*=`, `name*1*=` … sections of
 * whole characters when long (readers decode each section on its own, so a character never spans two).
 */
export function mimeParams(name: string, value: string): string[] {
  if (isPlainAscii(value) && !/["\\]/.test(value) && value.length <= 60) return [`${name}="${value}"`];
  const encoded = Array.from(value, pctChar);
  const sections: string[] = [];
  let cur = "utf-8''";
  for (const e of encoded) {
    if (cur.length + e.length > 60 && cur !== "utf-8''") {
      sections.push(cur);
      cur = '';
    }
    cur += e;
  }
  sections.push(cur);
  const fallback = `${name}="${asciiFallback(value)}"`;
  if (sections.length === 1) return [fallback, `${name}*=${sections[0]}`];
  return [fallback, ...sections.map((s, i) => `${name}*${i}*=${s}`)];
}

/** `Name: value; p1; p2` with a fold before any parameter that would take the line past 76 characters. */
export function fieldWithParams(field: string, value: string, params: string[]): string {
  let out = `${field}: ${value}`;
  let line = out.length;
  for (const p of params) {
    if (line + 2 + p.length > LINE) {
      out += `;\r\n ${p}`;
      line = 1 + p.length;
    } else {
      out += `; ${p}`;
      line += 2 + p.length;
    }
  }
  return out;
}

/**
 * Text may go as 7bit only when nothing on the way can change it: no 8-bit bytes or NUL, no line over 998
 * bytes (needsEncoding), no white space at a line end (relays strip it) and no line starting with "From "
 * (mbox turns it into ">From "). Any of those would break the signature, so such text is quoted-printable,
 * which escapes all of them (compose/base64.ts).
 */
export function textEncoding(crlf: Uint8Array): '7bit' | 'quoted-printable' {
  if (needsEncoding(crlf)) return 'quoted-printable';
  return blankAtLineEnd(crlf) || fromAtLineStart(crlf) ? 'quoted-printable' : '7bit';
}

// Byte scans rather than a pattern over the whole body (a body may be 150 MB; test/regex-bounds.test.ts).
function blankAtLineEnd(b: Uint8Array): boolean {
  const last = b[b.length - 1];
  if (last === 0x20 || last === 0x09) return true;
  for (let i = b.indexOf(0x0d); i > 0; i = b.indexOf(0x0d, i + 1)) {
    if (b[i + 1] === 0x0a && (b[i - 1] === 0x20 || b[i - 1] === 0x09)) return true;
  }
  return false;
}

const FROM_ = [0x46, 0x72, 0x6f, 0x6d, 0x20]; // "From "

function fromAtLineStart(b: Uint8Array): boolean {
  const at = (i: number) => FROM_.every((c, k) => b[i + k] === c);
  if (at(0)) return true;
  for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) if (b[i - 1] === 0x0d && at(i + 1)) return true;
  return false;
}

/** A Content-ID as given (with or without angle brackets) when it is one, else undefined (never copied blindly). */
export function contentIdOf(cid: string | undefined): string | undefined {
  const bare = cid?.trim().replace(/^<|>$/g, '');
  return bare && CONTENT_ID.test(bare) ? bare : undefined;
}

const defaultSeed = () => hex(defaultCrypto().getRandomValues(new Uint8Array(12)));

/** Serialises parts into one canonical MIME entity (headers + body). `boundarySeed` gives each boundary its unique tail. */
export function buildEntity(part: OutgoingPart, boundarySeed: () => string = defaultSeed): Uint8Array {
  if ('multipart' in part) {
    const boundary = `----=_part_${boundarySeed()}`;
    const pieces: Uint8Array[] = [enc.encode(`Content-Type: multipart/${part.multipart}; boundary="${boundary}"\r\n\r\n`)];
    for (const p of part.parts) pieces.push(enc.encode(`--${boundary}\r\n`), buildEntity(p, boundarySeed), enc.encode('\r\n'));
    pieces.push(enc.encode(`--${boundary}--\r\n`));
    return concat(pieces);
  }
  const type = MEDIA_TYPE.test(part.contentType) ? part.contentType.toLowerCase() : 'application/octet-stream';
  const text = typeof part.body === 'string';
  const nameParams = part.filename ? mimeParams('name', part.filename) : [];
  const headers: string[] = [fieldWithParams('Content-Type', type, text ? ['charset=utf-8', ...nameParams] : nameParams)];
  let body: Uint8Array;
  if (typeof part.body === 'string') {
    const crlf = toCrlf(enc.encode(part.body));
    const cte = textEncoding(crlf);
    headers.push(`Content-Transfer-Encoding: ${cte}`);
    body = cte === '7bit' ? crlf : quotedPrintable(crlf);
  } else if (type === 'message/rfc822') {
    body = toCrlf(part.body);
    headers.push(`Content-Transfer-Encoding: ${needsEncoding(body) ? '8bit' : '7bit'}`);
  } else {
    headers.push('Content-Transfer-Encoding: base64');
    body = base64Lines(part.body);
  }
  if (part.disposition || part.filename) {
    headers.push(fieldWithParams('Content-Disposition', part.disposition ?? 'attachment', part.filename ? mimeParams('filename', part.filename) : []));
  }
  const cid = contentIdOf(part.contentId);
  if (cid) headers.push(`Content-ID: <${cid}>`);
  return concat([enc.encode(headers.join('\r\n') + '\r\n\r\n'), body]);
}

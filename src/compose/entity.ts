/**
 * Building an outgoing MIME entity from parts (what a compose window has: text, HTML, attachments), already in
 * canonical form: CRLF line ends, 7-bit text as is, other text quoted-printable (UTF-8), everything else base64;
 * non-ASCII file names as RFC 2231 parameters. signMessage / encryptMessage accept the result, or the parts.
 */
import { concat } from '../keys/bytes';
import { base64Lines, quotedPrintable } from './base64';
import { toCrlf, needsEncoding } from './canonical';

export type OutgoingPart =
  | {
      /** e.g. "text/plain", "text/html", "application/pdf". Text is sent as UTF-8. */
      contentType: string;
      body: string | Uint8Array;
      filename?: string;
      disposition?: 'inline' | 'attachment';
      contentId?: string;
    }
  | { multipart: 'mixed' | 'alternative' | 'related'; parts: OutgoingPart[] };

const enc = new TextEncoder();

function isAscii(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

/** A parameter, quoted, or RFC 2231 encoded (name*=utf-8''…) when it is not plain ASCII. */
function param(name: string, value: string): string {
  if (isAscii(value) && !/["\\]/.test(value)) return `${name}="${value}"`;
  const pct = Array.from(enc.encode(value), (b) =>
    (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2e || b === 0x2d || b === 0x5f
      ? String.fromCharCode(b)
      : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
  return `${name}*=utf-8''${pct}`;
}

let counter = 0;

/** Serialises parts into one canonical MIME entity (headers + body). `boundarySeed` makes boundaries unique. */
export function buildEntity(part: OutgoingPart, boundarySeed: () => string = () => `${Date.now().toString(36)}${(++counter).toString(36)}`): Uint8Array {
  if ('multipart' in part) {
    const boundary = `----=_part_${boundarySeed()}`;
    const pieces: Uint8Array[] = [enc.encode(`Content-Type: multipart/${part.multipart}; boundary="${boundary}"\r\n\r\n`)];
    for (const p of part.parts) pieces.push(enc.encode(`--${boundary}\r\n`), buildEntity(p, boundarySeed), enc.encode('\r\n'));
    pieces.push(enc.encode(`--${boundary}--\r\n`));
    return concat(pieces);
  }
  const type = part.contentType.toLowerCase();
  const text = type.startsWith('text/');
  const raw = typeof part.body === 'string' ? enc.encode(part.body) : part.body;
  const headers: string[] = [];
  headers.push(`Content-Type: ${part.contentType}${text ? '; charset=utf-8' : ''}${part.filename ? `; ${param('name', part.filename)}` : ''}`);
  let body: Uint8Array;
  if (text) {
    const crlf = toCrlf(raw);
    if (needsEncoding(crlf)) {
      headers.push('Content-Transfer-Encoding: quoted-printable');
      body = quotedPrintable(crlf);
    } else {
      headers.push('Content-Transfer-Encoding: 7bit');
      body = crlf;
    }
  } else {
    headers.push('Content-Transfer-Encoding: base64');
    body = base64Lines(raw);
  }
  if (part.disposition || part.filename) {
    headers.push(`Content-Disposition: ${part.disposition ?? 'attachment'}${part.filename ? `; ${param('filename', part.filename)}` : ''}`);
  }
  if (part.contentId) headers.push(`Content-ID: <${part.contentId.replace(/^<|>$/g, '')}>`);
  return concat([enc.encode(headers.join('\r\n') + '\r\n\r\n'), body]);
}

/**
 * Header handling for outgoing messages: split an entity into header block and body, parse header fields
 * keeping their raw (folded) form, and separate the RFC 5322 message fields (From, To, Subject, Date,
 * Message-ID …, which stay outside the signature) from the MIME Content-* fields of the body (which move inside).
 */
import { concat } from '../keys/bytes';
import { stripMozillaPrefix } from '../mime';

export interface HeaderLine {
  name: string;
  key: string;
  /** Unfolded value. */
  value: string;
  /** The field exactly as written, folding and CRLF included; undefined for fields we create. */
  raw: Uint8Array | undefined;
}

const latin1 = new TextDecoder('latin1');
/** An RFC 5322 field name followed by a colon. */
const FIELD = /^[!-9;-~]+[ \t]*:/;
const utf8 = new TextEncoder();

/**
 * Header block (without the blank line) and body of an entity; the blank line may be CRLF or bare LF (hosts
 * hand over either). No blank line: everything is header.
 */
export function splitEntity(entity: Uint8Array): { header: Uint8Array; body: Uint8Array } {
  // A body without any header block (text that does not start with "Name:"): all of it is body.
  const firstLine = latin1.decode(entity.subarray(0, Math.min(entity.length, 1000))).split(/\r?\n/)[0];
  if (entity.length && entity[0] !== 10 && entity[0] !== 13 && !FIELD.test(firstLine)) return { header: entity.subarray(0, 0), body: entity };
  if (entity[0] === 10) return { header: entity.subarray(0, 0), body: entity.subarray(1) };
  if (entity[0] === 13 && entity[1] === 10) return { header: entity.subarray(0, 0), body: entity.subarray(2) };
  for (let i = entity.indexOf(10); i >= 0 && i + 1 < entity.length; i = entity.indexOf(10, i + 1)) {
    if (entity[i + 1] === 10) return { header: entity.subarray(0, i + 1), body: entity.subarray(i + 2) };
    if (entity[i + 1] === 13 && entity[i + 2] === 10) return { header: entity.subarray(0, i + 1), body: entity.subarray(i + 3) };
  }
  return { header: entity, body: entity.subarray(entity.length) };
}

/** Fields of a header block (CRLF or LF); continuation lines join the field before them. Raw forms get CRLF. */
export function parseHeaderBlock(header: Uint8Array, invalid: string[] = []): HeaderLine[] {
  const out: HeaderLine[] = [];
  let start = 0;
  const flush = (from: number, to: number) => {
    if (to <= from) return;
    const text = latin1.decode(header.subarray(from, to)).replace(/\r?\n/g, '\r\n');
    const raw = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const colon = text.indexOf(':');
    if (colon <= 0 || !FIELD.test(text)) {
      invalid.push(text.replace(/\r\n$/, ''));
      return;
    }
    const name = text.slice(0, colon).trim();
    out.push({ name, key: name.toLowerCase(), value: text.slice(colon + 1).replace(/\r\n(?=[ \t])/g, '').trim(), raw });
  };
  let i = 0;
  while (i < header.length) {
    const nl = header.indexOf(10, i);
    const next = nl < 0 ? header.length : nl + 1;
    if (next < header.length && (header[next] === 32 || header[next] === 9)) {
      i = next;
      continue;
    }
    flush(start, next);
    start = next;
    i = next;
  }
  flush(start, header.length);
  return out;
}

export function formatHeaderLines(headers: HeaderLine[]): Uint8Array {
  return concat(
    headers.map((h) => {
      if (h.raw) return h.raw[h.raw.length - 1] === 10 ? h.raw : concat([h.raw, utf8.encode('\r\n')]);
      return utf8.encode(`${h.name}: ${h.value}\r\n`);
    }),
  );
}

/** MIME fields that describe the body and therefore travel with it inside the signed/encrypted entity. */
export function isContentField(key: string): boolean {
  return key.startsWith('content-');
}

/**
 * Splits a whole message into its outer fields (everything but Content-* and MIME-Version) and the body entity
 * (Content-* fields + body). A message without Content-Type gets the RFC 2045 default made explicit.
 */
export function splitMessage(message: Uint8Array): { outer: HeaderLine[]; inner: Uint8Array; invalid: string[] } {
  // A draft read from a Thunderbird folder starts with its mbox "From " line and X-Mozilla-* fields: not ours to send.
  const { header, body } = splitEntity(stripMozillaPrefix(message));
  const invalid: string[] = [];
  const fields = parseHeaderBlock(header, invalid);
  const outer = fields.filter((f) => !isContentField(f.key) && f.key !== 'mime-version');
  let content = fields.filter((f) => isContentField(f.key));
  if (!content.some((f) => f.key === 'content-type')) {
    content = [{ name: 'Content-Type', key: 'content-type', value: 'text/plain; charset=us-ascii', raw: undefined }, ...content];
  }
  return { outer, inner: concat([formatHeaderLines(content), utf8.encode('\r\n'), body]), invalid };
}

/** True when the bytes start with RFC 5322 message fields (not just a MIME entity). */
export function hasMessageFields(message: Uint8Array): boolean {
  const { header } = splitEntity(message);
  return parseHeaderBlock(header).some((f) => !isContentField(f.key) && f.key !== 'mime-version');
}

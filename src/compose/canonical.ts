/**
 * RFC 8551 §3.1 canonical form of an entity before it is signed or encrypted:
 * - every line ends in CRLF (bare LF and bare CR become CRLF);
 * - content that is 8-bit or binary, or has lines over 998 bytes, is transfer-encoded (quoted-printable for text,
 *   base64 otherwise), so the signature survives relays that would re-encode it (RFC 8551 §3.1.3);
 * - multiparts are canonicalised part by part, keeping their boundaries.
 * Input is one MIME entity (its own headers, blank line, body). Bounded recursion depth.
 */
import { concat } from '../keys/bytes';
import { base64Lines, quotedPrintable } from './base64';
import { formatHeaderLines, parseHeaderBlock, splitEntity, type HeaderLine } from './headers';

const MAX_DEPTH = 32;

/**
 * LF or CR alone → CRLF; existing CRLF untouched. One pass, one allocation. Unlike mime/canonical's
 * toCanonicalCrlf (verification: must not touch what a signer may have signed) this is for what we send, where
 * a bare CR would be changed by the first SMTP relay anyway.
 */
export function toCrlf(data: Uint8Array): Uint8Array {
  // Count bare LFs and bare CRs with native indexOf (most input is already CRLF: no copy at all).
  let extra = 0;
  for (let i = data.indexOf(10); i >= 0; i = data.indexOf(10, i + 1)) if (i === 0 || data[i - 1] !== 13) extra++;
  for (let i = data.indexOf(13); i >= 0; i = data.indexOf(13, i + 1)) if (data[i + 1] !== 10) extra++;
  if (extra === 0) return data;
  const out = new Uint8Array(data.length + extra);
  let o = 0;
  let from = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b !== 10 && b !== 13) continue;
    if (b === 13 && data[i + 1] === 10) {
      i++;
      continue;
    }
    if (b === 10 && i > 0 && data[i - 1] === 13) continue;
    out.set(data.subarray(from, i), o);
    o += i - from;
    out[o++] = 13;
    out[o++] = 10;
    from = i + 1;
  }
  out.set(data.subarray(from), o);
  return out;
}

/** True when the bytes need a transfer encoding to be 7-bit safe: 8-bit bytes, NUL, or a line over 998. */
export function needsEncoding(data: Uint8Array): boolean {
  let line = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b >= 0x80 || b === 0) return true;
    if (b === 10) line = 0;
    else if (++line > 998) return true;
  }
  return false;
}

function headerValue(headers: HeaderLine[], key: string): string | undefined {
  return headers.find((h) => h.key === key)?.value;
}

function mediaType(headers: HeaderLine[]): { type: string; boundary?: string } {
  const ct = headerValue(headers, 'content-type') ?? 'text/plain';
  const type = ct.split(';')[0].trim().toLowerCase();
  const m = /;\s*boundary\s*=\s*(?:"([^"]+)"|([^\s;]+))/i.exec(ct);
  return { type, boundary: m ? (m[1] ?? m[2]) : undefined };
}

function setHeader(headers: HeaderLine[], name: string, value: string): HeaderLine[] {
  const key = name.toLowerCase();
  const out = headers.filter((h) => h.key !== key);
  out.push({ name, key, value, raw: undefined });
  return out;
}

/** Canonicalises one entity (headers + body). Returns `entity` itself when it is already canonical (no copy). */
export function canonicalEntity(entity: Uint8Array, depth = 0): Uint8Array {
  if (depth > MAX_DEPTH) return toCrlf(entity);
  const split = splitEntity(entity);
  const invalid: string[] = [];
  let headers = parseHeaderBlock(split.header, invalid);
  // A part header we cannot parse is never re-serialised (that would drop the line): CRLF only.
  if (invalid.length) return toCrlf(entity);
  const { type, boundary } = mediaType(headers);
  const cte = (headerValue(headers, 'content-transfer-encoding') ?? '7bit').trim().toLowerCase();
  // Binary content is base64-encoded as it is: converting its line ends first would corrupt it.
  if (cte === 'binary' && !type.startsWith('text/') && !type.startsWith('multipart/') && type !== 'message/rfc822') {
    headers = setHeader(headers, 'Content-Transfer-Encoding', 'base64');
    return concat([formatHeaderLines(headers), CRLF, base64Lines(split.body)]);
  }
  const whole = toCrlf(entity);
  const unchanged = whole === entity;
  const body = unchanged ? split.body : toCrlf(split.body);
  const crlf = () => (unchanged ? entity : concat([formatHeaderLines(headers), CRLF, body]));

  if (type.startsWith('multipart/') && boundary) {
    const parts = splitMultipart(body, boundary);
    if (!parts) return crlf(); // not well-formed: sign as is (CRLF) rather than guess
    const canon = parts.parts.map((p) => canonicalEntity(p, depth + 1));
    const cteOk = cte !== '8bit' && cte !== 'binary';
    if (unchanged && cteOk && canon.every((c, i) => c === parts.parts[i])) return entity;
    const delim = new TextEncoder().encode(`--${boundary}`);
    const pieces: Uint8Array[] = [parts.preamble];
    for (const c of canon) pieces.push(delim, CRLF, c, CRLF);
    pieces.push(delim, new TextEncoder().encode('--'), parts.epilogue);
    // A multipart is 7-bit once its parts are; its own CTE must then not claim 8bit/binary.
    if (!cteOk) headers = setHeader(headers, 'Content-Transfer-Encoding', '7bit');
    return concat([formatHeaderLines(headers), CRLF, ...pieces]);
  }
  if (type === 'message/rfc822') return crlf(); // leave embedded messages alone (their own signatures)
  if (cte === 'base64' || cte === 'quoted-printable' || !needsEncoding(body)) return crlf();
  const encoded = type.startsWith('text/') ? quotedPrintable(body) : base64Lines(body);
  headers = setHeader(headers, 'Content-Transfer-Encoding', type.startsWith('text/') ? 'quoted-printable' : 'base64');
  return concat([formatHeaderLines(headers), CRLF, encoded]);
}

const CRLF = new Uint8Array([13, 10]);

/**
 * Splits a CRLF multipart body at its boundary. Returns the preamble (up to and including the CRLF before the
 * first delimiter), each part (without the CRLF that belongs to the next delimiter) and the epilogue (after
 * the close delimiter), or undefined when there is no close delimiter.
 */
function splitMultipart(
  body: Uint8Array,
  boundary: string,
): { preamble: Uint8Array; parts: Uint8Array[]; epilogue: Uint8Array } | undefined {
  const delim = new TextEncoder().encode(`--${boundary}`);
  const starts: { at: number; close: boolean; after: number }[] = [];
  // Delimiters start a line with "--": look only at '-' bytes (base64 bodies have none).
  for (let i = body.indexOf(45); i >= 0 && i + delim.length <= body.length; i = body.indexOf(45, i + 1)) {
    const lineStart = i === 0 || (body[i - 2] === 13 && body[i - 1] === 10);
    if (!lineStart) continue;
    let match = true;
    for (let k = 0; match && k < delim.length; k++) if (body[i + k] !== delim[k]) match = false;
    if (!match) continue;
    const close = body[i + delim.length] === 45 && body[i + delim.length + 1] === 45;
    let j = i + delim.length + (close ? 2 : 0);
    while (j < body.length && (body[j] === 32 || body[j] === 9)) j++;
    if (close) {
      starts.push({ at: i, close, after: j });
      break;
    }
    if (body[j] === 13 && body[j + 1] === 10) {
      starts.push({ at: i, close, after: j + 2 });
      i = j + 1;
    }
  }
  const last = starts[starts.length - 1];
  if (!last?.close || starts.length < 2) return undefined;
  const parts: Uint8Array[] = [];
  for (let n = 0; n + 1 < starts.length; n++) {
    const from = starts[n].after;
    const to = starts[n + 1].at - 2; // the CRLF before a delimiter is part of the delimiter
    parts.push(body.subarray(from, Math.max(from, to)));
  }
  return { preamble: body.subarray(0, starts[0].at), parts, epilogue: body.subarray(last.after) };
}

/** Base64 and quoted-printable encoders for outgoing MIME (RFC 2045), with CRLF line breaks. No host APIs. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENC = new Uint8Array(64).map((_, i) => ALPHABET.charCodeAt(i));

/** Bytes base64Lines produces for `n` input bytes (76-column lines, CRLF after each and at the end). */
export function base64LinesLength(n: number, lineLength = 76): number {
  const chars = Math.ceil(n / 3) * 4;
  return chars + Math.ceil(chars / lineLength) * 2;
}

/** Base64 with a CRLF after every `lineLength` characters (76, RFC 2045; a multiple of 4) and at the end. */
export function base64Lines(data: Uint8Array, lineLength = 76): Uint8Array {
  const out = new Uint8Array(base64LinesLength(data.length, lineLength));
  return out.subarray(0, base64LinesInto(data, out, 0, lineLength));
}

/** Base64 on one line, no line break (RFC 2047 encoded words). */
export function base64Text(data: Uint8Array): string {
  const chars = Math.ceil(data.length / 3) * 4;
  const lines = base64Lines(data, Math.max(4, chars));
  let s = '';
  for (let i = 0; i < chars; i++) s += String.fromCharCode(lines[i]);
  return s;
}

/** Writes base64Lines(data) into `out` at `o`; returns the end offset. */
export function base64LinesInto(data: Uint8Array, out: Uint8Array, o: number, lineLength = 76): number {
  const perLine = (lineLength / 4) * 3; // input bytes per full line
  const full = data.length - (data.length % 3);
  const start = o;
  let i = 0;
  while (i < full) {
    const lineEnd = Math.min(i + perLine, full);
    for (; i < lineEnd; i += 3) {
      const n = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
      out[o] = ENC[n >>> 18];
      out[o + 1] = ENC[(n >>> 12) & 63];
      out[o + 2] = ENC[(n >>> 6) & 63];
      out[o + 3] = ENC[n & 63];
      o += 4;
    }
    if (i % perLine === 0) {
      out[o++] = 13;
      out[o++] = 10;
    }
  }
  const rest = data.length - full;
  if (rest) {
    const a = data[full];
    const b = rest === 2 ? data[full + 1] : 0;
    out[o++] = ENC[a >> 2];
    out[o++] = ENC[((a & 3) << 4) | (b >> 4)];
    out[o++] = rest === 2 ? ENC[(b & 15) << 2] : 61;
    out[o++] = 61;
  }
  if (o > start && out[o - 1] !== 10) {
    out[o++] = 13;
    out[o++] = 10;
  }
  return o;
}

/**
 * Quoted-printable (RFC 2045 §6.7) of text whose line breaks are already CRLF: CRLF stays a hard break, lines are
 * soft-broken at 76, '=' and 8-bit bytes are escaped, trailing white space is escaped so relays cannot strip it,
 * and a leading "From " or "." is escaped too (mbox and SMTP damage that would break the signature).
 */
export function quotedPrintable(data: Uint8Array): Uint8Array {
  const out: number[] = [];
  const HEX = '0123456789ABCDEF';
  let col = 0;
  const push = (bytes: number[]) => {
    if (col + bytes.length > 75) {
      out.push(61, 13, 10);
      col = 0;
    }
    for (const b of bytes) out.push(b);
    col += bytes.length;
  };
  const esc = (b: number) => [61, HEX.charCodeAt(b >> 4), HEX.charCodeAt(b & 15)];
  for (let i = 0; i < data.length; i++) {
    const b = data[i];
    if (b === 13 && data[i + 1] === 10) {
      out.push(13, 10);
      col = 0;
      i++;
      continue;
    }
    const atLineStart = col === 0;
    const beforeBreak = i + 1 === data.length || (data[i + 1] === 13 && data[i + 2] === 10);
    if ((b === 32 || b === 9) && beforeBreak) push(esc(b));
    else if (atLineStart && b === 46) push(esc(b)); // "."
    else if (atLineStart && b === 70 && data[i + 1] === 114 && data[i + 2] === 111 && data[i + 3] === 109 && data[i + 4] === 32) push(esc(b)); // "From "
    else if (b === 61 || b > 126 || (b < 32 && b !== 9)) push(esc(b));
    else push([b]);
  }
  return Uint8Array.from(out);
}

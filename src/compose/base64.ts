/** Base64 and quoted-printable encoders for outgoing MIME (RFC 2045), with CRLF line breaks. No host APIs. */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const ENC = new Uint8Array(64).map((_, i) => ALPHABET.charCodeAt(i));

/** Base64 with a CRLF after every `lineLength` characters (76, RFC 2045) and at the end. */
export function base64Lines(data: Uint8Array, lineLength = 76): Uint8Array {
  const chars = Math.ceil(data.length / 3) * 4;
  const lines = Math.ceil(chars / lineLength);
  const out = new Uint8Array(chars + lines * 2);
  let o = 0;
  let col = 0;
  const groupsPerLine = lineLength / 4;
  let g = 0;
  for (let i = 0; i < data.length; i += 3) {
    const a = data[i];
    const b = i + 1 < data.length ? data[i + 1] : 0;
    const c = i + 2 < data.length ? data[i + 2] : 0;
    out[o++] = ENC[a >> 2];
    out[o++] = ENC[((a & 3) << 4) | (b >> 4)];
    out[o++] = i + 1 < data.length ? ENC[((b & 15) << 2) | (c >> 6)] : 61;
    out[o++] = i + 2 < data.length ? ENC[c & 63] : 61;
    col += 4;
    if (++g === groupsPerLine) {
      out[o++] = 13;
      out[o++] = 10;
      g = 0;
      col = 0;
    }
  }
  if (col > 0) {
    out[o++] = 13;
    out[o++] = 10;
  }
  return out.subarray(0, o);
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

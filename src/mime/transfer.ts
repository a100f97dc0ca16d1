/**
 * Content-Transfer-Encoding decoding (RFC 2045 §6). Only called on the parts that need their content
 * (a signature, an opaque CMS blob, text to show); the parser itself never decodes bodies.
 * All decoders are single linear passes and tolerant, as mail clients are: garbage in base64 is skipped,
 * broken quoted-printable escapes are kept literally.
 */
import { decodeCharset } from './bytes';
import type { MimeEntity } from './types';

const B64 = new Int16Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
  .split('')
  .forEach((c, i) => (B64[c.charCodeAt(0)] = i));

/**
 * Base64 that tolerates line breaks, stray white space and other garbage (skipped), missing padding, and
 * several base64 runs glued together ('=' ends a quantum, the next run starts fresh).
 */
export function decodeBase64(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.floor((bytes.length * 3) / 4) + 3);
  let o = 0;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const v = B64[b];
    if (v >= 0) {
      acc = ((acc << 6) | v) & 0xffffff;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = (acc >> bits) & 0xff;
      }
    } else if (b === 0x3d /* = */) {
      bits = 0; // padding: the leftover bits of this quantum are not data
      acc = 0;
    }
  }
  return out.subarray(0, o);
}

function hexVal(b: number): number {
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}

/**
 * Quoted-printable: =XX escapes (either case), soft line breaks (= before CRLF or LF, with transport padding
 * allowed in between), trailing white space on lines removed (RFC 2045 §6.7 rule 3), invalid escapes kept.
 */
export function decodeQuotedPrintable(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  let o = 0;
  const n = bytes.length;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if (b === 0x3d /* = */) {
      const h = i + 1 < n ? hexVal(bytes[i + 1]) : -1;
      const l = i + 2 < n ? hexVal(bytes[i + 2]) : -1;
      if (h >= 0 && l >= 0) {
        out[o++] = (h << 4) | l;
        i += 2;
        continue;
      }
      // soft line break: '=' [spaces] (CR)LF, or '=' at the very end
      let j = i + 1;
      while (j < n && (bytes[j] === 0x20 || bytes[j] === 0x09)) j++;
      if (j === n) break;
      if (bytes[j] === 0x0a) {
        i = j;
        continue;
      }
      if (bytes[j] === 0x0d && (j + 1 === n || bytes[j + 1] === 0x0a)) {
        i = j + 1 === n ? j : j + 1;
        continue;
      }
      out[o++] = b; // not an escape: keep the '=' as written
    } else if (b === 0x20 || b === 0x09) {
      // trailing white space before a line break was added in transport: drop it
      let j = i;
      while (j < n && (bytes[j] === 0x20 || bytes[j] === 0x09)) j++;
      if (j === n || bytes[j] === 0x0a || (bytes[j] === 0x0d && bytes[j + 1] === 0x0a)) {
        i = j - 1;
        continue;
      }
      for (; i < j; i++) out[o++] = bytes[i];
      i--;
    } else out[o++] = b;
  }
  return out.subarray(0, o);
}

/**
 * The decoded body of a leaf entity. 7bit/8bit/binary (and unknown encodings, which RFC 2045 §6.4 says to
 * treat as opaque) return the original bytes as a subarray, not a copy.
 */
export function decodeBody(entity: MimeEntity): Uint8Array {
  const body = entity.source.subarray(entity.bodyStart, entity.end);
  switch (entity.transferEncoding) {
    case 'base64':
      return decodeBase64(body);
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return body;
  }
}

/** The body as text in its declared charset (default us-ascii, shown as windows-1252 per WHATWG). */
export function bodyText(entity: MimeEntity): string {
  return decodeCharset(decodeBody(entity), entity.contentType.params.charset ?? 'us-ascii').text;
}

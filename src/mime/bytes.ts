/**
 * Byte <-> string helpers shared by the MIME modules. Only what TextDecoder/TextEncoder (present in every host)
 * cannot do directly: an invertible Latin-1 view of bytes, and charset decoding that never throws.
 */

const CHUNK = 0x2000; // String.fromCharCode.apply has an argument-count limit; stay well below it.

/** Bytes to a string with one char per byte (0-255). Invertible with latin1Bytes; used for ASCII-ish syntax. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let out = '';
  for (let i = start; i < end; i += CHUNK) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, Math.min(end, i + CHUNK)) as unknown as number[]);
  }
  return out;
}

/** The inverse of latin1(): chars above 0xFF (which latin1() never produces) are replaced by '?'. */
export function latin1Bytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[i] = c < 0x100 ? c : 0x3f;
  }
  return out;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });
const utf8Loose = new TextDecoder('utf-8');

function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i] > 0x7f) return false;
  return true;
}

/**
 * Header bytes to text: RFC 6532 allows raw UTF-8 in headers; anything that is not valid UTF-8 is taken as
 * Latin-1 (byte-for-byte, so a boundary written in 8-bit bytes still matches the body's bytes).
 */
export function headerText(bytes: Uint8Array, start = 0, end = bytes.length): { text: string; utf8: boolean } {
  // ASCII is the common case: any decoder gives the same string, and the native one is fastest.
  if (isAscii(bytes, start, end)) return { text: utf8Loose.decode(bytes.subarray(start, end)), utf8: false };
  try {
    return { text: utf8Strict.decode(bytes.subarray(start, end)), utf8: true };
  } catch {
    return { text: latin1(bytes, start, end), utf8: false };
  }
}

/**
 * Whether the bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF).
 * A loop rather than a fatal TextDecoder in try/catch: a header block of thousands of 8-bit fields would otherwise
 * throw and catch once per field.
 */
export function isUtf8(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0;
      else if (c === 0xed) hi = 0x9f;
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90;
      else if (c === 0xf4) hi = 0x8f;
    } else return false;
    if (i + n >= b.length) return false; // cut off
    if (b[i + 1] < lo || b[i + 1] > hi) return false;
    for (let k = 2; k <= n; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) return false;
    i += n + 1;
  }
  return true;
}

/** The bytes as UTF-8 text, or undefined when they are not valid UTF-8. */
export function utf8OrUndefined(bytes: Uint8Array): string | undefined {
  return isUtf8(bytes) ? utf8Loose.decode(bytes) : undefined;
}

const encoder = new TextEncoder();

/** The bytes a header string came from (see headerText). */
export function headerBytes(s: string, utf8: boolean): Uint8Array {
  return utf8 ? encoder.encode(s) : latin1Bytes(s);
}

/** What decoderFor returns: TextDecoder's decode, or our windows-1252 table. */
export interface CharsetDecoder {
  decode(bytes: Uint8Array): string;
}

// windows-1252 0x80-0x9F (WHATWG index). Node 20's TextDecoder maps these bytes to C1 controls (ISO-8859-1),
// unlike browsers, so we decode this one charset ourselves: "€", curly quotes and dashes must survive.
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

const windows1252: CharsetDecoder = {
  decode(bytes: Uint8Array): string {
    let out = '';
    let run = 0;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b >= 0x80 && b <= 0x9f) {
        out += latin1(bytes, run, i) + CP1252_HIGH[b - 0x80];
        run = i + 1;
      }
    }
    return out + latin1(bytes, run, bytes.length);
  },
};

const decoders = new Map<string, CharsetDecoder | null>();

/**
 * A decoder for a MIME charset label, or null when the host does not know it. Labels are the WHATWG
 * Encoding ones (utf-8, iso-8859-x, windows-125x, koi8-r, shift_jis, gb18030, …); unknown labels give null.
 */
export function decoderFor(charset: string | undefined): CharsetDecoder | null {
  const label = (charset ?? 'utf-8').trim().toLowerCase() || 'utf-8';
  const hit = decoders.get(label);
  if (hit !== undefined) return hit;
  let d: CharsetDecoder | null;
  try {
    // WHATWG maps "us-ascii" and "iso-8859-1" to windows-1252, which is what mail clients show for
    // mislabelled 8-bit text.
    const td = new TextDecoder(label === 'utf8' ? 'utf-8' : label);
    d = td.encoding === 'windows-1252' ? windows1252 : td;
  } catch {
    d = null;
  }
  if (decoders.size < 64) decoders.set(label, d); // bounded: labels come from hostile input
  return d;
}

/** Decode text in a charset; unknown charsets fall back to UTF-8 (with replacement characters). Never throws. */
export function decodeCharset(bytes: Uint8Array, charset: string | undefined): { text: string; known: boolean } {
  const d = decoderFor(charset);
  if (d) return { text: d.decode(bytes), known: true };
  return { text: utf8Loose.decode(bytes), known: false };
}

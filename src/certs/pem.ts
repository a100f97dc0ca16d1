/**
 * PEM armour (RFC 7468): find "-----BEGIN X-----" … "-----END X-----" blocks and decode their base64.
 * Tolerant as RFC 7468 §3 asks of parsers (whitespace anywhere, headers of the old RFC 1421 style skipped),
 * but a block with bad base64 is reported, not guessed at.
 */

export interface PemBlock {
  label: string;
  der?: Uint8Array;
  /** Why the block could not be decoded. */
  error?: string;
}

/** Bound on the number of blocks read from one input (a CA bundle has a few hundred). */
export const MAX_PEM_BLOCKS = 5000;

/** True when the bytes look like PEM text (a BEGIN line near the start, after any explanatory text). */
export function looksLikePem(bytes: Uint8Array): boolean {
  return latin1(bytes.subarray(0, Math.min(bytes.length, 65536))).includes('-----BEGIN ');
}

export function parsePem(bytes: Uint8Array, maxBlocks = MAX_PEM_BLOCKS): PemBlock[] {
  const text = latin1(bytes);
  const blocks: PemBlock[] = [];
  // indexOf, not one regex over the text: a lazy BEGIN…END regex rescans to the end of the input from every
  // BEGIN that has no END, which is quadratic on hostile input.
  const BEGIN = '-----BEGIN ';
  const END = '-----END ';
  let at = 0;
  // One past the bound, so that a caller can say the rest was not read.
  while (blocks.length < Math.min(maxBlocks + 1, MAX_PEM_BLOCKS)) {
    const b = text.indexOf(BEGIN, at);
    if (b < 0) break;
    const labelEnd = text.indexOf('-----', b + BEGIN.length);
    if (labelEnd < 0) break;
    const label = text.slice(b + BEGIN.length, labelEnd);
    const e = text.indexOf(END, labelEnd + 5);
    if (e < 0) break; // no END anywhere after: no further block can be complete
    const endLabelEnd = text.indexOf('-----', e + END.length);
    if (endLabelEnd < 0) break;
    const endLabel = text.slice(e + END.length, endLabelEnd);
    at = endLabelEnd + 5;
    if (!/^[A-Z0-9 #._-]{1,64}$/.test(label)) {
      blocks.push({ label: label.slice(0, 64), error: 'the PEM block has an unreadable label' });
      continue;
    }
    if (endLabel !== label) {
      blocks.push({ label, error: `the PEM block "${label}" ends with "${endLabel.slice(0, 64)}"` });
      continue;
    }
    // Old-style encapsulated headers ("Proc-Type: …") end with an empty line.
    let body = text.slice(labelEnd + 5, e);
    // Header names come first: a short look at the start, not a pattern over a block of any size.
    if (/^\s*[A-Za-z-]+:/.test(body.slice(0, 256))) {
      const split = blankLine(body);
      body = split >= 0 ? body.slice(split) : '';
    }
    const der = decodeBase64(body);
    blocks.push(der ? { label, der } : { label, error: `the PEM block "${label}" is not valid base64` });
  }
  return blocks;
}

/**
 * One character per byte. The native decoder (WHATWG 'latin1' is windows-1252: bytes 0x80-0x9F become other
 * characters, which PEM, all ASCII, never uses) instead of String.fromCharCode over 8 KiB slices, which took
 * 0.7 s for an 8.7 MB answer before a single block was read.
 */
const LATIN1 = new TextDecoder('latin1');
function latin1(bytes: Uint8Array): string {
  return LATIN1.decode(bytes);
}

const B64 = (() => {
  const t = new Int16Array(256).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) t[alphabet.charCodeAt(i)] = i;
  return t;
})();

/** Where the first empty line (LF or CRLF ends) starts in `s`, or -1. */
function blankLine(s: string): number {
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) {
    if (s[i + 1] === '\n' || (s[i + 1] === '\r' && s[i + 2] === '\n')) return i > 0 && s[i - 1] === '\r' ? i - 1 : i;
  }
  return -1;
}

/** Strict base64 (whitespace ignored, '=' only at the end); undefined when invalid or empty. */
export function decodeBase64(s: string): Uint8Array | undefined {
  // One character class, nothing nested: linear on any input (test/regex-bounds.test.ts times it).
  const clean = s.replace(/[\s]+/g, '');
  // Trailing '=' counted by a loop: /=+$/ would retry from every '=' of a long run (quadratic).
  let end = clean.length;
  while (end > 0 && clean.charCodeAt(end - 1) === 0x3d) end--;
  const body = clean.slice(0, end);
  const pad = clean.length - body.length;
  if (body.length === 0 || pad > 2 || (pad > 0 && clean.length % 4 !== 0) || body.length % 4 === 1) return undefined;
  const out = new Uint8Array(Math.floor((body.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < body.length; i++) {
    const v = B64[body.charCodeAt(i) & 0xff];
    if (v < 0 || body.charCodeAt(i) > 0xff) return undefined;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

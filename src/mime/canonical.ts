/**
 * RFC 8551 §3.1.1 canonical form: lines end in CRLF. A signature covers the canonical bytes, but clients hand
 * over LF-only copies (Thunderbird's local store, PKITS' files). The verifier tries the exact bytes first and
 * uses this only as the lazy second candidate when they do not match the digest.
 */

/**
 * Every bare LF becomes CRLF; existing CRLFs are kept. Returns the input itself (no copy) when it has no
 * bare LF. One pass with native indexOf, one allocation.
 */
export function toCanonicalCrlf(bytes: Uint8Array): Uint8Array {
  let bare = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) {
    if (i === 0 || bytes[i - 1] !== 0x0d) bare++;
  }
  if (bare === 0) return bytes;
  const out = new Uint8Array(bytes.length + bare);
  let o = 0;
  let from = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) {
    if (i === 0 || bytes[i - 1] !== 0x0d) {
      out.set(bytes.subarray(from, i), o);
      o += i - from;
      out[o++] = 0x0d;
      from = i; // the LF itself is copied with the next run
    }
  }
  out.set(bytes.subarray(from), o);
  return out;
}

/** True when the bytes contain a LF not preceded by CR (i.e. toCanonicalCrlf would change them). */
export function hasBareLf(bytes: Uint8Array): boolean {
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, i + 1)) {
    if (i === 0 || bytes[i - 1] !== 0x0d) return true;
  }
  return false;
}

/**
 * Offset of the first CR in source[start, end) that is not followed by LF (a "bare CR"), or -1. RFC 5322 allows
 * CR only before LF; Thunderbird ends a header line, and finds MIME delimiters, after a bare CR too, so a header
 * or a delimiter can hide behind one from a parser that splits at LF only. A CR that is the source's last byte
 * hides nothing. One plain pass over the range (an indexOf per CR costs ~30 times more on CRLF text: 64 MiB of
 * empty lines took 1.6 s that way, ~0.1 s so).
 */
export function firstBareCr(source: Uint8Array, start: number, end: number): number {
  const last = Math.min(end, source.length - 1); // a CR at the very end of the source is followed by nothing
  for (let i = start; i < last; i++) {
    if (source[i] === 0x0d && source[i + 1] !== 0x0a) return i;
  }
  return -1;
}

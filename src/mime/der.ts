/**
 * Just enough DER/BER reading to recognise a CMS blob inside a MIME part without a full ASN.1 parse:
 * the outer SEQUENCE's extent, and the ContentInfo's contentType OID. The CMS module does the real parsing.
 */

export type DerExtent =
  | { ok: true; length: number; indefinite: boolean } // total bytes of the outer element (header + content)
  | { ok: false; reason: 'not-sequence' | 'truncated' | 'bad-length' };

/** The outer element of `b` when it is a SEQUENCE (0x30), with definite (DER) or indefinite (BER) length. */
export function outerSequence(b: Uint8Array): DerExtent {
  if (b.length < 2 || b[0] !== 0x30) return { ok: false, reason: b.length < 2 && b[0] === 0x30 ? 'truncated' : 'not-sequence' };
  const first = b[1];
  if (first === 0x80) return { ok: true, length: b.length, indefinite: true };
  if (first < 0x80) {
    return 2 + first <= b.length ? { ok: true, length: 2 + first, indefinite: false } : { ok: false, reason: 'truncated' };
  }
  const n = first & 0x7f;
  if (n > 4 || n === 0) return { ok: false, reason: 'bad-length' }; // > 4 GiB, or reserved 0xFF form
  if (b.length < 2 + n) return { ok: false, reason: 'truncated' };
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[2 + i];
  const total = 2 + n + len;
  return total <= b.length ? { ok: true, length: total, indefinite: false } : { ok: false, reason: 'truncated' };
}

/** Reads one tag+length header at `at`; returns [contentStart, contentLength] or undefined (-1 length = indefinite). */
function header(b: Uint8Array, at: number): [number, number] | undefined {
  if (at + 2 > b.length) return undefined;
  const first = b[at + 1];
  if (first === 0x80) return [at + 2, -1];
  if (first < 0x80) return [at + 2, first];
  const n = first & 0x7f;
  if (n > 4 || n === 0 || at + 2 + n > b.length) return undefined;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + b[at + 2 + i];
  return [at + 2 + n, len];
}

/** The dotted contentType OID of a ContentInfo (SEQUENCE { OID, [0] … }), or undefined. Needs only the first bytes. */
export function contentInfoOid(b: Uint8Array): string | undefined {
  if (b[0] !== 0x30) return undefined;
  const outer = header(b, 0);
  if (!outer) return undefined;
  const at = outer[0];
  if (b[at] !== 0x06) return undefined;
  const h = header(b, at);
  if (!h || h[1] < 1 || h[1] > 32 || h[0] + h[1] > b.length) return undefined;
  const oid = b.subarray(h[0], h[0] + h[1]);
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < oid.length; i++) {
    v = v * 128 + (oid[i] & 0x7f);
    if (!(oid[i] & 0x80)) {
      if (parts.length === 0) parts.push(v < 80 ? Math.floor(v / 40) : 2, v < 80 ? v % 40 : v - 80);
      else parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

export const OID_SIGNED_DATA = '1.2.840.113549.1.7.2';
export const OID_ENVELOPED_DATA = '1.2.840.113549.1.7.3';
export const OID_AUTH_ENVELOPED_DATA = '1.2.840.113549.1.9.16.1.23';
export const OID_COMPRESSED_DATA = '1.2.840.113549.1.9.16.1.9';

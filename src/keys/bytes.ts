/** Small byte helpers shared by keys/, cms/ (sign, encrypt, decrypt) and compose/. */

/** A Uint8Array as WebCrypto's BufferSource (TS 5.9 types views over ArrayBufferLike; ours are never shared). */
export function bs(u: Uint8Array): Uint8Array<ArrayBuffer> {
  return u as Uint8Array<ArrayBuffer>;
}

/** An exact ArrayBuffer copy of a view (pkijs/asn1js `fromBER` want ArrayBuffers). */
export function buf(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function hex(u: Uint8Array): string {
  return Array.from(u, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Overwrites key material we are done with (best effort: copies made by engines are out of reach). */
export function wipeAll(...arrays: (Uint8Array | undefined)[]): void {
  for (const a of arrays) a?.fill(0);
}

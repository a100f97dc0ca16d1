/**
 * The PKCS#12 key derivation (RFC 7292 appendix B.2), used by the legacy pbeWithSHAAnd… schemes and by the
 * PKCS#12 MAC. Password: BMPString (UTF-16BE) with two trailing zero bytes (B.1).
 */
import { BLOCK_SIZE, OUTPUT_SIZE, sha, type ShaName } from './sha';

export const PKCS12_KEY = 1;
export const PKCS12_IV = 2;
export const PKCS12_MAC = 3;

/** The password as the KDF wants it. An empty password is the two zero bytes (as OpenSSL and NSS do). */
export function bmpPassword(password: string): Uint8Array {
  const out = new Uint8Array((password.length + 1) * 2);
  for (let i = 0; i < password.length; i++) {
    const c = password.charCodeAt(i);
    out[i * 2] = c >> 8;
    out[i * 2 + 1] = c & 0xff;
  }
  return out;
}

function repeatTo(src: Uint8Array, v: number): Uint8Array {
  if (src.length === 0) return new Uint8Array(0);
  const out = new Uint8Array(v * Math.ceil(src.length / v));
  for (let i = 0; i < out.length; i++) out[i] = src[i % src.length];
  return out;
}

export function pkcs12Kdf(
  hash: ShaName,
  password: Uint8Array,
  salt: Uint8Array,
  id: number,
  iterations: number,
  n: number,
): Uint8Array {
  const u = OUTPUT_SIZE[hash];
  const v = BLOCK_SIZE[hash];
  const S = repeatTo(salt, v);
  const P = repeatTo(password, v);
  const I = new Uint8Array(S.length + P.length);
  I.set(S);
  I.set(P, S.length);
  const DI = new Uint8Array(v + I.length);
  DI.fill(id, 0, v);
  const out = new Uint8Array(n);
  for (let done = 0; done < n; ) {
    DI.set(I, v);
    let A = sha(hash, DI);
    for (let r = 1; r < iterations; r++) A = sha(hash, A);
    out.set(A.subarray(0, Math.min(u, n - done)), done);
    done += u;
    if (done >= n) break;
    // I_j = (I_j + B + 1) mod 2^(8v), B = A repeated to v bytes.
    for (let j = 0; j < I.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const s = I[j + k] + A[k % u] + carry;
        I[j + k] = s & 0xff;
        carry = s >> 8;
      }
    }
  }
  I.fill(0);
  DI.fill(0);
  P.fill(0);
  return out;
}

/**
 * Big-integer helpers for the few public-key operations WebCrypto lacks (DSA certificate signatures, RSA-PSS
 * with an MGF1 hash other than the message hash, RSA PKCS#1 v1.5 decryption). One copy for the whole core.
 * Not constant-time: callers that use a private key blind it first (see cms/rsa-pkcs1.ts).
 */

/** Unsigned big-endian bytes to a bigint. */
export function bytesToBigInt(b: Uint8Array): bigint {
  let x = 0n;
  for (const v of b) x = (x << 8n) | BigInt(v);
  return x;
}

/** A non-negative bigint to exactly `len` big-endian bytes (high bytes beyond `len` are dropped). */
export function bigIntToBytes(v: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  for (let i = len - 1; i >= 0 && v > 0n; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return out;
}

export function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  let r = 1n;
  base %= mod;
  while (exp > 0n) {
    if (exp & 1n) r = (r * base) % mod;
    base = (base * base) % mod;
    exp >>= 1n;
  }
  return r;
}

/** The inverse of a modulo m, or undefined when there is none (a and m not coprime). */
export function modInverse(a: bigint, m: bigint): bigint | undefined {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  if (oldR !== 1n) return undefined;
  return ((oldS % m) + m) % m;
}

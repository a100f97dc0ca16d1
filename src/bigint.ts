/**
 * Big-integer helpers for the few public-key operations WebCrypto lacks (DSA certificate signatures, RSA-PSS
 * with an MGF1 hash other than the message hash, RSA PKCS#1 v1.5 decryption). One copy for the whole core.
 * Not constant-time: callers that use a private key blind it first (see cms/rsa-pkcs1.ts).
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Unsigned big-endian bytes to a bigint, in time linear in the length (through a hex string; shifting a byte in at
 * a time copies the growing value each time, which is quadratic: hours for a megabyte-sized "key").
 */
export function bytesToBigInt(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  const parts: string[] = new Array(b.length);
  for (let i = 0; i < b.length; i++) parts[i] = HEX[b[i]];
  return BigInt('0x' + parts.join(''));
}

/**
 * A non-negative bigint to exactly `len` big-endian bytes (high bytes beyond `len` are dropped). Fixed length and
 * the same steps whatever the value (no loop that ends early at the value's top byte), so a private value's size
 * does not show in the time it takes (RFC 8017 I2OSP; cms/rsa-pkcs1.ts converts a decrypted block with it).
 */
export function bigIntToBytes(v: bigint, len: number): Uint8Array {
  const out = new Uint8Array(len);
  const hex = v.toString(16);
  // Pad to the full width first, so every output byte is read from the string the same way.
  const full = hex.length >= 2 * len ? hex.slice(hex.length - 2 * len) : '0'.repeat(2 * len - hex.length) + hex;
  for (let i = 0; i < len; i++) out[i] = parseInt(full.substr(2 * i, 2), 16);
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

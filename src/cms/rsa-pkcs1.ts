/**
 * RSAES-PKCS1-v1_5 key transport (RFC 8017 §7.2), which WebCrypto does not offer but Thunderbird and Outlook use
 * by default for encrypted mail. Encryption needs only the recipient's public key. Decryption opens the sealed
 * PKCS#8 of the identity (keys/identity.ts) for this one operation and wipes the bytes afterwards.
 *
 * Decryption defends against padding oracles (Bleichenbacher, and its timing variant Marvin) and faults:
 * - implicit rejection as in draft-irtf-cfrg-rsa-guidance §7 and OpenSSL 3.2: a bad padding yields no error but a
 *   synthetic key of the expected length, derived from the ciphertext under a key derived from the private
 *   exponent (KDK = HMAC-SHA256(SHA-256(I2OSP(d, k)), C)). The same ciphertext always gives the same key, so
 *   asking twice tells an attacker nothing, and the caller fails later and identically, at content decryption;
 * - base blinding (the exponentiation never sees the attacker's ciphertext) and exponent blinding (dp + r·(p-1),
 *   dq + r'·(q-1), fresh 64-bit r each time), so timing does not follow the private exponent's bits;
 * - the CRT result is checked (m^e = c) before use: a computation fault would otherwise leak a factor of n;
 * - a fixed-length conversion of the unblinded value, and a padding check without early exits.
 * Where the engine offers a constant-time native implementation with implicit rejection (the CLI on a Node whose
 * OpenSSL is 3.2 or later: cli/crypto.ts), that is used instead of the BigInt code.
 * Limits: BigInt arithmetic is not constant time (the blinding is what protects it), and BigInt values cannot be
 * wiped from memory.
 */
import * as pkijs from 'pkijs';
import type { CryptoEngine } from '../crypto';
import { bs, buf, wipeAll } from '../keys/bytes';
import type { SealedKey } from '../keys/identity';
import { rsaKeyTooLarge, rsaPublicKeyOf } from '../signature/key';
import { MAX_RSA_MODULUS_BITS, bitLengthOfBytes } from '../signature/limits';
import { bigIntToBytes as fromBig, bytesToBigInt as toBig, modInverse, modPow } from '../bigint';

function intBytes(i: { valueBlock: { valueHexView: Uint8Array } }): Uint8Array {
  return i.valueBlock.valueHexView;
}

/** RSAES-PKCS1-v1_5 encryption of a content-encryption key. */
export function rsaPkcs1Encrypt(spki: pkijs.PublicKeyInfo, message: Uint8Array, crypto: CryptoEngine): Uint8Array {
  const tooLarge = rsaKeyTooLarge(spki);
  if (tooLarge) throw new Error(`the recipient's key cannot be used: ${tooLarge.detail}`);
  const key = rsaPublicKeyOf(spki);
  // The recipient's certificate was accepted as an RSA encryption certificate, so this is a defect, not user input.
  if (!key) throw new Error("the recipient's RSA public key does not parse");
  const { n, e, k } = key;
  if (message.length > k - 11) throw new Error('message too long for RSA PKCS#1 v1.5');
  const em = new Uint8Array(k);
  em[1] = 2;
  const psLen = k - message.length - 3;
  const ps = em.subarray(2, 2 + psLen);
  crypto.getRandomValues(ps);
  for (let i = 0; i < ps.length; i++) {
    while (ps[i] === 0) ps[i] = crypto.getRandomValues(new Uint8Array(1))[0];
  }
  em.set(message, k - message.length);
  const c = modPow(toBig(em), e, n);
  wipeAll(em);
  return fromBig(c, k);
}

/**
 * A constant-time RSAES-PKCS1-v1_5 decryption with implicit rejection that an engine may offer (cli/crypto.ts:
 * node:crypto's privateDecrypt where its OpenSSL does implicit rejection). Returns the decoded message (a synthetic
 * one for a bad padding, as OpenSSL 3.2 does), or undefined when it cannot be used for this key.
 */
export interface NativeRsaPkcs1 {
  rsaPkcs1DecryptNative?: (pkcs8: Uint8Array, ciphertext: Uint8Array) => Uint8Array | undefined;
}

/**
 * RSAES-PKCS1-v1_5 decryption with implicit rejection: returns the key when the padding is right and its length
 * is one of `expectedLengths`, otherwise a synthetic key of the first expected length that depends only on the
 * private key and the ciphertext.
 */
export async function rsaPkcs1Decrypt(
  sealed: SealedKey,
  ciphertext: Uint8Array,
  expectedLengths: number[],
  crypto: CryptoEngine,
): Promise<Uint8Array> {
  const subtle = crypto.subtle ?? crypto;
  const pkcs8 = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: bs(sealed.iv) }, sealed.key, bs(sealed.data)));
  try {
    return await rsaPkcs1DecryptWithKey(pkcs8, ciphertext, expectedLengths, crypto);
  } finally {
    wipeAll(pkcs8);
  }
}

/** The decryption itself, with the PKCS#8 in hand (rsaPkcs1Decrypt unseals it; tests call this directly). */
export async function rsaPkcs1DecryptWithKey(
  pkcs8: Uint8Array,
  ciphertext: Uint8Array,
  expectedLengths: number[],
  crypto: CryptoEngine,
): Promise<Uint8Array> {
  const want = expectedLengths[0];
  let key: pkijs.RSAPrivateKey;
  try {
    key = pkijs.RSAPrivateKey.fromBER(bs(pkijs.PrivateKeyInfo.fromBER(buf(pkcs8)).privateKey.valueBlock.valueHexView));
  } catch {
    // Our own stored key does not parse: nothing secret to protect, and nothing to derive a synthetic key from.
    return crypto.getRandomValues(new Uint8Array(want));
  }
  const nBytes = stripLeadingZeros(intBytes(key.modulus));
  const k = nBytes.length;
  // Public facts, checked in the open (RFC 8017 §7.2.2 step 1): these reveal nothing about the key.
  if (bitLengthOfBytes(nBytes) > MAX_RSA_MODULUS_BITS || k < 11 || ciphertext.length !== k) {
    return crypto.getRandomValues(new Uint8Array(want));
  }
  const kdk = await keyDerivationKey(intBytes(key.privateExponent), k, ciphertext, crypto);
  const synthetic = (await irprf(kdk, 'message', Math.max(...expectedLengths), crypto)).subarray(0, want);

  const native = (crypto as NativeRsaPkcs1).rsaPkcs1DecryptNative;
  let decoded: Uint8Array | undefined;
  if (native) {
    try {
      decoded = native(pkcs8, ciphertext);
    } catch {
      decoded = undefined;
    }
  }
  if (decoded) {
    // OpenSSL's own implicit rejection already answered; a message of a length the content cipher cannot take
    // (its synthetic ones have random lengths) becomes our synthetic key, with no other difference.
    const ok = expectedLengths.includes(decoded.length);
    const out = ok ? decoded.slice() : synthetic.slice();
    wipeAll(decoded, synthetic);
    return out;
  }
  const em = rsaDecryptionPrimitive(key, toBig(ciphertext), k, crypto);
  try {
    return selectMessage(em, k, expectedLengths, synthetic);
  } finally {
    wipeAll(em, synthetic);
  }
}

/**
 * RSADP (RFC 8017 §5.1.2) with CRT, base and exponent blinding, and the result checked against the public
 * exponent. Returns the k-byte encoded message, or undefined (→ synthetic key) when the check fails.
 */
function rsaDecryptionPrimitive(key: pkijs.RSAPrivateKey, c: bigint, k: number, crypto: CryptoEngine): Uint8Array | undefined {
  const n = toBig(intBytes(key.modulus));
  const e = toBig(intBytes(key.publicExponent));
  if (c >= n) return undefined;
  const p = toBig(intBytes(key.prime1));
  const q = toBig(intBytes(key.prime2));
  const dp = toBig(intBytes(key.exponent1));
  const dq = toBig(intBytes(key.exponent2));
  const qinv = toBig(intBytes(key.coefficient));
  // Base blinding: work on c·r^e, so the exponentiation never sees the attacker's value.
  let r = 0n;
  while (r < 2n) r = toBig(crypto.getRandomValues(new Uint8Array(k))) % n;
  const rInv = modInverse(r, n);
  // r < n drawn at random is coprime with n = pq except with negligible probability; then draw again next time.
  if (rInv === undefined) return undefined;
  const blinded = (c * modPow(r, e, n)) % n;
  // Exponent blinding: dp + s·(p-1) gives the same result for any s, and the exponent's bits change every time.
  const s1 = toBig(crypto.getRandomValues(new Uint8Array(8))) | 1n;
  const s2 = toBig(crypto.getRandomValues(new Uint8Array(8))) | 1n;
  const m1 = modPow(blinded % p, dp + s1 * (p - 1n), p);
  const m2 = modPow(blinded % q, dq + s2 * (q - 1n), q);
  const h = (qinv * (((m1 - m2) % p) + p)) % p;
  const mBlinded = m2 + h * q;
  // A fault in one CRT half would give a value whose difference with the right one reveals a factor of n
  // (Boneh-DeMillo-Lipton): check it with the public exponent before anything is derived from it.
  if (modPow(mBlinded, e, n) !== blinded) return undefined;
  const m = (mBlinded * rInv) % n;
  return fromBig(m, k);
}

/**
 * EME-PKCS1-v1_5 decoding without branches on secret data: the result is the message when the padding is right
 * and its length is expected, otherwise the synthetic key; both are computed and one is picked by a mask.
 */
function selectMessage(em: Uint8Array | undefined, k: number, expectedLengths: number[], synthetic: Uint8Array): Uint8Array {
  const want = synthetic.length;
  if (!em) return synthetic.slice();
  let good = ctEq(em[0], 0) & ctEq(em[1], 2);
  let sep = 0;
  let found = 0;
  for (let i = 2; i < k; i++) {
    const zero = ctEq(em[i], 0);
    const first = zero & (found ^ 1);
    sep = (sep & ~-first) | (i & -first);
    found |= zero;
  }
  good &= found;
  good &= ctGe(sep, 10);
  const len = k - sep - 1;
  let lengthOk = 0;
  for (const l of expectedLengths) lengthOk |= ctEq(len, l);
  good &= lengthOk;
  // The output length must not depend on the padding either: expected lengths other than the first (several
  // content ciphers) are public once the content decrypts, so only then is the real length used.
  const outLen = good ? len : want;
  const out = new Uint8Array(outLen);
  const mask = -good & 0xff;
  for (let i = 0; i < outLen; i++) {
    const real = em[Math.min(sep + 1 + i, k - 1)];
    const fake = synthetic[Math.min(i, want - 1)];
    out[i] = (real & mask) | (fake & ~mask & 0xff);
  }
  return out;
}

function ctEq(a: number, b: number): number {
  const x = (a ^ b) >>> 0;
  return ((x - 1) >>> 31) & ((~x) >>> 31) & 1;
}

function ctGe(a: number, b: number): number {
  return ((a - b) >>> 31) ^ 1;
}

/** KDK = HMAC-SHA256(key = SHA-256(I2OSP(d, k)), C) (draft-irtf-cfrg-rsa-guidance §7.2 step 3.1; OpenSSL 3.2). */
async function keyDerivationKey(d: Uint8Array, k: number, ciphertext: Uint8Array, crypto: CryptoEngine): Promise<CryptoKey> {
  const subtle = crypto.subtle ?? crypto;
  const dk = new Uint8Array(k);
  const dv = stripLeadingZeros(d);
  dk.set(dv.subarray(Math.max(0, dv.length - k)), k - Math.min(k, dv.length));
  const dHash = new Uint8Array(await subtle.digest('SHA-256', dk));
  wipeAll(dk);
  const hmacKey = await subtle.importKey('raw', dHash, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  wipeAll(dHash);
  const kdk = new Uint8Array(await subtle.sign('HMAC', hmacKey, bs(ciphertext)));
  const out = await subtle.importKey('raw', kdk, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  wipeAll(kdk);
  return out;
}

/**
 * IRPRF(KDK, label, length) of draft-irtf-cfrg-rsa-guidance §7.1 (OpenSSL's ossl_rsa_prf): the concatenation of
 * HMAC-SHA256(KDK, I2OSP(i, 2) || label || I2OSP(8·length, 2)) for i = 0, 1, …, cut to `length` bytes.
 */
async function irprf(kdk: CryptoKey, label: string, length: number, crypto: CryptoEngine): Promise<Uint8Array> {
  const subtle = crypto.subtle ?? crypto;
  const l = new TextEncoder().encode(label);
  const bits = length * 8;
  const out = new Uint8Array(Math.ceil(length / 32) * 32);
  for (let i = 0; i * 32 < length; i++) {
    const block = new Uint8Array(2 + l.length + 2);
    block[0] = i >>> 8;
    block[1] = i & 0xff;
    block.set(l, 2);
    block[2 + l.length] = (bits >>> 8) & 0xff;
    block[3 + l.length] = bits & 0xff;
    out.set(new Uint8Array(await subtle.sign('HMAC', kdk, block)), i * 32);
  }
  return out.subarray(0, length);
}

function stripLeadingZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

/**
 * RSAES-PKCS1-v1_5 key transport (RFC 8017 §7.2), which WebCrypto does not offer but Thunderbird and Outlook use
 * by default for encrypted mail. Encryption needs only the recipient's public key. Decryption opens the sealed
 * PKCS#8 of the identity (keys/identity.ts) for this one operation and wipes the bytes afterwards.
 *
 * Defences: RSA blinding (the exponentiation never sees the attacker's ciphertext directly) and implicit
 * rejection: a bad padding yields a random key of the expected length instead of an error, so the caller fails
 * later and identically at content decryption (no Bleichenbacher padding oracle).
 * Limits: BigInt arithmetic is not constant time, and BigInt values cannot be wiped from memory.
 */
import * as pkijs from 'pkijs';
import type { CryptoEngine } from '../crypto';
import { bs, buf, wipeAll } from '../keys/bytes';
import type { SealedKey } from '../keys/identity';
import { rsaPublicKeyOf } from '../signature/key';
import { bigIntToBytes as fromBig, bytesToBigInt as toBig, modInverse, modPow } from '../bigint';

function intBytes(i: { valueBlock: { valueHexView: Uint8Array } }): Uint8Array {
  return i.valueBlock.valueHexView;
}

/** RSAES-PKCS1-v1_5 encryption of a content-encryption key. */
export function rsaPkcs1Encrypt(spki: pkijs.PublicKeyInfo, message: Uint8Array, crypto: CryptoEngine): Uint8Array {
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
 * RSAES-PKCS1-v1_5 decryption with implicit rejection: returns the key when the padding is right and its length
 * is one of `expectedLengths`, otherwise a random key of the first expected length.
 */
export async function rsaPkcs1Decrypt(
  sealed: SealedKey,
  ciphertext: Uint8Array,
  expectedLengths: number[],
  crypto: CryptoEngine,
): Promise<Uint8Array> {
  const subtle = crypto.subtle ?? crypto;
  const pkcs8 = new Uint8Array(await subtle.decrypt({ name: 'AES-GCM', iv: bs(sealed.iv) }, sealed.key, bs(sealed.data)));
  let em: Uint8Array | undefined;
  try {
    const info = pkijs.PrivateKeyInfo.fromBER(buf(pkcs8));
    const key = pkijs.RSAPrivateKey.fromBER(bs(info.privateKey.valueBlock.valueHexView));
    const n = toBig(intBytes(key.modulus));
    const e = toBig(intBytes(key.publicExponent));
    const k = Math.ceil(n.toString(16).length / 2);
    const c = toBig(ciphertext);
    if (ciphertext.length !== k || c >= n) return randomKey(expectedLengths[0], crypto);
    // Blinding: m = (c·r^e)^d · r^-1 mod n, computed with CRT.
    let r = 0n;
    while (r < 2n) r = toBig(crypto.getRandomValues(new Uint8Array(k))) % n;
    const blinded = (c * modPow(r, e, n)) % n;
    const p = toBig(intBytes(key.prime1));
    const q = toBig(intBytes(key.prime2));
    const dp = toBig(intBytes(key.exponent1));
    const dq = toBig(intBytes(key.exponent2));
    const qinv = toBig(intBytes(key.coefficient));
    const m1 = modPow(blinded % p, dp, p);
    const m2 = modPow(blinded % q, dq, q);
    const h = (qinv * (((m1 - m2) % p) + p)) % p;
    const mBlinded = m2 + h * q;
    // r < n was drawn at random: it is coprime with n except with negligible probability (n = pq).
    const m = (mBlinded * (modInverse(r, n) ?? 0n)) % n;
    em = fromBig(m, k);
    // Check the padding without early exits on the secret-dependent parts.
    let good = (em[0] === 0 ? 1 : 0) & (em[1] === 2 ? 1 : 0);
    let sep = 0;
    for (let i = 2; i < k; i++) if (sep === 0 && em[i] === 0) sep = i;
    good &= sep >= 10 ? 1 : 0;
    const len = k - sep - 1;
    good &= expectedLengths.includes(len) ? 1 : 0;
    const fallback = randomKey(expectedLengths.includes(len) ? len : expectedLengths[0], crypto);
    return good ? em.slice(sep + 1) : fallback;
  } catch {
    return randomKey(expectedLengths[0], crypto);
  } finally {
    wipeAll(pkcs8, em);
  }
}

function randomKey(len: number, crypto: CryptoEngine): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(len));
}

/**
 * RSA signatures: RSASSA-PKCS1-v1_5 and RSASSA-PSS (RFC 8017), through WebCrypto where it can, else in BigInt.
 *
 * WebCrypto lacks MD5 and SHA-224, and ties PSS' MGF1 hash to the message hash; those are checked here with the
 * RSA public operation and an exact comparison of the encoded message (PKCS #1 v1.5) or EMSA-PSS-VERIFY.
 * Public data only, so constant time does not matter. Keys go to WebCrypto under rsaEncryption, whatever OID
 * the certificate used (id-RSASSA-PSS keys hold the same RSAPublicKey).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CryptoEngine } from '../crypto';
import { DIGEST_OID_BY_NAME, OID, WEBCRYPTO_DIGESTS, digestName, type DigestName } from '../cms/algorithms';
import { bytesEqual, digest } from '../cms/digest';
import { bigIntToBytes, bytesToBigInt, modPow } from '../bigint';
import { isRsaKey, keyMismatch, rsaPublicKeyOf, spkiBytes } from './key';
import { importVerifyKey } from './key-cache';
import type { Buf, SignatureCheck, SignatureInput } from './types';

/** RSASSA-PSS parameters (RFC 4055 §3.1) as the checks use them, or why they cannot be used. */
export type PssParams =
  | { ok: true; hash: DigestName; mgfHash: DigestName; saltLength: number }
  | { ok: false; status: 'invalid' | 'unsupported'; hash?: DigestName; detail: string };

export function pssParams(algorithm: pkijs.AlgorithmIdentifier): PssParams {
  let params: pkijs.RSASSAPSSParams;
  try {
    params = algorithm.algorithmParams
      ? new pkijs.RSASSAPSSParams({ schema: algorithm.algorithmParams })
      : new pkijs.RSASSAPSSParams();
  } catch {
    return { ok: false, status: 'invalid', detail: 'the RSASSA-PSS parameters are malformed' };
  }
  const hash = digestName(params.hashAlgorithm.algorithmId);
  if (!hash || hash === 'MD5') {
    return { ok: false, status: 'unsupported', detail: `RSASSA-PSS with hash ${hash ?? params.hashAlgorithm.algorithmId}` };
  }
  if (params.maskGenAlgorithm.algorithmId !== OID.mgf1) {
    return { ok: false, status: 'unsupported', hash, detail: `RSASSA-PSS mask generation ${params.maskGenAlgorithm.algorithmId}` };
  }
  let mgfHash: DigestName | undefined;
  try {
    mgfHash = digestName(new pkijs.AlgorithmIdentifier({ schema: params.maskGenAlgorithm.algorithmParams }).algorithmId);
  } catch {
    return { ok: false, status: 'invalid', hash, detail: 'the RSASSA-PSS MGF1 parameters are malformed' };
  }
  if (!mgfHash || mgfHash === 'MD5') return { ok: false, status: 'unsupported', hash, detail: 'RSASSA-PSS with an unknown MGF1 hash' };
  if (params.trailerField !== 1) return { ok: false, status: 'invalid', hash, detail: 'RSASSA-PSS trailer field is not 1' };
  if (params.saltLength < 0 || params.saltLength > 1024) {
    return { ok: false, status: 'invalid', hash, detail: 'RSASSA-PSS salt length out of range' };
  }
  return { ok: true, hash, mgfHash, saltLength: params.saltLength };
}

/** An RSA key under rsaEncryption, whatever OID the certificate used. */
function rsaSpki(spki: pkijs.PublicKeyInfo): Buf {
  const plain = new pkijs.PublicKeyInfo({
    algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() }),
    subjectPublicKey: spki.subjectPublicKey,
  });
  return spkiBytes(plain);
}

function modulusLength(key: CryptoKey): number | undefined {
  const alg = key.algorithm as Partial<RsaHashedKeyAlgorithm>;
  return typeof alg.modulusLength === 'number' ? alg.modulusLength : undefined;
}

export async function verifyRsaPkcs1(
  input: SignatureInput,
  hash: DigestName | undefined,
  crypto: CryptoEngine,
): Promise<SignatureCheck> {
  const scheme = 'RSASSA-PKCS1-v1_5' as const;
  if (!hash) return { status: 'unsupported', scheme, detail: 'no digest algorithm given for the RSA signature' };
  if (!isRsaKey(input.publicKey)) return keyMismatch(scheme, input.publicKey);
  // RFC 4055 §1.2: a key published under id-RSASSA-PSS may only make PSS signatures.
  if (input.publicKey.algorithm.algorithmId === OID.rsassaPss) {
    return { status: 'invalid', scheme, hash, detail: 'the certificate restricts its key to RSASSA-PSS, but the signature claims PKCS #1 v1.5' };
  }
  if (!WEBCRYPTO_DIGESTS.has(hash)) return verifyRsaPkcs1Js(input, hash, crypto);
  const key = await importVerifyKey(crypto, input.publicKey, { name: 'RSASSA-PKCS1-v1_5', hash }, () => rsaSpki(input.publicKey));
  const ok = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, input.signature as Buf, input.data as Buf);
  return { status: ok ? 'valid' : 'invalid', scheme, hash, rsaBits: modulusLength(key) };
}

export async function verifyRsaPss(input: SignatureInput, crypto: CryptoEngine): Promise<SignatureCheck> {
  const scheme = 'RSA-PSS' as const;
  if (!isRsaKey(input.publicKey)) return keyMismatch(scheme, input.publicKey);
  const params = pssParams(input.algorithm);
  if (!params.ok) return { status: params.status, scheme, hash: params.hash, detail: params.detail };
  const { hash, mgfHash, saltLength } = params;
  // WebCrypto ties the MGF1 hash to the message hash and knows no SHA-224: those go the BigInt way.
  if (mgfHash !== hash || !WEBCRYPTO_DIGESTS.has(hash)) return verifyRsaPssJs(input, hash, mgfHash, saltLength, crypto);
  const key = await importVerifyKey(crypto, input.publicKey, { name: 'RSA-PSS', hash }, () => rsaSpki(input.publicKey));
  const ok = await crypto.subtle.verify(
    { name: 'RSA-PSS', saltLength } as RsaPssParams,
    key,
    input.signature as Buf,
    input.data as Buf,
  );
  return { status: ok ? 'valid' : 'invalid', scheme, hash, rsaBits: modulusLength(key) };
}

/** The RSA public operation s^e mod n (RFC 8017 §5.2.2 RSAVP1), with I2OSP to the modulus length k. */
function rsaPublic(input: SignatureInput): { em: Uint8Array; k: number; bits: number } | { error: string; bits?: number } {
  const key = rsaPublicKeyOf(input.publicKey);
  if (!key) return { error: 'the RSA public key is malformed' };
  const { n, e, k, bits } = key;
  // Real exponents are small (65537); a huge one would only make the exponentiation slow.
  if (n === 0n || e > 0xffffffffn || e < 3n) return { error: 'the RSA public key is unusual (modulus or exponent)', bits };
  if (input.signature.length !== k) return { error: 'the signature length does not match the key', bits };
  const s = bytesToBigInt(input.signature);
  if (s >= n) return { error: 'the signature value is out of range', bits };
  return { em: bigIntToBytes(modPow(s, e, n), k), k, bits };
}

/** RSASSA-PKCS1-v1_5 for digests WebCrypto lacks (RFC 8017 §8.2.2 with EMSA-PKCS1-v1_5 encoding compared exactly). */
async function verifyRsaPkcs1Js(input: SignatureInput, hash: DigestName, crypto: CryptoEngine): Promise<SignatureCheck> {
  const scheme = 'RSASSA-PKCS1-v1_5' as const;
  const op = rsaPublic(input);
  if ('error' in op) return { status: 'invalid', scheme, hash, rsaBits: op.bits, detail: op.error };
  const expected = emsaPkcs1(hash, await digest(hash, input.data, crypto), op.k);
  if (!expected) return { status: 'invalid', scheme, hash, rsaBits: op.bits, detail: 'the RSA key is too small' };
  return { status: bytesEqual(op.em, expected) ? 'valid' : 'invalid', scheme, hash, rsaBits: op.bits };
}

/**
 * RSASSA-PSS for what WebCrypto cannot express: an MGF1 hash other than the message hash (e.g. the
 * RFC 4055 default MGF1-SHA-1 with SHA-256), or SHA-224. RFC 8017 §8.1.2 / §9.1.2 EMSA-PSS-VERIFY.
 */
async function verifyRsaPssJs(
  input: SignatureInput,
  hash: DigestName,
  mgfHash: DigestName,
  saltLength: number,
  crypto: CryptoEngine,
): Promise<SignatureCheck> {
  const scheme = 'RSA-PSS' as const;
  const op = rsaPublic(input);
  if ('error' in op) return { status: 'invalid', scheme, hash, rsaBits: op.bits, detail: op.error };
  const invalid = (detail?: string): SignatureCheck => ({ status: 'invalid', scheme, hash, rsaBits: op.bits, detail });
  const emBits = op.bits - 1;
  const emLen = Math.ceil(emBits / 8);
  // I2OSP(m, emLen): with emBits = modBits - 1 the leading byte of the k-byte form is zero when emLen < k.
  if (op.k > emLen && op.em[0] !== 0) return invalid();
  const em = op.em.subarray(op.k - emLen);
  const mHash = await digest(hash, input.data, crypto);
  const hLen = mHash.length;
  if (emLen < hLen + saltLength + 2) return invalid();
  if (em[emLen - 1] !== 0xbc) return invalid();
  const maskedDb = em.subarray(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  const zeroBits = 8 * emLen - emBits;
  const topMask = (0xff << (8 - zeroBits)) & 0xff;
  if (maskedDb[0] & topMask) return invalid();
  const dbMask = await mgf1(mgfHash, h, maskedDb.length, crypto);
  const db = maskedDb.map((b, i) => b ^ dbMask[i]);
  db[0] &= ~topMask & 0xff;
  const psLen = emLen - hLen - saltLength - 2;
  for (let i = 0; i < psLen; i++) if (db[i] !== 0) return invalid();
  if (db[psLen] !== 0x01) return invalid();
  const salt = db.subarray(db.length - saltLength);
  const mPrime = new Uint8Array(8 + hLen + saltLength);
  mPrime.set(mHash, 8);
  mPrime.set(salt, 8 + hLen);
  const hPrime = await digest(hash, mPrime, crypto);
  return { status: bytesEqual(h, hPrime) ? 'valid' : 'invalid', scheme, hash, rsaBits: op.bits };
}

async function mgf1(hash: DigestName, seed: Uint8Array, length: number, crypto: CryptoEngine): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  const block = new Uint8Array(seed.length + 4);
  block.set(seed);
  let filled = 0;
  for (let counter = 0; filled < length; counter++) {
    block[seed.length] = counter >>> 24;
    block[seed.length + 1] = (counter >>> 16) & 0xff;
    block[seed.length + 2] = (counter >>> 8) & 0xff;
    block[seed.length + 3] = counter & 0xff;
    const t = await digest(hash, block, crypto);
    out.set(t.subarray(0, Math.min(t.length, length - filled)), filled);
    filled += t.length;
  }
  return out;
}

function emsaPkcs1(hash: DigestName, h: Uint8Array, k: number): Uint8Array | undefined {
  // DigestInfo ::= SEQUENCE { AlgorithmIdentifier { oid, NULL }, OCTET STRING h }
  const digestInfo = new Uint8Array(
    new asn1js.Sequence({
      value: [
        new asn1js.Sequence({
          value: [new asn1js.ObjectIdentifier({ value: DIGEST_OID_BY_NAME[hash] }), new asn1js.Null()],
        }),
        new asn1js.OctetString({ valueHex: h }),
      ],
    }).toBER(false),
  );
  const psLen = k - digestInfo.length - 3;
  if (psLen < 8) return undefined;
  const em = new Uint8Array(k);
  em[0] = 0x00;
  em[1] = 0x01;
  em.fill(0xff, 2, 2 + psLen);
  em[2 + psLen] = 0x00;
  em.set(digestInfo, 3 + psLen);
  return em;
}

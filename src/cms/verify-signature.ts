/**
 * Verify one signature value over bytes with a subject public key, given the signature AlgorithmIdentifier.
 * Used for SignerInfo signatures and for certificate self-signatures (certs/details.ts).
 *
 * Goes to WebCrypto's subtle directly rather than pkijs' CryptoEngine.importKey, which converts keys via JWK
 * and knows neither Ed25519 nor RSA keys under the id-RSASSA-PSS OID. Hashes WebCrypto lacks for RSA
 * (MD5, SHA-224) are checked with a BigInt RSA public operation and an exact EMSA-PKCS1-v1_5 comparison —
 * public data only, so constant time does not matter.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CryptoEngine } from '../crypto';
import {
  CURVES,
  DIGEST_OID_BY_NAME,
  OID,
  WEBCRYPTO_DIGESTS,
  curveName,
  digestName,
  signatureAlgorithmInfo,
  type DigestName,
  type SignatureScheme,
} from './algorithms';
import { bytesEqual, digest } from './digest';
import { errorText } from './errors';
import { bigIntToBytes as fromBigInt, bytesToBigInt as toBigInt, modPow } from '../bigint';

export interface SignatureCheck {
  status: 'valid' | 'invalid' | 'unsupported';
  scheme?: SignatureScheme;
  /** The digest the signature itself was computed with (may differ from the content digest). */
  hash?: DigestName;
  /** RSA modulus length in bits, for weak-key reporting. */
  rsaBits?: number;
  /** Why, for invalid/unsupported, in plain words. */
  detail?: string;
}

export interface SignatureInput {
  algorithm: pkijs.AlgorithmIdentifier;
  /** Digest to use when the algorithm names only the key type (rsaEncryption, id-ecPublicKey). */
  fallbackDigest?: DigestName;
  publicKey: pkijs.PublicKeyInfo;
  signature: Uint8Array;
  data: Uint8Array;
}

type Buf = Uint8Array<ArrayBuffer>;

export async function verifySignature(input: SignatureInput, crypto: CryptoEngine): Promise<SignatureCheck> {
  const oid = input.algorithm.algorithmId;
  const info = signatureAlgorithmInfo(oid);
  if (!info) return { status: 'unsupported', detail: `unknown signature algorithm ${oid}` };
  try {
    switch (info.scheme) {
      case 'RSASSA-PKCS1-v1_5':
        return await verifyRsaPkcs1(input, info.hash ?? input.fallbackDigest, crypto);
      case 'RSA-PSS':
        return await verifyRsaPss(input, crypto);
      case 'ECDSA':
        return await verifyEcdsa(input, info.hash ?? input.fallbackDigest, crypto);
      case 'Ed25519':
        return await verifyEd25519(input, crypto);
      default:
        return { status: 'unsupported', scheme: info.scheme, detail: `${info.name} signatures are not supported` };
    }
  } catch (e) {
    // WebCrypto throws for a key it cannot import (bad encoding, key/algorithm mismatch): the signature
    // cannot be valid with that key, but the engine might just lack the algorithm.
    const name = (e as { name?: string })?.name;
    if (name === 'NotSupportedError') {
      return { status: 'unsupported', scheme: info.scheme, detail: `${info.name}: ${errorText(e)}` };
    }
    return { status: 'invalid', scheme: info.scheme, detail: `the public key could not be used: ${errorText(e)}` };
  }
}

function spkiBytes(spki: pkijs.PublicKeyInfo): Buf {
  return new Uint8Array(spki.toSchema().toBER(false));
}

/** An RSA key under rsaEncryption, whatever OID the certificate used (id-RSASSA-PSS keys hold the same RSAPublicKey). */
function rsaSpki(spki: pkijs.PublicKeyInfo): Buf {
  const plain = new pkijs.PublicKeyInfo({
    algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() }),
    subjectPublicKey: spki.subjectPublicKey,
  });
  return spkiBytes(plain);
}

function isRsaKey(spki: pkijs.PublicKeyInfo): boolean {
  return spki.algorithm.algorithmId === OID.rsaEncryption || spki.algorithm.algorithmId === OID.rsassaPss;
}

async function verifyRsaPkcs1(
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
  const key = await crypto.subtle.importKey(
    'spki',
    rsaSpki(input.publicKey),
    { name: 'RSASSA-PKCS1-v1_5', hash },
    false,
    ['verify'],
  );
  const ok = await crypto.subtle.verify('RSASSA-PKCS1-v1_5', key, input.signature as Buf, input.data as Buf);
  return { status: ok ? 'valid' : 'invalid', scheme, hash, rsaBits: modulusLength(key) };
}

function modulusLength(key: CryptoKey): number | undefined {
  const alg = key.algorithm as Partial<RsaHashedKeyAlgorithm>;
  return typeof alg.modulusLength === 'number' ? alg.modulusLength : undefined;
}

/**
 * The RSA public operation s^e mod n in BigInt (RFC 8017 §5.2.2 RSAVP1 with I2OSP to `emLen` bytes), for the
 * paddings WebCrypto cannot check. Public data only, so constant time does not matter.
 */
function rsaPublic(input: SignatureInput): { em: Uint8Array; k: number; bits: number } | { error: string; bits?: number } {
  const parsed = asn1js.fromBER(input.publicKey.subjectPublicKey.valueBlock.valueHexView);
  if (parsed.offset === -1) return { error: 'the RSA public key is malformed' };
  let rsa: pkijs.RSAPublicKey;
  try {
    rsa = new pkijs.RSAPublicKey({ schema: parsed.result });
  } catch {
    return { error: 'the RSA public key is malformed' };
  }
  const nBytes = stripZeros(rsa.modulus.valueBlock.valueHexView);
  const n = toBigInt(nBytes);
  const e = toBigInt(rsa.publicExponent.valueBlock.valueHexView);
  const k = nBytes.length;
  const bits = n === 0n ? 0 : n.toString(2).length;
  // Real exponents are small (65537); a huge one would only make the exponentiation slow.
  if (n === 0n || e > 0xffffffffn || e < 3n) return { error: 'the RSA public key is unusual (modulus or exponent)', bits };
  if (input.signature.length !== k) return { error: 'the signature length does not match the key', bits };
  const s = toBigInt(input.signature);
  if (s >= n) return { error: 'the signature value is out of range', bits };
  return { em: fromBigInt(modPow(s, e, n), k), k, bits };
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

async function verifyRsaPss(input: SignatureInput, crypto: CryptoEngine): Promise<SignatureCheck> {
  const scheme = 'RSA-PSS' as const;
  if (!isRsaKey(input.publicKey)) return keyMismatch(scheme, input.publicKey);
  let params: pkijs.RSASSAPSSParams;
  try {
    params = input.algorithm.algorithmParams
      ? new pkijs.RSASSAPSSParams({ schema: input.algorithm.algorithmParams })
      : new pkijs.RSASSAPSSParams();
  } catch {
    return { status: 'invalid', scheme, detail: 'the RSASSA-PSS parameters are malformed' };
  }
  const hash = digestName(params.hashAlgorithm.algorithmId);
  if (!hash || hash === 'MD5') {
    return { status: 'unsupported', scheme, detail: `RSASSA-PSS with hash ${hash ?? params.hashAlgorithm.algorithmId}` };
  }
  if (params.maskGenAlgorithm.algorithmId !== OID.mgf1) {
    return { status: 'unsupported', scheme, hash, detail: `RSASSA-PSS mask generation ${params.maskGenAlgorithm.algorithmId}` };
  }
  let mgfHash: DigestName | undefined;
  try {
    mgfHash = digestName(new pkijs.AlgorithmIdentifier({ schema: params.maskGenAlgorithm.algorithmParams }).algorithmId);
  } catch {
    return { status: 'invalid', scheme, hash, detail: 'the RSASSA-PSS MGF1 parameters are malformed' };
  }
  if (!mgfHash || mgfHash === 'MD5') return { status: 'unsupported', scheme, hash, detail: 'RSASSA-PSS with an unknown MGF1 hash' };
  if (params.trailerField !== 1) return { status: 'invalid', scheme, hash, detail: 'RSASSA-PSS trailer field is not 1' };
  if (params.saltLength < 0 || params.saltLength > 1024) {
    return { status: 'invalid', scheme, hash, detail: 'RSASSA-PSS salt length out of range' };
  }
  // WebCrypto ties the MGF1 hash to the message hash and knows no SHA-224: those go the BigInt way.
  if (mgfHash !== hash || !WEBCRYPTO_DIGESTS.has(hash)) {
    return verifyRsaPssJs(input, hash, mgfHash, params.saltLength, crypto);
  }
  const key = await crypto.subtle.importKey('spki', rsaSpki(input.publicKey), { name: 'RSA-PSS', hash }, false, [
    'verify',
  ]);
  const ok = await crypto.subtle.verify(
    { name: 'RSA-PSS', saltLength: params.saltLength } as RsaPssParams,
    key,
    input.signature as Buf,
    input.data as Buf,
  );
  return { status: ok ? 'valid' : 'invalid', scheme, hash, rsaBits: modulusLength(key) };
}

async function verifyEcdsa(
  input: SignatureInput,
  hash: DigestName | undefined,
  crypto: CryptoEngine,
): Promise<SignatureCheck> {
  const scheme = 'ECDSA' as const;
  if (input.publicKey.algorithm.algorithmId !== OID.ecPublicKey) return keyMismatch(scheme, input.publicKey);
  const params = input.publicKey.algorithm.algorithmParams as asn1js.AsnType | undefined;
  const curveOid = params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : '';
  const curve = CURVES[curveOid];
  if (!curve) return { status: 'unsupported', scheme, detail: `ECDSA on curve ${curveName(curveOid) || 'with explicit parameters'}` };
  if (!hash || !WEBCRYPTO_DIGESTS.has(hash)) {
    return { status: 'unsupported', scheme, detail: `ECDSA with ${hash ?? 'no digest'}` };
  }
  const raw = ecdsaDerToRaw(input.signature, curve.size);
  if (!raw) return { status: 'invalid', scheme, hash, detail: 'the ECDSA signature value is malformed' };
  const key = await crypto.subtle.importKey(
    'spki',
    spkiBytes(input.publicKey),
    { name: 'ECDSA', namedCurve: curve.name },
    false,
    ['verify'],
  );
  const ok = await crypto.subtle.verify({ name: 'ECDSA', hash }, key, raw as Buf, input.data as Buf);
  return { status: ok ? 'valid' : 'invalid', scheme, hash };
}

/** Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } → r||s, each left-padded to the curve size. */
export function ecdsaDerToRaw(sig: Uint8Array, size: number): Uint8Array | undefined {
  const parsed = asn1js.fromBER(sig);
  if (parsed.offset !== sig.length) return undefined;
  const seq = parsed.result;
  if (!(seq instanceof asn1js.Sequence) || seq.valueBlock.value.length !== 2) return undefined;
  const out = new Uint8Array(size * 2);
  for (let i = 0; i < 2; i++) {
    const int = seq.valueBlock.value[i];
    if (!(int instanceof asn1js.Integer)) return undefined;
    const v = stripZeros(int.valueBlock.valueHexView);
    if (v.length > size) return undefined;
    out.set(v, size * (i + 1) - v.length);
  }
  return out;
}

async function verifyEd25519(input: SignatureInput, crypto: CryptoEngine): Promise<SignatureCheck> {
  const scheme = 'Ed25519' as const;
  if (input.publicKey.algorithm.algorithmId !== OID.ed25519) return keyMismatch(scheme, input.publicKey);
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('spki', spkiBytes(input.publicKey), { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    const name = (e as { name?: string })?.name;
    // Runtimes without Ed25519 in WebCrypto say NotSupportedError (or TypeError for an unknown name).
    if (name === 'NotSupportedError' || e instanceof TypeError) {
      return { status: 'unsupported', scheme, detail: 'Ed25519 is not available in this runtime' };
    }
    return { status: 'invalid', scheme, detail: `the Ed25519 public key could not be used: ${errorText(e)}` };
  }
  const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, input.signature as Buf, input.data as Buf);
  return { status: ok ? 'valid' : 'invalid', scheme, hash: 'SHA-512' };
}

function keyMismatch(scheme: SignatureScheme, spki: pkijs.PublicKeyInfo): SignatureCheck {
  return {
    status: 'invalid',
    scheme,
    detail: `the certificate's key (${spki.algorithm.algorithmId}) does not fit a ${scheme} signature`,
  };
}

function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}




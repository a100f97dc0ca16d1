/**
 * Public keys as the signature checks need them: SPKI bytes for WebCrypto, sizes for weak-key policy, and the
 * working public key of RFC 5280 §6.1 (a DSA key without domain parameters inherits its issuer's).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID, type SignatureScheme } from '../cms/algorithms';
import { bytesToBigInt } from '../bigint';
import { MAX_RSA_MODULUS_BITS, bitLengthOfBytes } from './limits';
import type { Buf, DsaParams, SignatureCheck } from './types';

/** The working public key of RFC 5280 §6.1: the SPKI plus inherited DSA parameters when absent in it. */
/** RSA keys shorter than this are never trusted unless a policy sets another minimum (algorithms.minRsaBits). */
export const DEFAULT_MIN_RSA_BITS = 2048;

export interface WorkingKey {
  spki: pkijs.PublicKeyInfo;
  dsaParams?: DsaParams;
}

/** An RSA public key's integers: modulus n, exponent e, k = the modulus length in bytes, bits = its bit length. */
export interface RsaPublicKey {
  n: bigint;
  e: bigint;
  k: number;
  bits: number;
}

/**
 * The RSAPublicKey inside an RSA SubjectPublicKeyInfo (RFC 8017 A.1.1), for the operations WebCrypto lacks (PKCS#1
 * v1.5 signatures with other digests, PKCS#1 v1.5 key transport). Undefined when it does not parse, or when the
 * modulus is over MAX_RSA_MODULUS_BITS (refused before it becomes a BigInt: see limits.ts); exponents are judged
 * by the caller.
 */
export function rsaPublicKeyOf(spki: pkijs.PublicKeyInfo): RsaPublicKey | undefined {
  const parsed = asn1js.fromBER(spki.subjectPublicKey.valueBlock.valueHexView);
  if (parsed.offset === -1) return undefined;
  let rsa: pkijs.RSAPublicKey;
  try {
    rsa = new pkijs.RSAPublicKey({ schema: parsed.result });
  } catch {
    return undefined;
  }
  const nBytes = stripZeros(rsa.modulus.valueBlock.valueHexView);
  const bits = bitLengthOfBytes(nBytes);
  const eBytes = stripZeros(rsa.publicExponent.valueBlock.valueHexView);
  if (bits > MAX_RSA_MODULUS_BITS || eBytes.length > nBytes.length) return undefined;
  return { n: bytesToBigInt(nBytes), e: bytesToBigInt(eBytes), k: nBytes.length, bits };
}

/**
 * An RSA key's modulus size in bits, read from its bytes (no arithmetic), or undefined when the key is not RSA or
 * does not parse. What the MAX_RSA_MODULUS_BITS ceiling and weak-key rules judge.
 */
export function rsaModulusBits(spki: pkijs.PublicKeyInfo): number | undefined {
  if (!isRsaKey(spki)) return undefined;
  let asn: asn1js.FromBerResult;
  try {
    asn = asn1js.fromBER(spki.subjectPublicKey.valueBlock.valueHexView);
  } catch {
    return undefined; // asn1js throws for some malformed strings (cms/ber.ts); such a key is unreadable
  }
  const mod = asn.offset !== -1 && asn.result instanceof asn1js.Sequence ? asn.result.valueBlock.value[0] : undefined;
  return mod instanceof asn1js.Integer ? bitLengthOfBytes(mod.valueBlock.valueHexView) : undefined;
}

/** The refusal of an RSA key over MAX_RSA_MODULUS_BITS, in plain words; undefined for any other key. */
export function rsaKeyTooLarge(spki: pkijs.PublicKeyInfo): { bits: number; detail: string } | undefined {
  const bits = rsaModulusBits(spki);
  if (bits === undefined || bits <= MAX_RSA_MODULUS_BITS) return undefined;
  return { bits, detail: `the RSA key has ${bits} bits, more than the ${MAX_RSA_MODULUS_BITS} bits any real key has, so it is not used` };
}

export function isDsaKey(spki: pkijs.PublicKeyInfo): boolean {
  return spki.algorithm.algorithmId === OID.dsa;
}

/** DSA domain parameters from an SPKI, or undefined when absent (inherited) or unreadable. */
export function dsaParamsOf(spki: pkijs.PublicKeyInfo): DsaParams | undefined {
  if (!isDsaKey(spki)) return undefined;
  const params = spki.algorithm.algorithmParams;
  if (!(params instanceof asn1js.Sequence) || params.valueBlock.value.length !== 3) return undefined;
  const [p, q, g] = params.valueBlock.value.map(unsignedInteger);
  if (p === undefined || q === undefined || g === undefined) return undefined;
  return { p, q, g };
}

/** A non-negative ASN.1 INTEGER as a bigint; undefined for anything else (a negative value is never valid here). */
export function unsignedInteger(block: asn1js.AsnType | undefined): bigint | undefined {
  if (!(block instanceof asn1js.Integer)) return undefined;
  const v = block.valueBlock.valueHexView;
  if (v.length > 0 && v[0] & 0x80) return undefined;
  return bytesToBigInt(v);
}

/** The next working key (RFC 5280 §6.1.4 (d)-(f)): a DSA key without parameters inherits them. */
export function nextWorkingKey(spki: pkijs.PublicKeyInfo, previous: WorkingKey): WorkingKey {
  if (!isDsaKey(spki)) return { spki };
  const own = dsaParamsOf(spki);
  if (own) return { spki, dsaParams: own };
  return { spki, dsaParams: isDsaKey(previous.spki) ? previous.dsaParams : undefined };
}

/** The working key of the first certificate of a leaf-first chain, folding nextWorkingKey from its top down. */
export function leafWorkingKey(chain: pkijs.Certificate[]): WorkingKey | undefined {
  if (chain.length === 0) return undefined;
  let key: WorkingKey = { spki: chain[chain.length - 1].subjectPublicKeyInfo };
  for (let i = chain.length - 1; i >= 0; i--) key = nextWorkingKey(chain[i].subjectPublicKeyInfo, key);
  return key;
}

export function sameDsaParams(a: DsaParams | undefined, b: DsaParams | undefined): boolean {
  return !!a && !!b && a.p === b.p && a.q === b.q && a.g === b.g;
}

export function spkiBytes(spki: pkijs.PublicKeyInfo): Buf {
  return new Uint8Array(spki.toSchema().toBER(false));
}

export function isRsaKey(spki: pkijs.PublicKeyInfo): boolean {
  return spki.algorithm.algorithmId === OID.rsaEncryption || spki.algorithm.algorithmId === OID.rsassaPss;
}

/** Modulus (RSA) or p (DSA) size in bits; undefined for other key types or when unreadable. */
export function publicKeyBits(key: WorkingKey): number | undefined {
  if (isRsaKey(key.spki)) return rsaModulusBits(key.spki);
  if (isDsaKey(key.spki)) {
    const p = key.dsaParams ?? dsaParamsOf(key.spki);
    return p ? p.p.toString(2).length : undefined;
  }
  return undefined;
}

/** Big-endian unsigned bytes without leading zero bytes (one zero byte stays for the value zero). */
export function stripZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
}

export function keyMismatch(scheme: SignatureScheme, spki: pkijs.PublicKeyInfo): SignatureCheck {
  return {
    status: 'invalid',
    scheme,
    detail: `the certificate's key (${spki.algorithm.algorithmId}) does not fit a ${scheme} signature`,
  };
}

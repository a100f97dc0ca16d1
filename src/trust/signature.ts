/**
 * Verifying the signature of a certificate or CRL with an issuer's public key, through the crypto engine's
 * WebCrypto (RSA PKCS#1 v1.5, RSA-PSS, ECDSA, Ed25519). DSA is not in WebCrypto; it is verified here with
 * BigInt arithmetic (FIPS 186 §4.7), because DSA keys may inherit their domain parameters from the issuer
 * (RFC 5280 §6.1.4 (f)) and old hierarchies such as NIST PKITS still use it. Hashing goes through WebCrypto.
 *
 * MD5 (and MD2) are always refused; SHA-1 only with `allowSha1`; RSA/DSA keys under 1024 bits always.
 * SHA-224 is not in WebCrypto: unsupported.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CryptoEngine } from '../crypto';
import { bytesToBigInt, modInverse, modPow } from '../bigint';

export interface DsaParams {
  p: bigint;
  q: bigint;
  g: bigint;
}

/** The working public key of RFC 5280 §6.1: the SPKI plus inherited DSA parameters when absent in it. */
export interface WorkingKey {
  spki: pkijs.PublicKeyInfo;
  dsaParams?: DsaParams;
}

export type SigCheck =
  | { ok: true }
  | { ok: false; why: 'bad' | 'weak' | 'unsupported'; algorithm: string };

const OID_DSA_KEY = '1.2.840.10040.4.1';
const OID_EC_KEY = '1.2.840.10045.2.1';
const OID_RSA_PSS = '1.2.840.113549.1.1.10';
const OID_ED25519 = '1.3.101.112';

interface AlgInfo {
  name: string;
  kind: 'rsa' | 'pss' | 'ecdsa' | 'ed25519' | 'dsa' | 'weak';
  hash?: 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';
}

const ALGS: Record<string, AlgInfo> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', kind: 'weak' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', kind: 'weak' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', kind: 'rsa', hash: 'SHA-1' },
  '1.3.14.3.2.29': { name: 'sha1WithRSAEncryption', kind: 'rsa', hash: 'SHA-1' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', kind: 'rsa', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', kind: 'rsa', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', kind: 'rsa', hash: 'SHA-512' },
  [OID_RSA_PSS]: { name: 'RSASSA-PSS', kind: 'pss' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', kind: 'ecdsa', hash: 'SHA-1' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', kind: 'ecdsa', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', kind: 'ecdsa', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', kind: 'ecdsa', hash: 'SHA-512' },
  [OID_ED25519]: { name: 'Ed25519', kind: 'ed25519' },
  '1.2.840.10040.4.3': { name: 'dsa-with-SHA1', kind: 'dsa', hash: 'SHA-1' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa-with-SHA256', kind: 'dsa', hash: 'SHA-256' },
};

const HASH_OIDS: Record<string, AlgInfo['hash']> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

const CURVES: Record<string, { name: string; size: number }> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', size: 32 },
  '1.3.132.0.34': { name: 'P-384', size: 48 },
  '1.3.132.0.35': { name: 'P-521', size: 66 },
};

export function signatureAlgorithmName(oid: string): string {
  return ALGS[oid]?.name ?? oid;
}


function intOf(block: asn1js.AsnType | undefined): bigint | undefined {
  if (!(block instanceof asn1js.Integer)) return undefined;
  const v = block.valueBlock.valueHexView;
  if (v.length > 0 && v[0] & 0x80) return undefined; // negative: never valid here
  return bytesToBigInt(v);
}



/** DSA domain parameters from an SPKI, or undefined when absent (inherited). */
export function dsaParamsOf(spki: pkijs.PublicKeyInfo): DsaParams | undefined {
  if (spki.algorithm.algorithmId !== OID_DSA_KEY) return undefined;
  const p = spki.algorithm.algorithmParams;
  if (!(p instanceof asn1js.Sequence) || p.valueBlock.value.length !== 3) return undefined;
  const [P, Q, G] = p.valueBlock.value.map(intOf);
  if (P === undefined || Q === undefined || G === undefined) return undefined;
  return { p: P, q: Q, g: G };
}

export function isDsaKey(spki: pkijs.PublicKeyInfo): boolean {
  return spki.algorithm.algorithmId === OID_DSA_KEY;
}

/** The next working key (RFC 5280 §6.1.4 (d)-(f)): a DSA key without parameters inherits them. */
export function nextWorkingKey(spki: pkijs.PublicKeyInfo, previous: WorkingKey): WorkingKey {
  if (!isDsaKey(spki)) return { spki };
  const own = dsaParamsOf(spki);
  if (own) return { spki, dsaParams: own };
  return { spki, dsaParams: isDsaKey(previous.spki) ? previous.dsaParams : undefined };
}

async function verifyDsa(
  crypto: CryptoEngine,
  hash: string,
  key: WorkingKey,
  data: ArrayBuffer,
  sigBuf: ArrayBuffer,
): Promise<boolean> {
  const params = key.dsaParams ?? dsaParamsOf(key.spki);
  if (!params) return false;
  const yAsn = asn1js.fromBER(key.spki.subjectPublicKey.valueBlock.valueHexView.slice().buffer);
  const y = yAsn.offset === -1 ? undefined : intOf(yAsn.result);
  const sAsn = asn1js.fromBER(sigBuf);
  if (y === undefined || sAsn.offset === -1 || !(sAsn.result instanceof asn1js.Sequence)) return false;
  const [r, s] = sAsn.result.valueBlock.value.map(intOf);
  const { p, q, g } = params;
  // Bound the work: refuse absurd parameter sizes before exponentiating.
  if (r === undefined || s === undefined || p.toString(2).length > 4096 || q.toString(2).length > 512) return false;
  if (r <= 0n || r >= q || s <= 0n || s >= q) return false;
  const digest = new Uint8Array(await crypto.digest({ name: hash }, data));
  const qBits = q.toString(2).length;
  let z = bytesToBigInt(digest.subarray(0, Math.ceil(qBits / 8)));
  const extra = Math.min(digest.length, Math.ceil(qBits / 8)) * 8 - qBits;
  if (extra > 0) z >>= BigInt(extra);
  const w = modInverse(s, q);
  if (w === undefined) return false;
  const u1 = (z * w) % q;
  const u2 = (r * w) % q;
  const v = ((modPow(g, u1, p) * modPow(y, u2, p)) % p) % q;
  return v === r;
}

/** DER ECDSA-Sig-Value to WebCrypto's fixed-size r||s. */
function ecdsaRaw(sig: ArrayBuffer, size: number): ArrayBuffer | undefined {
  const asn = asn1js.fromBER(sig);
  if (asn.offset === -1 || !(asn.result instanceof asn1js.Sequence) || asn.result.valueBlock.value.length !== 2) return undefined;
  const out = new Uint8Array(size * 2);
  for (let i = 0; i < 2; i++) {
    const v = asn.result.valueBlock.value[i];
    if (!(v instanceof asn1js.Integer)) return undefined;
    let b = v.valueBlock.valueHexView;
    while (b.length > 1 && b[0] === 0) b = b.subarray(1);
    if (b.length > size) return undefined;
    out.set(b, i * size + (size - b.length));
  }
  return out.buffer;
}

/**
 * RSA and DSA keys below 1024 bits are refused for certificate and CRL signatures (NSS' floor for
 * non-TLS use; 512- and 768-bit RSA have been factored).
 */
const MIN_KEY_BITS = 1024;
const OID_RSA_KEY = '1.2.840.113549.1.1.1';

function bitLength(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]));
}

/** Modulus (RSA) or p (DSA) size in bits; undefined for other key types or when unreadable. */
function keyBits(key: WorkingKey): number | undefined {
  const alg = key.spki.algorithm.algorithmId;
  if (alg === OID_RSA_KEY || alg === OID_RSA_PSS) {
    const asn = asn1js.fromBER(key.spki.subjectPublicKey.valueBlock.valueHexView.slice().buffer);
    const mod = asn.offset !== -1 && asn.result instanceof asn1js.Sequence ? asn.result.valueBlock.value[0] : undefined;
    return mod instanceof asn1js.Integer ? bitLength(mod.valueBlock.valueHexView) : undefined;
  }
  if (alg === OID_DSA_KEY) {
    const p = key.dsaParams ?? dsaParamsOf(key.spki);
    return p ? p.p.toString(2).length : undefined;
  }
  return undefined;
}

/** A private copy as a plain ArrayBuffer (what WebCrypto's typings want). */
function buf(u: Uint8Array): ArrayBuffer {
  return u.slice().buffer as ArrayBuffer;
}

function spkiDer(spki: pkijs.PublicKeyInfo): ArrayBuffer {
  return spki.toSchema().toBER(false);
}

/**
 * Verify `signature` over `data` made with `sigAlg` by the holder of `key`. Never throws for bad input:
 * a key WebCrypto cannot import is 'unsupported', a mismatch 'bad'.
 */
export async function verifySignature(
  crypto: CryptoEngine,
  dataView: Uint8Array,
  sigAlg: pkijs.AlgorithmIdentifier,
  sigView: Uint8Array,
  key: WorkingKey,
  allowSha1: boolean,
): Promise<SigCheck> {
  const data = buf(dataView);
  const signature = buf(sigView);
  const alg = ALGS[sigAlg.algorithmId];
  const algorithm = alg?.name ?? sigAlg.algorithmId;
  if (!alg) return { ok: false, why: 'unsupported', algorithm };
  if (alg.kind === 'weak') return { ok: false, why: 'weak', algorithm };
  let hash = alg.hash;
  let saltLength = 0;
  if (alg.kind === 'pss') {
    let params: pkijs.RSASSAPSSParams;
    try {
      params = new pkijs.RSASSAPSSParams({ schema: sigAlg.algorithmParams });
    } catch {
      return { ok: false, why: 'unsupported', algorithm };
    }
    hash = HASH_OIDS[params.hashAlgorithm.algorithmId];
    saltLength = params.saltLength;
    if (!hash) return { ok: false, why: 'unsupported', algorithm };
  }
  if (hash === 'SHA-1' && !allowSha1) return { ok: false, why: 'weak', algorithm };
  const bits = keyBits(key);
  if (bits !== undefined && bits < MIN_KEY_BITS) return { ok: false, why: 'weak', algorithm: `${algorithm} with a ${bits}-bit key` };
  try {
    const keyAlg = key.spki.algorithm.algorithmId;
    switch (alg.kind) {
      case 'dsa':
        if (keyAlg !== OID_DSA_KEY) return { ok: false, why: 'bad', algorithm };
        return (await verifyDsa(crypto, hash!, key, data, signature)) ? { ok: true } : { ok: false, why: 'bad', algorithm };
      case 'rsa':
      case 'pss': {
        const name = alg.kind === 'rsa' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS';
        const pub = await crypto.importKey('spki', spkiDer(key.spki), { name, hash: { name: hash! } } as RsaHashedImportParams, false, ['verify']);
        const ok = await crypto.verify(alg.kind === 'rsa' ? { name } : ({ name, saltLength } as RsaPssParams), pub, signature, data);
        return ok ? { ok: true } : { ok: false, why: 'bad', algorithm };
      }
      case 'ecdsa': {
        if (keyAlg !== OID_EC_KEY) return { ok: false, why: 'bad', algorithm };
        const curveParam = key.spki.algorithm.algorithmParams;
        const curve = curveParam instanceof asn1js.ObjectIdentifier ? CURVES[curveParam.valueBlock.toString()] : undefined;
        if (!curve) return { ok: false, why: 'unsupported', algorithm };
        const raw = ecdsaRaw(signature, curve.size);
        if (!raw) return { ok: false, why: 'bad', algorithm };
        const pub = await crypto.importKey('spki', spkiDer(key.spki), { name: 'ECDSA', namedCurve: curve.name } as EcKeyImportParams, false, ['verify']);
        const ok = await crypto.verify({ name: 'ECDSA', hash: { name: hash! } } as EcdsaParams, pub, raw, data);
        return ok ? { ok: true } : { ok: false, why: 'bad', algorithm };
      }
      case 'ed25519': {
        if (keyAlg !== OID_ED25519) return { ok: false, why: 'bad', algorithm };
        // pkijs' engine wrapper does not know Ed25519: go to the engine's own SubtleCrypto.
        const pub = await crypto.subtle.importKey('spki', spkiDer(key.spki), { name: 'Ed25519' }, false, ['verify']);
        const ok = await crypto.subtle.verify({ name: 'Ed25519' }, pub, signature, data);
        return ok ? { ok: true } : { ok: false, why: 'bad', algorithm };
      }
    }
  } catch {
    // WebCrypto refused the key or parameters (unknown curve, malformed key): we cannot check it.
    return { ok: false, why: 'unsupported', algorithm };
  }
  return { ok: false, why: 'unsupported', algorithm };
}

export async function verifyCertSignature(
  crypto: CryptoEngine,
  cert: pkijs.Certificate,
  key: WorkingKey,
  allowSha1: boolean,
): Promise<SigCheck> {
  // The outer signatureAlgorithm must equal the TBS one (RFC 5280 §4.1.1.2).
  if (cert.signatureAlgorithm.algorithmId !== cert.signature.algorithmId) {
    return { ok: false, why: 'bad', algorithm: signatureAlgorithmName(cert.signatureAlgorithm.algorithmId) };
  }
  return verifySignature(crypto, cert.tbsView, cert.signatureAlgorithm, cert.signatureValue.valueBlock.valueHexView, key, allowSha1);
}

export async function verifyCrlSignature(
  crypto: CryptoEngine,
  crl: pkijs.CertificateRevocationList,
  key: WorkingKey,
  allowSha1: boolean,
): Promise<SigCheck> {
  if (crl.signatureAlgorithm.algorithmId !== crl.signature.algorithmId) {
    return { ok: false, why: 'bad', algorithm: signatureAlgorithmName(crl.signatureAlgorithm.algorithmId) };
  }
  return verifySignature(crypto, crl.tbsView, crl.signatureAlgorithm, crl.signatureValue.valueBlock.valueHexView, key, allowSha1);
}

/**
 * An Identity: the user's certificate, its chain and the private key as non-extractable WebCrypto keys.
 * Everything in it is structured-cloneable (CryptoKey, Uint8Array, strings), so the IndexedDB key store can keep it
 * as is; but a stored CryptoKey carries its key material, so at rest only the passphrase store
 * (keys/protected-keystore.ts) keeps the private key unreadable.
 *
 * WebCrypto binds the hash to an RSA key, so an RSA private key is imported once per use (PKCS#1 v1.5 and PSS
 * signing per hash, OAEP per hash). RSAES-PKCS1-v1_5 decryption, which Thunderbird and Outlook use by default to
 * send encrypted mail, does not exist in WebCrypto at all: for it the PKCS#8 is kept sealed (AES-GCM under a
 * non-extractable key made for this identity) and opened in memory only for the one operation (see
 * cms/rsa-pkcs1.ts). Limit: code running in the same origin could unseal it; the other keys cannot be exported.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CryptoEngine } from '../crypto';
import { MAX_RSA_MODULUS_BITS, bitLengthOfBytes } from '../signature/limits';
import { bs, buf } from './bytes';

export type SignHash = 'SHA-256' | 'SHA-384' | 'SHA-512';
export type OaepHash = 'SHA-1' | SignHash;
export type NamedCurve = 'P-256' | 'P-384' | 'P-521';

export const SIGN_HASHES: SignHash[] = ['SHA-256', 'SHA-384', 'SHA-512'];
export const OAEP_HASHES: OaepHash[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];

export interface SealedKey {
  key: CryptoKey;
  iv: Uint8Array;
  data: Uint8Array;
}

export interface PrivateKeys {
  kind: 'rsa' | 'ec';
  namedCurve?: NamedCurve;
  /** RSA modulus size in bits. */
  modulusBits?: number;
  rsaPkcs1?: Partial<Record<SignHash, CryptoKey>>;
  rsaPss?: Partial<Record<SignHash, CryptoKey>>;
  rsaOaep?: Partial<Record<OaepHash, CryptoKey>>;
  ecdsa?: CryptoKey;
  ecdh?: CryptoKey;
  /** For RSAES-PKCS1-v1_5 decryption only (absent when the caller declined it). */
  sealedRsa?: SealedKey;
}

export interface Identity {
  /** SHA-256 fingerprint of the certificate, hex upper-case: a stable key for stores. */
  id: string;
  /** DER of the user's certificate. */
  certificate: Uint8Array;
  /** DER of the issuing chain without self-signed roots, leaf's issuer first. */
  chain: Uint8Array[];
  /** Lower-cased e-mail addresses of the certificate (subjectAltName rfc822Name, then subject emailAddress). */
  emails: string[];
  keys: PrivateKeys;
}

const OID_RSA = '1.2.840.113549.1.1.1';
const OID_EC = '1.2.840.10045.2.1';
const CURVES: Record<string, NamedCurve> = {
  '1.2.840.10045.3.1.7': 'P-256',
  '1.3.132.0.34': 'P-384',
  '1.3.132.0.35': 'P-521',
};

export type KeyImportResult = { ok: true; keys: PrivateKeys } | { ok: false; message: string };


/**
 * PKCS#8 → non-extractable keys. Wipes `pkcs8` before returning (the caller must not reuse it).
 * `keepRsaForPkcs1Decrypt` (default true): keep the sealed copy needed to read PKCS#1 v1.5 encrypted mail.
 */
export async function importPrivateKey(
  pkcs8: Uint8Array,
  crypto: CryptoEngine,
  keepRsaForPkcs1Decrypt = true,
): Promise<KeyImportResult> {
  try {
    const info = pkijs.PrivateKeyInfo.fromBER(buf(pkcs8));
    const oid = info.privateKeyAlgorithm.algorithmId;
    const subtle = crypto.subtle ?? crypto;
    const der = buf(pkcs8);
    if (oid === OID_RSA) {
      const rsa = pkijs.RSAPrivateKey.fromBER(bs(info.privateKey.valueBlock.valueHexView));
      const modulusBits = bitLengthOfBytes(rsa.modulus.valueBlock.valueHexView);
      // Refused before any key work (signature/limits.ts): every operation with such a key would stall the host.
      if (modulusBits > MAX_RSA_MODULUS_BITS) {
        return { ok: false, message: `The RSA key has ${modulusBits} bits; keys over ${MAX_RSA_MODULUS_BITS} bits are not supported.` };
      }
      const keys: PrivateKeys = { kind: 'rsa', modulusBits, rsaPkcs1: {}, rsaPss: {}, rsaOaep: {} };
      for (const hash of SIGN_HASHES) {
        keys.rsaPkcs1![hash] = await subtle.importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
        keys.rsaPss![hash] = await subtle.importKey('pkcs8', der, { name: 'RSA-PSS', hash }, false, ['sign']);
      }
      for (const hash of OAEP_HASHES) {
        keys.rsaOaep![hash] = await subtle.importKey('pkcs8', der, { name: 'RSA-OAEP', hash }, false, ['decrypt', 'unwrapKey']);
      }
      if (keepRsaForPkcs1Decrypt) {
        const key = await subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
        const iv = crypto.getRandomValues(new Uint8Array(12)) as Uint8Array<ArrayBuffer>;
        const data = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: bs(iv) }, key as CryptoKey, der));
        keys.sealedRsa = { key: key as CryptoKey, iv, data };
      }
      wipe(new Uint8Array(der));
      return { ok: true, keys };
    }
    if (oid === OID_EC) {
      const params = info.privateKeyAlgorithm.algorithmParams;
      const curveOid = params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : '';
      const namedCurve = CURVES[curveOid];
      if (!namedCurve) return { ok: false, message: `The key uses an elliptic curve this program does not support (${curveOid || 'unnamed'}).` };
      const ecdsa = await subtle.importKey('pkcs8', der, { name: 'ECDSA', namedCurve }, false, ['sign']);
      const ecdh = await subtle.importKey('pkcs8', der, { name: 'ECDH', namedCurve }, false, ['deriveBits']);
      wipe(new Uint8Array(der));
      return { ok: true, keys: { kind: 'ec', namedCurve, ecdsa, ecdh } };
    }
    return { ok: false, message: `The private key type (${oid}) is not supported; RSA and EC (P-256/P-384/P-521) are.` };
  } catch (e) {
    return { ok: false, message: `The private key could not be read (${e instanceof Error ? e.message : String(e)}).` };
  } finally {
    wipe(pkcs8);
  }
}

export function wipe(u: Uint8Array | undefined): void {
  if (u) u.fill(0);
}


/** Upper-case hex SHA-256 of DER: the identity id. */
export async function fingerprint(der: Uint8Array, crypto: CryptoEngine): Promise<string> {
  const d = new Uint8Array(await (crypto.subtle ?? crypto).digest('SHA-256', buf(der)));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('').toUpperCase();
}

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(buf(der));
}

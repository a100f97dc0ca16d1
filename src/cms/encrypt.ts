/**
 * CMS EnvelopedData (RFC 5652 §6) with AES-CBC, and AuthEnvelopedData (RFC 5083) with AES-GCM (RFC 5084), for
 * any number of recipients:
 * - RSA recipients: key transport with RSAES-PKCS1-v1_5 (default: what Thunderbird/NSS and every Outlook read)
 *   or RSAES-OAEP (SHA-1 default parameters, or SHA-256/384/512);
 * - EC recipients (P-256/P-384/P-521): ephemeral-static ECDH, dhSinglePass-stdDH-sha*kdf-scheme (RFC 5753) with
 *   AES key wrap; the KDF hash follows the curve (SHA-256 for P-256, SHA-384 for P-384, SHA-512 for P-521).
 * Recipients are identified by issuerAndSerialNumber, which every client matches.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { bs, buf, wipeAll } from '../keys/bytes';
import type { OaepHash } from '../keys/identity';
import { derEncode, TAG } from './der';
import { AES_WRAP_OID, sharedInfo, STD_DH_OID, x963Kdf, type KdfHash } from './kdf';
import { DIGEST_OID, OID } from './oids';
import { rsaPkcs1Encrypt } from './rsa-pkcs1';

export type ContentCipher = 'aes-256-cbc' | 'aes-128-cbc' | 'aes-256-gcm' | 'aes-128-gcm';
export const CONTENT_CIPHERS: ContentCipher[] = ['aes-256-cbc', 'aes-128-cbc', 'aes-256-gcm', 'aes-128-gcm'];
/** The default: AES-256-CBC EnvelopedData, which Thunderbird and Outlook both read (README "Encryption"). */
export const DEFAULT_CIPHER: ContentCipher = 'aes-256-cbc';

export interface RecipientSpec {
  /** DER or parsed certificate. */
  certificate: Uint8Array | pkijs.Certificate;
  /** RSA only. Default 'rsa-pkcs1'. */
  keyTransport?: 'rsa-pkcs1' | 'rsa-oaep';
  /** RSA-OAEP hash (and MGF1 hash). Default SHA-256. */
  oaepHash?: OaepHash;
}

export interface EncryptOptions {
  cipher?: ContentCipher;
  crypto?: CryptoEngine;
}

export type EncryptResult =
  | { ok: true; der: Uint8Array; kind: 'enveloped' | 'auth-enveloped' }
  | { ok: false; error: { code: 'unsupported-algorithm' | 'no-recipient'; message: string } };

const CIPHERS: Record<ContentCipher, { oid: string; bits: 128 | 256; gcm: boolean }> = {
  'aes-256-cbc': { oid: OID.aes256Cbc, bits: 256, gcm: false },
  'aes-128-cbc': { oid: OID.aes128Cbc, bits: 128, gcm: false },
  'aes-256-gcm': { oid: OID.aes256Gcm, bits: 256, gcm: true },
  'aes-128-gcm': { oid: OID.aes128Gcm, bits: 128, gcm: true },
};

const CURVE_BY_OID: Record<string, { name: 'P-256' | 'P-384' | 'P-521'; kdf: KdfHash }> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', kdf: 'SHA-256' },
  '1.3.132.0.34': { name: 'P-384', kdf: 'SHA-384' },
  '1.3.132.0.35': { name: 'P-521', kdf: 'SHA-512' },
};

class EncryptFailure extends Error {
  constructor(readonly code: 'unsupported-algorithm' | 'no-recipient', message: string) {
    super(message);
  }
}

function algId(oid: string, params?: asn1js.AsnType): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier(params ? { algorithmId: oid, algorithmParams: params } : { algorithmId: oid });
}

function cert(c: Uint8Array | pkijs.Certificate): pkijs.Certificate {
  return c instanceof pkijs.Certificate ? c : pkijs.Certificate.fromBER(buf(c));
}

function subjectName(c: pkijs.Certificate): string {
  const cn = c.subject.typesAndValues.find((t) => t.type === '2.5.4.3');
  return cn ? String(cn.value.valueBlock.value) : 'a recipient';
}

/** RSAES-OAEP-params for a hash (SHA-1 is the all-defaults empty SEQUENCE). */
export function oaepParams(hash: OaepHash): asn1js.Sequence {
  if (hash === 'SHA-1') return new asn1js.Sequence({ value: [] });
  const h = algId(DIGEST_OID[hash]);
  return new pkijs.RSAESOAEPParams({ hashAlgorithm: h, maskGenAlgorithm: algId(OID.mgf1, h.toSchema()) }).toSchema() as asn1js.Sequence;
}

async function recipientInfo(
  spec: RecipientSpec,
  cek: Uint8Array,
  wrapBits: number,
  crypto: CryptoEngine,
): Promise<pkijs.RecipientInfo> {
  const subtle = crypto.subtle ?? crypto;
  const c = cert(spec.certificate);
  const spki = c.subjectPublicKeyInfo;
  const rid = new pkijs.IssuerAndSerialNumber({ issuer: c.issuer, serialNumber: c.serialNumber });
  const keyOid = spki.algorithm.algorithmId;
  if (keyOid === OID.rsaEncryption) {
    if ((spec.keyTransport ?? 'rsa-pkcs1') === 'rsa-pkcs1') {
      const encryptedKey = rsaPkcs1Encrypt(spki, cek, crypto);
      return new pkijs.RecipientInfo({
        variant: 1,
        value: new pkijs.KeyTransRecipientInfo({
          version: 0,
          rid,
          keyEncryptionAlgorithm: algId(OID.rsaEncryption, new asn1js.Null()),
          encryptedKey: new asn1js.OctetString({ valueHex: buf(encryptedKey) }),
        }),
      });
    }
    const hash = spec.oaepHash ?? 'SHA-256';
    const pub = await subtle.importKey('spki', spki.toSchema().toBER(), { name: 'RSA-OAEP', hash }, false, ['encrypt']);
    const encryptedKey = new Uint8Array(await subtle.encrypt({ name: 'RSA-OAEP' }, pub, bs(cek)));
    return new pkijs.RecipientInfo({
      variant: 1,
      value: new pkijs.KeyTransRecipientInfo({
        version: 0,
        rid,
        keyEncryptionAlgorithm: algId(OID.rsaOaep, oaepParams(hash)),
        encryptedKey: new asn1js.OctetString({ valueHex: buf(encryptedKey) }),
      }),
    });
  }
  if (keyOid === OID.ecPublicKey) {
    const params = spki.algorithm.algorithmParams;
    const curve = params instanceof asn1js.ObjectIdentifier ? CURVE_BY_OID[params.valueBlock.toString()] : undefined;
    if (!curve) throw new EncryptFailure('unsupported-algorithm', `The certificate of ${subjectName(c)} uses an elliptic curve this program cannot encrypt to.`);
    const pub = await subtle.importKey('spki', spki.toSchema().toBER(), { name: 'ECDH', namedCurve: curve.name }, false, []);
    const eph = (await subtle.generateKey({ name: 'ECDH', namedCurve: curve.name }, true, ['deriveBits'])) as CryptoKeyPair;
    const fieldBits = { 'P-256': 256, 'P-384': 384, 'P-521': 528 }[curve.name];
    const z = new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: pub }, eph.privateKey, fieldBits));
    const wrapOid = AES_WRAP_OID[wrapBits];
    const kekBytes = await x963Kdf(curve.kdf, z, sharedInfo(wrapOid, wrapBits), wrapBits / 8, crypto);
    wipeAll(z);
    const kek = await subtle.importKey('raw', bs(kekBytes), 'AES-KW', false, ['wrapKey']);
    wipeAll(kekBytes);
    const cekKey = await subtle.importKey('raw', bs(cek), 'AES-CBC', true, ['encrypt']);
    const wrapped = new Uint8Array(await subtle.wrapKey('raw', cekKey, kek, 'AES-KW'));
    const ephPoint = new Uint8Array(await subtle.exportKey('raw', eph.publicKey));
    const kari = new pkijs.KeyAgreeRecipientInfo({
      version: 3,
      originator: new pkijs.OriginatorIdentifierOrKey({
        variant: 3,
        value: new pkijs.OriginatorPublicKey({
          // RFC 5753 §7.1.1 / what OpenSSL writes: id-ecPublicKey with the curve, and the uncompressed point.
          algorithm: algId(OID.ecPublicKey, new asn1js.ObjectIdentifier({ value: (params as asn1js.ObjectIdentifier).valueBlock.toString() })),
          publicKey: new asn1js.BitString({ valueHex: buf(ephPoint) }),
        }),
      }),
      keyEncryptionAlgorithm: algId(STD_DH_OID[curve.kdf], algId(wrapOid).toSchema()),
      recipientEncryptedKeys: new pkijs.RecipientEncryptedKeys({
        encryptedKeys: [
          new pkijs.RecipientEncryptedKey({
            rid: new pkijs.KeyAgreeRecipientIdentifier({ variant: 1, value: rid }),
            encryptedKey: new asn1js.OctetString({ valueHex: buf(wrapped) }),
          }),
        ],
      }),
    });
    return new pkijs.RecipientInfo({ variant: 2, value: kari });
  }
  throw new EncryptFailure('unsupported-algorithm', `The certificate of ${subjectName(c)} has a key type this program cannot encrypt to (${keyOid}).`);
}

/** Encrypts `content` to every recipient; GCM ciphers give AuthEnvelopedData. */
export async function createEnvelopedData(
  content: Uint8Array,
  recipients: RecipientSpec[],
  options: EncryptOptions = {},
): Promise<EncryptResult> {
  const crypto = options.crypto ?? defaultCrypto();
  const subtle = crypto.subtle ?? crypto;
  const cipherName = options.cipher ?? DEFAULT_CIPHER;
  const cipher = CIPHERS[cipherName];
  if (!cipher) return { ok: false, error: { code: 'unsupported-algorithm', message: `Unknown cipher ${cipherName}.` } };
  if (recipients.length === 0) return { ok: false, error: { code: 'no-recipient', message: 'No recipient to encrypt to.' } };
  const cek = crypto.getRandomValues(new Uint8Array(cipher.bits / 8));
  try {
    const infos: pkijs.RecipientInfo[] = [];
    for (const r of recipients) {
      try {
        infos.push(await recipientInfo(r, cek, cipher.bits, crypto));
      } catch (e) {
        if (e instanceof EncryptFailure) throw e;
        // A certificate whose key WebCrypto refuses (damaged, odd parameters) is bad input, not a bug.
        throw new EncryptFailure('unsupported-algorithm', `Cannot encrypt to one recipient's certificate (${e instanceof Error ? e.message : String(e)}).`);
      }
    }
    const key = await subtle.importKey('raw', bs(cek), cipher.gcm ? 'AES-GCM' : 'AES-CBC', false, ['encrypt']);
    const ris = new Uint8Array(new asn1js.Set({ value: infos.map((i) => i.toSchema()) }).toBER());
    const oid = (o: string) => new Uint8Array(new asn1js.ObjectIdentifier({ value: o }).toBER());
    const int = (n: number) => new Uint8Array(new asn1js.Integer({ value: n }).toBER());
    // EncryptedContentInfo with the ciphertext as one primitive [0] IMPLICIT OCTET STRING (DER).
    const eci = (alg: pkijs.AlgorithmIdentifier, ct: Uint8Array) => ({
      tag: TAG.sequence,
      children: [oid(OID.data), new Uint8Array(alg.toSchema().toBER()), { tag: TAG.context0Primitive, children: [ct] }],
    });
    if (!cipher.gcm) {
      const iv = crypto.getRandomValues(new Uint8Array(16));
      const ct = new Uint8Array(await subtle.encrypt({ name: 'AES-CBC', iv }, key, bs(content)));
      const hasKari = infos.some((i) => i.variant === 2);
      const env = { tag: TAG.sequence, children: [int(hasKari ? 2 : 0), ris, eci(algId(cipher.oid, new asn1js.OctetString({ valueHex: buf(iv) })), ct)] };
      const der = derEncode({ tag: TAG.sequence, children: [oid(OID.envelopedData), { tag: TAG.context0, children: [env] }] });
      return { ok: true, der, kind: 'enveloped' };
    }
    // AuthEnvelopedData: GCMParameters { aes-nonce (12 bytes), aes-ICVlen 16 }; no authAttrs, so no AAD.
    const nonce = crypto.getRandomValues(new Uint8Array(12));
    const sealed = new Uint8Array(await subtle.encrypt({ name: 'AES-GCM', iv: nonce, tagLength: 128 }, key, bs(content)));
    const ct = sealed.subarray(0, sealed.length - 16);
    const tag = sealed.subarray(sealed.length - 16);
    const gcmParams = new asn1js.Sequence({ value: [new asn1js.OctetString({ valueHex: buf(nonce) }), new asn1js.Integer({ value: 16 })] });
    const auth = { tag: TAG.sequence, children: [int(0), ris, eci(algId(cipher.oid, gcmParams), ct), { tag: TAG.octetString, children: [tag] }] };
    const der = derEncode({ tag: TAG.sequence, children: [oid(OID.authEnvelopedData), { tag: TAG.context0, children: [auth] }] });
    return { ok: true, der, kind: 'auth-enveloped' };
  } catch (e) {
    if (e instanceof EncryptFailure) return { ok: false, error: { code: e.code, message: e.message } };
    throw e;
  } finally {
    wipeAll(cek);
  }
}

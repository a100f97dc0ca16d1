/**
 * Opening CMS EnvelopedData and AuthEnvelopedData with the user's identities.
 *
 * Key transport: RSAES-PKCS1-v1_5 (cms/rsa-pkcs1.ts, with implicit rejection) and RSAES-OAEP (WebCrypto; hash
 * and MGF1 hash must match, a label is honoured). Key agreement: ephemeral-static ECDH with
 * dhSinglePass-stdDH-sha1/256/384/512kdf-scheme and AES key wrap. Content: AES-128/192/256-CBC, 3DES-CBC
 * (older senders), and AES-GCM in AuthEnvelopedData with the tag checked over the authenticated attributes.
 *
 * Never throws for a bad message: a typed result says whether the message is not for us ('no-key'), cannot be
 * opened ('decrypt-failed': wrong key, corrupt ciphertext, failed GCM tag), is damaged ('malformed-cms') or uses
 * something we do not implement ('unsupported-algorithm'). No partial plaintext is ever returned.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { bs, wipeAll } from '../keys/bytes';
import { tripleDesCbcDecrypt } from '../keys/des';
import { parseCertificate, type Identity, type OaepHash } from '../keys/identity';
import { countRecipientInfos } from './ber-walk';
import { AES_WRAP_BITS, sharedInfo, STD_DH_KDF, x963Kdf } from './kdf';
import { DIGEST_BY_OID, OID } from './oids';
import { rsaPkcs1Decrypt } from './rsa-pkcs1';
import { sameRdn } from '../trust/names';

export type DecryptErrorCode = 'no-key' | 'decrypt-failed' | 'malformed-cms' | 'unsupported-algorithm' | 'limit-exceeded';

export type DecryptResult =
  | {
      ok: true;
      content: Uint8Array;
      kind: 'enveloped' | 'auth-enveloped';
      /** e.g. "AES-256-CBC", "AES-128-GCM". */
      contentCipher: string;
      /** e.g. "RSAES-PKCS1-v1_5", "RSAES-OAEP (SHA-256)", "ECDH (dhSinglePass-stdDH-sha256kdf, AES-256 wrap)". */
      keyEncryption: string;
      /** The identity (id) whose key opened it. */
      recipient: string;
    }
  | { ok: false; error: { code: DecryptErrorCode; message: string } };

export interface DecryptOptions {
  crypto?: CryptoEngine;
}

class Failure extends Error {
  constructor(
    readonly code: DecryptErrorCode,
    message: string,
  ) {
    super(message);
  }
}

type ContentAlg = { name: string; kind: 'aes-cbc' | 'aes-gcm' | '3des'; keyLen: number };
const CONTENT: Record<string, ContentAlg> = {
  [OID.aes128Cbc]: { name: 'AES-128-CBC', kind: 'aes-cbc', keyLen: 16 },
  [OID.aes192Cbc]: { name: 'AES-192-CBC', kind: 'aes-cbc', keyLen: 24 },
  [OID.aes256Cbc]: { name: 'AES-256-CBC', kind: 'aes-cbc', keyLen: 32 },
  [OID.aes128Gcm]: { name: 'AES-128-GCM', kind: 'aes-gcm', keyLen: 16 },
  [OID.aes192Gcm]: { name: 'AES-192-GCM', kind: 'aes-gcm', keyLen: 24 },
  [OID.aes256Gcm]: { name: 'AES-256-GCM', kind: 'aes-gcm', keyLen: 32 },
  [OID.desEde3Cbc]: { name: '3DES-CBC', kind: '3des', keyLen: 24 },
};

/** Bound: larger ciphertexts are refused rather than exhausting memory. */
const MAX_CIPHERTEXT = 256 * 1024 * 1024;

/**
 * Bound: private-key attempts per encrypted layer. Each attempt is one private-key operation (a BigInt RSA
 * decryption in the browsers) and, since PKCS#1 v1.5 implicit rejection always yields some key, one decryption of
 * the whole content. Anyone can list the reader's (public) certificate in thousands of RecipientInfos: 2,000 of
 * them cost seconds of CPU, a 64 MiB message hundreds of thousands. Real mail names each certificate once (twice
 * when sent to oneself), so 8 covers a user with several identities; the rest is not tried and the verdict says so.
 */
export const MAX_KEY_ATTEMPTS = 8;

/**
 * Bound: RecipientInfos per encrypted layer, counted from the BER headers before anything is decoded (decoding and
 * schema-checking each entry costs about 1.5 ms: 20,000 entries took 29 s and 580 MB). Twice the per-message
 * recipient limit of Exchange Online and Gmail (500), plus room for the sender's own copy.
 */
export const MAX_RECIPIENT_INFOS = 1000;

function tooManyRecipients(n: number): Failure {
  return new Failure('limit-exceeded', `The encrypted part lists ${n} recipients; at most ${MAX_RECIPIENT_INFOS} are read.`);
}

interface Parsed {
  kind: 'enveloped' | 'auth-enveloped';
  recipientInfos: pkijs.RecipientInfo[];
  eci: pkijs.EncryptedContentInfo;
  /** AuthEnvelopedData only. */
  authAttrsDer?: Uint8Array;
  mac?: Uint8Array;
}

function parse(der: Uint8Array): Parsed {
  if (der.length > MAX_CIPHERTEXT) throw new Failure('malformed-cms', 'The encrypted part is larger than this program accepts.');
  const count = countRecipientInfos(der);
  if (count !== undefined && count > MAX_RECIPIENT_INFOS) throw tooManyRecipients(count);
  let ci: pkijs.ContentInfo;
  try {
    // asn1js' default bounds (10 000 nodes, 16 MB per element) refuse real mail: NSS and OpenSSL write large
    // ciphertexts as BER chunks of ~1 KB. Our own bounds: the size cap below, depth stays at its default.
    const asn = asn1js.fromBER(der, { copyInput: false, maxNodes: 2_000_000, maxContentLength: MAX_CIPHERTEXT, parseEmbedded: false });
    if (asn.offset === -1) throw new Error(asn.result.error);
    ci = new pkijs.ContentInfo({ schema: asn.result });
  } catch {
    throw new Failure('malformed-cms', 'The encrypted part is damaged (not a CMS structure).');
  }
  try {
    // Not walkable from the headers (unusual BER): counted once decoded, before pkijs reads the entries.
    const content = ci.content instanceof asn1js.Sequence ? ci.content.valueBlock.value : [];
    const set = content[1] instanceof asn1js.Set ? content[1] : content[2];
    if (set instanceof asn1js.Set && set.valueBlock.value.length > MAX_RECIPIENT_INFOS) throw tooManyRecipients(set.valueBlock.value.length);
    if (ci.contentType === OID.envelopedData) {
      const env = new pkijs.EnvelopedData({ schema: ci.content });
      return { kind: 'enveloped', recipientInfos: env.recipientInfos, eci: env.encryptedContentInfo };
    }
    if (ci.contentType === OID.authEnvelopedData) return parseAuthEnveloped(ci.content);
  } catch (e) {
    if (e instanceof Failure) throw e;
    throw new Failure('malformed-cms', 'The encrypted part is damaged (its structure cannot be read).');
  }
  throw new Failure('malformed-cms', `The part is not encrypted data (content type ${ci.contentType}).`);
}

/** AuthEnvelopedData (RFC 5083 §2.1); pkijs has no class for it. */
function parseAuthEnveloped(content: unknown): Parsed {
  if (!(content instanceof asn1js.Sequence)) throw new Failure('malformed-cms', 'The encrypted part is damaged (AuthEnvelopedData is not a SEQUENCE).');
  const items = content.valueBlock.value;
  let i = 1; // version
  if (items[i]?.idBlock.tagClass === 3 && items[i].idBlock.tagNumber === 0) i++; // originatorInfo
  const ris = items[i++];
  const eciSchema = items[i++];
  let authAttrsDer: Uint8Array | undefined;
  if (items[i]?.idBlock.tagClass === 3 && items[i].idBlock.tagNumber === 1) {
    // The AAD is the DER of the attributes with the SET OF tag (RFC 5083 §2.2), not the [1] IMPLICIT tag.
    const enc = new Uint8Array(items[i].toBER());
    enc[0] = 0x31;
    authAttrsDer = enc;
    i++;
  }
  const mac = items[i];
  if (!(ris instanceof asn1js.Set) || !(mac instanceof asn1js.OctetString) || !eciSchema) {
    throw new Failure('malformed-cms', 'The encrypted part is damaged (AuthEnvelopedData fields are missing).');
  }
  return {
    kind: 'auth-enveloped',
    recipientInfos: ris.valueBlock.value.map((r) => new pkijs.RecipientInfo({ schema: r })),
    eci: new pkijs.EncryptedContentInfo({ schema: eciSchema }),
    authAttrsDer,
    mac: new Uint8Array(mac.getValue()),
  };
}

interface Candidate {
  identity: Identity;
  cert: pkijs.Certificate;
  ski?: Uint8Array;
}

function skiOf(cert: pkijs.Certificate): Uint8Array | undefined {
  const ext = cert.extensions?.find((e) => e.extnID === '2.5.29.14');
  const v = ext?.parsedValue;
  return v instanceof asn1js.OctetString ? new Uint8Array(v.valueBlock.valueHexView) : undefined;
}

function eq(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function matchesIssuerSerial(ias: unknown, c: Candidate): boolean {
  return (
    ias instanceof pkijs.IssuerAndSerialNumber && ias.serialNumber.isEqual(c.cert.serialNumber) && sameRdn(ias.issuer, c.cert.issuer)
  );
}

type Unwrapped = { cek: Uint8Array | CryptoKey; keyEncryption: string };

async function keyTransport(ktri: pkijs.KeyTransRecipientInfo, c: Candidate, alg: ContentAlg, crypto: CryptoEngine): Promise<Unwrapped> {
  const subtle = crypto.subtle ?? crypto;
  const kea = ktri.keyEncryptionAlgorithm;
  const encryptedKey = new Uint8Array(ktri.encryptedKey.valueBlock.valueHexView);
  if (c.identity.keys.kind !== 'rsa') throw new Failure('decrypt-failed', 'The message was encrypted to this certificate with RSA, but the key is not an RSA key.');
  if (kea.algorithmId === OID.rsaEncryption) {
    const sealed = c.identity.keys.sealedRsa;
    if (!sealed) throw new Failure('unsupported-algorithm', 'The message uses RSA PKCS#1 v1.5 key transport, which this identity was imported without.');
    const cek = await rsaPkcs1Decrypt(sealed, encryptedKey, [alg.keyLen], crypto);
    return { cek, keyEncryption: 'RSAES-PKCS1-v1_5' };
  }
  if (kea.algorithmId === OID.rsaOaep) {
    let hash: OaepHash = 'SHA-1';
    let label: Uint8Array | undefined;
    if (kea.algorithmParams instanceof asn1js.Sequence && kea.algorithmParams.valueBlock.value.length > 0) {
      const p = new pkijs.RSAESOAEPParams({ schema: kea.algorithmParams });
      const h = DIGEST_BY_OID[p.hashAlgorithm.algorithmId];
      const mgfHashAlg = p.maskGenAlgorithm.algorithmParams ? new pkijs.AlgorithmIdentifier({ schema: p.maskGenAlgorithm.algorithmParams }) : undefined;
      const mgfHash = mgfHashAlg ? DIGEST_BY_OID[mgfHashAlg.algorithmId] : 'SHA-1';
      if (!h || p.maskGenAlgorithm.algorithmId !== OID.mgf1 || mgfHash !== h) {
        throw new Failure('unsupported-algorithm', 'The message uses RSA-OAEP parameters this program cannot use (the OAEP and MGF1 hashes must match).');
      }
      hash = h;
      // pkijs fills an absent pSourceAlgorithm with a non-empty default: only an explicit [2] carries a label.
      const explicitPSource = kea.algorithmParams.valueBlock.value.some((v) => v.idBlock.tagClass === 3 && v.idBlock.tagNumber === 2);
      if (explicitPSource && p.pSourceAlgorithm.algorithmId === OID.pSpecified && p.pSourceAlgorithm.algorithmParams instanceof asn1js.OctetString) {
        const l = new Uint8Array(p.pSourceAlgorithm.algorithmParams.getValue());
        if (l.length) label = l;
      }
    }
    const key = c.identity.keys.rsaOaep?.[hash];
    if (!key) throw new Failure('unsupported-algorithm', `No RSA-OAEP ${hash} key for this identity.`);
    try {
      const cek = new Uint8Array(await subtle.decrypt(label ? { name: 'RSA-OAEP', label: bs(label) } : { name: 'RSA-OAEP' }, key, bs(encryptedKey)));
      return { cek, keyEncryption: `RSAES-OAEP (${hash})` };
    } catch {
      throw new Failure('decrypt-failed', 'The message key could not be decrypted with your key (wrong key or damaged message).');
    }
  }
  throw new Failure('unsupported-algorithm', `The message uses a key encryption this program does not support (${kea.algorithmId}).`);
}

async function keyAgreement(
  kari: pkijs.KeyAgreeRecipientInfo,
  rek: pkijs.RecipientEncryptedKey,
  c: Candidate,
  alg: ContentAlg,
  crypto: CryptoEngine,
): Promise<Unwrapped> {
  const subtle = crypto.subtle ?? crypto;
  const keys = c.identity.keys;
  if (keys.kind !== 'ec' || !keys.ecdh || !keys.namedCurve) throw new Failure('decrypt-failed', 'The message was encrypted to this certificate with ECDH, but the key is not an EC key.');
  const kdfHash = STD_DH_KDF[kari.keyEncryptionAlgorithm.algorithmId];
  if (!kdfHash) throw new Failure('unsupported-algorithm', `The message uses a key agreement this program does not support (${kari.keyEncryptionAlgorithm.algorithmId}).`);
  const wrapAlg = new pkijs.AlgorithmIdentifier({ schema: kari.keyEncryptionAlgorithm.algorithmParams });
  const wrapBits = AES_WRAP_BITS[wrapAlg.algorithmId];
  if (!wrapBits) throw new Failure('unsupported-algorithm', `The message uses a key wrap this program does not support (${wrapAlg.algorithmId}).`);
  if (kari.originator.variant !== 3) throw new Failure('unsupported-algorithm', 'The message uses static-static ECDH (originator certificate), which this program does not support.');
  const origin = kari.originator.value as pkijs.OriginatorPublicKey;
  const point = new Uint8Array(origin.publicKey.valueBlock.valueHexView);
  let pub: CryptoKey;
  try {
    pub = await subtle.importKey('raw', bs(point), { name: 'ECDH', namedCurve: keys.namedCurve }, false, []);
  } catch {
    throw new Failure('decrypt-failed', 'The sender\'s ephemeral key is not a valid point on your key\'s curve.');
  }
  const fieldBits = { 'P-256': 256, 'P-384': 384, 'P-521': 528 }[keys.namedCurve];
  const z = new Uint8Array(await subtle.deriveBits({ name: 'ECDH', public: pub }, keys.ecdh, fieldBits));
  const ukm = kari.ukm ? new Uint8Array(kari.ukm.valueBlock.valueHexView) : undefined;
  const kekBytes = await x963Kdf(kdfHash, z, sharedInfo(wrapAlg.algorithmId, wrapBits, ukm), wrapBits / 8, crypto);
  wipeAll(z);
  const kek = await subtle.importKey('raw', bs(kekBytes), 'AES-KW', false, ['unwrapKey']);
  wipeAll(kekBytes);
  const wrapped = new Uint8Array(rek.encryptedKey.valueBlock.valueHexView);
  if (alg.kind === '3des') throw new Failure('unsupported-algorithm', 'ECDH with 3DES content is not supported.');
  try {
    const target = alg.kind === 'aes-gcm' ? 'AES-GCM' : 'AES-CBC';
    const cek = await subtle.unwrapKey('raw', bs(wrapped), kek, 'AES-KW', target, false, ['decrypt']);
    return { cek, keyEncryption: `ECDH (dhSinglePass-stdDH-${kdfHash.toLowerCase().replace('-', '')}kdf, AES-${wrapBits} wrap)` };
  } catch {
    throw new Failure('decrypt-failed', 'The message key could not be unwrapped with your key (wrong key or damaged message).');
  }
}

function unpad(p: Uint8Array): Uint8Array {
  const n = p[p.length - 1];
  if (!p.length || n < 1 || n > 8) throw new Failure('decrypt-failed', 'The message could not be decrypted (wrong key or corrupt ciphertext).');
  for (let i = p.length - n; i < p.length; i++) if (p[i] !== n) throw new Failure('decrypt-failed', 'The message could not be decrypted (wrong key or corrupt ciphertext).');
  return p.subarray(0, p.length - n);
}

async function decryptContent(parsed: Parsed, alg: ContentAlg, cek: Uint8Array | CryptoKey, crypto: CryptoEngine): Promise<Uint8Array> {
  const subtle = crypto.subtle ?? crypto;
  const eci = parsed.eci;
  if (!eci.encryptedContent) throw new Failure('malformed-cms', 'The encrypted part carries no content (detached ciphertext is not supported).');
  const ct = new Uint8Array(eci.getEncryptedContent());
  if (ct.length > MAX_CIPHERTEXT) throw new Failure('malformed-cms', 'The encrypted content is larger than this program accepts.');
  const params = eci.contentEncryptionAlgorithm.algorithmParams;
  const bad = 'The message could not be decrypted (wrong key or corrupt ciphertext).';
  if (alg.kind === 'aes-gcm') {
    if (parsed.kind !== 'auth-enveloped' || !parsed.mac) throw new Failure('malformed-cms', 'AES-GCM content outside AuthEnvelopedData has no authentication tag.');
    if (!(params instanceof asn1js.Sequence) || !(params.valueBlock.value[0] instanceof asn1js.OctetString)) throw new Failure('malformed-cms', 'The GCM parameters are missing.');
    const nonce = new Uint8Array(params.valueBlock.value[0].getValue());
    const icv = params.valueBlock.value[1] instanceof asn1js.Integer ? params.valueBlock.value[1].valueBlock.valueDec : 12;
    if (parsed.mac.length !== icv || icv < 12 || icv > 16) throw new Failure('malformed-cms', 'The authentication tag has the wrong length.');
    const key = cek instanceof Uint8Array ? await importContentKey(cek, 'AES-GCM', subtle) : cek;
    const sealed = new Uint8Array(ct.length + parsed.mac.length);
    sealed.set(ct);
    sealed.set(parsed.mac, ct.length);
    try {
      const p: AesGcmParams = { name: 'AES-GCM', iv: bs(nonce), tagLength: icv * 8 };
      if (parsed.authAttrsDer) p.additionalData = bs(parsed.authAttrsDer);
      return new Uint8Array(await subtle.decrypt(p, key, sealed));
    } catch {
      throw new Failure('decrypt-failed', 'The message failed its integrity check (AES-GCM tag): it was altered or the key is wrong.');
    }
  }
  if (!(params instanceof asn1js.OctetString)) throw new Failure('malformed-cms', 'The content cipher has no IV.');
  const iv = new Uint8Array(params.getValue());
  if (alg.kind === '3des') {
    if (!(cek instanceof Uint8Array) || iv.length !== 8 || ct.length === 0 || ct.length % 8) throw new Failure('decrypt-failed', bad);
    return unpad(tripleDesCbcDecrypt(cek, iv, ct));
  }
  if (iv.length !== 16) throw new Failure('malformed-cms', 'The AES-CBC IV has the wrong length.');
  const key = cek instanceof Uint8Array ? await importContentKey(cek, 'AES-CBC', subtle) : cek;
  try {
    return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv: bs(iv) }, key, bs(ct)));
  } catch {
    throw new Failure('decrypt-failed', bad);
  }
}

async function importContentKey(cek: Uint8Array, name: 'AES-GCM' | 'AES-CBC', subtle: SubtleCrypto): Promise<CryptoKey> {
  try {
    return await subtle.importKey('raw', bs(cek), name, false, ['decrypt']);
  } catch {
    // A key of the wrong length (wrong private key under PKCS#1 implicit rejection cannot cause this; OAEP can).
    throw new Failure('decrypt-failed', 'The message could not be decrypted (wrong key or corrupt ciphertext).');
  }
}

/** Decrypts a CMS EnvelopedData/AuthEnvelopedData (DER) with the first identity it was encrypted to. */
export async function decryptCms(der: Uint8Array, identities: Identity[], options: DecryptOptions = {}): Promise<DecryptResult> {
  const crypto = options.crypto ?? defaultCrypto();
  try {
    const parsed = parse(der);
    const algOid = parsed.eci.contentEncryptionAlgorithm.algorithmId;
    const alg = CONTENT[algOid];
    if (!alg) throw new Failure('unsupported-algorithm', `The message uses a content cipher this program does not support (${algOid}).`);
    if (parsed.kind === 'auth-enveloped' && alg.kind !== 'aes-gcm') throw new Failure('unsupported-algorithm', `AuthEnvelopedData with ${alg.name} is not supported.`);
    const candidates: Candidate[] = identities.map((identity) => {
      const cert = parseCertificate(identity.certificate);
      return { identity, cert, ski: skiOf(cert) };
    });
    let lastFailure: Failure | undefined;
    let tried = 0;
    for (const ri of parsed.recipientInfos) {
      const attempts: { c: Candidate; run: () => Promise<Unwrapped> }[] = [];
      if (ri.variant === 1) {
        const ktri = ri.value as pkijs.KeyTransRecipientInfo;
        for (const c of candidates) {
          const byName = matchesIssuerSerial(ktri.rid, c);
          const bySki = ktri.rid instanceof asn1js.OctetString && eq(new Uint8Array(ktri.rid.valueBlock.valueHexView), c.ski);
          if (byName || bySki) attempts.push({ c, run: () => keyTransport(ktri, c, alg, crypto) });
        }
      } else if (ri.variant === 2) {
        const kari = ri.value as pkijs.KeyAgreeRecipientInfo;
        for (const rek of kari.recipientEncryptedKeys.encryptedKeys) {
          for (const c of candidates) {
            const rid = rek.rid;
            const byName = rid.variant === 1 && matchesIssuerSerial(rid.value, c);
            const bySki = rid.variant === 2 && eq(new Uint8Array((rid.value as pkijs.RecipientKeyIdentifier).subjectKeyIdentifier.valueBlock.valueHexView), c.ski);
            if (byName || bySki) attempts.push({ c, run: () => keyAgreement(kari, rek, c, alg, crypto) });
          }
        }
      }
      for (const attempt of attempts) {
        if (++tried > MAX_KEY_ATTEMPTS) {
          throw new Failure('limit-exceeded', `The message names your certificate in more than ${MAX_KEY_ATTEMPTS} of its recipient entries; only the first ${MAX_KEY_ATTEMPTS} were tried, and none opened it.`);
        }
        let unwrapped: Unwrapped | undefined;
        try {
          unwrapped = await attempt.run();
          const content = await decryptContent(parsed, alg, unwrapped.cek, crypto);
          const recipient = attempt.c.identity.id;
          return { ok: true, content, kind: parsed.kind, contentCipher: alg.name, keyEncryption: unwrapped.keyEncryption, recipient };
        } catch (e) {
          if (!(e instanceof Failure)) throw e;
          lastFailure = e;
        } finally {
          if (unwrapped?.cek instanceof Uint8Array) wipeAll(unwrapped.cek);
        }
      }
    }
    if (lastFailure) throw lastFailure;
    const names = candidates.map((c) => c.identity.emails[0] ?? c.identity.id.slice(0, 16)).join(', ');
    throw new Failure('no-key', `This message was not encrypted to your certificate${candidates.length > 1 ? 's' : ''}${names ? ` (${names})` : ''}.`);
  } catch (e) {
    if (e instanceof Failure) return { ok: false, error: { code: e.code, message: e.message } };
    return { ok: false, error: { code: 'malformed-cms', message: `The encrypted part could not be read (${e instanceof Error ? e.message : String(e)}).` } };
  }
}

/**
 * CMS SignedData for S/MIME (RFC 5652, RFC 8551 §2.5): one SignerInfo made with the user's non-extractable key.
 *
 * Signed attributes: content-type, signing-time, message-digest, SMIMECapabilities (what we can decrypt, in order
 * of preference) and SMIMEEncryptionKeyPreference (encrypt to this certificate). The signer's certificate and
 * its chain without the root go in `certificates`, so a receiver can build the path with only its anchors.
 * The signer is identified by issuerAndSerialNumber (SignerInfo v1), which every client reads.
 * We sign and encode the attributes ourselves (DER SET OF, sorted) rather than through pkijs' `sign()`, so the
 * bytes signed are exactly the bytes sent and RSA-PSS / ECDSA encodings are under our control.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { bs, buf } from '../keys/bytes';
import { parseCertificate, type Identity, type SignHash } from '../keys/identity';
import { derEncode, TAG, type DerNode } from './der';
import { DIGEST_OID, OID } from './oids';

export interface SignOptions {
  /** Default SHA-256. */
  digest?: SignHash;
  /** RSA-PSS instead of PKCS#1 v1.5 (RSA keys only). */
  pss?: boolean;
  /** Put the content inside (opaque signed-data). Default: detached. */
  encapsulate?: boolean;
  /** Signing time; default now. */
  signingTime?: Date;
  crypto?: CryptoEngine;
}

export type SignResult = { ok: true; der: Uint8Array } | { ok: false; error: { code: 'unsupported-algorithm' | 'no-key'; message: string } };

const ECDSA_OID: Record<SignHash, string> = {
  'SHA-256': OID.ecdsaSha256,
  'SHA-384': OID.ecdsaSha384,
  'SHA-512': OID.ecdsaSha512,
};
const HASH_LEN: Record<SignHash, number> = { 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };

function algId(oid: string, params?: asn1js.AsnType): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier(params ? { algorithmId: oid, algorithmParams: params } : { algorithmId: oid });
}

function attribute(type: string, value: asn1js.AsnType): pkijs.Attribute {
  return new pkijs.Attribute({ type, values: [value] });
}

/** SMIMECapabilities: what we decrypt, in the order we prefer to receive it (RFC 8551 §2.5.2). */
function capabilities(): asn1js.Sequence {
  const cap = (oid: string, params?: asn1js.AsnType) =>
    new asn1js.Sequence({ value: params ? [new asn1js.ObjectIdentifier({ value: oid }), params] : [new asn1js.ObjectIdentifier({ value: oid })] });
  return new asn1js.Sequence({
    value: [
      cap(OID.aes256Cbc),
      cap(OID.aes128Cbc),
      cap(OID.aes256Gcm),
      cap(OID.aes128Gcm),
      cap(OID.rsaOaep),
      cap(OID.rsaEncryption),
      cap(OID.dhStdSha256Kdf, algId(OID.aes256Wrap).toSchema()),
    ],
  });
}

function issuerAndSerial(cert: pkijs.Certificate): pkijs.IssuerAndSerialNumber {
  return new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber });
}

/** Sorts DER encodings as DER requires for SET OF (shorter-is-padded byte comparison). */
function derSort(items: ArrayBuffer[]): ArrayBuffer[] {
  return items.sort((a, b) => {
    const x = new Uint8Array(a);
    const y = new Uint8Array(b);
    const n = Math.max(x.length, y.length);
    for (let i = 0; i < n; i++) {
      const d = (x[i] ?? 0) - (y[i] ?? 0);
      if (d) return d;
    }
    return 0;
  });
}

function time(d: Date): asn1js.UTCTime | asn1js.GeneralizedTime {
  // RFC 5652 §11.3: UTCTime for 1950–2049, GeneralizedTime otherwise.
  return d.getUTCFullYear() < 2050 ? new asn1js.UTCTime({ valueDate: d }) : new asn1js.GeneralizedTime({ valueDate: d });
}

/** Builds the DER ContentInfo(SignedData) over `content`. */
export async function createSignedData(content: Uint8Array, identity: Identity, options: SignOptions = {}): Promise<SignResult> {
  const crypto = options.crypto ?? defaultCrypto();
  const subtle = crypto.subtle ?? crypto;
  const hash = options.digest ?? 'SHA-256';
  const keys = identity.keys;
  const cert = parseCertificate(identity.certificate);

  let key: CryptoKey | undefined;
  let sigAlg: pkijs.AlgorithmIdentifier;
  let params: AlgorithmIdentifier | RsaPssParams | EcdsaParams;
  if (keys.kind === 'rsa') {
    if (options.pss) {
      key = keys.rsaPss?.[hash];
      const hashAlg = algId(DIGEST_OID[hash]);
      sigAlg = algId(
        OID.rsaPss,
        new pkijs.RSASSAPSSParams({
          hashAlgorithm: hashAlg,
          maskGenAlgorithm: algId(OID.mgf1, hashAlg.toSchema()),
          saltLength: HASH_LEN[hash],
        }).toSchema(),
      );
      params = { name: 'RSA-PSS', saltLength: HASH_LEN[hash] };
    } else {
      key = keys.rsaPkcs1?.[hash];
      sigAlg = algId(OID.rsaEncryption, new asn1js.Null());
      params = { name: 'RSASSA-PKCS1-v1_5' };
    }
  } else {
    if (options.pss) return { ok: false, error: { code: 'unsupported-algorithm', message: 'RSA-PSS needs an RSA key; this identity has an EC key.' } };
    key = keys.ecdsa;
    sigAlg = algId(ECDSA_OID[hash]);
    params = { name: 'ECDSA', hash };
  }
  if (!key) return { ok: false, error: { code: 'no-key', message: 'This identity has no private key for signing with the requested algorithm.' } };

  const digest = new Uint8Array(await subtle.digest(hash, bs(content)));
  const attrs = [
    attribute(OID.contentType, new asn1js.ObjectIdentifier({ value: OID.data })),
    attribute(OID.signingTime, time(options.signingTime ?? new Date())),
    attribute(OID.messageDigest, new asn1js.OctetString({ valueHex: buf(digest) })),
    attribute(OID.smimeCapabilities, capabilities()),
    attribute(
      OID.encryptionKeyPreference,
      // SMIMEEncryptionKeyPreference ::= CHOICE { issuerAndSerialNumber [0] IMPLICIT … }
      new asn1js.Constructed({
        idBlock: { tagClass: 3, tagNumber: 0 },
        value: (issuerAndSerial(cert).toSchema() as asn1js.Sequence).valueBlock.value,
      }),
    ),
  ];
  const sorted = derSort(attrs.map((a) => a.toSchema().toBER()));
  const attrSet = new asn1js.Set({ value: sorted.map((d) => asn1js.fromBER(d).result) });
  const toBeSigned = attrSet.toBER();

  let signature = new Uint8Array(await subtle.sign(params, key, toBeSigned));
  if (keys.kind === 'ec') signature = new Uint8Array(pkijs.createCMSECDSASignature(buf(signature)));

  const signedAttrs = new pkijs.SignedAndUnsignedAttributes({
    type: 0,
    attributes: sorted.map((d) => new pkijs.Attribute({ schema: asn1js.fromBER(d).result })),
  });
  const signerInfo = new pkijs.SignerInfo({
    version: 1,
    sid: issuerAndSerial(cert),
    digestAlgorithm: algId(DIGEST_OID[hash]),
    signedAttrs,
    signatureAlgorithm: sigAlg,
    signature: new asn1js.OctetString({ valueHex: buf(signature) }),
  });
  const certificates = [cert, ...identity.chain.map(parseCertificate)];
  const signed = new pkijs.SignedData({
    version: 1,
    digestAlgorithms: [algId(DIGEST_OID[hash])],
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    certificates,
    signerInfos: [signerInfo],
  });
  // pkijs encodes everything but the (possibly 11 MB) content; der.ts writes the outer layers around it once.
  const parts = (signed.toSchema(true) as asn1js.Sequence).valueBlock.value.map((v) => new Uint8Array(v.toBER()));
  const encap: DerNode = {
    tag: TAG.sequence,
    children: [
      new Uint8Array(new asn1js.ObjectIdentifier({ value: OID.data }).toBER()),
      ...(options.encapsulate ? [{ tag: TAG.context0, children: [{ tag: TAG.octetString, children: [content] }] }] : []),
    ],
  };
  // SignedData ::= SEQUENCE { version, digestAlgorithms, encapContentInfo, certificates [0], signerInfos }
  const der = derEncode({
    tag: TAG.sequence,
    children: [
      new Uint8Array(new asn1js.ObjectIdentifier({ value: OID.signedData }).toBER()),
      { tag: TAG.context0, children: [{ tag: TAG.sequence, children: [parts[0], parts[1], encap, ...parts.slice(3)] }] },
    ],
  });
  return { ok: true, der };
}

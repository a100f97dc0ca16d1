/**
 * Algorithm identifiers used in CMS SignedData and X.509: OID ↔ names, and what WebCrypto needs to verify.
 * The one table of signature algorithms for both message signatures (cms/) and certificate/CRL signatures
 * (trust/); src/signature/ verifies them.
 *
 * Only what S/MIME mail meets in practice: MD5 and the SHA-1/SHA-2 digests, RSA PKCS#1 v1.5, RSASSA-PSS,
 * ECDSA on the NIST curves, Ed25519 (RFC 8419) and DSA (old hierarchies such as NIST PKITS). MD2 and Ed448
 * are named (so a report can say what it met) but not verifiable here.
 */

export type DigestName = 'MD5' | 'SHA-1' | 'SHA-224' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export const DIGEST_OIDS: Record<string, DigestName> = {
  '1.2.840.113549.2.5': 'MD5',
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.4': 'SHA-224',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

export const DIGEST_OID_BY_NAME: Record<DigestName, string> = Object.fromEntries(
  Object.entries(DIGEST_OIDS).map(([oid, name]) => [name, oid]),
) as Record<DigestName, string>;

/** Digests WebCrypto's subtle.digest computes; MD5 and SHA-224 need a JS implementation. */
export const WEBCRYPTO_DIGESTS: ReadonlySet<DigestName> = new Set(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']);

export function digestName(oid: string): DigestName | undefined {
  return DIGEST_OIDS[oid];
}

/** MD5 and SHA-1 are broken for signatures (collisions): a signature over them is reported, never trusted silently. */
export function isWeakDigest(name: DigestName | string | undefined): boolean {
  return name === 'MD5' || name === 'SHA-1';
}

/** The signature scheme family, as reported in SignerReport.signatureAlgorithm. */
export type SignatureScheme = 'RSASSA-PKCS1-v1_5' | 'RSA-PSS' | 'ECDSA' | 'Ed25519' | 'Ed448' | 'DSA';

export interface SignatureAlgorithmInfo {
  /** OpenSSL-style name, e.g. "sha256WithRSAEncryption", "ecdsa-with-SHA256", "RSASSA-PSS", "Ed25519". */
  name: string;
  scheme: SignatureScheme;
  /**
   * The digest the signature algorithm itself names (sha256WithRSAEncryption → SHA-256). Undefined when the
   * identifier names only the key type (rsaEncryption, id-ecPublicKey used as a signature algorithm, as some
   * CMS producers do): then the SignerInfo's digestAlgorithm applies. For RSASSA-PSS it comes from the params.
   */
  hash?: DigestName;
  /** Named for reports but never verified: the digest it names (MD2) is broken beyond any use. */
  broken?: true;
}

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  mgf1: '1.2.840.113549.1.1.8',
  ecPublicKey: '1.2.840.10045.2.1',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  x25519: '1.3.101.110',
  x448: '1.3.101.111',
  dsa: '1.2.840.10040.4.1',
  // CMS content types and attributes
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  envelopedData: '1.2.840.113549.1.7.3',
  authEnvelopedData: '1.2.840.113549.1.9.16.1.23',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
} as const;

const SIGNATURE_OIDS: Record<string, SignatureAlgorithmInfo> = {
  [OID.rsaEncryption]: { name: 'rsaEncryption', scheme: 'RSASSA-PKCS1-v1_5' },
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', scheme: 'RSASSA-PKCS1-v1_5', broken: true },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', scheme: 'RSASSA-PKCS1-v1_5', hash: 'MD5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', scheme: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' },
  // OIW sha1WithRSASignature, still in some old certificates; the same algorithm.
  '1.3.14.3.2.29': { name: 'sha1WithRSAEncryption', scheme: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', scheme: 'RSASSA-PKCS1-v1_5', hash: 'SHA-224' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', scheme: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', scheme: 'RSASSA-PKCS1-v1_5', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', scheme: 'RSASSA-PKCS1-v1_5', hash: 'SHA-512' },
  [OID.rsassaPss]: { name: 'RSASSA-PSS', scheme: 'RSA-PSS' },
  [OID.ecPublicKey]: { name: 'id-ecPublicKey', scheme: 'ECDSA' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', scheme: 'ECDSA', hash: 'SHA-1' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', scheme: 'ECDSA', hash: 'SHA-224' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', scheme: 'ECDSA', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', scheme: 'ECDSA', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', scheme: 'ECDSA', hash: 'SHA-512' },
  [OID.ed25519]: { name: 'Ed25519', scheme: 'Ed25519' },
  [OID.ed448]: { name: 'Ed448', scheme: 'Ed448' },
  [OID.dsa]: { name: 'dsa', scheme: 'DSA' },
  '1.2.840.10040.4.3': { name: 'dsa-with-SHA1', scheme: 'DSA', hash: 'SHA-1' },
  '2.16.840.1.101.3.4.3.1': { name: 'dsa-with-SHA224', scheme: 'DSA', hash: 'SHA-224' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa-with-SHA256', scheme: 'DSA', hash: 'SHA-256' },
  '2.16.840.1.101.3.4.3.3': { name: 'dsa-with-SHA384', scheme: 'DSA', hash: 'SHA-384' },
  '2.16.840.1.101.3.4.3.4': { name: 'dsa-with-SHA512', scheme: 'DSA', hash: 'SHA-512' },
};

export function signatureAlgorithmInfo(oid: string): SignatureAlgorithmInfo | undefined {
  return SIGNATURE_OIDS[oid];
}

/** A readable name for any signature OID; the dotted OID itself when unknown. */
export function signatureAlgorithmName(oid: string): string {
  return SIGNATURE_OIDS[oid]?.name ?? oid;
}

/** Named elliptic curves: OID → WebCrypto namedCurve, and the byte size of r and s. */
export const CURVES: Record<string, { name: 'P-256' | 'P-384' | 'P-521'; size: number }> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', size: 32 },
  '1.3.132.0.34': { name: 'P-384', size: 48 },
  '1.3.132.0.35': { name: 'P-521', size: 66 },
};

/** Curves we can name but WebCrypto cannot verify on. */
export const OTHER_CURVES: Record<string, string> = {
  '1.3.132.0.10': 'secp256k1',
  '1.2.840.10045.3.1.1': 'P-192',
  '1.3.132.0.33': 'P-224',
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
  '1.3.36.3.3.2.8.1.1.11': 'brainpoolP384r1',
  '1.3.36.3.3.2.8.1.1.13': 'brainpoolP512r1',
};

export function curveName(oid: string): string {
  return CURVES[oid]?.name ?? OTHER_CURVES[oid] ?? oid;
}

/** Public key algorithms of certificates, for CertificateDetails.publicKeyAlgorithm. */
export const PUBLIC_KEY_OIDS: Record<string, string> = {
  [OID.rsaEncryption]: 'RSA',
  [OID.rsassaPss]: 'RSA-PSS',
  [OID.ecPublicKey]: 'ECDSA',
  [OID.ed25519]: 'Ed25519',
  [OID.ed448]: 'Ed448',
  [OID.x25519]: 'X25519',
  [OID.x448]: 'X448',
  [OID.dsa]: 'DSA',
};

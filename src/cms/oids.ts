import { OID as VERIFY_OID } from './algorithms';

/**
 * Object identifiers used by sign / encrypt / decrypt (RFC 5652, 5754, 8017, 5753, 5083/5084, 8551): the ones
 * verification also uses come from cms/algorithms.ts, so each identifier is written once.
 */
export const OID = {
  ...VERIFY_OID,
  // attributes
  smimeCapabilities: '1.2.840.113549.1.9.15',
  encryptionKeyPreference: '1.2.840.113549.1.9.16.2.11',
  // digests
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  sha1: '1.3.14.3.2.26',
  // signature / key transport
  rsaPss: VERIFY_OID.rsassaPss,
  rsaOaep: '1.2.840.113549.1.1.7',
  pSpecified: '1.2.840.113549.1.1.9',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  ecdsaSha512: '1.2.840.10045.4.3.4',
  // key agreement (RFC 5753 / SEC 1)
  dhStdSha1Kdf: '1.3.133.16.840.63.0.2',
  dhStdSha224Kdf: '1.3.132.1.11.0',
  dhStdSha256Kdf: '1.3.132.1.11.1',
  dhStdSha384Kdf: '1.3.132.1.11.2',
  dhStdSha512Kdf: '1.3.132.1.11.3',
  // content and key wrap
  aes128Cbc: '2.16.840.1.101.3.4.1.2',
  aes192Cbc: '2.16.840.1.101.3.4.1.22',
  aes256Cbc: '2.16.840.1.101.3.4.1.42',
  aes128Gcm: '2.16.840.1.101.3.4.1.6',
  aes192Gcm: '2.16.840.1.101.3.4.1.26',
  aes256Gcm: '2.16.840.1.101.3.4.1.46',
  aes128Wrap: '2.16.840.1.101.3.4.1.5',
  aes192Wrap: '2.16.840.1.101.3.4.1.25',
  aes256Wrap: '2.16.840.1.101.3.4.1.45',
  desEde3Cbc: '1.2.840.113549.3.7',
} as const;

export type DigestName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export const DIGEST_OID: Record<DigestName, string> = {
  'SHA-1': OID.sha1,
  'SHA-256': OID.sha256,
  'SHA-384': OID.sha384,
  'SHA-512': OID.sha512,
};

export const DIGEST_BY_OID: Record<string, DigestName> = Object.fromEntries(
  Object.entries(DIGEST_OID).map(([k, v]) => [v, k as DigestName]),
);

/** RFC 5751 §3.4.3.2 micalg names. */
export const MICALG: Record<DigestName, string> = {
  'SHA-1': 'sha-1',
  'SHA-256': 'sha-256',
  'SHA-384': 'sha-384',
  'SHA-512': 'sha-512',
};

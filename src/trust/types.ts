import type * as pkijs from 'pkijs';
import type { ParsedName } from './names';
import type { Reason, SignerReport, TrustStatus } from '../verdict';

export type RevocationMode = 'off' | 'soft' | 'hard';

/**
 * Network access for trust (issue 6): AIA caIssuers, OCSP, CRL distribution points.
 * Undefined means no network at all, which is the default for privacy.
 */
export interface TrustFetcher {
  /** GET a URL (http/https), bounded size and time; rejects on failure. */
  get(url: string): Promise<Uint8Array>;
  /** POST (OCSP). */
  post(url: string, body: Uint8Array, contentType: string): Promise<Uint8Array>;
}

/**
 * Anchors found by name on demand: the certificates whose subject equals `issuer`. Used for large anchor sets
 * (the 106 bundled roots) so that a verification parses and indexes only the few roots a path can end at.
 */
export type AnchorLookup = (issuer: ParsedName) => pkijs.Certificate[];

export interface ChainOptions {
  anchors: pkijs.Certificate[];
  /** More anchors, looked up by the issuer names of the certificates and CRLs at hand (see AnchorLookup). */
  anchorLookup?: AnchorLookup;
  /**
   * A per-anchor "distrust after" date for e-mail (NSS' CKA_NSS_EMAIL_DISTRUST_AFTER on the bundled roots): a signer
   * certificate whose notBefore is later than the date is not trusted through that anchor ('root-distrusted').
   * Undefined result = no such date. Applies to the signer's own path only, not to CRL signers.
   */
  emailDistrustAfter?: (anchor: pkijs.Certificate) => Date | undefined;
  intermediates: pkijs.Certificate[];
  crls: pkijs.CertificateRevocationList[];
  /** Time validity is checked at. */
  at: Date;
  /** Require id-kp-emailProtection when the leaf has an EKU extension (RFC 8550 §4.4.4). Default true. */
  requireEmailProtection?: boolean;
  /** Accept SHA-1 signed certificates. Default false. */
  allowSha1?: boolean;
  /** RSA keys shorter than this never vouch for a certificate, CRL or OCSP answer (policy algorithms.minRsaBits). Default 2048. */
  minRsaBits?: number;
  /**
   * Per certificate of the path: a CRL/OCSP answer that covers it decides it (revoked is never trusted). 'soft'
   * (default): no information is a note, unusable information (stale, badly signed, unreadable) a warning; 'hard':
   * both are not trusted. CRLs at hand never change the mode.
   */
  revocation?: RevocationMode;
  fetcher?: TrustFetcher;
  /** Why there is no fetcher although online checks are on (said in the "not checked" note instead of "turned off"). */
  offlineBecause?: string;
  /** Use delta CRLs found among `crls` (RFC 5280 §5.2.4). Default true. */
  useDeltaCrls?: boolean;
  /**
   * Consulted for each certificate whose status the CRLs at hand leave unknown (not called when
   * revocation is 'off'). The online revocation module (OCSP, CRL distribution points) plugs in here;
   * `issuer` is the certificate that issued `cert` on the validated path. Undefined result = no answer.
   */
  onlineRevocation?: (
    cert: pkijs.Certificate,
    issuer: pkijs.Certificate,
    at: Date,
  ) => Promise<OnlineRevocationResult | undefined>;
}

export interface OnlineRevocationResult {
  status: 'good' | 'revoked' | 'unknown';
  source: 'crl' | 'ocsp';
  /** When revoked. */
  revocationDate?: Date;
  /** CRLReason name when revoked, e.g. "key compromise". */
  reason?: string;
  /** One plain sentence, e.g. "The OCSP responder of Example CA says the certificate is good." */
  detail: string;
  /**
   * With 'unknown': true when there was nothing to ask (the certificate names no OCSP responder or CRL distribution
   * point, or online checks were not allowed for it); false or absent when a source exists but gave no usable answer.
   */
  noInfo?: boolean;
  /** With 'unknown': a CRL was fetched but cannot be read. Fails closed (not trusted) in soft and hard alike. */
  unreadable?: boolean;
}

export interface ChainResult {
  trust: TrustStatus;
  /** Leaf first; ends at the anchor when one was reached. */
  chain: pkijs.Certificate[];
  reasons: Reason[];
  revocation: NonNullable<SignerReport['revocation']>;
}

import type * as pkijs from 'pkijs';
import type { DsaParams } from '../signature/types';
import type { Reason, ReasonCode, SignatureStatus } from '../verdict';

/** Result for one SignerInfo of a SignedData. */
export interface CmsSignerResult {
  signature: Exclude<SignatureStatus, 'absent'>;
  /** The certificate that matched the SignerInfo's sid, if any was found. */
  signerCertificate?: pkijs.Certificate;
  digestAlgorithm?: string; // "SHA-256", "SHA-1", …
  signatureAlgorithm?: string; // "RSASSA-PKCS1-v1_5", "RSA-PSS", "ECDSA", "Ed25519"
  signingTime?: Date;
  reasons: Reason[];
  /**
   * True when a digest in this signature is too weak to be trusted at all (MD5 always, SHA-1 unless
   * `allowSha1`): the signature may still check out, but policy must not call the message trusted.
   */
  neverTrusted?: boolean;
  /** Which form of the detached content matched: the bytes as given, or the lazily made canonical form. */
  contentForm?: 'as-given' | 'canonical';
  /** RSA modulus length, when the signer key is RSA. */
  rsaBits?: number;
  /**
   * The DSA domain parameters the signature was checked with when the signer's key omits them and they were
   * inherited from an issuer among the certificates at hand: the trusted path must give the same ones.
   */
  inheritedDsaParams?: DsaParams;
}

export type CmsVerifyResult =
  | {
      ok: true;
      /**
       * All signers taken together: 'valid' only when there is at least one SignerInfo, every one is valid
       * and nothing about the SignedData as a whole is wrong (e.g. eContent confusion). Otherwise the worst
       * status among the signers ('invalid' before 'unknown-signer' before 'unsupported').
       */
      signature: CmsSignerResult['signature'];
      signers: CmsSignerResult[];
      /** Certificates carried in the SignedData (for path building). */
      certificates: pkijs.Certificate[];
      /** CRLs carried in the SignedData. */
      crls: pkijs.CertificateRevocationList[];
      /** eContentType OID and, for opaque signed data, the encapsulated content. */
      eContentType: string;
      eContent?: Uint8Array;
      /** Reasons about the SignedData as a whole (e.g. econtent-confusion, no-signer-info). */
      reasons: Reason[];
    }
  | { ok: false; error: { code: ReasonCode; message: string } };

export interface CmsVerifyOptions {
  /** multipart/signed: the exact bytes of the first part. Absent for opaque signed-data. */
  detachedContent?: Uint8Array;
  /**
   * A second candidate for the detached content, made lazily only when the first does not match:
   * the CRLF-canonical form of LF-only input (RFC 8551 §3.1.1; clients hand over either).
   */
  canonicalContent?: () => Uint8Array;
  /** Accept SHA-1 digests without flagging them as never-trusted (policy). Default false. */
  allowSha1?: boolean;
  /**
   * RSA signer keys shorter than this make the signature never trusted (an error, not a warning; the policy's
   * algorithms.minRsaBits). Default 2048 (trust/signature.ts DEFAULT_MIN_RSA_BITS).
   */
  minRsaBits?: number;
  /** Certificates from elsewhere (caller, earlier messages) to find signers in, after the embedded ones. */
  extraCertificates?: pkijs.Certificate[];
}

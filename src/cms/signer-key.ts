/**
 * The signer's public key as a message signature is checked with: its certificate's key, and for a DSA key
 * that omits its domain parameters (RFC 3279 §2.3.2) the parameters it inherits from its issuer, found among
 * the certificates at hand (those in the SignedData, then the caller's).
 *
 * An issuer is taken only when its own working key verifies the certificate below it, so a stray certificate
 * with the right name cannot lend its parameters. Which parameters were inherited is returned, so that the
 * caller can check them against the path that trust validation chose (verify-message.ts): the parameters are
 * part of the key, and the trusted path decides them. Bounded: at most MAX_DEPTH issuers up and MAX_CHECKS
 * signature checks in all, however many same-named certificates a message carries.
 */
import type * as pkijs from 'pkijs';
import type { CryptoEngine } from '../crypto';
import { dsaParamsOf, isDsaKey } from '../signature/key';
import type { DsaParams } from '../signature/types';
import { verifySignature } from '../signature/verify';

const MAX_DEPTH = 4;
const MAX_CHECKS = 8;

export function inheritedDsaParams(
  cert: pkijs.Certificate,
  candidates: pkijs.Certificate[],
  crypto: CryptoEngine,
): Promise<DsaParams | undefined> {
  return inherit(cert, candidates, crypto, 0, { checks: 0 });
}

async function inherit(
  cert: pkijs.Certificate,
  candidates: pkijs.Certificate[],
  crypto: CryptoEngine,
  depth: number,
  budget: { checks: number },
): Promise<DsaParams | undefined> {
  if (depth >= MAX_DEPTH || cert.issuer.isEqual(cert.subject)) return undefined;
  for (const issuer of candidates) {
    if (issuer === cert || !issuer.subject.isEqual(cert.issuer) || !isDsaKey(issuer.subjectPublicKeyInfo)) continue;
    const params = dsaParamsOf(issuer.subjectPublicKeyInfo) ?? (await inherit(issuer, candidates, crypto, depth + 1, budget));
    if (!params) continue;
    if (++budget.checks > MAX_CHECKS) return undefined;
    const check = await verifySignature(
      {
        algorithm: cert.signatureAlgorithm,
        publicKey: issuer.subjectPublicKeyInfo,
        dsaParams: params,
        signature: cert.signatureValue.valueBlock.valueHexView,
        data: cert.tbsView,
      },
      crypto,
    );
    if (check.status === 'valid') return params;
  }
  return undefined;
}

/**
 * The one verifier of public-key signatures, for CMS SignerInfos (cms/verify.ts), certificates and CRLs
 * (trust/signature.ts) and self-signature checks (certs/details.ts): RSA PKCS #1 v1.5, RSASSA-PSS, ECDSA on
 * P-256/384/521, Ed25519 and DSA. Which algorithm an OID names comes from cms/algorithms.ts only.
 *
 * It answers "does this signature check out with this key?", nothing about policy: weak digests and key sizes are
 * the callers' to judge (they get the digest and key size back). Goes to WebCrypto's subtle directly rather
 * than pkijs' CryptoEngine.importKey, which converts keys via JWK and knows neither Ed25519 nor RSA keys under
 * the id-RSASSA-PSS OID. Bad input gives a result, never an exception.
 */
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { signatureAlgorithmInfo, type DigestName } from '../cms/algorithms';
import { errorText } from '../cms/errors';
import { verifyDsa } from './dsa';
import { verifyEcdsa } from './ecdsa';
import { verifyEd25519 } from './ed25519';
import { rsaKeyTooLarge } from './key';
import { budgetExceededDetail, publicKeyBudgetOf } from './limits';
import { pssParams, verifyRsaPkcs1, verifyRsaPss } from './rsa';
import type { SignatureCheck, SignatureInput } from './types';

export type { DsaParams, SignatureCheck, SignatureInput } from './types';

export async function verifySignature(
  input: SignatureInput,
  crypto: CryptoEngine = defaultCrypto(),
): Promise<SignatureCheck> {
  const oid = input.algorithm.algorithmId;
  const info = signatureAlgorithmInfo(oid);
  if (!info) return { status: 'unsupported', detail: `unknown signature algorithm ${oid}` };
  if (info.broken) return { status: 'unsupported', scheme: info.scheme, detail: `${info.name} signatures are not supported` };
  // Bounds before any arithmetic (limits.ts): no RSA key over 16,384 bits, and no more checks than the message's budget.
  const tooLarge = rsaKeyTooLarge(input.publicKey);
  if (tooLarge) return { status: 'unsupported', scheme: info.scheme, rsaBits: tooLarge.bits, detail: tooLarge.detail };
  const budget = publicKeyBudgetOf(crypto);
  if (budget && !budget.take()) {
    return { status: 'unsupported', scheme: info.scheme, detail: budgetExceededDetail(budget.limit), overBudget: true };
  }
  try {
    switch (info.scheme) {
      case 'RSASSA-PKCS1-v1_5':
        return await verifyRsaPkcs1(input, info.hash ?? input.fallbackDigest, crypto);
      case 'RSA-PSS':
        return await verifyRsaPss(input, crypto);
      case 'ECDSA':
        return await verifyEcdsa(input, info.hash ?? input.fallbackDigest, crypto);
      case 'Ed25519':
        return await verifyEd25519(input, crypto);
      case 'DSA':
        return await verifyDsa(input, info.hash ?? input.fallbackDigest, crypto);
      default:
        return { status: 'unsupported', scheme: info.scheme, detail: `${info.name} signatures are not supported` };
    }
  } catch (e) {
    // WebCrypto throws for a key it cannot import (bad encoding, key/algorithm mismatch): the signature
    // cannot be valid with that key, but the engine might just lack the algorithm.
    const name = (e as { name?: string })?.name;
    if (name === 'NotSupportedError') {
      return { status: 'unsupported', scheme: info.scheme, detail: `${info.name}: ${errorText(e)}` };
    }
    return { status: 'invalid', scheme: info.scheme, detail: `the public key could not be used: ${errorText(e)}` };
  }
}

/**
 * The digest a signature algorithm computes over the data (for RSASSA-PSS, from its parameters), so policy can
 * refuse SHA-1 or MD5 before any public-key work. Undefined when the identifier names none (or is unknown).
 */
export function signatureDigest(algorithm: SignatureInput['algorithm'], fallback?: DigestName): DigestName | undefined {
  const info = signatureAlgorithmInfo(algorithm.algorithmId);
  if (!info) return undefined;
  if (info.scheme === 'RSA-PSS') return pssParams(algorithm).hash;
  return info.hash ?? fallback;
}

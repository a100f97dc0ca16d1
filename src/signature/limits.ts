/**
 * Bounds on public-key work, so that one message cannot stall a host (an Outlook pane, Thunderbird's background
 * page, the CLI). Two rules, both applied in signature/verify.ts, the one verifier every signature goes through:
 *
 * - RSA keys over MAX_RSA_MODULUS_BITS are refused before any arithmetic (and before WebCrypto sees them), for
 *   message signatures, certificates, CRLs, OCSP answers, key import and PKCS #1 v1.5 key transport. The cost of
 *   one RSA operation grows with the square of the modulus or worse: a 4-million-bit key in a 1.5 MB message
 *   costs about a minute of CPU in the BigInt fallback. 16,384 bits is OpenSSL's (OPENSSL_RSA_MAX_MODULUS_BITS)
 *   and NSS' (RSA_MAX_MODULUS_BITS) ceiling too, so no key that works elsewhere is refused here.
 * - At most MAX_PUBLIC_KEY_OPERATIONS signature checks per message (withPublicKeyBudget). A message may carry 32
 *   signers, each with up to 32 candidate paths of 10 certificates and CRLs for each: without a bound that is
 *   thousands of 16,384-bit operations. Checks beyond the budget are not done; the verdict says so
 *   ('limit-exceeded') and the message is not trusted.
 */
import type { CryptoEngine } from '../crypto';

/** RSA moduli above this many bits are refused before any arithmetic (OpenSSL's and NSS' ceiling). */
export const MAX_RSA_MODULUS_BITS = 16_384;

/**
 * Signature checks (public-key operations) per message. Real mail needs a handful: one per signer, one per
 * certificate of its chain, one per CRL or OCSP answer; PKITS' deepest tests need about 20.
 */
export const MAX_PUBLIC_KEY_OPERATIONS = 64;

/** How many public-key operations one message may still spend. */
export class PublicKeyBudget {
  used = 0;
  /** Checks refused because the budget was spent. */
  refused = 0;
  constructor(readonly limit: number = MAX_PUBLIC_KEY_OPERATIONS) {}
  /** Spends one operation; false when none is left (the caller must then not do it). */
  take(): boolean {
    if (this.used >= this.limit) {
      this.refused++;
      return false;
    }
    this.used++;
    return true;
  }
  get exceeded(): boolean {
    return this.refused > 0;
  }
}

const BUDGETS = new WeakMap<CryptoEngine, { budget: PublicKeyBudget; base: CryptoEngine }>();

/**
 * The engine for one message: the same engine (it inherits every method and property), carrying a budget that
 * signature/verify.ts spends. Riding on the engine means every module that already takes the engine as a
 * parameter (CMS, path validation, CRLs, OCSP, certificate details) is bounded without a second parameter.
 */
export function withPublicKeyBudget(crypto: CryptoEngine, budget = new PublicKeyBudget()): CryptoEngine {
  const base = unmetered(crypto);
  const metered = Object.create(base) as CryptoEngine;
  BUDGETS.set(metered, { budget, base });
  return metered;
}

/** The budget an engine carries, if any. */
export function publicKeyBudgetOf(crypto: CryptoEngine): PublicKeyBudget | undefined {
  return BUDGETS.get(crypto)?.budget;
}

/** The engine without its budget: what caches that outlive one message (imported keys) are keyed by. */
export function unmetered(crypto: CryptoEngine): CryptoEngine {
  return BUDGETS.get(crypto)?.base ?? crypto;
}

/** The sentence for a check that was not done because the message's budget was spent. */
export function budgetExceededDetail(limit: number): string {
  return `this message needs more than ${limit} signature checks, and the rest were not done`;
}

/** Bit length of a big-endian unsigned integer from its bytes (no BigInt: this runs before any size check). */
export function bitLengthOfBytes(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i]));
}

/**
 * A verdict made by a host when it could not even get a message to check (no item, API missing, the host
 * refused). It goes through the same view as the core's verdicts, so the reader sees one consistent status
 * line (data-verdict="error") with the reason in plain words.
 */
import type { ErrorVerdict, ReasonCode } from '../src/verdict';
import { VERDICT_PHRASE, reason, warningsOf } from '../src/verdict';

export function hostErrorVerdict(code: ReasonCode, message: string, at: Date = new Date()): ErrorVerdict {
  const reasons = [reason(code, 'error', message)];
  return {
    verdict: 'error',
    signature: 'unknown-signer',
    trust: 'unknown',
    sender: 'unknown',
    coverage: 'none',
    reasons,
    warnings: warningsOf(reasons),
    signers: [],
    layers: [],
    from: [],
    outsideSignature: [],
    encrypted: false,
    decrypted: false,
    checkedAt: at.toISOString(),
    summary: VERDICT_PHRASE.error,
    error: { code, message },
  };
}

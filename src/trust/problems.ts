/**
 * A problem found on a path: the reason code, the TrustStatus it implies, and one plain sentence.
 * The rank decides which problem becomes the headline when a path has several (lower = more serious).
 */
import type { ReasonCode, TrustStatus } from '../verdict';

export interface Problem {
  code: ReasonCode;
  trust: TrustStatus;
  message: string;
}

const RANK: Partial<Record<ReasonCode, number>> = {
  'cert-revoked': 0,
  'bad-cert-signature': 1,
  'unknown-critical-extension': 2,
  'invalid-ca': 3,
  'path-length-exceeded': 4,
  'name-constraints-violated': 5,
  'policy-violation': 6,
  'wrong-key-usage': 7,
  'wrong-extended-key-usage': 8,
  'cert-expired': 9,
  'cert-not-yet-valid': 10,
  'revocation-unknown': 11,
  'root-distrusted': 12,
  'untrusted-root': 13,
  'self-signed': 14,
  'missing-intermediate': 15,
};

export function rank(p: Problem): number {
  return RANK[p.code] ?? 50;
}

export function worst(problems: Problem[]): Problem | undefined {
  return problems.slice().sort((a, b) => rank(a) - rank(b))[0];
}

export function problem(code: ReasonCode, trust: TrustStatus, message: string): Problem {
  return { code, trust, message };
}

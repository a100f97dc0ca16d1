/**
 * Setup health (issue 13): what is wrong, or about to go wrong, with a certificate someone relies on — before a
 * message shows it. Findings are plain sentences with stable codes (the CLI's `doctor --json` and the audit log key
 * on them; do not rename).
 */
import type { CertificateDetails, TrustStatus } from '../verdict';

/**
 * own: my signing/encryption identity; correspondent: a signer I received mail from; recipient: a certificate I am
 * about to encrypt to.
 */
export type HealthPurpose = 'own' | 'correspondent' | 'recipient';

export type HealthSeverity = 'info' | 'warning' | 'error';

export type HealthCode =
  | 'expired'
  | 'expires-soon'
  | 'not-yet-valid'
  | 'weak-key'
  | 'weak-signature'
  | 'no-email-protection'
  | 'wrong-key-usage'
  | 'no-email-address'
  | 'address-mismatch'
  | 'chain-incomplete'
  | 'untrusted-root'
  | 'revoked'
  | 'chain-problem'
  | 'not-a-certificate'
  // the policy file itself (CLI doctor)
  | 'policy-invalid'
  | 'is-ca'
  // CA/Browser Forum S/MIME Baseline Requirements (only for chains to the bundled public roots; warnings)
  | 'br-no-policy-oid'
  | 'br-validity-too-long'
  | 'br-legacy-after-sunset'
  | 'br-forbidden-eku'
  | 'br-no-crl-distribution-point';

export interface HealthFinding {
  code: HealthCode;
  severity: HealthSeverity;
  /** One plain sentence. */
  message: string;
  /** Which certificate it is about: its common name (or e-mail) and the start of its SHA-256 fingerprint; null for the policy. */
  certificate: string | null;
  /** For Baseline Requirements findings: the section of the BR text, e.g. "S/MIME BR 1.0.10 §6.3.2". */
  section?: string;
}

export interface HealthReport {
  purpose: HealthPurpose;
  /** The certificate checked (the end entity). */
  certificate: CertificateDetails;
  /** The chain as far as it could be built, leaf first. */
  chain: CertificateDetails[];
  trust: TrustStatus;
  /** Worst first (error, warning, info). */
  findings: HealthFinding[];
  /** Days until the end entity expires (negative when expired), whole days rounded down. */
  daysLeft: number;
}

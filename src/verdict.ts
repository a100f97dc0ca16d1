/**
 * The verdict: what the core tells a host (and the CLI prints as JSON) about one message.
 *
 * The one-word fields (`verdict`, `signature`, `trust`, `sender`, `coverage`) are a contract used by
 * outside checks and the CLI's `--json` output: do not rename their values. Everything a user needs to
 * understand *why* is in `reasons` (plain language, one sentence each, with a stable `code`).
 *
 * Bad messages never throw: they produce a Verdict. Only programmer errors throw.
 */

/** The answer a user sees first. `trusted` only when every check below passed. */
export type VerdictWord = 'trusted' | 'untrusted' | 'invalid' | 'unsigned' | 'error';

export type SignatureStatus = 'valid' | 'invalid' | 'unknown-signer' | 'unsupported' | 'absent';

export type TrustStatus =
  | 'trusted'
  | 'untrusted'
  | 'expired'
  | 'not-yet-valid'
  | 'revoked'
  | 'wrong-usage'
  | 'incomplete-chain'
  | 'unknown';

export type SenderStatus = 'match' | 'mismatch' | 'unknown';
export type CoverageStatus = 'full' | 'partial' | 'none';

/**
 * Stable reason codes. Every code has a plain-language message at the place it is raised.
 * Add codes here (never reuse one for another meaning): hosts and the audit log key on them.
 */
export type ReasonCode =
  // message structure
  | 'not-mail'
  | 'not-signed'
  | 'malformed-mime'
  | 'limit-exceeded'
  | 'malformed-cms'
  | 'truncated'
  | 'encrypted'
  | 'decrypt-failed'
  | 'no-key'
  // signature
  | 'signature-valid'
  | 'signature-invalid'
  | 'content-digest-mismatch'
  | 'econtent-confusion'
  | 'no-signer-info'
  | 'multiple-signer-infos'
  | 'signer-cert-missing'
  | 'unsupported-algorithm'
  | 'weak-digest'
  | 'weak-key'
  | 'signing-time-outside-validity'
  | 'content-type-mismatch'
  // an S/MIME layer whose signed content is not of type id-data (RFC 8551 §2.4.1): not mail
  | 'econtent-type-not-data'
  // trust
  | 'chain-trusted'
  | 'untrusted-root'
  | 'root-distrusted'
  | 'self-signed'
  | 'missing-intermediate'
  | 'cert-expired'
  | 'cert-not-yet-valid'
  | 'cert-revoked'
  | 'revocation-unknown'
  | 'revocation-not-checked'
  | 'revocation-good'
  | 'bad-cert-signature'
  | 'invalid-ca'
  | 'path-length-exceeded'
  | 'name-constraints-violated'
  | 'policy-violation'
  | 'unknown-critical-extension'
  | 'wrong-key-usage'
  | 'wrong-extended-key-usage'
  // the signer's certificate is a certificate authority's (basicConstraints cA=TRUE), not a person's
  | 'ca-as-signer'
  | 'aia-fetched'
  // sender binding
  | 'sender-match'
  | 'sender-mismatch'
  | 'no-email-in-cert'
  | 'multiple-from'
  | 'no-from'
  | 'display-name-deceptive'
  // From is not exactly one well-formed mailbox (a group, an entry without address, text after it, …)
  | 'from-malformed'
  // a note: the From domain is internationalised (look-alike letters possible)
  | 'from-internationalised'
  | 'sender-header-mismatch'
  | 'reply-to-differs'
  // header protection (RFC 9788; src/header-protection/)
  | 'header-from-changed'
  | 'header-changed'
  | 'headers-unprotected'
  | 'headers-protected'
  // coverage
  | 'coverage-full'
  | 'partially-signed'
  // a CR that does not end a line outside what a layer's signature covers: mail programs split lines there (coverage.ts)
  | 'bare-carriage-return'
  // a line outside the signed part that Thunderbird takes for a delimiter and we do not (coverage.ts)
  | 'ambiguous-delimiter'
  // only one part of the message was encrypted; the rest was readable (and changeable) by anyone on the way
  | 'partially-encrypted'
  | 'nested-signature'
  // organisation rules (policy/inbound.ts): mail from a domain that must sign, unsigned or not trusted
  | 'policy-unsigned-internal'
  | 'policy-untrusted-internal'
  // the host could not hand over the message (e.g. Outlook's getAsFileAsync missing or refused)
  | 'message-unavailable'
  // the host could not load the administrator's policy (Outlook: policy.json failed other than 404)
  | 'policy-unavailable'
  // anything else
  | 'internal-error';

export type Severity = 'ok' | 'info' | 'warning' | 'error';

export interface Reason {
  code: ReasonCode;
  severity: Severity;
  /** One plain-language sentence, e.g. "The signer's certificate expired on 2024-06-15." */
  message: string;
}

/** The subset of a Reason that the CLI contract calls a warning (`{code, message}`). */
export interface Warning {
  code: ReasonCode;
  message: string;
}

/** What a UI shows of a certificate. All strings, so it survives JSON and structured clone. */
export interface CertificateDetails {
  subject: string;
  /** Common name, or the first e-mail when there is no CN; for the headline. */
  commonName: string;
  issuer: string;
  /** rfc822Name entries from subjectAltName, then emailAddress attributes of the subject; lower-cased. */
  emails: string[];
  notBefore: string; // ISO 8601
  notAfter: string; // ISO 8601
  serialNumber: string; // hex, upper-case, no separators
  sha256: string; // hex with colons, upper-case: "AB:CD:…"
  publicKeyAlgorithm: string; // e.g. "RSA 2048", "ECDSA P-256", "Ed25519"
  signatureAlgorithm: string; // of the certificate itself, e.g. "sha256WithRSAEncryption"
  isCA: boolean;
  selfSigned: boolean;
}

/** One signer of one signed layer. */
export interface SignerReport {
  signature: SignatureStatus;
  trust: TrustStatus;
  certificate?: CertificateDetails;
  /** Leaf first, anchor last (when found). */
  chain: CertificateDetails[];
  digestAlgorithm?: string; // e.g. "SHA-256"
  signatureAlgorithm?: string; // e.g. "RSASSA-PKCS1-v1_5", "RSA-PSS", "ECDSA", "Ed25519"
  signingTime?: string; // ISO 8601, from the signed attributes
  /** What revocation checking did: 'crl' | 'ocsp' | 'not-checked' and why. */
  revocation?: { status: 'good' | 'revoked' | 'unknown' | 'not-checked'; source?: 'crl' | 'ocsp'; detail?: string };
  reasons: Reason[];
}

/** Where in the MIME tree a signed layer was found, and what lies outside it. */
export interface LayerReport {
  kind: 'multipart-signed' | 'opaque-signed' | 'enveloped' | 'auth-enveloped';
  /** Path of MIME part numbers from the root, e.g. "1.2"; "" for the root. */
  partPath: string;
  signers: SignerReport[];
}

/**
 * RFC 9788 header protection as read from the cryptographic payload (src/header-protection/). The field names are
 * a contract (`--json`, hosts): `protected`, `mode`, `headers`, `changed`, `legacyDisplay`.
 */
export type HeaderProtectionMode = 'clear' | 'cipher' | 'legacy-wrapped';

/** One header field whose outer value is not what the signer protected. `null` = the field is absent there. */
export interface HeaderChange {
  /** Lower-case field name, e.g. "subject". */
  field: string;
  /** What the message carries outside the signature now (RFC 2047 decoded, visible text). */
  outer: string | null;
  /** The signed (protected) value. */
  protected: string | null;
  /**
   * hp="cipher" only: what the sender recorded in HP-Outer as the value put outside (e.g. "[...]"); the outer value
   * differs from this record, so it was changed in transit.
   */
  recordedOuter?: string | null;
}

export interface HeaderProtection {
  /** True when a valid signature (or, for hp="cipher" without one, the decryption) covers the protected headers. */
  protected: boolean;
  /** What the payload declares (hp="clear" / hp="cipher") or the RFC 8551 §3.1 message/rfc822 form; null = none. */
  mode: HeaderProtectionMode | null;
  /** Protected values, RFC 2047 decoded, keyed by lower-case field name (first instance; HP-Outer and Content-* left out). */
  headers: Record<string, string>;
  /** Fields changed after signing (or, under hp="cipher", changed against their HP-Outer record). */
  changed: HeaderChange[];
  /**
   * Part paths of legacy display elements (hp-legacy-display="1") that a host hides from the body it shows, relative
   * to the payload ("" = the payload itself, "1" its first part): as decryptMessage's `body` parses.
   */
  legacyDisplay: string[];
  /**
   * Per protected field (same keys as `headers`), its protection state as RFC 9788 §4.3.1 computes it: "signed-only"
   * (also visible outside), "signed-and-encrypted" (the sender kept it inside the encryption), "encrypted-only" (the
   * same without a valid signature), "unprotected".
   */
  fieldStatus: Record<string, HeaderFieldStatus>;
  /**
   * hp="cipher" only: what the sender recorded as put outside (the HP-Outer lines, RFC 9788 §2.2), decoded, keyed by
   * lower-case field name (first record of each); a protected field missing here was removed from the outside.
   * Replies use it (§6.1: a reply must not reveal what the referenced message kept inside).
   */
  hpOuter: Record<string, string>;
  /**
   * The addr-specs (lower-case, IDNA A-label domains) of the protected address fields (from, sender, reply-to, to, cc,
   * bcc, mail-followup-to, mail-reply-to), uncut: a reply's recipients come from these (§4.4.4, §6.2).
   */
  addresses: Record<string, string[]>;
}

export type HeaderFieldStatus = 'unprotected' | 'signed-only' | 'encrypted-only' | 'signed-and-encrypted';

/** The value for a verdict without (readable) header protection. */
export function noHeaderProtection(): HeaderProtection {
  return { protected: false, mode: null, headers: {}, changed: [], legacyDisplay: [], fieldStatus: {}, hpOuter: {}, addresses: {} };
}

interface VerdictBase {
  verdict: VerdictWord;
  signature: SignatureStatus;
  trust: TrustStatus;
  sender: SenderStatus;
  coverage: CoverageStatus;
  /** Every reason, most important first. */
  reasons: Reason[];
  /** Reasons with severity 'warning' or 'error', as the CLI contract's `warnings`. */
  warnings: Warning[];
  /** Signers of the outermost relevant signed layer (the CLI contract's `signers`). */
  signers: SignerReport[];
  layers: LayerReport[];
  /** The From addresses of the message (lower-cased addr-specs), and Sender when present. */
  from: string[];
  senderHeader?: string;
  subject?: string;
  messageId?: string;
  /** Plain descriptions of what is outside the signature when coverage is 'partial'. */
  outsideSignature: string[];
  /**
   * Set when only part of the message was encrypted (coverage 'partial'): plain descriptions of the parts that were
   * not, which anyone on the way could read and change. Hosts never show them as part of the encrypted message.
   */
  outsideEncryption?: string[];
  encrypted: boolean;
  decrypted: boolean;
  /** The time validity was checked at (ISO 8601). */
  checkedAt: string;
  /** One short sentence for a status line, e.g. "Signed by alice@example.com and trusted". */
  summary: string;
  /**
   * RFC 9788 header protection. verifyMessage always sets it (so `--json` always has it); optional in the type only
   * so that verdicts made by hosts (ui/host-verdict.ts) and tests need not spell out "none".
   */
  headerProtection?: HeaderProtection;
}

export interface SignedVerdict extends VerdictBase {
  verdict: 'trusted' | 'untrusted' | 'invalid';
}

export interface UnsignedVerdict extends VerdictBase {
  verdict: 'unsigned';
  signature: 'absent';
}

export interface ErrorVerdict extends VerdictBase {
  verdict: 'error';
  /** What went wrong, in one line naming the problem. */
  error: { code: ReasonCode; message: string };
}

export type Verdict = SignedVerdict | UnsignedVerdict | ErrorVerdict;

/** Human phrases per verdict word, shared by every host (status line, Thunderbird action title). */
export const VERDICT_PHRASE: Record<VerdictWord, string> = {
  trusted: 'Signed and trusted',
  untrusted: 'Signed, but not trusted',
  invalid: 'Signature invalid',
  unsigned: 'Not signed',
  error: 'Could not check this message',
};

export function reason(code: ReasonCode, severity: Severity, message: string): Reason {
  return { code, severity, message };
}

export function warningsOf(reasons: Reason[]): Warning[] {
  return reasons
    .filter((r) => r.severity === 'warning' || r.severity === 'error')
    .map((r) => ({ code: r.code, message: r.message }));
}

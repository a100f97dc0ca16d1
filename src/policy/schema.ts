/**
 * The one policy schema, used by the CLI (`--policy FILE`), the Thunderbird add-on (managed storage from
 * policies.json) and the Outlook add-in (`policy.json` beside taskpane.html), and for user settings.
 *
 * FIELDS is the single description of every field: validation (validate.ts), defaults, the merge
 * (merge.ts) and the JSON Schema for admins (jsonSchema()) are all derived from it, so they cannot drift.
 */

import { MAX_DOMAINS } from './domains';

export type PolicySource = 'admin' | 'user' | 'default';

export const DIGESTS = ['SHA-256', 'SHA-384', 'SHA-512'] as const;
export const SIGNATURE_ALGORITHMS = ['RSASSA-PKCS1-v1_5', 'RSA-PSS', 'ECDSA', 'Ed25519'] as const;
export const REVOCATION_MODES = ['off', 'soft', 'hard'] as const;
export const SENDER_MATCH = ['require', 'warn'] as const;
export const AUDIT_FORMATS = ['native', 'ecs'] as const;
/** RFC 9788 §3.2 header confidentiality policies: baseline = hcp_baseline, none = hcp_no_confidentiality. */
export const HEADER_CONFIDENTIALITY_POLICIES = ['baseline', 'none'] as const;
export const INBOUND_ACTIONS = ['flag', 'tag', 'quarantine'] as const;
export const REQUIRE_SIGNATURE = ['always', 'external', 'never'] as const;
export const ON_MISSING_CERTIFICATE = ['block', 'warn'] as const;

export type Digest = (typeof DIGESTS)[number];
export type SignatureAlgorithm = (typeof SIGNATURE_ALGORITHMS)[number];

/** A complete, validated policy (every field set). */
export interface Policy {
  algorithms: {
    /** Digests accepted for trusted signatures. SHA-1 is governed by `allowSha1` alone. */
    digests: Digest[];
    signatures: SignatureAlgorithm[];
    /** Minimum RSA modulus size in bits for signer certificates. */
    minRsaBits: number;
    /** Minimum elliptic-curve size in bits (256 = P-256; Ed25519 counts as 256). */
    minEcBits: number;
  };
  /** Accept SHA-1 signatures as trustworthy (Thunderbird does not). */
  allowSha1: boolean;
  /** Trust the bundled Mozilla e-mail roots. */
  bundledRoots: boolean;
  /** PEM certificates trusted as roots (name fixed: outside checks provision anchors this way). */
  anchors: string[];
  /** PEM certificates usable as intermediates (they confer no trust by themselves). */
  intermediates: string[];
  /** Whether anchors from user settings count; an admin sets false to allow only admin anchors. */
  userAnchors: boolean;
  revocation: (typeof REVOCATION_MODES)[number];
  /** Network use for AIA, OCSP and CRL distribution points. Off by default for privacy. */
  online: boolean;
  /**
   * Let online checks contact loopback, private and link-local addresses (admin only). Off: a certificate in a message
   * cannot make the reader's machine talk to its intranet, localhost or cloud metadata. Tests with servers on
   * 127.0.0.1 and intranet CAs set it.
   */
  allowPrivateTargets: boolean;
  /**
   * 'require': a From address not in the signer's certificate means "not trusted" (the core's rule);
   * 'warn': when that is the only fault, the message is trusted and the mismatch shown as a warning.
   */
  senderMatch: (typeof SENDER_MATCH)[number];
  /**
   * Header protection (RFC 9788) on what we send: copies of Subject, From, To, Cc, Date … inside the signature or
   * encryption, so readers can tell when they were changed.
   */
  headerProtection: boolean;
  /**
   * Encrypted mail with header protection: 'baseline' (RFC 9788 hcp_baseline) sends "Subject: [...]" outside and
   * the real Subject inside only; 'none' (hcp_no_confidentiality) leaves the Subject readable by every relay.
   */
  headerConfidentiality: (typeof HEADER_CONFIDENTIALITY_POLICIES)[number];
  /** Outlook only: an HTTPS proxy for CA endpoints that CORS blocks; "{url}" is replaced by the target URL. */
  proxyUrl: string | null;
  /** Setup health: a certificate that expires within this many days is a warning (own identity, correspondents). */
  expiryWarningDays: number;
  audit: {
    enabled: boolean;
    /** The bounded local log keeps this many events, dropping the oldest. */
    maxEvents: number;
    /** HTTPS endpoint events are forwarded to in batches; null = no forwarding. */
    endpoint: string | null;
    batchSize: number;
    /** The forwarding queue's bound (events waiting while the endpoint is down). */
    maxQueue: number;
    /** CLI only: the audit log file (JSON Lines). */
    file: string | null;
    /** Record message subjects in audit events (content: off by default). */
    includeSubject: boolean;
    /** The JSON forwarded (HTTPS endpoint and syslog): the add-in's own events, or Elastic Common Schema. */
    format: (typeof AUDIT_FORMATS)[number];
    /** CLI only: "tcp://HOST:PORT" (RFC 5424 over RFC 6587 octet counting) or "udp://HOST:PORT"; null = off. */
    syslog: string | null;
  };
  /** Enforcement on received mail (policy/inbound.ts). */
  inbound: {
    /** Domains ("corp.example", "*.corp.example") whose mail must be signed and trusted. */
    requireSignedFrom: string[];
    /** What happens to a violation or an invalid signature besides the verdict and the audit event. */
    action: (typeof INBOUND_ACTIONS)[number];
    /** Thunderbird, action "quarantine": the folder (at the top of the message's account) violations move to. */
    quarantineFolder: string;
    /** The Thunderbird tag / Outlook category put on violations (actions "tag" and "quarantine"). */
    tagName: string;
  };
  /** Enforcement on sent mail (policy/outbound.ts). */
  outbound: {
    requireSignature: (typeof REQUIRE_SIGNATURE)[number];
    /** Recipients in these domains are internal ("external" in requireSignature means: any other). */
    internalDomains: string[];
    /** Mail to any recipient in these domains must be encrypted. */
    requireEncryptionTo: string[];
    /** A recipient to encrypt to without a usable certificate: refuse to send, or ask the user. */
    onMissingCertificate: (typeof ON_MISSING_CERTIFICATE)[number];
    /** Refuse to sign with an expired, not yet valid or revoked own certificate. */
    blockExpiredIdentity: boolean;
  };
  keys: {
    /**
     * Hosts: private keys may be stored only under the user's passphrase (src/keys/protected-keystore.ts); an
     * import without one is refused and keys stored without one are not used. Admin only.
     */
    requirePassphrase: boolean;
  };
}

/** What a source (admin policy file, user settings) may set: any subset. */
export type PartialPolicy = Partial<Omit<Policy, 'algorithms' | 'audit' | 'inbound' | 'outbound' | 'keys'>> & {
  algorithms?: Partial<Policy['algorithms']>;
  audit?: Partial<Policy['audit']>;
  inbound?: Partial<Policy['inbound']>;
  outbound?: Partial<Policy['outbound']>;
  keys?: Partial<Policy['keys']>;
};

type Spec =
  | { kind: 'bool'; default: boolean; doc: string }
  | { kind: 'enum'; values: readonly string[]; default: string; doc: string }
  | { kind: 'int'; min: number; max: number; default: number; doc: string }
  | { kind: 'enumList'; values: readonly string[]; default: readonly string[]; doc: string }
  | { kind: 'pemList'; maxItems: number; default: readonly string[]; doc: string; union: true }
  | { kind: 'url'; default: null; doc: string; placeholder?: boolean }
  | { kind: 'path'; default: null; doc: string }
  | { kind: 'syslog'; default: null; doc: string }
  /** Domain names and "*." wildcards (policy/domains.ts). */
  | { kind: 'domainList'; maxItems: number; default: readonly string[]; doc: string }
  /** A short name shown to users (a tag; a folder when `folder`: then without path separators). */
  | { kind: 'name'; maxLength: number; default: string; doc: string; folder?: boolean };

/** Every leaf field by its dotted path. Groups are the first path segment of dotted entries. */
export const FIELDS: Record<string, Spec> = {
  'algorithms.digests': { kind: 'enumList', values: DIGESTS, default: DIGESTS, doc: 'Digests accepted for trusted signatures (SHA-1: see allowSha1).' },
  'algorithms.signatures': { kind: 'enumList', values: SIGNATURE_ALGORITHMS, default: SIGNATURE_ALGORITHMS, doc: 'Signature algorithms accepted.' },
  'algorithms.minRsaBits': { kind: 'int', min: 1024, max: 16384, default: 2048, doc: 'Minimum RSA key size in bits.' },
  'algorithms.minEcBits': { kind: 'int', min: 256, max: 521, default: 256, doc: 'Minimum elliptic-curve key size in bits.' },
  allowSha1: { kind: 'bool', default: false, doc: 'Accept SHA-1 signatures as trustworthy.' },
  bundledRoots: { kind: 'bool', default: true, doc: 'Trust the bundled Mozilla e-mail roots.' },
  anchors: { kind: 'pemList', maxItems: 500, default: [], union: true, doc: 'PEM certificates trusted as roots.' },
  intermediates: { kind: 'pemList', maxItems: 2000, default: [], union: true, doc: 'PEM intermediate certificates.' },
  userAnchors: { kind: 'bool', default: true, doc: 'Whether anchors from user settings count (admin only).' },
  revocation: { kind: 'enum', values: REVOCATION_MODES, default: 'soft', doc: 'Revocation, per certificate of the chain: off; soft (no information is a note, unusable information a warning); hard (either is not trusted). Revoked is never trusted.' },
  online: { kind: 'bool', default: false, doc: 'Fetch AIA issuers, OCSP and CRLs over the network.' },
  allowPrivateTargets: { kind: 'bool', default: false, doc: 'Admin: let online checks contact loopback, private and link-local addresses (intranet CAs, tests).' },
  senderMatch: { kind: 'enum', values: SENDER_MATCH, default: 'require', doc: 'require: a From not in the signer certificate is not trusted; warn: trusted with a warning when that is the only fault.' },
  headerProtection: { kind: 'bool', default: true, doc: 'Sending: protect Subject, From, To, Cc, Date … inside the signature/encryption (RFC 9788).' },
  headerConfidentiality: {
    kind: 'enum',
    values: HEADER_CONFIDENTIALITY_POLICIES,
    default: 'baseline',
    doc: 'Sending encrypted mail with header protection: baseline hides the Subject from relays ("[...]" outside, RFC 9788 hcp_baseline); none leaves it readable (hcp_no_confidentiality).',
  },
  proxyUrl: { kind: 'url', default: null, placeholder: true, doc: 'Outlook: proxy for CA endpoints on the add-in\'s own origin ("{url}" = target).' },
  expiryWarningDays: { kind: 'int', min: 1, max: 365, default: 30, doc: 'Setup health: warn this many days before a certificate (yours, a correspondent\'s, a CA\'s) expires.' },
  'audit.enabled': { kind: 'bool', default: true, doc: 'Keep a local audit log.' },
  'audit.maxEvents': { kind: 'int', min: 10, max: 1_000_000, default: 10_000, doc: 'Local log bound (oldest dropped).' },
  'audit.endpoint': { kind: 'url', default: null, doc: 'HTTPS endpoint to forward audit events to.' },
  'audit.batchSize': { kind: 'int', min: 1, max: 1000, default: 50, doc: 'Events per forwarded batch.' },
  'audit.maxQueue': { kind: 'int', min: 10, max: 1_000_000, default: 10_000, doc: 'Forwarding queue bound.' },
  'audit.file': { kind: 'path', default: null, doc: 'CLI: audit log file (JSON Lines).' },
  'audit.includeSubject': { kind: 'bool', default: false, doc: 'Record message subjects in audit events (off: subjects are content).' },
  'audit.format': { kind: 'enum', values: AUDIT_FORMATS, default: 'native', doc: 'Forwarded JSON: native (the add-in\'s events) or ecs (Elastic Common Schema).' },
  'audit.syslog': { kind: 'syslog', default: null, doc: 'CLI: forward events to syslog, "tcp://HOST:PORT" (RFC 5424, octet-counted) or "udp://HOST:PORT" (best effort).' },
  'inbound.requireSignedFrom': { kind: 'domainList', maxItems: MAX_DOMAINS, default: [], doc: 'Domains ("corp.example", "*.corp.example") whose mail must be signed and trusted; anything else from them is a violation.' },
  'inbound.action': { kind: 'enum', values: INBOUND_ACTIONS, default: 'flag', doc: 'For violations and invalid signatures: flag (verdict and alert), tag (also a Thunderbird tag / Outlook category), quarantine (Thunderbird: also move to quarantineFolder; Outlook: as tag).' },
  'inbound.quarantineFolder': { kind: 'name', maxLength: 100, default: 'Quarantine', folder: true, doc: 'Thunderbird: the folder violations are moved to with action quarantine (created if missing).' },
  'inbound.tagName': { kind: 'name', maxLength: 100, default: 'S/MIME violation', doc: 'The tag (Thunderbird) or category (Outlook) put on violations.' },
  'outbound.requireSignature': { kind: 'enum', values: REQUIRE_SIGNATURE, default: 'never', doc: 'always: every message is signed; external: messages to anyone outside internalDomains; never: no rule.' },
  'outbound.internalDomains': { kind: 'domainList', maxItems: MAX_DOMAINS, default: [], doc: 'The organisation\'s own domains, for requireSignature "external".' },
  'outbound.requireEncryptionTo': { kind: 'domainList', maxItems: MAX_DOMAINS, default: [], doc: 'Mail to a recipient in these domains must be encrypted.' },
  'outbound.onMissingCertificate': { kind: 'enum', values: ON_MISSING_CERTIFICATE, default: 'block', doc: 'A recipient who must get encrypted mail has no usable certificate: block the send, or warn and let the user send anyway.' },
  'outbound.blockExpiredIdentity': { kind: 'bool', default: true, doc: 'Refuse to sign with your own certificate when it is expired, not yet valid or revoked.' },
  'keys.requirePassphrase': { kind: 'bool', default: false, doc: 'Hosts: store private keys only under a passphrase the user chooses (admin only).' },
};

export type FieldSpec = Spec;

/** Admin-only fields: a user setting for them is ignored (and reported by the merge). */
export const ADMIN_ONLY: ReadonlySet<string> = new Set(['userAnchors', 'allowPrivateTargets', 'keys.requirePassphrase']);

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const k of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, k)) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur = obj;
  for (const k of keys.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}

/** The defaults, as a complete Policy (a fresh object each call). */
export function defaultPolicy(): Policy {
  const out: Record<string, unknown> = {};
  for (const [path, spec] of Object.entries(FIELDS)) {
    setPath(out, path, Array.isArray(spec.default) ? [...spec.default] : spec.default);
  }
  return out as unknown as Policy;
}

/** A JSON Schema (draft 2020-12) of the policy file, for admins' tooling. Derived from FIELDS. */
export function jsonSchema(): Record<string, unknown> {
  const root: Record<string, unknown> = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'smime-addin policy',
    type: 'object',
    additionalProperties: false,
    properties: {} as Record<string, unknown>,
  };
  for (const [path, spec] of Object.entries(FIELDS)) {
    const keys = path.split('.');
    let props = root.properties as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) {
      const group = (props[k] ??= { type: 'object', additionalProperties: false, properties: {} }) as {
        properties: Record<string, unknown>;
      };
      props = group.properties;
    }
    props[keys[keys.length - 1]] = specSchema(spec);
  }
  return root;
}

function specSchema(spec: Spec): Record<string, unknown> {
  const base = { description: spec.doc, default: spec.default };
  switch (spec.kind) {
    case 'bool':
      return { ...base, type: 'boolean' };
    case 'enum':
      return { ...base, enum: spec.values };
    case 'int':
      return { ...base, type: 'integer', minimum: spec.min, maximum: spec.max };
    case 'enumList':
      return { ...base, type: 'array', items: { enum: spec.values }, uniqueItems: true };
    case 'pemList':
      return { ...base, type: 'array', maxItems: spec.maxItems, items: { type: 'string', pattern: '-----BEGIN CERTIFICATE-----' } };
    case 'url':
      // https, or plain http to a loopback host (src/policy/loopback.ts).
      return { ...base, type: ['string', 'null'], pattern: '^(https://|http://(127\\.0\\.0\\.1|\\[::1\\]|localhost)([:/?#]|$))' };
    case 'path':
      return { ...base, type: ['string', 'null'] };
    case 'syslog':
      return { ...base, type: ['string', 'null'], pattern: '^(tcp|udp)://' };
    case 'domainList':
      return { ...base, type: 'array', maxItems: spec.maxItems, uniqueItems: true, items: { type: 'string', maxLength: 255 } };
    case 'name':
      return { ...base, type: 'string', minLength: 1, maxLength: spec.maxLength };
  }
}

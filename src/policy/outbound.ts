/**
 * The outbound rules, in one place: given a draft's recipients, what the sender is about to do (sign, encrypt),
 * their identity and which recipients have a usable certificate, decide allow / block / prompt, and what the send
 * must do to satisfy the rules (sign and/or encrypt). Both hosts call this one function: Thunderbird before its
 * S/MIME send path (compose.onBeforeSend), Outlook in its Smart Alerts handler (OnMessageSend); a host that cannot
 * sign or encrypt in that path (Outlook's own send) says so with `canProtect: false`, and every rule that needs
 * protection then blocks with a sentence that sends the user to the S/MIME pane.
 *
 * Every finding names its rule (the policy field, e.g. "outbound.requireEncryptionTo") and the recipients it
 * concerns, in one plain sentence. Bounded: recipients are looked up in Sets (policy/domains.ts); at most
 * MAX_NAMED addresses are spelled out in a sentence.
 */
import { DomainSet, domainOf } from './domains';
import type { Policy } from './schema';

export type OutboundRule =
  | 'outbound.requireSignature'
  | 'outbound.requireEncryptionTo'
  | 'outbound.onMissingCertificate'
  | 'outbound.blockExpiredIdentity';

export interface OutboundFinding {
  rule: OutboundRule;
  /** 'block': the send must not happen; 'prompt': the user may send anyway (an override, audited). */
  severity: 'block' | 'prompt';
  /** The recipients concerned (lower-cased addresses; empty for identity findings). */
  recipients: string[];
  message: string;
}

export interface OutboundDecision {
  action: 'allow' | 'block' | 'prompt';
  /** What the send must do: the user's choice, raised by the rules. */
  sign: boolean;
  encrypt: boolean;
  /** Why a rule raised sign/encrypt (for the compose UI and the log); empty when nothing was raised. */
  raised: OutboundRule[];
  findings: OutboundFinding[];
  /** The first finding's sentence (blocks before prompts), '' when allowed. */
  message: string;
}

export interface OutboundInput {
  from: string;
  /** To, Cc and Bcc addresses. */
  recipients: string[];
  /** What the sender chose. */
  sign: boolean;
  encrypt: boolean;
  /** Whether this send path can sign and encrypt (Thunderbird's S/MIME send: yes; Outlook's own send: no). */
  canProtect: boolean;
  /** Whether the sender has a signing identity for `from`. */
  hasIdentity: boolean;
  /** A problem with that identity's certificate (expired, revoked), from ownCertificateProblem. */
  identityProblem?: string;
  /** Recipients (lower-cased) that have a usable certificate to encrypt to. */
  withCertificate: ReadonlySet<string>;
}

export interface OutboundRules {
  requireSignature: Policy['outbound']['requireSignature'];
  internal: DomainSet;
  encryptTo: DomainSet;
  onMissingCertificate: Policy['outbound']['onMissingCertificate'];
  blockExpiredIdentity: boolean;
}

const built = new WeakMap<Policy['outbound'], OutboundRules>();

/** The policy's rules with their domain sets built once per policy object. */
export function outboundRules(policy: Pick<Policy, 'outbound'>): OutboundRules {
  const o = policy.outbound;
  let r = built.get(o);
  if (!r) {
    r = {
      requireSignature: o.requireSignature,
      internal: new DomainSet(o.internalDomains),
      encryptTo: new DomainSet(o.requireEncryptionTo),
      onMissingCertificate: o.onMissingCertificate,
      blockExpiredIdentity: o.blockExpiredIdentity,
    };
    built.set(o, r);
  }
  return r;
}

const MAX_NAMED = 5;
function names(list: string[]): string {
  const shown = list.slice(0, MAX_NAMED).join(', ');
  return list.length > MAX_NAMED ? `${shown} and ${list.length - MAX_NAMED} more` : shown;
}

export function decideOutbound(input: OutboundInput, rules: OutboundRules): OutboundDecision {
  const recipients = [...new Set(input.recipients.map((r) => r.trim().toLowerCase()).filter(Boolean))];
  const findings: OutboundFinding[] = [];
  const raised: OutboundRule[] = [];
  const pane = input.canProtect ? '' : ' Open the S/MIME pane (Sign / encrypt) to send it that way.';

  const external = recipients.filter((r) => !rules.internal.hasAddress(r));
  const signFor =
    recipients.length === 0 || rules.requireSignature === 'never' ? [] : rules.requireSignature === 'always' ? recipients : external;
  const encryptFor = recipients.filter((r) => rules.encryptTo.hasAddress(r));
  let sign = input.sign;
  let encrypt = input.encrypt;

  if (signFor.length > 0 && !sign) {
    const what = rules.requireSignature === 'always' ? 'every message to be signed' : `messages to recipients outside the organisation (${names(signFor)}) to be signed`;
    if (input.canProtect) {
      sign = true;
      raised.push('outbound.requireSignature');
    } else {
      findings.push({ rule: 'outbound.requireSignature', severity: 'block', recipients: signFor, message: `Not sent: your organisation requires ${what} (rule outbound.requireSignature).${pane}` });
    }
  }
  if (encryptFor.length > 0 && !encrypt) {
    if (input.canProtect) {
      encrypt = true;
      raised.push('outbound.requireEncryptionTo');
    } else {
      // This send path cannot encrypt. Under onMissingCertificate "warn", a recipient nobody could encrypt to (no
      // certificate known) makes it a question, not a refusal: the organisation allows plain mail then.
      const missing = recipients.filter((r) => !input.withCertificate.has(r));
      const ask = rules.onMissingCertificate === 'warn' && missing.length > 0;
      findings.push({
        rule: ask ? 'outbound.onMissingCertificate' : 'outbound.requireEncryptionTo',
        severity: ask ? 'prompt' : 'block',
        recipients: ask ? missing : encryptFor,
        message: ask
          ? `Your organisation asks for mail to ${names(encryptFor)} to be encrypted, but there is no certificate for ${names(missing)} (rule outbound.onMissingCertificate: warn). Send it without encryption?`
          : `Not sent: your organisation requires mail to ${names(encryptFor)} to be encrypted (rule outbound.requireEncryptionTo).${pane}`,
      });
    }
  }
  // Signing: needed by a rule or chosen. A missing identity under a rule is a rule finding; without a rule the
  // send path reports it as it always has.
  if (sign && input.canProtect) {
    if (!input.hasIdentity && signFor.length > 0) {
      findings.push({
        rule: 'outbound.requireSignature',
        severity: 'block',
        recipients: signFor,
        message: `Not sent: your organisation requires this message to be signed (rule outbound.requireSignature), and you have no certificate for ${input.from || 'this sender'}. Import yours in the add-on's settings.`,
      });
    } else if (input.hasIdentity && input.identityProblem && rules.blockExpiredIdentity) {
      findings.push({
        rule: 'outbound.blockExpiredIdentity',
        severity: 'block',
        recipients: [],
        message: `Not sent: ${input.identityProblem.replace(/\.$/, '')}, and your organisation does not allow signing with it (rule outbound.blockExpiredIdentity). Import a renewed certificate.`,
      });
    }
  }
  // Encrypting: every recipient needs a certificate. Under the rule, onMissingCertificate decides.
  if (encrypt && input.canProtect && encryptFor.length > 0) {
    const missing = recipients.filter((r) => !input.withCertificate.has(r));
    if (missing.length > 0) {
      const block = rules.onMissingCertificate === 'block';
      findings.push({
        rule: 'outbound.onMissingCertificate',
        severity: block ? 'block' : 'prompt',
        recipients: missing,
        message: block
          ? `Not sent: your organisation requires this message to be encrypted (rule outbound.requireEncryptionTo), and there is no usable certificate for ${names(missing)} (rule outbound.onMissingCertificate). Add their certificate, or remove them.`
          : `There is no usable certificate for ${names(missing)}, so this message cannot be encrypted as your organisation asks (rule outbound.onMissingCertificate: warn). Send it again to send it without encryption.`,
      });
    }
  }
  const blocks = findings.filter((f) => f.severity === 'block');
  const action = blocks.length > 0 ? 'block' : findings.length > 0 ? 'prompt' : 'allow';
  return { action, sign, encrypt, raised, findings, message: (blocks[0] ?? findings[0])?.message ?? '' };
}

/** The recipients' domains (for audit events, which name domains, never people), sorted and de-duplicated. */
export function recipientDomains(recipients: string[], max = 20): string[] {
  return [...new Set(recipients.map(domainOf).filter(Boolean))].sort().slice(0, max);
}

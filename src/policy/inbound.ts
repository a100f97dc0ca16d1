/**
 * The inbound rule, in one place: mail whose From is in a domain of `inbound.requireSignedFrom` must be signed
 * and trusted, with the signer's certificate naming that From address. Anything else claiming to be from there
 * — unsigned, invalid, untrusted, signed by a certificate for another address, or not checkable at all — is a
 * violation: the verdict gets a reason `policy-unsigned-internal` / `policy-untrusted-internal` with one plain
 * sentence (first, so it is what the reader sees) and is never `trusted`. This is the CEO-fraud rule: an attacker
 * can send unsigned mail "from" the boss, or sign it with a cheap certificate for their own address.
 *
 * Which From counts: the addresses the verdict parsed (the sender binding's, src/sender.ts), plus the From the
 * host displays when it gives one (Thunderbird's author, Outlook's item.from): a message whose MIME does not
 * even parse has no parsed From, but the reader still sees one, so the host's is checked too.
 *
 * The rule only ever lowers a verdict. It is idempotent (applied by verifyMessage when VerifyOptions.inbound is
 * set, and again by applyPolicyToVerdict after the policy's own checks may have lowered a verdict).
 */
import { parseAddressList } from '../mime';
import { VERDICT_PHRASE, reason, warningsOf, type Reason, type Verdict } from '../verdict';
import { DomainSet } from './domains';

export interface InboundRules {
  requireSignedFrom: DomainSet;
}

export type InboundOutcome =
  | { violation: false }
  | { violation: true; code: 'policy-unsigned-internal' | 'policy-untrusted-internal'; address: string; message: string };

const POLICY_CODES = new Set<Reason['code']>(['policy-unsigned-internal', 'policy-untrusted-internal']);

const built = new WeakMap<readonly string[], InboundRules | undefined>();

/** The rules of a policy; the DomainSet is built once per policy list (10,000 entries: once, not per message). */
export function inboundRules(policy: { inbound: { requireSignedFrom: string[] } }): InboundRules | undefined {
  const list = policy.inbound.requireSignedFrom;
  if (list.length === 0) return undefined;
  if (!built.has(list)) {
    const set = new DomainSet(list);
    built.set(list, set.size > 0 ? { requireSignedFrom: set } : undefined);
  }
  return built.get(list);
}

/** Addresses of a From header value as a host gives it ("Name <a@b>" or a bare address); bounded by the parser. */
export function addressesOfHeader(value: string | undefined): string[] {
  if (!value) return [];
  return parseAddressList(value.slice(0, 4096)).addresses.map((a) => a.address);
}

/** Whether this verdict breaks the rule, and the sentence that says so. */
export function evaluateInbound(v: Verdict, rules: InboundRules | undefined, displayedFrom: string[] = []): InboundOutcome {
  if (!rules) return { violation: false };
  // Not a property of the message: the host could not hand it over, or it is encrypted to a key not here (the
  // reader cannot read it either). Everything else that could not be checked (malformed, too large) counts.
  if (v.verdict === 'error' && (v.error.code === 'message-unavailable' || (v.encrypted && !v.decrypted))) return { violation: false };
  const candidates = [...v.from, ...displayedFrom.map((a) => a.toLowerCase())];
  const address = candidates.find((a) => rules.requireSignedFrom.hasAddress(a));
  if (!address) return { violation: false };
  const domain = address.slice(address.lastIndexOf('@') + 1);
  // The verdict's own From must be the one the host shows: a parsed From that differs from the displayed one
  // means the reader is looking at a sender the check did not see.
  const hostDiffers = displayedFrom.length > 0 && v.from.length > 0 && !displayedFrom.some((d) => v.from.includes(d.toLowerCase()));
  if (v.verdict === 'trusted' && v.sender === 'match' && v.from.includes(address) && !hostDiffers) return { violation: false };
  if (v.verdict === 'unsigned' || (v.verdict === 'error' && v.signers.length === 0 && !v.encrypted)) {
    return {
      violation: true,
      code: 'policy-unsigned-internal',
      address,
      message: `Your organisation requires mail from ${domain} to be signed, and this message claiming to be from ${address} is not: treat it as a possible forgery.`,
    };
  }
  let why: string;
  if (v.verdict === 'invalid') why = 'its signature is invalid';
  else if (v.verdict === 'error') why = 'it could not be checked';
  else if (v.sender !== 'match' || !v.from.includes(address) || hostDiffers) why = `it was signed by a certificate that is not for ${address}`;
  else why = 'its signature is not trusted';
  return {
    violation: true,
    code: 'policy-untrusted-internal',
    address,
    message: `Your organisation requires mail from ${domain} to be signed and trusted, and this message claiming to be from ${address} is not (${why}): treat it as a possible forgery.`,
  };
}

/**
 * The verdict with the rule applied: the policy reason first, the summary replaced by its sentence, and `trusted`
 * lowered to `untrusted`. Unchanged when there is no violation or the reason is already there.
 */
export function applyInboundRule(v: Verdict, rules: InboundRules | undefined, displayedFrom: string[] = []): Verdict {
  if (v.reasons.some((r) => POLICY_CODES.has(r.code))) return v;
  const o = evaluateInbound(v, rules, displayedFrom);
  if (!o.violation) return v;
  const reasons = [reason(o.code, 'error', o.message), ...v.reasons];
  const out = { ...v, reasons, warnings: warningsOf(reasons), summary: o.message } as Verdict;
  if (out.verdict === 'trusted') {
    (out as { verdict: string }).verdict = 'untrusted';
    out.summary = `${VERDICT_PHRASE.untrusted}: ${o.message}`;
  }
  return out;
}

/** The policy violation a verdict carries, if any (hosts key their action and audit event on it). */
export function inboundViolation(v: Verdict): Reason | undefined {
  return v.reasons.find((r) => POLICY_CODES.has(r.code));
}

/** Whether inbound.action applies: a policy violation, or an invalid signature from anyone. */
export function needsInboundAction(v: Verdict): boolean {
  return v.verdict === 'invalid' || inboundViolation(v) !== undefined;
}


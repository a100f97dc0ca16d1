/**
 * From a resolved Policy to what verifyMessage takes (VerifyOptions), and the policy checks that act on a
 * finished Verdict (algorithms, key sizes, sender-match strictness). Both hosts and the CLI use these two, so
 * the same policy means the same decision everywhere.
 */
import { headerChangeBlocksTrust } from '../header-protection/index';
import type * as pkijs from 'pkijs';
import { bundledAnchorLookup, bundledEmailDistrustAfter } from '../trust/roots/bundled';
import { createFetcher } from '../trust/fetcher';
import type { TrustFetcher } from '../trust/types';
import type { VerifyOptions } from '../verify-message';
import { VERDICT_PHRASE, reason, warningsOf, type Reason, type SignerReport, type Verdict } from '../verdict';
import { parsePemCertificates } from './pem';
import { applyInboundRule, inboundRules } from './inbound';
import type { Policy } from './schema';

export interface PolicyDeps {
  /** The network to use when policy turns online checking on; default: createFetcher over globalThis.fetch. */
  fetcher?: TrustFetcher;
  /** The host's fetch is subject to CORS (Outlook task pane): failures then suggest a proxy URL. */
  corsHint?: boolean;
}

function pemList(list: string[]): pkijs.Certificate[] {
  // Entries were validated when the policy was loaded; one that does not parse now is skipped, not fatal.
  return list.flatMap((pem) => {
    const r = parsePemCertificates(pem);
    return r.ok ? r.certs : [];
  });
}

/** The VerifyOptions fields a policy decides: anchors (bundled unless off, plus policy anchors), etc. */
export function policyToVerifyOptions(policy: Policy, deps: PolicyDeps = {}): VerifyOptions {
  return {
    // Bundled roots are looked up by name when a path needs them, not parsed up front (see bundledAnchorLookup).
    anchors: pemList(policy.anchors),
    anchorLookup: policy.bundledRoots ? bundledAnchorLookup : undefined,
    // Mozilla's "e-mail distrust after" dates travel with the bundled roots; an anchor the admin or user configured
    // explicitly is a separate certificate object and carries none (explicit trust is theirs to decide).
    emailDistrustAfter: policy.bundledRoots ? bundledEmailDistrustAfter : undefined,
    intermediates: pemList(policy.intermediates),
    allowSha1: policy.allowSha1,
    minRsaBits: policy.algorithms.minRsaBits,
    revocation: policy.revocation,
    fetcher: policy.online
      ? (deps.fetcher ?? createFetcher({ proxyUrl: policy.proxyUrl, corsHint: deps.corsHint, allowPrivateTargets: policy.allowPrivateTargets }))
      : undefined,
    inbound: inboundRules(policy),
  };
}

/** Key size in bits from CertificateDetails.publicKeyAlgorithm ("RSA 2048", "ECDSA P-256", "Ed25519"). */
export function keyBits(publicKeyAlgorithm: string): { family: 'rsa' | 'ec'; bits: number } | undefined {
  const rsa = /^RSA(?:-PSS)? (\d+)$/.exec(publicKeyAlgorithm);
  if (rsa) return { family: 'rsa', bits: Number(rsa[1]) };
  const ec = /P-(\d+)$/.exec(publicKeyAlgorithm);
  if (ec) return { family: 'ec', bits: Number(ec[1]) };
  if (/^Ed25519$/i.test(publicKeyAlgorithm)) return { family: 'ec', bits: 256 };
  if (/^Ed448$/i.test(publicKeyAlgorithm)) return { family: 'ec', bits: 448 };
  return undefined;
}

/** The policy reasons for one signer: empty when the policy has nothing against it. */
export function policyReasonsForSigner(s: SignerReport, policy: Policy): Reason[] {
  const out: Reason[] = [];
  const has = (code: Reason['code']) => s.reasons.some((r) => r.code === code);
  const d = s.digestAlgorithm;
  if (d) {
    const normalized = d.toUpperCase().replace(/^SHA(\d)/, 'SHA-$1');
    const allowed = normalized === 'SHA-1' ? policy.allowSha1 : (policy.algorithms.digests as string[]).includes(normalized);
    if (!allowed && !has('weak-digest')) {
      out.push(reason('weak-digest', 'error', `The signature uses ${d}, which your policy does not accept.`));
    }
  }
  const sa = s.signatureAlgorithm;
  if (sa && !(policy.algorithms.signatures as string[]).includes(sa) && !has('unsupported-algorithm')) {
    out.push(reason('unsupported-algorithm', 'error', `The signature algorithm ${sa} is not accepted by your policy.`));
  }
  const k = s.certificate ? keyBits(s.certificate.publicKeyAlgorithm) : undefined;
  // Only a weak-key *error* already says it; a warning must never stand in for the policy's own check.
  if (k && !s.reasons.some((r) => r.code === 'weak-key' && r.severity === 'error')) {
    const min = k.family === 'rsa' ? policy.algorithms.minRsaBits : policy.algorithms.minEcBits;
    if (k.bits < min) {
      out.push(reason('weak-key', 'error', `The signer's ${k.family === 'rsa' ? 'RSA' : 'elliptic-curve'} key has ${k.bits} bits; your policy requires at least ${min}.`));
    }
  }
  return out;
}

/** Sender problems 'warn' may forgive: a gateway's or a shared certificate. Deceptive display names, several
 * or no From addresses stay errors whatever the policy says. */
const FORGIVABLE_SENDER = new Set<Reason['code']>(['sender-mismatch', 'no-email-in-cert']);

/**
 * Applies the policy's verdict-level rules. Algorithms and key sizes only ever lower a verdict ('trusted' to
 * 'untrusted'). The one relaxation is `senderMatch: 'warn'`: a message whose only fault is that the From
 * address is not in the signer's certificate becomes 'trusted' with that fault kept as a warning — and only
 * when everything else (signature, chain, coverage, algorithms) passed.
 */
export function applyPolicyToVerdict(v: Verdict, policy: Policy, displayedFrom: string[] = []): Verdict {
  // The inbound rule last, on whatever the policy's own checks made of the verdict (idempotent: verifyMessage
  // applied it already when given the options of this policy).
  return applyInboundRule(applySignerPolicy(v, policy), inboundRules(policy), displayedFrom);
}

function applySignerPolicy(v: Verdict, policy: Policy): Verdict {
  if (v.verdict !== 'trusted' && v.verdict !== 'untrusted') return v;
  const signers = v.signers.map((s) => {
    const extra = policyReasonsForSigner(s, policy);
    return extra.length ? { ...s, reasons: [...s.reasons, ...extra] } : s;
  });
  const added = signers.flatMap((s, i) => s.reasons.slice(v.signers[i].reasons.length));
  if (
    added.length === 0 &&
    policy.senderMatch === 'warn' &&
    v.verdict === 'untrusted' &&
    v.sender === 'mismatch' &&
    v.signature === 'valid' &&
    v.trust === 'trusted' &&
    v.coverage === 'full' &&
    // A header changed after signing (RFC 9788) is not a sender mismatch to forgive.
    !headerChangeBlocksTrust(v)
  ) {
    const errors = v.reasons.filter((r) => r.severity === 'error');
    if (errors.length > 0 && errors.every((r) => FORGIVABLE_SENDER.has(r.code))) {
      const reasons = v.reasons.map((r) => (FORGIVABLE_SENDER.has(r.code) ? { ...r, severity: 'warning' as const } : r));
      return {
        ...v,
        verdict: 'trusted',
        reasons,
        warnings: warningsOf(reasons),
        summary: `${VERDICT_PHRASE.trusted}, but: ${errors[0].message} (your policy warns only)`,
      };
    }
  }
  if (policy.senderMatch === 'require' && v.sender === 'mismatch' && v.verdict === 'trusted') {
    added.push(reason('sender-mismatch', 'error', 'The sender address is not in the signer\'s certificate, and your policy requires it to be.'));
  }
  if (added.length === 0) return v;
  // Policy reasons first: they are why the verdict is what it is.
  const reasons = [...added, ...v.reasons];
  const lowered = v.verdict === 'trusted';
  return {
    ...v,
    verdict: 'untrusted',
    signers,
    reasons,
    warnings: warningsOf(reasons),
    summary: lowered ? `${VERDICT_PHRASE.untrusted}: ${added[0].message}` : v.summary,
  };
}

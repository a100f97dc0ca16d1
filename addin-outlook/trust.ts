/**
 * What the pane verifies with: the admin's policy.json (served beside taskpane.html), the user's settings
 * (settings-store.ts) and the defaults, merged by src/policy, turned into VerifyOptions. Loaded once per pane
 * and again after the user changes settings.
 */
import type { Verdict, VerifyOptions } from '../src/index';
import { VERDICT_PHRASE, reason, warningsOf } from '../src/verdict';
import { adminPolicyInvalidSentence, adminPolicyUnavailableSentence } from '../ui/policy-problems';
import { type PartialPolicy, type Policy, type ResolvedPolicy, parsePolicyJson, policyToVerifyOptions, resolvePolicy } from '../src/index';
import { loadBundledRootsData } from './roots-data';
import { setKeyPolicy } from './identities';
import { loadUserPolicy } from './settings-store';

/** An admin policy file is small; anything bigger is a mistake, not a policy. */
const MAX_POLICY_BYTES = 4 * 1024 * 1024;

export interface TrustContext {
  resolved: ResolvedPolicy;
  /** The policy's options WITHOUT the bundled roots: the administrator's and the user's anchors only. */
  options: VerifyOptions;
  /**
   * The options WITH the bundled Mozilla roots (fetched and parsed on first call), or undefined when policy turns
   * them off. Parsing 106 roots is the slowest part of a cold pane, so a message is first checked against the
   * organisation's own anchors and only checked again with the bundled set when that did not end in "trusted"
   * (more anchors can only add trusted paths, so the first "trusted" stands).
   */
  withBundled(): Promise<{ options: VerifyOptions } | { problem: string } | undefined>;
  /**
   * The admin's policy.json: none (404), loaded, invalid (its valid fields apply, the user's settings are set
   * aside: src/policy/merge.ts), or unavailable (any other fetch failure: no verdict is shown as trusted until it
   * loads, because the policy it would have applied is unknown).
   */
  adminPolicy: 'none' | 'loaded' | 'invalid' | 'unavailable';
  /** Plain sentences about problems with the policy sources (shown in the pane, never hidden). */
  problems: string[];
}

export async function loadAdminPolicy(base: string): Promise<{ policy?: PartialPolicy; state: TrustContext['adminPolicy']; problems: string[] }> {
  const unavailable = (detail: string) => ({ state: 'unavailable' as const, problems: [adminPolicyUnavailableSentence(detail)] });
  let res: Response;
  let text: string;
  try {
    res = await fetch(new URL('policy.json', base).href, { cache: 'no-cache', credentials: 'same-origin' });
    // Only "not found" means there is no admin policy; anything else might hide one.
    if (res.status === 404) return { state: 'none', problems: [] };
    if (!res.ok) return unavailable(`HTTP ${res.status}`);
    text = await res.text();
  } catch (e) {
    return unavailable(e instanceof Error ? e.message : String(e));
  }
  if (text.length > MAX_POLICY_BYTES) return { policy: {}, state: 'invalid', problems: [adminPolicyInvalidSentence(['policy.json: larger than 4 MB'])] };
  const parsed = parsePolicyJson(text, 'policy.json');
  if (!parsed.ok) return { policy: parsed.policy, state: 'invalid', problems: [adminPolicyInvalidSentence(parsed.errors)] };
  return { policy: parsed.policy, state: 'loaded', problems: [] };
}

/**
 * No "trusted" while the admin policy is unavailable: the verdict is lowered to "untrusted" with the reason, so
 * a policy server outage (or a blocked request) cannot leave the pane on weaker user or default settings.
 */
export function withheldWhileUnavailable(v: Verdict, trust: Pick<TrustContext, 'adminPolicy' | 'problems'>): Verdict {
  if (trust.adminPolicy !== 'unavailable' || v.verdict !== 'trusted') return v;
  const why = reason('policy-unavailable', 'error', trust.problems[0] ?? adminPolicyUnavailableSentence('unknown error'));
  const reasons = [why, ...v.reasons];
  return { ...v, verdict: 'untrusted', reasons, warnings: warningsOf(reasons), summary: `${VERDICT_PHRASE.untrusted}: ${why.message}` };
}

/**
 * The pane's CSP (addin-outlook/webpack.part.cjs) lets it connect only to its own origin (and Graph), so a proxy
 * elsewhere can never be reached: such a proxyUrl is set aside with a sentence that says why and what to do,
 * instead of every online check failing with a bare network error. Returns the proxy to use (or null).
 */
export function proxyForPane(policy: Policy, base: string): { proxyUrl: string | null; problem?: string } {
  if (!policy.online || !policy.proxyUrl) return { proxyUrl: null };
  const r = sameOriginOnly(policy.proxyUrl.replace('{url}', 'x'), base, 'The proxy for online checks (proxyUrl in policy.json)', 'so the proxy is not used');
  return { proxyUrl: r.ok ? policy.proxyUrl : null, problem: r.problem };
}

/**
 * The same rule for audit forwarding: an audit.endpoint on another origin could never be reached from the pane, so
 * the pane keeps its local log only and says why, instead of queueing events for a send that cannot happen.
 */
export function auditEndpointForPane(policy: Policy, base: string): { endpoint: string | null; problem?: string } {
  if (!policy.audit.enabled || !policy.audit.endpoint) return { endpoint: null };
  const r = sameOriginOnly(policy.audit.endpoint, base, 'The audit forwarding endpoint (audit.endpoint in policy.json)', 'so the pane keeps its audit log locally and forwards nothing');
  return { endpoint: r.ok ? policy.audit.endpoint : null, problem: r.problem };
}

function sameOriginOnly(url: string, base: string, what: string, effect: string): { ok: boolean; problem?: string } {
  const pane = new URL(base).origin;
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return { ok: false }; // validation admits only URLs; nothing to say beyond what it said
  }
  if (origin === pane) return { ok: true };
  return {
    ok: false,
    problem:
      `${what} is on ${origin}, but this add-in is served from ${pane} and its Content Security Policy lets the task ` +
      `pane connect only to its own origin, ${effect}: serve it from a path on ${pane} instead.`,
  };
}

export async function loadTrust(base: string, extraUser: PartialPolicy = {}): Promise<TrustContext> {
  const [admin, user] = await Promise.all([loadAdminPolicy(base), loadUserPolicy()]);
  // The playground adds its sample CA as a user anchor; real settings never come from the page.
  const extra = extraUser.anchors ?? [];
  const userLayer: PartialPolicy = extra.length ? { ...user, anchors: [...(user.anchors ?? []), ...extra] } : user;
  const resolved = resolvePolicy({ admin: admin.policy, user: userLayer, adminInvalid: admin.state !== 'none' && admin.state !== 'loaded' });
  setKeyPolicy(resolved.policy); // keys.requirePassphrase for the key store (identities.ts)
  const proxy = proxyForPane(resolved.policy, base);
  const policy: Policy = { ...resolved.policy, proxyUrl: proxy.proxyUrl };
  const audit = auditEndpointForPane(resolved.policy, base);
  const problems = [...admin.problems, ...[proxy.problem, audit.problem].filter((p): p is string => !!p)];
  let full: Promise<{ options: VerifyOptions } | { problem: string }> | undefined;
  const withBundled = () => {
    if (!policy.bundledRoots) return Promise.resolve(undefined);
    full ??= loadBundledRootsData(base).then((roots) =>
      roots.ok
        ? { options: policyToVerifyOptions(policy, { corsHint: true }) }
        : { problem: `The bundled trusted roots could not be loaded (${roots.problem}); only roots you or your administrator added are trusted.` },
    );
    return full;
  };
  // Fetch the roots data now (network overlaps office.js loading); parsing waits until a message needs them.
  if (policy.bundledRoots) void loadBundledRootsData(base);
  return { resolved, options: policyToVerifyOptions({ ...policy, bundledRoots: false }, { corsHint: true }), withBundled, adminPolicy: admin.state, problems };
}

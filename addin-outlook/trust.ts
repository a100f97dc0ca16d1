/**
 * What the pane verifies with: the admin's policy.json (served beside taskpane.html), the user's settings
 * (settings-store.ts) and the defaults, merged by src/policy, turned into VerifyOptions. Loaded once per pane
 * and again after the user changes settings.
 */
import type { VerifyOptions } from '../src/index';
import { type PartialPolicy, type ResolvedPolicy, parsePolicyJson, policyToVerifyOptions, resolvePolicy } from '../src/index';
import { loadBundledRootsData } from './roots-data';
import { loadUserPolicy } from './settings-store';

/** An admin policy file is small; anything bigger is a mistake, not a policy. */
const MAX_POLICY_BYTES = 4 * 1024 * 1024;

export interface TrustContext {
  resolved: ResolvedPolicy;
  options: VerifyOptions;
  /** Whether an admin policy.json was found and used. */
  adminPolicy: 'none' | 'loaded' | 'invalid';
  /** Plain sentences about problems with the policy sources (shown in the pane, never hidden). */
  problems: string[];
}

export async function loadAdminPolicy(base: string): Promise<{ policy?: PartialPolicy; state: TrustContext['adminPolicy']; problems: string[] }> {
  let res: Response;
  try {
    res = await fetch(new URL('policy.json', base).href, { cache: 'no-cache', credentials: 'same-origin' });
  } catch {
    return { state: 'none', problems: [] };
  }
  if (res.status === 404) return { state: 'none', problems: [] };
  if (!res.ok) return { state: 'invalid', problems: [`The administrator's policy.json could not be read (HTTP ${res.status}); defaults apply.`] };
  const text = await res.text();
  if (text.length > MAX_POLICY_BYTES) return { state: 'invalid', problems: ['The administrator\'s policy.json is too large; defaults apply.'] };
  const parsed = parsePolicyJson(text, 'policy.json');
  if (!parsed.ok) {
    return { state: 'invalid', problems: [`The administrator's policy.json is invalid, so defaults apply: ${parsed.errors.join('; ')}`] };
  }
  return { policy: parsed.policy, state: 'loaded', problems: [] };
}

export async function loadTrust(base: string, extraUser: PartialPolicy = {}): Promise<TrustContext> {
  const [admin, user] = await Promise.all([loadAdminPolicy(base), loadUserPolicy()]);
  // The playground adds its sample CA as a user anchor; real settings never come from the page.
  const extra = extraUser.anchors ?? [];
  const userLayer: PartialPolicy = extra.length ? { ...user, anchors: [...(user.anchors ?? []), ...extra] } : user;
  const resolved = resolvePolicy({ admin: admin.policy, user: userLayer });
  const problems = [...admin.problems];
  if (resolved.policy.bundledRoots) {
    const roots = await loadBundledRootsData(base);
    if (!roots.ok) problems.push(`The bundled trusted roots could not be loaded (${roots.problem}); only roots you or your administrator added are trusted.`);
  }
  return { resolved, options: policyToVerifyOptions(resolved.policy), adminPolicy: admin.state, problems };
}

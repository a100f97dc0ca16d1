/**
 * Where the policy comes from in Thunderbird. The user's settings are a partial policy in storage.local; an
 * administrator's come from managed storage, which Thunderbird fills from enterprise policies
 * (policies.json → "3rdparty" → "Extensions" → this add-on's id → the policy object). Both are validated with
 * the core's one policy schema and merged by its one precedence rule (admin > user > defaults, anchors as a
 * union unless the admin sets userAnchors: false): src/policy/*.
 */
import { resolvePolicy, validatePolicy, type PartialPolicy, type ResolvedPolicy } from '../src/index';
import type { StorageArea } from './messenger';

export const USER_POLICY_KEY = 'policy';

export interface LoadedPolicy {
  resolved: ResolvedPolicy;
  /** The administrator's policy as validated (empty when none). */
  admin: PartialPolicy;
  user: PartialPolicy;
  /** Problems with a source; a bad source is ignored as a whole, so a typo never half-applies. */
  problems: string[];
}

export async function loadPolicy(local: StorageArea, managed: StorageArea): Promise<LoadedPolicy> {
  const problems: string[] = [];
  let adminRaw: unknown = {};
  try {
    adminRaw = await managed.get(null);
  } catch {
    // No enterprise policy for this add-on: managed storage rejects. The normal case.
  }
  const admin = validSource(adminRaw, 'administrator policy', problems);
  const user = validSource((await local.get(USER_POLICY_KEY))[USER_POLICY_KEY] ?? {}, 'your settings', problems);
  return { resolved: resolvePolicy({ admin, user }), admin, user, problems };
}

function validSource(raw: unknown, label: string, problems: string[]): PartialPolicy {
  if (raw && typeof raw === 'object' && Object.keys(raw).length === 0) return {};
  const v = validatePolicy(raw, label);
  if (v.ok) return v.policy;
  problems.push(...v.errors);
  return {};
}

/** Saves the user's partial policy after validating it; returns the problems instead when invalid. */
export async function saveUserPolicy(local: StorageArea, next: PartialPolicy): Promise<string[]> {
  const v = validatePolicy(next, 'your settings');
  if (!v.ok) return v.errors;
  await local.set({ [USER_POLICY_KEY]: v.policy });
  return [];
}

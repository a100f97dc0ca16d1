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
  /**
   * Problems with a source, one line each naming the field. An invalid administrator policy keeps its valid
   * fields and sets the user's settings aside (src/policy/merge.ts); invalid user settings keep their valid
   * fields, the bad ones fall back to the administrator's or the default value.
   */
  problems: string[];
  /** The administrator's policy had problems: the user's settings are set aside until it is fixed. */
  adminInvalid: boolean;
}

export async function loadPolicy(local: StorageArea, managed: StorageArea): Promise<LoadedPolicy> {
  const problems: string[] = [];
  let adminRaw: unknown = {};
  try {
    adminRaw = await managed.get(null);
  } catch {
    // No enterprise policy for this add-on: managed storage rejects. The normal case.
  }
  const adminCount = problems.length;
  const admin = validSource(adminRaw, 'administrator policy', problems);
  const adminInvalid = problems.length > adminCount;
  const user = validSource((await local.get(USER_POLICY_KEY))[USER_POLICY_KEY] ?? {}, 'your settings', problems);
  return { resolved: resolvePolicy({ admin, user, adminInvalid }), admin, user, problems, adminInvalid };
}

function validSource(raw: unknown, label: string, problems: string[]): PartialPolicy {
  if (raw && typeof raw === 'object' && Object.keys(raw).length === 0) return {};
  const v = validatePolicy(raw, label);
  if (!v.ok) problems.push(...v.errors);
  return v.policy;
}

/** Saves the user's partial policy after validating it; returns the problems instead when invalid. */
export async function saveUserPolicy(local: StorageArea, next: PartialPolicy): Promise<string[]> {
  const v = validatePolicy(next, 'your settings');
  if (!v.ok) return v.errors;
  await local.set({ [USER_POLICY_KEY]: v.policy });
  return [];
}

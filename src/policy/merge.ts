/**
 * Precedence, in one function: admin policy > user settings > defaults, field by field. Each source must have
 * been validated (validate.ts) first. The result records which source set each field, so a settings page can
 * show "set by your administrator" and lock that control.
 *
 * Lists of certificates are the exception: `anchors` and `intermediates` are the union of admin and user
 * entries (an admin adds the company root, a user adds a partner's), except that an admin can exclude user
 * anchors with `userAnchors: false`. Admin-only fields (ADMIN_ONLY) ignore user values.
 */
import { ADMIN_ONLY, FIELDS, defaultPolicy, getPath, setPath, type PartialPolicy, type Policy, type PolicySource } from './schema';

export type FieldSource = PolicySource | 'admin+user';

export interface PolicyLayers {
  admin?: PartialPolicy;
  user?: PartialPolicy;
}

export interface ResolvedPolicy {
  policy: Policy;
  /** For every field path (e.g. "revocation", "audit.endpoint"): where its value came from. */
  sources: Record<string, FieldSource>;
  /** User settings that did not take effect because the admin policy decides them, by field path. */
  overridden: string[];
}

export function resolvePolicy(layers: PolicyLayers): ResolvedPolicy {
  const policy = defaultPolicy() as unknown as Record<string, unknown>;
  const sources: Record<string, FieldSource> = {};
  const overridden: string[] = [];
  const { admin, user } = layers;
  const userAnchorsAllowed = getPath(admin, 'userAnchors') !== false;

  for (const [path, spec] of Object.entries(FIELDS)) {
    const a = getPath(admin, path);
    const u = getPath(user, path);
    if (spec.kind === 'pemList') {
      const userCounts = u !== undefined && (path !== 'anchors' || userAnchorsAllowed);
      if (u !== undefined && !userCounts) overridden.push(path);
      const merged: string[] = [];
      const seen = new Set<string>();
      for (const list of [a, userCounts ? u : undefined]) {
        for (const pem of (list as string[] | undefined) ?? []) {
          const key = pem.replace(/\s+/g, '');
          if (!seen.has(key)) {
            seen.add(key);
            merged.push(pem);
          }
        }
      }
      setPath(policy, path, merged);
      sources[path] = a !== undefined && userCounts ? 'admin+user' : a !== undefined ? 'admin' : userCounts ? 'user' : 'default';
      continue;
    }
    if (a !== undefined) {
      setPath(policy, path, Array.isArray(a) ? [...a] : a);
      sources[path] = 'admin';
      if (u !== undefined) overridden.push(path);
    } else if (u !== undefined && !ADMIN_ONLY.has(path)) {
      setPath(policy, path, Array.isArray(u) ? [...u] : u);
      sources[path] = 'user';
    } else {
      if (u !== undefined) overridden.push(path);
      sources[path] = 'default';
    }
  }
  return { policy: policy as unknown as Policy, sources, overridden };
}

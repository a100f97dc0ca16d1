/**
 * Precedence, in one function: admin policy > user settings > defaults, field by field. Each source must have
 * been validated (validate.ts) first. The result records which source set each field, so a settings page can
 * show "set by your administrator" and lock that control.
 *
 * Lists of certificates are the exception: `anchors` and `intermediates` are the union of admin and user
 * entries (an admin adds the company root, a user adds a partner's), except that an admin can exclude user
 * anchors with `userAnchors: false`. Admin-only fields (ADMIN_ONLY) ignore user values.
 *
 * An administrator's policy that was invalid (validate.ts: unknown or misspelt fields, bad values) fails closed,
 * never open: its valid fields apply as usual, and EVERY other field is locked at its default, so the user's
 * settings are set aside as a whole (user anchors too; user intermediates still help build paths, they confer
 * no trust). A misspelt key cannot be mapped to the field it meant, so no field can be left to the user; the
 * default rather than the strictest value, because the strictest values (no bundled roots, hard revocation,
 * 16,384-bit keys) would turn valid mail red and teach readers to ignore the badge. The hosts name the invalid
 * fields beside every verdict until the administrator fixes the file.
 *
 * An administrator who sets `audit.endpoint` also decides `audit.enabled`: a user could otherwise switch off the
 * log the organisation forwards.
 */
import { ADMIN_ONLY, FIELDS, defaultPolicy, getPath, setPath, type PartialPolicy, type Policy, type PolicySource } from './schema';

export type FieldSource = PolicySource | 'admin+user';

export interface PolicyLayers {
  /** The administrator's policy: its valid fields (validate.ts gives them even when the file is invalid). */
  admin?: PartialPolicy;
  user?: PartialPolicy;
  /** The administrator's policy had problems (or could not be parsed): set the user's settings aside. */
  adminInvalid?: boolean;
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
  const { admin, user: userLayer, adminInvalid = false } = layers;
  // Fail closed on an invalid admin policy: only the user's intermediates (no trust of their own) still count.
  const user: PartialPolicy | undefined = adminInvalid && userLayer ? (userLayer.intermediates ? { intermediates: userLayer.intermediates } : {}) : userLayer;
  if (adminInvalid && userLayer) overridden.push(...Object.keys(FIELDS).filter((p) => p !== 'intermediates' && getPath(userLayer, p) !== undefined));
  const userAnchorsAllowed = getPath(admin, 'userAnchors') !== false && !adminInvalid;
  const adminLocks = (path: string) =>
    adminInvalid || (path === 'audit.enabled' && typeof getPath(admin, 'audit.endpoint') === 'string');

  for (const [path, spec] of Object.entries(FIELDS)) {
    const a = getPath(admin, path);
    const u = getPath(user, path);
    if (spec.kind === 'pemList') {
      const userCounts = u !== undefined && (path !== 'anchors' || userAnchorsAllowed);
      if (u !== undefined && !userCounts && !overridden.includes(path)) overridden.push(path);
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
      sources[path] = a !== undefined && userCounts ? 'admin+user' : a !== undefined || (adminInvalid && path === 'anchors') ? 'admin' : userCounts ? 'user' : 'default';
      continue;
    }
    if (a !== undefined) {
      setPath(policy, path, Array.isArray(a) ? [...a] : a);
      sources[path] = 'admin';
      if (u !== undefined) overridden.push(path);
    } else if (adminLocks(path)) {
      // Locked at the default (see above); the hosts show it as decided by the administrator.
      if (u !== undefined) overridden.push(path);
      sources[path] = 'admin';
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

/**
 * User settings and what an administrator enforces. The user's choices live in storage.local; an
 * administrator's in managed storage, filled by Thunderbird's enterprise policies (policies.json:
 * "3rdparty" → "Extensions" → this add-on's id). A managed value always wins and the options page shows it
 * locked. See managed-schema.json for the keys an administrator can set.
 */
import type { StorageArea } from './messenger';

export type RevocationMode = 'off' | 'soft' | 'hard';

export interface Settings {
  /** Check revocation: 'soft' (default) warns when unknown, 'hard' makes unknown untrusted. */
  revocation: RevocationMode;
  /** Accept SHA-1 signatures (default false, as Thunderbird). */
  allowSha1: boolean;
  /** Trust the bundled Mozilla e-mail roots in addition to your own anchors (default true). */
  useBundledRoots: boolean;
  /** Sign every new message by default. */
  signByDefault: boolean;
  /** Encrypt every new message by default (when every recipient's certificate is known). */
  encryptByDefault: boolean;
  /** Largest message checked, in MB. */
  maxMessageMB: number;
  /** Trust anchors and intermediates an administrator adds (PEM text each). */
  anchorsPem: string[];
  intermediatesPem: string[];
}

export const DEFAULTS: Settings = {
  revocation: 'soft',
  allowSha1: false,
  useBundledRoots: true,
  signByDefault: false,
  encryptByDefault: false,
  maxMessageMB: 64,
  anchorsPem: [],
  intermediatesPem: [],
};

export const SETTINGS_KEY = 'settings';

export interface EffectiveSettings {
  settings: Settings;
  /** Keys an administrator set: shown locked, not editable. */
  locked: (keyof Settings)[];
}

/** Keeps only known keys with the right type; anything else is ignored (bad managed input never breaks us). */
export function sanitize(input: unknown): Partial<Settings> {
  const out: Partial<Settings> = {};
  if (!input || typeof input !== 'object') return out;
  const o = input as Record<string, unknown>;
  if (o.revocation === 'off' || o.revocation === 'soft' || o.revocation === 'hard') out.revocation = o.revocation;
  for (const k of ['allowSha1', 'useBundledRoots', 'signByDefault', 'encryptByDefault'] as const) {
    if (typeof o[k] === 'boolean') out[k] = o[k] as boolean;
  }
  if (typeof o.maxMessageMB === 'number' && o.maxMessageMB >= 1 && o.maxMessageMB <= 1024) out.maxMessageMB = o.maxMessageMB;
  for (const k of ['anchorsPem', 'intermediatesPem'] as const) {
    const v = o[k];
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) out[k] = (v as string[]).slice(0, 500);
  }
  return out;
}

/** Defaults, then the user's choices, then the administrator's (which win). */
export function merge(user: unknown, managed: unknown): EffectiveSettings {
  const u = sanitize(user);
  const m = sanitize(managed);
  return { settings: { ...DEFAULTS, ...u, ...m }, locked: Object.keys(m) as (keyof Settings)[] };
}

export async function loadSettings(local: StorageArea, managed: StorageArea): Promise<EffectiveSettings> {
  const user = (await local.get(SETTINGS_KEY))[SETTINGS_KEY];
  let admin: unknown = {};
  try {
    admin = await managed.get(null);
  } catch {
    // No policy for this add-on: managed storage rejects. That is the normal case.
  }
  return merge(user, admin);
}

/** Saves the user's choices, minus anything an administrator enforces. */
export async function saveUserSettings(local: StorageArea, eff: EffectiveSettings, changes: Partial<Settings>): Promise<void> {
  const current = sanitize((await local.get(SETTINGS_KEY))[SETTINGS_KEY]);
  const next: Partial<Settings> = { ...current, ...sanitize(changes) };
  for (const k of eff.locked) delete next[k];
  await local.set({ [SETTINGS_KEY]: next });
}

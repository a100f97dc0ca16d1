/**
 * The bundled Mozilla e-mail roots for the task pane, as DATA fetched once (dist/outlook/roots.json, written by
 * scripts/outlook-roots.ts from src/trust/roots/mozilla-email-roots.ts) instead of 110 KB of gzipped script in
 * taskpane.js: the Outlook build swaps this module in for mozilla-email-roots.ts (webpack.part.cjs), so
 * src/trust/roots/bundled.ts works unchanged once loadBundledRootsData() has filled the arrays.
 *
 * bundled.ts parses the list on its first use and keeps the result, so the pane awaits this loader before the
 * first verification (trust.ts).
 */
import type { BundledRoot, BundledRootsMeta } from '../src/index';

export const MOZILLA_EMAIL_ROOTS: BundledRoot[] = [];

export const MOZILLA_EMAIL_ROOTS_META: BundledRootsMeta = {
  source: '',
  nssPackage: '',
  builtinsVersion: '',
  generatedAt: '',
  emailTrusted: 0,
  excludedExpired: [],
  count: 0,
};

const MAX_ROOTS_JSON_CHARS = 2 * 1024 * 1024;
let loading: Promise<{ ok: true; count: number } | { ok: false; problem: string }> | undefined;

function isRoot(r: unknown): r is BundledRoot {
  if (!r || typeof r !== 'object') return false;
  const o = r as Record<string, unknown>;
  return (
    typeof o.name === 'string' &&
    typeof o.sha256 === 'string' &&
    typeof o.notAfter === 'string' &&
    typeof o.der === 'string' &&
    (o.emailDistrustAfter === undefined || typeof o.emailDistrustAfter === 'string')
  );
}

/** Fetches roots.json beside the page once; later calls share the first result. */
export function loadBundledRootsData(base: string): Promise<{ ok: true; count: number } | { ok: false; problem: string }> {
  loading ??= (async () => {
    try {
      const res = await fetch(new URL('roots.json', base).href, { credentials: 'same-origin' });
      if (!res.ok) return { ok: false as const, problem: `HTTP ${res.status}` };
      const text = await res.text();
      if (text.length > MAX_ROOTS_JSON_CHARS) return { ok: false as const, problem: 'the file is too large' };
      const data = JSON.parse(text) as { meta?: BundledRootsMeta; roots?: unknown[] };
      const roots = Array.isArray(data.roots) ? data.roots.filter(isRoot) : [];
      if (roots.length === 0) return { ok: false as const, problem: 'the file holds no roots' };
      MOZILLA_EMAIL_ROOTS.length = 0;
      MOZILLA_EMAIL_ROOTS.push(...roots);
      if (data.meta) Object.assign(MOZILLA_EMAIL_ROOTS_META, data.meta);
      return { ok: true as const, count: roots.length };
    } catch (e) {
      return { ok: false as const, problem: e instanceof Error ? e.message : String(e) };
    }
  })();
  return loading;
}

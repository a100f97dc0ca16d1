/**
 * Deployment configuration of the add-in: `config.json` beside the pages, written by the build from environment
 * variables (see addin-outlook/webpack.part.cjs and the README). Today it only says whether, and how, the pane
 * may use Microsoft Graph; without it the Graph fallback and Graph sending are simply not offered.
 */

export interface GraphConfig {
  /** Application (client) id of the Entra app registration used with nested app authentication. */
  clientId: string;
  /** e.g. https://login.microsoftonline.com/common or …/{tenant-id}. */
  authority: string;
  /** Graph endpoint root, e.g. https://graph.microsoft.com/v1.0 (loopback stand-in in the tests). */
  baseUrl: string;
}

export interface AddinConfig {
  graph?: GraphConfig;
}

const MAX_CONFIG_CHARS = 64 * 1024;

/** Graph and login endpoints must be HTTPS; plain HTTP only on loopback (the tests' stand-in). */
export function acceptableEndpoint(url: string): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === 'https:') return true;
    return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname === '[::1]');
  } catch {
    return false;
  }
}

export function parseConfig(value: unknown): AddinConfig {
  if (!value || typeof value !== 'object') return {};
  const g = (value as { graph?: unknown }).graph;
  if (!g || typeof g !== 'object') return {};
  const { clientId, authority, baseUrl } = g as Record<string, unknown>;
  if (typeof clientId !== 'string' || !/^[0-9a-fA-F-]{8,64}$/.test(clientId)) return {};
  const auth = typeof authority === 'string' && acceptableEndpoint(authority) ? authority : 'https://login.microsoftonline.com/common';
  const base = typeof baseUrl === 'string' && acceptableEndpoint(baseUrl) ? trimTrailing(baseUrl, '/') : 'https://graph.microsoft.com/v1.0';
  return { graph: { clientId, authority: auth, baseUrl: base } };
}

export async function loadConfig(base: string): Promise<AddinConfig> {
  try {
    const res = await fetch(new URL('config.json', base).href, { cache: 'no-cache', credentials: 'same-origin' });
    if (!res.ok) return {};
    const text = await res.text();
    if (text.length > MAX_CONFIG_CHARS) return {};
    return parseConfig(JSON.parse(text));
  } catch {
    return {};
  }
}

/** `s` without trailing `ch`s, by a loop (a pattern like /\/+$/ retries from every position: quadratic on a long run). */
function trimTrailing(s: string, ch: string): string {
  let end = s.length;
  while (end > 0 && s[end - 1] === ch) end--;
  return s.slice(0, end);
}

/**
 * The network for trust (AIA caIssuers, OCSP, CRL distribution points) over the platform's fetch, so the
 * same code runs in Node, a task pane and a Thunderbird background page. Only used when policy turns
 * online checking on: no network by default (privacy).
 *
 * Bounds: http(s) URLs only (CA endpoints are mostly plain http, which is fine: what they serve is signed),
 * a timeout for the whole exchange, a response size limit, no cookies or referrer. No private, loopback or link-local
 * targets (private-address.ts) unless the policy's `allowPrivateTargets` says so; redirects are followed only within
 * the same host (at most MAX_REDIRECTS), never to another host (a CA URL must not bounce the reader elsewhere); a
 * browser's opaque redirect cannot be inspected and is not followed. limitFetches bounds requests per message. Failures reject with a
 * FetchError whose `kind` lets the verdict say why revocation was not checked.
 *
 * The Outlook task pane cannot reach CA endpoints itself: its CSP allows connections to its own origin only, and
 * most CA servers send no CORS headers anyway. Policy's `proxyUrl` routes every request through a proxy, which
 * for the pane must be a path on the add-in's own origin (addin-outlook/trust.ts sets any other aside); "{url}"
 * in it is replaced by the encoded target URL, otherwise "?url=<encoded>" is appended.
 */
import { isPrivateHost } from './private-address';
import type { TrustFetcher } from './types';

export type FetchErrorKind = 'bad-url' | 'network' | 'timeout' | 'too-large' | 'http-status' | 'private-target' | 'redirect' | 'limit';

export class FetchError extends Error {
  constructor(
    readonly kind: FetchErrorKind,
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'FetchError';
  }
}

export interface FetcherOptions {
  /** Whole request, connection to last byte. Default 10 s. */
  timeoutMs?: number;
  /** Largest response accepted. Default 8 MiB (large CAs publish CRLs of several MiB). */
  maxBytes?: number;
  /** HTTPS proxy for hosts where CORS blocks CA endpoints (Outlook); see the module comment. */
  proxyUrl?: string | null;
  /** The fetch to use; defaults to globalThis.fetch. */
  fetch?: typeof fetch;
  /**
   * Set by the Outlook task pane, which reaches CA endpoints only through a proxy on its own origin (CSP, CORS):
   * a network failure without a proxy then says so and names the policy field.
   */
  corsHint?: boolean;
  /** Allow loopback, private and link-local targets (policy `allowPrivateTargets`; tests with servers on 127.0.0.1). */
  allowPrivateTargets?: boolean;
}

const MAX_REDIRECTS = 3;

/** Why a task pane without a proxy reached no CA server, and what to do (the end of one sentence). */
export const PANE_NEEDS_PROXY = "the Outlook task pane can reach CA servers only through a proxy on the add-in's own origin, set as proxyUrl in policy.json";

export const DEFAULT_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;

export function createFetcher(options: FetcherOptions = {}): TrustFetcher {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const doFetch = options.fetch ?? globalThis.fetch?.bind(globalThis);
  if (!doFetch) throw new Error('createFetcher: no fetch in this runtime');
  const proxy = options.proxyUrl ?? null;

  async function request(url: string, init: RequestInit): Promise<Uint8Array> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      throw new FetchError('bad-url', url, `"${url}" is not a URL`);
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      throw new FetchError('bad-url', url, `only http and https URLs are fetched, not ${target.protocol}`);
    }
    if (target.username || target.password) throw new FetchError('bad-url', url, 'URLs with credentials are not fetched');
    if (!options.allowPrivateTargets && isPrivateHost(target.hostname)) {
      throw new FetchError('private-target', url, `${target.host} is a private or loopback address, which online checks do not contact (policy allowPrivateTargets)`);
    }
    let via = proxy ? viaProxy(proxy, target.href) : target.href;
    const through = proxy ? ` through the proxy at ${originOf(via)}` : '';
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), timeoutMs);
    try {
      let res: Response;
      for (let hops = 0; ; hops++) {
        try {
          res = await doFetch(via, {
            ...init,
            signal: ctl.signal,
            credentials: 'omit',
            referrerPolicy: 'no-referrer',
            redirect: 'manual',
          });
        } catch (e) {
          if (ctl.signal.aborted) throw new FetchError('timeout', url, `no answer from ${target.host} within ${timeoutMs} ms`);
          if (options.corsHint && !proxy) throw new FetchError('network', url, `could not reach ${target.host} (${errText(e)}): ${PANE_NEEDS_PROXY}`);
          throw new FetchError('network', url, `could not reach ${target.host}${through}: ${errText(e)}`);
        }
        const redirected = res.type === 'opaqueredirect' || (res.status >= 300 && res.status < 400 && res.status !== 304);
        if (!redirected) break;
        await res.body?.cancel().catch(() => undefined);
        const location = res.headers.get('location');
        const from = new URL(via);
        let next: URL | undefined;
        try {
          next = location ? new URL(location, from) : undefined;
        } catch {
          next = undefined;
        }
        if (!next) throw new FetchError('redirect', url, `${target.host} answered with a redirect that is not followed`);
        if (next.host !== from.host || (from.protocol === 'https:' && next.protocol !== 'https:')) {
          throw new FetchError('redirect', url, `${target.host} redirected to another host (${next.host}), which is not followed`);
        }
        if (hops >= MAX_REDIRECTS) throw new FetchError('redirect', url, `${target.host} redirected more than ${MAX_REDIRECTS} times`);
        via = next.href;
      }
      if (!res.ok) {
        await res.body?.cancel().catch(() => undefined);
        throw new FetchError('http-status', url, proxy ? `the proxy answered HTTP ${res.status} for ${target.host}` : `${target.host} answered HTTP ${res.status}`);
      }
      const declared = Number(res.headers.get('content-length') ?? NaN);
      if (Number.isFinite(declared) && declared > maxBytes) {
        await res.body?.cancel().catch(() => undefined);
        throw new FetchError('too-large', url, `response from ${target.host} is ${declared} bytes, over the ${maxBytes} limit`);
      }
      return await readBounded(res, url, target.host, maxBytes, ctl);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    get: (url) => request(url, { method: 'GET' }),
    post: (url, body, contentType) =>
      request(url, { method: 'POST', body: body as BodyInit, headers: { 'content-type': contentType } }),
  };
}

/**
 * A fetcher that makes at most `max` requests (issue 10, item 15: 8 per message), so a message cannot make a reader
 * contact dozens of servers; later requests fail with kind 'limit' and the verdict says so. Cached answers are taken
 * before the fetcher is asked and do not count.
 */
export function limitFetches(fetcher: TrustFetcher, max: number): TrustFetcher {
  let used = 0;
  const take = (url: string) => {
    if (used >= max) throw new FetchError('limit', url, `not fetched: one message may cause at most ${max} requests`);
    used++;
  };
  return {
    get: async (url) => (take(url), fetcher.get(url)),
    post: async (url, body, type) => (take(url), fetcher.post(url, body, type)),
  };
}

function viaProxy(proxy: string, target: string): string {
  const enc = encodeURIComponent(target);
  if (proxy.includes('{url}')) return proxy.replace('{url}', enc);
  return `${proxy}${proxy.includes('?') ? '&' : '?'}url=${enc}`;
}

async function readBounded(res: Response, url: string, host: string, maxBytes: number, ctl: AbortController): Promise<Uint8Array> {
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        ctl.abort();
        throw new FetchError('too-large', url, `response from ${host} is over the ${maxBytes}-byte limit`);
      }
      chunks.push(value);
    }
  } catch (e) {
    if (e instanceof FetchError) throw e;
    if (ctl.signal.aborted) throw new FetchError('timeout', url, `${host} did not finish answering in time`);
    throw new FetchError('network', url, `reading from ${host} failed: ${errText(e)}`);
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** The most specific message: fetch's own is a bare "fetch failed", the cause says why (ECONNREFUSED …). */
function errText(e: unknown): string {
  if (e instanceof Error) {
    const cause = (e as { cause?: unknown }).cause;
    return cause instanceof Error && cause.message ? cause.message : e.message;
  }
  return String(e);
}

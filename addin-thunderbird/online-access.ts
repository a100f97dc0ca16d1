/**
 * Online checks in Thunderbird (issue 6): fetching a missing intermediate from its AIA caIssuers URL, OCSP and
 * CRL distribution points. The core does the work (src/trust/online.ts); this module decides which network the
 * core gets.
 *
 * CA endpoints can be on any host and are mostly plain http, so the add-on declares `http://*\/*` and
 * `https://*\/*` as optional host permissions and asks for them only when the user turns online checks on
 * (permissions.request, which must run in the click handler). With the permission granted, the background's
 * fetch reaches those hosts without CORS (the extension origin holds a host permission for them) — the reason
 * this works here and not in the Outlook pane. Without it the request would still be sent (a leak) and its
 * answer blocked, so the add-on does not fetch at all then: it gives the core a fetcher that refuses every URL
 * and says why, so the verdict says what the policy wanted and why it could not be done.
 */
import { createFetcher, FetchError, type Policy } from '../src/index';
import type { PermissionsApi, PermissionSet } from './messenger';

/** Exactly the manifest's optional_host_permissions (a request must stay within them). */
export const ONLINE_ORIGINS = ['http://*/*', 'https://*/*'];
const ACCESS: PermissionSet = { origins: ONLINE_ORIGINS };

/** The words the verdict uses when online checks are on but the permission is not granted. */
export const NO_ACCESS =
  "online checks are on, but Thunderbird has not given this add-on access to web sites (allow it in the add-on's options)";

type TrustFetcher = ReturnType<typeof createFetcher>;

export async function hasOnlineAccess(permissions: PermissionsApi): Promise<boolean> {
  try {
    return await permissions.contains(ACCESS);
  } catch {
    return false;
  }
}

/**
 * Asks Thunderbird for the host permission. Call it synchronously from a click handler (before any await there):
 * Thunderbird refuses requests outside a user action. Resolves false when the user refuses.
 */
export function requestOnlineAccess(permissions: PermissionsApi): Promise<boolean> {
  return permissions.request(ACCESS);
}

/** Gives the permission back (when the user turns online checks off). */
export function releaseOnlineAccess(permissions: PermissionsApi): Promise<boolean> {
  return permissions.remove(ACCESS).catch(() => false);
}

/** A fetcher that never touches the network: each request fails with NO_ACCESS. */
export function noAccessFetcher(): TrustFetcher {
  const refuse = (url: string) => Promise.reject(new FetchError('network', url, NO_ACCESS));
  return { get: refuse, post: refuse };
}

/**
 * What the core gets for policy.online: nothing when online checks are off (offline, the default); the
 * background's fetch when the permission is granted (no proxy: Thunderbird needs none); otherwise the refusing
 * fetcher, so each verdict says why nothing was fetched.
 */
export function fetcherFor(policy: Pick<Policy, 'online'> & Partial<Pick<Policy, 'allowPrivateTargets'>>, granted: boolean, fetch: typeof globalThis.fetch): TrustFetcher | undefined {
  if (!policy.online) return undefined;
  return granted ? createFetcher({ fetch, allowPrivateTargets: policy.allowPrivateTargets }) : noAccessFetcher();
}

/**
 * The one exception to "https only" for URLs in policy (proxyUrl, audit.endpoint): plain http to a loopback host,
 * for development and tests. Browsers treat loopback as potentially trustworthy too (a secure context over http),
 * and nothing sent there leaves the machine. Host names other than "localhost" do not count, even when they
 * resolve to loopback: the check is on the URL as written.
 */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Whether `u` is an http:// URL to a loopback host (127.0.0.1, [::1], localhost). */
export function isLoopbackHttp(u: URL): boolean {
  return u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname);
}

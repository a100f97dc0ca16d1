/**
 * Whether a URL's host is private, loopback, link-local or otherwise not on the public internet (issue 10, item 15):
 * online checks follow URLs that certificates name, and a certificate from a message must not make the reader's
 * machine talk to its own intranet (router pages, cloud metadata at 169.254.169.254, services on localhost).
 *
 * Looks at the host as the URL parser normalised it (IPv4 in any notation becomes dotted decimal; IPv6 is in
 * brackets, compressed). Limit: a public DNS name that resolves to a private address is not caught (the hosts' fetch
 * offers no resolution step, and a check before connecting could be raced by DNS rebinding).
 */

function v4Private(a: number, b: number): boolean {
  return (
    a === 0 || a === 10 || a === 127 || a >= 224 || // this network, private, loopback, multicast and reserved
    (a === 100 && b >= 64 && b <= 127) || // carrier-grade NAT
    (a === 169 && b === 254) || // link-local (cloud metadata)
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) || // IETF protocol assignments, 192.0.0.0/24 (and documentation 192.0.2.0/24)
    (a === 198 && (b === 18 || b === 19)) // benchmarking
  );
}

function parseV4(host: string): number[] | undefined {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p))) return undefined;
  const n = parts.map(Number);
  return n.every((x) => x <= 255) ? n : undefined;
}

/** `hostname` as URL.hostname gives it (IPv6 in brackets). */
export function isPrivateHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/\.$/, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h === '') return true;
  const v4 = parseV4(h);
  if (v4) return v4Private(v4[0], v4[1]);
  if (!h.startsWith('[')) return false; // a DNS name
  const v6 = h.slice(1, -1);
  if (v6 === '::1' || v6 === '::') return true;
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (mapped) {
    const hi = parseInt(mapped[1], 16);
    return v4Private(hi >> 8, hi & 0xff);
  }
  const mappedDotted = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6);
  if (mappedDotted) {
    const x = parseV4(mappedDotted[1]);
    return !x || v4Private(x[0], x[1]);
  }
  const first = parseInt(v6.split(':')[0] || '0', 16);
  return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80 || (first & 0xff00) === 0xff00; // ULA, link-local, multicast
}

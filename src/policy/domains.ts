/**
 * Domain lists of the enforcement rules (inbound.requireSignedFrom, outbound.internalDomains,
 * outbound.requireEncryptionTo): one parser for the policy validator and one matcher for every rule, so a
 * domain means the same thing on receive and on send, in both hosts and the CLI.
 *
 * Meaning: "corp.example" matches exactly that domain; "*.corp.example" matches every subdomain of it at any
 * depth (a.corp.example, x.y.corp.example) but not corp.example itself, as in certificates — list both to
 * cover both. Case does not matter; internationalised names match in either form (bücher.example and
 * xn--bcher-kva.example are the same entry), through the IDNA (UTS #46) conversion of the WHATWG URL parser.
 *
 * Bounds: an entry is at most 253 characters, a list at most MAX_DOMAINS entries; matching is a Set lookup per
 * label of the address's domain (at most 127), so a 10,000-entry list costs the same per message as a short one.
 * No regular expression sees more than one label (63 characters).
 */

export const MAX_DOMAINS = 10_000;
const MAX_DOMAIN_CHARS = 253;
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** The ASCII (A-label) lower-case form of a domain name, or a problem in words. Never throws. */
export function normalizeDomain(input: string): { ok: true; domain: string } | { ok: false; problem: string } {
  if (input.length === 0) return { ok: false, problem: 'is empty' };
  if (input.length > MAX_DOMAIN_CHARS) return { ok: false, problem: `is longer than ${MAX_DOMAIN_CHARS} characters` };
  // Characters the URL parser would reinterpret (or that no domain has): refuse rather than convert.
  for (const ch of input) {
    const c = ch.codePointAt(0) ?? 0;
    if (c <= 0x20 || c === 0x7f || '%/\\?#@:[]*,;<>"\''.includes(ch) || (c >= 0x80 && c <= 0x9f)) {
      return { ok: false, problem: c <= 0x20 ? 'contains a space or control character' : `contains ${JSON.stringify(ch)}` };
    }
  }
  let host: string;
  try {
    host = new URL(`http://${input}/`).hostname;
  } catch {
    return { ok: false, problem: 'is not a valid domain name' };
  }
  const d = host.endsWith('.') ? host.slice(0, -1) : host;
  const labels = d.split('.');
  if (labels.length < 2) return { ok: false, problem: 'needs at least two labels (e.g. example.com)' };
  if (!labels.every((l) => LABEL.test(l))) return { ok: false, problem: 'is not a valid domain name' };
  if (labels.every((l) => /^[0-9]+$/.test(l)) || /^[0-9]+$/.test(labels[labels.length - 1])) {
    return { ok: false, problem: 'is an IP address, not a domain name' };
  }
  return { ok: true, domain: d };
}

/** One policy entry: "corp.example" or "*.corp.example". */
export function parseDomainEntry(entry: string): { ok: true; wildcard: boolean; domain: string } | { ok: false; problem: string } {
  const wildcard = entry.startsWith('*.');
  const r = normalizeDomain(wildcard ? entry.slice(2) : entry);
  return r.ok ? { ok: true, wildcard, domain: r.domain } : r;
}

/** A validated domain list, ready for matching. */
export class DomainSet {
  private readonly exact = new Set<string>();
  private readonly under = new Set<string>();

  constructor(entries: readonly string[]) {
    // Entries were validated with the policy; one that does not parse now is skipped, not fatal.
    for (const e of entries) {
      const r = parseDomainEntry(e);
      if (r.ok) (r.wildcard ? this.under : this.exact).add(r.domain);
    }
  }

  get size(): number {
    return this.exact.size + this.under.size;
  }

  /** Whether a domain (any case, U-label or A-label form) is in the set. */
  hasDomain(domain: string): boolean {
    if (this.size === 0) return false;
    const n = normalizeDomain(domain);
    if (!n.ok) return false;
    const d = n.domain;
    if (this.exact.has(d)) return true;
    if (this.under.size === 0) return false;
    for (let i = d.indexOf('.'); i !== -1; i = d.indexOf('.', i + 1)) {
      if (this.under.has(d.slice(i + 1))) return true;
    }
    return false;
  }

  /** Whether an e-mail address's domain is in the set. */
  hasAddress(address: string): boolean {
    const at = address.lastIndexOf('@');
    return at > 0 && this.hasDomain(address.slice(at + 1));
  }
}

/** The domain of an address, lower-cased ("" when there is none): what audit events name instead of people. */
export function domainOf(address: string): string {
  const at = address.lastIndexOf('@');
  return at < 0 ? '' : address.slice(at + 1).toLowerCase();
}

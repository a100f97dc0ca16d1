/**
 * Authority Information Access (RFC 5280 §4.2.2.1): where a certificate's issuer can be fetched (caIssuers)
 * and where its OCSP responder is. Used when a signer left out an intermediate: fetch it, then re-validate.
 * A fetched certificate is only a candidate: path validation decides whether it is the issuer and trusted.
 *
 * caIssuers answers are a DER certificate or a PKCS#7 "certs-only" bundle (RFC 5280: .cer / .p7c); PEM is
 * accepted too because some CAs serve it. Bounds: 4 URLs per kind per certificate, 10 certificates per answer.
 */
import type * as pkijs from 'pkijs';
import { loadCertificates } from '../certs/load';
import type { TrustCache } from './online-cache';
import type { TrustFetcher } from './types';

const OID_AIA = '1.3.6.1.5.5.7.1.1';
const OID_AD_OCSP = '1.3.6.1.5.5.7.48.1';
const OID_AD_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
const MAX_URLS = 4;
const MAX_CERTS = 10;
/** AIA answers change rarely; a day bounds how long a replaced intermediate is kept. */
const AIA_CACHE_MS = 24 * 3600 * 1000;

export function isHttpUrl(s: string): boolean {
  return /^https?:\/\//i.test(s);
}

/** The http(s) URLs in a certificate's AIA extension, by access method. */
export function aiaUrls(cert: pkijs.Certificate): { caIssuers: string[]; ocsp: string[] } {
  const out = { caIssuers: [] as string[], ocsp: [] as string[] };
  const ext = cert.extensions?.find((e) => e.extnID === OID_AIA);
  const parsed = ext?.parsedValue as pkijs.InfoAccess | undefined;
  for (const d of parsed?.accessDescriptions ?? []) {
    if (d.accessLocation?.type !== 6 || typeof d.accessLocation.value !== 'string') continue;
    const url = d.accessLocation.value;
    if (!isHttpUrl(url)) continue; // ldap: and others are not fetched
    if (d.accessMethod === OID_AD_CA_ISSUERS && out.caIssuers.length < MAX_URLS) out.caIssuers.push(url);
    if (d.accessMethod === OID_AD_OCSP && out.ocsp.length < MAX_URLS) out.ocsp.push(url);
  }
  return out;
}

/** Certificates from a caIssuers answer (DER certificate, PKCS#7 certs-only, or PEM of either). */
export function parseCaIssuersResponse(bytes: Uint8Array): pkijs.Certificate[] | { problem: string } {
  // Only the first MAX_CERTS objects are read: an 8 MiB answer of 5,000 small PEM certificates took 5.3 s (and up to
  // 8 fetches per message), to keep 10 of them.
  const r = loadCertificates(bytes, MAX_CERTS);
  if (r.certs.length === 0) return { problem: r.error ?? 'no certificate in the answer' };
  return r.certs.slice(0, MAX_CERTS);
}

export type AiaFetch =
  | { ok: true; url: string; certs: pkijs.Certificate[] }
  | { ok: false; urls: string[]; detail: string };

/** Fetches the issuer candidates named by `cert`'s caIssuers URLs; the first URL that yields certificates wins. */
export async function fetchIssuers(
  cert: pkijs.Certificate,
  deps: { fetcher: TrustFetcher; cache?: TrustCache; now: Date },
): Promise<AiaFetch> {
  const urls = aiaUrls(cert).caIssuers;
  if (urls.length === 0) return { ok: false, urls, detail: 'the certificate names no caIssuers URL' };
  const problems: string[] = [];
  for (const url of urls) {
    const key = `aia:${url}`;
    const cached = deps.cache?.get<pkijs.Certificate[]>(key, deps.now);
    if (cached) return { ok: true, url, certs: cached };
    let bytes: Uint8Array;
    try {
      bytes = await deps.fetcher.get(url);
    } catch (e) {
      problems.push(e instanceof Error ? e.message : String(e));
      continue;
    }
    const certs = parseCaIssuersResponse(bytes);
    if (!Array.isArray(certs)) {
      problems.push(`${url}: ${certs.problem}`);
      continue;
    }
    deps.cache?.set(key, certs, new Date(deps.now.getTime() + AIA_CACHE_MS));
    return { ok: true, url, certs };
  }
  return { ok: false, urls, detail: problems.join('; ') };
}

/**
 * CRL distribution points (RFC 5280 §4.2.1.13): fetch the CRL a certificate names, check it is the issuer's
 * (name and signature) and current (thisUpdate/nextUpdate), and read the certificate's status from it.
 * Cached until its nextUpdate. Limits: full CRLs over http(s) only; indirect CRLs (cRLIssuer), delta CRLs and
 * issuing-distribution-point scoping are not supported — such a CRL is reported as unusable, not guessed at.
 */
import type * as pkijs from 'pkijs';
import { loadCrls } from '../certs/load';
import { crlInfo } from './crl-info';
import { hex } from './names';
import type { CryptoEngine } from '../crypto';
import { isHttpUrl } from './aia';
import type { TrustCache } from './online-cache';
import type { TrustFetcher } from './types';

const OID_CRL_DP = '2.5.29.31';
const OID_DELTA_CRL_INDICATOR = '2.5.29.27';
const OID_ISSUING_DP = '2.5.29.28';
const MAX_URLS = 4;
/** Clock skew tolerated between us and the CA. */
export const SKEW_MS = 5 * 60 * 1000;
/** A CRL without nextUpdate is kept this long. */
const NO_NEXT_UPDATE_CACHE_MS = 3600 * 1000;

/** The http(s) URLs of a certificate's CRL distribution points (fullName URIs; ldap: is skipped). */
export function crlUrls(cert: pkijs.Certificate): string[] {
  const ext = cert.extensions?.find((e) => e.extnID === OID_CRL_DP);
  const parsed = ext?.parsedValue as pkijs.CRLDistributionPoints | undefined;
  const out: string[] = [];
  for (const dp of parsed?.distributionPoints ?? []) {
    if (dp.cRLIssuer) continue; // indirect CRL: not supported (see module comment)
    const names = Array.isArray(dp.distributionPoint) ? dp.distributionPoint : [];
    for (const n of names as pkijs.GeneralName[]) {
      if (n.type === 6 && typeof n.value === 'string' && isHttpUrl(n.value) && out.length < MAX_URLS) out.push(n.value);
    }
  }
  return out;
}

export type CrlProblem = 'fetch-failed' | 'malformed' | 'wrong-issuer' | 'bad-signature' | 'stale' | 'not-yet-valid' | 'unsupported';

export type CrlCheck =
  | { ok: true; url: string; status: 'good' | 'revoked'; revokedAt?: Date; thisUpdate: Date; nextUpdate?: Date; cached: boolean }
  | { ok: false; problem: CrlProblem; detail: string };

function parseCrl(bytes: Uint8Array): pkijs.CertificateRevocationList | undefined {
  const r = loadCrls(bytes);
  return r.crls.length === 1 ? r.crls[0] : undefined;
}

/** Checks one fetched CRL against the issuer and the time; then the certificate's entry. */
export async function checkCrl(
  crl: pkijs.CertificateRevocationList,
  cert: pkijs.Certificate,
  issuer: pkijs.Certificate,
  now: Date,
  crypto: CryptoEngine,
): Promise<Exclude<CrlCheck, { ok: true }> | { ok: true; status: 'good' | 'revoked'; revokedAt?: Date }> {
  if (!crl.issuer.isEqual(issuer.subject)) return { ok: false, problem: 'wrong-issuer', detail: 'the CRL is not issued by the certificate\'s issuer' };
  const exts = crl.crlExtensions?.extensions ?? [];
  if (exts.some((e) => e.extnID === OID_DELTA_CRL_INDICATOR || e.extnID === OID_ISSUING_DP)) {
    return { ok: false, problem: 'unsupported', detail: 'delta or partitioned CRLs are not supported' };
  }
  let sigOk = false;
  try {
    sigOk = await crl.verify({ issuerCertificate: issuer }, crypto);
  } catch {
    sigOk = false;
  }
  if (!sigOk) return { ok: false, problem: 'bad-signature', detail: 'the CRL signature does not verify with the issuer\'s key' };
  const t = now.getTime();
  if (crl.thisUpdate.value.getTime() > t + SKEW_MS) return { ok: false, problem: 'not-yet-valid', detail: `the CRL is dated in the future (${crl.thisUpdate.value.toISOString()})` };
  if (crl.nextUpdate && crl.nextUpdate.value.getTime() < t - SKEW_MS) {
    return { ok: false, problem: 'stale', detail: `the CRL is out of date (next update was due ${crl.nextUpdate.value.toISOString()})` };
  }
  // Entries are read by a walk over the DER that keeps only this serial's (crl-der.ts): large CRLs cost no more.
  const info = crlInfo(crl);
  if (info.unreadable) return { ok: false, problem: 'malformed', detail: `the CRL cannot be read: ${info.unreadable}` };
  if (info.unusable) return { ok: false, problem: 'unsupported', detail: `the CRL cannot be used: ${info.unusable}` };
  const serial = hex(cert.serialNumber.valueBlock.valueHexView);
  const entry = info.entriesFor(serial).find((e) => e.reason !== 8);
  return entry ? { ok: true, status: 'revoked', revokedAt: entry.revocationDate } : { ok: true, status: 'good' };
}

/** Fetches the certificate's CRL (cache first) and reads its status. The first usable URL decides. */
export async function checkCrlOnline(
  cert: pkijs.Certificate,
  issuer: pkijs.Certificate,
  deps: { fetcher: TrustFetcher; cache?: TrustCache; now: Date; crypto: CryptoEngine },
): Promise<CrlCheck> {
  const urls = crlUrls(cert);
  if (urls.length === 0) return { ok: false, problem: 'fetch-failed', detail: 'the certificate names no CRL distribution point' };
  let last: CrlCheck = { ok: false, problem: 'fetch-failed', detail: 'no CRL could be fetched' };
  for (const url of urls) {
    const key = `crl:${url}`;
    let crl = deps.cache?.get<pkijs.CertificateRevocationList>(key, deps.now);
    const cached = crl !== undefined;
    if (!crl) {
      let bytes: Uint8Array;
      try {
        bytes = await deps.fetcher.get(url);
      } catch (e) {
        last = { ok: false, problem: 'fetch-failed', detail: e instanceof Error ? e.message : String(e) };
        continue;
      }
      crl = parseCrl(bytes);
      if (!crl) {
        last = { ok: false, problem: 'malformed', detail: `${url} did not return a CRL` };
        continue;
      }
    }
    const r = await checkCrl(crl, cert, issuer, deps.now, deps.crypto);
    if (!r.ok) {
      last = { ...r, detail: `${url}: ${r.detail}` };
      continue;
    }
    if (!cached) {
      const next = crl.nextUpdate?.value ?? new Date(deps.now.getTime() + NO_NEXT_UPDATE_CACHE_MS);
      deps.cache?.set(key, crl, next);
    }
    return { ...r, url, thisUpdate: crl.thisUpdate.value, nextUpdate: crl.nextUpdate?.value, cached };
  }
  return last;
}

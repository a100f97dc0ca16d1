/**
 * Online trust (issue 6), opt-in: used only when a TrustFetcher is given (policy `online: true`).
 *
 * validateChainOnline wraps validateChain (offline, chain.ts) with two network steps:
 *  1. Missing intermediates: when the chain stops short of an anchor ('incomplete-chain'), fetch the issuer from
 *     the AIA caIssuers URL of the highest certificate found, add what came back as intermediate candidates and
 *     validate again (at most MAX_AIA_HOPS times). A fetched certificate confers no trust by itself.
 *  2. Revocation: chain.ts asks the `onlineRevocation` hook for each certificate whose status the CRLs at hand
 *     leave unknown. The hook tries OCSP (ocsp.ts), then the CRL distribution points (crl-fetch.ts).
 *     chain.ts then applies the mode per certificate: soft = nothing to ask is a note and an answer that could not be
 *     had or used a warning; hard = either is not trusted.
 * Afterwards the verdict's revocation detail says, per certificate, what was checked and how, and a
 * "not checked" reason says why the network did not answer.
 *
 * Limits: OCSP and CRL answers are about today, also when `at` asks about an old message (a certificate revoked
 * since is reported revoked); a delegated OCSP responder's own revocation is not checked (RFC 6960 §4.2.2.2.1
 * leaves that to id-pkix-ocsp-nocheck, which CAs set on responder certificates).
 *
 * Answers are cached (online-cache.ts) in the cache passed in; without one, each fetcher gets its own
 * in-memory cache, so a host that keeps one fetcher per session has one cache per session.
 */
import type * as pkijs from 'pkijs';
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { reason, type Reason } from '../verdict';
import { aiaUrls, fetchIssuers } from './aia';
import { validateChain } from './chain';
import { checkCrlOnline, crlUrls } from './crl-fetch';
import { reasonName } from './crl-info';
import { queryOcsp } from './ocsp';
import { MemoryTrustCache, type TrustCache } from './online-cache';
import type { ChainOptions, ChainResult, OnlineRevocationResult, TrustFetcher } from './types';

const MAX_AIA_HOPS = 4;

export interface OnlineDeps {
  cache?: TrustCache;
  /** The clock OCSP/CRL freshness is judged by (default: now). Not `at`: freshness is about today's answer. */
  now?: Date;
  /** See ChainOptions.minRsaBits: OCSP responders' keys are held to it too. */
  minRsaBits?: number;
}

const perFetcher = new WeakMap<TrustFetcher, TrustCache>();
function cacheFor(f: TrustFetcher): TrustCache {
  let c = perFetcher.get(f);
  if (!c) perFetcher.set(f, (c = new MemoryTrustCache()));
  return c;
}

function label(cert: pkijs.Certificate): string {
  const cn = cert.subject.typesAndValues.find((tv) => tv.type === '2.5.4.3');
  const v = (cn?.value as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock?.value;
  return typeof v === 'string' && v ? v : 'the certificate';
}

function sameDer(a: pkijs.Certificate, b: pkijs.Certificate): boolean {
  const x = new Uint8Array(a.toSchema().toBER());
  const y = new Uint8Array(b.toSchema().toBER());
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

interface Checked {
  who: string;
  /** "OCSP good", "CRL revoked", or why it could not be checked. */
  what: string;
  answered: boolean;
}

/** The hook chain.ts calls per certificate: OCSP first, then CRL distribution points. */
export function onlineRevocation(
  fetcher: TrustFetcher,
  crypto: CryptoEngine,
  deps: OnlineDeps = {},
  log?: Checked[],
): NonNullable<ChainOptions['onlineRevocation']> {
  const cache = deps.cache ?? cacheFor(fetcher);
  return async (cert, issuer): Promise<OnlineRevocationResult> => {
    try {
      return await check(cert, issuer);
    } catch (e) {
      // A certificate pkijs parsed but cannot hash or encode further: say so instead of losing the reason.
      const who = label(cert);
      const text = `the check failed (${e instanceof Error ? e.message.slice(0, 200) : String(e)})`;
      log?.push({ who, what: text, answered: false });
      return { status: 'unknown', source: 'ocsp', detail: `Revocation of '${who}' could not be checked online: ${text}.` };
    }
  };

  async function check(cert: pkijs.Certificate, issuer: pkijs.Certificate): Promise<OnlineRevocationResult> {
    const now = deps.now ?? new Date();
    const who = label(cert);
    const ctx = { fetcher, cache, now, crypto, minRsaBits: deps.minRsaBits };
    const why: string[] = [];
    const ocspUrls = aiaUrls(cert).ocsp;
    if (ocspUrls.length) {
      const r = await queryOcsp(cert, issuer, ocspUrls, ctx);
      if (r.ok && r.status !== 'unknown') {
        log?.push({ who, what: `OCSP ${r.status}${r.nonce === 'absent' ? ' (no nonce: possibly a cached answer)' : ''}`, answered: true });
        const detail =
          r.status === 'good'
            ? `The OCSP responder says '${who}' is not revoked.`
            : `The OCSP responder says '${who}' was revoked${r.revokedAt ? ` on ${r.revokedAt.toISOString().slice(0, 10)}` : ''}${
                r.revocationReason !== undefined ? ` (reason: ${reasonName(r.revocationReason)})` : ''
              }.`;
        return { status: r.status, source: 'ocsp', revocationDate: r.revokedAt, detail };
      }
      why.push(r.ok ? 'the OCSP responder does not know the certificate' : `OCSP: ${r.detail}`);
    }
    const crlList = crlUrls(cert);
    if (crlList.length) {
      const c = await checkCrlOnline(cert, issuer, ctx);
      if (c.ok) {
        log?.push({ who, what: `CRL ${c.status}`, answered: true });
        const detail =
          c.status === 'good'
            ? `The CRL from ${c.url} does not list '${who}'.`
            : `The CRL from ${c.url} lists '${who}' as revoked${c.revokedAt ? ` on ${c.revokedAt.toISOString().slice(0, 10)}` : ''}.`;
        return { status: c.status, source: 'crl', revocationDate: c.revokedAt, detail };
      }
      why.push(`CRL: ${c.detail}`);
      if (c.problem === 'malformed') {
        // Retrieved but unreadable: fails closed (chain.ts), whatever the mode.
        const text = why.join('; ');
        log?.push({ who, what: text, answered: false });
        return { status: 'unknown', source: 'crl', unreadable: true, detail: `Revocation of '${who}' could not be checked online: ${text}.` };
      }
    }
    if (!ocspUrls.length && !crlList.length) why.push('it names no OCSP responder or CRL distribution point');
    const text = why.join('; ');
    log?.push({ who, what: text, answered: false });
    const noInfo = !ocspUrls.length && !crlList.length;
    return { status: 'unknown', source: ocspUrls.length ? 'ocsp' : 'crl', noInfo, detail: `Revocation of '${who}' could not be checked online: ${text}.` };
  }
}

/**
 * validateChain with AIA completion and online revocation. Without a fetcher it is exactly validateChain.
 */
export async function validateChainOnline(
  leaf: pkijs.Certificate,
  opts: ChainOptions,
  crypto: CryptoEngine = defaultCrypto(),
  deps: OnlineDeps = {},
): Promise<ChainResult> {
  const fetcher = opts.fetcher;
  if (!fetcher) return validateChain(leaf, opts, crypto);
  const cache = deps.cache ?? cacheFor(fetcher);
  const now = deps.now ?? new Date();
  let log: Checked[] = [];
  const intermediates = [...opts.intermediates];
  const run = () => {
    log = [];
    return validateChain(leaf, { ...opts, intermediates, onlineRevocation: onlineRevocation(fetcher, crypto, { cache, now, minRsaBits: opts.minRsaBits }, log) }, crypto);
  };

  let r = await run();
  const aiaNotes: Reason[] = [];
  for (let hop = 0; hop < MAX_AIA_HOPS && r.trust === 'incomplete-chain'; hop++) {
    const top = r.chain[r.chain.length - 1] ?? leaf;
    const f = await fetchIssuers(top, { fetcher, cache, now });
    if (!f.ok) {
      aiaNotes.push(reason('missing-intermediate', 'info', `The missing certificate could not be fetched: ${f.detail}.`));
      break;
    }
    const fresh = f.certs.filter((c) => !intermediates.some((k) => sameDer(k, c)) && !opts.anchors.some((k) => sameDer(k, c)));
    if (fresh.length === 0) break;
    intermediates.push(...fresh);
    aiaNotes.push(
      reason('aia-fetched', 'info', `The certificate of '${fresh.map(label).join("', '")}', which the signer left out, was fetched from ${f.url}.`),
    );
    r = await run();
  }
  return explain({ ...r, reasons: [...r.reasons, ...aiaNotes] }, log, opts.revocation ?? 'soft');
}

/** Makes the result say, per certificate, what revocation checking did, and why it could not when it could not. */
function explain(r: ChainResult, log: Checked[], mode: string): ChainResult {
  if (log.length === 0 || mode === 'off') return r;
  const summary = log.map((c) => `${c.who}: ${c.answered ? c.what : `not checked (${c.what})`}`).join('; ');
  const failed = log.find((c) => !c.answered);
  const revocation = { ...r.revocation, detail: `${r.revocation.detail ?? ''} Checked online — ${summary}.`.trim() };
  const reasons = failed
    ? r.reasons.map((x) =>
        x.code === 'revocation-not-checked' || x.code === 'revocation-unknown'
          ? { ...x, message: `${x.message} Checking online failed for '${failed.who}': ${failed.what}.` }
          : x,
      )
    : r.reasons;
  return { ...r, revocation, reasons };
}

/**
 * OCSP (RFC 6960) over HTTP POST: a request with a fresh nonce, and a response accepted only when
 *  - it is "successful" and of the basic type,
 *  - it is signed by the issuer itself, or by a delegated responder certificate that the issuer signed, that
 *    carries id-kp-OCSPSigning and is valid now (RFC 6960 §4.2.2.2),
 *  - a SingleResponse matches our CertID (issuer name hash, issuer key hash, serial),
 *  - it is fresh: thisUpdate not in the future, nextUpdate not past (without nextUpdate: at most a day old),
 *  - its nonce, when it carries one, equals ours (a mismatch is a replay; CDN-cached responses carry none,
 *    which is accepted and said so — freshness then rests on thisUpdate/nextUpdate).
 * CertIDs are hashed with SHA-1 (RFC 5019: what responders support); that is an identifier, not a signature.
 * Good and revoked answers are cached until nextUpdate.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { CryptoEngine } from '../crypto';
import { SKEW_MS } from './crl-fetch';
import { weakKey } from './signature';
import type { TrustCache } from './online-cache';
import type { TrustFetcher } from './types';

const OID_NONCE = '1.3.6.1.5.5.7.48.1.2';
const OID_BASIC = '1.3.6.1.5.5.7.48.1.1';
const OID_OCSP_SIGNING = '1.3.6.1.5.5.7.3.9';
const OID_EKU = '2.5.29.37';
const NO_NEXT_UPDATE_MAX_AGE_MS = 24 * 3600 * 1000;
const NONCE_BYTES = 16;

const RESPONSE_STATUS: Record<number, string> = {
  1: 'malformedRequest',
  2: 'internalError',
  3: 'tryLater',
  5: 'sigRequired',
  6: 'unauthorized',
};

export type OcspProblem =
  | 'fetch-failed'
  | 'malformed'
  | 'not-successful'
  | 'unauthorized-responder'
  | 'bad-signature'
  | 'no-matching-response'
  | 'nonce-mismatch'
  | 'stale'
  | 'not-yet-valid';

export type OcspResult =
  | {
      ok: true;
      status: 'good' | 'revoked' | 'unknown';
      thisUpdate: Date;
      nextUpdate?: Date;
      revokedAt?: Date;
      /** RevokedInfo's CRLReason code, when the responder gave one (RFC 6960 4.2.1; names in crl-info REASON_NAMES). */
      revocationReason?: number;
      responder: 'issuer' | 'delegated';
      nonce: 'matched' | 'absent';
      url?: string;
      cached?: boolean;
    }
  | { ok: false; problem: OcspProblem; detail: string };

export interface OcspRequest {
  der: Uint8Array;
  /** The nonce extension's extnValue as sent. */
  nonce: Uint8Array;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

export async function buildOcspRequest(cert: pkijs.Certificate, issuer: pkijs.Certificate, crypto: CryptoEngine): Promise<OcspRequest> {
  const req = new pkijs.OCSPRequest();
  await req.createForCertificate(cert, { hashAlgorithm: 'SHA-1', issuerCertificate: issuer }, crypto);
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const extnValue = new Uint8Array(new asn1js.OctetString({ valueHex: nonce }).toBER());
  req.tbsRequest.requestExtensions = [new pkijs.Extension({ extnID: OID_NONCE, extnValue: extnValue.buffer as ArrayBuffer })];
  return { der: new Uint8Array(req.toSchema(true).toBER()), nonce: extnValue };
}

async function sha1(data: Uint8Array, crypto: CryptoEngine): Promise<Uint8Array> {
  return new Uint8Array(await crypto.digest('SHA-1', data as BufferSource));
}

function hasOcspSigning(c: pkijs.Certificate): boolean {
  const eku = c.extensions?.find((e) => e.extnID === OID_EKU)?.parsedValue as pkijs.ExtKeyUsage | undefined;
  return eku?.keyPurposes.includes(OID_OCSP_SIGNING) ?? false;
}

function sameCert(a: pkijs.Certificate, b: pkijs.Certificate): boolean {
  return bytesEqual(new Uint8Array(a.toSchema().toBER()), new Uint8Array(b.toSchema().toBER()));
}

async function matchesResponderId(c: pkijs.Certificate, rid: unknown, crypto: CryptoEngine): Promise<boolean> {
  if (rid instanceof pkijs.RelativeDistinguishedNames) return c.subject.isEqual(rid);
  if (rid instanceof asn1js.OctetString) {
    const h = await sha1(c.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView, crypto);
    return bytesEqual(h, rid.valueBlock.valueHexView);
  }
  return false;
}

/** Checks a DER OCSPResponse for `cert` (issued by `issuer`) against the request's nonce, at time `now`. */
export async function checkOcspResponse(
  der: Uint8Array,
  ctx: { cert: pkijs.Certificate; issuer: pkijs.Certificate; nonce?: Uint8Array; now: Date; crypto: CryptoEngine; minRsaBits?: number },
): Promise<OcspResult> {
  const { cert, issuer, now, crypto } = ctx;
  let basic: pkijs.BasicOCSPResponse;
  try {
    const asn = asn1js.fromBER(der);
    if (asn.offset === -1) return { ok: false, problem: 'malformed', detail: 'the OCSP answer is not DER' };
    const resp = new pkijs.OCSPResponse({ schema: asn.result });
    const st = resp.responseStatus.valueBlock.valueDec;
    if (st !== 0) return { ok: false, problem: 'not-successful', detail: `the OCSP responder answered ${RESPONSE_STATUS[st] ?? `status ${st}`}` };
    if (!resp.responseBytes || resp.responseBytes.responseType !== OID_BASIC) {
      return { ok: false, problem: 'malformed', detail: 'the OCSP answer is not a basic response' };
    }
    const inner = asn1js.fromBER(resp.responseBytes.response.valueBlock.valueHexView);
    if (inner.offset === -1) return { ok: false, problem: 'malformed', detail: 'the basic OCSP response is not DER' };
    basic = new pkijs.BasicOCSPResponse({ schema: inner.result });
  } catch {
    return { ok: false, problem: 'malformed', detail: 'the OCSP answer does not parse' };
  }

  // Who signed it: the issuer, or a certificate the response carries.
  const rid = basic.tbsResponseData.responderID;
  const candidates = [issuer, ...(basic.certs ?? []).slice(0, 10)];
  let signer: pkijs.Certificate | undefined;
  for (const c of candidates) if (await matchesResponderId(c, rid, crypto)) { signer = c; break; }
  if (!signer) return { ok: false, problem: 'unauthorized-responder', detail: 'the OCSP response is signed by a responder we do not know' };
  // A responder key below the minimum vouches for nothing, as for certificates and CRLs (trust/signature.ts).
  const weak = weakKey(signer.subjectPublicKeyInfo, ctx.minRsaBits);
  if (weak) return { ok: false, problem: 'bad-signature', detail: `the OCSP response is signed with ${weak}` };
  let sigOk = false;
  try {
    sigOk = await crypto.verifyWithPublicKey(basic.tbsResponseData.tbsView as BufferSource, basic.signature, signer.subjectPublicKeyInfo, basic.signatureAlgorithm);
  } catch {
    sigOk = false;
  }
  if (!sigOk) return { ok: false, problem: 'bad-signature', detail: 'the OCSP response signature does not verify' };
  let responder: 'issuer' | 'delegated' = 'issuer';
  if (!sameCert(signer, issuer)) {
    responder = 'delegated';
    let issuedByIssuer = false;
    try {
      issuedByIssuer = signer.issuer.isEqual(issuer.subject) && (await signer.verify(issuer, crypto));
    } catch {
      issuedByIssuer = false;
    }
    if (!issuedByIssuer || !hasOcspSigning(signer)) {
      return { ok: false, problem: 'unauthorized-responder', detail: 'the OCSP responder is neither the issuer nor delegated by it (id-kp-OCSPSigning)' };
    }
    const t = now.getTime();
    if (signer.notBefore.value.getTime() > t + SKEW_MS || signer.notAfter.value.getTime() < t - SKEW_MS) {
      return { ok: false, problem: 'unauthorized-responder', detail: 'the OCSP responder certificate is not valid now' };
    }
  }

  // Our certificate's entry.
  let single: pkijs.SingleResponse | undefined;
  for (const sr of basic.tbsResponseData.responses.slice(0, 50)) {
    const alg = crypto.getAlgorithmByOID(sr.certID.hashAlgorithm.algorithmId, false) as { name?: string };
    if (!alg?.name) continue;
    let mine: pkijs.CertID;
    try {
      mine = await pkijs.CertID.create(cert, { hashAlgorithm: alg.name, issuerCertificate: issuer }, crypto);
    } catch {
      continue;
    }
    if (
      bytesEqual(mine.issuerNameHash.valueBlock.valueHexView, sr.certID.issuerNameHash.valueBlock.valueHexView) &&
      bytesEqual(mine.issuerKeyHash.valueBlock.valueHexView, sr.certID.issuerKeyHash.valueBlock.valueHexView) &&
      mine.serialNumber.isEqual(sr.certID.serialNumber)
    ) {
      single = sr;
      break;
    }
  }
  if (!single) return { ok: false, problem: 'no-matching-response', detail: 'the OCSP response is not about this certificate' };

  const respNonce = basic.tbsResponseData.responseExtensions?.find((e) => e.extnID === OID_NONCE);
  let nonce: 'matched' | 'absent' = 'absent';
  if (respNonce) {
    if (!ctx.nonce || !bytesEqual(respNonce.extnValue.valueBlock.valueHexView, ctx.nonce)) {
      return { ok: false, problem: 'nonce-mismatch', detail: 'the OCSP response answers a different request (nonce mismatch)' };
    }
    nonce = 'matched';
  }

  const t = now.getTime();
  const thisUpdate = single.thisUpdate;
  if (thisUpdate.getTime() > t + SKEW_MS) return { ok: false, problem: 'not-yet-valid', detail: `the OCSP response is dated in the future (${thisUpdate.toISOString()})` };
  if (single.nextUpdate && single.nextUpdate.getTime() < t - SKEW_MS) {
    return { ok: false, problem: 'stale', detail: `the OCSP response is out of date (next update was due ${single.nextUpdate.toISOString()})` };
  }
  if (!single.nextUpdate && thisUpdate.getTime() < t - NO_NEXT_UPDATE_MAX_AGE_MS) {
    return { ok: false, problem: 'stale', detail: `the OCSP response is from ${thisUpdate.toISOString()}, older than a day` };
  }

  const cs = single.certStatus as asn1js.BaseBlock & { valueBlock: { value?: asn1js.BaseBlock[] } };
  const tag = cs.idBlock.tagNumber;
  if (tag === 0) return { ok: true, status: 'good', thisUpdate, nextUpdate: single.nextUpdate, responder, nonce };
  if (tag === 1) {
    const rt = cs.valueBlock.value?.[0];
    const revokedAt = rt instanceof asn1js.GeneralizedTime ? rt.toDate() : undefined;
    // revocationReason [0] EXPLICIT CRLReason OPTIONAL
    const tagged = cs.valueBlock.value?.[1] as (asn1js.BaseBlock & { valueBlock: { value?: asn1js.BaseBlock[] } }) | undefined;
    const en = tagged?.idBlock.tagClass === 3 && tagged.idBlock.tagNumber === 0 ? tagged.valueBlock.value?.[0] : undefined;
    const revocationReason = en instanceof asn1js.Enumerated ? en.valueBlock.valueDec : undefined;
    return { ok: true, status: 'revoked', thisUpdate, nextUpdate: single.nextUpdate, revokedAt, revocationReason, responder, nonce };
  }
  return { ok: true, status: 'unknown', thisUpdate, nextUpdate: single.nextUpdate, responder, nonce };
}

/** Asks the certificate's OCSP responder(s) (cache first). The first usable answer decides. */
export async function queryOcsp(
  cert: pkijs.Certificate,
  issuer: pkijs.Certificate,
  urls: string[],
  deps: { fetcher: TrustFetcher; cache?: TrustCache; now: Date; crypto: CryptoEngine; minRsaBits?: number },
): Promise<OcspResult> {
  if (urls.length === 0) return { ok: false, problem: 'fetch-failed', detail: 'the certificate names no OCSP responder' };
  const id = await pkijs.CertID.create(cert, { hashAlgorithm: 'SHA-1', issuerCertificate: issuer }, deps.crypto);
  const key = `ocsp:${[id.issuerNameHash, id.issuerKeyHash, id.serialNumber].map((x) => hex(x.valueBlock.valueHexView)).join(':')}`;
  const cached = deps.cache?.get<OcspResult & { ok: true }>(key, deps.now);
  if (cached) return { ...cached, cached: true };
  let last: OcspResult = { ok: false, problem: 'fetch-failed', detail: 'no OCSP responder answered' };
  for (const url of urls) {
    const req = await buildOcspRequest(cert, issuer, deps.crypto);
    let der: Uint8Array;
    try {
      der = await deps.fetcher.post(url, req.der, 'application/ocsp-request');
    } catch (e) {
      last = { ok: false, problem: 'fetch-failed', detail: e instanceof Error ? e.message : String(e) };
      continue;
    }
    const r = await checkOcspResponse(der, { cert, issuer, nonce: req.nonce, now: deps.now, crypto: deps.crypto, minRsaBits: deps.minRsaBits });
    if (!r.ok) {
      last = { ...r, detail: `${url}: ${r.detail}` };
      continue;
    }
    // "unknown" is not cached: the responder may learn about the certificate soon.
    if (r.status !== 'unknown') {
      deps.cache?.set(key, { ...r, url }, r.nextUpdate ?? new Date(deps.now.getTime() + 3600 * 1000));
    }
    return { ...r, url, cached: false };
  }
  return last;
}

function hex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

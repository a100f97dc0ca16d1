/**
 * Revocation status of one certificate from the CRLs at hand, RFC 5280 §6.3.3: distribution points and
 * CRL scope (issuingDistributionPoint: only user/CA certificates, onlySomeReasons, indirect CRLs with
 * cRLIssuer), the CRL issuer's key and certification path (a CRL may be signed by a different key or
 * certificate of the same CA, or by another CA for indirect CRLs), freshness at `at` (nextUpdate), delta
 * CRLs (removeFromCRL), and the reasons mask that must cover every reason before a certificate is "good".
 *
 * Scope matching follows OpenSSL's reading of §6.3.3 (b): a certificate without a cRLDistributionPoints
 * extension is covered by a CRL of its issuer whose IDP names no distribution point.
 *
 * A CRL issued after `at` is used (it is newer knowledge); an entry whose revocation date is after `at`
 * only counts when its reason says the key was compromised (or gives no reason), since a certificate
 * superseded later was still good when a message was signed before.
 */
import * as asn1js from 'asn1js';
import type { CryptoEngine } from '../crypto';
import { KU, OID, describeDate, getExt, isCA, keyUsage, type CertInfo } from './cert-info';
import {
  ALL_REASONS,
  reasonName,
  dpNameFieldOf,
  generalNamesOf,
  reasonFlagsOf,
  resolveDpName,
  type CrlInfo,
  type DpName,
  type DpNameField,
} from './crl-info';
import { hex, nameEquals, type ParsedName } from './names';
import { nextWorkingKey, verifyCrlSignature, type WorkingKey } from './signature';

export type RevocationCheck =
  | { status: 'good'; detail: string }
  | { status: 'revoked'; date: Date; reason: number; detail: string }
  | { status: 'unknown'; detail: string; noCrl: boolean; unreadable?: boolean };

export interface RevocationContext {
  crls: CrlInfo[];
  at: Date;
  allowSha1: boolean;
  /** See ChainOptions.minRsaBits; default 2048. */
  minRsaBits?: number;
  useDeltas: boolean;
  /** Certificates that may have signed a CRL (intermediates, anchors). */
  pool: CertInfo[];
  anchors: CertInfo[];
  /**
   * Validate a certificate that signed a CRL (its own path to an anchor, purpose cRLSign, revocation).
   * `forCert` is the certificate whose status the CRL is to tell.
   */
  validateCrlSigner(cert: CertInfo, forCert: CertInfo): Promise<boolean>;
  crypto: CryptoEngine;
}

interface Dp {
  name?: DpNameField;
  reasons: number;
  crlIssuer?: DpName[];
}

function certDps(cert: CertInfo): Dp[] | undefined {
  const e = getExt(cert, OID.crlDistributionPoints);
  if (!e) return undefined;
  const asn = asn1js.fromBER(e.extnValue.valueBlock.valueHexView.slice().buffer);
  if (asn.offset === -1 || !(asn.result instanceof asn1js.Sequence)) return [];
  const out: Dp[] = [];
  for (const dp of asn.result.valueBlock.value) {
    if (!(dp instanceof asn1js.Sequence)) continue;
    const item: Dp = { reasons: ALL_REASONS };
    for (const el of dp.valueBlock.value) {
      if (el.idBlock.tagClass !== 3) continue;
      if (el.idBlock.tagNumber === 0) item.name = dpNameFieldOf(el);
      else if (el.idBlock.tagNumber === 1) item.reasons = reasonFlagsOf(el);
      else if (el.idBlock.tagNumber === 2) item.crlIssuer = generalNamesOf(el);
    }
    out.push(item);
  }
  return out;
}

/**
 * Whether `cert`'s own cRLDistributionPoints name its subject as the CRL issuer: its CA has declared, in
 * the signed certificate, that this certificate's status is published by the certificate's holder
 * (an indirect CRL issuer covering itself, PKITS 4.14.30).
 */
export function declaresItselfCrlIssuer(cert: CertInfo): boolean {
  return (certDps(cert) ?? []).some((dp) => dirNames(dp.crlIssuer).some((n) => nameEquals(n, cert.subject)));
}

function dpNameEq(a: DpName, b: DpName): boolean {
  if (a.kind === 'dir' && b.kind === 'dir') return nameEquals(a.name, b.name);
  if (a.kind === 'other' && b.kind === 'other') return a.key === b.key;
  return false;
}

function anyMatch(a: DpName[], b: DpName[]): boolean {
  return a.some((x) => b.some((y) => dpNameEq(x, y)));
}

function dirNames(ns: DpName[] | undefined): ParsedName[] {
  return (ns ?? []).filter((n): n is { kind: 'dir'; name: ParsedName } => n.kind === 'dir').map((n) => n.name);
}

/** §6.3.3 (b): is `crl` in scope for `cert` through distribution point `dp` (undefined: none in cert)? */
function inScope(cert: CertInfo, crl: CrlInfo, dp: Dp | undefined): boolean {
  const idp = crl.idp;
  const sameIssuer = nameEquals(crl.issuer, cert.issuer);
  if (!sameIssuer && !idp?.indirect) return false;
  if (idp) {
    if (idp.onlyAttr) return false;
    if (idp.onlyUser && isCA(cert)) return false;
    if (idp.onlyCA && !isCA(cert)) return false;
  }
  if (!dp) {
    // No cRLDistributionPoints: only a CRL of the certificate's issuer that names no distribution point.
    return sameIssuer && !idp?.distributionPoint;
  }
  // (b)(1): the CRL issuer must be the certificate issuer, or named in the DP's cRLIssuer.
  if (dp.crlIssuer) {
    if (!dirNames(dp.crlIssuer).some((n) => nameEquals(n, crl.issuer))) return false;
  } else if (!sameIssuer) return false;
  // (b)(2)(i): distribution point names.
  if (idp?.distributionPoint && dp.name) {
    const idpNames = resolveDpName(idp.distributionPoint, crl.issuer);
    const dpBase = dirNames(dp.crlIssuer)[0] ?? cert.issuer;
    if (!anyMatch(idpNames, resolveDpName(dp.name, dpBase))) return false;
  } else if (idp?.distributionPoint && !dp.name) {
    const idpNames = resolveDpName(idp.distributionPoint, crl.issuer);
    if (!anyMatch(idpNames, dp.crlIssuer ?? [])) return false;
  }
  return true;
}

function fresh(crl: CrlInfo, at: Date): boolean {
  return !crl.nextUpdate || crl.nextUpdate.getTime() >= at.getTime();
}

/** The entry for `cert` on `crl`, honouring the certificate issuer of indirect CRL entries. */
function entryFor(cert: CertInfo, crl: CrlInfo) {
  const serial = hex(cert.cert.serialNumber.valueBlock.valueHexView);
  return crl.entriesFor(serial).find((e) => e.certIssuer.some((n) => nameEquals(n, cert.issuer)));
}

const COMPROMISE = new Set([0, 1, 2, 10]);

export class RevocationChecker {
  private signerCache = new Map<string, Promise<WorkingKey | undefined>>();

  /** Newest first, so a newer CRL (e.g. one the caller fetched) wins over an older one carried along. */
  private readonly newestFirst: CrlInfo[];

  constructor(private readonly ctx: RevocationContext) {
    this.newestFirst = ctx.crls.slice().sort((a, b) => b.thisUpdate.getTime() - a.thisUpdate.getTime());
  }

  /**
   * The key that signed `crl`, found and vouched for: the certificate's issuer itself (already on the
   * validated path) or another certificate with the CRL issuer's name and its own valid path.
   */
  private async signerKey(forCert: CertInfo, crl: CrlInfo, issuer: CertInfo, issuerIsAnchor: boolean, issuerKey: WorkingKey): Promise<WorkingKey | undefined> {
    const { crypto, allowSha1, minRsaBits } = this.ctx;
    const issuerSubjectKey = issuerKey;
    if (nameEquals(crl.issuer, issuer.subject)) {
      const sig = await verifyCrlSignature(crypto, crl.crl, issuerSubjectKey, allowSha1, minRsaBits);
      if (sig.ok) {
        const ku = keyUsage(issuer);
        if (issuerIsAnchor || !ku || ku(KU.cRLSign)) return issuerSubjectKey;
      }
    }
    const candidates = [...this.ctx.anchors, ...this.ctx.pool].filter(
      (c) => nameEquals(c.subject, crl.issuer) && c.key !== issuer.key,
    );
    candidates.sort((a, b) => Number(b.ski !== undefined && b.ski === crl.akiKeyId) - Number(a.ski !== undefined && a.ski === crl.akiKeyId));
    for (const c of candidates) {
      const key = nextWorkingKey(c.cert.subjectPublicKeyInfo, issuerSubjectKey);
      const sig = await verifyCrlSignature(crypto, crl.crl, key, allowSha1, minRsaBits);
      if (!sig.ok) continue;
      if (this.ctx.anchors.some((a) => a.key === c.key)) return key;
      const ku = keyUsage(c);
      if (ku && !ku(KU.cRLSign)) continue;
      if (await this.ctx.validateCrlSigner(c, forCert)) return key;
    }
    return undefined;
  }

  private cachedSigner(forCert: CertInfo, crl: CrlInfo, issuer: CertInfo, issuerIsAnchor: boolean, issuerKey: WorkingKey) {
    const k = `${hex(crl.crl.signatureValue.valueBlock.valueHexView)}|${issuer.key}|${forCert.key}`;
    let p = this.signerCache.get(k);
    if (!p) {
      p = this.signerKey(forCert, crl, issuer, issuerIsAnchor, issuerKey);
      this.signerCache.set(k, p);
    }
    return p;
  }

  /** The delta CRL to use with complete CRL `base`, if any (§5.2.4, §6.3.3 (c)(ii)). */
  private async deltaFor(forCert: CertInfo, base: CrlInfo, issuer: CertInfo, issuerIsAnchor: boolean, issuerKey: WorkingKey): Promise<CrlInfo | undefined> {
    if (!this.ctx.useDeltas || base.crlNumber === undefined) return undefined;
    for (const d of this.newestFirst) {
      if (d.deltaBase === undefined || d.unusable || !fresh(d, this.ctx.at)) continue;
      if (!nameEquals(d.issuer, base.issuer)) continue;
      if ((d.idp?.der ?? '') !== (base.idp?.der ?? '')) continue;
      if (d.deltaBase > base.crlNumber) continue;
      if (d.crlNumber === undefined || d.crlNumber <= base.crlNumber) continue;
      if (await this.cachedSigner(forCert, d, issuer, issuerIsAnchor, issuerKey)) return d;
    }
    return undefined;
  }

  /**
   * §6.3.3 for `cert`, issued by `issuer` whose working key (RFC 5280 §6.1, with inherited DSA
   * parameters) is `issuerKey`: the key that verified `cert` on the path.
   */
  async check(cert: CertInfo, issuer: CertInfo, issuerIsAnchor: boolean, issuerKey: WorkingKey): Promise<RevocationCheck> {
    const { at } = this.ctx;
    const dps: (Dp | undefined)[] = certDps(cert) ?? [undefined];
    let reasonsMask = 0;
    let revoked: { date: Date; reason: number } | undefined;
    let sawCandidate = false;
    let unreadable: string | undefined;
    const why: string[] = [];

    for (const dp of dps) {
      if (reasonsMask === ALL_REASONS || revoked) break;
      for (const crl of this.newestFirst) {
        if (reasonsMask === ALL_REASONS || revoked) break;
        if (crl.deltaBase !== undefined) continue; // complete CRLs only here
        if (!inScope(cert, crl, dp)) continue;
        sawCandidate = true;
        if (crl.unreadable) {
          unreadable ??= `the CRL from '${crl.issuer.display}' cannot be read: ${crl.unreadable}`;
          continue;
        }
        if (crl.unusable) {
          why.push(`the CRL from '${crl.issuer.display}' cannot be used: ${crl.unusable}`);
          continue;
        }
        if (!fresh(crl, at)) {
          why.push(`the CRL from '${crl.issuer.display}' was due to be replaced on ${describeDate(crl.nextUpdate!)}`);
          continue;
        }
        const interim = (crl.idp?.reasons ?? ALL_REASONS) & (dp?.reasons ?? ALL_REASONS);
        if ((interim & ~reasonsMask) === 0) continue;
        const key = await this.cachedSigner(cert, crl, issuer, issuerIsAnchor, issuerKey);
        if (!key) {
          why.push(`the CRL from '${crl.issuer.display}' is not signed by a key we can trust for it`);
          continue;
        }
        const delta = await this.deltaFor(cert, crl, issuer, issuerIsAnchor, issuerKey);
        let status: 'unrevoked' | 'removed' | { date: Date; reason: number } = 'unrevoked';
        const dEntry = delta && entryFor(cert, delta);
        if (dEntry) status = dEntry.reason === 8 ? 'removed' : { date: dEntry.revocationDate, reason: dEntry.reason };
        if (status === 'unrevoked') {
          const entry = entryFor(cert, crl);
          if (entry && entry.reason !== 8) status = { date: entry.revocationDate, reason: entry.reason };
        }
        if (typeof status === 'object') {
          if (status.date.getTime() <= at.getTime() || COMPROMISE.has(status.reason)) revoked = status;
        }
        reasonsMask |= interim;
      }
    }
    const label = `'${cert.label}'`;
    if (revoked) {
      const r = reasonName(revoked.reason);
      const hold = revoked.reason === 6 ? ' (on hold)' : '';
      return {
        status: 'revoked',
        date: revoked.date,
        reason: revoked.reason,
        detail: `The certificate ${label} was revoked${hold} on ${describeDate(revoked.date)} (reason: ${r}).`,
      };
    }
    if (reasonsMask === ALL_REASONS) return { status: 'good', detail: `The certificate ${label} is not on its issuer's revocation list.` };
    if (!sawCandidate) return { status: 'unknown', noCrl: true, detail: `No revocation list for ${label} was available.` };
    if (unreadable) return { status: 'unknown', noCrl: false, unreadable: true, detail: `The revocation status of ${label} could not be determined (${unreadable}).` };
    const because = why.length ? ` (${why[0]})` : ' (the lists at hand do not cover every revocation reason)';
    return { status: 'unknown', noCrl: false, detail: `The revocation status of ${label} could not be determined${because}.` };
  }
}

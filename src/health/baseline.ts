/**
 * CA/Browser Forum S/MIME Baseline Requirements, for certificates that chain to the bundled public roots only (an
 * organisation's own CA is not bound by them). Text used: "Baseline Requirements for the Issuance and Management of
 * Publicly-Trusted S/MIME Certificates", version 1.0.10 (2 July 2025; github.com/cabforum/smime, SBR.md); the later
 * 1.0.16 (SMC018, September 2026) restates that the Legacy generation was deprecated on 15 July 2025.
 *
 * Every finding here is a warning that names its section: a certificate a CA issued against the BR is the CA's
 * problem and a reason to ask for a new one, never by itself a reason to distrust a signature that is otherwise
 * valid (issue 13).
 */
import * as pkijs from 'pkijs';
import { OID, extKeyUsage, getExt, type CertInfo } from '../trust/cert-info';
import type { HealthFinding } from './types';

export const BR_VERSION = 'S/MIME BR 1.0.10';

/** §7.1.6.1: 2.23.140.1.5.<type>.<generation>; generation 1 legacy, 2 multipurpose, 3 strict. */
const BR_ARC = '2.23.140.1.5.';
const TYPES: Record<string, string> = { '1': 'mailbox-validated', '2': 'organization-validated', '3': 'sponsor-validated', '4': 'individual-validated' };
const GENERATIONS: Record<string, 'legacy' | 'multipurpose' | 'strict'> = { '1': 'legacy', '2': 'multipurpose', '3': 'strict' };

/** §6.3.2: maximum validity period, in days of 86,400 seconds (any part of a further day counts as a day). */
const MAX_VALIDITY_DAYS = { strict: 825, multipurpose: 825, legacy: 1185 } as const;

/** §1.2.2 (SMC08): S/MIME subscriber certificates SHALL NOT be issued using the Legacy profiles from this date. */
export const LEGACY_SUNSET = new Date('2025-07-15T00:00:00Z');

/** §7.1.2.3(f): never together with id-kp-emailProtection in a subscriber certificate. */
const FORBIDDEN_EKUS: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'TLS server authentication',
  '1.3.6.1.5.5.7.3.3': 'code signing',
  '1.3.6.1.5.5.7.3.8': 'time stamping',
  [OID.anyExtendedKeyUsage]: 'any purpose',
};

export interface BrProfile {
  type: string;
  generation: 'legacy' | 'multipurpose' | 'strict';
  oid: string;
}

export function brProfile(info: CertInfo): BrProfile | undefined {
  const v = getExt(info, OID.certificatePolicies)?.parsedValue;
  if (!(v instanceof pkijs.CertificatePolicies)) return undefined;
  for (const p of v.certificatePolicies) {
    const oid = p.policyIdentifier;
    if (!oid.startsWith(BR_ARC)) continue;
    const [t, g, ...rest] = oid.slice(BR_ARC.length).split('.');
    if (rest.length === 0 && TYPES[t] && GENERATIONS[g]) return { type: TYPES[t], generation: GENERATIONS[g], oid };
  }
  return undefined;
}

function hasHttpCrlDp(info: CertInfo): boolean {
  const v = getExt(info, OID.crlDistributionPoints)?.parsedValue;
  if (!(v instanceof pkijs.CRLDistributionPoints)) return false;
  return v.distributionPoints.some(
    (dp) => Array.isArray(dp.distributionPoint) && (dp.distributionPoint as pkijs.GeneralName[]).some((n) => n.type === 6 && typeof n.value === 'string' && n.value.slice(0, 7).toLowerCase() === 'http://'),
  );
}

/** The BR findings for a subscriber (end-entity) certificate. */
export function baselineFindings(leaf: CertInfo, label: string): HealthFinding[] {
  const out: HealthFinding[] = [];
  const add = (code: HealthFinding['code'], section: string, message: string) =>
    out.push({ code, severity: 'warning', message, certificate: label, section: `${BR_VERSION} ${section}` });

  const profile = brProfile(leaf);
  if (!profile) {
    add('br-no-policy-oid', '§7.1.6.1', `${label} does not say which S/MIME Baseline Requirements profile it was issued under (no reserved 2.23.140.1.5.x.y policy identifier), which publicly trusted S/MIME certificates must.`);
  } else {
    // RFC 5280's validity period includes both ends: notAfter - notBefore + 1 second.
    const days = Math.ceil((leaf.notAfter.getTime() - leaf.notBefore.getTime() + 1000) / 86_400_000);
    const max = MAX_VALIDITY_DAYS[profile.generation];
    if (days > max) {
      add('br-validity-too-long', '§6.3.2', `${label} is valid for ${days} days; ${profile.generation} certificates may be valid for at most ${max} days.`);
    }
    if (profile.generation === 'legacy' && leaf.notBefore.getTime() >= LEGACY_SUNSET.getTime()) {
      add(
        'br-legacy-after-sunset',
        '§1.2.2 (SMC08)',
        `${label} was issued on ${leaf.notBefore.toISOString().slice(0, 10)} under a "legacy" profile (${profile.oid}), which publicly trusted CAs may no longer use since 2025-07-15.`,
      );
    }
  }
  const ekus = extKeyUsage(leaf) ?? [];
  const forbidden = ekus.filter((e) => FORBIDDEN_EKUS[e]).map((e) => FORBIDDEN_EKUS[e]);
  if (forbidden.length) {
    add('br-forbidden-eku', '§7.1.2.3(f)', `${label} may also be used for ${forbidden.join(', ')}, which an S/MIME certificate must not allow.`);
  } else if (profile?.generation === 'strict') {
    const others = ekus.filter((e) => e !== OID.emailProtection);
    if (others.length) add('br-forbidden-eku', '§7.1.2.3(f)', `${label} is a "strict" certificate but allows purposes besides e-mail protection (${others.join(', ')}).`);
  }
  if (!hasHttpCrlDp(leaf)) {
    add('br-no-crl-distribution-point', '§7.1.2.3(b)', `${label} names no http:// address where its CA publishes revocations (CRL distribution point), so nobody can check whether it was revoked.`);
  }
  return out;
}

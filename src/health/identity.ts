/**
 * The health of a stored identity (a .p12 imported into a host), and the audit event that records it. Both hosts'
 * settings pages, Thunderbird's expiry notifications and the Outlook compose pane use these two, so an identity is
 * judged the same way everywhere.
 */
import * as pkijs from 'pkijs';
import { auditEvent, type AuditEvent, type AuditHost } from '../audit/event';
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { checkCertificateHealth, type HealthOptions } from './check';
import type { HealthReport } from './types';

export interface StoredIdentityCerts {
  /** DER of the identity's certificate. */
  certificate: Uint8Array;
  /** DER of the issuing chain that came with it. */
  chain: Uint8Array[];
}

function parse(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(der.slice().buffer as ArrayBuffer);
}

/** checkCertificateHealth for one's own identity (purpose 'own'), its .p12 chain as intermediates. */
export function identityHealth(
  identity: StoredIdentityCerts,
  options: Omit<HealthOptions, 'purpose'> = {},
  crypto: CryptoEngine = defaultCrypto(),
): Promise<HealthReport> {
  return checkCertificateHealth([parse(identity.certificate), ...identity.chain.map(parse)], { ...options, purpose: 'own' }, crypto);
}

/** 'revoked' | 'expired' | 'expiring' | 'ok': the state an administrator filters on ("who expires this month"). */
export function healthState(report: HealthReport): 'revoked' | 'expired' | 'expiring' | 'ok' {
  const has = (code: string) => report.findings.some((f) => f.code === code);
  if (has('revoked')) return 'revoked';
  if (has('expired')) return 'expired';
  if (has('expires-soon')) return 'expiring';
  return 'ok';
}

/** The identity.health audit event: the state as verdict, every finding's code as reasons, the certificate (no key). */
export function auditEventForHealth(report: HealthReport, host: AuditHost, now?: Date): AuditEvent {
  const c = report.certificate;
  return auditEvent('identity.health', {
    verdict: healthState(report),
    host,
    now,
    from: c.emails,
    reasons: report.findings.map((f) => f.code),
    signer: c.sha256,
    signerCert: { subject: c.subject, issuer: c.issuer, serial: c.serialNumber, notBefore: c.notBefore, notAfter: c.notAfter },
  });
}

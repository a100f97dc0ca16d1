/**
 * outbound.blockExpiredIdentity: is the user's own certificate fit to sign with? The rule does not judge the
 * certificate itself: it asks the setup health check (src/health, purpose 'own'), which validates the chain as
 * received mail is validated (src/trust/chain.ts) and decides expired / not yet valid for every certificate of it in
 * one place (validityFinding). Of its findings, expired, not yet valid and revoked (on a CRL at hand, or online when
 * the policy allows the network) block; the others (expiring soon, weak key, a chain the validator cannot complete
 * to an anchor here) do not, because the recipients judge trust with their own anchors.
 */
import type * as pkijs from 'pkijs';
import type { CryptoEngine } from '../crypto';
import { defaultCrypto } from '../crypto';
import { loadCertificates } from '../certs/load';
import { checkCertificateHealth, findingLabel } from '../health/check';
import type { HealthCode, HealthFinding } from '../health/types';
import type { VerifyOptions } from '../verify-message';

const BLOCKING = new Set<HealthCode>(['expired', 'not-yet-valid', 'revoked']);

const day = (iso: string) => iso.slice(0, 10);

/**
 * Undefined when the certificate may sign; otherwise one sentence, e.g. "Your certificate (alice@example.com)
 * expired on 2024-06-15." `trust` are the options the host verifies with (anchors, intermediates, CRLs, fetcher).
 */
export async function ownCertificateProblem(
  identity: { certificate: Uint8Array; chain: Uint8Array[]; emails: string[] },
  trust: Pick<VerifyOptions, 'anchors' | 'anchorLookup' | 'intermediates' | 'crls' | 'fetcher' | 'revocation'> = {},
  at: Date = new Date(),
  crypto: CryptoEngine = defaultCrypto(),
): Promise<string | undefined> {
  const leaf = loadCertificates(identity.certificate).certs[0];
  if (!leaf) return 'Your certificate could not be read';
  const chain: pkijs.Certificate[] = identity.chain.flatMap((d) => loadCertificates(d).certs);
  const report = await checkCertificateHealth([leaf, ...chain], { purpose: 'own', at, trust, crls: trust.crls }, crypto);
  const who = `Your certificate (${identity.emails[0] ?? 'no e-mail address'})`;
  const isLeaf = (f: HealthFinding) => f.certificate === findingLabel(report.certificate);
  const own = (code: HealthCode) => report.findings.some((f) => f.code === code && isLeaf(f));
  // The end entity's own dates first, said plainly (the sentences this rule has always given).
  if (own('expired')) return `${who} expired on ${day(report.certificate.notAfter)}`;
  if (own('not-yet-valid')) return `${who} is not valid until ${day(report.certificate.notBefore)}`;
  const bad = report.findings.find((f) => BLOCKING.has(f.code));
  if (bad) return `${who}: ${bad.message.replace(/\.$/, '')}`;
  if (report.trust === 'revoked' || report.trust === 'expired' || report.trust === 'not-yet-valid') return `${who} is ${report.trust}`;
  return undefined;
}

/**
 * checkCertificateHealth: one certificate chain, checked for a purpose (own identity, correspondent, recipient),
 * with findings in plain words. It reuses the verifier's chain validation (the same anchors, intermediates and
 * revocation a message would get) and adds what a verdict never says ahead of time: expiry coming, a key or
 * signature algorithm below policy, the wrong key usage for the purpose, an address the certificate does not carry,
 * and the Baseline Requirements for publicly trusted certificates (baseline.ts).
 *
 * Revocation is asked only when the policy allows online checks (or CRLs are given): a health check makes no
 * network request on its own.
 */
import type * as pkijs from 'pkijs';
import { certificateDetails, certificateEmails } from '../certs/details';
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { keyBits, policyToVerifyOptions } from '../policy/verify-options';
import { defaultPolicy, type Policy } from '../policy/schema';
import { KU, OID, certInfo, extKeyUsage, isCA, keyUsage, type CertInfo } from '../trust/cert-info';
import { validateChainOnline } from '../trust/online';
import { bundledAnchorLookup } from '../trust/roots/bundled';
import type { ChainResult, TrustFetcher } from '../trust/types';
import type { VerifyOptions } from '../verify-message';
import type { CertificateDetails } from '../verdict';
import { baselineFindings } from './baseline';
import type { HealthCode, HealthFinding, HealthPurpose, HealthReport, HealthSeverity } from './types';

const DAY = 86_400_000;

export interface HealthOptions {
  purpose: HealthPurpose;
  /** The resolved policy (anchors, bundled roots, key sizes, SHA-1, online, expiryWarningDays). Default: defaults. */
  policy?: Policy;
  /** The time to judge at. Default: now. */
  at?: Date;
  /**
   * The address the certificate is used for: own = the account's address, recipient = the address to encrypt to,
   * correspondent = the From address. Checked against the certificate's e-mail addresses when given.
   */
  address?: string;
  /** More intermediates (e.g. the other certificates of a .p12, or --cert). */
  intermediates?: pkijs.Certificate[];
  /** More anchors (e.g. --anchor), besides the policy's. */
  anchors?: pkijs.Certificate[];
  /** CRLs at hand (e.g. --crl). */
  crls?: pkijs.CertificateRevocationList[];
  /** The network, used only when policy.online is true. Default: the policy's fetcher. */
  fetcher?: TrustFetcher;
  /**
   * The trust a host already verifies with (its resolved VerifyOptions), used instead of the one derived from
   * `policy` (anchors, bundled-root lookup, intermediates, revocation mode, fetcher): the outbound
   * blockExpiredIdentity rule judges one's own certificate with exactly what the host's verifier has.
   */
  trust?: Pick<VerifyOptions, 'anchors' | 'anchorLookup' | 'emailDistrustAfter' | 'intermediates' | 'revocation' | 'fetcher'>;
  /**
   * Whether a trust anchor is a public root, whose certificates the CA/Browser Forum Baseline Requirements bind.
   * Default: one of the bundled Mozilla roots (and only while the policy trusts them).
   */
  isPublicRoot?: (anchor: pkijs.Certificate) => boolean;
}

const ORDER: Record<HealthSeverity, number> = { error: 0, warning: 1, info: 2 };

/** How findings name a certificate (HealthFinding.certificate): its common name and the start of its fingerprint. */
export function findingLabel(d: CertificateDetails): string {
  return `'${d.commonName}' (SHA-256 ${d.sha256.slice(0, 11)}…)`;
}

/** How a finding names a certificate of the chain: the end entity by its label, the others as the CA above it. */
function nameAt(d: CertificateDetails, position: number): string {
  return position === 0 ? findingLabel(d) : `The CA certificate ${findingLabel(d)} above it`;
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** What a purpose needs from the key: signing (digitalSignature or nonRepudiation), encryption (RSA keyEncipherment, EC keyAgreement). */
function keyUses(info: CertInfo, publicKeyAlgorithm: string): { sign: boolean; encrypt: boolean } {
  const ku = keyUsage(info);
  const family = publicKeyAlgorithm.startsWith('RSA') ? 'rsa' : publicKeyAlgorithm.startsWith('EC') ? 'ec' : 'other';
  const encryptBit = family === 'rsa' ? KU.keyEncipherment : KU.keyAgreement;
  // No keyUsage extension: the key may be used for anything its algorithm can do (RFC 5280 §4.2.1.3).
  const sign = ku ? ku(KU.digitalSignature) || ku(KU.nonRepudiation) : true;
  const encrypt = family === 'other' ? false : ku ? ku(encryptBit) : true;
  return { sign, encrypt };
}

function weakSignature(signatureAlgorithm: string): 'md' | 'sha1' | undefined {
  const a = signatureAlgorithm.toLowerCase();
  if (a.includes('md5') || a.includes('md2')) return 'md';
  if (a.includes('sha1') || a.includes('sha-1')) return 'sha1';
  return undefined;
}

/**
 * The one judgment of a certificate's dates: expired, not yet valid, or ending within `warnDays` (a finding), else
 * undefined. `position` is the certificate's place in its chain (0 = the end entity). checkCertificateHealth calls it
 * for every certificate of the chain it built; so do the outbound blockExpiredIdentity rule (through that report) and
 * Outlook's compose pane (on the chain of a report it keeps per certificate, so a send costs no chain validation).
 * Date arithmetic only.
 */
export function validityFinding(
  d: CertificateDetails,
  position: number,
  o: { at: Date; warnDays: number; purpose: HealthPurpose },
): HealthFinding | undefined {
  const who = nameAt(d, position);
  const notAfter = new Date(d.notAfter);
  const notBefore = new Date(d.notBefore);
  const left = Math.floor((notAfter.getTime() - o.at.getTime()) / DAY);
  const finding = (code: HealthCode, severity: HealthSeverity, message: string): HealthFinding => ({ code, severity, message, certificate: findingLabel(d) });
  if (notAfter.getTime() < o.at.getTime()) return finding('expired', 'error', `${who} expired on ${day(notAfter)}.`);
  if (notBefore.getTime() > o.at.getTime()) return finding('not-yet-valid', 'error', `${who} is not valid before ${day(notBefore)}.`);
  if (left < o.warnDays) {
    const renew = position === 0 && o.purpose === 'own' ? ' Ask your CA for a new one now, and import it when it comes.' : '';
    return finding('expires-soon', 'warning', `${who} expires on ${day(notAfter)}, in ${left} day${left === 1 ? '' : 's'}.${renew}`);
  }
  return undefined;
}

export async function checkCertificateHealth(
  certs: pkijs.Certificate[],
  options: HealthOptions,
  crypto: CryptoEngine = defaultCrypto(),
): Promise<HealthReport> {
  const policy = options.policy ?? defaultPolicy();
  const at = options.at ?? new Date();
  const [leaf, ...extra] = certs;
  const leafDetails = await certificateDetails(leaf, crypto);
  const findings: HealthFinding[] = [];
  const add = (code: HealthCode, severity: HealthSeverity, message: string, d: CertificateDetails = leafDetails) =>
    findings.push({ code, severity, message, certificate: findingLabel(d) });

  // --- the chain, as a message from this certificate would get it
  const trust = options.trust ?? policyToVerifyOptions(policy, options.fetcher ? { fetcher: options.fetcher } : {});
  const revocation = options.trust ? (options.trust.revocation ?? 'soft') : policy.revocation;
  const checkRevocation = revocation !== 'off' && (Boolean(trust.fetcher) || (options.crls?.length ?? 0) > 0);
  const chain: ChainResult = await validateChainOnline(
    leaf,
    {
      anchors: [...(trust.anchors ?? []), ...(options.anchors ?? [])],
      anchorLookup: trust.anchorLookup,
      emailDistrustAfter: trust.emailDistrustAfter,
      intermediates: [...extra, ...(options.intermediates ?? []), ...(trust.intermediates ?? [])],
      crls: options.crls ?? [],
      at,
      allowSha1: true, // judged below, with a sentence of its own
      // 'soft': a health check reports a revoked certificate; what could not be checked is no finding of its own.
      revocation: checkRevocation ? 'soft' : 'off',
      fetcher: trust.fetcher,
    },
    crypto,
  );
  const chainDetails = await Promise.all(chain.chain.map((c) => certificateDetails(c, crypto)));
  for (const r of chain.reasons) {
    if (r.severity !== 'error' && r.code !== 'missing-intermediate' && r.code !== 'untrusted-root' && r.code !== 'self-signed') continue;
    switch (r.code) {
      case 'missing-intermediate':
        add('chain-incomplete', 'warning', `${r.message} Whoever checks this certificate needs that CA certificate: ${options.purpose === 'own' ? 'import a .p12 that contains it, or ask your CA for it, so it goes along with what you sign' : 'ask the sender to include it, or add it as an intermediate'}.`);
        break;
      case 'untrusted-root':
      case 'self-signed':
        add('untrusted-root', 'warning', `${r.message}${options.purpose === 'own' ? ' Recipients who do not trust that root will not trust your signatures either.' : ''}`);
        break;
      case 'cert-revoked':
        add('revoked', 'error', r.message);
        break;
      // Judged per certificate below, in words of their own.
      case 'cert-expired':
      case 'cert-not-yet-valid':
      case 'wrong-key-usage':
      case 'wrong-extended-key-usage':
      case 'weak-digest':
      case 'weak-key':
        break;
      default:
        add('chain-problem', 'error', r.message);
    }
  }

  // --- every certificate of the chain: validity, key size, signature algorithm
  const everyCert = chain.chain.length ? chain.chain.map((c, i) => ({ cert: c, d: chainDetails[i] })) : [{ cert: leaf, d: leafDetails }];
  for (const [i, { d }] of everyCert.entries()) {
    const who = nameAt(d, i);
    const dates = validityFinding(d, i, { at, warnDays: policy.expiryWarningDays, purpose: options.purpose });
    if (dates) findings.push(dates);

    const bits = keyBits(d.publicKeyAlgorithm);
    if (bits?.family === 'rsa' && bits.bits < policy.algorithms.minRsaBits) {
      add('weak-key', 'error', `${who} has a ${bits.bits}-bit RSA key; at least ${policy.algorithms.minRsaBits} bits are required.`, d);
    } else if (bits?.family === 'ec' && bits.bits < policy.algorithms.minEcBits) {
      add('weak-key', 'error', `${who} has a ${bits.bits}-bit elliptic-curve key; at least ${policy.algorithms.minEcBits} bits are required.`, d);
    }
    // A root's signature on itself proves nothing (its trust comes from the trust store), so it is not judged.
    const weak = d.selfSigned && i > 0 ? undefined : weakSignature(d.signatureAlgorithm);
    if (weak === 'md') add('weak-signature', 'error', `${who} is signed with ${d.signatureAlgorithm}, which is broken.`, d);
    else if (weak === 'sha1') add('weak-signature', policy.allowSha1 ? 'warning' : 'error', `${who} is signed with SHA-1 (${d.signatureAlgorithm}), which ${policy.allowSha1 ? 'your policy still accepts but is weak' : 'is not accepted'}.`, d);
  }

  // --- the end entity for its purpose
  const info = certInfo(leaf);
  if (isCA(info)) add('is-ca', 'error', `${findingLabel(leafDetails)} is a CA certificate, not a person's e-mail certificate.`);
  const ekus = extKeyUsage(info);
  if (ekus && !ekus.includes(OID.emailProtection) && !ekus.includes(OID.anyExtendedKeyUsage)) {
    add('no-email-protection', 'error', `${findingLabel(leafDetails)} is not made for e-mail: its extended key usage does not include e-mail protection.`);
  }
  const uses = keyUses(info, leafDetails.publicKeyAlgorithm);
  if (options.purpose === 'own') {
    if (!uses.sign && !uses.encrypt) add('wrong-key-usage', 'error', `${findingLabel(leafDetails)} may be used neither to sign nor to encrypt mail.`);
    else if (!uses.sign) add('wrong-key-usage', 'info', `${findingLabel(leafDetails)} is for encryption only: you need another certificate to sign.`);
    else if (!uses.encrypt) add('wrong-key-usage', 'info', `${findingLabel(leafDetails)} is for signing only: others cannot encrypt to you with it.`);
  } else if (options.purpose === 'correspondent' && !uses.sign) {
    add('wrong-key-usage', 'error', `${findingLabel(leafDetails)} may not be used to sign mail (its key usage has neither digital signature nor non-repudiation).`);
  } else if (options.purpose === 'recipient' && !uses.encrypt) {
    add('wrong-key-usage', 'error', `${findingLabel(leafDetails)} cannot be used to encrypt to (${leafDetails.publicKeyAlgorithm.startsWith('RSA') ? 'its key usage lacks key encipherment' : leafDetails.publicKeyAlgorithm.startsWith('EC') ? 'its key usage lacks key agreement' : `a ${leafDetails.publicKeyAlgorithm} key cannot encrypt`}).`);
  }
  const emails = certificateEmails(leaf).map((e) => e.toLowerCase());
  if (emails.length === 0) {
    add('no-email-address', 'error', `${findingLabel(leafDetails)} carries no e-mail address, so no message can be tied to it.`);
  } else if (options.address && !emails.includes(options.address.trim().toLowerCase())) {
    add('address-mismatch', 'error', `${findingLabel(leafDetails)} is for ${emails.join(', ')}, not for ${options.address.trim()}: mail ${options.purpose === 'recipient' ? 'to' : 'from'} that address ${options.purpose === 'recipient' ? 'cannot be encrypted with it' : 'will not be trusted'}.`);
  }

  // --- Baseline Requirements, for certificates that chain to a bundled public root
  const anchor = chain.trust === 'trusted' ? chain.chain[chain.chain.length - 1] : undefined;
  const isPublicRoot = options.isPublicRoot ?? ((a: pkijs.Certificate) => policy.bundledRoots && bundledAnchorLookup(certInfo(a).subject).includes(a));
  if (anchor && isPublicRoot(anchor)) {
    findings.push(...baselineFindings(info, findingLabel(leafDetails)));
  }

  findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity]);
  return {
    purpose: options.purpose,
    certificate: leafDetails,
    chain: chainDetails,
    trust: chain.trust,
    findings,
    daysLeft: Math.floor((new Date(leafDetails.notAfter).getTime() - at.getTime()) / DAY),
  };
}

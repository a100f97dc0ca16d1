/**
 * outbound.blockExpiredIdentity: is the user's own certificate fit to sign with? One function over the same chain
 * validation that judges received mail (src/trust/chain.ts): expired, not yet valid or revoked (on a CRL at hand,
 * or online when the policy allows the network) is a problem; a chain the validator cannot complete to an anchor
 * here is not, because the recipients judge trust with their own anchors.
 */
import type * as pkijs from 'pkijs';
import type { CryptoEngine } from '../crypto';
import { defaultCrypto } from '../crypto';
import { loadCertificates } from '../certs/load';
import { validateChainOnline } from '../trust/online';
import type { VerifyOptions } from '../verify-message';
import type { ReasonCode } from '../verdict';

const FATAL = new Set<ReasonCode>(['cert-expired', 'cert-not-yet-valid', 'cert-revoked']);

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
  const who = `Your certificate (${identity.emails[0] ?? 'no e-mail address'})`;
  // The leaf's own dates first: they need no chain, and say it plainly.
  const notAfter = leaf.notAfter.value;
  const notBefore = leaf.notBefore.value;
  if (at.getTime() > notAfter.getTime()) return `${who} expired on ${notAfter.toISOString().slice(0, 10)}`;
  if (at.getTime() < notBefore.getTime()) return `${who} is not valid until ${notBefore.toISOString().slice(0, 10)}`;
  const result = await validateChainOnline(
    leaf,
    {
      anchors: trust.anchors ?? [],
      anchorLookup: trust.anchorLookup,
      intermediates: [...chain, ...(trust.intermediates ?? [])],
      crls: trust.crls ?? [],
      at,
      revocation: trust.revocation ?? 'soft',
      fetcher: trust.fetcher,
    },
    crypto,
  );
  const bad = result.reasons.find((r) => FATAL.has(r.code));
  if (bad) return `${who}: ${bad.message.replace(/\.$/, '')}`;
  if (result.trust === 'revoked' || result.trust === 'expired' || result.trust === 'not-yet-valid') return `${who} is ${result.trust}`;
  return undefined;
}

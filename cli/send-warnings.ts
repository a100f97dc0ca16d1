/**
 * Warnings before `sign` and `encrypt` send something that will disappoint (issue 13): a From the signer's
 * certificate does not carry (recipients would see "the sender is not the signer"); a recipient certificate that
 * is a CA's, outside its validity, or not usable for encryption (judged by the core's health check, purpose
 * 'recipient'); and an encrypted message the sender will not be able to read in their Sent folder because no --key
 * made them a recipient too. Warnings go to stderr; the command still does what it was told.
 */
import * as pkijs from 'pkijs';
import { checkCertificateHealth, type HealthCode, type Identity, type Policy } from '../src/index';
import { getHeaders, parseMime } from '../src/mime/index';
import { parseAddressList } from '../src/mime/address';
import { cliCrypto } from './crypto';

/** The From addresses of the message to send (lower-cased); empty when it has none or cannot be read. */
function fromAddresses(message: Uint8Array): string[] {
  const parsed = parseMime(message);
  if (!parsed.ok) return [];
  return getHeaders(parsed.root, 'from').flatMap((v) => parseAddressList(v).addresses.map((a) => a.address.toLowerCase()));
}

export function signerWarnings(message: Uint8Array, signer: Identity): string[] {
  const from = fromAddresses(message);
  const emails = signer.emails.map((e) => e.toLowerCase());
  const foreign = from.filter((f) => !emails.includes(f));
  if (foreign.length === 0) return [];
  return [
    `the message is From ${foreign.join(', ')}, but the signing certificate is for ${emails.join(', ') || 'no e-mail address'}: recipients will see that the sender is not the signer.`,
  ];
}

/** What makes encrypting to a certificate pointless or wrong; chain completeness and trust are not (not needed to encrypt). */
const RECIPIENT_PROBLEMS: ReadonlySet<HealthCode> = new Set(['is-ca', 'expired', 'not-yet-valid', 'wrong-key-usage', 'no-email-protection', 'weak-key', 'no-email-address', 'revoked']);

export async function recipientWarnings(file: string, cert: pkijs.Certificate, policy: Policy): Promise<string[]> {
  // Only the certificate itself matters here, so no network and no revocation unless the policy's CRLs are at hand.
  const r = await checkCertificateHealth([cert], { purpose: 'recipient', policy: { ...policy, online: false } }, cliCrypto());
  return r.findings.filter((f) => f.severity === 'error' && RECIPIENT_PROBLEMS.has(f.code)).map((f) => `--to ${file}: ${f.message}`);
}

export function noSenderCopyWarning(): string {
  return 'no --key given: the message is not encrypted to you, so you will not be able to read your own copy (for example in your Sent folder). Give --key to add yourself as a recipient.';
}

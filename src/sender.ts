/**
 * Sender binding: is the signer the person the message claims to be from?
 *
 * The signer certificate's e-mail addresses (rfc822Name in subjectAltName, emailAddress in the subject) must
 * contain the one From address. Everything that lets a reader believe otherwise is a mismatch: no From, several
 * From headers or mailboxes, a display name that is itself another e-mail address ("manager@corp <eve@corp>").
 * Sender and Reply-To pointing elsewhere do not change who signed, but they are named in a warning because a
 * client may show them or reply to them ("Johnny, you are fired", ID attacks I1-I3).
 */
import { parseAddressList } from './mime';
import type { Mailbox } from './mime';
import type { Reason, SenderStatus } from './verdict';
import { reason } from './verdict';

export interface SenderHeaders {
  /** Raw values of every From header, in order (there should be exactly one). */
  from: string[];
  /** Raw values of every Sender header. */
  sender: string[];
  /** Raw values of every Reply-To header. */
  replyTo: string[];
}

export interface SenderBinding {
  status: SenderStatus;
  /** The From addresses found (lower-cased), for the verdict. */
  fromAddresses: string[];
  senderAddress?: string;
  reasons: Reason[];
}

// An addr-spec-looking run of characters inside a display name. Deliberately loose: anything that a reader would
// take for an address counts, including ones without a TLD.
const ADDRESS_IN_NAME = /[^\s<>()",;:@]+@[^\s<>()",;:@]+/;

function addressesOf(values: string[]): Mailbox[] {
  return values.flatMap((v) => parseAddressList(v).addresses);
}

export function bindSender(headers: SenderHeaders, certEmails: string[]): SenderBinding {
  const reasons: Reason[] = [];
  const from = addressesOf(headers.from);
  const fromAddresses = from.map((a) => a.address);
  const emails = new Set(certEmails.map((e) => e.toLowerCase()));
  const signerList = certEmails.length > 0 ? certEmails.join(', ') : 'no e-mail address';
  const senderAddr = addressesOf(headers.sender)[0]?.address;

  if (from.length === 0) {
    reasons.push(
      reason(
        'no-from',
        'error',
        headers.from.length === 0
          ? 'The message has no From address, so nothing ties it to the signer.'
          : 'The From header holds no e-mail address (only a name or nothing), so nothing ties the message to the signer.',
      ),
    );
    return { status: 'mismatch', fromAddresses, senderAddress: senderAddr, reasons };
  }
  if (headers.from.length > 1 || from.length > 1) {
    reasons.push(
      reason(
        'multiple-from',
        'error',
        `The message names more than one sender (${fromAddresses.join(', ')}); a signature can vouch for one person only.`,
      ),
    );
    return { status: 'mismatch', fromAddresses, senderAddress: senderAddr, reasons };
  }
  if (emails.size === 0) {
    reasons.push(
      reason('no-email-in-cert', 'warning', "The signer's certificate contains no e-mail address to compare with the sender."),
    );
    return { status: 'unknown', fromAddresses, senderAddress: senderAddr, reasons };
  }

  const { address, name } = from[0];
  if (!emails.has(address)) {
    reasons.push(
      reason(
        'sender-mismatch',
        'error',
        `The message claims to be from ${address}, but it was signed by ${signerList}.`,
      ),
    );
    return { status: 'mismatch', fromAddresses, senderAddress: senderAddr, reasons };
  }
  const inName = from[0].displayNameLooksLikeAddress ? name?.match(ADDRESS_IN_NAME)?.[0]?.toLowerCase() : undefined;
  if (inName && inName !== address) {
    reasons.push(
      reason(
        'display-name-deceptive',
        'error',
        `The sender's display name shows the address ${inName}, but the message is from ${address}.`,
      ),
    );
    return { status: 'mismatch', fromAddresses, senderAddress: senderAddr, reasons };
  }

  reasons.push(reason('sender-match', 'ok', `The sender ${address} is the signer.`));
  if (senderAddr && !emails.has(senderAddr)) {
    reasons.push(
      reason(
        'sender-header-mismatch',
        'warning',
        `The Sender header names ${senderAddr}, who did not sign this message; some mail programs show it as the sender.`,
      ),
    );
  }
  for (const r of addressesOf(headers.replyTo)) {
    if (!emails.has(r.address)) {
      reasons.push(
        reason('reply-to-differs', 'warning', `Replies will go to ${r.address}, not to the signer ${address}.`),
      );
      break;
    }
  }
  return { status: 'match', fromAddresses, senderAddress: senderAddr, reasons };
}

/**
 * Sender binding: is the signer the person the message claims to be from?
 *
 * The rule (docs/users.md, "Who sent it"): the binding matches only when
 * - there is exactly one From header, and it is exactly one well-formed mailbox: no second mailbox, no group, no
 *   entry that does not parse, no text after the address, no obsolete syntax, no control characters (a mail
 *   program shows such a From in its own way, often a name or an address the signature says nothing about:
 *   "The CEO <ceo>, eve@evil.example" shows as "The CEO" in Thunderbird), and
 * - that mailbox's address is one of the signer certificate's addresses (compared in IDNA ASCII form), and
 * - its display name does not show another address ("manager@corp <eve@corp>"), and
 * - a Sender header, when there is one and it names someone else than From, names one of the signer's addresses
 *   too: Outlook shows such a message as "Sender on behalf of From", with Sender first.
 * - the sender the host itself shows (when the host says: Thunderbird's author, Outlook's item.from) is one of the
 *   signer's addresses too, whatever our own reading of the header was.
 * Anything else is a mismatch, with one sentence that says what is wrong. Reply-To elsewhere does not change who
 * signed: it is a warning, because replies go there ("Johnny, you are fired", ID attacks I1-I3).
 *
 * Header values are clipped before parsing (MAX_ADDRESS_HEADER): a longer From is not one address anyway.
 */
import { asciiFormOf, parseAddressList } from './mime/address';
import type { AddressList, Mailbox } from './mime';
import type { Reason, SenderStatus } from './verdict';
import { reason } from './verdict';

export interface SenderHeaders {
  /** Raw values of every From header, in order (there should be exactly one). */
  from: string[];
  /** Raw values of every Sender header. */
  sender: string[];
  /** Raw values of every Reply-To header. */
  replyTo: string[];
  /**
   * The sender address(es) the host's own header area shows for this message (Thunderbird's author, Outlook's
   * item.from), when the host says. The host parses the header itself; wherever its reading differs from ours (a
   * line split we do not make, another charset, a From we took for something else), the sender the reader sees
   * must still be one of the signer's addresses.
   */
  displayed?: string[];
}

export interface SenderBinding {
  status: SenderStatus;
  /** The From addresses found (lower-cased), for the verdict. */
  fromAddresses: string[];
  senderAddress?: string;
  reasons: Reason[];
}

/**
 * Longest header value parsed as an address list. One mailbox with a long display name fits many times over
 * (RFC 5322 lines are at most 998 characters); the parser is linear, and this keeps its work per header small.
 */
export const MAX_ADDRESS_HEADER = 16 * 1024;

function parse(value: string): AddressList & { clipped: boolean } {
  const clipped = value.length > MAX_ADDRESS_HEADER;
  return { ...parseAddressList(clipped ? value.slice(0, MAX_ADDRESS_HEADER) : value), clipped };
}

function addressesOf(values: string[]): Mailbox[] {
  return values.flatMap((v) => parse(v).addresses);
}

const quote = (s: string): string => (s.length > 80 ? `${s.slice(0, 77)}…` : s);

/** What is wrong with a header that must be exactly one well-formed mailbox, or undefined when nothing is. */
function mailboxProblem(list: AddressList & { clipped: boolean }): string | undefined {
  if (list.clipped) return `it is longer than ${MAX_ADDRESS_HEADER} characters`;
  if (list.groups.length > 0) return `it is a group ("${quote(list.groups[0].name)}: …;"), which names no single sender`;
  if (list.defects.length > 0) return list.defects[0].replace(/\.$/, '').replace(/^./, (c) => c.toLowerCase());
  const m = list.addresses[0];
  // An unquoted '@' in a name that is the address itself ("eve@x <eve@x>") shows nothing but the truth.
  const defects = m.defects.filter((d) => !(m.nameAddress === m.address && d.includes('unquoted "@"')));
  if (defects.length > 0) return defects[0].replace(/\.$/, '').replace(/^./, (c) => c.toLowerCase());
  return undefined;
}

/** Certificate addresses in the forms a From address is compared in: as written, and with an IDNA ASCII domain. */
function addressSet(certEmails: string[]): Set<string> {
  const out = new Set<string>();
  for (const e of certEmails) {
    const l = e.toLowerCase();
    out.add(l);
    const a = asciiFormOf(l);
    if (a) out.add(a);
  }
  return out;
}

export function bindSender(headers: SenderHeaders, certEmails: string[]): SenderBinding {
  const reasons: Reason[] = [];
  const lists = headers.from.map(parse);
  const from = lists.flatMap((l) => l.addresses);
  const fromAddresses = from.map((a) => a.address);
  const emails = addressSet(certEmails);
  const isSigner = (m: Mailbox) => emails.has(m.address) || emails.has(m.asciiAddress);
  const signerList = certEmails.length > 0 ? certEmails.join(', ') : 'no e-mail address';
  const senderLists = headers.sender.map(parse);
  const senderMailbox = senderLists.flatMap((l) => l.addresses)[0];
  const senderAddr = senderMailbox?.address;
  const mismatch = (r: Reason): SenderBinding => {
    reasons.push(r);
    return { status: 'mismatch', fromAddresses, senderAddress: senderAddr, reasons };
  };

  if (from.length === 0) {
    const what = lists[0]?.defects[0];
    return mismatch(
      reason(
        'no-from',
        'error',
        headers.from.length === 0
          ? 'The message has no From address, so nothing ties it to the signer.'
          : `The From header holds no e-mail address (${what ? what.replace(/\.$/, '') : 'only a name or nothing'}), so nothing ties the message to the signer.`,
      ),
    );
  }
  if (headers.from.length > 1 || from.length > 1) {
    return mismatch(
      reason(
        'multiple-from',
        'error',
        `The message names more than one sender (${fromAddresses.join(', ')}); a signature can vouch for one person only.`,
      ),
    );
  }
  const m = from[0];
  const { address } = m;
  if (m.nameAddress !== undefined && m.nameAddress !== address && m.nameAddress !== m.asciiAddress) {
    return mismatch(
      reason(
        'display-name-deceptive',
        'error',
        `The sender's display name shows the address ${m.nameAddress}, but the message is from ${address}.`,
      ),
    );
  }
  const problem = mailboxProblem(lists[0]);
  if (problem) {
    return mismatch(
      reason(
        'from-malformed',
        'error',
        `The From header is not one well-formed address (${problem}), so a mail program may show a sender the signature does not vouch for.`,
      ),
    );
  }
  if (emails.size === 0) {
    reasons.push(
      reason('no-email-in-cert', 'warning', "The signer's certificate contains no e-mail address to compare with the sender."),
    );
    return { status: 'unknown', fromAddresses, senderAddress: senderAddr, reasons };
  }
  if (!isSigner(m)) {
    return mismatch(reason('sender-mismatch', 'error', `The message claims to be from ${address}, but it was signed by ${signerList}.`));
  }

  // Sender: Outlook shows "Sender on behalf of From" with Sender first, so a Sender who is someone else than
  // From must be the signer too (docs/users.md). A Sender that is not one well-formed mailbox is refused alike.
  if (headers.sender.length > 0) {
    const sp = headers.sender.length > 1 ? 'there is more than one Sender header' : senderMailbox ? mailboxProblem(senderLists[0]) : 'it holds no e-mail address';
    if (sp || senderLists[0].addresses.length > 1) {
      return mismatch(
        reason(
          'sender-header-mismatch',
          'error',
          `The Sender header is not one well-formed address (${sp ?? 'it names more than one'}); some mail programs show it as the sender.`,
        ),
      );
    }
    const same = senderMailbox.asciiAddress === m.asciiAddress;
    if (!same && !isSigner(senderMailbox)) {
      return mismatch(
        reason(
          'sender-header-mismatch',
          'error',
          `The Sender header names ${senderMailbox.address}, who did not sign this message; Outlook shows it as "${senderMailbox.address} on behalf of ${address}".`,
        ),
      );
    }
  }

  // The host's own reading of the From (defence in depth: every known way to make it differ is refused above or in
  // coverage.ts, but a host's parser is not ours). Host values that hold no address (Exchange's X.500 names) are
  // no reading to compare.
  const shown = (headers.displayed ?? []).map((d) => d.trim().toLowerCase()).filter((d) => d.includes('@'));
  if (shown.length > 0 && !shown.some((d) => emails.has(d) || emails.has(asciiFormOf(d) ?? d))) {
    return mismatch(
      reason(
        'sender-mismatch',
        'error',
        `Your mail program shows the sender as ${shown.map(quote).join(', ')}, but the message was signed by ${signerList}.`,
      ),
    );
  }

  reasons.push(reason('sender-match', 'ok', `The sender ${address} is the signer.`));
  if (m.notes.length > 0) reasons.push(reason('from-internationalised', 'info', `About the sender's address: ${m.notes[0]}`));
  for (const r of addressesOf(headers.replyTo)) {
    if (!isSigner(r)) {
      reasons.push(reason('reply-to-differs', 'warning', `Replies will go to ${r.address}, not to the signer ${address}.`));
      break;
    }
  }
  return { status: 'match', fromAddresses, senderAddress: senderAddr, reasons };
}

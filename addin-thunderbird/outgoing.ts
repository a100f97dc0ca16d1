/**
 * What the Thunderbird compose API hands over (ComposeDetails: address strings, text, HTML; attachment Files),
 * mapped onto the core's OutgoingMessage (src/compose/build-message.ts builds the MIME), and the byte string the
 * smimeSend Experiment takes. Host-specific only: the message itself is laid out by the core.
 * Limits: recipients must be address strings (address book contacts and lists are not expanded: that needs the
 * addressBooks permission); inline images of HTML mail are sent as ordinary attachments (the compose API gives no
 * Content-ID).
 */
import { mailboxesOf, type MessageAttachment, type OutgoingMessage } from '../src/index';
import type { ComposeDetails, Messenger } from './messenger';

/** The bare address of "Name <addr>" or "addr", lower-cased (for key and certificate look-ups). */
export function addressOf(s: string): string {
  const m = /<([^<>]+)>\s*$/.exec(s);
  return (m ? m[1] : s).trim().toLowerCase();
}

/** ComposeDetails (recipients already checked to be strings) as the core's OutgoingMessage. */
export function outgoingMessage(d: ComposeDetails, to: string[], cc: string[], attachments: MessageAttachment[]): OutgoingMessage {
  return {
    from: mailboxesOf(d.from ?? '')[0] ?? { address: '' },
    to: to.flatMap(mailboxesOf),
    cc: cc.flatMap(mailboxesOf),
    subject: d.subject ?? '',
    text: d.plainTextBody ?? '',
    html: d.isPlainText === false && d.body ? d.body : undefined,
    attachments,
    // Reply-To as typed (address book entries in it are not expanded, as for recipients).
    replyTo: (d.replyTo ?? []).filter((r): r is string => typeof r === 'string').flatMap(mailboxesOf),
  };
}

/**
 * A reply's In-Reply-To and References, from the message replied to (its Message-ID and References), so the reply
 * threads in every mail program; nothing for new messages and forwards. A message that cannot be read any more
 * (deleted meanwhile) gives what is known: In-Reply-To from its header, or nothing.
 */
export async function threadOf(messages: Pick<Messenger['messages'], 'get' | 'getFull'>, d: ComposeDetails): Promise<Pick<OutgoingMessage, 'inReplyTo' | 'references'>> {
  if (d.type !== 'reply' || d.relatedMessageId === undefined) return {};
  let id: string | undefined;
  try {
    id = (await messages.get(d.relatedMessageId)).headerMessageId;
  } catch {
    return {};
  }
  if (!id) return {};
  let earlier: string[] = [];
  try {
    const refs = (await messages.getFull(d.relatedMessageId)).headers?.references?.[0] ?? '';
    earlier = refs.length <= 64 * 1024 ? refs.split(/[\s,]+/).filter(Boolean) : [];
  } catch {
    /* its References are not readable: the reply still names the message it answers */
  }
  return { inReplyTo: id, references: [...earlier, id] };
}

/** One char per byte, as the Experiment API takes it (structured clone of a string is cheap and safe). */
export function toBinaryString(bytes: Uint8Array): string {
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return s;
}

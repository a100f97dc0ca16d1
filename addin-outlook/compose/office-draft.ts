/**
 * Reads the draft being composed through Office.js (Mailbox 1.8 for attachments): subject, From, To, Cc,
 * body as text and as HTML, attachments' bytes. Bcc is refused rather than sent: in a MIME message handed to
 * Graph, a Bcc header would be visible to every recipient (limit, said to the user).
 */
import { base64ToBytes } from '../base64';
import { type AttachmentContent, type AttachmentDetails, type EmailAddressDetails, type Mailbox, type MessageCompose, officeAsync } from '../office';
import type { MessageAttachment, OutgoingMessage } from '../../src/index';

/** A draft this pane cannot send (Bcc, no sender), said in one plain sentence for the user. */
export class DraftError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DraftError';
  }
}

export interface ReadDraftResult {
  /** The draft as the core's message builder takes it (src/compose/build-message.ts). */
  draft: OutgoingMessage;
  /** Attachments that could not be included, each named with the reason. */
  skipped: string[];
}

const enc = new TextEncoder();

const addr = (list: EmailAddressDetails[]) => list.map((a) => ({ name: a.displayName, address: a.emailAddress }));

export async function readDraft(item: MessageCompose, mailbox: Mailbox): Promise<ReadDraftResult> {
  const [subject, to, cc, bcc] = await Promise.all([
    officeAsync<string>('Reading the subject', (cb) => item.subject.getAsync(cb)),
    officeAsync<EmailAddressDetails[]>('Reading the To line', (cb) => item.to.getAsync(cb)),
    officeAsync<EmailAddressDetails[]>('Reading the Cc line', (cb) => item.cc.getAsync(cb)),
    officeAsync<EmailAddressDetails[]>('Reading the Bcc line', (cb) => item.bcc.getAsync(cb)),
  ]);
  if (bcc.length) {
    throw new DraftError('Bcc recipients cannot be sent a signed or encrypted message from here: the Bcc line would be visible to everyone. Remove them and send them a separate message.');
  }
  const fromField = item.from;
  const from = fromField
    ? await officeAsync<EmailAddressDetails>('Reading the From line', (cb) => fromField.getAsync(cb))
    : mailbox.userProfile
      ? { emailAddress: mailbox.userProfile.emailAddress, displayName: mailbox.userProfile.displayName }
      : undefined;
  if (!from?.emailAddress) throw new DraftError('Outlook did not say which address this message is from.');

  const body = item.body;
  const bodyType = typeof body.getTypeAsync === 'function' ? await officeAsync<string>('Reading the body type', (cb) => body.getTypeAsync!(cb)) : 'html';
  const text = await officeAsync<string>('Reading the body', (cb) => body.getAsync('text', cb));
  const html = bodyType === 'html' ? await officeAsync<string>('Reading the body', (cb) => body.getAsync('html', cb)) : undefined;

  const attachments: MessageAttachment[] = [];
  const skipped: string[] = [];
  const getAttachments = item.getAttachmentsAsync;
  const getContent = item.getAttachmentContentAsync;
  if (typeof getAttachments === 'function') {
    const list = await officeAsync<AttachmentDetails[]>('Listing the attachments', (cb) => getAttachments.call(item, cb));
    for (const a of list) {
      if (a.attachmentType === 'cloud') {
        skipped.push(`${a.name} (a cloud link; share it as a link in the text instead)`);
        continue;
      }
      if (typeof getContent !== 'function') {
        skipped.push(`${a.name} (this Outlook cannot hand attachments to add-ins)`);
        continue;
      }
      const c = await officeAsync<AttachmentContent>('Reading an attachment', (cb) => getContent.call(item, a.id, cb));
      if (c.format === 'base64') attachments.push({ name: a.name, contentType: a.contentType || 'application/octet-stream', bytes: base64ToBytes(c.content), inline: a.isInline });
      else if (c.format === 'eml') attachments.push({ name: a.name.endsWith('.eml') ? a.name : `${a.name}.eml`, contentType: 'message/rfc822', bytes: enc.encode(c.content) });
      else if (c.format === 'iCalendar') attachments.push({ name: a.name.endsWith('.ics') ? a.name : `${a.name}.ics`, contentType: 'text/calendar', bytes: enc.encode(c.content) });
      else skipped.push(`${a.name} (a link Outlook did not resolve)`);
    }
  }
  return {
    draft: { from: { name: from.displayName, address: from.emailAddress }, to: addr(to), cc: addr(cc), subject, text, html, attachments },
    skipped,
  };
}

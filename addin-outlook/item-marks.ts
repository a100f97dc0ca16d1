/**
 * inbound.* in Outlook's read pane: a message that breaks the organisation's inbound rule (or whose signature is
 * invalid) gets a notification bar on the item itself (item.notificationMessages, error type, the rule's sentence,
 * at most 150 characters as Office.js allows) beside the pane's verdict, and with inbound.action "tag" or
 * "quarantine" the policy's category (item.categories). Office.js cannot move a message, so "quarantine" means
 * "tag" here (docs/administrators.md says so). A category must exist in the mailbox's master list: adding it there
 * needs the ReadWriteMailbox permission, which this add-in does not ask for, so an administrator or the user
 * creates it once; until then the pane says why the category is missing. A message without a violation has the
 * bar removed (the pinned pane moves between messages).
 */
import { auditEventForInbound, inboundViolation, needsInboundAction, type Policy, type Verdict } from '../src/index';
import { recordEvent } from './audit';
import { type MessageRead, officeAsync } from './office';

export const NOTIFICATION_KEY = 'smimePolicy';
const MAX_NOTIFICATION = 150;

function short(text: string): string {
  return text.length <= MAX_NOTIFICATION ? text : `${text.slice(0, MAX_NOTIFICATION - 1)}…`;
}

/** The bar's sentence: the violation's own words, or the invalid signature's. */
export function notificationText(v: Verdict): string {
  const r = inboundViolation(v);
  if (r) {
    const addr = v.from[0] ?? 'a sender';
    return short(`Possible forgery: your organisation requires mail from ${addr.slice(addr.lastIndexOf('@') + 1)} to be signed and trusted, and this message is not.`);
  }
  return short(`The S/MIME signature of this message is invalid: it was changed after it was signed, or the signature is forged.`);
}

/** Marks (or unmarks) the item for this verdict; returns notes for the pane. Never throws. */
export async function markItem(item: MessageRead, v: Verdict, policy: Policy): Promise<string[]> {
  const notes: string[] = [];
  const bar = item.notificationMessages;
  if (!needsInboundAction(v)) {
    if (bar) await officeAsync<void>('Removing the notification', (cb) => bar.removeAsync(NOTIFICATION_KEY, cb)).catch(() => undefined);
    return notes;
  }
  if (bar) {
    await officeAsync<void>('Showing the notification', (cb) =>
      bar.replaceAsync(NOTIFICATION_KEY, { type: 'errorMessage', message: notificationText(v) }, cb),
    ).catch((e) => notes.push(`Outlook did not show the warning bar: ${e instanceof Error ? e.message : String(e)}`));
  }
  let done: 'flag' | 'tag' = 'flag';
  const action = policy.inbound.action;
  if (action === 'tag' || action === 'quarantine') {
    const categories = item.categories;
    const name = policy.inbound.tagName;
    if (!categories) notes.push(`This version of Outlook cannot put the category "${name}" on a message (Mailbox 1.8 is needed).`);
    else {
      try {
        await officeAsync<void>('Adding the category', (cb) => categories.addAsync([name], cb));
        done = 'tag';
        notes.push(
          action === 'quarantine'
            ? `Marked with the category "${name}". Your organisation quarantines such mail; Outlook add-ins cannot move messages, so it stays here, marked.`
            : `Marked with the category "${name}".`,
        );
      } catch (e) {
        notes.push(
          `The category "${name}" could not be added (${e instanceof Error ? e.message : String(e)}). Create a category with that name in Outlook once (Categorize → Manage categories), or ask your administrator.`,
        );
      }
    }
  }
  void recordEvent(policy, auditEventForInbound(v, done, { host: 'outlook' }));
  return notes;
}

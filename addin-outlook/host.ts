/**
 * The host adapter: the only place the task pane's logic meets Outlook. The pane (taskpane.ts) works against
 * `HostAdapter`, so the same code runs over Office.js in Outlook, over the simulated mailbox of the playground
 * and the tests, and over a dropped .eml file.
 */
import type { Policy, Verdict } from '../src/index';
import { markItem } from './item-marks';
import { type VerdictViewOptions, renderVerdict } from '../ui/verdict-view';
import { base64ToBytes } from './base64';
import { type Mailbox, type MessageRead, isCompose, officeAsync, officeGlobal } from './office';

/** Larger than any message Exchange Online accepts (150 MB as MIME), so only absurd input is refused. */
export const MAX_MESSAGE_BYTES = 160 * 1024 * 1024;

export type RawMessageFailure = 'no-item' | 'api-missing' | 'failed' | 'too-large';

export type RawMessage =
  | { ok: true; bytes: Uint8Array; source: string }
  | { ok: false; reason: RawMessageFailure; message: string };

export interface HostAdapter {
  /** The raw RFC 5322 bytes of the message in view; never throws. */
  getRawMessage(): Promise<RawMessage>;
  /** The sender address as the host shows it (lower-case), when it knows one. */
  getSender(): Promise<string | undefined>;
  /** Shows a verdict in the pane. */
  render(verdict: Verdict, opts?: VerdictViewOptions): void;
  /** Identifies the item in view, so a late result for a previous item is dropped. */
  itemKey(): string | undefined;
  /** The item id in REST form for Microsoft Graph, when the host can give one. */
  restItemId(): string | undefined;
  /** Calls `cb` when the reader selects another message while the pane is pinned. */
  onItemChanged(cb: () => void): Promise<void>;
  /**
   * Shows the signed Subject (RFC 9788 header protection), and a body without legacy display elements, in the
   * host's own reading view for as long as the message stays open, where the host can (Outlook's preview
   * item.display API). Resolves to what was shown; never throws.
   */
  showProtected?(view: { subject?: string; bodyText?: string }): Promise<{ subject: boolean; body: boolean }>;
  /** The organisation's inbound action on the item (notification bar, category); notes for the pane. */
  markItem?(verdict: Verdict, policy: Policy): Promise<string[]>;
}

/** Outlook's limit for item.display.subject. */
const DISPLAY_SUBJECT_MAX = 255;
/** Outlook's limit for item.display.body. */
const DISPLAY_BODY_MAX = 1_000_000;

/** Outlook through Office.js (or a simulation of the same API). */
export class OutlookHost implements HostAdapter {
  constructor(
    private readonly mailbox: Mailbox,
    private readonly container: HTMLElement,
    /** Named in the pane's note "Read from …". */
    private readonly sourceName = 'Outlook',
    private readonly itemChangedEvent = officeGlobal()?.EventType?.ItemChanged ?? 'olkItemSelectedChanged',
  ) {}

  private readItem(): MessageRead | undefined {
    const item = this.mailbox.item;
    if (!item || isCompose(item)) return undefined;
    return item;
  }

  async getRawMessage(): Promise<RawMessage> {
    const item = this.readItem();
    if (!item) return { ok: false, reason: 'no-item', message: 'No message is open. Select a message to check it.' };
    if (typeof item.getAsFileAsync !== 'function') {
      return {
        ok: false,
        reason: 'api-missing',
        message:
          'This version of Outlook cannot give add-ins the original message (it lacks Mailbox requirement set 1.14), so the signature cannot be checked here.',
      };
    }
    const getAsFile = item.getAsFileAsync.bind(item);
    try {
      const b64 = await officeAsync<string>('Reading the message from Outlook', (cb) => getAsFile({}, cb));
      if (typeof b64 !== 'string' || b64.length === 0) {
        return { ok: false, reason: 'failed', message: 'Outlook returned an empty message.' };
      }
      if ((b64.length / 4) * 3 > MAX_MESSAGE_BYTES) {
        return { ok: false, reason: 'too-large', message: 'The message is larger than 160 MB; it was not checked.' };
      }
      return { ok: true, bytes: base64ToBytes(b64), source: this.sourceName };
    } catch (e) {
      return {
        ok: false,
        reason: 'failed',
        message: `Outlook did not give the add-in this message's content. ${e instanceof Error ? e.message : String(e)}`,
      };
    }
  }

  async getSender(): Promise<string | undefined> {
    const item = this.readItem();
    const addr = item?.from?.emailAddress;
    return addr ? addr.toLowerCase() : undefined;
  }

  render(verdict: Verdict, opts?: VerdictViewOptions): void {
    renderVerdict(this.container, verdict, opts);
  }

  itemKey(): string | undefined {
    const item = this.readItem();
    return item ? (item.itemId ?? item.internetMessageId ?? item.subject ?? '(item)') : undefined;
  }

  restItemId(): string | undefined {
    const id = this.readItem()?.itemId;
    if (!id) return undefined;
    const convert = this.mailbox.convertToRestId;
    if (typeof convert !== 'function') return id;
    const v2 = officeGlobal()?.MailboxEnums?.RestVersion?.v2_0 ?? 'v2.0';
    try {
      return convert.call(this.mailbox, id, v2);
    } catch {
      return undefined;
    }
  }

  async showProtected(view: { subject?: string; bodyText?: string }): Promise<{ subject: boolean; body: boolean }> {
    const display = this.readItem()?.display;
    const shown = { subject: false, body: false };
    const subjectSet = display?.subject?.setAsync;
    if (view.subject !== undefined && typeof subjectSet === 'function') {
      const text = view.subject.length > DISPLAY_SUBJECT_MAX ? `${view.subject.slice(0, DISPLAY_SUBJECT_MAX - 1)}…` : view.subject;
      // Refused without read/write item permission (the manifest asks for read item only): the pane shows it anyway.
      shown.subject = await officeAsync<void>('Showing the signed Subject', (cb) => subjectSet.call(display!.subject, text, cb)).then(
        () => true,
        () => false,
      );
    }
    const bodySet = display?.body?.setAsync;
    if (view.bodyText !== undefined && typeof bodySet === 'function') {
      // Plain text only: this is decrypted content (the EFAIL rule of src/compose/decrypt-message.ts).
      const text = view.bodyText.length > DISPLAY_BODY_MAX ? view.bodyText.slice(0, DISPLAY_BODY_MAX) : view.bodyText;
      const coercionType = officeGlobal()?.CoercionType?.Text ?? 'text';
      shown.body = await officeAsync<void>('Showing the message text', (cb) => bodySet.call(display!.body, text, { coercionType }, cb)).then(
        () => true,
        () => false,
      );
    }
    return shown;
  }

  async markItem(verdict: Verdict, policy: Policy): Promise<string[]> {
    const item = this.readItem();
    return item ? markItem(item, verdict, policy) : [];
  }

  async onItemChanged(cb: () => void): Promise<void> {
    const add = this.mailbox.addHandlerAsync;
    if (typeof add !== 'function') return; // not pinnable here: the pane closes when the item changes
    await officeAsync<void>('Listening for the next message', (done) => add.call(this.mailbox, this.itemChangedEvent, () => cb(), done));
  }
}

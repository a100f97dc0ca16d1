/**
 * The host adapter: everything the add-on's logic needs from Thunderbird, behind one small interface, so the
 * logic (checker.ts) is tested in Node with a fake host and the real one (ThunderbirdHost) stays thin.
 */
import type { ActionState } from './action-state';
import { binaryStringToBytes } from './binary-string';
import { type Messenger, type MessageHeader, messagesOf } from './messenger';

export interface HostAdapter {
  /** The message's bytes exactly as stored (never decrypted by Thunderbird). */
  readRaw(messageId: number): Promise<Uint8Array>;
  /** The messages shown in a tab (one for a normal message view). */
  displayedMessages(tabId: number): Promise<MessageHeader[]>;
  /** Sets the message display action's icon, badge and title for one tab. */
  showState(tabId: number, state: ActionState): Promise<void>;
}

export class ThunderbirdHost implements HostAdapter {
  constructor(private readonly m: Messenger) {}

  async readRaw(messageId: number): Promise<Uint8Array> {
    // decrypt:false: we check what was sent, and decrypt with the user's own key where needed.
    // BinaryString, not File: Thunderbird reads the message as a binary string either way and, for File, copies
    // it byte by byte into a Blob in its own process first (ext-messages.js); converting here is cheaper.
    const raw = await this.m.messages.getRaw(messageId, { data_format: 'BinaryString', decrypt: false });
    return binaryStringToBytes(raw);
  }

  async displayedMessages(tabId: number): Promise<MessageHeader[]> {
    return messagesOf(await this.m.messageDisplay.getDisplayedMessages(tabId));
  }

  async showState(tabId: number, s: ActionState): Promise<void> {
    const a = this.m.messageDisplayAction;
    await Promise.all([
      a.setIcon({ tabId, path: s.icon }),
      a.setBadgeBackgroundColor({ tabId, color: s.badgeColor }),
      a.setTitle({ tabId, title: s.title }),
      a.setLabel({ tabId, label: s.label }),
      a.setBadgeText({ tabId, text: s.badge }),
    ]);
  }
}

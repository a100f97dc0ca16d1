/**
 * A simulated Outlook mailbox with the same callback API as Office.js (getAsFileAsync, addHandlerAsync with
 * ItemChanged, convertToRestId), for the playground's simulated reading pane. The real task pane code talks to it
 * exactly as it talks to Outlook (addin-outlook/host.ts).
 */
import { bytesToBase64 } from '../base64';
import type { Callback, Mailbox, MessageRead } from '../office';

export interface SimMessage {
  id: string;
  subject: string;
  from: { emailAddress: string; displayName: string };
  bytes: Uint8Array;
}

export class SimulatedMailbox implements Mailbox {
  item: MessageRead | null = null;
  userProfile = { emailAddress: 'bob@example.com', displayName: 'Bob Example' };
  diagnostics = { hostName: 'Playground', hostVersion: '1.0' };
  private handlers: ((args: unknown) => void)[] = [];

  addHandlerAsync = (eventType: string, handler: (args: unknown) => void, callback?: Callback<void>): void => {
    if (eventType === 'olkItemSelectedChanged') this.handlers.push(handler);
    setTimeout(() => callback?.({ status: 'succeeded', value: undefined }), 0);
  };

  convertToRestId = (itemId: string): string => itemId;

  /** Opens a message in the simulated reading pane and tells a pinned pane, as Outlook does. */
  select(m: SimMessage): void {
    const b64 = bytesToBase64(m.bytes);
    this.item = {
      itemType: 'message',
      itemId: m.id,
      subject: m.subject,
      from: m.from,
      getAsFileAsync: (_options: object, cb: Callback<string>) => {
        setTimeout(() => cb({ status: 'succeeded', value: b64 }), 0);
      },
    };
    this.changed();
  }

  /** Tells a pinned pane to check the current item again (the playground's "Check as of" date changed). */
  changed(): void {
    for (const h of this.handlers) h({ type: 'olkItemSelectedChanged' });
  }
}

/**
 * The few Office.js (Outlook mailbox) APIs the add-in uses, typed here instead of pulling in the 4.6 MB
 * office.d.ts, and ONE helper that turns Office's callback style into promises. Everything that talks to
 * Office goes through `officeAsync`, so the rest of the add-in is plain async/await.
 *
 * office.js itself is loaded by the page from Microsoft's CDN (a store requirement); this module only reads the
 * global it defines. Where the API is documented with a minimum requirement set, it is named next to it.
 */

export interface OfficeError {
  code: number;
  name: string;
  message: string;
}

export interface AsyncResult<T> {
  status: 'succeeded' | 'failed';
  value: T;
  error?: OfficeError;
}

export type Callback<T> = (result: AsyncResult<T>) => void;

export interface EmailAddressDetails {
  emailAddress: string;
  displayName: string;
}

export interface AttachmentDetails {
  id: string;
  name: string;
  contentType: string;
  size: number;
  isInline: boolean;
  attachmentType: string; // "file" | "item" | "cloud"
}

export interface AttachmentContent {
  content: string;
  format: string; // "base64" | "url" | "eml" | "iCalendar"
}

/** item.notificationMessages (Mailbox 1.3): the bar above the message; `message` at most 150 characters. */
export interface NotificationMessages {
  replaceAsync(key: string, details: { type: string; message: string; icon?: string; persistent?: boolean }, callback?: Callback<void>): void;
  removeAsync(key: string, callback?: Callback<void>): void;
}

/** item.categories (Mailbox 1.8, read item): only categories in the mailbox's master list can be added. */
export interface ItemCategories {
  addAsync(categories: string[], callback?: Callback<void>): void;
  getAsync?(callback: Callback<{ displayName: string; color: string }[] | null>): void;
}

/** Message read surface (Mailbox 1.1; getAsFileAsync 1.14). */
export interface MessageRead {
  notificationMessages?: NotificationMessages;
  categories?: ItemCategories;
  itemType?: string;
  itemId?: string;
  subject?: string;
  internetMessageId?: string;
  from?: EmailAddressDetails;
  sender?: EmailAddressDetails;
  /** Mailbox 1.14: the whole message as base64 of its RFC 5322 (EML) bytes. */
  getAsFileAsync?: (options: object, callback: Callback<string>) => void;
  /**
   * Mailbox preview: what Outlook shows of this message in read mode, set for as long as it stays open (nothing is
   * saved). Subject up to 255 characters, body up to 1,000,000. Needs read/write item permission; feature-detected.
   */
  display?: {
    subject?: { setAsync?: (data: string, callback?: Callback<void>) => void };
    body?: { setAsync?: (data: string, options: { coercionType?: string }, callback?: Callback<void>) => void };
  };
}

export interface ComposeRecipients {
  getAsync(callback: Callback<EmailAddressDetails[]>): void;
}

/** Message compose surface (Mailbox 1.1-1.8). */
export interface MessageCompose {
  itemType?: string;
  subject: { getAsync(callback: Callback<string>): void };
  to: ComposeRecipients;
  cc: ComposeRecipients;
  bcc: ComposeRecipients;
  body: {
    getAsync(coercionType: string, callback: Callback<string>): void;
    getTypeAsync?: (callback: Callback<string>) => void; // 1.3: "html" | "text"
  };
  from?: { getAsync(callback: Callback<EmailAddressDetails>): void }; // 1.7
  getAttachmentsAsync?: (callback: Callback<AttachmentDetails[]>) => void; // 1.8
  getAttachmentContentAsync?: (id: string, callback: Callback<AttachmentContent>) => void; // 1.8
  saveAsync?: (callback: Callback<string>) => void; // 1.3
  closeAsync?: (callback: Callback<void>) => void; // 1.14
  notificationMessages?: NotificationMessages;
}

/** The event an OnMessageSend handler gets (Smart Alerts, Mailbox 1.12; cancelLabel, commandId, sendModeOverride 1.14). */
export interface SendEvent {
  completed(options: {
    allowEvent: boolean;
    errorMessage?: string;
    cancelLabel?: string;
    commandId?: string;
    sendModeOverride?: string;
  }): void;
}

export interface Mailbox {
  item: MessageRead | MessageCompose | null;
  userProfile?: { emailAddress: string; displayName: string };
  diagnostics?: { hostName?: string; hostVersion?: string };
  restUrl?: string;
  addHandlerAsync?: (eventType: string, handler: (args: unknown) => void, callback?: Callback<void>) => void;
  convertToRestId?: (itemId: string, restVersion: string) => string;
}

export interface OfficeGlobal {
  onReady(): Promise<{ host: string | null; platform: string | null }>;
  context?: {
    mailbox?: Mailbox;
    requirements?: { isSetSupported(name: string, version?: string): boolean };
  };
  EventType?: { ItemChanged?: string };
  /** Event-based activation: the runtime looks handlers up by the name the manifest gives. */
  actions?: { associate(name: string, handler: (event: unknown) => void): void };
  MailboxEnums?: { RestVersion?: { v2_0?: string } };
  CoercionType?: { Text?: string };
}

export class OfficeCallError extends Error {
  readonly code: number;
  constructor(error: OfficeError | undefined, what: string) {
    super(error ? `${what}: ${error.message || error.name} (Office error ${error.code})` : `${what} failed`);
    this.name = 'OfficeCallError';
    this.code = error?.code ?? -1;
  }
}

/**
 * The one promise wrapper for Office callbacks: `await officeAsync('reading the message', cb => item.getAsFileAsync({}, cb))`.
 * Rejects with OfficeCallError (naming what was being done) on a failed status or a synchronous throw.
 */
export function officeAsync<T>(what: string, start: (callback: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      start((result) => {
        if (result && result.status === 'succeeded') resolve(result.value);
        else reject(new OfficeCallError(result?.error, what));
      });
    } catch (e) {
      reject(e instanceof Error ? e : new Error(`${what}: ${String(e)}`));
    }
  });
}

export function officeGlobal(): OfficeGlobal | undefined {
  return (globalThis as { Office?: OfficeGlobal }).Office;
}

/**
 * Waits for office.js and returns the mailbox, or undefined outside Outlook (the playground, a plain browser).
 * Outside Office, office.js still resolves onReady with host null; when office.js did not load at all (offline),
 * there is no global. A bounded wait keeps the pane from hanging on an office.js that never becomes ready.
 */
export async function officeMailbox(timeoutMs = 10_000): Promise<Mailbox | undefined> {
  const office = officeGlobal();
  if (!office || typeof office.onReady !== 'function') return undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    await Promise.race([office.onReady(), timeout]);
  } finally {
    clearTimeout(timer);
  }
  // Read the global again: office.js replaces it while it initialises.
  return officeGlobal()?.context?.mailbox ?? undefined;
}

export function isCompose(item: MessageRead | MessageCompose | null): item is MessageCompose {
  return !!item && typeof (item as MessageCompose).subject === 'object' && item.subject !== null;
}

/**
 * The part of Thunderbird's WebExtension API this add-on uses, typed by hand (there is no maintained type
 * package for the MailExtension APIs). The object itself is webextension-polyfill's promise-based `browser`
 * namespace; in Thunderbird it is the native `browser`, which carries the mail APIs too.
 * Reference: https://webextension-api.thunderbird.net/en/mv3/
 */
import polyfill from 'webextension-polyfill';

export interface MailFolder {
  id: string;
  accountId?: string;
  name?: string;
  path?: string;
  isRoot?: boolean;
  specialUse?: string[];
}
export interface MessageHeader {
  id: number;
  subject: string;
  author: string;
  size: number;
  headerMessageId: string;
  external?: boolean;
  folder?: MailFolder;
  tags?: string[];
}
export interface MessageList {
  /** Set when more pages follow (messages.continueList). */
  id?: string | null;
  messages: MessageHeader[];
}
export interface Tab {
  id: number;
  windowId: number;
  type?: string;
  active?: boolean;
}
export interface ActionApi {
  setTitle(d: { title: string; tabId?: number }): Promise<void>;
  /** Thunderbird only: the button's label, separate from its tooltip (title). */
  setLabel(d: { label: string | null; tabId?: number }): Promise<void>;
  setBadgeText(d: { text: string; tabId?: number }): Promise<void>;
  setBadgeBackgroundColor(d: { color: string; tabId?: number }): Promise<void>;
  setIcon(d: { path: string; tabId?: number }): Promise<void>;
  enable(tabId?: number): Promise<void>;
  disable(tabId?: number): Promise<void>;
  getTitle(d: { tabId?: number }): Promise<string>;
  getBadgeText(d: { tabId?: number }): Promise<string>;
}
export interface ComposeRecipientContact {
  id: string;
  type: 'contact' | 'mailingList';
}
export type ComposeRecipient = string | ComposeRecipientContact;
export interface ComposeDetails {
  identityId?: string;
  from?: string;
  to?: ComposeRecipient[];
  cc?: ComposeRecipient[];
  bcc?: ComposeRecipient[];
  replyTo?: ComposeRecipient[];
  subject?: string;
  isPlainText?: boolean;
  body?: string;
  plainTextBody?: string;
  deliveryFormat?: string;
  relatedMessageId?: number;
  /** 'new', 'reply', 'forward', 'draft', 'redirect'. */
  type?: string;
}
export interface ComposeAttachment {
  id: number;
  name: string;
  size: number;
  getFile?: () => Promise<File>;
}
interface Event<F extends (...a: any[]) => any> {
  addListener(f: F): void;
  removeListener(f: F): void;
}
export interface StorageArea {
  get(keys?: string | string[] | null): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string | string[]): Promise<void>;
  clear?(): Promise<void>;
}

export interface Messenger {
  runtime: {
    getURL(path: string): string;
    getManifest(): { version: string; name: string };
    sendMessage(msg: unknown): Promise<any>;
    onMessage: Event<(msg: any, sender: unknown) => Promise<unknown> | undefined | void>;
    openOptionsPage(): Promise<void>;
  };
  storage: {
    local: StorageArea & { onChanged?: Event<(changes: Record<string, unknown>) => void> };
    session?: StorageArea;
    managed: StorageArea;
    onChanged: Event<(changes: Record<string, { oldValue?: unknown; newValue?: unknown }>, area: string) => void>;
  };
  tabs: {
    query(q: { active?: boolean; currentWindow?: boolean; lastFocusedWindow?: boolean }): Promise<Tab[]>;
    remove(tabId: number): Promise<void>;
    onRemoved: Event<(tabId: number) => void>;
    /** Compose tabs too (type "messageCompose"); the compose API waits until such a tab is ready. */
    onCreated: Event<(tab: Tab) => void>;
  };
  windows: {
    remove(windowId: number): Promise<void>;
    create(d: { type?: 'normal' | 'popup'; url?: string; width?: number; height?: number }): Promise<{ id: number }>;
  };
  messages: {
    getRaw(id: number, opts: { data_format: 'File'; decrypt?: boolean }): Promise<File>;
    getRaw(id: number, opts: { data_format: 'BinaryString'; decrypt?: boolean }): Promise<string>;
    get(id: number): Promise<MessageHeader>;
    /** The message's parts; `headers` by lower-case name, each a list of (decoded) values. */
    getFull(id: number): Promise<{ headers?: Record<string, string[]> }>;
    continueList(listId: string): Promise<MessageList>;
    /** messagesUpdate. */
    update(id: number, props: { tags?: string[] }): Promise<void>;
    /** accountsRead + messagesMove. */
    move(ids: number[], folderId: string): Promise<void>;
    /** accountsRead; the second argument (monitorAllFolders) is left at its default: inbox and normal folders. */
    onNewMailReceived: Event<(folder: MailFolder, list: MessageList) => void>;
    onMoved: Event<(original: MessageList, moved: MessageList) => void>;
    tags: {
      /** messagesTagsList. */
      list(): Promise<{ key: string; tag: string; color: string }[]>;
      /** messagesTags. */
      create(key: string, tag: string, color: string): Promise<void>;
    };
  };
  accounts: {
    get(accountId: string, includeSubFolders?: boolean): Promise<{ id: string; rootFolder: MailFolder } | null>;
  };
  folders: {
    getSubFolders(folderId: string, includeSubFolders?: boolean): Promise<MailFolder[]>;
    /** accountsFolders. */
    create(parentId: string, name: string): Promise<MailFolder>;
  };
  messageDisplay: {
    getDisplayedMessages(tabId: number): Promise<MessageList | MessageHeader[]>;
    onMessagesDisplayed: Event<(tab: Tab, list: MessageList | MessageHeader[]) => void>;
  };
  messageDisplayAction: ActionApi;
  mailTabs: {
    onSelectedMessagesChanged: Event<(tab: Tab, list: MessageList | MessageHeader[]) => void>;
  };
  composeAction: ActionApi;
  compose: {
    getComposeDetails(tabId: number): Promise<ComposeDetails>;
    setComposeDetails(tabId: number, details: ComposeDetails): Promise<void>;
    listAttachments(tabId: number): Promise<ComposeAttachment[]>;
    getAttachmentFile(id: number): Promise<File>;
    onBeforeSend: Event<(tab: Tab, details: ComposeDetails) => Promise<{ cancel?: boolean } | void> | void>;
  };
  contacts?: unknown;
  permissions: PermissionsApi;
  /** Needs the "notifications" permission: reminders that the user's own certificate expires (identity-watch.ts),
   * and why a send was refused by the organisation's rules (sender.ts). */
  notifications: {
    create(id: string, options: { type: 'basic'; title: string; message: string; iconUrl?: string }): Promise<string>;
  };
  smimeSend: SmimeSendApi;
}

/** Optional host permissions (manifest `optional_host_permissions`): what online checks need. */
export interface PermissionSet {
  permissions?: string[];
  origins?: string[];
}
export interface PermissionsApi {
  contains(p: PermissionSet): Promise<boolean>;
  /** Only from a user input handler (a click), called before anything is awaited there. */
  request(p: PermissionSet): Promise<boolean>;
  remove(p: PermissionSet): Promise<boolean>;
  onAdded: Event<(p: PermissionSet) => void>;
  onRemoved: Event<(p: PermissionSet) => void>;
}

/** The Experiment API in experiments/smimeSend (see schema.json and implementation.js there). */
export interface SmimeSendApi {
  /**
   * Sends `raw` (a binary string: one char per byte, CRLF line ends) as-is through the outgoing server of the
   * compose tab's identity. The experiment reads identity and recipients from the compose window itself and
   * refuses anything that is not an S/MIME message of that draft: envelope recipients outside the tab's
   * To/Cc/Bcc, a From other than the window's, a Bcc header, To/Cc addresses the window does not show.
   */
  sendRaw(
    tabId: number,
    raw: string,
    options: {
      /** Envelope recipients (RCPT TO); each must be one of the tab's To, Cc or Bcc. */
      recipients: string[];
      /** Store a copy in the identity's Sent folder. */
      saveCopy: boolean;
    },
  ): Promise<{ ok: boolean; error?: string; copied?: boolean }>;
}

export const messenger = polyfill as unknown as Messenger;

/** MV3 returns a MessageList; be tolerant of the bare array older builds returned. */
export function messagesOf(list: MessageList | MessageHeader[]): MessageHeader[] {
  return Array.isArray(list) ? list : list.messages;
}

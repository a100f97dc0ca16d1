/**
 * The read side's logic: when Thunderbird shows a message, read its raw bytes, run the core, and put the
 * verdict on the message display action of that tab. Host calls go through HostAdapter (host.ts).
 *
 * - A verdict is cached per message id: re-opening a message sets the badge without reading it again.
 * - The same message shown in two tabs is checked once (in-flight checks are shared).
 * - While a check runs the action shows "checking"; a result that arrives after the tab moved on to another
 *   message is cached but not shown there. Thunderbird's UI never waits for us: the background page runs in
 *   the extension process, and the display event does not await the check.
 * - Messages larger than `maxBytes` are not read at all (a verdict says so): bounded memory.
 */
import type { Verdict } from '../src/index';
import { hostErrorVerdict } from '../ui/host-verdict';
import { CHECKING_STATE, MANY_STATE, actionStateFor } from './action-state';
import type { HostAdapter } from './host';
import type { MessageHeader } from './messenger';
import { VerdictCache } from './verdict-cache';

export interface CheckResult {
  verdict: Verdict;
  /** The text of a message we decrypted with the user's key (plain text only, never HTML). */
  plainText?: string;
  /** Sentences shown with the verdict, e.g. that the stored keys are locked. */
  notes?: string[];
  /** Time from the start of the check to the verdict, ms; and the raw size. */
  ms: number;
  bytes: number;
  /** Of `ms`: reading the message from Thunderbird (getRaw). */
  readMs?: number;
}

/**
 * Runs the core on raw bytes (verifyMessage with the user's trust settings and keys). `msg` is the header
 * Thunderbird shows (its author is the From the organisation's inbound rule checks too).
 */
export type CheckFn = (raw: Uint8Array, msg?: MessageHeader) => Promise<Omit<CheckResult, 'ms' | 'bytes' | 'readMs'>>;

export type TabResult =
  | { state: 'done'; messageId: number; result: CheckResult }
  | { state: 'none'; why: string };

export interface CheckerOptions {
  maxBytes?: number;
  cacheSize?: number;
  log?: (line: string) => void;
  now?: () => number;
}

export const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export class Checker {
  private readonly cache: VerdictCache<CheckResult>;
  private readonly inflight = new Map<number, Promise<CheckResult>>();
  /** tab id → the one message shown there (absent: none or several). */
  private readonly shown = new Map<number, number>();
  private readonly maxBytes: number;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  /** Bumped by invalidate(), so checks started under old settings are not cached. */
  private generation = 0;

  constructor(
    private readonly host: HostAdapter,
    private check: CheckFn,
    opts: CheckerOptions = {},
  ) {
    // New mail is checked as it arrives (new-mail.ts): the cache holds a burst's worth so each opens at once.
    this.cache = new VerdictCache(opts.cacheSize ?? 1000);
    this.maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
    this.log = opts.log ?? (() => undefined);
    this.now = opts.now ?? (() => Date.now());
  }

  /** Trust settings or keys changed: forget every verdict and use `check` from now on. */
  invalidate(check?: CheckFn): void {
    if (check) this.check = check;
    this.generation++;
    this.cache.clear();
    this.inflight.clear();
  }

  /** messageDisplay.onMessagesDisplayed. Resolves when the action shows the verdict (for tests and timing). */
  async onDisplayed(tabId: number, messages: MessageHeader[]): Promise<void> {
    if (messages.length !== 1) {
      this.shown.delete(tabId);
      await this.host.showState(tabId, MANY_STATE);
      return;
    }
    const msg = messages[0];
    this.shown.set(tabId, msg.id);
    const t0 = this.now();
    const cached = this.cache.get(msg.id);
    if (!cached) await this.host.showState(tabId, CHECKING_STATE);
    const result = cached ?? (await this.resultFor(msg));
    if (this.shown.get(tabId) !== msg.id) return; // the tab moved on meanwhile
    await this.host.showState(tabId, actionStateFor(result.verdict));
    this.log(
      `message ${msg.id}: ${result.verdict.verdict} (${result.bytes} bytes, check ${result.ms} ms of which read ${result.readMs ?? 0} ms, ` +
        `badge ${this.now() - t0} ms${cached ? ', cached' : ''})`,
    );
  }

  onTabClosed(tabId: number): void {
    this.shown.delete(tabId);
  }

  /** What the popup of a tab shows: the verdict of its one displayed message. */
  async forTab(tabId: number): Promise<TabResult> {
    const msgs = await this.host.displayedMessages(tabId);
    if (msgs.length === 0) return { state: 'none', why: 'No message is shown.' };
    if (msgs.length > 1) return { state: 'none', why: 'Select one message to check its signature.' };
    return { state: 'done', messageId: msgs[0].id, result: await this.resultFor(msgs[0]) };
  }

  /** The verdict of one message by id (the reader window for messages Thunderbird could not show). */
  async forMessage(msg: MessageHeader): Promise<TabResult> {
    return { state: 'done', messageId: msg.id, result: await this.resultFor(msg) };
  }

  /** "Verify again" in the popup: forget this tab's message's verdict, check it anew, update the button. */
  async recheck(tabId: number): Promise<TabResult> {
    const msgs = await this.host.displayedMessages(tabId);
    if (msgs.length === 1) {
      this.cache.delete(msgs[0].id);
      this.inflight.delete(msgs[0].id);
      await this.onDisplayed(tabId, msgs);
    }
    return this.forTab(tabId);
  }

  /** A message moved (quarantine, the user's filters): Thunderbird gives it a new id; its verdict goes along. */
  moved(oldId: number, newId: number): void {
    const r = this.cache.get(oldId);
    if (r) this.cache.set(newId, r);
  }

  /** The cached result, the running check, or a new one. */
  resultFor(msg: MessageHeader): Promise<CheckResult> {
    const cached = this.cache.get(msg.id);
    if (cached) return Promise.resolve(cached);
    const running = this.inflight.get(msg.id);
    if (running) return running;
    const gen = this.generation;
    const p = this.run(msg).then((r) => {
      if (gen === this.generation) {
        this.cache.set(msg.id, r);
        this.inflight.delete(msg.id);
      }
      return r;
    });
    this.inflight.set(msg.id, p);
    return p;
  }

  private async run(msg: MessageHeader): Promise<CheckResult> {
    const t0 = this.now();
    if (msg.size > this.maxBytes) {
      return { verdict: tooLarge(msg.size, this.maxBytes), ms: 0, bytes: msg.size };
    }
    let bytes = 0;
    try {
      const raw = await this.host.readRaw(msg.id);
      const readMs = this.now() - t0;
      bytes = raw.byteLength;
      if (bytes > this.maxBytes) return { verdict: tooLarge(bytes, this.maxBytes), ms: this.now() - t0, bytes, readMs };
      const r = await this.check(raw, msg);
      return { ...r, ms: this.now() - t0, bytes, readMs };
    } catch (e) {
      // verifyMessage never throws for a bad message; this is a host failure (message gone, read error).
      this.log(`message ${msg.id}: check failed: ${String(e)}`);
      return { verdict: failed(String((e as Error)?.message ?? e)), ms: this.now() - t0, bytes };
    }
  }
}

function tooLarge(size: number, max: number): Verdict {
  const mb = (n: number) => `${(n / 1048576).toFixed(1)} MB`;
  return hostErrorVerdict(
    'limit-exceeded',
    `This message (${mb(size)}) is larger than the ${mb(max)} this add-on checks, so its signature was not checked.`,
  );
}

function failed(detail: string): Verdict {
  return hostErrorVerdict('internal-error', `Thunderbird could not hand over this message to be checked (${detail}).`);
}

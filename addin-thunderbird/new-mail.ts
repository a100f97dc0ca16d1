/**
 * Receive side, automatically: every message Thunderbird reports as new (messages.onNewMailReceived) is checked in
 * the background as it arrives — verdict, the organisation's inbound rule, inbound.action, an audit event — not
 * only when someone opens it. The verdict lands in the checker's cache, so a message opened later shows it at once.
 *
 * Bounded work: a queue of message ids drained by at most `concurrency` (default 2) checks at a time, so a burst
 * of 1,000 new messages never holds more than two raw messages in memory and never runs more than two checks at
 * once in the background page (Thunderbird's UI thread is never involved: the page is the extension process). The
 * queue itself holds only MessageHeader objects and is bounded by `maxQueued`; past it, the oldest waiting ids are
 * dropped with a log line — those messages are still checked when displayed, as before.
 *
 * Actions (inbound.action), for a rule violation or an invalid signature: 'flag' = verdict + audit event; 'tag' =
 * also the policy's tag on the message (messages.update); 'quarantine' = also moved to the policy's folder at the
 * top of the message's account (created if missing). A message already in that folder is not moved again.
 */
import { auditEventForInbound, needsInboundAction, type AuditEvent, type Policy, type Verdict } from '../src/index';
import type { CheckResult } from './checker';
import type { MessageHeader } from './messenger';

/** What the queue needs from Thunderbird, behind an interface so it runs under Node with a fake. */
export interface InboundHost {
  /** Adds a tag (created with `label` if no tag has that label yet) to a message. */
  tag(msg: MessageHeader, label: string): Promise<void>;
  /** Moves a message to the folder `name` at the top of its account (created if missing); false when already there. */
  quarantine(msg: MessageHeader, name: string): Promise<boolean>;
}

export interface NewMailOptions {
  concurrency?: number;
  maxQueued?: number;
  log?: (line: string) => void;
  audit?: (e: AuditEvent) => void;
  now?: () => number;
}

export interface NewMailStats {
  done: number;
  violations: number;
  tagged: number;
  quarantined: number;
  dropped: number;
  failed: number;
  /** Most checks running at once (bounded by concurrency). */
  peakRunning: number;
  /** Most messages waiting at once. */
  peakQueued: number;
  /** Sum of check times (read + verify + action), ms. */
  totalMs: number;
}

export class NewMailQueue {
  private readonly queue: MessageHeader[] = [];
  private head = 0;
  private running = 0;
  private readonly concurrency: number;
  private readonly maxQueued: number;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private idleWaiters: (() => void)[] = [];
  readonly stats: NewMailStats = { done: 0, violations: 0, tagged: 0, quarantined: 0, dropped: 0, failed: 0, peakRunning: 0, peakQueued: 0, totalMs: 0 };

  constructor(
    /** The checker's cached check (Checker.resultFor): the verdict is cached for display. */
    private readonly resultFor: (msg: MessageHeader) => Promise<CheckResult>,
    private readonly host: InboundHost,
    private readonly policy: () => Promise<Policy>,
    private readonly opts: NewMailOptions = {},
  ) {
    this.concurrency = Math.max(1, Math.min(opts.concurrency ?? 2, 4));
    this.maxQueued = opts.maxQueued ?? 50_000;
    this.log = opts.log ?? (() => undefined);
    this.now = opts.now ?? (() => performance.now());
  }

  get pending(): number {
    return this.queue.length - this.head + this.running;
  }

  /** messages.onNewMailReceived (each page of the list). Returns at once; the work happens in the background. */
  enqueue(messages: MessageHeader[]): void {
    for (const m of messages) {
      if (this.queue.length - this.head >= this.maxQueued) {
        this.head++;
        this.stats.dropped++;
      }
      this.queue.push(m);
    }
    // Compact now and then so the array does not grow with everything ever queued.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    this.stats.peakQueued = Math.max(this.stats.peakQueued, this.queue.length - this.head);
    if (this.stats.dropped) this.log(`new mail: queue full, ${this.stats.dropped} message(s) left for checking on display`);
    this.pump();
  }

  /** Resolves when nothing is queued or running (tests, timing). */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private pump(): void {
    while (this.running < this.concurrency && this.head < this.queue.length) {
      const msg = this.queue[this.head];
      this.queue[this.head++] = undefined as unknown as MessageHeader; // let the header go
      this.running++;
      this.stats.peakRunning = Math.max(this.stats.peakRunning, this.running);
      void this.process(msg).finally(() => {
        this.running--;
        this.pump();
        if (this.pending === 0) {
          const s = this.stats;
          this.log(
            `new mail: ${s.done} checked (${s.violations} violations, ${s.tagged} tagged, ${s.quarantined} quarantined, ${s.failed} failed), ` +
              `${(s.totalMs / Math.max(1, s.done + s.failed)).toFixed(1)} ms each, at most ${s.peakRunning} at once, ${s.peakQueued} queued at most`,
          );
          const w = this.idleWaiters;
          this.idleWaiters = [];
          for (const f of w) f();
        }
      });
    }
  }

  private async process(msg: MessageHeader): Promise<void> {
    const t0 = this.now();
    try {
      const policy = await this.policy();
      const { verdict } = await this.resultFor(msg);
      if (needsInboundAction(verdict)) await this.act(msg, verdict, policy);
      this.stats.done++;
    } catch (e) {
      this.stats.failed++;
      this.log(`new mail ${msg.id}: ${String(e)}`);
    } finally {
      this.stats.totalMs += this.now() - t0;
    }
  }

  private async act(msg: MessageHeader, v: Verdict, policy: Policy): Promise<void> {
    this.stats.violations++;
    const action = policy.inbound.action;
    let done: 'flag' | 'tag' | 'quarantine' = 'flag';
    try {
      if (action === 'tag' || action === 'quarantine') {
        await this.host.tag(msg, policy.inbound.tagName);
        this.stats.tagged++;
        done = 'tag';
      }
      if (action === 'quarantine' && (await this.host.quarantine(msg, policy.inbound.quarantineFolder))) {
        this.stats.quarantined++;
        done = 'quarantine';
      }
    } catch (e) {
      // The verdict and the alert stand even when Thunderbird refused the tag or the move; the event says what was done.
      this.log(`new mail ${msg.id}: ${action} failed: ${String(e)}`);
    }
    this.log(`new mail ${msg.id}: ${v.verdict}, ${v.reasons[0]?.code ?? ''}: ${done}`);
    this.opts.audit?.(auditEventForInbound(v, done, { host: 'thunderbird' }));
  }
}

/**
 * Forwarding audit events, in batches, to the HTTPS endpoint policy names (`audit.endpoint`) or through another
 * transport (the CLI's syslog sender, cli/syslog.ts), with the same queue and retry for every transport.
 *
 * Nothing is lost across restarts: an event is written to the persisted queue (QueueStore) before any attempt
 * to send it, and leaves the queue only after the endpoint answered 2xx for its batch. Delivery is therefore
 * at least once; each event carries a random `id` for the receiver to drop duplicates. When the endpoint is
 * down, sending is retried with exponential backoff (base × 2^attempt, capped, with jitter). The queue is
 * bounded (`maxQueue`): past it the oldest events are dropped and counted, so the loss is visible.
 *
 * Request: POST, `content-type: application/json`, body `{"events":[…]}`, each event in the add-in's own form or
 * as an ECS document (audit.format, src/audit/ecs.ts). HTTPS only; plain http is accepted only for loopback
 * hosts, the same rule policy validation applies (src/policy/loopback.ts).
 * Limit: the Outlook task pane can reach the endpoint only if it sends CORS headers for the add-in's origin.
 */
import { isLoopbackHttp } from '../policy/loopback';
import { toEcs } from './ecs';
import type { AuditEvent } from './event';

/** The JSON an event is forwarded as (policy audit.format). */
export type AuditFormat = 'native' | 'ecs';

export function formatEvent(e: AuditEvent, format: AuditFormat): unknown {
  return format === 'ecs' ? toEcs(e) : e;
}

/** Sends one batch; resolves to why it failed, or undefined once the receiver has it. Never rejects. */
export interface AuditTransport {
  send(batch: AuditEvent[]): Promise<string | undefined>;
}

export interface QueueState {
  events: AuditEvent[];
  dropped: number;
}

export interface QueueStore {
  load(): Promise<QueueState>;
  save(state: QueueState): Promise<void>;
}

export class MemoryQueueStore implements QueueStore {
  private state: QueueState = { events: [], dropped: 0 };
  async load(): Promise<QueueState> {
    return structuredClone(this.state);
  }
  async save(s: QueueState): Promise<void> {
    this.state = structuredClone(s);
  }
}

export interface ForwarderOptions {
  /** The HTTPS endpoint (a transport of its own is built for it), or: */
  endpoint?: string;
  /** another transport (the CLI's syslog sender). */
  transport?: AuditTransport;
  /** HTTPS: the JSON sent per event (default native). */
  format?: AuditFormat;
  store: QueueStore;
  batchSize?: number;
  maxQueue?: number;
  /** First retry delay; doubles per failed attempt up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Per request. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Called after each send attempt (for a settings page's status line and for tests). */
  onAttempt?: (r: FlushResult) => void;
}

export interface FlushResult {
  sent: number;
  remaining: number;
  dropped: number;
  /** Why the last attempt failed, when it did. */
  error?: string;
}

/** Why an endpoint is not acceptable, or undefined when it is. */
export function endpointProblem(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL';
  }
  if (u.username || u.password) return 'must not contain credentials';
  if (u.protocol === 'https:') return undefined;
  if (isLoopbackHttp(u)) return undefined;
  return 'must be an https:// URL';
}

export class AuditForwarder {
  private state: QueueState | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private sending = false;
  private readonly transport: AuditTransport;
  private readonly o: Required<Omit<ForwarderOptions, 'fetch' | 'onAttempt' | 'endpoint' | 'transport' | 'format'>> &
    Pick<ForwarderOptions, 'fetch' | 'onAttempt' | 'endpoint' | 'format'>;

  constructor(options: ForwarderOptions) {
    if (options.transport) this.transport = options.transport;
    else {
      const endpoint = options.endpoint ?? '';
      const problem = endpointProblem(endpoint);
      if (problem) throw new Error(`audit endpoint ${endpoint}: ${problem}`);
      this.transport = { send: (batch) => this.post(endpoint, batch) };
    }
    this.o = {
      batchSize: 50,
      maxQueue: 10_000,
      baseDelayMs: 1000,
      maxDelayMs: 5 * 60_000,
      timeoutMs: 10_000,
      ...options,
    };
  }

  /** Runs state changes one at a time (enqueue and the end of a send may interleave otherwise). */
  private locked<T>(f: (s: QueueState) => Promise<T> | T): Promise<T> {
    const next = this.chain.then(async () => {
      this.state ??= await this.o.store.load();
      return f(this.state);
    });
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** Persists the events for sending. Resolves once they are in the store. */
  enqueue(...events: AuditEvent[]): Promise<void> {
    return this.locked(async (s) => {
      s.events.push(...events.map((e) => structuredClone(e)));
      const over = s.events.length - this.o.maxQueue;
      if (over > 0) {
        s.events.splice(0, over);
        s.dropped += over;
      }
      await this.o.store.save(s);
    }).then(() => {
      if (this.running && !this.timer && !this.sending) this.schedule(0);
    });
  }

  async pending(): Promise<QueueState> {
    return this.locked((s) => structuredClone(s));
  }

  /** Sends batches until the queue is empty or a send fails. */
  async flush(): Promise<FlushResult> {
    let sent = 0;
    this.sending = true;
    try {
      for (;;) {
        const batch = await this.locked((s) => s.events.slice(0, this.o.batchSize));
        if (batch.length === 0) break;
        const error = await this.transport.send(batch).catch((e: unknown) => `could not send: ${e instanceof Error ? e.message : String(e)}`);
        if (error) {
          this.attempt++;
          const r = await this.locked((s) => ({ sent, remaining: s.events.length, dropped: s.dropped, error }));
          this.o.onAttempt?.(r);
          return r;
        }
        this.attempt = 0;
        const ids = new Set(batch.map((e) => e.id));
        await this.locked(async (s) => {
          s.events = s.events.filter((e) => !ids.has(e.id));
          await this.o.store.save(s);
        });
        sent += batch.length;
      }
      const r = await this.locked((s) => ({ sent, remaining: s.events.length, dropped: s.dropped }));
      this.o.onAttempt?.(r);
      return r;
    } finally {
      this.sending = false;
    }
  }

  private async post(endpoint: string, batch: AuditEvent[]): Promise<string | undefined> {
    const doFetch = this.o.fetch ?? globalThis.fetch.bind(globalThis);
    const ctl = new AbortController();
    const t = setTimeout(() => ctl.abort(), this.o.timeoutMs);
    const format = this.o.format ?? 'native';
    try {
      const res = await doFetch(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ events: batch.map((e) => formatEvent(e, format)) }),
        signal: ctl.signal,
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
      await res.body?.cancel().catch(() => undefined);
      return res.ok ? undefined : `the endpoint answered HTTP ${res.status}`;
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : undefined;
      return ctl.signal.aborted ? `no answer within ${this.o.timeoutMs} ms` : `could not reach the endpoint: ${cause ?? (e instanceof Error ? e.message : String(e))}`;
    } finally {
      clearTimeout(t);
    }
  }

  /** The delay before the next retry after `attempt` failures (exponential, capped, jittered 50–100 %). */
  retryDelayMs(attempt = this.attempt): number {
    const raw = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** Math.max(0, attempt - 1));
    return Math.round(raw * (0.5 + Math.random() / 2));
  }

  /** Background mode: flush now, retry with backoff on failure, flush again whenever events are enqueued. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule(0);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().then(
        (r) => {
          if (!this.running) return;
          if (r.error) this.schedule(this.retryDelayMs());
          else if (r.remaining > 0) this.schedule(0);
        },
        () => this.running && this.schedule(this.retryDelayMs()),
      );
    }, ms);
  }
}

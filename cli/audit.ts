/**
 * The CLI's audit log: a JSON Lines file (path from --audit FILE or the policy's audit.file), bounded like the
 * hosts' IndexedDB log (oldest lines dropped past audit.maxEvents; the count kept in FILE.state.json), and,
 * when policy names audit.endpoint or audit.syslog, forwarding through a queue per destination persisted in
 * FILE.queue.json / FILE.syslog-queue.json (or ~/.smime-addin/audit-queue.json / audit-syslog-queue.json without
 * an audit file): each run tries once to send what is queued, and what could not be sent waits for the next run. Files are replaced atomically (write, then rename).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  AuditForwarder,
  applyAuditPolicy,
  parseSyslogTarget,
  filterEvents,
  readAuditEvent,
  readAuditEvents,
  type AuditEvent,
  type AuditFilter,
  type AuditLog,
  type AuditLogStats,
  type QueueState,
  type QueueStore,
} from '../src/audit/index';
import type { Policy } from '../src/policy/index';
import { CliError } from './commands/types';
import { syslogTransport } from './syslog';

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

function readJson<T>(path: string, fallback: T): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return fallback;
  }
}

export class FileAuditLog implements AuditLog {
  constructor(
    readonly path: string,
    readonly maxEvents: number,
  ) {}

  private read(): AuditEvent[] {
    if (!existsSync(this.path)) return [];
    const out: AuditEvent[] = [];
    for (const line of readFileSync(this.path, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const e = readAuditEvent(JSON.parse(line) as unknown);
        if (e) out.push(e);
      } catch {
        // A damaged line (e.g. a crash mid-write by an older version) is skipped, not fatal.
      }
    }
    return out;
  }

  private get statePath(): string {
    return `${this.path}.state.json`;
  }

  async append(e: AuditEvent): Promise<void> {
    const events = this.read();
    events.push(e);
    const over = events.length - this.maxEvents;
    if (over > 0) {
      events.splice(0, over);
      const st = readJson<{ dropped?: number }>(this.statePath, {});
      writeAtomic(this.statePath, JSON.stringify({ dropped: (st.dropped ?? 0) + over }));
    }
    writeAtomic(this.path, events.map((x) => JSON.stringify(x)).join('\n') + '\n');
  }

  async list(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    return filterEvents(this.read(), filter);
  }

  async stats(): Promise<AuditLogStats> {
    return { count: this.read().length, dropped: readJson<{ dropped?: number }>(this.statePath, {}).dropped ?? 0, maxEvents: this.maxEvents };
  }

  async clear(): Promise<void> {
    writeAtomic(this.path, '');
    writeAtomic(this.statePath, JSON.stringify({ dropped: 0 }));
  }
}

export class FileQueueStore implements QueueStore {
  constructor(readonly path: string) {}
  async load(): Promise<QueueState> {
    const v = readJson<Partial<QueueState>>(this.path, {});
    return { events: Array.isArray(v.events) ? readAuditEvents(v.events) : [], dropped: typeof v.dropped === 'number' ? v.dropped : 0 };
  }
  async save(s: QueueState): Promise<void> {
    writeAtomic(this.path, JSON.stringify(s));
  }
}

/** What a CLI command uses: record events, then finish (one forwarding attempt per destination) before exiting. */
export class CliAudit {
  readonly log: FileAuditLog | undefined;
  /** One per destination (HTTPS endpoint, syslog), each with its own persisted queue. */
  private readonly forwarders: { name: string; forwarder: AuditForwarder }[] = [];
  private recorded = 0;

  constructor(
    private readonly policy: Policy,
    file: string | null,
    opts: { timeoutMs?: number } = {},
  ) {
    const a = policy.audit;
    this.log = a.enabled && file ? new FileAuditLog(file, a.maxEvents) : undefined;
    if (!a.enabled) return;
    const queue = (suffix: string) => (file ? `${file}.${suffix}` : join(homedir(), '.smime-addin', `audit-${suffix}`));
    const common = { batchSize: a.batchSize, maxQueue: a.maxQueue, format: a.format, timeoutMs: opts.timeoutMs ?? 5000 };
    if (a.endpoint) {
      // FILE.queue.json: the name earlier versions used, so events they queued are still sent.
      this.forwarders.push({ name: 'audit endpoint', forwarder: new AuditForwarder({ ...common, endpoint: a.endpoint, store: new FileQueueStore(queue('queue.json')) }) });
    }
    if (a.syslog) {
      const target = parseSyslogTarget(a.syslog);
      // Policy validation rejected a bad target already; this guards a Policy built in code.
      if ('problem' in target) throw new CliError(`audit.syslog ${a.syslog}: ${target.problem}`);
      const transport = syslogTransport(target, { format: a.format, timeoutMs: common.timeoutMs });
      this.forwarders.push({ name: 'syslog', forwarder: new AuditForwarder({ ...common, transport, store: new FileQueueStore(queue('syslog-queue.json')) }) });
    }
  }

  async record(event: AuditEvent): Promise<void> {
    const e = applyAuditPolicy(event, this.policy.audit);
    this.recorded++;
    await this.log?.append(e);
    for (const f of this.forwarders) await f.forwarder.enqueue(e);
  }

  /** One forwarding attempt per destination; a failure leaves the events queued for the next run and says so on stderr. */
  async finish(): Promise<void> {
    for (const { name, forwarder } of this.forwarders) {
      const r = await forwarder.flush();
      if (r.error) console.error(`smime-addin: audit events not forwarded to ${name} yet (${r.remaining} queued, will retry next run): ${r.error}`);
    }
  }
}

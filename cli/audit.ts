/**
 * The CLI's audit log: a JSON Lines file (path from --audit FILE or the policy's audit.file), bounded like the
 * hosts' IndexedDB log (oldest lines dropped past audit.maxEvents; the count kept in FILE.state.json), and,
 * when policy names audit.endpoint or audit.syslog, forwarding through a queue per destination persisted in
 * FILE.queue.json / FILE.syslog-queue.json (or ~/.smime-addin/audit-queue.json / audit-syslog-queue.json without
 * an audit file): each run tries once to send what is queued, and what could not be sent waits for the next run. Files are replaced atomically (write, then rename).
 */
import { appendFileSync, closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, writeFileSync, writeSync } from 'node:fs';
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

/** Chunk size for reading the log: memory per operation, whatever the file's size. */
const CHUNK = 1 << 20;
/** A line longer than this is not an event this program wrote (fields are clipped to 512 characters): skipped. */
const MAX_LINE = 1 << 20;

/**
 * The bytes of the file as lines, oldest first, read in chunks (never as one string: V8 strings stop at 512 MiB, and
 * a log at its permitted bound of 1,000,000 events is about 700 MB). `skip` lines are passed over without decoding.
 */
function* fileLines(path: string, skip = 0): Generator<string> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return;
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    let parts: Buffer[] = [];
    let bytes = 0;
    let n = 0; // lines ended so far
    const keep = (from: number, to: number) => {
      if (n < skip) return;
      bytes += to - from;
      if (bytes <= MAX_LINE) parts.push(Buffer.from(buf.subarray(from, to)));
    };
    for (;;) {
      const got = readSync(fd, buf, 0, CHUNK, null);
      if (got === 0) break;
      for (let p = 0; ; ) {
        const nl = buf.indexOf(0x0a, p);
        if (nl === -1 || nl >= got) {
          keep(p, got);
          break;
        }
        keep(p, nl);
        const line = n++ >= skip && bytes <= MAX_LINE ? Buffer.concat(parts).toString('utf8') : undefined;
        parts = [];
        bytes = 0;
        p = nl + 1;
        if (line !== undefined) yield line;
      }
    }
    if (bytes > 0 && bytes <= MAX_LINE) yield Buffer.concat(parts).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** Lines in the file (a last line without its newline counts), and the byte offset just after line `after`. */
function countLines(path: string, after = -1): { lines: number; offset: number } {
  let lines = 0;
  let offset = 0;
  let pos = 0;
  let last = 0x0a;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { lines: 0, offset: 0 };
  }
  try {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const got = readSync(fd, buf, 0, CHUNK, null);
      if (got === 0) break;
      for (let p = buf.indexOf(0x0a, 0); p !== -1 && p < got; p = buf.indexOf(0x0a, p + 1)) {
        if (lines++ === after) offset = pos + p + 1;
      }
      last = buf[got - 1];
      pos += got;
    }
  } finally {
    closeSync(fd);
  }
  if (last !== 0x0a) lines++;
  return { lines, offset };
}

/**
 * The CLI's JSON Lines audit log. An event is one appended line (O_APPEND): recording costs the same whether the
 * log holds ten events or a million. Before, each event read, parsed and rewrote the whole file: at 500,000 events
 * one `verify` took 11 s and 2.5 GB, and at the permitted bound (audit.maxEvents 1,000,000, ~700 MB) every command
 * failed ("Cannot create a string longer than 0x1fffffe8 characters") and the event was lost.
 * The bound: the file may run up to a tenth over maxEvents (at least 100 lines); then the oldest lines are cut in
 * one streamed copy (write, then rename) and counted as dropped, so the cut costs one pass per maxEvents/10 events.
 * Readers see only the newest maxEvents. Damaged lines are skipped and, unlike before, no longer erased by the next
 * append.
 */
export class FileAuditLog implements AuditLog {
  constructor(
    readonly path: string,
    readonly maxEvents: number,
  ) {}

  private get statePath(): string {
    return `${this.path}.state.json`;
  }

  private state(): { dropped?: number; lines?: number } {
    return readJson<{ dropped?: number; lines?: number }>(this.statePath, {});
  }

  private get slack(): number {
    return Math.max(100, Math.floor(this.maxEvents / 10));
  }

  /** Events oldest first, the newest maxEvents only, read line by line. */
  *events(): Generator<AuditEvent> {
    const { lines } = countLines(this.path);
    for (const line of fileLines(this.path, Math.max(0, lines - this.maxEvents))) {
      if (!line.trim()) continue;
      try {
        const e = readAuditEvent(JSON.parse(line) as unknown);
        if (e) yield e;
      } catch {
        // A damaged line (e.g. a crash mid-write by an older version) is skipped, not fatal.
      }
    }
  }

  async append(e: AuditEvent): Promise<void> {
    mkdirSync(dirname(this.path), { recursive: true });
    appendFileSync(this.path, JSON.stringify(e) + '\n', { mode: 0o600 });
    const st = this.state();
    const lines = (typeof st.lines === 'number' && st.lines >= 0 ? st.lines : countLines(this.path).lines - 1) + 1;
    if (lines <= this.maxEvents + this.slack) {
      writeAtomic(this.statePath, JSON.stringify({ ...st, lines }));
      return;
    }
    // Cut the oldest lines: count again (another process may have appended), then copy the rest in chunks.
    const total = countLines(this.path).lines;
    const over = total - this.maxEvents;
    if (over <= 0) {
      writeAtomic(this.statePath, JSON.stringify({ ...st, lines: total })); // another process cut it meanwhile
      return;
    }
    const { offset } = countLines(this.path, over - 1);
    const tmp = `${this.path}.${process.pid}.tmp`;
    const from = openSync(this.path, 'r');
    const to = openSync(tmp, 'w', 0o600);
    try {
      const buf = Buffer.allocUnsafe(CHUNK);
      for (let pos = offset; ; ) {
        const got = readSync(from, buf, 0, CHUNK, pos);
        if (got === 0) break;
        writeSync(to, buf, 0, got);
        pos += got;
      }
    } finally {
      closeSync(from);
      closeSync(to);
    }
    renameSync(tmp, this.path);
    writeAtomic(this.statePath, JSON.stringify({ dropped: (st.dropped ?? 0) + over, lines: this.maxEvents }));
  }

  async list(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    return filterEvents([...this.events()], filter);
  }

  /**
   * `count` is the lines readers see (a damaged line counts): one pass over the bytes, nothing parsed. Lines past the
   * bound not cut yet count as dropped already (readers no longer see them).
   */
  async stats(): Promise<AuditLogStats> {
    const { lines } = countLines(this.path);
    return { count: Math.min(lines, this.maxEvents), dropped: (this.state().dropped ?? 0) + Math.max(0, lines - this.maxEvents), maxEvents: this.maxEvents };
  }

  async clear(): Promise<void> {
    writeAtomic(this.path, '');
    writeAtomic(this.statePath, JSON.stringify({ dropped: 0, lines: 0 }));
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

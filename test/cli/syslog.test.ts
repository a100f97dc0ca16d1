// The CLI forwards audit events (checks and policy violations) to a real syslog receiver: Debian's rsyslogd, started here on 127.0.0.1 with its own
// config, work directory and pid file, writing each raw message to a file. What it wrote is compared with the
// events in the audit log: over TCP (RFC 5424, RFC 6587 octet counting) none lost and none duplicated across a
// receiver restart in the middle (stopped: events queue in FILE.syslog-queue.json; back: the next run drains
// them). Over UDP, best effort: what arrives while the receiver is up is checked; what happens while it is down
// is reported, not promised.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../support/corpus';

const CLI = join(ROOT, 'dist', 'cli', 'smime-addin.cjs');
const RSYSLOGD = ['/usr/sbin/rsyslogd', '/sbin/rsyslogd'].find((p) => existsSync(p));

function tcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
    s.on('error', reject);
  });
}

function udpPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.bind(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => resolve(p));
    });
  });
}

class Rsyslog {
  private child: ChildProcess | undefined;
  readonly tcpLog: string;
  readonly udpLog: string;
  private readonly conf: string;
  private readonly pidFile: string;
  stderr = '';

  constructor(
    readonly dir: string,
    readonly tcp: number,
    readonly udp: number,
  ) {
    this.tcpLog = join(dir, 'tcp.log');
    this.udpLog = join(dir, 'udp.log');
    this.conf = join(dir, 'rsyslog.conf');
    this.pidFile = join(dir, 'rsyslogd.pid');
    mkdirSync(join(dir, 'work'), { recursive: true });
    // No imuxsock/imklog: this instance touches no system log socket; only our two inputs, on loopback.
    writeFileSync(
      this.conf,
      `global(workDirectory="${dir}/work" maxMessageSize="64k")
module(load="imtcp")
module(load="imudp")
template(name="raw" type="string" string="%rawmsg%\\n")
ruleset(name="tcp") { action(type="omfile" file="${this.tcpLog}" template="raw") }
ruleset(name="udp") { action(type="omfile" file="${this.udpLog}" template="raw") }
input(type="imtcp" address="127.0.0.1" port="${tcp}" ruleset="tcp")
input(type="imudp" address="127.0.0.1" port="${udp}" ruleset="udp")
`,
    );
  }

  async start(): Promise<void> {
    const check = spawnSync(RSYSLOGD!, ['-N1', '-f', this.conf], { encoding: 'utf8' });
    assert.equal(check.status, 0, `rsyslogd -N1: ${check.stderr}`);
    this.child = spawn(RSYSLOGD!, ['-n', '-f', this.conf, '-i', this.pidFile], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    const deadline = Date.now() + 10_000;
    for (;;) {
      const up = await new Promise<boolean>((r) => {
        const s = connect(this.tcp, '127.0.0.1');
        s.on('connect', () => (s.destroy(), r(true)));
        s.on('error', () => r(false));
      });
      if (up) return;
      if (this.child.exitCode !== null || Date.now() > deadline) throw new Error(`rsyslogd did not start: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    const c = this.child;
    if (!c || c.exitCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGTERM');
    await exited;
    this.child = undefined;
  }

  lines(which: 'tcp' | 'udp'): string[] {
    const f = which === 'tcp' ? this.tcpLog : this.udpLog;
    return existsSync(f) ? readFileSync(f, 'utf8').split('\n').filter(Boolean) : [];
  }

  async waitFor(which: 'tcp' | 'udp', n: number, ms = 10_000): Promise<string[]> {
    const deadline = Date.now() + ms;
    while (this.lines(which).length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    return this.lines(which);
  }
}

function message(i: number, from: string): string {
  return [`From: Sender ${i} <${from}>`, 'To: me@example.com', `Subject: secret subject ${i}`, `Message-ID: <m${i}@test>`, 'Date: Mon, 1 Dec 2026 08:00:00 +0000', '', 'hello', ''].join('\r\n');
}

/** RFC 5424 header fields and the MSG (the ECS JSON) of one line as rsyslog wrote it (%rawmsg%). */
function parse(line: string): { pri: number; version: string; appName: string; msgId: string; sd: string; doc: any } {
  const m = /^<(\d{1,3})>(\d) (\S+) (\S+) (\S+) (\S+) (\S+) (\[origin [^\]]*\]) (\{.*\})$/.exec(line);
  assert.ok(m, `an RFC 5424 message with the JSON as MSG: ${line.slice(0, 200)}`);
  return { pri: Number(m[1]), version: m[2], appName: m[5], msgId: m[7], sd: m[8], doc: JSON.parse(m[9]) };
}

test('CLI audit events reach rsyslog over TCP (octet counting) and UDP; none lost or duplicated across a receiver restart', { skip: RSYSLOGD ? false : 'rsyslogd not installed (Debian package rsyslog)' }, async (t) => {
  if (!existsSync(CLI)) return t.skip('dist/cli not built (npx webpack --mode production)');
  const dir = mkdtempSync(join(tmpdir(), 'syslog-'));
  const rs = new Rsyslog(dir, await tcpPort(), await udpPort());
  const files = ['alice@example.com', 'bob@partner.example', 'eve@elsewhere.example'].map((from, i) => {
    const f = join(dir, `m${i}.eml`);
    writeFileSync(f, message(i, from));
    return f;
  });
  const auditFile = join(dir, 'audit.jsonl');
  // Mail from example.com must be signed: alice's unsigned message is also a policy.violation (the SOC's alert).
  const policy = (target: string) => {
    const p = join(dir, `policy-${target.slice(0, 3)}.json`);
    writeFileSync(p, JSON.stringify({ audit: { syslog: target, format: 'ecs' }, inbound: { requireSignedFrom: ['example.com'] } }));
    return p;
  };
  const tcpPolicy = policy(`tcp://127.0.0.1:${rs.tcp}`);
  const run = (policyFile: string, audit = auditFile) => spawnSync(process.execPath, [CLI, 'verify', ...files, '--policy', policyFile, '--audit', audit], { encoding: 'utf8' });
  const queued = (audit = auditFile) => {
    const q = `${audit}.syslog-queue.json`;
    return existsSync(q) ? (JSON.parse(readFileSync(q, 'utf8')) as { events: unknown[] }).events.length : 0;
  };

  await rs.start();
  try {
    // Up: two runs, 4 events each (3 messages checked, 1 violation).
    for (let k = 0; k < 2; k++) assert.equal(run(tcpPolicy).stderr, '', 'no forwarding complaint while the receiver is up');
    assert.equal(queued(), 0);
    assert.equal((await rs.waitFor('tcp', 8)).length, 8);

    // Down: two runs; events wait in the queue, the CLI says so in one line per run.
    await rs.stop();
    const down = [run(tcpPolicy), run(tcpPolicy)];
    for (const r of down) assert.match(r.stderr, /^smime-addin: audit events not forwarded to syslog yet \(\d+ queued, will retry next run\): could not deliver to tcp:\/\/127\.0\.0\.1:\d+: ECONNREFUSED\n$/);
    assert.equal(queued(), 8);

    // Back on the same port: the next run sends its 4 events and the 8 queued ones.
    await rs.start();
    assert.equal(run(tcpPolicy).stderr, '');
    assert.equal(queued(), 0);
    await rs.stop(); // rsyslog writes everything out on shutdown

    const logged = readFileSync(auditFile, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(logged.length, 20);
    const lines = rs.lines('tcp');
    const got = lines.map(parse);
    const ids = got.map((g) => g.doc.event.id);
    assert.equal(new Set(ids).size, ids.length, 'no duplicates');
    assert.deepEqual([...ids].sort(), logged.map((e) => e.id).sort(), 'every logged event arrived, none lost');
    const violations = got.filter((g) => g.msgId === 'policy.violation');
    assert.equal(violations.length, 5, 'one alert per run for alice');
    for (const g of violations) {
      assert.equal(g.pri, 13 * 8 + 2, 'facility 13 (log audit), severity critical');
      assert.deepEqual([g.doc.event.kind, g.doc.rule.name, g.doc.email.from.address[0]], ['alert', 'inbound.requireSignedFrom', 'alice@example.com']);
    }
    for (const g of got) {
      assert.equal(g.version, '1');
      assert.equal(g.appName, 'smime-addin');
      assert.match(g.sd, /^\[origin software="smime-addin"/);
      assert.equal(g.doc.event.action, g.msgId);
      if (g.msgId === 'policy.violation') continue;
      assert.equal(g.pri, 13 * 8 + 6, 'severity info for an unsigned message');
      assert.equal(g.msgId, 'message.verified');
      assert.equal(g.doc.event.outcome, 'unknown');
      assert.equal(g.doc.ecs.version.split('.')[0], '8');
      assert.equal(g.doc.email.subject, undefined, 'no subject without audit.includeSubject');
    }
    const byId = new Map(logged.map((e) => [e.id, e]));
    for (const g of got) assert.deepEqual(g.doc.email.from.address, byId.get(g.doc.event.id).from);
    assert.ok(!lines.join('\n').includes('secret subject'));

    // UDP: while up, each event is one datagram; while down, what the kernel reports decides whether it waits.
    const udpAudit = join(dir, 'audit-udp.jsonl');
    const udpPolicy = policy(`udp://127.0.0.1:${rs.udp}`);
    await rs.start();
    assert.equal(run(udpPolicy, udpAudit).stderr, '');
    const udpUp = await rs.waitFor('udp', 4);
    assert.equal(udpUp.length, 4);
    assert.deepEqual(udpUp.map((l) => parse(l).doc.event.id).sort(), readFileSync(udpAudit, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l).id).sort());
    await rs.stop();
    const udpDown = run(udpPolicy, udpAudit);
    const waiting = queued(udpAudit);
    await rs.start();
    run(udpPolicy, udpAudit);
    await rs.stop();
    const udpTotal = rs.lines('udp').length;
    console.log(
      `# syslog TCP: 20 events (8 up, 8 while rsyslogd was stopped, 4 after its restart; 5 of them policy.violation) → rsyslog wrote ${lines.length}, ` +
        `${new Set(ids).size} distinct, 0 lost, ${lines.length - new Set(ids).size} duplicated; ` +
        `UDP: 4/4 while up; receiver down: ${waiting} of 4 kept queued (${udpDown.stderr ? 'ICMP port unreachable reported' : 'loss not noticed'}), ` +
        `${udpTotal}/12 UDP events arrived in all`,
    );
  } finally {
    await rs.stop();
  }
});

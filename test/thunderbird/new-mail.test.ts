// New mail checked as it arrives (addin-thunderbird/new-mail.ts) with the real checker and core, a fake Thunderbird:
// the rule's action on violations only, the cached verdict for a later display, and a 1,000-message burst with
// at most two checks at once and bounded memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPolicyToVerdict, addressesOfHeader, policyToVerifyOptions, resolvePolicy, validatePolicy, verifyMessage, type AuditEvent, type Policy } from '../../src/index';
import { Checker } from '../../addin-thunderbird/checker';
import type { HostAdapter } from '../../addin-thunderbird/host';
import { NewMailQueue, type InboundHost } from '../../addin-thunderbird/new-mail';
import type { MessageHeader } from '../../addin-thunderbird/messenger';
import { tagKeyFor } from '../../addin-thunderbird/inbound-host';

const enc = new TextEncoder();
const mail = (from: string, i: number, pad = 0) =>
  enc.encode(`From: ${from}\r\nTo: bob@corp.example\r\nSubject: n${i}\r\nMessage-ID: <n${i}@x>\r\n\r\nhello ${'x'.repeat(pad)}\r\n`);

function policyOf(p: object): Policy {
  const v = validatePolicy(p);
  assert.ok(v.ok);
  return resolvePolicy({ admin: v.policy }).policy;
}

class FakeThunderbird implements HostAdapter, InboundHost {
  raw = new Map<number, Uint8Array>();
  tags = new Map<number, string[]>();
  folder = new Map<number, string>();
  reads = 0;
  running = 0;
  peak = 0;
  async readRaw(id: number): Promise<Uint8Array> {
    this.reads++;
    this.running++;
    this.peak = Math.max(this.peak, this.running);
    await new Promise((r) => setImmediate(r));
    this.running--;
    return this.raw.get(id)!;
  }
  async displayedMessages(): Promise<MessageHeader[]> {
    return [];
  }
  async showState(): Promise<void> {}
  async tag(msg: MessageHeader, label: string): Promise<void> {
    this.tags.set(msg.id, [...(this.tags.get(msg.id) ?? []), tagKeyFor(label)]);
  }
  async quarantine(msg: MessageHeader, name: string): Promise<boolean> {
    if (this.folder.get(msg.id) === name) return false;
    this.folder.set(msg.id, name);
    return true;
  }
}

function setup(policy: Policy) {
  const tb = new FakeThunderbird();
  const options = policyToVerifyOptions(policy);
  const checker = new Checker(tb, async (raw, msg) => {
    const displayedFrom = addressesOfHeader(msg?.author);
    return { verdict: applyPolicyToVerdict(await verifyMessage(raw, { ...options, displayedFrom }), policy, displayedFrom) };
  });
  const events: AuditEvent[] = [];
  const q = new NewMailQueue((m) => checker.resultFor(m), tb, async () => policy, { audit: (e) => events.push(e) });
  const header = (id: number, from: string): MessageHeader => ({ id, subject: `n${id}`, author: from, size: tb.raw.get(id)!.length, headerMessageId: `n${id}@x`, folder: { id: 'inbox', accountId: 'a1' } });
  return { tb, checker, q, events, header };
}

test('new mail: violations are tagged and quarantined with an audit event each; other mail is untouched; the verdict is cached for display', async () => {
  const policy = policyOf({ bundledRoots: false, inbound: { requireSignedFrom: ['corp.example'], action: 'quarantine', quarantineFolder: 'Suspicious' } });
  const { tb, checker, q, events, header } = setup(policy);
  const list: MessageHeader[] = [];
  for (let i = 1; i <= 20; i++) {
    const from = i % 4 === 0 ? 'CEO <ceo@corp.example>' : `friend${i}@elsewhere.example`;
    tb.raw.set(i, mail(from, i));
    list.push(header(i, from));
  }
  q.enqueue(list);
  await q.idle();
  assert.equal(q.stats.done, 20);
  assert.equal(q.stats.violations, 5);
  assert.deepEqual([...tb.folder.keys()].sort((a, b) => a - b), [4, 8, 12, 16, 20]);
  assert.ok([...tb.folder.values()].every((f) => f === 'Suspicious'));
  assert.deepEqual([...tb.tags.keys()].sort((a, b) => a - b), [4, 8, 12, 16, 20]);
  assert.equal(events.length, 5);
  assert.ok(events.every((e) => e.event === 'policy.violation' && e.rule === 'inbound.requireSignedFrom' && e.action === 'quarantine' && e.host === 'thunderbird'));
  // Opening one later: the cached verdict, no second read.
  const reads = tb.reads;
  const r = await checker.resultFor(list[3]);
  assert.equal(r.verdict.reasons[0].code, 'policy-unsigned-internal');
  assert.equal(tb.reads, reads);
});

test('flag only: the verdict and the alert, no tag, no move; the From Thunderbird shows counts when the MIME has none', async () => {
  const policy = policyOf({ bundledRoots: false, inbound: { requireSignedFrom: ['*.corp.example'] } });
  const { tb, q, events, header } = setup(policy);
  tb.raw.set(1, enc.encode('Subject: no from header\r\n\r\nbody\r\n'));
  q.enqueue([header(1, 'Boss <boss@hq.corp.example>')]);
  await q.idle();
  assert.equal(q.stats.violations, 1);
  assert.equal(tb.tags.size + tb.folder.size, 0);
  assert.equal(events[0].action, 'flag');
});

test('a burst of 1,000 new messages: at most two checks at once, every one done, memory bounded', async () => {
  const policy = policyOf({ bundledRoots: false, inbound: { requireSignedFrom: ['corp.example'], action: 'tag' } });
  const { tb, q, header } = setup(policy);
  const list: MessageHeader[] = [];
  for (let i = 1; i <= 1000; i++) {
    const from = i % 10 === 0 ? 'ceo@corp.example' : `n${i}@elsewhere.example`;
    tb.raw.set(i, mail(from, i, 20_000)); // ~20 KB each: 20 MB in all if anything held them
    list.push(header(i, from));
  }
  global.gc?.();
  const before = process.memoryUsage().heapUsed;
  let peakHeap = before;
  const sampler = setInterval(() => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)), 5);
  const t0 = performance.now();
  q.enqueue(list);
  assert.ok(performance.now() - t0 < 50, 'enqueueing returns at once');
  await q.idle();
  clearInterval(sampler);
  const ms = performance.now() - t0;
  assert.equal(q.stats.done, 1000);
  assert.equal(q.stats.failed, 0);
  assert.equal(q.stats.violations, 100);
  assert.equal(tb.tags.size, 100);
  assert.ok(q.stats.peakRunning <= 2 && tb.peak <= 2, `peak ${q.stats.peakRunning}/${tb.peak}`);
  const growthMb = (peakHeap - before) / 1048576;
  console.log(`burst: 1000 messages in ${ms.toFixed(0)} ms (${(ms / 1000).toFixed(2)} ms each), peak heap growth ${growthMb.toFixed(1)} MB, peak queued ${q.stats.peakQueued}`);
  // The checker caches 1,000 verdicts (a few KB each) but no raw message: far below the 20 MB of raw mail.
  assert.ok(growthMb < 60, `heap grew ${growthMb.toFixed(1)} MB`);
});

test('the queue bound drops the oldest waiting ids (checked on display instead), never grows past it', async () => {
  const policy = policyOf({});
  const { tb, q: _q, header } = setup(policy);
  void _q;
  const checker = new Checker(tb, async () => new Promise(() => undefined)); // never finishes: everything waits
  const q = new NewMailQueue((m) => checker.resultFor(m), tb, async () => policy, { maxQueued: 10 });
  for (let i = 1; i <= 30; i++) tb.raw.set(i, mail('a@b.example', i));
  q.enqueue(Array.from({ length: 30 }, (_, i) => header(i + 1, 'a@b.example')));
  assert.ok(q.stats.peakQueued <= 10);
  assert.equal(q.stats.dropped, 20, 'ten kept (two of them start at once), twenty dropped');
  assert.equal(q.pending, 10);
});

// Forwarding audit events: the receiver on loopback is down, the add-in restarts, the receiver comes back
// (first answering 503): every event arrives, none lost. Also the queue bound, backoff and https-only rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { IDBFactory } from 'fake-indexeddb';
import {
  AuditForwarder,
  IndexedDBQueueStore,
  MemoryQueueStore,
  auditEventForSend,
  endpointProblem,
  openAuditDb,
  type AuditEvent,
} from '../../src/audit/index';
import { closedPort } from '../trust/online-servers';

const ev = (i: number): AuditEvent => ({ ...auditEventForSend('sign', { ok: true, from: [`u${i}@example.com`] }), messageId: `<${i}@x>` });

test('receiver down, restart, receiver back: none lost', async () => {
  const port = await closedPort();
  const endpoint = `http://127.0.0.1:${port}/ingest`;
  const factory = new IDBFactory();
  const opts = { endpoint, batchSize: 7, baseDelayMs: 20, maxDelayMs: 200, timeoutMs: 2000 };

  // Session 1: 30 events while the receiver is down.
  let db = await openAuditDb('fwd-test', factory);
  const first = new AuditForwarder({ ...opts, store: new IndexedDBQueueStore(db) });
  for (let i = 0; i < 30; i++) await first.enqueue(ev(i));
  const failed = await first.flush();
  assert.equal(failed.sent, 0);
  assert.equal(failed.remaining, 30);
  assert.match(failed.error!, /could not reach the endpoint/);
  db.close(); // the add-in is closed

  // Session 2: the queue is still there; 10 more events; background sending with backoff.
  db = await openAuditDb('fwd-test', factory);
  const attempts: string[] = [];
  const second = new AuditForwarder({ ...opts, store: new IndexedDBQueueStore(db), onAttempt: (r) => attempts.push(r.error ? 'fail' : `ok:${r.sent}`) });
  assert.equal((await second.pending()).events.length, 30, 'persisted across the restart');
  for (let i = 30; i < 40; i++) await second.enqueue(ev(i));
  second.start();
  await new Promise((r) => setTimeout(r, 150)); // a few failed retries while down

  // The receiver comes back on the same port; its first answer is a 503.
  const received: AuditEvent[] = [];
  let requests = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      if (requests === 1) return void res.writeHead(503).end();
      assert.equal(req.headers['content-type'], 'application/json');
      received.push(...(JSON.parse(Buffer.concat(chunks).toString()) as { events: AuditEvent[] }).events);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  try {
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && (await second.pending()).events.length > 0) await new Promise((r) => setTimeout(r, 50));
    second.stop();
    const ids = new Set(received.map((e) => e.id));
    const expected = [...Array(40).keys()].map((i) => `<${i}@x>`);
    assert.deepEqual([...new Set(received.map((e) => e.messageId))].sort(), expected.sort(), 'every event arrived');
    assert.equal(ids.size, 40);
    assert.equal((await second.pending()).events.length, 0);
    assert.equal((await second.pending()).dropped, 0);
    const failsBefore = attempts.filter((a) => a === 'fail').length;
    assert.ok(failsBefore >= 2, `retried while down (${attempts.join(',')})`);
    console.log(
      `# audit forwarding: 40 events queued (30 before a restart), receiver down then 503 then up: ${ids.size}/40 delivered, ` +
        `0 lost, ${received.length - ids.size} duplicates, ${failsBefore} failed attempts, ${requests} requests`,
    );
  } finally {
    second.stop();
    await new Promise<void>((r) => server.close(() => r()));
    db.close();
  }
});

test('the queue is bounded: oldest dropped and counted', async () => {
  const f = new AuditForwarder({ endpoint: 'https://siem.example/ingest', store: new MemoryQueueStore(), maxQueue: 10 });
  for (let i = 0; i < 15; i++) await f.enqueue(ev(i));
  const p = await f.pending();
  assert.equal(p.events.length, 10);
  assert.equal(p.dropped, 5);
  assert.equal(p.events[0].messageId, '<5@x>');
});

test('backoff doubles up to the cap, with jitter', () => {
  const f = new AuditForwarder({ endpoint: 'https://siem.example/ingest', store: new MemoryQueueStore(), baseDelayMs: 1000, maxDelayMs: 60_000 });
  for (const [attempt, full] of [[1, 1000], [2, 2000], [3, 4000], [6, 32_000], [7, 60_000], [20, 60_000]] as const) {
    for (let k = 0; k < 20; k++) {
      const d = f.retryDelayMs(attempt);
      assert.ok(d >= full / 2 && d <= full, `attempt ${attempt}: ${d}`);
    }
  }
});

test('https only; plain http only for loopback hosts (as policy validation)', () => {
  assert.equal(endpointProblem('https://siem.example/x'), undefined);
  assert.match(endpointProblem('http://siem.example/x')!, /https/);
  assert.equal(endpointProblem('http://127.0.0.1:9/x'), undefined);
  assert.equal(endpointProblem('http://[::1]:9/x'), undefined);
  assert.match(endpointProblem('http://127.0.0.1.nip.io/x')!, /https/);
  assert.match(endpointProblem('https://u:p@siem.example/x')!, /credentials/);
  assert.throws(() => new AuditForwarder({ endpoint: 'ftp://x', store: new MemoryQueueStore() }), /https/);
});

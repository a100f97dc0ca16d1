// openHostAudit: what both hosts call. Events land in IndexedDB, are forwarded when policy names an endpoint,
// and nothing is recorded when policy turns the audit log off.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import { auditEventForSend, openHostAudit } from '../../src/audit/index';
import { defaultPolicy } from '../../src/policy/index';

test('openHostAudit records, exports and forwards per policy', async () => {
  const sent: unknown[] = [];
  const fakeFetch = (async (_url: string, init: RequestInit) => {
    sent.push(...(JSON.parse(String(init.body)) as { events: unknown[] }).events);
    return new Response(null, { status: 204 });
  }) as typeof fetch;
  const policy = defaultPolicy();
  policy.audit.endpoint = 'https://siem.example/ingest';
  const a = await openHostAudit(policy, 'outlook', { factory: new IDBFactory(), fetch: fakeFetch });
  await a.record(auditEventForSend('sign', { ok: true, from: ['a@example.com'] }));
  await a.record(auditEventForSend('encrypt', { ok: false, from: ['a@example.com'], recipients: 2 }));
  const deadline = Date.now() + 5000;
  while (sent.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(sent.length, 2);
  const st = await a.stats();
  assert.equal(st.count, 2);
  assert.equal(st.queued, 0);
  const csv = await a.exportText('csv', { op: 'encrypt' });
  assert.equal(csv.trimEnd().split('\r\n').length, 2);
  assert.match(csv, /,outlook,failed,/);
  a.close();

  // audit.format "ecs": the same queue and retry, each event sent as an ECS document.
  const ecsSent: Record<string, any>[] = [];
  const ecsFetch = (async (_url: string, init: RequestInit) => {
    ecsSent.push(...(JSON.parse(String(init.body)) as { events: Record<string, any>[] }).events);
    return new Response(null, { status: 204 });
  }) as typeof fetch;
  const ecsPolicy = defaultPolicy();
  ecsPolicy.audit.endpoint = 'https://siem.example/ingest';
  ecsPolicy.audit.format = 'ecs';
  const c = await openHostAudit(ecsPolicy, 'thunderbird', { factory: new IDBFactory(), fetch: ecsFetch });
  const signed = auditEventForSend('sign', { ok: true, from: ['a@example.com'] });
  await c.record(signed);
  const until = Date.now() + 5000;
  while (ecsSent.length < 1 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  assert.equal(ecsSent.length, 1);
  assert.equal(ecsSent[0].event.id, signed.id);
  assert.equal(ecsSent[0].event.action, 'message.signed');
  assert.equal(ecsSent[0].event.provider, 'thunderbird');
  assert.deepEqual(ecsSent[0].email.from.address, ['a@example.com']);
  assert.equal((await c.list())[0].event, 'message.signed', 'the local log keeps the native form');
  c.close();

  const off = defaultPolicy();
  off.audit.enabled = false;
  const b = await openHostAudit(off, 'thunderbird', { factory: new IDBFactory() });
  await b.record(auditEventForSend('sign', { ok: true }));
  assert.equal((await b.stats()).count, 0);
  assert.equal(b.forwarder, undefined);
  b.close();
});

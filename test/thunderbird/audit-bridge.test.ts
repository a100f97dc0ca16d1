// The options page reads the background's audit log through runtime messages (addin-thunderbird/audit-bridge.ts):
// what the shared view asks of its AuditSource must come back the same as from the HostAudit itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
import { openHostAudit, readAuditEvent, type AuditEvent } from '../../src/index';
import { defaultPolicy } from '../../src/policy/index';
import { answerAudit, backgroundAuditSource } from '../../addin-thunderbird/audit-bridge';
import type { AuditRequest } from '../../addin-thunderbird/protocol';

// Records in the form written before event names and severities: readAuditEvent names them as the log does.
const event = (n: number, verdict: string, from: string): AuditEvent =>
  readAuditEvent({
    id: `e${n}`,
    time: new Date(Date.UTC(2026, 10, 25, 10, n)).toISOString(),
    op: 'verify',
    from: [from],
    verdict,
    reasons: verdict === 'trusted' ? [] : ['signature-invalid'],
  })!;

test('the options page AuditSource forwards stats, filtered lists and exports to the background log', async () => {
  const audit = await openHostAudit(defaultPolicy(), 'thunderbird', { factory: new IDBFactory() });
  await audit.record(event(1, 'trusted', 'alice@example.com'));
  await audit.record(event(2, 'invalid', 'alice@example.com'));
  await audit.record(event(3, 'untrusted', 'mallory@example.com'));
  await audit.record(event(4, 'invalid', 'mallory@example.com'));
  const asked: string[] = [];
  // Runtime messages are structured clones both ways.
  const send = async (req: AuditRequest) => {
    asked.push(req.type);
    return structuredClone(await answerAudit(audit, true, structuredClone(req)));
  };
  const source = backgroundAuditSource(send);

  assert.deepEqual(await source.state(), { enabled: true, stats: { count: 4, dropped: 0, queued: 0 } });
  assert.equal((await source.stats()).count, 4);
  assert.deepEqual((await source.list({ verdict: 'invalid' })).map((e) => e.id), ['e4', 'e2'], 'newest first');
  assert.deepEqual((await source.list({ from: 'MALLORY', limit: 1 })).map((e) => e.id), ['e4']);
  const jsonl = await source.exportText('jsonl', { verdict: 'invalid', from: 'alice' });
  assert.deepEqual(jsonl.trimEnd().split('\n').map((l) => JSON.parse(l).id), ['e2']);
  const csv = (await source.exportText('csv', { from: 'mallory' })).trimEnd().split('\r\n');
  assert.equal(csv.length, 3, 'header and two events, oldest first');
  assert.match(csv[1], /,thunderbird,untrusted,/);
  assert.match(csv[2], /,thunderbird,invalid,/);
  // The summary is made in the background: only the report crosses.
  const report = await source.report({ since: '2026-11-25T10:02:00.000Z' });
  assert.deepEqual(report, await audit.report({ since: '2026-11-25T10:02:00.000Z' }));
  assert.deepEqual(report.verdicts.rows, [{ key: 'invalid', count: 2 }, { key: 'untrusted', count: 1 }]);
  assert.deepEqual(report.senderDomains.rows, [{ key: 'example.com', count: 3 }]);
  assert.deepEqual([...new Set(asked)].sort(), ['audit-export-text', 'audit-list', 'audit-report', 'audit-stats']);
  audit.close();
});

test('a log that could not be opened: the page is told, lists and exports are empty', async () => {
  const source = backgroundAuditSource((req) => answerAudit(undefined, true, req));
  assert.deepEqual(await source.state(), { enabled: true });
  await assert.rejects(source.stats(), /could not be opened/);
  assert.deepEqual(await source.list(), []);
  assert.equal(await source.exportText('csv'), '');
  await assert.rejects(source.report(), /could not be opened/, 'the summary says so instead of showing zeros');
  assert.deepEqual(await backgroundAuditSource((req) => answerAudit(undefined, false, req)).state(), { enabled: false });
});

// The audit summary (src/audit/report.ts): counts per verdict, rule, sender domain, signer CA and reason over a
// period, verdicts per day; the same numbers from `smime-addin audit --report [--json]` and from the hosts'
// HostAudit.report (which both settings pages draw). Also: the report stays bounded and fast on a full log.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { auditEvent, auditEventForPolicy, auditReport, openHostAudit, reportText, type AuditEvent } from '../../src/audit/index';
import { defaultPolicy } from '../../src/policy/index';
import { ROOT } from '../support/corpus';

const CLI = join(ROOT, 'dist', 'cli', 'smime-addin.cjs');
const day = (d: number, h = 10) => new Date(Date.UTC(2026, 10, d, h));
const ca = (name: string) => ({ subject: 'CN=x', issuer: name, serial: '01', notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z' });

/** A month of mail: what each day brought, so the expected figures can be counted by hand. */
function fixture(): AuditEvent[] {
  const ev: AuditEvent[] = [];
  const recv = (d: number, verdict: string, from: string, reasons: string[], issuer?: string) =>
    ev.push(auditEvent('message.verified', { verdict, from: [from], reasons, now: day(d), signerCert: issuer ? ca(issuer) : undefined, host: 'thunderbird' }));
  // Nov 1: 3 trusted from our own domain (Corp CA), 1 untrusted from a partner (Partner CA).
  for (let i = 0; i < 3; i++) recv(1, 'trusted', `u${i}@corp.example`, ['chain-trusted'], 'CN=Corp CA');
  recv(1, 'untrusted', 'p@partner.example', ['untrusted-root'], 'CN=Partner CA');
  // Nov 3: a spoof claiming our domain, unsigned (and its policy.violation), and an invalid one.
  recv(3, 'unsigned', 'ceo@corp.example', ['policy-unsigned-internal', 'not-signed']);
  ev.push(auditEventForPolicy({ action: 'quarantine', rule: 'inbound.requireSignedFrom', from: ['ceo@corp.example'], reasons: ['policy-unsigned-internal'], now: day(3) }));
  recv(3, 'invalid', 'x@elsewhere.example', ['signature-invalid', 'untrusted-root'], 'CN=Cheap CA');
  // Nov 4: a blocked send and an override; a sign.
  ev.push(auditEventForPolicy({ action: 'block', rule: 'outbound.requireEncryptionTo', from: ['me@corp.example'], recipientDomains: ['law.example'], now: day(4) }));
  ev.push(auditEventForPolicy({ action: 'override', rule: 'outbound.onMissingCertificate', from: ['me@corp.example'], recipientDomains: ['new.example'], now: day(4) }));
  ev.push(auditEvent('message.signed', { verdict: 'ok', from: ['me@corp.example'], now: day(4) }));
  // Nov 10 (after the gap): 2 trusted.
  recv(10, 'trusted', 'u1@corp.example', ['chain-trusted'], 'CN=Corp CA');
  recv(10, 'trusted', 'p@partner.example', ['chain-trusted'], 'CN=Partner CA');
  return ev;
}

test('counts per verdict, rule, sender domain, signer CA and reason; verdicts per day with the gaps', () => {
  const r = auditReport(fixture());
  assert.equal(r.events, 12);
  assert.equal(r.messages, 8);
  assert.deepEqual(r.verdicts.rows, [{ key: 'trusted', count: 5 }, { key: 'invalid', count: 1 }, { key: 'unsigned', count: 1 }, { key: 'untrusted', count: 1 }], 'most first, ties by name');
  assert.deepEqual(r.rules.rows, [
    { key: 'inbound.requireSignedFrom', count: 1 },
    { key: 'outbound.onMissingCertificate', count: 1 },
    { key: 'outbound.requireEncryptionTo', count: 1 },
  ]);
  assert.deepEqual(r.senderDomains.rows, [{ key: 'corp.example', count: 5 }, { key: 'partner.example', count: 2 }, { key: 'elsewhere.example', count: 1 }]);
  assert.deepEqual(r.signerCAs.rows, [{ key: 'CN=Corp CA', count: 4 }, { key: 'CN=Partner CA', count: 2 }, { key: 'CN=Cheap CA', count: 1 }]);
  // The leading reason of each message not trusted (not-signed, second on the spoof, is not counted), and the rule's.
  assert.deepEqual(r.reasons.rows, [{ key: 'policy-unsigned-internal', count: 2 }, { key: 'signature-invalid', count: 1 }, { key: 'untrusted-root', count: 1 }]);
  assert.deepEqual(r.byEvent, { 'message.signed': 1, 'message.verified': 8, 'policy.violation': 1, 'send.blocked': 1, 'send.overridden': 1 });
  assert.deepEqual(r.bySeverity, { critical: 1, error: 1, warning: 3, info: 7 });
  assert.equal(r.perDay.length, 10, 'Nov 1 to Nov 10, empty days included');
  assert.deepEqual(r.perDay[0], { day: '2026-11-01', verdicts: { trusted: 3, untrusted: 1 } });
  assert.deepEqual(r.perDay[1], { day: '2026-11-02', verdicts: {} });
  assert.deepEqual(r.perDay[2].verdicts, { unsigned: 1, invalid: 1 });

  const since = auditReport(fixture(), { since: day(3, 0).toISOString(), top: 1 });
  assert.equal(since.messages, 4);
  assert.deepEqual(since.verdicts.rows, [{ key: 'trusted', count: 2 }]);
  assert.deepEqual([since.verdicts.otherKeys, since.verdicts.otherCount], [2, 2], 'the rest, counted');
  assert.equal(since.perDay[0].day, '2026-11-03');
  assert.equal(auditReport(fixture(), { maxDays: 3 }).perDay.map((d) => d.day).join(), '2026-11-08,2026-11-09,2026-11-10');

  const text = reportText(r);
  assert.match(text, /^Audit report, 2026-11-01T10:00:00\.000Z to 2026-11-10T10:00:00\.000Z: 12 events, 8 received messages checked\n/);
  assert.match(text, /Signer CAs:\n  4  CN=Corp CA\n  2  CN=Partner CA\n  1  CN=Cheap CA\n/);
  // A CA name with a line break and a right-to-left override cannot fake report lines.
  const evil = auditReport([auditEvent('message.verified', { verdict: 'untrusted', from: ['a@b.example'], signerCert: ca('CN=Evil\n  9  CN=Corp CA\u202e'), now: day(1) })]);
  assert.match(reportText(evil), /1 {2}CN=Evil\\0a {2}9 {2}CN=Corp CA\\u\{202E\}\n/);
});

test('a full log (10,000 events, 1,000 sender domains): bounded tables, fast', () => {
  const many: AuditEvent[] = [];
  for (let i = 0; i < 10_000; i++) {
    many.push(auditEvent('message.verified', { verdict: i % 7 ? 'trusted' : 'invalid', from: [`u@d${i % 1000}.example`], reasons: [`r${i % 50}`], signerCert: ca(`CN=CA ${i % 300}`), now: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000) }));
  }
  const t0 = performance.now();
  const r = auditReport(many);
  const ms = performance.now() - t0;
  assert.equal(r.messages, 10_000);
  assert.equal(r.senderDomains.rows.length, 10);
  assert.equal(r.senderDomains.otherKeys, 990);
  assert.equal(r.senderDomains.rows.reduce((n, x) => n + x.count, 0) + r.senderDomains.otherCount, 10_000);
  assert.equal(r.perDay.length, 31, 'the latest 31 days');
  assert.ok(ms < 2000, `${ms.toFixed(0)} ms`);
  console.log(`# audit report: 10,000 events, 1,000 domains, 300 CAs in ${ms.toFixed(0)} ms`);
});

test('the hosts (HostAudit.report) and the CLI (audit --report --json) give the same numbers', async (t) => {
  const events = fixture();
  const host = await openHostAudit(defaultPolicy(), 'thunderbird', { factory: new IDBFactory() });
  for (const e of events) await host.record(e);
  const fromHost = await host.report({ since: day(2).toISOString() });
  host.close();
  assert.deepEqual(fromHost, auditReport(events, { since: day(2).toISOString() }));

  if (!existsSync(CLI)) return t.skip('dist/cli not built (npx webpack --mode production)');
  const dir = mkdtempSync(join(tmpdir(), 'report-'));
  const file = join(dir, 'audit.jsonl');
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const json = spawnSync(process.execPath, [CLI, 'audit', '--audit', file, '--report', '--since', day(2).toISOString(), '--json'], { encoding: 'utf8' });
  assert.equal(json.status, 0, json.stderr);
  assert.deepEqual(JSON.parse(json.stdout), fromHost);
  const text = spawnSync(process.execPath, [CLI, 'audit', '--audit', file, '--report'], { encoding: 'utf8' });
  assert.equal(text.status, 0, text.stderr);
  assert.equal(text.stdout, reportText(auditReport(events)));
  const ecs = spawnSync(process.execPath, [CLI, 'audit', '--audit', file, '--format', 'ecs', '--op', 'policy'], { encoding: 'utf8' });
  assert.equal(ecs.status, 0, ecs.stderr);
  const docs = ecs.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(docs.map((d) => [d.event.action, d.rule.name, d.event.kind]), [
    ['policy.violation', 'inbound.requireSignedFrom', 'alert'],
    ['send.blocked', 'outbound.requireEncryptionTo', 'alert'],
    ['send.overridden', 'outbound.onMissingCertificate', 'alert'],
  ]);
  for (const bad of [['--report', '--format', 'csv'], ['--json'], ['--report', '--since', 'last week']]) {
    const r = spawnSync(process.execPath, [CLI, 'audit', '--audit', file, ...bad], { encoding: 'utf8' });
    assert.equal(r.status, 2, `${bad.join(' ')}: ${r.stderr}`);
  }
  console.log(`# audit --report: ${fromHost.events} events since Nov 2 → ${fromHost.messages} messages; the CLI's JSON equals the hosts' report`);
});

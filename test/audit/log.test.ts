// The bounded audit log: in memory and in IndexedDB (fake-indexeddb in Node), drop-oldest with a count,
// filtering, and events that carry no content.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { FileAuditLog } from '../../cli/audit';
import { ROOT } from '../support/corpus';
import {
  IndexedDBAuditLog,
  MemoryAuditLog,
  auditEventForSend,
  auditEventFromVerdict,
  openAuditDb,
  type AuditEvent,
  type AuditLog,
} from '../../src/audit/index';
import type { Verdict } from '../../src/verdict';

function verdict(i: number, word: 'trusted' | 'untrusted' | 'invalid'): Verdict {
  return {
    verdict: word, signature: word === 'invalid' ? 'invalid' : 'valid', trust: word === 'trusted' ? 'trusted' : 'untrusted',
    sender: 'match', coverage: 'full',
    reasons: [{ code: word === 'trusted' ? 'chain-trusted' : 'untrusted-root', severity: word === 'trusted' ? 'ok' : 'error', message: 'The secret subject line is "Merger"' }],
    warnings: [], layers: [], from: [`user${i}@example.com`], outsideSignature: [], encrypted: false, decrypted: false,
    signers: [{ signature: 'valid', trust: 'trusted', chain: [], reasons: [], certificate: {
      subject: 'CN=U', commonName: 'U', issuer: 'CN=CA', emails: [], notBefore: '', notAfter: '', serialNumber: '01',
      sha256: 'AB:CD', publicKeyAlgorithm: 'RSA 2048', signatureAlgorithm: 'sha256WithRSAEncryption', isCA: false, selfSigned: false } }],
    subject: 'Merger plans', messageId: `<m${i}@example.com>`, checkedAt: '2026-01-01T00:00:00Z', summary: 'x',
  } as Verdict;
}

async function exercise(log: AuditLog, name: string): Promise<void> {
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 25; i++) {
    const word = i % 5 === 0 ? 'invalid' : i % 2 ? 'untrusted' : 'trusted';
    await log.append(auditEventFromVerdict(verdict(i, word), 'verify', { host: 'thunderbird', now: new Date(t0 + i * 60_000) }));
  }
  const stats = await log.stats();
  assert.equal(stats.count, 20, name);
  assert.equal(stats.dropped, 5, name);
  const all = await log.list();
  assert.equal(all.length, 20);
  assert.equal(all[0].messageId, '<m24@example.com>', 'newest first');
  assert.equal(all[19].messageId, '<m5@example.com>', 'the five oldest were dropped');
  const invalid = await log.list({ verdict: 'invalid' });
  assert.deepEqual(invalid.map((e) => e.messageId), ['<m20@example.com>', '<m15@example.com>', '<m10@example.com>', '<m5@example.com>']);
  assert.equal((await log.list({ from: 'USER7@' })).length, 1);
  assert.equal((await log.list({ since: new Date(t0 + 20 * 60_000).toISOString(), limit: 3 })).length, 3);
  assert.equal((await log.list({ reason: 'untrusted-root' })).length, 12); // 8 untrusted + 4 invalid among 5..24
  // Never content: no subject, no reason messages; of the certificate only names, serial, validity, fingerprint.
  const text = JSON.stringify(all);
  assert.ok(!/Merger/.test(text), 'no subject or message text in events');
  assert.deepEqual(Object.keys(all[0]).sort(), ['event', 'from', 'host', 'id', 'messageId', 'op', 'reasons', 'severity', 'signer', 'signerCert', 'time', 'verdict']);
  assert.equal(all[0].signerCert?.issuer, 'CN=CA', 'the signer certificate names, not its key');
  await log.clear();
  assert.deepEqual(await log.stats(), { count: 0, dropped: 0, maxEvents: 20 });
}

test('memory log: bounded, drop-oldest counted, filters', async () => {
  await exercise(new MemoryAuditLog(20), 'memory');
});

test('IndexedDB log: the same, and it survives reopening', async () => {
  const factory = new IDBFactory();
  const db = await openAuditDb('audit-test', factory);
  await exercise(new IndexedDBAuditLog(db, 20), 'indexeddb');
  const log = new IndexedDBAuditLog(db, 20);
  const ev: AuditEvent = auditEventForSend('encrypt', { ok: true, from: ['Me@Example.com'], recipients: 3, host: 'outlook' });
  await log.append(ev);
  db.close();
  const again = new IndexedDBAuditLog(await openAuditDb('audit-test', factory), 20);
  const back = await again.list();
  assert.deepEqual(back, [ev]);
  assert.equal(back[0].from[0], 'me@example.com');
  assert.equal(back[0].recipients, 3);
  console.log('# audit log: 25 events written to a 20-event log → 20 kept, 5 dropped and counted (memory and IndexedDB)');
});

test('CLI file log (JSON Lines): the same bound, drop-oldest count and filters', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-file-'));
  await exercise(new FileAuditLog(join(dir, 'audit.jsonl'), 20), 'file');
  rmSync(dir, { recursive: true, force: true });
});

test('audit log at 60,000 events: recording one costs milliseconds, not a rewrite of the file (was ~2 s per event at this size, 11 s and 2.5 GB at 500,000; every command failed at the 1,000,000 bound); the report streams', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-big-'));
  const file = join(dir, 'audit.jsonl');
  const t0 = Date.UTC(2026, 0, 1);
  const line = (i: number) => JSON.stringify(auditEventFromVerdict(verdict(i, i % 3 ? 'trusted' : 'untrusted'), 'verify', { host: 'cli', now: new Date(t0 + i * 1000) }));
  const N = 60_000;
  const sample = line(0);
  // Written as the log would be after N appends (about 70 MB), with a damaged line in the middle, kept as it is.
  const chunk: string[] = [];
  writeFileSync(file, '');
  for (let i = 0; i < N; i++) {
    chunk.push(i === 500 ? '{"damaged' : line(i));
    if (chunk.length === 10_000) appendFileSync(file, chunk.splice(0).join('\n') + '\n');
  }
  const log = new FileAuditLog(file, 1_000_000);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await log.append(auditEventFromVerdict(verdict(N + i, 'invalid'), 'verify', { host: 'cli', now: new Date(t0 + (N + i) * 1000) }));
    times.push(performance.now() - t);
  }
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, N + 5);
  assert.equal(lines[500], '{"damaged', 'a damaged line is not erased by an append');
  // The report in a child process: its peak RSS must not grow with the log (the events are streamed).
  const script = `import { FileAuditLog } from ${JSON.stringify(join(ROOT, 'cli/audit.ts'))}; import { auditReport } from ${JSON.stringify(join(ROOT, 'src/audit/report.ts'))};
    const before = process.resourceUsage().maxRSS; const t = performance.now();
    const r = auditReport(new FileAuditLog(${JSON.stringify(file)}, 1000000).events());
    console.log(JSON.stringify({ events: r.events, ms: Math.round(performance.now() - t), grewMB: Math.round((process.resourceUsage().maxRSS - before) / 1024) }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' }));
  console.log(`# audit log of ${N} events (${(sample.length * N / 1e6).toFixed(0)} MB): append ${times.map((x) => x.toFixed(1)).join(', ')} ms; report ${out.ms} ms, peak RSS +${out.grewMB} MB`);
  assert.equal(out.events, N - 1 + 5);
  // The first append counts the lines once (no state file yet); the others only append.
  assert.ok(times[0] < 3000, `first append took ${times[0]} ms`);
  assert.ok(Math.max(...times.slice(1)) < 300, `append took ${Math.max(...times.slice(1))} ms`);
  assert.ok(out.grewMB < 150, `report grew RSS by ${out.grewMB} MB`);
  rmSync(dir, { recursive: true, force: true });
});

test('audit log past its bound: the oldest lines are cut in one streamed copy, counted as dropped; readers see the newest maxEvents', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-cut-'));
  const file = join(dir, 'audit.jsonl');
  const log = new FileAuditLog(file, 50);
  const t0 = Date.UTC(2026, 0, 1);
  for (let i = 0; i < 160; i++) await log.append(auditEventFromVerdict(verdict(i, 'trusted'), 'verify', { host: 'cli', now: new Date(t0 + i * 1000) }));
  // Bound 50, slack 100: cut at the 151st event down to 50, then 9 more appended.
  assert.equal(readFileSync(file, 'utf8').split('\n').filter(Boolean).length, 59);
  assert.deepEqual(await log.stats(), { count: 50, dropped: 110, maxEvents: 50 });
  const all = await log.list();
  assert.equal(all.length, 50);
  assert.equal(all[0].messageId, '<m159@example.com>');
  assert.equal(all[49].messageId, '<m110@example.com>');
  rmSync(dir, { recursive: true, force: true });
});

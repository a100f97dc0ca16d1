// The bounded audit log: in memory and in IndexedDB (fake-indexeddb in Node), drop-oldest with a count,
// filtering, and events that carry no content.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { IDBFactory } from 'fake-indexeddb';
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

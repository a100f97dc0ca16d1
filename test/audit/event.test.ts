// Audit event names and severities: stable names per operation and decision, severities derived the same way for
// new events and for records written before names existed (old logs, queues and exports keep working), the
// subject only when policy allows it, and the ECS and RFC 5424 forms of one event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import {
  AUDIT_EVENT_NAMES,
  ECS_VERSION,
  IndexedDBAuditLog,
  IndexedDBQueueStore,
  MemoryAuditLog,
  applyAuditPolicy,
  auditEvent,
  auditEventForInbound,
  auditEventForPolicy,
  auditEventForSend,
  auditEventFromVerdict,
  filterEvents,
  octetCounted,
  openAuditDb,
  openHostAudit,
  parseSyslogTarget,
  readAuditEvent,
  syslogMessage,
  toCsv,
  toEcs,
  type AuditEvent,
} from '../../src/audit/index';
import { defaultPolicy, validatePolicy } from '../../src/policy/index';
import type { Verdict } from '../../src/verdict';
import { FileAuditLog } from '../../cli/audit';

function verdict(word: Verdict['verdict'], codes: string[], subject = 'Q3 merger: confidential'): Verdict {
  return {
    verdict: word,
    signature: word === 'invalid' ? 'invalid' : word === 'unsigned' ? 'absent' : 'valid',
    trust: word === 'trusted' ? 'trusted' : 'untrusted',
    sender: 'match',
    coverage: 'full',
    reasons: codes.map((code) => ({ code, severity: 'error', message: `about ${subject}` })),
    warnings: [],
    layers: [],
    from: ['ceo@example.com'],
    outsideSignature: [],
    encrypted: false,
    decrypted: false,
    signers: word === 'unsigned' ? [] : [{ signature: 'valid', trust: 'trusted', chain: [], reasons: [], certificate: {
      subject: 'CN=Chief Executive,O=Example\\, Inc.,C=DE', commonName: 'Chief Executive', issuer: 'CN=Example Mail CA,O=Example', emails: ['ceo@example.com'],
      notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', serialNumber: '0A1B2C',
      sha256: 'AB:CD:EF:01', publicKeyAlgorithm: 'RSA 2048', signatureAlgorithm: 'sha256WithRSAEncryption', isCA: false, selfSigned: false } }],
    subject,
    messageId: '<m1@example.com>',
    checkedAt: '2026-12-01T00:00:00Z',
    summary: 'x',
  } as unknown as Verdict;
}

test('event names and default severities per operation and decision', () => {
  const cases: [AuditEvent, string, string][] = [
    [auditEventFromVerdict(verdict('trusted', ['chain-trusted'])), 'message.verified', 'info'],
    [auditEventFromVerdict(verdict('untrusted', ['untrusted-root'])), 'message.verified', 'warning'],
    [auditEventFromVerdict(verdict('invalid', ['signature-invalid']), 'decrypt'), 'message.decrypted', 'error'],
    [auditEventFromVerdict(verdict('unsigned', ['not-signed'])), 'message.verified', 'info'],
    [auditEventFromVerdict(verdict('unsigned', ['policy-unsigned-internal', 'not-signed'])), 'message.verified', 'info'],
    [auditEventForInbound(verdict('unsigned', ['policy-unsigned-internal', 'not-signed']), 'tag'), 'policy.violation', 'critical'],
    [auditEventForSend('sign', { ok: true }), 'message.signed', 'info'],
    [auditEventForSend('encrypt', { ok: false, reasons: ['no-recipient-certificate'] }), 'message.encrypted', 'warning'],
    [auditEventForPolicy({ action: 'block', rule: 'outbound.requireEncryptionTo', recipientDomains: ['Law.Example', 'law.example'] }), 'send.blocked', 'warning'],
    [auditEventForPolicy({ action: 'prompt', rule: 'outbound.onMissingCertificate' }), 'send.prompted', 'notice'],
    [auditEventForPolicy({ action: 'override', rule: 'outbound.onMissingCertificate' }), 'send.overridden', 'warning'],
    [auditEvent('identity.health', { verdict: 'expiring' }), 'identity.health', 'warning'],
    [auditEvent('identity.health', { verdict: 'revoked' }), 'identity.health', 'error'],
  ];
  for (const [e, name, severity] of cases) {
    assert.equal(e.event, name, JSON.stringify(e));
    assert.equal(e.severity, severity, `${name} ${e.verdict}`);
    assert.ok(AUDIT_EVENT_NAMES.includes(e.event));
    assert.deepEqual(readAuditEvent(JSON.parse(JSON.stringify(e))), e, 'round-trips unchanged');
  }
  assert.equal(cases[5][0].rule, 'inbound.requireSignedFrom');
  assert.equal(cases[5][0].action, 'tag');
  assert.deepEqual(cases[8][0].recipientDomains, ['law.example'], 'lower-cased, once each');
  assert.equal(cases[8][0].op, 'policy');
  assert.equal(cases[8][0].verdict, 'block', 'a rule event\'s verdict is its action');
  assert.equal(auditEventForInbound(verdict('invalid', ['signature-invalid']), 'flag').rule, 'inbound.invalidSignature');
  assert.equal(cases[11][0].op, 'identity');
  assert.equal(auditEvent('send.blocked', { verdict: 'blocked', severity: 'critical' }).severity, 'critical', 'an emitter may raise it');
  assert.deepEqual(filterEvents(cases.map((c) => c[0]), { minSeverity: 'error' }).map((e) => e.severity).sort(), ['critical', 'error', 'error']);
  assert.equal(filterEvents(cases.map((c) => c[0]), { event: ['send.blocked', 'send.prompted'] }).length, 2);
});

// Records as versions before this one wrote them: no event, no severity.
const OLD: Record<string, unknown>[] = [
  { id: 'o1', time: '2026-11-01T10:00:00.000Z', op: 'verify', host: 'cli', from: ['a@example.com'], verdict: 'trusted', reasons: ['chain-trusted'], signer: 'AB:CD' },
  { id: 'o2', time: '2026-11-01T10:01:00.000Z', op: 'verify', from: ['b@example.com'], verdict: 'invalid', reasons: ['signature-invalid'] },
  { id: 'o3', time: '2026-11-01T10:02:00.000Z', op: 'encrypt', from: ['me@example.com'], verdict: 'failed', reasons: ['no-key'], recipients: 2 },
  { id: 'o4', time: '2026-11-01T10:03:00.000Z', op: 'decrypt', from: ['c@example.com'], verdict: 'untrusted', reasons: ['untrusted-root'] },
  { id: 'o5', time: '2026-11-01T10:04:00.000Z', op: 'policy', from: ['me@example.com'], verdict: 'block', action: 'block', rule: 'outbound.requireEncryptionTo', reasons: [] },
];
const OLD_NAMES = [['message.verified', 'info'], ['message.verified', 'error'], ['message.encrypted', 'warning'], ['message.decrypted', 'warning'], ['send.blocked', 'warning']];

test('records written before event names: the CLI file log, IndexedDB log and queue read them, named', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-compat-'));
  const file = join(dir, 'audit.jsonl');
  writeFileSync(file, OLD.map((o) => JSON.stringify(o)).join('\n') + '\n{"damaged\n');
  const fromFile = (await new FileAuditLog(file, 100).list()).reverse();
  assert.deepEqual(fromFile.map((e) => [e.event, e.severity]), OLD_NAMES);
  assert.equal(fromFile[0].signer, 'AB:CD', 'other fields untouched');

  const factory = new IDBFactory();
  const db = await openAuditDb('compat', factory);
  const tx = db.transaction(['events', 'meta'], 'readwrite');
  for (const o of OLD) tx.objectStore('events').add(o);
  tx.objectStore('meta').put({ events: OLD, dropped: 3 }, 'queue');
  await new Promise((r) => (tx.oncomplete = r));
  const fromDb = (await new IndexedDBAuditLog(db, 100).list()).reverse();
  assert.deepEqual(fromDb.map((e) => [e.event, e.severity]), OLD_NAMES);
  const q = await new IndexedDBQueueStore(db).load();
  assert.deepEqual(q.events.map((e) => e.event), OLD_NAMES.map((n) => n[0]));
  assert.equal(q.dropped, 3);
  assert.equal((await new IndexedDBAuditLog(db, 100).list({ event: 'message.verified', minSeverity: 'error' }))[0].id, 'o2');
  db.close();

  // CSV: the columns of earlier versions keep their positions; new ones follow.
  const header = toCsv([]).trimEnd().split(',');
  assert.deepEqual(header.slice(0, 10), ['time', 'op', 'host', 'verdict', 'messageId', 'from', 'signer', 'recipients', 'reasons', 'id']);
  assert.deepEqual(header.slice(10, 12), ['event', 'severity']);
  // A record from a newer version with a name this one does not know is kept, named by its operation.
  assert.equal(readAuditEvent({ ...OLD[0], event: 'message.frobbed', severity: 'extreme' })?.event, 'message.verified');
  assert.equal(readAuditEvent({ ...OLD[0], op: 'frob' }), undefined);
});

test('the subject is recorded only when policy sets audit.includeSubject', async () => {
  const v = verdict('trusted', ['chain-trusted']);
  const without = auditEventFromVerdict(v);
  assert.equal(without.subject, undefined);
  assert.ok(!JSON.stringify(without).includes('merger'), 'no subject, no reason messages');
  const withSubject = auditEventFromVerdict(v, 'verify', { includeSubject: true });
  assert.equal(withSubject.subject, 'Q3 merger: confidential');

  // The recorders enforce the policy whatever the caller passed.
  assert.equal(applyAuditPolicy(withSubject, { includeSubject: false }).subject, undefined);
  assert.equal(applyAuditPolicy(withSubject, { includeSubject: true }).subject, 'Q3 merger: confidential');
  const policy = defaultPolicy();
  assert.equal(policy.audit.includeSubject, false, 'off by default');
  const host = await openHostAudit(policy, 'outlook', { factory: new IDBFactory() });
  await host.record(withSubject);
  assert.equal((await host.list())[0].subject, undefined);
  assert.ok(!(await host.exportText('csv')).includes('merger'));
  host.close();
  policy.audit.includeSubject = true;
  const allowed = await openHostAudit(policy, 'outlook', { factory: new IDBFactory(), dbName: 'with-subject' });
  await allowed.record(withSubject);
  assert.equal((await allowed.list())[0].subject, 'Q3 merger: confidential');
  allowed.close();
});

test('ECS: one event as an Elastic Common Schema document', () => {
  const e = auditEventForInbound(verdict('unsigned', ['policy-unsigned-internal', 'not-signed']), 'quarantine', {
    host: 'thunderbird', now: new Date('2026-12-01T08:00:00Z'),
  });
  const doc = toEcs(e) as any;
  assert.equal(doc['@timestamp'], '2026-12-01T08:00:00.000Z');
  assert.equal(doc.ecs.version, ECS_VERSION);
  assert.deepEqual(
    { ...doc.event, id: undefined },
    { id: undefined, kind: 'alert', category: ['email'], type: ['info'], action: 'policy.violation', outcome: 'failure', severity: 2,
      module: 'smime_addin', dataset: 'smime_addin.audit', provider: 'thunderbird', reason: 'policy-unsigned-internal' },
  );
  assert.equal(doc.event.id, e.id);
  assert.deepEqual(doc.log, { level: 'critical', syslog: { severity: { code: 2, name: 'critical' } } });
  assert.deepEqual(doc.email, { direction: 'inbound', from: { address: ['ceo@example.com'] }, message_id: '<m1@example.com>' });
  assert.deepEqual(doc.rule, { name: 'inbound.requireSignedFrom', ruleset: 'smime-addin policy' });
  assert.deepEqual(doc.smime, { verdict: 'quarantine', operation: 'policy', reasons: ['policy-unsigned-internal', 'not-signed'], action: 'quarantine' });
  assert.equal(doc.file, undefined, 'no signer, no x509');
  assert.equal(doc.email.subject, undefined);

  const signed = toEcs(auditEventFromVerdict(verdict('trusted', ['chain-trusted']), 'verify', { includeSubject: true })) as any;
  assert.equal(signed.event.outcome, 'success');
  assert.equal(signed.event.kind, 'event');
  assert.equal(signed.email.subject, 'Q3 merger: confidential');
  assert.deepEqual(signed.file, {
    hash: { sha256: 'abcdef01' },
    x509: {
      subject: { distinguished_name: 'CN=Chief Executive,O=Example\\, Inc.,C=DE', common_name: ['Chief Executive'] },
      issuer: { distinguished_name: 'CN=Example Mail CA,O=Example', common_name: ['Example Mail CA'] },
      serial_number: '0A1B2C',
      not_before: '2026-01-01T00:00:00.000Z',
      not_after: '2027-01-01T00:00:00.000Z',
    },
  });
  assert.deepEqual(signed.related, { hash: ['abcdef01'], hosts: ['example.com'] });
  const blocked = toEcs(auditEventForPolicy({ action: 'block', rule: 'outbound.requireEncryptionTo', from: ['me@example.com'], recipientDomains: ['law.example'] })) as any;
  assert.deepEqual([blocked.event.kind, blocked.event.type, blocked.event.outcome, blocked.email.direction], ['alert', ['denied'], 'failure', 'outbound']);
  assert.deepEqual(blocked.related.hosts, ['example.com', 'law.example']);
  assert.deepEqual(blocked.smime.recipient_domains, ['law.example']);
});

test('syslog: targets, RFC 5424 message, octet counting', () => {
  assert.deepEqual(parseSyslogTarget('tcp://127.0.0.1:6514'), { protocol: 'tcp', host: '127.0.0.1', port: 6514 });
  assert.deepEqual(parseSyslogTarget('udp://[::1]:514'), { protocol: 'udp', host: '::1', port: 514 });
  assert.deepEqual(parseSyslogTarget('tcp://siem.example.net:514'), { protocol: 'tcp', host: 'siem.example.net', port: 514 });
  for (const bad of ['tls://h:1', 'tcp://h', 'tcp://h:0', 'tcp://h:70000', 'tcp://u@h:1', 'tcp://h:1/x', 'tcp://h h:1', 'tcp://[::1:1', `tcp://${'a'.repeat(400)}:1`]) {
    assert.ok('problem' in parseSyslogTarget(bad), bad);
  }
  const r = validatePolicy({ audit: { syslog: 'tcp://siem example:514', format: 'xml', includeSubject: 'yes' } });
  assert.ok(!r.ok);
  assert.deepEqual(r.errors, [
    'policy.audit.includeSubject: must be true or false',
    'policy.audit.format: must be one of native, ecs',
    'policy.audit.syslog: has an invalid host name "siem example"',
  ]);
  assert.ok(validatePolicy({ audit: { syslog: 'udp://127.0.0.1:514', format: 'ecs', includeSubject: true } }).ok);

  const e = { ...auditEventForPolicy({ action: 'flag', from: ['chef@exämple.com'], rule: 'inbound.requireSignedFrom', now: new Date('2026-12-01T08:00:00.5Z') }), id: 'x1' };
  const m = syslogMessage(e, e, { hostname: 'mail host', procId: 42, version: '1.2"]' });
  assert.equal(
    m,
    '<106>1 2026-12-01T08:00:00.500Z mailhost smime-addin 42 policy.violation [origin software="smime-addin" swVersion="1.2\\"\\]"] ' +
      JSON.stringify(e).replace('ä', '\\u00e4'),
  );
  assert.ok(/^[\x20-\x7e]+$/.test(m), 'plain ASCII: no BOM needed');
  assert.deepEqual(JSON.parse(m.slice(m.indexOf('] ') + 2)), e, 'MSG parses back to the event');
  const framed = octetCounted('<1>1 - - - - - - é');
  assert.equal(framed, '19 <1>1 - - - - - - é', 'length in bytes, not characters');
});

test('a memory log keeps names and severities as given', async () => {
  const log = new MemoryAuditLog(10);
  await log.append(auditEvent('send.prompted', { verdict: 'prompt' }));
  assert.equal((await log.list())[0].event, 'send.prompted');
});

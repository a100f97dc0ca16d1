// `smime-addin verify --policy P`: inbound.requireSignedFrom on the "Johnny, you are fired" CEO-fraud vectors
// (bigcorporation.de), the reason codes of the contract, the alert in the audit file, and a bad policy refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpus, ROOT } from '../support/corpus';

const CLI = join(ROOT, 'dist', 'cli', 'smime-addin.cjs');
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const j = corpus('johnny-you-are-fired');

test('verify --policy: mail from a required domain that is unsigned or signed by someone else is a violation; the real one is trusted', { skip: j.skip }, () => {
  const dir = j.dir!;
  const work = mkdtempSync(join(tmpdir(), 'cli-enforce-'));
  try {
    const policy = join(work, 'policy.json');
    const auditFile = join(work, 'audit.jsonl');
    writeFileSync(policy, JSON.stringify({ bundledRoots: false, inbound: { requireSignedFrom: ['bigcorporation.de'] }, audit: { file: auditFile } }));
    const good = join(dir, 'assets/valid-signed/manager-smime.eml');
    const spoof = join(dir, '04-id/i1-sender-signer-checks/i1-from-unequals-signer-smime.eml');
    const unsigned = join(work, 'unsigned.eml');
    writeFileSync(unsigned, 'From: Manager <manager@bigcorporation.de>\r\nTo: you@bigcorporation.de\r\nSubject: You are fired\r\n\r\nClear your desk.\r\n');
    const anchor = join(dir, 'trust-anchor', 'GlobalSign_Root_CA_-_R3.pem');
    const r = run('verify', good, spoof, unsigned, '--anchor', anchor, '--at', '2019-04-01T00:00:00Z', '--json', '--policy', policy);
    assert.equal(r.status, 1, r.stderr);
    const [g, s, u] = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(g.verdict, 'trusted', 'no false alarm on the genuine signed mail');
    assert.ok(!g.reasons.some((x: { code: string }) => x.code.startsWith('policy-')));
    assert.equal(s.verdict, 'untrusted');
    assert.equal(s.reasons[0].code, 'policy-untrusted-internal');
    assert.match(s.summary, /bigcorporation\.de/);
    assert.equal(u.verdict, 'unsigned');
    assert.equal(u.reasons[0].code, 'policy-unsigned-internal');
    const human = run('verify', unsigned, '--policy', policy);
    assert.match(human.stdout, /requires mail from bigcorporation\.de to be signed/);
    // One message.verified per check, and a policy.violation naming rule and action per violation (no subject, no content).
    const events = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(events.filter((e) => e.event === 'message.verified').length, 4, 'three files, then the unsigned one again');
    const alerts = events.filter((e) => e.event === 'policy.violation');
    assert.equal(alerts.length, 3, JSON.stringify(alerts));
    assert.ok(alerts.every((e) => e.rule === 'inbound.requireSignedFrom'));
    assert.ok(alerts.every((e) => e.action === 'flag' && e.from[0] === 'manager@bigcorporation.de'));
    assert.ok(alerts.every((e) => e.severity !== 'info'), 'an alert is not informational');
    assert.ok(!JSON.stringify(events).includes('fired'), 'no subject in the audit log');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

test('verify --policy with bad enforcement fields: every problem on one line, exit 2 or 1, nothing checked', () => {
  const work = mkdtempSync(join(tmpdir(), 'cli-enforce-'));
  try {
    const policy = join(work, 'policy.json');
    writeFileSync(policy, JSON.stringify({ inbound: { requireSignedFrom: ['big corp.de'], mode: 'x' }, outbound: { requireSignature: 'sometimes' } }));
    const r = run('verify', join(work, 'none.eml'), '--policy', policy);
    assert.notEqual(r.status, 0);
    const line = r.stderr.trim();
    assert.equal(line.split('\n').length, 1, line);
    assert.match(line, /policy\.inbound\.requireSignedFrom\[0\]: "big corp\.de" contains a space/);
    assert.match(line, /policy\.inbound\.mode: unknown field/);
    assert.match(line, /policy\.outbound\.requireSignature: must be one of always, external, never/);
    assert.equal(r.stdout, '');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});

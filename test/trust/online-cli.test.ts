// The CLI end to end with policy, --online and the audit file: a signer that left out its intermediate is
// trusted only with --online (AIA + OCSP on loopback); a revoked signer is not; each run appends audit events,
// and `smime-addin audit` filters and exports them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/corpus';
import { smimeSign } from '../support/pki';
import { textEntity } from '../support/messages';
import { makeOnlinePki, type OnlinePki } from './online-pki';

let o: OnlinePki;
let policyFile: string;
let auditFile: string;
const msgs: Record<string, string> = {};

// Asynchronous: the loopback servers live in this process and must keep answering while the CLI runs.
function cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', 'main.ts'), ...args], { cwd: ROOT });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

before(async () => {
  o = await makeOnlinePki();
  auditFile = join(o.pki.dir, 'audit.jsonl');
  policyFile = join(o.pki.dir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ bundledRoots: false, allowPrivateTargets: true, anchors: [o.pki.root.certPem], revocation: 'soft', audit: { file: auditFile, maxEvents: 100 } }));
  for (const k of ['good', 'revoked'] as const) {
    // chain: [] — the signer includes only its own certificate (the intermediate is "missing").
    const m = await smimeSign({ signer: o.leaves[k].issued, content: textEntity(`hello from ${k}`), chain: [] });
    msgs[k] = m.path;
  }
});
after(async () => {
  await o?.close();
});

test('CLI: --online completes the chain and checks OCSP; offline it stays incomplete; audit log written and exported', async () => {
  const offline = await cli('verify', msgs.good, '--policy', policyFile, '--json');
  const v0 = JSON.parse(offline.stdout);
  assert.equal(offline.status, 1, offline.stderr);
  assert.equal(v0.trust, 'incomplete-chain');

  const online = await cli('verify', msgs.good, '--policy', policyFile, '--online', '--json');
  const v1 = JSON.parse(online.stdout);
  assert.equal(online.status, 0, online.stdout + online.stderr);
  assert.equal(v1.verdict, 'trusted');
  assert.equal(v1.signers[0].revocation.status, 'good');
  assert.equal(v1.signers[0].revocation.source, 'ocsp');
  assert.ok(v1.signers[0].reasons.some((r: { code: string }) => r.code === 'aia-fetched'));

  const revoked = await cli('verify', msgs.revoked, '--policy', policyFile, '--online', '--json');
  const v2 = JSON.parse(revoked.stdout);
  assert.equal(revoked.status, 1);
  assert.equal(v2.trust, 'revoked');

  const lines = readFileSync(auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((e) => e.verdict), ['untrusted', 'trusted', 'untrusted']);
  assert.ok(lines.every((e) => e.op === 'verify' && e.host === 'cli' && /^[0-9A-F:]+$/.test(e.signer)));
  assert.ok(lines[2].reasons.includes('cert-revoked'));
  assert.ok(!readFileSync(auditFile, 'utf8').includes('hello from'), 'no content in the audit log');

  const csv = await cli('audit', '--policy', policyFile, '--format', 'csv', '--verdict', 'untrusted');
  assert.equal(csv.status, 0, csv.stderr);
  const rows = csv.stdout.trimEnd().split('\r\n');
  assert.equal(rows.length, 3, csv.stdout);
  assert.match(rows[2], /cert-revoked/);
  const jsonl = await cli('audit', '--audit', auditFile, '--op', 'verify');
  assert.equal(jsonl.stdout.trim().split('\n').length, 3);
  console.log(`# CLI: offline ${v0.trust} → --online ${v1.verdict} (AIA + OCSP ${v1.signers[0].revocation.status}); revoked signer → ${v2.trust}; audit: ${lines.length} events written, ${rows.length - 1} exported as CSV (filter untrusted)`);
});

// NIST PKITS end to end through the CLI contract: `smime-addin verify FILE... --anchor TA --json`, one JSON object
// per line, for all 224 signed messages. The chain-level conformance test is test/trust/pkits.test.ts; this one
// checks that the whole pipeline (MIME, CMS, CRLs carried in the message, trust, JSON) gives the same answer.
// PKITS needs SHA-1 (its DSA certificates), which our default policy refuses, so a policy file allows it; PKITS presumes
// revocation checking is required, so the policy sets revocation: "hard" (CRLs at hand never change the mode).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpus, readExpected, ROOT } from '../support/corpus';

const c = corpus('nist-pkits');
const CLI = join(ROOT, 'dist', 'cli', 'smime-addin.cjs');

interface Entry {
  file: string;
  pkits_expected: 'valid' | 'invalid';
  /** The message signature itself (valid in every file: PKITS breaks certificate signatures, not messages). */
  signature: string;
  openssl: { signature_only: 'ok' | 'fail' };
}

test('PKITS through the CLI: trust agrees with PKITS for all 224 messages', { skip: c.skip }, () => {
  const dir = c.dir!;
  const entries = readExpected<Entry[]>(dir);
  const tmp = mkdtempSync(join(tmpdir(), 'pkits-cli-'));
  const ta = join(tmp, 'ta.pem');
  const der = readFileSync(join(dir, 'certs', 'TrustAnchorRootCertificate.crt'));
  writeFileSync(ta, `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END CERTIFICATE-----\n`);
  const policy = join(tmp, 'policy.json');
  writeFileSync(policy, JSON.stringify({ allowSha1: true, bundledRoots: false, revocation: 'hard' }));

  const files = entries.map((e) => join(dir, e.file));
  const r = spawnSync(process.execPath, [CLI, 'verify', ...files, '--anchor', ta, '--policy', policy, '--json'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  // Exit 1: not every file is trusted (PKITS certificates carry no e-mail address, so sender binding fails).
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, entries.length);
  const wrong: string[] = [];
  const wrongSignature: string[] = [];
  lines.forEach((v, i) => {
    // Three messages are signed with DSA (WebCrypto has none), one with parameters inherited from its issuer.
    if (v.signature !== entries[i].signature) wrongSignature.push(`${entries[i].file}: signature ${v.signature}, expected ${entries[i].signature}`);
    for (const k of ['verdict', 'signature', 'trust', 'sender', 'coverage', 'warnings', 'signers']) assert.ok(k in v, `${k} missing`);
    const trusted = v.trust === 'trusted';
    if (trusted !== (entries[i].pkits_expected === 'valid'))
      wrong.push(`${entries[i].file}: trust ${v.trust}, PKITS expects ${entries[i].pkits_expected}`);
  });
  console.log(`# PKITS via CLI: ${entries.length - wrong.length}/${entries.length} agree with PKITS (OpenSSL: 222)`);
  const opensslSignatures = entries.filter((e) => e.openssl.signature_only === 'ok').length;
  console.log(
    `# PKITS via CLI: message signature as expected.json for ${entries.length - wrongSignature.length}/${entries.length} (OpenSSL -noverify: ${opensslSignatures})`,
  );
  for (const w of wrongSignature) console.log(`#   ${w}`);
  assert.deepEqual(wrong, []);
  assert.deepEqual(wrongSignature, []);
});

// "Johnny, you are fired" (USENIX Security 2019): all 30 S/MIME spoofing messages must be classified as the
// paper's attack classes say. OpenSSL alone misses every MIME-wrapping and identity attack; these need the
// coverage and sender-binding checks of verifyMessage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyMessage } from '../../src/index';
import type { Verdict } from '../../src/index';
import { loadCertificates } from '../../src/certs/load';
import { corpus, readExpected } from '../support/corpus';

interface Entry {
  file: string;
  expected_verdict: 'valid' | 'invalid' | 'partially-signed' | 'sender-mismatch' | 'unsigned' | 'valid-with-warning';
  at_time: string;
}

const c = corpus('johnny-you-are-fired');

/** Does our verdict put the message in the attack class the paper expects? Returns why not, or undefined. */
function classify(e: Entry, v: Verdict): string | undefined {
  const got = `verdict=${v.verdict} signature=${v.signature} trust=${v.trust} sender=${v.sender} coverage=${v.coverage}`;
  switch (e.expected_verdict) {
    case 'valid':
      return v.verdict === 'trusted' ? undefined : got;
    case 'invalid':
      return v.verdict === 'invalid' && v.signature === 'invalid' ? undefined : got;
    case 'partially-signed':
      return v.verdict !== 'trusted' && v.coverage === 'partial' && v.outsideSignature.length > 0 ? undefined : got;
    case 'sender-mismatch':
      return v.verdict !== 'trusted' && v.sender === 'mismatch' && v.signature === 'valid' ? undefined : got;
    case 'unsigned':
      return v.verdict === 'unsigned' ? undefined : got;
    case 'valid-with-warning':
      // The corpus calls "From = signer, Sender = someone else" valid with a warning. Our rule is stricter
      // (docs/users.md, "Who sent it"): Outlook shows it as "Sender on behalf of From" with the stranger first, so
      // it is a sender mismatch, never trusted.
      if (v.warnings.some((w) => w.code === 'sender-header-mismatch')) {
        return v.verdict !== 'trusted' && v.sender === 'mismatch' && v.signature === 'valid' ? undefined : got;
      }
      return v.signature === 'valid' &&
        v.sender === 'match' &&
        v.warnings.some((w) => w.code === 'reply-to-differs' || w.code === 'sender-header-mismatch')
        ? undefined
        : `${got} warnings=${v.warnings.map((w) => w.code).join(',')}`;
  }
}

test('Johnny, you are fired: every attack classified right', { skip: c.skip }, async () => {
  const dir = c.dir!;
  const entries = readExpected<Entry[]>(dir);
  const anchors = loadCertificates(readFileSync(join(dir, 'trust-anchor', 'GlobalSign_Root_CA_-_R3.pem'))).certs;
  assert.equal(anchors.length, 1);
  const wrong: string[] = [];
  for (const e of entries) {
    const v = await verifyMessage(new Uint8Array(readFileSync(join(dir, e.file))), { anchors, at: new Date(e.at_time) });
    const why = classify(e, v);
    if (why) wrong.push(`${e.file}: expected ${e.expected_verdict}, got ${why}`);
  }
  console.log(`# Johnny, you are fired: ${entries.length - wrong.length}/${entries.length} classified right (OpenSSL: misses all M- and I-class attacks)`);
  assert.deepEqual(wrong, []);
  assert.equal(entries.length, 30);
});

test('Johnny baseline is not trusted today: the certificates expired', { skip: c.skip }, async () => {
  const dir = c.dir!;
  const anchors = loadCertificates(readFileSync(join(dir, 'trust-anchor', 'GlobalSign_Root_CA_-_R3.pem'))).certs;
  const v = await verifyMessage(new Uint8Array(readFileSync(join(dir, 'assets/valid-signed/manager-smime.eml'))), {
    anchors,
    at: new Date('2026-11-01T00:00:00Z'),
  });
  assert.equal(v.signature, 'valid');
  assert.equal(v.trust, 'expired');
  assert.equal(v.verdict, 'untrusted');
  assert.ok(v.reasons.some((r) => r.code === 'cert-expired'), JSON.stringify(v.reasons));
});

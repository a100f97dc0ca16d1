/**
 * "Johnny, you are fired!" (USENIX Security 2019), attack class 1 (CMS): eContent confusion, multiple
 * SignerInfos, zero SignerInfos, and a crash case. Each must come out as expected.json says, with the reason
 * that names the attack. The baseline message must verify.
 *
 * The CMS blob and the signed first part are cut out of the .eml by src/mime (parseMime + splitSigned), as
 * the orchestration does; the CRLF-canonical form is the lazy second candidate.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifySignedData } from '../../src/cms/verify';
import type { CmsVerifyResult } from '../../src/cms/types';
import { parseMime, splitSigned, toCanonicalCrlf } from '../../src/mime/index';
import { corpus, readExpected } from '../support/corpus';

interface Entry {
  file: string;
  signature: string;
  expected_verdict: string;
}

const c = corpus('johnny-you-are-fired');

/** The CMS blob and the exact signed bytes, cut out by the MIME module; its error when it refuses the message. */
type SplitError = { ok: false; error: { code: string; message: string } };
type Outcome = CmsVerifyResult | SplitError;

function split(raw: Uint8Array): { content: Uint8Array; cms: Uint8Array } | SplitError {
  const parsed = parseMime(raw);
  assert.ok(parsed.ok, 'MIME parses');
  const s = splitSigned(parsed.root);
  if (!s.ok) return { ok: false, error: s.error };
  return { content: s.signedBytes, cms: s.signatureDer };
}

async function verifyEml(dir: string, file: string): Promise<Outcome> {
  const parts = split(new Uint8Array(readFileSync(join(dir, file))));
  if ('ok' in parts) return parts;
  const { content, cms } = parts;
  return verifySignedData(cms, { detachedContent: content, canonicalContent: () => toCanonicalCrlf(content) });
}

const codesOf = (r: Outcome) =>
  r.ok ? [...r.reasons.map((x) => x.code), ...r.signers.flatMap((s) => s.reasons.map((x) => x.code))] : [r.error.code];

test('Johnny 01-cms: every message verifies as expected.json says', { skip: c.skip || false }, async () => {
  const dir = c.dir!;
  const entries = readExpected<Entry[]>(dir).filter((e) => e.file.startsWith('01-cms/'));
  assert.ok(entries.length >= 8, `entries: ${entries.length}`);
  for (const e of entries) {
    const r = await verifyEml(dir, e.file);
    if (e.signature === 'valid') {
      assert.ok(r.ok && r.signature === 'valid', `${e.file}: ${JSON.stringify(codesOf(r))}`);
    } else {
      assert.ok(!r.ok || r.signature !== 'valid', `${e.file} must not be valid: ${JSON.stringify(codesOf(r))}`);
    }
  }
});

test('C1 eContent confusion (CVE-2018-18509): invalid with econtent-confusion', { skip: c.skip || false }, async () => {
  for (const f of ['eContent_confusion.eml', 'eContent_confusion_refinement.eml']) {
    const r = await verifyEml(c.dir!, `01-cms/c1_eContent-confusion/${f}`);
    assert.ok(r.ok, f);
    assert.equal(r.signature, 'invalid', f);
    assert.ok(codesOf(r).includes('econtent-confusion'), f);
    assert.ok(r.signers.every((s) => s.signature === 'invalid'), f);
    // What was really signed is there for a UI to name, but it is not what the message shows.
    assert.ok(r.eContent && r.eContent.length > 0, f);
  }
});

test('C2 multiple SignerInfos: one forged signer makes the whole invalid; each signer reported', { skip: c.skip || false }, async () => {
  for (const f of ['multiple_signerInfos_append_johnny.eml', 'multiple_signerInfos_prepend_johnny.eml']) {
    const r = await verifyEml(c.dir!, `01-cms/c2_multiple-signerInfos/${f}`);
    assert.ok(r.ok, f);
    assert.ok(r.signers.length >= 2, f);
    assert.notEqual(r.signature, 'valid', f);
    assert.ok(r.signers.some((s) => s.signature !== 'valid'), f);
    const multi = r.reasons.find((x) => x.code === 'multiple-signer-infos');
    assert.ok(multi, f);
    assert.equal(multi.severity, 'error', f);
  }
});

test('C3 zero SignerInfos: invalid with no-signer-info', { skip: c.skip || false }, async () => {
  const r = await verifyEml(c.dir!, '01-cms/c3_no-signerInfos/no_signerInfos_detached.eml');
  assert.ok(r.ok);
  assert.equal(r.signature, 'invalid');
  assert.deepEqual(r.signers, []);
  assert.deepEqual(codesOf(r), ['no-signer-info']);
  // Without certificates either, the blob is still read (or rejected as malformed), never "valid".
  const n = await verifyEml(c.dir!, '01-cms/c3_no-signerInfos/no_certificates/no_signerInfos_no_certificates_detached.eml');
  assert.ok(!n.ok || n.signature === 'invalid', JSON.stringify(codesOf(n)));
});

test('crash_01 (ContentInfo without content): a malformed-cms result, no throw', { skip: c.skip || false }, async () => {
  const r = await verifyEml(c.dir!, '01-cms/crashes/crash_01.eml');
  assert.equal(r.ok, false);
  assert.deepEqual(codesOf(r), ['malformed-cms']);
  // The blob itself (SEQUENCE { signedData OID } and nothing else), straight into verifySignedData.
  const blob = new Uint8Array(Buffer.from('MAsGCSqGSIb3DQEHAg==', 'base64'));
  const direct = await verifySignedData(blob, { detachedContent: new Uint8Array([0x61]) });
  assert.equal(direct.ok, false);
  assert.equal(!direct.ok && direct.error.code, 'malformed-cms');
});

test('baseline message from the manager: valid, signer found, signing time as a Date', { skip: c.skip || false }, async () => {
  const r = await verifyEml(c.dir!, '01-cms/valid_email_from_manager.eml');
  assert.ok(r.ok);
  assert.equal(r.signature, 'valid');
  assert.equal(r.signers.length, 1);
  const s = r.signers[0];
  assert.ok(s.signingTime instanceof Date);
  assert.equal(s.signingTime.getUTCFullYear(), 2019);
  assert.equal(s.digestAlgorithm, 'SHA-256');
  assert.ok(s.signerCertificate);
});

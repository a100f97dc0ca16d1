// NIST PKITS conformance (2011 edition, as S/MIME messages): for each of the 224 messages, the
// certificates and CRLs carried in the SignedData go through validateChain with the PKITS trust anchor,
// revocation 'hard' (as OpenSSL's -crl_check_all) and delta CRLs, and the outcome is compared with
// expected.json (PKITS' own expectation for the default initial settings).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { corpus, readExpected } from '../support/corpus';
import { validateChain } from '../../src/trust/chain';
import { defaultCrypto } from '../../src/crypto';

interface Expected {
  file: string;
  pkits_expected: 'valid' | 'invalid';
  chain: string;
  agrees_with_openssl: boolean;
}

/**
 * Known disagreements, by file name, each with the reason. Printed, and asserted exactly: a fix that makes
 * one pass, or a regression, both fail the test until this list is updated.
 */
const KNOWN_FAILING: Record<string, string> = {};

/** expected.json's `chain` category (from OpenSSL's error) and the headline reason code we give. */
const CATEGORY: Record<string, string[]> = {
  revoked: ['cert-revoked'],
  expired: ['cert-expired'],
  'not-yet-valid': ['cert-not-yet-valid'],
  'revocation-unknown': ['revocation-unknown'],
  'name-constraints': ['name-constraints-violated'],
  policy: ['policy-violation'],
  'path-length': ['path-length-exceeded'],
  'invalid-ca': ['invalid-ca'],
  'bad-cert-signature': ['bad-cert-signature'],
  'unknown-critical-extension': ['unknown-critical-extension'],
  // OpenSSL's "unable to get local issuer certificate": no path, because the issuer name does not chain.
  untrusted: ['untrusted-root', 'missing-intermediate'],
};

/** The base64 body of the application/pkcs7-signature part (test-local; the corpus is well-formed). */
function signatureDer(eml: string): Uint8Array {
  const m = /Content-Type:\s*application\/(?:x-)?pkcs7-signature[^]*?\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/i.exec(eml);
  if (!m) throw new Error('no pkcs7-signature part');
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

function parse(der: Uint8Array) {
  const ci = pkijs.ContentInfo.fromBER(der.slice().buffer as ArrayBuffer);
  const sd = new pkijs.SignedData({ schema: ci.content });
  const certs = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate);
  const crls = (sd.crls ?? []).filter((c): c is pkijs.CertificateRevocationList => c instanceof pkijs.CertificateRevocationList);
  const sid = sd.signerInfos[0].sid;
  const signer = certs.find(
    (c) =>
      sid instanceof pkijs.IssuerAndSerialNumber &&
      c.serialNumber.isEqual(sid.serialNumber) &&
      Buffer.compare(Buffer.from(c.issuer.toSchema().toBER()), Buffer.from(sid.issuer.toSchema().toBER())) === 0,
  );
  if (!signer) throw new Error('signer certificate not found');
  return { certs, crls, signer };
}

const c = corpus('nist-pkits');

test('NIST PKITS: validateChain agrees with PKITS expectations', { skip: c.skip || undefined, timeout: 600_000 }, async () => {
  const dir = c.dir!;
  const expected = readExpected<Expected[]>(dir);
  const anchor = pkijs.Certificate.fromBER(readFileSync(join(dir, 'certs/TrustAnchorRootCertificate.crt')));
  const crypto = defaultCrypto();
  const wrong: string[] = [];
  const categoryMismatch: string[] = [];
  const at = new Date();
  for (const e of expected) {
    const name = e.file.replace(/^smime\//, '').replace(/\.eml$/, '');
    const { certs, crls, signer } = parse(signatureDer(readFileSync(join(dir, e.file), 'latin1')));
    const r = await validateChain(
      signer,
      {
        anchors: [anchor],
        intermediates: certs,
        crls,
        at,
        revocation: 'hard',
        // PKITS' DSA certificates are signed with dsa-with-SHA1 (the RSA ones with SHA-256).
        allowSha1: true,
      },
      crypto,
    );
    const got = r.trust === 'trusted' ? 'valid' : 'invalid';
    if (got !== e.pkits_expected) wrong.push(`${name}: expected ${e.pkits_expected}, got ${r.trust} (${r.reasons[0]?.code}: ${r.reasons[0]?.message})`);
    else if (got === 'invalid') {
      const code = r.reasons[0]?.code ?? 'none';
      if (!CATEGORY[e.chain]?.includes(code)) categoryMismatch.push(`${name}: OpenSSL ${e.chain}, ours ${code}`);
    }
  }
  const pass = expected.length - wrong.length;
  const openssl = expected.filter((e) => e.agrees_with_openssl).length;
  console.log(`PKITS: ${pass}/${expected.length} agree with expected.json (OpenSSL: ${openssl})`);
  for (const w of wrong) console.log(`  disagree: ${w}`);
  const invalid = expected.filter((e) => e.pkits_expected === 'invalid').length;
  console.log(`PKITS: headline reason matches OpenSSL's error category for ${invalid - categoryMismatch.length}/${invalid} invalid paths`);
  for (const m of categoryMismatch) console.log(`  category differs: ${m}`);
  const wrongNames = wrong.map((w) => w.slice(0, w.indexOf(':'))).sort();
  assert.deepEqual(wrongNames, Object.keys(KNOWN_FAILING).sort());
  assert.equal(expected.length, 224);
  assert.deepEqual(categoryMismatch, []);
});


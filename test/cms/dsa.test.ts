/**
 * DSA message signatures (dsa-with-SHA1/SHA-224/SHA-256), which WebCrypto cannot check: OpenSSL-made SignedData
 * both ways (OpenSSL's `cms -verify` and ours agree), SHA-1 policy, and NIST PKITS' two DSA-signed messages whose
 * chains validate, one with domain parameters inherited from the issuer (RFC 3279 §2.3.2), which OpenSSL 3
 * cannot decode.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as pkijs from 'pkijs';
import { verifySignedData } from '../../src/cms/verify';
import { inheritedDsaParams } from '../../src/cms/signer-key';
import type { CmsVerifyResult } from '../../src/cms/types';
import { defaultCrypto } from '../../src/crypto';
import { dsaParamsOf } from '../../src/signature/key';
import { corpus } from '../support/corpus';
import { openssl, pemToDer, runOpenssl } from '../support/pki';

const dir = mkdtempSync(join(tmpdir(), 'cms-dsa-'));
const CONTENT = Buffer.from('Content-Type: text/plain\r\n\r\nSigned with DSA.\r\n');
writeFileSync(join(dir, 'content'), CONTENT);

function ok(r: CmsVerifyResult): Extract<CmsVerifyResult, { ok: true }> {
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r;
}

/** A self-signed DSA 2048/256 certificate and its key, made once. */
const signerP = (async () => {
  await openssl(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', 'dsa_paramgen_bits:2048', '-pkeyopt', 'dsa_paramgen_q_bits:256', '-out', join(dir, 'params.pem')]);
  await openssl(['genpkey', '-paramfile', join(dir, 'params.pem'), '-out', join(dir, 'key.pem')]);
  await openssl(['req', '-x509', '-new', '-key', join(dir, 'key.pem'), '-subj', '/CN=DSA Signer', '-days', '3650', '-sha256', '-out', join(dir, 'cert.pem')]);
  return { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
})();

/** `openssl cms -sign` over CONTENT, detached, DER. */
async function sign(md: 'sha1' | 'sha224' | 'sha256'): Promise<string> {
  const s = await signerP;
  const out = join(dir, `signed-${md}.der`);
  await openssl(['cms', '-sign', '-binary', '-signer', s.cert, '-inkey', s.key, '-md', md, '-in', join(dir, 'content'), '-outform', 'DER', '-out', out]);
  return out;
}

async function opensslAccepts(der: string, content: Uint8Array): Promise<boolean> {
  writeFileSync(join(dir, 'check'), content);
  const r = await runOpenssl(['cms', '-verify', '-noverify', '-binary', '-inform', 'DER', '-in', der, '-content', join(dir, 'check'), '-out', join(dir, 'out')]);
  return r.code === 0;
}

for (const md of ['sha256', 'sha224', 'sha1'] as const) {
  test(`DSA ${md}: OpenSSL's cms -sign verifies here, a changed message fails, and OpenSSL agrees both times`, async () => {
    const file = await sign(md);
    const der = new Uint8Array(readFileSync(file));
    const good = ok(await verifySignedData(der, { detachedContent: CONTENT }));
    assert.equal(good.signature, 'valid', JSON.stringify(good.signers[0].reasons));
    assert.equal(good.signers[0].signatureAlgorithm, 'DSA');
    assert.equal(await opensslAccepts(file, CONTENT), true);
    const changed = Buffer.from(CONTENT.toString().replace('DSA', 'RSA'));
    const bad = ok(await verifySignedData(der, { detachedContent: changed }));
    assert.equal(bad.signature, 'invalid');
    assert.equal(await opensslAccepts(file, changed), false);
    const codes = good.signers[0].reasons.map((r) => r.code);
    if (md === 'sha1') {
      assert.ok(codes.includes('weak-digest'));
      assert.equal(good.signers[0].neverTrusted, true, 'DSA-SHA1 is never trusted unless the SHA-1 policy allows it');
      const allowed = ok(await verifySignedData(der, { detachedContent: CONTENT, allowSha1: true }));
      assert.equal(allowed.signers[0].neverTrusted, false);
    } else {
      assert.ok(!codes.includes('weak-digest'), codes.join());
      assert.ok(!codes.includes('weak-key'), '2048-bit DSA is not weak');
      assert.equal(good.signers[0].neverTrusted, undefined);
    }
  });
}

// ---- NIST PKITS: DSA-signed messages ------------------------------------------------------------------------------

const pkits = corpus('nist-pkits');

function pkitsSignature(name: string): Uint8Array {
  const eml = readFileSync(join(pkits.dir!, 'smime', `${name}.eml`), 'latin1');
  const m = /Content-Type:\s*application\/(?:x-)?pkcs7-signature[^]*?\r?\n\r?\n([A-Za-z0-9+/=\r\n]+)/i.exec(eml);
  assert.ok(m, 'signature part');
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

function pkitsContent(name: string): Uint8Array {
  const eml = readFileSync(join(pkits.dir!, 'smime', `${name}.eml`), 'latin1');
  const boundary = /boundary="?([^";\r\n]+)"?/i.exec(eml)![1];
  const parts = eml.split(`--${boundary}`);
  // The first body part, without the line break that belongs to the boundary (RFC 2046 §5.1.1).
  return new Uint8Array(Buffer.from(parts[1].replace(/^\r?\n/, '').replace(/\r?\n$/, ''), 'latin1'));
}

const pkitsCert = (file: string) => pkijs.Certificate.fromBER(readFileSync(join(pkits.dir!, 'certs', file)));

for (const [name, inherited] of [
  ['SignedValidDSASignaturesTest4', false],
  ['SignedValidDSAParameterInheritanceTest5', true],
  ['SignedInvalidDSASignatureTest6', false],
] as const) {
  test(`PKITS ${name}: the DSA-SHA1 message signature is valid (expected.json), weak unless SHA-1 is allowed`, { skip: pkits.skip || undefined }, async () => {
    const der = pkitsSignature(name);
    const r = ok(await verifySignedData(der, { detachedContent: pkitsContent(name), canonicalContent: () => toCrlf(pkitsContent(name)) }));
    assert.equal(r.signature, 'valid', JSON.stringify(r.signers[0].reasons));
    assert.equal(r.signers[0].signatureAlgorithm, 'DSA');
    assert.equal(r.signers[0].neverTrusted, true);
    assert.equal(r.signers[0].inheritedDsaParams !== undefined, inherited);
    const codes = r.signers[0].reasons.map((x) => x.code);
    assert.ok(codes.includes('weak-digest') && codes.includes('weak-key'), codes.join());
  });
}

test('PKITS parameter inheritance: the EE inherits from "DSA Parameters Inherited CA", which inherits from "DSA CA"', { skip: pkits.skip || undefined }, async () => {
  const dsaCa = pkitsCert('DSACACert.crt');
  const inheritedCa = pkitsCert('DSAParametersInheritedCACert.crt');
  const ee = pkitsCert('ValidDSAParameterInheritanceTest5EE.crt');
  assert.equal(dsaParamsOf(ee.subjectPublicKeyInfo), undefined);
  assert.equal(dsaParamsOf(inheritedCa.subjectPublicKeyInfo), undefined);
  const crypto = defaultCrypto();
  const params = await inheritedDsaParams(ee, [inheritedCa, dsaCa], crypto);
  assert.deepEqual(params, dsaParamsOf(dsaCa.subjectPublicKeyInfo));
  // Without the top of the inheritance, or with only a certificate whose key did not sign the EE: nothing.
  assert.equal(await inheritedDsaParams(ee, [inheritedCa], crypto), undefined);
  assert.equal(await inheritedDsaParams(ee, [dsaCa], crypto), undefined);
});

function toCrlf(b: Uint8Array): Uint8Array {
  return new Uint8Array(Buffer.from(Buffer.from(b).toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1'));
}

test('a DSA signer certificate made by OpenSSL reads back with its parameters (fixture sanity)', async () => {
  const s = await signerP;
  const cert = pkijs.Certificate.fromBER(new Uint8Array(pemToDer(readFileSync(s.cert, 'utf8'))));
  assert.equal(dsaParamsOf(cert.subjectPublicKeyInfo)?.p.toString(2).length, 2048);
});

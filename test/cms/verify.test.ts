/**
 * verifySignedData against OpenSSL-made SignedData (an independent implementation), every algorithm we
 * claim, and the ways a signature must fail: changed content, changed signature, wrong certificate.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import * as pkijs from 'pkijs';
import { verifySignedData } from '../../src/cms/verify';
import type { CmsVerifyResult } from '../../src/cms/types';
import { makePki, opensslVerify, runOpenssl, smimeSign, type Digest, type IssuedCert, type KeyType } from '../support/pki';

const pkiP = makePki();
const certOf = (c: { certDer: Buffer }) => pkijs.Certificate.fromBER(new Uint8Array(c.certDer));
const CONTENT = Buffer.from('Content-Type: text/plain\r\n\r\nHello Bob,\r\nthe meeting is at 10.\r\n', 'utf8');

function ok(r: CmsVerifyResult): Extract<CmsVerifyResult, { ok: true }> {
  assert.ok(r.ok, r.ok ? '' : `${r.error.code}: ${r.error.message}`);
  return r;
}

function codes(r: Extract<CmsVerifyResult, { ok: true }>, i = 0): string[] {
  return r.signers[i].reasons.map((x) => x.code);
}

const signers = new Map<string, Promise<IssuedCert>>();
function signer(keyType: KeyType): Promise<IssuedCert> {
  let p = signers.get(keyType);
  if (!p) {
    p = pkiP.then((pki) => pki.issue({ name: `Signer ${keyType}`, email: `${keyType}@example.test`, keyType }));
    signers.set(keyType, p);
  }
  return p;
}

async function signDer(
  s: IssuedCert,
  o: { md?: Digest; pss?: boolean; opaque?: boolean; noattr?: boolean; nocerts?: boolean; content?: Buffer } = {},
): Promise<{ der: Uint8Array; path: string }> {
  const m = await smimeSign({
    signer: s,
    content: o.content ?? CONTENT,
    outform: 'der',
    binary: true,
    md: o.md,
    pss: o.pss,
    opaque: o.opaque,
    noattr: o.noattr,
    nocerts: o.nocerts,
  });
  return { der: new Uint8Array(m.bytes), path: m.path };
}

const CASES: { name: string; keyType: KeyType; md?: Digest; pss?: boolean; scheme: string; digest: string }[] = [
  { name: 'RSA PKCS#1 v1.5 SHA-256', keyType: 'rsa2048', md: 'sha256', scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-256' },
  { name: 'RSA PKCS#1 v1.5 SHA-384', keyType: 'rsa2048', md: 'sha384', scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-384' },
  { name: 'RSA PKCS#1 v1.5 SHA-512', keyType: 'rsa2048', md: 'sha512', scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-512' },
  { name: 'RSA PKCS#1 v1.5 SHA-1', keyType: 'rsa2048', md: 'sha1', scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-1' },
  { name: 'RSA PKCS#1 v1.5 MD5', keyType: 'rsa2048', md: 'md5', scheme: 'RSASSA-PKCS1-v1_5', digest: 'MD5' },
  { name: 'RSA PKCS#1 v1.5 SHA-224', keyType: 'rsa2048', md: 'sha224', scheme: 'RSASSA-PKCS1-v1_5', digest: 'SHA-224' },
  { name: 'RSASSA-PSS SHA-256', keyType: 'rsa2048', md: 'sha256', pss: true, scheme: 'RSA-PSS', digest: 'SHA-256' },
  { name: 'RSASSA-PSS SHA-512', keyType: 'rsa3072', md: 'sha512', pss: true, scheme: 'RSA-PSS', digest: 'SHA-512' },
  { name: 'ECDSA P-256 SHA-256', keyType: 'ec-p256', md: 'sha256', scheme: 'ECDSA', digest: 'SHA-256' },
  { name: 'ECDSA P-384 SHA-384', keyType: 'ec-p384', md: 'sha384', scheme: 'ECDSA', digest: 'SHA-384' },
  { name: 'ECDSA P-521 SHA-512', keyType: 'ec-p521', md: 'sha512', scheme: 'ECDSA', digest: 'SHA-512' },
  { name: 'ECDSA P-256 SHA-1', keyType: 'ec-p256', md: 'sha1', scheme: 'ECDSA', digest: 'SHA-1' },
  // Hash longer / shorter than the curve order (truncation per FIPS 186-4).
  { name: 'ECDSA P-256 SHA-512', keyType: 'ec-p256', md: 'sha512', scheme: 'ECDSA', digest: 'SHA-512' },
  { name: 'ECDSA P-521 SHA-256', keyType: 'ec-p521', md: 'sha256', scheme: 'ECDSA', digest: 'SHA-256' },
];

for (const c of CASES) {
  test(`detached ${c.name}: OpenSSL's signature verifies; changed content, signature or certificate fail`, async () => {
    const s = await signer(c.keyType);
    const { der, path } = await signDer(s, { md: c.md, pss: c.pss });
    // OpenSSL agrees the fixture is good (independent check of the fixture itself).
    const contentFile = `${path}.content`;
    writeFileSync(contentFile, CONTENT);
    const o = await opensslVerify(path, { inform: 'der', noverify: true, contentFile, binary: true });
    assert.ok(o.ok, o.stderr);

    const r = ok(await verifySignedData(der, { detachedContent: CONTENT }));
    assert.equal(r.signature, 'valid', JSON.stringify(r.signers[0].reasons));
    assert.equal(r.signers.length, 1);
    const si = r.signers[0];
    assert.equal(si.signature, 'valid');
    assert.equal(si.signatureAlgorithm, c.scheme);
    assert.equal(si.digestAlgorithm, c.digest);
    assert.ok(si.signerCertificate, 'signer certificate found');
    assert.ok(si.signingTime instanceof Date, 'signing time is a Date');
    assert.ok(Math.abs(si.signingTime.getTime() - Date.now()) < 10 * 60_000);
    assert.equal(r.eContentType, '1.2.840.113549.1.7.1');
    assert.equal(r.eContent, undefined);
    assert.ok(r.certificates.length >= 2, 'signer and intermediate are embedded');
    if (c.digest === 'MD5' || c.digest === 'SHA-1') {
      assert.ok(codes(r).includes('weak-digest'));
      assert.equal(si.neverTrusted, true);
    } else {
      assert.deepEqual(codes(r), ['signature-valid']);
      assert.ok(!si.neverTrusted);
    }

    // Changed content: one byte.
    const changed = Buffer.from(CONTENT);
    changed[changed.length - 4] ^= 0x01;
    const bad = ok(await verifySignedData(der, { detachedContent: changed }));
    assert.equal(bad.signature, 'invalid');
    assert.deepEqual(codes(bad), ['content-digest-mismatch']);

    // Changed signature value: the last byte of the DER is inside the signature (no unsigned attributes).
    const tampered = new Uint8Array(der);
    tampered[tampered.length - 1] ^= 0x01;
    const badSig = ok(await verifySignedData(tampered, { detachedContent: CONTENT }));
    assert.equal(badSig.signature, 'invalid');
    assert.deepEqual(codes(badSig), ['signature-invalid']);

    // Wrong certificate: same issuer and serial is impossible, so sign without certificates and offer another.
    const other = await (await pkiP).issue({ name: `Other ${c.name}`, keyType: c.keyType });
    const noCerts = await signDer(s, { md: c.md, pss: c.pss, nocerts: true });
    const none = ok(await verifySignedData(noCerts.der, { detachedContent: CONTENT }));
    assert.equal(none.signature, 'unknown-signer');
    assert.deepEqual(codes(none), ['signer-cert-missing']);
    const wrong = ok(
      await verifySignedData(noCerts.der, {
        detachedContent: CONTENT,
        extraCertificates: [certOf(other)],
      }),
    );
    assert.equal(wrong.signature, 'unknown-signer', 'a certificate with another issuer/serial is not the signer');
    const right = ok(
      await verifySignedData(noCerts.der, {
        detachedContent: CONTENT,
        extraCertificates: [certOf(other), certOf(s)],
      }),
    );
    assert.equal(right.signature, 'valid');
  });
}

test('SHA-1 with allowSha1: still a weak-digest warning, but not never-trusted; MD5 stays never-trusted', async () => {
  const s = await signer('rsa2048');
  const sha1 = await signDer(s, { md: 'sha1' });
  const r = ok(await verifySignedData(sha1.der, { detachedContent: CONTENT, allowSha1: true }));
  assert.equal(r.signature, 'valid');
  assert.equal(r.signers[0].neverTrusted, false);
  assert.ok(codes(r).includes('weak-digest'));
  const md5 = await signDer(s, { md: 'md5' });
  const m = ok(await verifySignedData(md5.der, { detachedContent: CONTENT, allowSha1: true }));
  assert.equal(m.signers[0].neverTrusted, true);
});

test('a key of the wrong type for the signature algorithm is invalid, not a crash', async () => {
  const rsa = await signer('rsa2048');
  const ec = await signer('ec-p256');
  const noCerts = await signDer(rsa, { nocerts: true });
  // Put the EC certificate where the RSA signer's certificate should be found: same issuer+serial impossible,
  // so patch the SignerInfo's serial to the EC certificate's.
  const ecCert = certOf(ec);
  const cms = pkijs.ContentInfo.fromBER(new Uint8Array(noCerts.der));
  const sd = new pkijs.SignedData({ schema: cms.content });
  (sd.signerInfos[0].sid as pkijs.IssuerAndSerialNumber).serialNumber = ecCert.serialNumber;
  const patched = new pkijs.ContentInfo({ contentType: cms.contentType, content: sd.toSchema(true) }).toSchema().toBER();
  const r = ok(await verifySignedData(new Uint8Array(patched), { detachedContent: CONTENT, extraCertificates: [ecCert] }));
  assert.equal(r.signature, 'invalid');
  assert.deepEqual(codes(r), ['signature-invalid']);
});

test('opaque (encapsulated) signed data: eContent is returned and verified', async () => {
  const s = await signer('ec-p384');
  const { der } = await signDer(s, { opaque: true, md: 'sha384' });
  const r = ok(await verifySignedData(der, {}));
  assert.equal(r.signature, 'valid');
  assert.deepEqual(Buffer.from(r.eContent!), CONTENT);
});

test('no signed attributes (-noattr): signature over the content itself, detached and opaque', async () => {
  for (const keyType of ['rsa2048', 'ec-p256'] as const) {
    const s = await signer(keyType);
    const det = await signDer(s, { noattr: true });
    const r = ok(await verifySignedData(det.der, { detachedContent: CONTENT }));
    assert.equal(r.signature, 'valid', keyType);
    assert.equal(r.signers[0].signingTime, undefined);
    const changed = Buffer.from(CONTENT);
    changed[0] ^= 0x20;
    const bad = ok(await verifySignedData(det.der, { detachedContent: changed }));
    assert.equal(bad.signature, 'invalid');
    assert.deepEqual(codes(bad), ['signature-invalid']);
    const opq = await signDer(s, { noattr: true, opaque: true });
    assert.equal(ok(await verifySignedData(opq.der, {})).signature, 'valid');
  }
});

test('canonicalContent: tried lazily, only when the content as given does not match', async () => {
  const s = await signer('rsa2048');
  const { der } = await signDer(s);
  const lfOnly = Buffer.from(CONTENT.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
  let made = 0;
  const canonicalContent = () => {
    made++;
    return CONTENT;
  };
  const direct = ok(await verifySignedData(der, { detachedContent: CONTENT, canonicalContent }));
  assert.equal(direct.signature, 'valid');
  assert.equal(made, 0, 'not made when the first form matched');
  assert.equal(direct.signers[0].contentForm, 'as-given');
  const viaCanonical = ok(await verifySignedData(der, { detachedContent: lfOnly, canonicalContent }));
  assert.equal(viaCanonical.signature, 'valid');
  assert.equal(viaCanonical.signers[0].contentForm, 'canonical');
  assert.equal(made, 1);
  const noCanon = ok(await verifySignedData(der, { detachedContent: lfOnly }));
  assert.equal(noCanon.signature, 'invalid');
});

test('detached signature without content is an error result, not a throw', async () => {
  const s = await signer('rsa2048');
  const { der } = await signDer(s);
  const r = await verifySignedData(der, {});
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.error.code, 'malformed-cms');
});

test('multipart/signed message from OpenSSL: the signature part verifies over the first part', async () => {
  const s = await signer('rsa2048');
  const msg = await smimeSign({ signer: s, content: CONTENT });
  const text = msg.bytes.toString('latin1');
  const boundary = /boundary="([^"]+)"/.exec(text)![1];
  const parts = text.split(`--${boundary}`);
  const first = parts[1].replace(/^\r\n/, '').replace(/\r\n$/, '');
  const sigPart = parts[2];
  const b64 = sigPart.slice(sigPart.indexOf('\r\n\r\n') + 4).replace(/\s+/g, '');
  const r = ok(
    await verifySignedData(new Uint8Array(Buffer.from(b64, 'base64')), {
      detachedContent: Buffer.from(first, 'latin1'),
    }),
  );
  assert.equal(r.signature, 'valid');
  assert.equal(readFileSync(msg.path).length > 0, true);
});

test('truncated and malformed DER give typed errors', async () => {
  const s = await signer('rsa2048');
  const { der } = await signDer(s);
  const cut = await verifySignedData(der.subarray(0, der.length - 10), { detachedContent: CONTENT });
  assert.equal(cut.ok, false);
  assert.equal(!cut.ok && cut.error.code, 'truncated');
  const junk = await verifySignedData(new TextEncoder().encode('this is not DER'), { detachedContent: CONTENT });
  assert.equal(junk.ok, false);
  assert.equal(!junk.ok && junk.error.code, 'malformed-cms');
  const empty = await verifySignedData(new Uint8Array(0), { detachedContent: CONTENT });
  assert.equal(!empty.ok && empty.error.code, 'malformed-cms');
});

test('Ed25519 (RFC 8419, hand-built SignedData signed by openssl pkeyutl): detached, opaque, no attributes', async () => {
  const s = await signer('ed25519');
  for (const o of [{}, { opaque: true }, { noattr: true }, { noattr: true, opaque: true }]) {
    const m = await smimeSign({ signer: s, content: CONTENT, outform: 'der', binary: true, ...o });
    assert.ok(m.ed25519, 'hand-built Ed25519 fixture');
    // OpenSSL checks its own signature over exactly the bytes the fixture says were signed.
    const v = await runOpenssl([
      'pkeyutl', '-verify', '-rawin', '-certin', '-inkey', s.certPath, '-in', m.ed25519.tbsPath, '-sigfile', m.ed25519.sigPath,
    ]);
    assert.match(v.stdout.toString(), /Signature Verified Successfully/);
    const der = new Uint8Array(m.bytes);
    const opts = 'opaque' in o ? {} : { detachedContent: CONTENT };
    const r = ok(await verifySignedData(der, opts));
    assert.equal(r.signature, 'valid', JSON.stringify(o));
    assert.equal(r.signers[0].signatureAlgorithm, 'Ed25519');
    assert.equal(r.signers[0].digestAlgorithm, 'SHA-512');
    const tampered = new Uint8Array(der);
    tampered[tampered.length - 1] ^= 0x80;
    assert.equal(ok(await verifySignedData(tampered, opts)).signature, 'invalid', JSON.stringify(o));
    if (!('opaque' in o)) {
      const changed = Buffer.from(CONTENT);
      changed[5] ^= 1;
      assert.equal(ok(await verifySignedData(der, { detachedContent: changed })).signature, 'invalid');
    }
  }
});

test('explicit signing time: returned as that Date; outside the certificate validity it is flagged', async () => {
  const pki = await pkiP;
  const s = await pki.issue({
    name: 'Time Signer',
    start: new Date(Date.UTC(2022, 0, 1)),
    end: new Date(Date.UTC(2023, 0, 1)),
  });
  const inside = new Date(Date.UTC(2022, 5, 15, 12, 0, 0));
  const m = await smimeSign({ signer: s, content: CONTENT, outform: 'der', binary: true, signingTime: inside });
  const r = ok(await verifySignedData(new Uint8Array(m.bytes), { detachedContent: CONTENT }));
  assert.equal(r.signature, 'valid');
  assert.equal(r.signers[0].signingTime?.toISOString(), inside.toISOString());
  assert.deepEqual(codes(r), ['signature-valid']);
  const outside = new Date(Date.UTC(2024, 1, 1));
  const m2 = await smimeSign({ signer: s, content: CONTENT, outform: 'der', binary: true, signingTime: outside });
  const r2 = ok(await verifySignedData(new Uint8Array(m2.bytes), { detachedContent: CONTENT }));
  assert.equal(r2.signature, 'valid', 'the signature itself is fine');
  assert.deepEqual(codes(r2), ['signature-valid', 'signing-time-outside-validity']);
  // GeneralizedTime (from 2050 on) is read too.
  const late = new Date(Date.UTC(2051, 2, 3, 4, 5, 6));
  const m3 = await smimeSign({ signer: s, content: CONTENT, outform: 'der', binary: true, signingTime: late });
  const r3 = ok(await verifySignedData(new Uint8Array(m3.bytes), { detachedContent: CONTENT }));
  assert.equal(r3.signers[0].signingTime?.toISOString(), late.toISOString());
});

test('two signers (RSA + ECDSA) from OpenSSL: both valid, reported each, multiple-signer-infos as info', async () => {
  const a = await signer('rsa2048');
  const b = await signer('ec-p256');
  const m = await smimeSign({ signer: a, extraSigners: [b], content: CONTENT, outform: 'der', binary: true });
  const r = ok(await verifySignedData(new Uint8Array(m.bytes), { detachedContent: CONTENT }));
  assert.equal(r.signature, 'valid');
  assert.deepEqual(r.signers.map((s) => s.signatureAlgorithm).sort(), ['ECDSA', 'RSASSA-PKCS1-v1_5']);
  assert.deepEqual(r.reasons.map((x) => [x.code, x.severity]), [['multiple-signer-infos', 'info']]);
});

test('eContent confusion built with OpenSSL: opaque signed data offered with a different visible content', async () => {
  const s = await signer('rsa2048');
  const { der } = await signDer(s, { opaque: true });
  const visible = Buffer.from('Content-Type: text/plain\r\n\r\nJohnny, you are fired!\r\n');
  for (const detachedContent of [visible, CONTENT]) {
    const r = ok(await verifySignedData(der, { detachedContent }));
    assert.equal(r.signature, 'invalid');
    assert.deepEqual(r.reasons.map((x) => x.code), ['econtent-confusion']);
    assert.deepEqual(codes(r), ['econtent-confusion']);
    assert.ok(r.signers[0].signerCertificate, 'the signer is still named');
  }
});

test('signer identified by subjectKeyIdentifier (openssl cms -keyid)', async () => {
  const pki = await pkiP;
  const s = await signer('ec-p256');
  const inPath = `${pki.dir}/keyid.in`;
  const outPath = `${pki.dir}/keyid.der`;
  writeFileSync(inPath, CONTENT);
  const res = await runOpenssl([
    'cms', '-sign', '-binary', '-keyid', '-in', inPath, '-signer', s.certPath, '-inkey', s.keyPath, '-outform', 'DER', '-out', outPath,
  ]);
  assert.equal(res.code, 0, res.stderr);
  const der = new Uint8Array(readFileSync(outPath));
  const r = ok(await verifySignedData(der, { detachedContent: CONTENT }));
  assert.equal(r.signature, 'valid');
  assert.equal(r.signers[0].signerCertificate?.serialNumber.valueBlock.toString(), certOf(s).serialNumber.valueBlock.toString());
  // Without the certificate: the key identifier matches nothing else.
  const noCert = `${pki.dir}/keyid-nocerts.der`;
  await runOpenssl([
    'cms', '-sign', '-binary', '-keyid', '-nocerts', '-in', inPath, '-signer', s.certPath, '-inkey', s.keyPath, '-outform', 'DER', '-out', noCert,
  ]);
  const other = await (await pkiP).issue({ name: 'keyid other', keyType: 'ec-p256' });
  const n = ok(
    await verifySignedData(new Uint8Array(readFileSync(noCert)), { detachedContent: CONTENT, extraCertificates: [certOf(other)] }),
  );
  assert.equal(n.signature, 'unknown-signer');
});

test('streamed BER (openssl cms -stream): indefinite lengths and a chunked eContent are read', async () => {
  const pki = await pkiP;
  const s = await signer('rsa2048');
  const big = Buffer.concat([CONTENT, Buffer.alloc(20000, 0x61), Buffer.from('\r\n')]);
  const inPath = `${pki.dir}/stream.in`;
  const outPath = `${pki.dir}/stream.der`;
  writeFileSync(inPath, big);
  const res = await runOpenssl([
    'cms', '-sign', '-binary', '-stream', '-nodetach', '-in', inPath, '-signer', s.certPath, '-inkey', s.keyPath, '-outform', 'DER', '-out', outPath,
  ]);
  assert.equal(res.code, 0, res.stderr);
  const der = new Uint8Array(readFileSync(outPath));
  assert.equal(der[1], 0x80, 'indefinite length at the top');
  const r = ok(await verifySignedData(der, {}));
  assert.equal(r.signature, 'valid');
  assert.deepEqual(Buffer.from(r.eContent!), big);
});

test('content-type attribute that differs from eContentType: content-type-mismatch', async () => {
  const s = await signer('rsa2048');
  const { der } = await signDer(s, { opaque: true });
  const cms = pkijs.ContentInfo.fromBER(new Uint8Array(der));
  const sd = new pkijs.SignedData({ schema: cms.content });
  sd.encapContentInfo.eContentType = '1.2.840.113549.1.9.16.1.4'; // id-ct-TSTInfo
  const patched = new pkijs.ContentInfo({ contentType: cms.contentType, content: sd.toSchema(true) }).toSchema().toBER();
  const r = ok(await verifySignedData(new Uint8Array(patched), {}));
  assert.equal(r.signature, 'invalid');
  assert.deepEqual(codes(r), ['content-type-mismatch']);

  // Without signed attributes nothing protects a content type other than id-data (RFC 5652 §5.3).
  const noattr = await signDer(s, { opaque: true, noattr: true });
  const cms2 = pkijs.ContentInfo.fromBER(new Uint8Array(noattr.der));
  const sd2 = new pkijs.SignedData({ schema: cms2.content });
  sd2.encapContentInfo.eContentType = '1.2.840.113549.1.9.16.1.4';
  const patched2 = new pkijs.ContentInfo({ contentType: cms2.contentType, content: sd2.toSchema(true) }).toSchema().toBER();
  const r2 = ok(await verifySignedData(new Uint8Array(patched2), {}));
  assert.equal(r2.signature, 'invalid');
  assert.deepEqual(codes(r2), ['content-type-mismatch']);
});

test('zero SignerInfos and an unknown signature algorithm', async () => {
  const s = await signer('rsa2048');
  const { der } = await signDer(s);
  const cms = pkijs.ContentInfo.fromBER(new Uint8Array(der));
  const sd = new pkijs.SignedData({ schema: cms.content });
  const encode = (x: pkijs.SignedData) =>
    new Uint8Array(new pkijs.ContentInfo({ contentType: cms.contentType, content: x.toSchema(true) }).toSchema().toBER());

  const unknown = new pkijs.SignedData({ schema: cms.content });
  unknown.signerInfos[0].signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.3.4.5.6' });
  const u = ok(await verifySignedData(encode(unknown), { detachedContent: CONTENT }));
  assert.equal(u.signature, 'unsupported');
  assert.deepEqual(codes(u), ['unsupported-algorithm']);
  assert.match(u.signers[0].reasons[0].message, /1\.2\.3\.4\.5\.6/);

  sd.signerInfos = [];
  const z = ok(await verifySignedData(encode(sd), { detachedContent: CONTENT }));
  assert.equal(z.signature, 'invalid');
  assert.deepEqual(z.signers, []);
  assert.deepEqual(z.reasons.map((x) => x.code), ['no-signer-info']);
});

test('RSASSA-PSS parameter variants from OpenSSL: MGF1 hash ≠ hash, SHA-224, salt lengths 0 and max', async () => {
  const pki = await pkiP;
  const s = await signer('rsa2048');
  const inPath = `${pki.dir}/pss.in`;
  writeFileSync(inPath, CONTENT);
  const variants: string[][] = [
    ['-md', 'sha256', '-keyopt', 'rsa_mgf1_md:sha1'],
    ['-md', 'sha512', '-keyopt', 'rsa_mgf1_md:sha256', '-keyopt', 'rsa_pss_saltlen:max'],
    ['-md', 'sha224'],
    ['-md', 'sha256', '-keyopt', 'rsa_pss_saltlen:max'],
    ['-md', 'sha256', '-keyopt', 'rsa_pss_saltlen:0'],
    ['-md', 'sha384', '-keyopt', 'rsa_mgf1_md:sha1', '-keyopt', 'rsa_pss_saltlen:0'],
  ];
  for (const [i, v] of variants.entries()) {
    const outPath = `${pki.dir}/pss-${i}.der`;
    const res = await runOpenssl([
      'cms', '-sign', '-binary', '-in', inPath, '-signer', s.certPath, '-inkey', s.keyPath,
      '-keyopt', 'rsa_padding_mode:pss', ...v, '-outform', 'DER', '-out', outPath,
    ]);
    assert.equal(res.code, 0, res.stderr);
    const der = new Uint8Array(readFileSync(outPath));
    const r = ok(await verifySignedData(der, { detachedContent: CONTENT }));
    assert.equal(r.signature, 'valid', `${v.join(' ')}: ${JSON.stringify(r.signers[0].reasons)}`);
    assert.equal(r.signers[0].signatureAlgorithm, 'RSA-PSS');
    const tampered = new Uint8Array(der);
    tampered[tampered.length - 7] ^= 0x04;
    assert.equal(ok(await verifySignedData(tampered, { detachedContent: CONTENT })).signature, 'invalid', v.join(' '));
  }
});

test('large opaque content (30 MiB, over asn1js’ 16 MiB default limit): verified over a view, input untouched', async () => {
  const s = await signer('rsa2048');
  const big = Buffer.alloc(30 * 1024 * 1024, 0x41);
  big.write('Content-Type: application/octet-stream\r\n\r\n');
  const m = await smimeSign({ signer: s, content: big, outform: 'der', binary: true, opaque: true });
  const der = new Uint8Array(m.bytes.buffer, m.bytes.byteOffset, m.bytes.length);
  const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
  const before = sha(der);
  const r = ok(await verifySignedData(der, {}));
  assert.equal(r.signature, 'valid');
  assert.equal(r.eContent?.length, big.length);
  assert.equal(r.eContent?.buffer, der.buffer, 'eContent is a view into the input, not a copy');
  const after = sha(der);
  assert.equal(after, before, 'verification does not write into the caller’s bytes');
});

test('signed content that is itself BER with many nodes is not decoded (no node-limit failure)', async () => {
  const s = await signer('ec-p256');
  const n = 300_000; // 300 000 NULLs: over the node bound if the content were decoded as ASN.1
  const body = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) body[i * 2] = 0x05;
  const content = Buffer.concat([Buffer.from([0x30, 0x83, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  const m = await smimeSign({ signer: s, content, outform: 'der', binary: true, opaque: true });
  const r = ok(await verifySignedData(new Uint8Array(m.bytes), {}));
  assert.equal(r.signature, 'valid');
  assert.equal(r.eContent?.length, content.length);
});

test('ESS signing-certificate-v2 (openssl cms -cades): a substituted certificate with the same key, issuer and serial is refused', async () => {
  // Two fixture PKIs sharing keys (and, as any two do, serial numbers): B's leaf has A's key, issuer name and
  // serial, but another e-mail address — exactly the substitution the attribute exists to stop.
  const a = await makePki();
  const b = await makePki({ sameKeysAs: a });
  const leafA = await a.issue({ name: 'Same', email: 'alice@example.test' });
  const leafB = await b.issue({ name: 'Same', email: 'mallory@example.test' });
  assert.equal(leafA.serial, leafB.serial);
  assert.equal(leafA.keyPem, leafB.keyPem);
  const inPath = `${a.dir}/cades.in`;
  writeFileSync(inPath, CONTENT);
  const sign = async (extra: string[], out: string) => {
    const res = await runOpenssl([
      'cms', '-sign', '-binary', '-nocerts', '-in', inPath, '-signer', leafA.certPath, '-inkey', leafA.keyPath, ...extra, '-outform', 'DER', '-out', out,
    ]);
    assert.equal(res.code, 0, res.stderr);
    return new Uint8Array(readFileSync(out));
  };
  const cades = await sign(['-cades'], `${a.dir}/cades.der`);
  const withA = ok(await verifySignedData(cades, { detachedContent: CONTENT, extraCertificates: [certOf(leafA)] }));
  assert.equal(withA.signature, 'valid');
  const withB = ok(await verifySignedData(cades, { detachedContent: CONTENT, extraCertificates: [certOf(leafB)] }));
  assert.equal(withB.signature, 'invalid');
  assert.deepEqual(codes(withB), ['signature-invalid']);
  assert.match(withB.signers[0].reasons[0].message, /different certificate/);
  // Without the attribute, the substitution cannot be seen at this level (only path validation can refuse B).
  const plain = await sign([], `${a.dir}/plain.der`);
  const plainB = ok(await verifySignedData(plain, { detachedContent: CONTENT, extraCertificates: [certOf(leafB)] }));
  assert.equal(plainB.signature, 'valid');
  a.cleanup();
  b.cleanup();
});

test('RSA key under 2048 bits: the signature is checked and valid, with a weak-key warning', async () => {
  const pki = await pkiP;
  const key = `${pki.dir}/rsa1024.key`;
  const cert = `${pki.dir}/rsa1024.pem`;
  const inPath = `${pki.dir}/rsa1024.in`;
  const out = `${pki.dir}/rsa1024.der`;
  writeFileSync(inPath, CONTENT);
  for (const args of [
    ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:1024', '-out', key],
    ['req', '-new', '-x509', '-key', key, '-subj', '/CN=Small Key', '-days', '3650', '-out', cert],
    ['cms', '-sign', '-binary', '-in', inPath, '-signer', cert, '-inkey', key, '-outform', 'DER', '-out', out],
  ]) {
    const res = await runOpenssl(args);
    assert.equal(res.code, 0, res.stderr);
  }
  const r = ok(await verifySignedData(new Uint8Array(readFileSync(out)), { detachedContent: CONTENT }));
  assert.equal(r.signature, 'valid');
  assert.equal(r.signers[0].rsaBits, 1024);
  assert.deepEqual(codes(r), ['signature-valid', 'weak-key']);
});

test('RSASSA-PSS-only key (id-RSASSA-PSS in the certificate, OpenSSL genpkey -algorithm RSA-PSS)', async () => {
  const pki = await pkiP;
  const key = `${pki.dir}/pss-only.key`;
  const cert = `${pki.dir}/pss-only.pem`;
  const inPath = `${pki.dir}/pss-only.in`;
  const out = `${pki.dir}/pss-only.der`;
  writeFileSync(inPath, CONTENT);
  for (const args of [
    ['genpkey', '-algorithm', 'RSA-PSS', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', key],
    ['req', '-new', '-x509', '-key', key, '-subj', '/CN=PSS Only', '-days', '3650', '-out', cert],
    ['cms', '-sign', '-binary', '-md', 'sha256', '-in', inPath, '-signer', cert, '-inkey', key, '-keyopt', 'rsa_padding_mode:pss', '-outform', 'DER', '-out', out],
    // Without -keyopt OpenSSL 3.0 labels the PSS signature rsaEncryption, and its own verify refuses that too.
    ['cms', '-sign', '-binary', '-md', 'sha256', '-in', inPath, '-signer', cert, '-inkey', key, '-outform', 'DER', '-out', `${out}.mislabelled`],
  ]) {
    const res = await runOpenssl(args);
    assert.equal(res.code, 0, res.stderr);
  }
  const r = ok(await verifySignedData(new Uint8Array(readFileSync(out)), { detachedContent: CONTENT }));
  assert.equal(r.signature, 'valid', JSON.stringify(r.signers[0].reasons));
  const o = await opensslVerify(`${out}.mislabelled`, { inform: 'der', noverify: true, contentFile: inPath, binary: true });
  assert.equal(o.ok, false);
  const mis = ok(await verifySignedData(new Uint8Array(readFileSync(`${out}.mislabelled`)), { detachedContent: CONTENT }));
  assert.equal(mis.signature, 'invalid');
  assert.match(mis.signers[0].reasons[0].message, /restricts its key to RSASSA-PSS/);
  assert.equal(r.signers[0].signatureAlgorithm, 'RSA-PSS');
  const changed = Buffer.from(CONTENT);
  changed[3] ^= 1;
  assert.equal(ok(await verifySignedData(new Uint8Array(readFileSync(out)), { detachedContent: changed })).signature, 'invalid');
});

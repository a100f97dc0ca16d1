/**
 * loadCertificates / loadCrls over what OpenSSL writes: PEM (several blocks), DER, concatenated DER,
 * PKCS#7 certs-only bundles (crl2pkcs7, PEM and DER), and bad input that must give an error, not a throw.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadCertificates, loadCrls, loadPkiBundle } from '../../src/certs/load';
import { certificateDer } from '../../src/certs/details';
import { makePki, openssl } from '../support/pki';

const pkiP = makePki();
const enc = (s: string) => new TextEncoder().encode(s);

test('PEM with several blocks (and a private key in between) gives every certificate, in order', async () => {
  const pki = await pkiP;
  const alice = await pki.issue({ name: 'Alice Load', email: 'alice@example.test' });
  const pem = `Some explanatory text\n${alice.certPem}${alice.keyPem}${pki.intermediate.certPem}${pki.root.certPem}`;
  const r = loadCertificates(enc(pem));
  assert.equal(r.error, undefined);
  assert.equal(r.certs.length, 3);
  assert.deepEqual(Buffer.from(certificateDer(r.certs[0])), alice.certDer);
  assert.deepEqual(Buffer.from(certificateDer(r.certs[2])), pki.root.certDer);
  // CRLF line ends and "TRUSTED CERTIFICATE" / "X509 CERTIFICATE" labels are read too.
  const crlf = loadCertificates(enc(pki.root.certPem.replace(/\n/g, '\r\n')));
  assert.equal(crlf.certs.length, 1);
  const trusted = (await openssl(['x509', '-in', pki.root.certPath, '-trustout', '-addtrust', 'emailProtection'])).toString();
  assert.match(trusted, /BEGIN TRUSTED CERTIFICATE/);
  const t = loadCertificates(enc(trusted));
  assert.equal(t.error, undefined);
  assert.deepEqual(Buffer.from(certificateDer(t.certs[0])), pki.root.certDer);
});

test('DER: one certificate, and several back to back', async () => {
  const pki = await pkiP;
  const one = loadCertificates(new Uint8Array(pki.root.certDer));
  assert.equal(one.error, undefined);
  assert.equal(one.certs.length, 1);
  const two = loadCertificates(new Uint8Array(Buffer.concat([pki.root.certDer, pki.intermediate.certDer])));
  assert.equal(two.error, undefined);
  assert.equal(two.certs.length, 2);
});

test('PKCS#7 certs-only bundle (.p7b) in PEM and DER, with a CRL inside', async () => {
  const pki = await pkiP;
  const crl = await pki.crl();
  const dir = pki.dir;
  const p7pem = `${dir}/bundle.p7b.pem`;
  const p7der = `${dir}/bundle.p7b`;
  await openssl(['crl2pkcs7', '-in', crl.pemPath, '-certfile', pki.root.certPath, '-certfile', pki.intermediate.certPath, '-out', p7pem]);
  await openssl(['pkcs7', '-in', p7pem, '-outform', 'DER', '-out', p7der]);
  for (const path of [p7pem, p7der]) {
    const bytes = new Uint8Array(readFileSync(path));
    const r = loadCertificates(bytes);
    assert.equal(r.error, undefined, path);
    assert.equal(r.certs.length, 2, path);
    const c = loadCrls(bytes);
    assert.equal(c.error, undefined, path);
    assert.equal(c.crls.length, 1, path);
    const b = loadPkiBundle(bytes);
    assert.deepEqual([b.certs.length, b.crls.length, b.errors.length], [2, 1, 0]);
  }
});

test('CRLs: PEM and DER', async () => {
  const pki = await pkiP;
  const crl = await pki.crl();
  const fromPem = loadCrls(new Uint8Array(readFileSync(crl.pemPath)));
  assert.equal(fromPem.error, undefined);
  assert.equal(fromPem.crls.length, 1);
  const fromDer = loadCrls(new Uint8Array(crl.der));
  assert.equal(fromDer.error, undefined);
  assert.equal(fromDer.crls.length, 1);
  // A CRL is not a certificate: say so.
  const asCert = loadCertificates(new Uint8Array(crl.der));
  assert.equal(asCert.certs.length, 0);
  assert.match(asCert.error!, /CRL/);
});

test('bad input: an error naming the problem, never a throw', async () => {
  const pki = await pkiP;
  const cases: [string, Uint8Array, RegExp][] = [
    ['empty', new Uint8Array(0), /empty/],
    ['text', enc('hello world'), /not DER|neither/],
    ['cut DER', new Uint8Array(pki.root.certDer.subarray(0, 200)), /cut off/],
    ['bad base64', enc('-----BEGIN CERTIFICATE-----\nMII*&^%\n-----END CERTIFICATE-----\n'), /base64/],
    ['unterminated PEM', enc('-----BEGIN CERTIFICATE-----\nMIIB\n'), /BEGIN\/END/],
    ['mismatched labels', enc('-----BEGIN CERTIFICATE-----\nMIIB\n-----END X509 CRL-----\n'), /ends with/],
    ['key only', enc(pki.root.keyPem), /no certificate/],
    ['DER of something else', new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x05]), /neither/],
  ];
  for (const [name, bytes, re] of cases) {
    const r = loadCertificates(bytes);
    assert.equal(r.certs.length, 0, name);
    assert.match(r.error ?? '', re, name);
  }
  // One good and one bad block: the good one is kept, the bad one named.
  const mixed = loadCertificates(enc(`${pki.root.certPem}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`));
  assert.equal(mixed.certs.length, 1);
  assert.match(mixed.error!, /PEM block 2/);
});

test('a PKCS#7 bundle of the whole system CA store (far over asn1js’ default 10 000 nodes) loads completely', async (t) => {
  const bundle = '/etc/ssl/certs/ca-certificates.crt';
  if (!existsSync(bundle)) return t.skip(`${bundle} not present`);
  const pki = await pkiP;
  const p7 = `${pki.dir}/system.p7b`;
  await openssl(['crl2pkcs7', '-nocrl', '-certfile', bundle, '-outform', 'DER', '-out', p7]);
  const want = (readFileSync(bundle, 'utf8').match(/BEGIN CERTIFICATE/g) ?? []).length;
  const r = loadCertificates(new Uint8Array(readFileSync(p7)));
  assert.equal(r.error, undefined);
  assert.equal(r.certs.length, want);
});

test('hostile PEM: many BEGIN lines without END, huge labels, megabytes of junk — answered quickly', () => {
  const cases = [
    '-----BEGIN CERTIFICATE-----\n'.repeat(200_000),
    `-----BEGIN ${'A'.repeat(1_000_000)}-----\nAAAA\n-----END ${'A'.repeat(1_000_000)}-----\n`,
    `-----BEGIN CERTIFICATE-----\n${'A'.repeat(3_000_000)}`,
    '-----END CERTIFICATE-----\n-----BEGIN '.repeat(100_000),
  ];
  for (const text of cases) {
    const t0 = Date.now();
    const r = loadCertificates(enc(text));
    assert.equal(r.certs.length, 0);
    assert.ok(r.error);
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
  }
});

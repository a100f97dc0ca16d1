/**
 * certificateDetails checked field by field against what OpenSSL says about the same certificate.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as pkijs from 'pkijs';
import { certificateDetails, certificateEmails } from '../../src/certs/details';
import { corpus } from '../support/corpus';
import { makePki, openssl, type IssuedCert } from '../support/pki';
import { loadCertificates } from '../../src/certs/load';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const pkiP = makePki();
const certOf = (c: { certDer: Buffer }) => pkijs.Certificate.fromBER(new Uint8Array(c.certDer));

async function opensslFacts(c: IssuedCert): Promise<{ fingerprint: string; serial: string; notBefore: Date; notAfter: Date }> {
  const out = (
    await openssl(['x509', '-in', c.certPath, '-noout', '-fingerprint', '-sha256', '-serial', '-startdate', '-enddate'])
  ).toString();
  const get = (k: string) => new RegExp(`${k}=(.*)`).exec(out)![1].trim();
  return {
    fingerprint: get('sha256 Fingerprint'),
    serial: get('serial'),
    notBefore: new Date(get('notBefore')),
    notAfter: new Date(get('notAfter')),
  };
}

test('RSA leaf: names, emails, dates, serial, fingerprint and key as OpenSSL reports them', async () => {
  const pki = await pkiP;
  const start = new Date(Date.UTC(2022, 2, 3, 4, 5, 6));
  const end = new Date(Date.UTC(2031, 6, 8, 9, 10, 11));
  const c = await pki.issue({
    name: 'Alice Example',
    email: ['Alice@Example.TEST', 'alice.second@example.test'],
    emailInSubject: true,
    start,
    end,
  });
  const d = await certificateDetails(certOf(c));
  const o = await opensslFacts(c);
  assert.equal(d.sha256, o.fingerprint);
  assert.equal(d.serialNumber, o.serial);
  assert.equal(d.notBefore, start.toISOString());
  assert.equal(d.notAfter, end.toISOString());
  assert.equal(d.commonName, 'Alice Example');
  assert.equal(d.subject, 'emailAddress=Alice@Example.TEST, CN=Alice Example, O=Fixture PKI');
  assert.equal(d.issuer, 'CN=Fixture Intermediate CA, O=Fixture PKI');
  assert.deepEqual(d.emails, ['alice@example.test', 'alice.second@example.test']);
  assert.equal(d.publicKeyAlgorithm, 'RSA 2048');
  assert.equal(d.signatureAlgorithm, 'sha256WithRSAEncryption');
  assert.equal(d.isCA, false);
  assert.equal(d.selfSigned, false);
});

test('key types and certificate signature algorithms', async () => {
  const pki = await pkiP;
  const expectKey: [Parameters<typeof pki.issue>[0]['keyType'], string][] = [
    ['rsa3072', 'RSA 3072'],
    ['ec-p256', 'ECDSA P-256'],
    ['ec-p384', 'ECDSA P-384'],
    ['ec-p521', 'ECDSA P-521'],
    ['ed25519', 'Ed25519'],
  ];
  for (const [keyType, want] of expectKey) {
    const c = await pki.issue({ name: `K ${keyType}`, keyType });
    const d = await certificateDetails(certOf(c));
    assert.equal(d.publicKeyAlgorithm, want);
  }
  const sha384 = await pki.issue({ name: 'md sha384', md: 'sha384' });
  assert.equal((await certificateDetails(certOf(sha384))).signatureAlgorithm, 'sha384WithRSAEncryption');
  // An EC CA signs with ECDSA; an Ed25519 self-signed certificate signs with Ed25519.
  const ecCa = await pki.issue({ name: 'EC CA', ca: true, keyType: 'ec-p256' });
  const ecLeaf = await pki.issue({ name: 'Under EC CA', issuer: ecCa });
  assert.equal((await certificateDetails(certOf(ecLeaf))).signatureAlgorithm, 'ecdsa-with-SHA256');
  const ed = await pki.issue({ name: 'Ed self', keyType: 'ed25519', selfSigned: true, ca: true });
  const edD = await certificateDetails(certOf(ed));
  assert.equal(edD.signatureAlgorithm, 'Ed25519');
  assert.equal(edD.selfSigned, true, 'Ed25519 self-signature verified');
});

test('root: CA and self-signed; intermediate: CA, not self-signed', async () => {
  const pki = await pkiP;
  const root = await certificateDetails(certOf(pki.root));
  assert.equal(root.isCA, true);
  assert.equal(root.selfSigned, true);
  assert.equal(root.subject, root.issuer);
  const inter = await certificateDetails(certOf(pki.intermediate));
  assert.equal(inter.isCA, true);
  assert.equal(inter.selfSigned, false);
});

test('self-issued but not self-signed (same name, another key) is not selfSigned', async () => {
  const pki = await pkiP;
  const sub = '/O=Fixture PKI/CN=Fixture Root CA';
  // Issued by the root, with the root's exact subject: names equal, but signed by another key.
  const twin = await pki.issue({ name: 'twin', subject: sub, issuer: 'root', ca: true });
  const d = await certificateDetails(certOf(twin));
  assert.equal(d.subject, d.issuer);
  assert.equal(d.selfSigned, false);
});

test('no CN: commonName falls back to the first e-mail; special characters are escaped', async () => {
  const pki = await pkiP;
  const c = await pki.issue({ name: 'x', subject: '/O=Acme, Inc./OU=a\\+b', email: 'only@example.test' });
  const d = await certificateDetails(certOf(c));
  assert.equal(d.commonName, 'only@example.test');
  assert.equal(d.subject, 'OU=a\\+b, O=Acme\\, Inc.');
  assert.deepEqual(certificateEmails(certOf(c)), ['only@example.test']);
});

const rfc9216 = corpus('rfc9216-examples-cms');
test('RFC 9216 certificates: Alice RSA and Carlos Ed25519', { skip: rfc9216.skip || false }, async () => {
  const c = { dir: rfc9216.dir! };
  const alice = loadCertificates(new Uint8Array(readFileSync(join(c.dir, 'certs-and-keys', 'lamps-alice.crt'))));
  const carlos = loadCertificates(new Uint8Array(readFileSync(join(c.dir, 'certs-and-keys', 'lamps-carlos.crt'))));
  const a = await certificateDetails(alice.certs[0]);
  assert.equal(a.commonName, 'Alice Lovelace');
  assert.deepEqual(a.emails, ['alice@smime.example']);
  assert.equal(a.publicKeyAlgorithm, 'RSA 2048');
  const k = await certificateDetails(carlos.certs[0]);
  assert.equal(k.publicKeyAlgorithm, 'Ed25519');
  assert.equal(k.signatureAlgorithm, 'Ed25519');
  assert.deepEqual(k.emails, ['carlos@smime.example']);
});

const SYSTEM_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
const bundleSkip = existsSync(SYSTEM_BUNDLE) ? false : `${SYSTEM_BUNDLE} not present (ca-certificates not installed): skipped`;
if (bundleSkip) console.log(`# SKIP ${bundleSkip}`);

test('every root of the system CA bundle: loaded, and fingerprint, serial, dates, key and self-signature as OpenSSL says', { skip: bundleSkip }, async () => {
  const pem = readFileSync(SYSTEM_BUNDLE, 'utf8');
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g) ?? [];
  const loaded = loadCertificates(new TextEncoder().encode(pem));
  assert.equal(loaded.error, undefined);
  assert.equal(loaded.certs.length, blocks.length);
  assert.ok(blocks.length > 50);
  // Node's X509Certificate is OpenSSL underneath: independent of pkijs, and no process per certificate.
  for (let i = 0; i < blocks.length; i++) {
    const d = await certificateDetails(loaded.certs[i]);
    const x = new X509Certificate(blocks[i]);
    const what = `${d.subject} (${i})`;
    assert.equal(d.sha256, x.fingerprint256, what);
    assert.equal(BigInt(`0x${d.serialNumber}`), BigInt(`0x${x.serialNumber}`), what);
    assert.match(d.serialNumber, /^([0-9A-F]{2})+$/, what);
    assert.equal(d.notBefore, new Date(x.validFrom).toISOString(), what);
    assert.equal(d.notAfter, new Date(x.validTo).toISOString(), what);
    const k = x.publicKey;
    if (k.asymmetricKeyType === 'rsa') assert.equal(d.publicKeyAlgorithm, `RSA ${k.asymmetricKeyDetails?.modulusLength}`, what);
    if (k.asymmetricKeyType === 'ec') {
      const curve = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[k.asymmetricKeyDetails?.namedCurve ?? ''];
      assert.equal(d.publicKeyAlgorithm, `ECDSA ${curve}`, what);
    }
    assert.equal(d.isCA, x.ca, what);
    // Roots in the bundle are self-signed: their own key verifies them.
    assert.equal(d.selfSigned, x.verify(k), what);
    assert.equal(d.selfSigned, true, what);
    const sanEmails = (x.subjectAltName ?? '').split(', ').filter((e) => e.startsWith('email:')).map((e) => e.slice(6).toLowerCase());
    for (const e of sanEmails) assert.ok(d.emails.includes(e), what);
  }
});

test('SmtpUTF8Mailbox otherName (RFC 8398) counts as an e-mail address, after rfc822Names', async () => {
  const pki = await pkiP;
  const c = await pki.issue({
    name: 'Jörg',
    // A section of its own: FORMAT:UTF8 (else OpenSSL reads the UTF-8 bytes as Latin-1) has a comma in it.
    extraExt: [
      'subjectAltName = @alt',
      '[ alt ]',
      'email.1 = Joerg@Example.test',
      'otherName.1 = 1.3.6.1.5.5.7.8.9;FORMAT:UTF8,UTF8:jörg@bücher.example',
      'otherName.2 = 1.2.3.4;UTF8:not-an-email',
    ].join('\n'),
  });
  assert.deepEqual(certificateEmails(certOf(c)), ['joerg@example.test', 'jörg@bücher.example']);
});

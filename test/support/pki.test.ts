/**
 * The fixture factory works: OpenSSL itself accepts (and rejects) what it made.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  makePki,
  openssl,
  opensslCheckEd25519,
  opensslDecrypt,
  opensslVerify,
  runOpenssl,
  smimeEncrypt,
  smimeSign,
  type KeyType,
} from './pki';
import {
  entityWithAttachment,
  splitHeaderBody,
  textEntity,
  toLfOnly,
  wrapInUnsignedMixed,
} from './messages';

const pkiP = makePki();

test('root and intermediate: openssl verify accepts the chain; explicit dates and CA extensions', async () => {
  const pki = await pkiP;
  const r = await runOpenssl(['verify', '-CAfile', pki.root.certPath, pki.intermediate.certPath]);
  assert.equal(r.code, 0, r.stderr);
  const text = (await openssl(['x509', '-in', pki.intermediate.certPath, '-noout', '-text'])).toString();
  assert.match(text, /Not Before: Jun {2}1 00:00:00 2020 GMT/);
  assert.match(text, /CA:TRUE, pathlen:0/);
  assert.ok(pki.root.selfSigned && pki.root.isCA);
  assert.deepEqual(pki.intermediate.chainPaths, []);
});

test('issue: leaf with SAN email, emailProtection EKU, chain through the intermediate', async () => {
  const pki = await pkiP;
  const alice = await pki.issue({ name: 'Alice', email: 'alice@example.com' });
  assert.deepEqual(alice.chainPaths, [pki.intermediate.certPath]);
  const r = await runOpenssl([
    'verify', '-purpose', 'smimesign', '-CAfile', pki.root.certPath, '-untrusted', alice.chainBundlePath, alice.certPath,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const text = (await openssl(['x509', '-in', alice.certPath, '-noout', '-text'])).toString();
  assert.match(text, /email:alice@example.com/);
  assert.match(text, /E-mail Protection/);
  assert.match(text, /Not After : Jan {2}1 00:00:00 2040 GMT/);
  assert.equal(alice.certDer[0], 0x30);
});

test('every key type signs a message that openssl cms -verify accepts; tampering is caught', async () => {
  const pki = await pkiP;
  const types: KeyType[] = ['rsa2048', 'rsa3072', 'ec-p256', 'ec-p384', 'ec-p521', 'ed25519'];
  for (const keyType of types) {
    const s = await pki.issue({ name: `Signer ${keyType}`, email: `${keyType}@example.com`, keyType });
    const msg = await smimeSign({
      signer: s,
      content: textEntity(`Hello from ${keyType}`),
      md: keyType === 'ed25519' ? 'sha512' : 'sha256',
    });
    const text = msg.bytes.toString('latin1');
    assert.match(text, /^From: [^\r\n]+\r\n/);
    assert.match(text, /multipart\/signed/);
    assert.doesNotMatch(text.replace(/\r\n/g, ''), /\n/, 'CRLF everywhere');
    if (keyType === 'ed25519') {
      // OpenSSL 3.0 cannot sign or verify Ed25519 CMS; it checks the raw signature and parses the structure.
      const c = await opensslCheckEd25519(msg, s);
      assert.ok(c.ok, c.stderr);
      continue;
    }
    const v = await opensslVerify(msg.path, { CAfile: pki.root.certPath });
    assert.ok(v.ok, `${keyType}: ${v.stderr}`);
    assert.match(v.content.toString(), new RegExp(`Hello from ${keyType}`));
  }
  const s = await pki.issue({ name: 'Tamper', email: 'tamper@example.com' });
  const msg = await smimeSign({ signer: s, content: textEntity('Pay 100 EUR') });
  const { writeFileSync } = await import('node:fs');
  const tampered = msg.path + '.tampered.eml';
  writeFileSync(tampered, msg.bytes.toString('latin1').replace('Pay 100 EUR', 'Pay 900 EUR'));
  assert.equal((await opensslVerify(tampered, { CAfile: pki.root.certPath })).ok, false);
});

test('PSS, SHA-1 digest, opaque, noattr and LF-only copies verify with openssl', async () => {
  const pki = await pkiP;
  const s = await pki.issue({ name: 'Variants', email: 'variants@example.com' });
  const ca = { CAfile: pki.root.certPath };
  const pss = await smimeSign({ signer: s, content: textEntity('pss'), pss: true });
  assert.ok((await opensslVerify(pss.path, ca)).ok);
  const dump = (await openssl(['cms', '-cmsout', '-print', '-in', pss.path])).toString();
  assert.match(dump, /rsassaPss/);
  const sha1 = await smimeSign({ signer: s, content: textEntity('sha1'), md: 'sha1' });
  assert.match(sha1.bytes.toString('latin1'), /micalg="?sha-?1/);
  assert.ok((await opensslVerify(sha1.path, ca)).ok);
  const opaque = await smimeSign({ signer: s, content: textEntity('opaque'), opaque: true });
  assert.match(opaque.bytes.toString('latin1'), /application\/(x-)?pkcs7-mime; smime-type=signed-data/);
  assert.ok((await opensslVerify(opaque.path, ca)).ok);
  const noattr = await smimeSign({ signer: s, content: textEntity('noattr'), noattr: true });
  assert.ok((await opensslVerify(noattr.path, ca)).ok);
  const { writeFileSync } = await import('node:fs');
  const lf = pss.path + '.lf.eml';
  writeFileSync(lf, toLfOnly(pss.bytes));
  assert.ok((await opensslVerify(lf, ca)).ok, 'openssl canonicalises LF-only copies too');
});

test('expired, revoked (CRL) and wrong-EKU signers fail in openssl; --attime inside validity passes', async () => {
  const pki = await pkiP;
  const ca = { CAfile: pki.root.certPath };
  const old = await pki.issue({
    name: 'Old',
    email: 'old@example.com',
    start: new Date(Date.UTC(2021, 0, 1)),
    end: new Date(Date.UTC(2022, 0, 1)),
  });
  const m1 = await smimeSign({ signer: old, content: textEntity('old') });
  const r1 = await opensslVerify(m1.path, ca);
  assert.equal(r1.ok, false);
  assert.match(r1.stderr, /expired/);
  assert.ok((await opensslVerify(m1.path, { ...ca, attime: new Date(Date.UTC(2021, 5, 1)) })).ok);

  const rev = await pki.issue({ name: 'Revoked', email: 'revoked@example.com' });
  await pki.revoke(rev, { reason: 'keyCompromise', at: new Date(Date.UTC(2024, 5, 1)) });
  const crl = await pki.crl({ thisUpdate: new Date(Date.UTC(2024, 6, 1)) });
  const crlText = (await openssl(['crl', '-in', crl.pemPath, '-noout', '-text'])).toString();
  assert.match(crlText, new RegExp(`Serial Number: 0*${rev.serial}`, 'i'));
  assert.match(crlText, /Revocation Date: Jun {2}1 00:00:00 2024 GMT/);
  assert.match(crlText, /Key Compromise/);
  assert.equal(crl.der[0], 0x30);
  const m2 = await smimeSign({ signer: rev, content: textEntity('rev') });
  // -crl_check checks the leaf only; the CRL is the intermediate's.
  const r2 = await opensslVerify(m2.path, { ...ca, crl: crl.pemPath });
  assert.equal(r2.ok, false);
  assert.match(r2.stderr, /revoked/);

  const wrong = await pki.issue({ name: 'Server', email: 'server@example.com', eku: ['serverAuth'] });
  const m3 = await smimeSign({ signer: wrong, content: textEntity('eku') });
  assert.equal((await opensslVerify(m3.path, ca)).ok, false);
  assert.ok((await opensslVerify(m3.path, { ...ca, noverify: true })).ok, 'the signature itself is fine');
});

test('self-signed signer and missing intermediate', async () => {
  const pki = await pkiP;
  const self = await pki.issue({ name: 'Selfie', email: 'self@example.com', selfSigned: true });
  assert.deepEqual(self.chain, []);
  const m = await smimeSign({ signer: self, content: textEntity('self') });
  assert.equal((await opensslVerify(m.path, { CAfile: pki.root.certPath })).ok, false);
  assert.ok((await opensslVerify(m.path, { CAfile: self.certPath })).ok);

  const bob = await pki.issue({ name: 'Bob', email: 'bob@example.com' });
  const bare = await smimeSign({ signer: bob, content: textEntity('bare'), chain: [] });
  assert.equal((await opensslVerify(bare.path, { CAfile: pki.root.certPath })).ok, false);
  assert.ok((await opensslVerify(bare.path, { CAfile: pki.root.certPath, certfile: pki.intermediate.certPath })).ok);
});

test('sub-CA issued by an issued CA; p12 (modern and legacy) import in openssl', async () => {
  const pki = await pkiP;
  const sub = await pki.issue({ name: 'Sub CA', ca: true, issuer: 'root' });
  const leaf = await pki.issue({ name: 'Carol', email: 'carol@example.com', issuer: sub, keyType: 'ec-p256' });
  assert.deepEqual(leaf.chainPaths, [sub.certPath]);
  const m = await smimeSign({ signer: leaf, content: textEntity('sub') });
  assert.ok((await opensslVerify(m.path, { CAfile: pki.root.certPath })).ok);
  for (const legacy of [false, true]) {
    const p12 = await leaf.makeP12('pw', { legacy });
    const r = await runOpenssl(['pkcs12', '-in', p12, '-passin', 'pass:pw', '-nodes', '-info']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, legacy ? /TripleDES|3DES|des-ede3/i : /AES-256-CBC|PBES2/i);
    assert.match(r.stdout.toString(), /BEGIN PRIVATE KEY/);
  }
});

test('encrypt: RSA v1.5, RSA-OAEP and EC recipients, CBC and GCM; openssl decrypts', async () => {
  const pki = await pkiP;
  const rsa = await pki.issue({ name: 'Rsa Rcpt', email: 'rsa@example.com' });
  const ec = await pki.issue({ name: 'Ec Rcpt', email: 'ec@example.com', keyType: 'ec-p256' });
  for (const cipher of ['aes-256-cbc', 'aes-128-cbc', 'aes-256-gcm'] as const) {
    const m = await smimeEncrypt({
      content: textEntity(`secret ${cipher}`),
      recipients: [{ cert: rsa, oaep: true }, ec],
      cipher,
    });
    assert.match(m.bytes.toString('latin1'), cipher.endsWith('gcm') ? /authEnveloped-data/ : /enveloped-data/);
    for (const who of [rsa, ec]) {
      const d = await opensslDecrypt(m.path, { recipient: who });
      assert.ok(d.ok, d.stderr);
      assert.match(d.content.toString(), new RegExp(`secret ${cipher}`));
    }
  }
  const plain = await smimeEncrypt({ content: textEntity('v15'), recipients: [rsa] });
  const dump = (await openssl(['cms', '-cmsout', '-print', '-in', plain.path])).toString();
  assert.match(dump, /rsaEncryption/);
});

test('messages: wrapping keeps the signed entity byte-exact; big attachment has 76-char base64 lines', async () => {
  const pki = await pkiP;
  const s = await pki.issue({ name: 'Wrap', email: 'wrap@example.com' });
  const msg = await smimeSign({ signer: s, content: textEntity('inner') });
  const wrapped = wrapInUnsignedMixed(msg.bytes, {
    prependText: 'Urgent: pay now',
    hiddenHtml: '<div style="display:none">x</div>',
    extraAttachment: { filename: 'invoice.pdf', data: Buffer.from('%PDF-1.4') },
  });
  const t = wrapped.toString('latin1');
  assert.match(t, /^From: wrap@example.com\r\n/);
  assert.match(t, /multipart\/mixed/);
  assert.ok(t.includes(splitHeaderBody(msg.bytes).body.toString('latin1')), 'signed body unchanged');
  const { writeFileSync } = await import('node:fs');
  const p = msg.path + '.wrapped.eml';
  writeFileSync(p, wrapped);
  const big = entityWithAttachment(100_000);
  const lines = big.toString('latin1').split('\r\n');
  const b64 = lines.filter((l) => /^[A-Za-z0-9+/=]{20,}$/.test(l));
  assert.ok(b64.length > 100 && b64.slice(0, -1).every((l) => l.length === 76));
  assert.deepEqual(entityWithAttachment(1000), entityWithAttachment(1000), 'deterministic');
  assert.ok(readFileSync(p).length > msg.bytes.length);
});

test('signingTime: hand-built SignedData (RSA, EC) that openssl cms -verify accepts at that time', async () => {
  const pki = await pkiP;
  for (const keyType of ['rsa2048', 'ec-p384'] as const) {
    const s = await pki.issue({
      name: `Past ${keyType}`,
      email: 'past@example.com',
      keyType,
      start: new Date(Date.UTC(2021, 0, 1)),
      end: new Date(Date.UTC(2022, 0, 1)),
    });
    const m = await smimeSign({ signer: s, content: textEntity('old'), signingTime: new Date(Date.UTC(2021, 5, 1)) });
    const dump = (await openssl(['cms', '-cmsout', '-print', '-in', m.path])).toString();
    assert.match(dump, /UTCTIME:Jun  1 00:00:00 2021 GMT/);
    const r = await opensslVerify(m.path, { CAfile: pki.root.certPath, attime: new Date(Date.UTC(2021, 5, 2)) });
    assert.ok(r.ok, r.stderr);
    assert.equal((await opensslVerify(m.path, { CAfile: pki.root.certPath })).ok, false, 'expired now');
  }
});

test('bug: a second makePki() reused the first one\'s root key, so its "untrusted" root was trusted', async () => {
  const a = await pkiP;
  const b = await makePki();
  assert.notEqual(b.root.keyPem, a.root.keyPem);
  assert.notEqual(b.intermediate.keyPem, a.intermediate.keyPem);
  const leaf = await b.issue({ name: 'Other', email: 'other@example.com' });
  // OpenSSL, trusting only A's root, must refuse B's chain although the names are the same.
  const r = await runOpenssl(['verify', '-CAfile', a.root.certPath, '-untrusted', b.intermediate.certPath, leaf.certPath]);
  assert.notEqual(r.code, 0, r.stdout.toString());
  // Sharing keys on purpose still works (certificate-substitution tests).
  const c = await makePki({ sameKeysAs: b });
  assert.equal(c.root.keyPem, b.root.keyPem);
});

test('bug: the 15th CA database in one Pki got an odd-length serial that openssl ca refused', async () => {
  const pki = await makePki();
  let ca = pki.intermediate;
  for (let i = 0; i < 16; i++) {
    // Each new CA issues one certificate, which opens a CA database with its own serial range.
    ca = await pki.issue({ name: `Sub CA ${i}`, ca: true, issuer: ca, keyType: 'ec-p256' });
  }
  const leaf = await pki.issue({ name: 'Deep Leaf', email: 'deep@example.com', issuer: ca, keyType: 'ec-p256' });
  assert.match(leaf.serial, /^[0-9A-F]+$/);
});

// cms/certificate-set.ts: a SignedData's certificates read once each, as pkijs' CertificateSet reads them, and
// the same object for the same DER in later messages.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { readCertificateSet, takeCertificateSet } from '../../src/cms/certificate-set';
import { verifySignedData } from '../../src/cms/verify';
import { decodeBer } from '../../src/cms/ber';
import { makePki, openssl, runOpenssl } from '../support/pki';

const pkiP = makePki();

async function signedDer(): Promise<{ der: Uint8Array; chain: Buffer[] }> {
  const pki = await pkiP;
  const alice = await pki.issue({ name: 'Alice Set', email: 'alice@example.com' });
  const args = ['cms', '-sign', '-binary', '-signer', alice.certPath, '-inkey', alice.keyPath, '-outform', 'DER', '-certfile', pki.root.certPath];
  const der = new Uint8Array(await openssl(args, { input: Buffer.from('hello') }));
  return { der, chain: [alice.certDer, pki.root.certDer] };
}

function signedDataNode(der: Uint8Array): asn1js.Sequence {
  return new pkijs.ContentInfo({ schema: decodeBer(der).result }).content as asn1js.Sequence;
}

test('the certificates come out as pkijs reads them, in order; the rest of the SignedData parses without them', async () => {
  const { der } = await signedDer();
  const theirs = new pkijs.SignedData({ schema: signedDataNode(der) });
  const node = signedDataNode(der);
  const set = takeCertificateSet(node);
  assert.ok(set);
  const ours = readCertificateSet(set);
  const rest = new pkijs.SignedData({ schema: node });
  assert.equal(rest.certificates, undefined);
  assert.equal(rest.signerInfos.length, theirs.signerInfos.length);
  assert.equal(ours.length, theirs.certificates!.length);
  ours.forEach((c, i) => {
    assert.ok(c instanceof pkijs.Certificate);
    assert.deepEqual(Buffer.from(c.tbsView), Buffer.from((theirs.certificates![i] as pkijs.Certificate).tbsView));
  });
  assert.equal(takeCertificateSet(new asn1js.Sequence()), undefined, 'nothing to take');
});

test('the same certificate DER in another message is the same object; a different one is not', async () => {
  const a = await signedDer();
  const b = await signedDer();
  const ra = await verifySignedData(a.der, { detachedContent: new TextEncoder().encode('hello') });
  const rb = await verifySignedData(b.der, { detachedContent: new TextEncoder().encode('hello') });
  assert.ok(ra.ok && rb.ok);
  assert.equal(ra.signature, 'valid');
  const rootOf = (r: typeof ra) => (r.ok ? r.certificates.find((c) => c.subject.typesAndValues.some((t) => t.value.valueBlock.value === 'Fixture Root CA')) : undefined);
  assert.ok(rootOf(ra));
  assert.equal(rootOf(ra), rootOf(rb), 'the root: one object');
  assert.notEqual(ra.ok && ra.signers[0].signerCertificate, rb.ok && rb.signers[0].signerCertificate, 'two signers (new keys): two objects');
});

test('a certificate read from a large message is kept from its own copy, not a view of the message', async () => {
  const pki = await pkiP;
  const alice = await pki.issue({ name: 'Alice Big', email: 'alice@example.com' });
  const big = Buffer.alloc(300_000, 0x61);
  const der = new Uint8Array(await openssl(['cms', '-sign', '-binary', '-nodetach', '-signer', alice.certPath, '-inkey', alice.keyPath, '-outform', 'DER'], { input: big }));
  const r = await verifySignedData(der);
  assert.ok(r.ok);
  assert.equal(r.signature, 'valid');
  const cert = r.signers[0].signerCertificate!;
  assert.ok(cert.tbsView.buffer.byteLength < 100_000, `cached certificate holds ${cert.tbsView.buffer.byteLength} bytes`);
});

test('a malformed certificate in the set still makes the SignedData malformed', async () => {
  const { der } = await signedDer();
  // Corrupt the first certificate's inner TBS tag (SEQUENCE → SET) without changing any length.
  const node = signedDataNode(der);
  const first = (node.valueBlock.value[3] as asn1js.Constructed).valueBlock.value[0];
  const at = der.indexOf(0x30, Buffer.from(der).indexOf(Buffer.from(first.valueBeforeDecodeView)) + 4);
  const bad = der.slice();
  bad[at] = 0x31;
  const r = await verifySignedData(bad, { detachedContent: new TextEncoder().encode('hello') });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.code, 'malformed-cms');
  const check = await runOpenssl(['cms', '-cmsout', '-inform', 'DER', '-noout'], { input: bad });
  assert.notEqual(check.code, 0, 'OpenSSL refuses it too');
});

test('a certificate seen before is not changed when the caller reuses the buffer it came in', async () => {
  const { der } = await signedDer();
  const input = der.slice();
  const r = await verifySignedData(input, { detachedContent: new TextEncoder().encode('hello') });
  assert.ok(r.ok && r.signature === 'valid');
  input.fill(0);
  const again = await verifySignedData(der, { detachedContent: new TextEncoder().encode('hello') });
  assert.ok(again.ok);
  assert.equal(again.signature, 'valid');
  assert.equal(again.signers[0].signerCertificate, r.signers[0].signerCertificate);
});

// Revocation modes per certificate of the path (issue 10, item 20): a CRL or OCSP answer that covers a certificate
// decides it; no information is "not checked" (a note in soft, not trusted in hard); information that exists but
// cannot be used (stale, badly signed) is a warning in soft and not trusted in hard. CRLs at hand never change the
// mode. Messages signed with `openssl cms`, CRLs made with `openssl ca -gencrl`.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { makePki, smimeSign, type IssuedCert, type Pki } from '../support/pki';
import { verifyMessage, type VerifyOptions } from '../../src/verify-message';
import type { Verdict } from '../../src/verdict';

const AT = new Date(Date.UTC(2030, 0, 1));
const UPD = { thisUpdate: new Date(Date.UTC(2029, 11, 1)), nextUpdate: new Date(Date.UTC(2030, 5, 1)) };
let pki: Pki;
let alice: IssuedCert;
let message: Buffer;
let intCrl: pkijs.CertificateRevocationList;
let rootCrl: pkijs.CertificateRevocationList;

function cert(c: IssuedCert): pkijs.Certificate {
  return pkijs.Certificate.fromBER(new Uint8Array(c.certDer).slice().buffer as ArrayBuffer);
}
function crl(der: Buffer | Uint8Array): pkijs.CertificateRevocationList {
  return pkijs.CertificateRevocationList.fromBER(new Uint8Array(der).slice().buffer as ArrayBuffer);
}

before(async () => {
  pki = await makePki();
  alice = await pki.issue({ name: 'Alice Modes', email: 'alice@example.com' });
  message = (await smimeSign({ signer: alice, content: 'Content-Type: text/plain\r\n\r\nhello\r\n' })).bytes;
  intCrl = crl((await pki.crl({ issuer: 'intermediate', ...UPD })).der);
  rootCrl = crl((await pki.crl({ issuer: 'root', ...UPD })).der);
});

function run(msg: Uint8Array, o: Partial<VerifyOptions>): Promise<Verdict> {
  return verifyMessage(msg, { anchors: [cert(pki.root)], at: AT, ...o });
}

/** The same signature as an opaque SignedData that carries `crls` (the CRL set is outside the signature). */
async function withCarriedCrls(signer: IssuedCert, crls: pkijs.CertificateRevocationList[]): Promise<Uint8Array> {
  const der = (await smimeSign({ signer, content: 'Content-Type: text/plain\r\n\r\nhello\r\n', opaque: true, outform: 'der', headers: false })).bytes;
  const ci = pkijs.ContentInfo.fromBER(new Uint8Array(der).slice().buffer as ArrayBuffer);
  const sd = new pkijs.SignedData({ schema: ci.content });
  sd.crls = crls;
  const out = new pkijs.ContentInfo({ contentType: ci.contentType, content: sd.toSchema(true) });
  const b64 = Buffer.from(out.toSchema().toBER()).toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    `From: ${signer.emails[0]}\r\nTo: bob@example.com\r\nSubject: carried CRL\r\nMIME-Version: 1.0\r\n` +
      'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
      `${b64}\r\n`,
    'latin1',
  );
}

/** A CRL whose signature no longer verifies (last signature byte flipped). */
function badlySigned(c: pkijs.CertificateRevocationList): pkijs.CertificateRevocationList {
  const der = new Uint8Array(c.toSchema(true).toBER());
  const copy = crl(der);
  const sig = new Uint8Array(copy.signatureValue.valueBlock.valueHexView);
  sig[sig.length - 1] ^= 1;
  copy.signatureValue = new asn1js.BitString({ valueHex: sig });
  return crl(copy.toSchema(true).toBER());
}

const codes = (v: Verdict) => v.reasons.map((r) => `${r.code}/${r.severity}`);

test("false alarm: a message carrying only its issuing CA's CRL was untrusted because the root's CRL for the intermediate is missing", async () => {
  const msg = await withCarriedCrls(alice, [intCrl]);
  const v = await run(msg, {});
  assert.equal(v.trust, 'trusted', JSON.stringify(codes(v)));
  assert.equal(v.verdict, 'trusted', v.summary);
  // The leaf was checked (good); the intermediate is said to be not checked, as a note, not a warning.
  assert.ok(v.reasons.some((r) => r.code === 'revocation-good'), JSON.stringify(codes(v)));
  const note = v.reasons.find((r) => r.code === 'revocation-not-checked');
  assert.ok(note && note.severity === 'info', JSON.stringify(codes(v)));
  assert.equal(v.warnings.length, 0, JSON.stringify(v.warnings));
});

test("false alarm: --crl with only the issuing CA's CRL made valid mail untrusted (soft became hard)", async () => {
  const v = await run(message, { crls: [intCrl] });
  assert.equal(v.verdict, 'trusted', `${v.summary} ${JSON.stringify(codes(v))}`);
  assert.equal(v.signers[0].revocation?.status, 'unknown');
});

test('hard: the same missing root CRL for the intermediate is not trusted; both CRLs: trusted', async () => {
  const v = await run(message, { crls: [intCrl], revocation: 'hard' });
  assert.equal(v.verdict, 'untrusted');
  assert.ok(v.reasons.some((r) => r.code === 'revocation-unknown' && r.severity === 'error'), JSON.stringify(codes(v)));
  const both = await run(message, { crls: [intCrl, rootCrl], revocation: 'hard' });
  assert.equal(both.verdict, 'trusted', both.summary);
  assert.equal(both.signers[0].revocation?.status, 'good');
});

test('soft: a CRL that lists the signer decides it, even with the CA above unchecked', async () => {
  const eve = await pki.issue({ name: 'Eve Revoked', email: 'eve@example.com' });
  await pki.revoke(eve, { reason: 'keyCompromise', at: new Date(Date.UTC(2029, 5, 1)) });
  const fresh = crl((await pki.crl({ issuer: 'intermediate', ...UPD })).der);
  const msg = (await smimeSign({ signer: eve, content: 'Content-Type: text/plain\r\n\r\nhi\r\n' })).bytes;
  const v = await run(msg, { crls: [fresh] });
  assert.equal(v.trust, 'revoked');
  assert.notEqual(v.verdict, 'trusted');
  const carried = await run(await withCarriedCrls(eve, [fresh]), {});
  assert.equal(carried.trust, 'revoked');
});

test('soft: a stale CRL is a warning (still trusted); hard: not trusted', async () => {
  const stale = crl((await pki.crl({ issuer: 'intermediate', thisUpdate: new Date(Date.UTC(2029, 0, 1)), nextUpdate: new Date(Date.UTC(2029, 1, 1)) })).der);
  const soft = await run(message, { crls: [stale, rootCrl] });
  assert.equal(soft.verdict, 'trusted', soft.summary);
  const w = soft.reasons.find((r) => r.code === 'revocation-unknown');
  assert.ok(w && w.severity === 'warning', JSON.stringify(codes(soft)));
  assert.match(w.message, /due to be replaced/);
  const hard = await run(message, { crls: [stale, rootCrl], revocation: 'hard' });
  assert.equal(hard.verdict, 'untrusted');
});

test('soft: a badly signed CRL is a warning (still trusted); hard: not trusted', async () => {
  const bad = badlySigned(intCrl);
  const soft = await run(message, { crls: [bad] });
  assert.equal(soft.verdict, 'trusted', soft.summary);
  const w = soft.reasons.find((r) => r.code === 'revocation-unknown');
  assert.ok(w && w.severity === 'warning', JSON.stringify(codes(soft)));
  assert.match(w.message, /not signed by a key we can trust/);
  const hard = await run(message, { crls: [bad, rootCrl], revocation: 'hard' });
  assert.equal(hard.verdict, 'untrusted');
});

test('no CRL at all: soft is a note (trusted), hard is not trusted, off says it is off', async () => {
  const soft = await run(message, {});
  assert.equal(soft.verdict, 'trusted');
  assert.ok(soft.reasons.some((r) => r.code === 'revocation-not-checked' && r.severity === 'info'));
  const hard = await run(message, { revocation: 'hard' });
  assert.equal(hard.verdict, 'untrusted');
  const off = await run(message, { crls: [intCrl], revocation: 'off' });
  assert.equal(off.verdict, 'trusted');
  assert.equal(off.signers[0].revocation?.status, 'not-checked');
});

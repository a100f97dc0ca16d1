// Revocation details beyond PKITS: certificate hold, revocation dated after the checking time, and the
// onlineRevocation hook the online module plugs into. CRLs made with `openssl ca -gencrl`, checked with
// `openssl verify -crl_check_all` too.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as pkijs from 'pkijs';
import { makePki, runOpenssl, type IssuedCert, type Pki } from '../support/pki';
import { validateChain } from '../../src/trust/chain';
import type { ChainOptions, OnlineRevocationResult } from '../../src/trust/types';

const AT = new Date(Date.UTC(2030, 0, 1));
const UPD = { thisUpdate: new Date(Date.UTC(2029, 11, 1)), nextUpdate: new Date(Date.UTC(2030, 5, 1)) };
let pki: Pki;
before(async () => {
  pki = await makePki();
});

function cert(c: IssuedCert): pkijs.Certificate {
  return pkijs.Certificate.fromBER(new Uint8Array(c.certDer).slice().buffer as ArrayBuffer);
}
function crl(der: Buffer): pkijs.CertificateRevocationList {
  return pkijs.CertificateRevocationList.fromBER(new Uint8Array(der).slice().buffer as ArrayBuffer);
}
function opts(o: Partial<ChainOptions> = {}): ChainOptions {
  return { anchors: [cert(pki.root)], intermediates: [cert(pki.intermediate)], crls: [], at: AT, ...o };
}

test('certificateHold: revoked (on hold), as OpenSSL says', async () => {
  const held = await pki.issue({ name: 'Held', email: 'held@example.com' });
  await pki.revoke(held, { reason: 'certificateHold', at: new Date(Date.UTC(2029, 5, 1)) });
  const i = await pki.crl({ issuer: 'intermediate', ...UPD });
  const r0 = await pki.crl({ issuer: 'root', ...UPD });
  const r = await validateChain(cert(held), opts({ crls: [crl(i.der), crl(r0.der)], revocation: 'hard' }));
  assert.equal(r.trust, 'revoked');
  assert.match(r.reasons[0].message, /on hold/);
  assert.match(r.reasons[0].message, /2029-06-01/);
  const o = await runOpenssl(['verify', '-CAfile', pki.root.certPath, '-untrusted', pki.intermediate.certPath, '-CRLfile', i.pemPath, '-CRLfile', r0.pemPath, '-crl_check_all', '-attime', String(AT.getTime() / 1000), held.certPath]);
  assert.notEqual(o.code, 0);
});

test('with an old and a new CRL at hand, the newer one decides (whatever their order)', async () => {
  const pat = await pki.issue({ name: 'Pat', email: 'pat@example.com' });
  const rootCrl = crl((await pki.crl({ issuer: 'root', ...UPD })).der);
  const before = crl((await pki.crl({ issuer: 'intermediate', thisUpdate: new Date(Date.UTC(2029, 6, 1)), nextUpdate: new Date(Date.UTC(2030, 5, 1)) })).der);
  await pki.revoke(pat, { reason: 'keyCompromise', at: new Date(Date.UTC(2029, 8, 1)) });
  const after = crl((await pki.crl({ issuer: 'intermediate', thisUpdate: new Date(Date.UTC(2029, 9, 1)), nextUpdate: new Date(Date.UTC(2030, 5, 1)) })).der);
  for (const crls of [[before, after, rootCrl], [after, before, rootCrl]]) {
    const r = await validateChain(cert(pat), opts({ crls, revocation: 'hard' }));
    assert.equal(r.trust, 'revoked');
  }
});

test('revoked after the checking time: superseded does not reach back, key compromise does', async () => {
  const later = await pki.issue({ name: 'Superseded Later', email: 's@example.com' });
  const compromised = await pki.issue({ name: 'Compromised Later', email: 'c@example.com' });
  await pki.revoke(later, { reason: 'superseded', at: new Date(Date.UTC(2029, 10, 1)) });
  await pki.revoke(compromised, { reason: 'keyCompromise', at: new Date(Date.UTC(2029, 10, 1)) });
  const crls = [crl((await pki.crl({ issuer: 'intermediate', ...UPD })).der), crl((await pki.crl({ issuer: 'root', ...UPD })).der)];
  const signedBefore = new Date(Date.UTC(2029, 9, 1)); // an old message, checked at its signing time
  const a = await validateChain(cert(later), opts({ crls, at: signedBefore, revocation: 'hard' }));
  assert.equal(a.trust, 'trusted', JSON.stringify(a.reasons));
  const b = await validateChain(cert(compromised), opts({ crls, at: signedBefore, revocation: 'hard' }));
  assert.equal(b.trust, 'revoked');
  assert.match(b.reasons[0].message, /key compromise/);
});

test('onlineRevocation hook: asked only when CRLs leave the status unknown; its answer is used', async () => {
  const leaf = await pki.issue({ name: 'Online Olga', email: 'olga@example.com' });
  const asked: string[] = [];
  const online = (status: OnlineRevocationResult['status']) => async (c: pkijs.Certificate, issuer: pkijs.Certificate) => {
    asked.push(`${c.subject.typesAndValues.at(-1)?.value.valueBlock.value} <- ${issuer.subject.typesAndValues.at(-1)?.value.valueBlock.value}`);
    return { status, source: 'ocsp' as const, detail: `The OCSP responder says ${status}.`, revocationDate: new Date(Date.UTC(2029, 0, 1)), reason: 'key compromise' };
  };
  const good = await validateChain(cert(leaf), opts({ revocation: 'hard', onlineRevocation: online('good') }));
  assert.equal(good.trust, 'trusted', JSON.stringify(good.reasons));
  assert.equal(good.revocation.status, 'good');
  assert.equal(good.revocation.source, 'ocsp');
  assert.deepEqual(asked, ['Online Olga <- Fixture Intermediate CA', 'Fixture Intermediate CA <- Fixture Root CA']);

  const revoked = await validateChain(cert(leaf), opts({ revocation: 'soft', onlineRevocation: online('revoked') }));
  assert.equal(revoked.trust, 'revoked');
  assert.equal(revoked.reasons[0].code, 'cert-revoked');

  const failing = await validateChain(cert(leaf), opts({ revocation: 'hard', onlineRevocation: async () => { throw new Error('network down'); } }));
  assert.equal(failing.trust, 'untrusted');
  assert.equal(failing.reasons[0].code, 'revocation-unknown');

  asked.length = 0;
  const off = await validateChain(cert(leaf), opts({ revocation: 'off', onlineRevocation: online('revoked') }));
  assert.equal(off.trust, 'trusted');
  assert.deepEqual(asked, []);
});

test('garbage and hostile inputs give a result, never an exception', async () => {
  const leaf = await pki.issue({ name: 'Plain', email: 'p@example.com' });
  // An empty pkijs CRL object and a certificate list with the leaf itself and duplicates.
  const r = await validateChain(cert(leaf), opts({ intermediates: [cert(leaf), cert(pki.intermediate), cert(pki.intermediate)], crls: [new pkijs.CertificateRevocationList()] }));
  assert.ok(['trusted', 'untrusted', 'unknown'].includes(r.trust));
  const empty = await validateChain(new pkijs.Certificate(), opts());
  assert.ok(empty.trust !== 'trusted');
  assert.ok(empty.reasons.length > 0);
});

test('bug: a CRL-signing certificate vouched for its own status when its CA\'s CRL about it was missing', async () => {
  // PKITS 4.5.6 material: the EE's CRL is signed by a separate CRL-signing certificate of the same CA;
  // that certificate's own status is on a CRL signed by the CA's certificate-signing key. Without that
  // CRL, the CRL-signing key must not be taken at its own word (it is not declared as its own cRLIssuer).
  const { corpus } = await import('../support/corpus');
  const c = corpus('nist-pkits');
  if (c.skip) return;
  const { readFileSync } = await import('node:fs');
  const load = (f: string) => new Uint8Array(readFileSync(`${c.dir}/${f}`)).slice().buffer as ArrayBuffer;
  const certs = ['BasicSelfIssuedCRLSigningKeyCACert.crt', 'BasicSelfIssuedCRLSigningKeyCRLCert.crt'].map((f) => pkijs.Certificate.fromBER(load(`certs/${f}`)));
  const leaf = pkijs.Certificate.fromBER(load('certs/ValidBasicSelfIssuedCRLSigningKeyTest6EE.crt'));
  const anchor = pkijs.Certificate.fromBER(load('certs/TrustAnchorRootCertificate.crt'));
  const crlOf = (f: string) => pkijs.CertificateRevocationList.fromBER(load(`crls/${f}`));
  const all = ['TrustAnchorRootCRL.crl', 'BasicSelfIssuedCRLSigningKeyCACRL.crl', 'BasicSelfIssuedCRLSigningKeyCRLCertCRL.crl'];
  const base = { anchors: [anchor], intermediates: certs, at: new Date(), revocation: 'hard' as const };
  assert.equal((await validateChain(leaf, { ...base, crls: all.map(crlOf) })).trust, 'trusted');
  const without = await validateChain(leaf, { ...base, crls: all.filter((f) => !f.includes('CRLCert')).map(crlOf) });
  assert.equal(without.trust, 'untrusted');
  assert.equal(without.reasons[0].code, 'revocation-unknown');
});

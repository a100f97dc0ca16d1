// Name constraints, certificate policies and unknown critical extensions on chains made with `openssl ca`,
// each outcome checked against `openssl verify` as well.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { makePki, runOpenssl, type IssuedCert, type Pki } from '../support/pki';
import { validateChain } from '../../src/trust/chain';
import type { ChainResult } from '../../src/trust/types';

const AT = new Date(Date.UTC(2030, 0, 1));
let pki: Pki;
before(async () => {
  pki = await makePki();
});

function cert(c: IssuedCert): pkijs.Certificate {
  return pkijs.Certificate.fromBER(new Uint8Array(c.certDer).slice().buffer as ArrayBuffer);
}

async function ours(leaf: IssuedCert, cas: IssuedCert[]): Promise<ChainResult> {
  return validateChain(cert(leaf), { anchors: [cert(pki.root)], intermediates: cas.map(cert), crls: [], at: AT });
}

async function openssls(leaf: IssuedCert, cas: IssuedCert[], extra: string[] = []): Promise<boolean> {
  const p = join(pki.dir, `u-${leaf.serial}.pem`);
  writeFileSync(p, cas.map((c) => c.certPem).join(''));
  const r = await runOpenssl(['verify', '-CAfile', pki.root.certPath, '-untrusted', p, '-purpose', 'smimesign', '-attime', String(AT.getTime() / 1000), ...extra, leaf.certPath]);
  return r.code === 0;
}

async function agree(leaf: IssuedCert, cas: IssuedCert[], want: 'trusted' | string, extra: string[] = []): Promise<void> {
  const r = await ours(leaf, cas);
  if (want === 'trusted') assert.equal(r.trust, 'trusted', `${leaf.name}: ${JSON.stringify(r.reasons)}`);
  else assert.equal(r.reasons[0].code, want, `${leaf.name}: ${JSON.stringify(r.reasons)}`);
  assert.equal(await openssls(leaf, cas, extra), want === 'trusted', `OpenSSL disagrees on ${leaf.name}`);
}

test('rfc822Name constraints: host and .domain forms, exclusions, and emailAddress in the subject', async () => {
  const ca = await pki.issue({
    name: 'Mail NC CA',
    ca: true,
    issuer: 'root',
    extraExt: 'nameConstraints = critical, permitted;email:example.com, permitted;email:.example.com, excluded;email:bad.example.com',
  });
  const mk = (n: string, o: Partial<Parameters<Pki['issue']>[0]>) => pki.issue({ name: n, issuer: ca, ...o });
  await agree(await mk('Exact Host', { email: 'a@example.com' }), [ca], 'trusted');
  await agree(await mk('Sub Domain', { email: 'a@sub.example.com' }), [ca], 'trusted');
  await agree(await mk('Excluded Host', { email: 'a@bad.example.com' }), [ca], 'name-constraints-violated');
  await agree(await mk('Other Domain', { email: 'a@example.org' }), [ca], 'name-constraints-violated');
  // No subjectAltName: the emailAddress attribute of the subject is what the constraint applies to.
  await agree(await mk('Subject Mail', { subject: '/O=Fixture PKI/CN=Subject Mail/emailAddress=x@example.org' }), [ca], 'name-constraints-violated');
  await agree(await mk('Subject Mail OK', { subject: '/O=Fixture PKI/CN=Subject Mail OK/emailAddress=x@example.com' }), [ca], 'trusted');
  const r = await ours(await mk('Message Check', { email: 'z@example.org' }), [ca]);
  assert.equal(r.trust, 'untrusted');
  assert.match(r.reasons[0].message, /z@example\.org/);
  assert.match(r.reasons[0].message, /Mail NC CA/);
});

test('directoryName and dNSName constraints', async () => {
  const ca = await pki.issue({
    name: 'DN NC CA',
    ca: true,
    issuer: 'root',
    extraExt: 'nameConstraints = critical, permitted;dirName:nc_dir, permitted;DNS:example.com\n[ nc_dir ]\nO = Fixture PKI',
  });
  await agree(await pki.issue({ name: 'In Tree', issuer: ca, eku: null }), [ca], 'trusted');
  await agree(await pki.issue({ name: 'Out Of Tree', issuer: ca, subject: '/O=Elsewhere/CN=Out Of Tree' }), [ca], 'name-constraints-violated');
  await agree(await pki.issue({ name: 'Dns Ok', issuer: ca, extraExt: 'subjectAltName = DNS:mail.example.com' }), [ca], 'trusted');
  await agree(await pki.issue({ name: 'Dns Bad', issuer: ca, extraExt: 'subjectAltName = DNS:mail.example.net' }), [ca], 'name-constraints-violated');
});

test('iPAddress and URI constraints', async () => {
  const ca = await pki.issue({
    name: 'IP NC CA',
    ca: true,
    issuer: 'root',
    extraExt: 'nameConstraints = critical, permitted;IP:192.168.0.0/255.255.0.0, permitted;URI:.example.com, excluded;URI:bad.example.com',
  });
  const mk = (n: string, san: string) => pki.issue({ name: n, issuer: ca, extraExt: `subjectAltName = ${san}` });
  await agree(await mk('Ip In', 'IP:192.168.4.5'), [ca], 'trusted');
  await agree(await mk('Ip Out', 'IP:10.0.0.1'), [ca], 'name-constraints-violated');
  await agree(await mk('Uri In', 'URI:https://www.example.com/x'), [ca], 'trusted');
  await agree(await mk('Uri Out', 'URI:https://www.example.net/x'), [ca], 'name-constraints-violated');
  await agree(await mk('Uri Excluded', 'URI:https://bad.example.com/'), [ca], 'name-constraints-violated');
});

test('certificate policies: requireExplicitPolicy with and without a common policy', async () => {
  const ca = await pki.issue({
    name: 'Policy CA',
    ca: true,
    issuer: 'root',
    extraExt: 'certificatePolicies = 1.3.6.1.4.1.99999.1\npolicyConstraints = critical, requireExplicitPolicy:0',
  });
  const args = ['-policy', '2.5.29.32.0'];
  await agree(await pki.issue({ name: 'Same Policy', email: 'p@example.com', issuer: ca, extraExt: 'certificatePolicies = 1.3.6.1.4.1.99999.1' }), [ca], 'trusted', args);
  await agree(await pki.issue({ name: 'Other Policy', email: 'q@example.com', issuer: ca, extraExt: 'certificatePolicies = 1.3.6.1.4.1.99999.2' }), [ca], 'policy-violation', args);
  await agree(await pki.issue({ name: 'No Policy', email: 'r@example.com', issuer: ca }), [ca], 'policy-violation', args);
  // Without requireExplicitPolicy, differing policies do not matter (initial-explicit-policy is false).
  const loose = await pki.issue({ name: 'Loose Policy CA', ca: true, issuer: 'root', extraExt: 'certificatePolicies = 1.3.6.1.4.1.99999.1' });
  await agree(await pki.issue({ name: 'Loose Other', email: 's@example.com', issuer: loose, extraExt: 'certificatePolicies = 1.3.6.1.4.1.99999.2' }), [loose], 'trusted', args);
});

test('unknown critical extension: refused; the same extension non-critical is fine', async () => {
  await agree(await pki.issue({ name: 'Crit Ext', email: 'c@example.com', extraExt: '1.3.6.1.4.1.99999.7 = critical, ASN1:NULL' }), [pki.intermediate], 'unknown-critical-extension');
  await agree(await pki.issue({ name: 'NonCrit Ext', email: 'n@example.com', extraExt: '1.3.6.1.4.1.99999.7 = ASN1:NULL' }), [pki.intermediate], 'trusted');
});

test('unreadable extensions: a non-critical informational one is ignored, a deciding one (EKU) refuses the certificate', async () => {
  await agree(await pki.issue({ name: 'Bad AIA', email: 'aia@example.com', extraExt: '1.3.6.1.5.5.7.1.1 = DER:0500' }), [pki.intermediate], 'trusted');
  await agree(await pki.issue({ name: 'Bad EKU', email: 'eku@example.com', eku: null, extraExt: '2.5.29.37 = DER:0500' }), [pki.intermediate], 'unknown-critical-extension');
});

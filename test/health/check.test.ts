/**
 * Setup health (issue 13): every finding of checkCertificateHealth against certificates OpenSSL makes at test time
 * with explicit dates (`openssl ca`), for each purpose, and the CA/Browser Forum Baseline Requirements profiles
 * (strict, multipurpose, legacy; before and after the legacy sunset).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as pkijs from 'pkijs';
import { checkCertificateHealth, defaultPolicy, type HealthOptions, type HealthReport, type Policy } from '../../src/index';
import { type IssuedCert, type Pki, makePki } from '../support/pki';

const AT = new Date('2026-06-01T12:00:00Z');
const DAY = 86_400_000;
let pki: Pki;
before(async () => {
  pki = await makePki();
});

function cert(c: IssuedCert): pkijs.Certificate {
  return pkijs.Certificate.fromBER(new Uint8Array(c.certDer).slice().buffer as ArrayBuffer);
}

function policy(p: Partial<Policy> = {}): Policy {
  return { ...defaultPolicy(), anchors: [pki.root.certPem], bundledRoots: false, ...p };
}

async function health(c: IssuedCert, o: Partial<HealthOptions> = {}, withIntermediate = true): Promise<HealthReport> {
  return checkCertificateHealth([cert(c), ...(withIntermediate ? [cert(pki.intermediate)] : [])], { purpose: 'own', policy: policy(), at: AT, ...o });
}

const codes = (r: HealthReport, min: 'warning' | 'info' = 'warning') =>
  r.findings.filter((f) => (min === 'info' ? true : f.severity !== 'info')).map((f) => f.code);

test('a sound identity under a trusted chain has no findings of warning or worse', async () => {
  const alice = await pki.issue({ name: 'Alice Health', email: 'alice@example.com' });
  const r = await health(alice, { address: 'Alice@Example.com' });
  assert.deepEqual(codes(r), [], JSON.stringify(r.findings));
  assert.equal(r.trust, 'trusted');
  assert.ok(r.daysLeft > 4000);
});

test('expires-soon (30 days by default, policy expiryWarningDays), expired, not-yet-valid', async () => {
  const soon = await pki.issue({ name: 'Soon', email: 'soon@example.com', end: new Date(AT.getTime() + 10 * DAY + 3600_000) });
  const r = await health(soon);
  const f = r.findings.find((x) => x.code === 'expires-soon');
  assert.ok(f, JSON.stringify(r.findings));
  assert.equal(f.severity, 'warning');
  assert.match(f.message, /expires on 2026-06-11, in 10 days/);
  assert.equal(r.daysLeft, 10);
  assert.deepEqual(codes(await health(soon, { policy: policy({ expiryWarningDays: 7 }) })), [], 'not within 7 days');

  const old = await pki.issue({ name: 'Old', email: 'old@example.com', start: new Date('2024-01-01T00:00:00Z'), end: new Date('2026-05-01T00:00:00Z') });
  const e = (await health(old)).findings.find((x) => x.code === 'expired');
  assert.ok(e && e.severity === 'error' && /expired on 2026-05-01/.test(e.message));

  const future = await pki.issue({ name: 'Future', email: 'future@example.com', start: new Date('2026-09-01T00:00:00Z'), end: new Date('2028-01-01T00:00:00Z') });
  assert.ok(codes(await health(future)).includes('not-yet-valid'));
});

test('a CA certificate above that expires soon is named too', async () => {
  const ca = await pki.issue({ name: 'Short CA', ca: true, issuer: 'root', end: new Date(AT.getTime() + 5 * DAY) });
  const leaf = await pki.issue({ name: 'Under Short CA', email: 'u@example.com', issuer: ca, end: new Date(AT.getTime() + 4 * DAY) });
  const r = await checkCertificateHealth([cert(leaf), cert(ca)], { purpose: 'correspondent', policy: policy(), at: AT });
  const soon = r.findings.filter((f) => f.code === 'expires-soon');
  assert.equal(soon.length, 2, JSON.stringify(r.findings));
  assert.ok(soon.some((f) => /The CA certificate 'Short CA'/.test(f.message)));
});

test('weak-key below the policy minimum, weak-signature (SHA-1, MD5) anywhere but a root\'s self-signature', async () => {
  const alice = await pki.issue({ name: 'Alice 2048', email: 'a2048@example.com' });
  const weak = (await health(alice, { policy: policy({ algorithms: { ...defaultPolicy().algorithms, minRsaBits: 3072 } }) })).findings.find((f) => f.code === 'weak-key');
  assert.ok(weak && weak.severity === 'error' && /2048-bit RSA key; at least 3072/.test(weak.message));

  const sha1 = await pki.issue({ name: 'SHA1 Signed', email: 'sha1@example.com', md: 'sha1' });
  const s = (await health(sha1)).findings.find((f) => f.code === 'weak-signature');
  assert.ok(s && s.severity === 'error', JSON.stringify(s));
  assert.equal((await health(sha1, { policy: policy({ allowSha1: true }) })).findings.find((f) => f.code === 'weak-signature')?.severity, 'warning');
  const md5 = await pki.issue({ name: 'MD5 Signed', email: 'md5@example.com', md: 'md5' });
  assert.ok(codes(await health(md5)).includes('weak-signature'));
});

test('no-email-protection (EKU without it), is-ca, wrong-key-usage per purpose', async () => {
  const tls = await pki.issue({ name: 'Client Auth Only', email: 'tls@example.com', eku: ['clientAuth'] });
  assert.ok(codes(await health(tls)).includes('no-email-protection'));

  const signOnly = await pki.issue({ name: 'Sign Only', email: 'sign@example.com', keyUsage: ['digitalSignature'] });
  assert.deepEqual(codes(await health(signOnly, { purpose: 'correspondent' })), []);
  const asRecipient = await health(signOnly, { purpose: 'recipient' });
  assert.ok(asRecipient.findings.some((f) => f.code === 'wrong-key-usage' && f.severity === 'error' && /lacks key encipherment/.test(f.message)));
  assert.ok((await health(signOnly)).findings.some((f) => f.code === 'wrong-key-usage' && f.severity === 'info' && /signing only/.test(f.message)));

  const encOnly = await pki.issue({ name: 'Encrypt Only', email: 'enc@example.com', keyUsage: ['keyEncipherment'] });
  assert.ok(codes(await health(encOnly, { purpose: 'correspondent' })).includes('wrong-key-usage'));
  assert.deepEqual(codes(await health(encOnly, { purpose: 'recipient' })), []);

  const ec = await pki.issue({ name: 'EC Sign', email: 'ec@example.com', keyType: 'ec-p256', keyUsage: ['digitalSignature'] });
  assert.ok((await health(ec, { purpose: 'recipient' })).findings.some((f) => /lacks key agreement/.test(f.message)));

  const ca = await pki.issue({ name: 'A CA As Signer', email: 'ca@example.com', ca: true, issuer: 'root' });
  assert.ok(codes(await checkCertificateHealth([cert(ca)], { purpose: 'correspondent', policy: policy(), at: AT })).includes('is-ca'));
});

test('no-email-address, address-mismatch', async () => {
  const none = await pki.issue({ name: 'No Mail' });
  assert.ok(codes(await health(none)).includes('no-email-address'));
  const bob = await pki.issue({ name: 'Bob Addr', email: 'bob@example.com' });
  const m = (await health(bob, { address: 'robert@example.com' })).findings.find((f) => f.code === 'address-mismatch');
  assert.ok(m && /is for bob@example\.com, not for robert@example\.com/.test(m.message), JSON.stringify(m));
});

test('chain-incomplete names the missing CA certificate; untrusted-root under the current policy', async () => {
  const carol = await pki.issue({ name: 'Carol Chain', email: 'carol@example.com' });
  const r = await health(carol, {}, false);
  const f = r.findings.find((x) => x.code === 'chain-incomplete');
  assert.ok(f && f.severity === 'warning', JSON.stringify(r.findings));
  assert.match(f.message, new RegExp(pki.intermediate.name));
  assert.equal(r.trust, 'incomplete-chain');

  // The whole chain at hand, its root not trusted by this policy.
  const u = await checkCertificateHealth([cert(carol), cert(pki.intermediate), cert(pki.root)], { purpose: 'own', policy: policy({ anchors: [] }), at: AT });
  assert.ok(codes(u).includes('untrusted-root'), JSON.stringify(u.findings));
});

test('revoked, when a CRL is at hand (online checks allowed use the same path)', async () => {
  const dave = await pki.issue({ name: 'Dave Revoked', email: 'dave@example.com' });
  await pki.revoke(dave, { reason: 'keyCompromise', at: new Date('2026-03-01T00:00:00Z') });
  const crl = await pki.crl({ thisUpdate: new Date('2026-05-30T00:00:00Z'), nextUpdate: new Date('2026-07-01T00:00:00Z') });
  const rootCrl = await pki.crl({ issuer: 'root', thisUpdate: new Date('2026-05-30T00:00:00Z'), nextUpdate: new Date('2026-07-01T00:00:00Z') });
  const crls = [crl.der, rootCrl.der].map((d) => pkijs.CertificateRevocationList.fromBER(new Uint8Array(d).slice().buffer as ArrayBuffer));
  const r = await health(dave, { crls });
  assert.ok(r.findings.some((f) => f.code === 'revoked' && f.severity === 'error'), JSON.stringify(r.findings));
  // Offline without CRLs nothing is asked: no revocation finding, no "not checked" noise.
  assert.ok(!codes(await health(dave)).includes('revoked'));
});

// --- CA/Browser Forum S/MIME Baseline Requirements (only for certificates under a public root)
const publicRoot = (a: pkijs.Certificate) => Buffer.from(a.toSchema().toBER(false)).equals(pki.root.certDer);
const CRLDP = 'crlDistributionPoints = URI:http://crl.example.org/ca.crl';

test('BR: a strict mailbox-validated certificate within 825 days with a CRL distribution point has no BR findings', async () => {
  const ok = await pki.issue({ name: 'BR Strict', email: 'strict@example.com', start: new Date('2026-01-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z'), extraExt: `certificatePolicies = 2.23.140.1.5.1.3\n${CRLDP}` });
  const r = await health(ok, { isPublicRoot: publicRoot });
  assert.deepEqual(r.findings.filter((f) => f.code.startsWith('br-')), []);
});

test('BR: validity longer than the profile allows (§6.3.2), legacy after the 2025-07-15 sunset, forbidden EKU, no CRL DP, no policy OID', async () => {
  const long = await pki.issue({ name: 'BR Long', email: 'long@example.com', start: new Date('2025-01-01T00:00:00Z'), end: new Date('2027-06-01T00:00:00Z'), extraExt: `certificatePolicies = 2.23.140.1.5.2.2\n${CRLDP}` });
  const l = (await health(long, { isPublicRoot: publicRoot })).findings.find((f) => f.code === 'br-validity-too-long');
  assert.ok(l && l.severity === 'warning' && /valid for 882 days; multipurpose certificates may be valid for at most 825/.test(l.message) && l.section === 'S/MIME BR 1.0.10 §6.3.2', JSON.stringify(l));

  const legacyAfter = await pki.issue({ name: 'BR Legacy New', email: 'legacy1@example.com', start: new Date('2025-09-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z'), extraExt: `certificatePolicies = 2.23.140.1.5.1.1\n${CRLDP}` });
  assert.ok(codes(await health(legacyAfter, { isPublicRoot: publicRoot })).includes('br-legacy-after-sunset'));
  const legacyBefore = await pki.issue({ name: 'BR Legacy Old', email: 'legacy2@example.com', start: new Date('2025-03-01T00:00:00Z'), end: new Date('2028-05-01T00:00:00Z'), extraExt: `certificatePolicies = 2.23.140.1.5.1.1\n${CRLDP}` });
  const lb = codes(await health(legacyBefore, { isPublicRoot: publicRoot }));
  assert.ok(!lb.includes('br-legacy-after-sunset') && !lb.includes('br-validity-too-long'), `legacy before the sunset, 1157 days (legacy allows 1185): ${lb}`);

  const tlsToo = await pki.issue({ name: 'BR Server Auth', email: 'srv@example.com', eku: ['emailProtection', 'serverAuth'], extraExt: `certificatePolicies = 2.23.140.1.5.1.2\n${CRLDP}`, start: new Date('2026-01-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
  assert.ok((await health(tlsToo, { isPublicRoot: publicRoot })).findings.some((f) => f.code === 'br-forbidden-eku' && /TLS server authentication/.test(f.message)));
  const strictClient = await pki.issue({ name: 'BR Strict Client', email: 'sc@example.com', eku: ['emailProtection', 'clientAuth'], extraExt: `certificatePolicies = 2.23.140.1.5.1.3\n${CRLDP}`, start: new Date('2026-01-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
  assert.ok(codes(await health(strictClient, { isPublicRoot: publicRoot })).includes('br-forbidden-eku'));

  const bare = await pki.issue({ name: 'BR Bare', email: 'bare@example.com', start: new Date('2026-01-01T00:00:00Z'), end: new Date('2027-01-01T00:00:00Z') });
  const b = codes(await health(bare, { isPublicRoot: publicRoot }));
  assert.ok(b.includes('br-no-policy-oid') && b.includes('br-no-crl-distribution-point'), b.join());
  // Under an organisation's own root the BR do not apply: no BR findings at all.
  assert.deepEqual(codes(await health(bare)).filter((c) => c.startsWith('br-')), []);
});

// Enforcement rules in the core: the policy fields (inbound.*, outbound.*), domain matching, the inbound rule on
// real signed fixtures, the outbound decision, the own-certificate check and the audit event a rule writes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  DomainSet,
  applyPolicyToVerdict,
  decideOutbound,
  defaultPolicy,
  jsonSchema,
  outboundRules,
  ownCertificateProblem,
  parsePolicyJson,
  policyToVerifyOptions,
  recipientDomains,
  resolvePolicy,
  validatePolicy,
  type Policy,
} from '../../src/policy/index';
import { auditEventForPolicy, isAuditEvent } from '../../src/audit/index';
import { loadCertificates } from '../../src/certs/load';
import { verifyMessage } from '../../src/verify-message';
import { buildMessage, textEntity } from '../support/messages';
import { makePki, smimeSign } from '../support/pki';

const policyWith = (p: object): Policy => {
  const v = validatePolicy(p);
  assert.ok(v.ok, JSON.stringify(!v.ok && v.errors));
  return resolvePolicy({ admin: v.policy }).policy;
};

// ---- schema and validation --------------------------------------------------------------------------------------

test('enforcement fields: defaults, a complete valid policy, and the JSON Schema for admins', () => {
  const d = defaultPolicy();
  assert.deepEqual(d.inbound, { requireSignedFrom: [], action: 'flag', quarantineFolder: 'Quarantine', tagName: 'S/MIME violation' });
  assert.deepEqual(d.outbound, { requireSignature: 'never', internalDomains: [], requireEncryptionTo: [], onMissingCertificate: 'block', blockExpiredIdentity: true });
  const p = policyWith({
    inbound: { requireSignedFrom: ['corp.example', '*.corp.example'], action: 'quarantine', quarantineFolder: 'Suspicious', tagName: 'Forgery?' },
    outbound: { requireSignature: 'external', internalDomains: ['corp.example'], requireEncryptionTo: ['lawyers.example'], onMissingCertificate: 'warn', blockExpiredIdentity: false },
  });
  assert.equal(p.inbound.action, 'quarantine');
  assert.deepEqual(p.outbound.requireEncryptionTo, ['lawyers.example']);
  const schema = jsonSchema() as { properties: Record<string, { properties: Record<string, unknown> }> };
  assert.ok(schema.properties.inbound.properties.requireSignedFrom);
  assert.ok(schema.properties.outbound.properties.onMissingCertificate);
});

test('bad enforcement input: unknown field, wrong type, a domain with spaces, all named on one line each', () => {
  const r = parsePolicyJson(
    JSON.stringify({
      inbound: { requireSignedFrom: ['corp .example'], action: 'delete', quarantine: 'x', tagName: '' },
      outbound: { requireSignature: true, internalDomains: 'corp.example', requireEncryptionTo: ['lawyers.example', 'LAWYERS.example'], blockExpiredIdentity: 'yes', onMissingCertificate: 'ask' },
    }),
  );
  assert.ok(!r.ok);
  assert.deepEqual([...r.errors].sort(), [
    'policy.inbound.action: must be one of flag, tag, quarantine',
    'policy.inbound.quarantine: unknown field',
    'policy.inbound.requireSignedFrom[0]: "corp .example" contains a space or control character',
    'policy.inbound.tagName: must be a non-empty name',
    'policy.outbound.blockExpiredIdentity: must be true or false',
    'policy.outbound.internalDomains: must be an array of domain names',
    'policy.outbound.onMissingCertificate: must be one of block, warn',
    'policy.outbound.requireEncryptionTo[1]: "LAWYERS.example" is listed twice',
    'policy.outbound.requireSignature: must be one of always, external, never',
  ]);
  for (const e of r.errors) assert.ok(!e.includes('\n'), 'one line each');
  for (const bad of ['*', '*.', 'corp', 'a..b', 'https://corp.example', 'ceo@corp.example', '10.0.0.1', '*.*.corp.example', 'corp.example/x', '-corp.example']) {
    const v = validatePolicy({ inbound: { requireSignedFrom: [bad] } });
    assert.ok(!v.ok, `${bad} must be refused`);
  }
  const folder = validatePolicy({ inbound: { quarantineFolder: 'a/b' } });
  assert.ok(!folder.ok && /quarantineFolder: must be one folder name/.test(folder.errors[0]));
});

test('10,000 domains validate and match in bounded time; 10,001 are refused before any is parsed', () => {
  const many = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? `*.d${i}.example` : `d${i}.example`));
  let t = performance.now();
  const v = validatePolicy({ inbound: { requireSignedFrom: many } });
  const validateMs = performance.now() - t;
  assert.ok(v.ok);
  assert.ok(validateMs < 3000, `validation took ${validateMs.toFixed(0)} ms`);
  const set = new DomainSet(many);
  t = performance.now();
  for (let i = 0; i < 10_000; i++) set.hasAddress(`x@a.b.c.d${i}.example`);
  const matchMs = performance.now() - t;
  assert.ok(matchMs < 3000, `10,000 look-ups took ${matchMs.toFixed(0)} ms`);
  t = performance.now();
  const tooMany = validatePolicy({ inbound: { requireSignedFrom: [...many, 'one.more.example'] } });
  assert.ok(!tooMany.ok && tooMany.errors[0] === 'policy.inbound.requireSignedFrom: has more than 10000 entries');
  assert.ok(performance.now() - t < 50);
  // A hostile domain in an address: long, many labels — still a bounded walk over its labels.
  const long = `x@${'a.'.repeat(120)}d1.example`;
  t = performance.now();
  for (let i = 0; i < 1000; i++) set.hasAddress(long);
  assert.ok(performance.now() - t < 2000);
});

test('domain matching: exact, *. subdomains only, any case, IDNA either form, no suffix confusion', () => {
  const s = new DomainSet(['corp.example', '*.lawyers.example', 'bücher.example']);
  assert.ok(s.hasAddress('ceo@corp.example'));
  assert.ok(s.hasAddress('CEO@Corp.Example'));
  assert.ok(!s.hasAddress('ceo@mail.corp.example'), 'no wildcard: subdomains are not included');
  assert.ok(!s.hasAddress('ceo@evilcorp.example'), 'a suffix of the name is not a subdomain');
  assert.ok(!s.hasAddress('ceo@corp.example.attacker.example'));
  assert.ok(s.hasAddress('a@x.lawyers.example') && s.hasAddress('a@x.y.lawyers.example'));
  assert.ok(!s.hasAddress('a@lawyers.example'), '*. matches subdomains, not the domain itself');
  assert.ok(s.hasAddress('a@xn--bcher-kva.example') && s.hasAddress('a@BÜCHER.example'));
  assert.ok(!s.hasAddress('corp.example'), 'no @: not an address');
  assert.ok(!s.hasAddress('a@corp .example'));
  assert.deepEqual(recipientDomains(['a@X.example', 'b@x.example', 'c@y.example']), ['x.example', 'y.example']);
});

test('admin over user for enforcement fields: the user cannot loosen an admin rule', () => {
  const admin = validatePolicy({ inbound: { requireSignedFrom: ['corp.example'], action: 'tag' }, outbound: { requireEncryptionTo: ['lawyers.example'] } });
  const user = validatePolicy({ inbound: { requireSignedFrom: [], action: 'flag' }, outbound: { requireEncryptionTo: [], requireSignature: 'always' } });
  assert.ok(admin.ok && user.ok);
  const r = resolvePolicy({ admin: admin.policy, user: user.policy });
  assert.deepEqual(r.policy.inbound.requireSignedFrom, ['corp.example']);
  assert.equal(r.policy.inbound.action, 'tag');
  assert.deepEqual(r.policy.outbound.requireEncryptionTo, ['lawyers.example']);
  assert.equal(r.sources['inbound.action'], 'admin');
  assert.equal(r.policy.outbound.requireSignature, 'always', 'a stricter user choice where the admin is silent stands');
  assert.equal(r.sources['outbound.requireSignature'], 'user');
  assert.deepEqual(r.overridden.sort(), ['inbound.action', 'inbound.requireSignedFrom', 'outbound.requireEncryptionTo']);
});

// ---- the inbound rule on real signed mail -------------------------------------------------------------------------

const pkiP = makePki();
const fixtures = (async () => {
  const pki = await pkiP;
  const ceo = await pki.issue({ name: 'CEO', email: 'ceo@corp.example' });
  const eve = await pki.issue({ name: 'Eve', email: 'eve@attacker.example' });
  const body = textEntity('Please wire 40,000 EUR today.\r\n');
  const good = await smimeSign({ content: body, signer: ceo, headers: { from: 'CEO <ceo@corp.example>', to: 'bob@corp.example', subject: 'Wire' } });
  const forged = await smimeSign({ content: body, signer: eve, headers: { from: 'CEO <ceo@corp.example>', to: 'bob@corp.example', subject: 'Wire' } });
  const partner = await smimeSign({ content: body, signer: eve, headers: { from: 'eve@attacker.example', to: 'bob@corp.example', subject: 'Hi' } });
  const unsigned = buildMessage({ from: 'CEO <ceo@Corp.Example>', to: 'bob@corp.example', subject: 'Wire' }, body);
  const tampered = Buffer.from(good.bytes.toString('latin1').replace('40,000', '90,000'), 'latin1');
  const anchors = loadCertificates(readFileSync(pki.root.certPath)).certs;
  const intermediates = loadCertificates(readFileSync(pki.intermediate.certPath)).certs;
  return { pki, ceo, eve, good, forged, partner, unsigned, tampered, anchors, intermediates };
})();

const corpPolicy = (extra: object = {}) => policyWith({ bundledRoots: false, inbound: { requireSignedFrom: ['corp.example'] }, ...extra });

async function check(bytes: Uint8Array, policy: Policy, displayedFrom?: string[]) {
  const f = await fixtures;
  const o = policyToVerifyOptions(policy);
  const v = await verifyMessage(new Uint8Array(bytes), { ...o, anchors: f.anchors, intermediates: f.intermediates, displayedFrom });
  return applyPolicyToVerdict(v, policy, displayedFrom);
}

test('unsigned mail claiming to be from a required domain is a violation (policy-unsigned-internal), named in one sentence', async () => {
  const f = await fixtures;
  const v = await check(f.unsigned, corpPolicy());
  assert.equal(v.verdict, 'unsigned');
  assert.equal(v.reasons[0].code, 'policy-unsigned-internal');
  assert.equal(v.reasons[0].severity, 'error');
  assert.match(v.summary, /requires mail from corp\.example to be signed, and this message claiming to be from ceo@corp\.example is not/);
  // Without the rule the same message is merely unsigned.
  const plain = await check(f.unsigned, policyWith({ bundledRoots: false }));
  assert.ok(!plain.reasons.some((r) => r.code.startsWith('policy-')));
});

test('CEO fraud with a cheap trusted certificate for another address is policy-untrusted-internal, never trusted', async () => {
  const f = await fixtures;
  const v = await check(f.forged.bytes, corpPolicy());
  assert.equal(v.verdict, 'untrusted');
  assert.equal(v.reasons[0].code, 'policy-untrusted-internal');
  assert.match(v.reasons[0].message, /signed by a certificate that is not for ceo@corp\.example/);
});

test('senderMatch "warn" cannot forgive a forged From in a required domain (bug: warn turned the forgery trusted)', async () => {
  const f = await fixtures;
  const v = await check(f.forged.bytes, corpPolicy({ senderMatch: 'warn' }));
  assert.notEqual(v.verdict, 'trusted');
  assert.equal(v.reasons[0].code, 'policy-untrusted-internal');
});

test('invalid and untrusted signatures from a required domain are violations; a valid one is not (no false alarm)', async () => {
  const f = await fixtures;
  const bad = await check(f.tampered, corpPolicy());
  assert.equal(bad.verdict, 'invalid');
  assert.equal(bad.reasons[0].code, 'policy-untrusted-internal');
  assert.match(bad.reasons[0].message, /its signature is invalid/);
  const good = await check(f.good.bytes, corpPolicy());
  assert.equal(good.verdict, 'trusted', good.summary);
  assert.ok(!good.reasons.some((r) => r.code.startsWith('policy-')));
  // Not anchored here: untrusted, and a violation.
  const o = policyToVerifyOptions(corpPolicy());
  const untrusted = applyPolicyToVerdict(await verifyMessage(new Uint8Array(f.good.bytes), { ...o, anchors: [] }), corpPolicy());
  assert.equal(untrusted.verdict, 'untrusted');
  assert.equal(untrusted.reasons[0].code, 'policy-untrusted-internal');
  assert.match(untrusted.reasons[0].message, /its signature is not trusted/);
  // Other domains are not the rule's business.
  const partner = await check(f.partner.bytes, corpPolicy());
  assert.equal(partner.verdict, 'trusted');
});

test('a verdict the policy lowers after verifyMessage still gets the violation (bug: weak digest from corp lost the alert)', async () => {
  const f = await fixtures;
  const p = corpPolicy({ algorithms: { digests: ['SHA-512'] } });
  const v = await check(f.good.bytes, p);
  assert.equal(v.verdict, 'untrusted');
  assert.ok(v.reasons.some((r) => r.code === 'policy-untrusted-internal'));
  assert.ok(v.reasons.some((r) => r.code === 'weak-digest'));
  assert.equal(v.reasons.filter((r) => r.code === 'policy-untrusted-internal').length, 1, 'applied once');
});

test('unparseable mail: the From the host displays is checked when the MIME gives none (bug: broken MIME escaped the rule)', async () => {
  const broken = new Uint8Array(Buffer.from('From ceo@corp.example\r\nno header block at all\0\0\0', 'latin1'));
  const p = corpPolicy();
  const without = await check(broken, p);
  const withHost = await check(broken, p, ['ceo@corp.example']);
  if (without.verdict === 'error') assert.ok(!without.reasons.some((r) => r.code.startsWith('policy-')) || without.from.length > 0);
  assert.ok(withHost.reasons.some((r) => r.code.startsWith('policy-')), JSON.stringify(withHost.reasons));
  assert.notEqual(withHost.verdict, 'trusted');
});

// ---- outbound -----------------------------------------------------------------------------------------------------

const outPolicy = (o: object) => outboundRules(policyWith({ outbound: o }));
const base = { from: 'alice@corp.example', sign: false, encrypt: false, canProtect: true, hasIdentity: true, withCertificate: new Set<string>() };

test('requireEncryptionTo: Thunderbird raises encryption; Outlook\'s own send is blocked naming rule and recipient', () => {
  const rules = outPolicy({ requireEncryptionTo: ['lawyers.example'] });
  const tb = decideOutbound({ ...base, recipients: ['Counsel@Lawyers.example', 'bob@corp.example'], withCertificate: new Set(['counsel@lawyers.example', 'bob@corp.example']) }, rules);
  assert.equal(tb.action, 'allow');
  assert.equal(tb.encrypt, true);
  assert.deepEqual(tb.raised, ['outbound.requireEncryptionTo']);
  const ol = decideOutbound({ ...base, canProtect: false, recipients: ['counsel@lawyers.example'] }, rules);
  assert.equal(ol.action, 'block');
  assert.match(ol.message, /mail to counsel@lawyers\.example to be encrypted \(rule outbound\.requireEncryptionTo\)\. Open the S\/MIME pane/);
  const warn = outPolicy({ requireEncryptionTo: ['lawyers.example'], onMissingCertificate: 'warn' });
  const ask = decideOutbound({ ...base, canProtect: false, recipients: ['counsel@lawyers.example'] }, warn);
  assert.equal(ask.action, 'prompt', 'nobody could encrypt to them: warn lets the user decide');
  assert.match(ask.message, /no certificate for counsel@lawyers\.example \(rule outbound\.onMissingCertificate: warn\)/);
  const known = decideOutbound({ ...base, canProtect: false, recipients: ['counsel@lawyers.example'], withCertificate: new Set(['counsel@lawyers.example']) }, warn);
  assert.equal(known.action, 'block', 'a certificate exists: encrypt in the pane');
  const other = decideOutbound({ ...base, canProtect: false, recipients: ['bob@corp.example'] }, rules);
  assert.equal(other.action, 'allow');
});

test('onMissingCertificate: block names the recipient without a certificate; warn prompts', () => {
  const input = { ...base, recipients: ['counsel@lawyers.example', 'bob@corp.example'], withCertificate: new Set(['bob@corp.example']) };
  const b = decideOutbound(input, outPolicy({ requireEncryptionTo: ['lawyers.example'] }));
  assert.equal(b.action, 'block');
  assert.equal(b.findings[0].rule, 'outbound.onMissingCertificate');
  assert.deepEqual(b.findings[0].recipients, ['counsel@lawyers.example']);
  assert.match(b.message, /no usable certificate for counsel@lawyers\.example/);
  const w = decideOutbound(input, outPolicy({ requireEncryptionTo: ['lawyers.example'], onMissingCertificate: 'warn' }));
  assert.equal(w.action, 'prompt');
  assert.match(w.message, /Send it again to send it without encryption/);
});

test('requireSignature always / external / never, and a rule that needs a certificate the user lacks', () => {
  const ext = outPolicy({ requireSignature: 'external', internalDomains: ['corp.example', '*.corp.example'] });
  assert.equal(decideOutbound({ ...base, recipients: ['bob@corp.example', 'x@eu.corp.example'] }, ext).sign, false);
  const out = decideOutbound({ ...base, recipients: ['bob@corp.example', 'client@other.example'] }, ext);
  assert.equal(out.sign, true);
  assert.deepEqual(out.raised, ['outbound.requireSignature']);
  const ol = decideOutbound({ ...base, canProtect: false, recipients: ['client@other.example'] }, ext);
  assert.equal(ol.action, 'block');
  assert.match(ol.message, /outside the organisation \(client@other\.example\) to be signed \(rule outbound\.requireSignature\)/);
  const always = outPolicy({ requireSignature: 'always' });
  const noId = decideOutbound({ ...base, hasIdentity: false, recipients: ['bob@corp.example'] }, always);
  assert.equal(noId.action, 'block');
  assert.match(noId.message, /no certificate for alice@corp\.example/);
  assert.equal(decideOutbound({ ...base, recipients: ['a@b.example'] }, outPolicy({})).action, 'allow');
  assert.equal(decideOutbound({ ...base, recipients: [] }, always).sign, false, 'no recipients, nothing to require');
});

test('blockExpiredIdentity: an expired own certificate blocks signing; off, it does not', async () => {
  const pki = await pkiP;
  const old = await pki.issue({ name: 'Old Alice', email: 'alice@corp.example', start: new Date('2020-01-01T00:00:00Z'), end: new Date('2021-01-01T00:00:00Z') });
  const fresh = await pki.issue({ name: 'Alice', email: 'alice@corp.example' });
  const id = (c: typeof old) => ({ certificate: new Uint8Array(c.certDer), chain: [new Uint8Array(pki.intermediate.certDer)], emails: c.emails });
  const anchors = loadCertificates(readFileSync(pki.root.certPath)).certs;
  const problem = await ownCertificateProblem(id(old), { anchors });
  assert.match(problem ?? '', /Your certificate \(alice@corp\.example\) expired on 2021-01-01/);
  assert.equal(await ownCertificateProblem(id(fresh), { anchors }), undefined);
  assert.equal(await ownCertificateProblem(id(fresh), {}), undefined, 'an unanchored chain is not a reason to refuse');
  await pki.revoke(fresh);
  const crl = await pki.crl();
  const revoked = await ownCertificateProblem(id(fresh), { anchors, crls: loadCertificatesCrl(crl.der) });
  assert.match(revoked ?? '', /revoked/i);
  const input = { ...base, sign: true, recipients: ['bob@corp.example'], identityProblem: problem };
  const d = decideOutbound(input, outPolicy({}));
  assert.equal(d.action, 'block');
  assert.match(d.message, /expired on 2021-01-01, and your organisation does not allow signing with it \(rule outbound\.blockExpiredIdentity\)/);
  assert.equal(decideOutbound(input, outPolicy({ blockExpiredIdentity: false })).action, 'allow');
});

test('blockExpiredIdentity asks the setup health check: a not yet valid certificate and an expired CA above one block signing, an expiring one does not', async () => {
  const pki = await pkiP;
  const anchors = loadCertificates(readFileSync(pki.root.certPath)).certs;
  const later = await pki.issue({ name: 'Later Alice', email: 'alice@corp.example', start: new Date('2090-01-01T00:00:00Z'), end: new Date('2091-01-01T00:00:00Z') });
  const id = (c: typeof later, ca = pki.intermediate) => ({ certificate: new Uint8Array(c.certDer), chain: [new Uint8Array(ca.certDer)], emails: c.emails });
  assert.equal(await ownCertificateProblem(id(later), { anchors }), 'Your certificate (alice@corp.example) is not valid until 2090-01-01');
  const oldCa = await pki.issue({ name: 'Old Corp CA', ca: true, pathLen: 0, issuer: 'root', start: new Date('2019-01-01T00:00:00Z'), end: new Date('2021-01-01T00:00:00Z') });
  const underOld = await pki.issue({ name: 'Alice', email: 'alice@corp.example', issuer: oldCa, start: new Date('2020-01-01T00:00:00Z'), end: new Date('2040-01-01T00:00:00Z') });
  assert.match(
    (await ownCertificateProblem(id(underOld, oldCa), { anchors })) ?? '',
    /^Your certificate \(alice@corp\.example\): The CA certificate 'Old Corp CA' \(SHA-256 [^)]*\) above it expired on 2021-01-01$/,
  );
  const soon = await pki.issue({ name: 'Soon Alice', email: 'alice@corp.example', end: new Date(Date.now() + 5 * 86_400_000) });
  assert.equal(await ownCertificateProblem(id(soon), { anchors }), undefined, 'expiring soon is a warning, not a reason to refuse');
});

import { loadCrls } from '../../src/certs/load';
function loadCertificatesCrl(der: Buffer) {
  return loadCrls(new Uint8Array(der)).crls;
}

test('a rule\'s audit event names who, rule and recipient domains, never addresses or content', () => {
  const e = auditEventForPolicy({ action: 'block', rule: 'outbound.requireEncryptionTo', from: ['Alice@Corp.example'], recipientDomains: recipientDomains(['counsel@lawyers.example']), host: 'thunderbird' });
  assert.ok(isAuditEvent(e));
  assert.equal(e.event, 'send.blocked');
  assert.deepEqual(e.from, ['alice@corp.example']);
  assert.deepEqual(e.recipientDomains, ['lawyers.example']);
  assert.ok(!JSON.stringify(e).includes('counsel'));
});

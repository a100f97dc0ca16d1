// From policy to VerifyOptions, and the verdict-level policy rules (algorithms, key sizes, sender match).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePolicy, validatePolicy, policyToVerifyOptions, applyPolicyToVerdict, defaultPolicy, keyBits } from '../../src/policy/index';
import { bundledRootList } from '../../src/trust/roots/bundled';
import type { TrustFetcher } from '../../src/trust/types';
import type { SignedVerdict, SignerReport } from '../../src/verdict';

const pem = (b64: string) => `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;

test('policyToVerifyOptions: bundled roots unless off, policy anchors, revocation, fetcher only when online', () => {
  const d = policyToVerifyOptions(defaultPolicy());
  assert.equal(d.anchors?.length, 0, 'bundled roots are looked up by name, not listed');
  assert.equal(typeof d.anchorLookup, 'function');
  assert.equal(d.revocation, 'soft');
  assert.equal(d.allowSha1, false);
  assert.equal(d.fetcher, undefined, 'no network by default');

  const p = validatePolicy({ bundledRoots: false, anchors: [pem(bundledRootList()[3].der)], online: true, revocation: 'hard', allowSha1: true });
  assert.ok(p.ok);
  const fake: TrustFetcher = { get: async () => new Uint8Array(), post: async () => new Uint8Array() };
  const o = policyToVerifyOptions(resolvePolicy({ admin: p.policy }).policy, { fetcher: fake });
  assert.equal(o.anchors?.length, 1);
  assert.equal(o.anchorLookup, undefined, 'bundled roots off');
  assert.equal(o.fetcher, fake);
  assert.equal(o.revocation, 'hard');
  assert.equal(o.allowSha1, true);
  const own = policyToVerifyOptions(resolvePolicy({ admin: p.policy }).policy);
  assert.equal(typeof own.fetcher?.get, 'function', 'online policy builds a fetch-based fetcher');
});

test('keyBits reads CertificateDetails.publicKeyAlgorithm', () => {
  assert.deepEqual(keyBits('RSA 2048'), { family: 'rsa', bits: 2048 });
  assert.deepEqual(keyBits('ECDSA P-384'), { family: 'ec', bits: 384 });
  assert.deepEqual(keyBits('Ed25519'), { family: 'ec', bits: 256 });
  assert.equal(keyBits('DSA'), undefined);
});

function trustedVerdict(signer: Partial<SignerReport>, sender: 'match' | 'mismatch' = 'match'): SignedVerdict {
  const s: SignerReport = {
    signature: 'valid',
    trust: 'trusted',
    chain: [],
    reasons: [{ code: 'chain-trusted', severity: 'ok', message: 'The certificate chains to a trusted root.' }],
    ...signer,
  };
  return {
    verdict: 'trusted', signature: 'valid', trust: 'trusted', sender, coverage: 'full',
    reasons: [{ code: 'signature-valid', severity: 'ok', message: 'The signature is valid.' }], warnings: [],
    signers: [s], layers: [], from: ['a@example.com'], outsideSignature: [], encrypted: false, decrypted: false,
    checkedAt: '2026-01-01T00:00:00.000Z', summary: 'Signed and trusted',
  };
}
const cert = (publicKeyAlgorithm: string) => ({
  subject: 'CN=A', commonName: 'A', issuer: 'CN=CA', emails: ['a@example.com'], notBefore: '', notAfter: '', serialNumber: '01',
  sha256: 'AA', publicKeyAlgorithm, signatureAlgorithm: 'sha256WithRSAEncryption', isCA: false, selfSigned: false,
});

test('applyPolicyToVerdict: algorithms and key sizes lower a verdict; senderMatch warn relaxes only a lone sender mismatch', () => {
  const pol = defaultPolicy();
  const ok = trustedVerdict({ digestAlgorithm: 'SHA-256', signatureAlgorithm: 'RSASSA-PKCS1-v1_5', certificate: cert('RSA 2048') });
  assert.equal(applyPolicyToVerdict(ok, pol), ok, 'nothing to object to: same verdict');

  const sha1 = applyPolicyToVerdict(trustedVerdict({ digestAlgorithm: 'SHA-1', certificate: cert('RSA 2048') }), pol);
  assert.equal(sha1.verdict, 'untrusted');
  assert.equal(sha1.reasons[0].code, 'weak-digest');
  assert.ok(sha1.warnings.some((w) => w.code === 'weak-digest'));
  assert.equal(applyPolicyToVerdict(trustedVerdict({ digestAlgorithm: 'SHA-1' }), { ...pol, allowSha1: true }).verdict, 'trusted');

  const strict = { ...pol, algorithms: { ...pol.algorithms, minRsaBits: 3072, signatures: ['ECDSA' as const] } };
  const weak = applyPolicyToVerdict(ok, strict);
  assert.deepEqual(weak.reasons.slice(0, 2).map((r) => r.code), ['unsupported-algorithm', 'weak-key']);
  assert.match(weak.summary, /^Signed, but not trusted: /);

  const mism = trustedVerdict({ certificate: cert('ECDSA P-256') }, 'mismatch');
  assert.equal(applyPolicyToVerdict(mism, pol).verdict, 'untrusted');

  // senderMatch 'warn': a verdict whose only fault is the sender mismatch becomes trusted with a warning...
  const err = { code: 'sender-mismatch' as const, severity: 'error' as const, message: 'The message claims to be from a@example.com, but it was signed by b@example.com.' };
  const onlySender = { ...mism, verdict: 'untrusted' as const, reasons: [err, ...mism.reasons] };
  assert.equal(applyPolicyToVerdict(onlySender, pol).verdict, 'untrusted', 'require: stays untrusted');
  const warned = applyPolicyToVerdict(onlySender, { ...pol, senderMatch: 'warn' });
  assert.equal(warned.verdict, 'trusted');
  assert.deepEqual(warned.warnings.map((w) => w.code), ['sender-mismatch']);
  assert.match(warned.summary, /your policy warns only/);
  // ...but not when anything else is wrong (deceptive display name, partial coverage).
  const deceptive = { ...onlySender, reasons: [err, { code: 'display-name-deceptive' as const, severity: 'error' as const, message: 'x' }] };
  assert.equal(applyPolicyToVerdict(deceptive, { ...pol, senderMatch: 'warn' }).verdict, 'untrusted');
  assert.equal(applyPolicyToVerdict({ ...onlySender, coverage: 'partial' }, { ...pol, senderMatch: 'warn' }).verdict, 'untrusted');

  const invalid = { ...ok, verdict: 'invalid' as const };
  assert.equal(applyPolicyToVerdict(invalid, strict), invalid);
});

/**
 * Issue 10, "Spoofing": one test per reported bug (each was red before its fix), plus the siblings found while
 * fixing them. Every fixture is made at test time with OpenSSL (test/support/pki.ts); where the issue says OpenSSL
 * refuses the same chain, the test checks that too.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as pkijs from 'pkijs';
import { bindSender } from '../../src/sender';
import { certificateEmails } from '../../src/certs/details';
import { RecipientDirectory } from '../../src/keys/directory';
import { defaultCrypto } from '../../src/crypto';
import { decryptMessage } from '../../src/compose/decrypt-message';
import { importPkcs12 } from '../../src/keys/pkcs12';
import { verifyCrlSignature } from '../../src/trust/signature';
import { buildOcspRequest, checkOcspResponse } from '../../src/trust/ocsp';
import { applyPolicyToVerdict, defaultPolicy, policyToVerifyOptions } from '../../src/policy/index';
import { verifyMessage, type Verdict, type VerifyOptions } from '../../src/index';
import { ROOT } from '../support/corpus';
import { textEntity, wrapInUnsignedMixed } from '../support/messages';
import { makePki, openssl, opensslVerify, runOpenssl, smimeEncrypt, smimeSign, type IssuedCert, type Pki } from '../support/pki';

const AT = new Date(Date.UTC(2030, 0, 1));
let pki: Pki;
let eve: IssuedCert; // a cheap, publicly trusted certificate for eve@evil.example
before(async () => {
  pki = await makePki();
  eve = await pki.issue({ name: 'Eve', email: 'eve@evil.example' });
});

const certOf = (c: IssuedCert) => pkijs.Certificate.fromBER(new Uint8Array(c.certDer));
const BODY = textEntity('Please wire the money today.\r\n');

function opts(extra: Partial<VerifyOptions> = {}): VerifyOptions {
  return { anchors: [certOf(pki.root)], at: AT, ...extra };
}

async function verify(signer: IssuedCert, from: string, extra: Partial<VerifyOptions> & { headers?: Array<[string, string]> } = {}): Promise<Verdict> {
  const m = await smimeSign({ signer, content: BODY, headers: { from, to: 'bob@example.test', subject: 'Wire', extra: extra.headers } });
  return verifyMessage(m.bytes, opts(extra));
}

const codes = (v: Verdict) => v.reasons.map((r) => r.code);
const brief = (v: Verdict) => `${v.verdict} ${v.trust} ${v.sender}: ${v.reasons.map((r) => `${r.code} ${r.message}`).join(' | ')}`;

async function opensslChainOk(leaf: IssuedCert): Promise<boolean> {
  const untrusted = join(pki.dir, `untrusted-${leaf.serial}.pem`);
  writeFileSync(untrusted, leaf.chain.filter((c) => !c.selfSigned).map((c) => c.certPem).join('') || pki.intermediate.certPem);
  const r = await runOpenssl([
    'verify', '-CAfile', pki.root.certPath, '-untrusted', untrusted, '-purpose', 'smimesign',
    '-attime', String(AT.getTime() / 1000), leaf.certPath,
  ]);
  return r.code === 0;
}

// ---- item 1: name constraints and SmtpUTF8Mailbox -------------------------------------------------------------

// A subjectAltName with one id-on-SmtpUTF8Mailbox otherName. FORMAT:UTF8 tells OpenSSL the config text is UTF-8
// already (otherwise it re-encodes each byte); its comma needs a section of its own.
let sanSections = 0;
const SMTP_UTF8 = (v: string) => {
  const s = `san_utf8_${++sanSections}`;
  return `@${s}\n[ ${s} ]\notherName.1 = 1.3.6.1.5.5.7.8.9;FORMAT:UTF8,UTF8:${v}`;
};

async function constrainedCa(): Promise<IssuedCert> {
  return pki.issue({ name: 'Corp Mail CA', ca: true, issuer: 'root', extraExt: 'nameConstraints = critical, permitted;email:corp.example' });
}

test('name constraints apply to SmtpUTF8Mailbox (RFC 9598 §6)', async () => {
  const ca = await constrainedCa();
  const leaf = await pki.issue({ name: 'Mallory', issuer: ca, extraExt: `subjectAltName = ${SMTP_UTF8('chéf@evil.example')}` });
  const v = await verify(leaf, 'chéf@evil.example');
  assert.notEqual(v.verdict, 'trusted', brief(v));
  assert.ok(codes(v).includes('name-constraints-violated'), brief(v));
  assert.equal(await opensslChainOk(leaf), false, 'OpenSSL refuses the chain too');
  // The recipient directory never learns the key for that address.
  const dir = new RecipientDirectory();
  const m = await smimeSign({ signer: leaf, content: BODY, headers: { from: 'chéf@evil.example', to: 'bob@example.test' } });
  assert.deepEqual(await dir.addFromVerifiedMessage(m.bytes, v), []);
  assert.deepEqual(await dir.lookup('chéf@evil.example', AT), []);
});

test('a SmtpUTF8Mailbox inside the permitted domain stays trusted (no false alarm)', async () => {
  const ca = await constrainedCa();
  const leaf = await pki.issue({ name: 'Chef', issuer: ca, extraExt: `subjectAltName = ${SMTP_UTF8('chéf@corp.example')}` });
  const v = await verify(leaf, 'chéf@corp.example');
  assert.equal(v.verdict, 'trusted', brief(v));
  assert.equal(await opensslChainOk(leaf), true);
});

test('a SmtpUTF8Mailbox with an all-ASCII local part is not an address of the signer (RFC 9598 §3)', async () => {
  const leaf = await pki.issue({ name: 'Ascii In Utf8', extraExt: `subjectAltName = ${SMTP_UTF8('ceo@corp.example')}` });
  assert.deepEqual(certificateEmails(certOf(leaf)), []);
  const v = await verify(leaf, 'ceo@corp.example');
  assert.notEqual(v.verdict, 'trusted', brief(v));
  // Under an rfc822Name constraint the malformed name fails the chain, as in OpenSSL.
  const ca = await constrainedCa();
  const constrained = await pki.issue({ name: 'Ascii In Utf8 NC', issuer: ca, extraExt: `subjectAltName = ${SMTP_UTF8('ceo@corp.example')}` });
  const w = await verify(constrained, 'ceo@corp.example');
  assert.notEqual(w.verdict, 'trusted', brief(w));
  assert.ok(codes(w).includes('name-constraints-violated'), brief(w));
  // OpenSSL 3.0 accepts this chain (it compares the domain only). Stricter on purpose: by RFC 9598 §3 the name
  // is malformed, and a name that cannot be checked by the rules of §6 does not pass a constrained chain.
  assert.equal(await opensslChainOk(constrained), true);
});

test('emailAddress in the subject DN is constrained even beside a subjectAltName (RFC 5280 §4.2.1.10)', async () => {
  const ca = await constrainedCa();
  const leaf = await pki.issue({
    name: 'Two Names',
    issuer: ca,
    email: 'staff@corp.example',
    subject: '/O=Fixture PKI/CN=Two Names/emailAddress=ceo@evil.example',
  });
  const v = await verify(leaf, 'ceo@evil.example');
  assert.notEqual(v.verdict, 'trusted', brief(v));
  assert.ok(codes(v).includes('name-constraints-violated'), brief(v));
  assert.equal(await opensslChainOk(leaf), false, 'OpenSSL refuses the chain too');
});

// ---- item 2: From entries that do not parse are dropped -------------------------------------------------------

const BAD_FROMS: Array<[string, RegExp]> = [
  ['The CEO <ceo>, eve@evil.example', /./],
  ['<>, eve@evil.example', /./],
  ['ceo@@corp.example, eve@evil.example', /./],
  ['boss@corp.example: eve@evil.example;', /group/i],
  ['eve@evil.example (The CEO) ceo@corp.example', /./],
  ['eve@evil.example ceo', /./],
];

test('From entries that do not parse make the sender a mismatch (never dropped)', async () => {
  for (const [from] of BAD_FROMS) {
    const b = bindSender({ from: [from], sender: [], replyTo: [] }, ['eve@evil.example']);
    assert.equal(b.status, 'mismatch', `${from}: ${JSON.stringify(b.reasons)}`);
    assert.ok(b.reasons[0].severity === 'error' && /From/.test(b.reasons[0].message), `${from}: ${b.reasons[0].message}`);
  }
  const v = await verify(eve, 'The CEO <ceo>, eve@evil.example');
  assert.equal(v.verdict, 'untrusted', brief(v));
  assert.equal(v.sender, 'mismatch');
});

// ---- item 3: weak RSA keys -------------------------------------------------------------------------------------

test('a signer key below the policy minimum is never trusted (512-bit signer, minRsaBits 4096)', async () => {
  const weak = await pki.issue({ name: 'Weak Signer', email: 'weak@example.test', keyType: 'rsa512' });
  const m = await smimeSign({ signer: weak, content: BODY });
  const policy = defaultPolicy();
  policy.algorithms.minRsaBits = 4096;
  const o = { ...policyToVerifyOptions({ ...policy, bundledRoots: false }), anchors: [certOf(pki.root)], at: AT };
  const v = applyPolicyToVerdict(await verifyMessage(m.bytes, o), policy);
  assert.equal(v.verdict, 'untrusted', brief(v));
  assert.ok(v.reasons.some((r) => r.code === 'weak-key' && r.severity === 'error'), brief(v));
  // Without any policy, the default minimum (2048) applies in the core itself.
  const d = await verifyMessage(m.bytes, opts());
  assert.equal(d.verdict, 'untrusted', brief(d));
});

test('a CA key below the minimum is never trusted (1024-bit intermediate; OpenSSL -auth_level 2 agrees)', async () => {
  const weakCa = await pki.issue({ name: 'Weak CA', ca: true, issuer: 'root', keyType: 'rsa1024' });
  const leaf = await pki.issue({ name: 'Under Weak CA', issuer: weakCa, email: 'under-weak@example.test' });
  const v = await verify(leaf, 'under-weak@example.test');
  assert.notEqual(v.verdict, 'trusted', brief(v));
  assert.match(v.reasons[0].message, /1024-bit key/, brief(v));
  const untrusted = join(pki.dir, 'weak-ca.pem');
  writeFileSync(untrusted, weakCa.certPem);
  const r = await runOpenssl(['verify', '-auth_level', '2', '-CAfile', pki.root.certPath, '-untrusted', untrusted, '-attime', String(AT.getTime() / 1000), leaf.certPath]);
  assert.notEqual(r.code, 0, 'OpenSSL at security level 2 refuses the 1024-bit CA too');
});

test('a CRL signed with a key below the minimum is not used (verifyCrlSignature)', async () => {
  const weakCa = await pki.issue({ name: 'Weak CRL CA', ca: true, issuer: 'root', keyType: 'rsa1024' });
  const crl = await pki.crl({ issuer: weakCa });
  const parsed = pkijs.CertificateRevocationList.fromBER(new Uint8Array(crl.der));
  const key = { spki: certOf(weakCa).subjectPublicKeyInfo };
  const r = await verifyCrlSignature(defaultCrypto(), parsed, key, false);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.why, 'weak');
  // With a policy that allows 1024 bits, the same CRL checks out (the signature itself is fine).
  assert.equal((await verifyCrlSignature(defaultCrypto(), parsed, key, false, 1024)).ok, true);
});

test('an OCSP answer signed with a key below the minimum is refused', async () => {
  const dir = pki.dir;
  const mk = async (name: string, keyType: 'rsa1024' | 'rsa2048') => {
    const responder = await pki.issue({ name, keyType, eku: ['OCSPSigning'], keyUsage: ['digitalSignature'] });
    const req = await buildOcspRequest(certOf(eve), certOf(pki.intermediate), defaultCrypto());
    const reqPath = join(dir, `${name}-req.der`);
    const respPath = join(dir, `${name}-resp.der`);
    const index = join(dir, `${name}-index.txt`);
    writeFileSync(reqPath, req.der);
    writeFileSync(index, `V\t400101000000Z\t\t${eve.serial}\tunknown\t/O=Fixture PKI/CN=Eve\n`);
    await openssl(['ocsp', '-index', index, '-rsigner', responder.certPath, '-rkey', responder.keyPath, '-CA', pki.intermediate.certPath, '-reqin', reqPath, '-respout', respPath, '-ndays', '1']);
    return checkOcspResponse(new Uint8Array(readFileSync(respPath)), { cert: certOf(eve), issuer: certOf(pki.intermediate), nonce: req.nonce, now: new Date(), crypto: defaultCrypto() });
  };
  const weak = await mk('Weak OCSP', 'rsa1024');
  assert.equal(weak.ok, false, JSON.stringify(weak));
  assert.match(!weak.ok ? weak.detail : '', /1024-bit key/);
  const fine = await mk('Good OCSP', 'rsa2048');
  assert.ok(fine.ok && fine.status === 'good', JSON.stringify(fine));
});

// ---- item 5: CA certificates as signers ------------------------------------------------------------------------

test('a certificate with basicConstraints cA=TRUE is not a valid e-mail signer', async () => {
  const caSigner = await pki.issue({ name: 'CA Signer', ca: true, issuer: 'intermediate', email: 'ca-signer@example.test', eku: ['emailProtection'] });
  const v = await verify(caSigner, 'ca-signer@example.test');
  assert.notEqual(v.verdict, 'trusted', brief(v));
  assert.ok(codes(v).includes('ca-as-signer'), brief(v));
});

// ---- item 4: eContentType ---------------------------------------------------------------------------------------

test('a signature over a CMS content type other than id-data is not mail (RFC 8551 §2.4.1)', async () => {
  const inner = Buffer.from('Content-Type: text/plain\r\n\r\nPlease wire the money today.\r\n');
  const inPath = join(pki.dir, 'econtent.in');
  const outPath = join(pki.dir, 'econtent.p7m');
  writeFileSync(inPath, inner);
  await openssl([
    'cms', '-sign', '-nodetach', '-binary', '-in', inPath, '-out', outPath, '-outform', 'DER', '-econtent_type', '1.2.840.113549.1.9.16.1.4',
    '-signer', eve.certPath, '-inkey', eve.keyPath, '-certfile', eve.chainBundlePath,
  ]);
  const der = (await openssl(['base64', '-in', outPath])).toString().replace(/\n/g, '\r\n');
  const msg = Buffer.from(
    'From: eve@evil.example\r\nTo: bob@example.test\r\nSubject: Wire\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
      der,
  );
  const v = await verifyMessage(msg, opts());
  assert.notEqual(v.verdict, 'trusted', brief(v));
  assert.ok(codes(v).includes('econtent-type-not-data'), brief(v));
  // Control: the same message as id-data is trusted.
  const ok = await verify(eve, 'eve@evil.example');
  assert.equal(ok.verdict, 'trusted', brief(ok));
  void opensslVerify;
});

// ---- item 9 (first half): the display-name pattern of sender binding ------------------------------------------

test('a long From cannot stall sender binding (quadratic display-name pattern)', () => {
  // Before: `[^\s<>()",;:@]+@…` retried from every position of the long run: 160,000 characters took 26 s.
  for (const from of [`${'a'.repeat(160_000)} x@y <eve@evil.example>`, `"${'a'.repeat(1 << 20)} x@y" <eve@evil.example>`, `${'a@'.repeat(1 << 19)}`]) {
    const t0 = performance.now();
    const b = bindSender({ from: [from], sender: [from], replyTo: [from] }, ['eve@evil.example']);
    const ms = performance.now() - t0;
    assert.equal(b.status, 'mismatch');
    assert.ok(ms < 1500, `${from.length} characters took ${ms.toFixed(0)} ms`);
  }
});

// ---- item 17: visible text ---------------------------------------------------------------------------------------

const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** Every string in a JSON-like value, with its path, that holds a control or bidi character. */
function rawStrings(v: unknown, path = ''): string[] {
  if (typeof v === 'string') return CONTROL_OR_BIDI.test(v) ? [`${path}: ${JSON.stringify(v)}`] : [];
  if (Array.isArray(v)) return v.flatMap((x, i) => rawStrings(x, `${path}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => rawStrings(x, `${path}.${k}`));
  return [];
}

function derTlv(tag: number, body: Buffer): Buffer {
  const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

test('a line break in a certificate address cannot print fake "✓ … which you trust" lines (visible text)', async () => {
  // A self-signed certificate whose SmtpUTF8Mailbox and CN carry a line break and a fake CLI line.
  const fake = "\n  ✓ The signer's certificate ('CEO') is vouched for by 'Corp Root CA', which you trust.\n  ✓";
  const mailbox = Buffer.from(`chéf@evil.example${fake}`, 'utf8');
  const otherName = derTlv(0xa0, Buffer.concat([Buffer.from('06082b06010505070809', 'hex'), derTlv(0xa0, derTlv(0x0c, mailbox))]));
  const san = derTlv(0x30, otherName).toString('hex');
  const self = await pki.issue({ name: 'Self', selfSigned: true, extraExt: `subjectAltName = DER:${san}` });
  const m = await smimeSign({
    signer: self,
    content: BODY,
    headers: { from: `"CEO\u202e" <chéf@evil.example>`, to: 'bob@example.test', subject: `=?utf-8?q?Wire=0A=E2=9C=93_Signed_and_trusted?=` },
  });
  const v = await verifyMessage(m.bytes, opts());
  assert.notEqual(v.verdict, 'trusted');
  assert.deepEqual(rawStrings(v), [], 'no string of the verdict holds a raw control or bidi character');
  // The CLI, as a reader sees it: no line of its output is a fake "which you trust".
  const cli = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli', 'smime-addin.cjs'), 'verify', m.path], { encoding: 'utf8' });
  assert.equal(cli.status, 1, cli.stderr);
  const fakeLines = cli.stdout.split('\n').filter((l) => /which you trust/.test(l));
  assert.deepEqual(fakeLines, [], cli.stdout);
});

// ---- item 6: partial encryption ---------------------------------------------------------------------------------

test('a message where only one part is encrypted is reported as partially encrypted, not "encrypted and decrypted"', async () => {
  const bob = await pki.issue({ name: 'Bob', email: 'bob@example.test' });
  const id = await importPkcs12(new Uint8Array(readFileSync(await bob.makeP12('pw'))), 'pw');
  assert.ok(id.ok);
  const enc = await smimeEncrypt({ recipients: [bob], content: textEntity('The real, encrypted text.\r\n'), headers: { from: 'alice@example.test', to: 'bob@example.test', subject: 'Plans' } });
  const wrapped = wrapInUnsignedMixed(enc.bytes, { prependText: 'URGENT: the encrypted part below confirms: wire the money to IBAN XX00.\r\n' });
  const r = await decryptMessage(new Uint8Array(wrapped), id.identity, opts());
  assert.ok(r.ok, JSON.stringify(r));
  assert.equal(r.wholeMessageEncrypted, false);
  const v = r.verdict;
  assert.equal(v.coverage, 'partial');
  assert.equal(v.reasons[0].code, 'partially-encrypted', brief(v));
  assert.match(v.reasons[0].message, /Only part of this message was encrypted.*text\/plain part before the encrypted part/);
  assert.deepEqual(v.outsideEncryption, ['a text/plain part before the encrypted part']);
  // The decrypted content is the encrypted part alone: the attacker's text is not part of it.
  assert.doesNotMatch(Buffer.from(r.content).toString('utf8'), /IBAN/);
  // The whole message encrypted: full, no such reason.
  const whole = await decryptMessage(new Uint8Array(enc.bytes), id.identity, opts());
  assert.ok(whole.ok && whole.wholeMessageEncrypted);
  assert.ok(!whole.verdict.reasons.some((x) => x.code === 'partially-encrypted'));
  assert.equal(whole.verdict.outsideEncryption, undefined);
});

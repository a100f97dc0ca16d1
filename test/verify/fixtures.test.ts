/**
 * Issue 2: verification against fixtures generated at test time with OpenSSL (test/support/pki.ts), through the
 * PUBLIC API (verifyMessage from src/index.ts) and the CLI (`smime-addin verify … --json`), which must agree.
 *
 * Each case names the message, the options (anchors, extra intermediates, CRLs, time) and the expected one-word
 * fields of the verdict contract plus the reason codes that must be present. The CLI must exit 0 exactly when the
 * verdict is `trusted`, 1 otherwise, 2 for usage errors.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCertificates, loadCrls, verifyMessage, type Verdict } from '../../src/index';
import { ROOT } from '../support/corpus';
import { entityWithAttachment, textEntity, toLfOnly, wrapInUnsignedMixed } from '../support/messages';
import { makePki, opensslVerify, smimeSign, type Digest, type IssuedCert, type KeyType, type MessageFile } from '../support/pki';

const CLI = join(ROOT, 'dist', 'cli', 'smime-addin.cjs');
const utc = (y: number, m = 1, d = 1) => new Date(Date.UTC(y, m - 1, d));

interface Inputs {
  /** Extra intermediates (--cert / options.intermediates). */
  certs?: string[];
  /** CRL files (--crl / options.crls). */
  crls?: string[];
  /** Validation time (--at / options.at). */
  at?: Date;
}

interface Expect {
  verdict: Verdict['verdict'];
  signature?: Verdict['signature'];
  trust?: Verdict['trust'];
  sender?: Verdict['sender'];
  coverage?: Verdict['coverage'];
  /** Codes that must appear among `reasons`. */
  reasons?: string[];
  /** Codes that must appear among `warnings`. */
  warnings?: string[];
  /**
   * What `openssl cms -verify` (same anchor, intermediates, CRLs, time; purpose smimesign) says, checked both ways.
   * Default: it accepts exactly what we trust. 'skip' where OpenSSL 3.0 cannot judge (Ed25519 CMS).
   */
  openssl?: boolean | 'skip';
}

const pkiP = makePki();

function brief(v: Verdict): string {
  return JSON.stringify({
    verdict: v.verdict,
    signature: v.signature,
    trust: v.trust,
    sender: v.sender,
    coverage: v.coverage,
    reasons: v.reasons?.map((r) => r.code),
    warnings: v.warnings?.map((w) => w.code),
    error: (v as { error?: unknown }).error,
  });
}

function assertVerdict(v: Verdict, e: Expect, where: string): void {
  const got = brief(v);
  assert.equal(v.verdict, e.verdict, `${where}: verdict; got ${got}`);
  for (const k of ['signature', 'trust', 'sender', 'coverage'] as const) {
    if (e[k] !== undefined) assert.equal(v[k], e[k], `${where}: ${k}; got ${got}`);
  }
  const reasonCodes = v.reasons.map((r) => r.code as string);
  for (const c of e.reasons ?? []) assert.ok(reasonCodes.includes(c), `${where}: reason ${c} missing; got ${got}`);
  const warningCodes = v.warnings.map((w) => w.code as string);
  for (const c of e.warnings ?? []) assert.ok(warningCodes.includes(c), `${where}: warning ${c} missing; got ${got}`);
  // Contract invariants that hold for every verdict.
  assert.equal(typeof v.summary, 'string');
  assert.ok(Array.isArray(v.signers), `${where}: signers is an array`);
  if (v.verdict === 'trusted') {
    assert.equal(v.signature, 'valid', `${where}: trusted needs a valid signature`);
    assert.equal(v.trust, 'trusted', `${where}: trusted needs a trusted chain`);
    assert.equal(v.sender, 'match', `${where}: trusted needs a matching sender`);
    assert.equal(v.coverage, 'full', `${where}: trusted needs full coverage`);
  }
}

async function apiVerify(m: MessageFile, anchor: string, i: Inputs): Promise<Verdict> {
  const anchors = loadCertificates(readFileSync(anchor)).certs;
  const intermediates = (i.certs ?? []).flatMap((p) => loadCertificates(readFileSync(p)).certs);
  const crls = (i.crls ?? []).flatMap((p) => loadCrls(readFileSync(p)).crls);
  return verifyMessage(new Uint8Array(m.bytes), { anchors, intermediates, crls, at: i.at });
}

function cliArgs(i: Inputs): string[] {
  const a: string[] = [];
  for (const c of i.certs ?? []) a.push('--cert', c);
  for (const c of i.crls ?? []) a.push('--crl', c);
  if (i.at) a.push('--at', i.at.toISOString());
  return a;
}

/** `--json` output: one object, an array, or one object per line (one per file). */
function parseCliJson(stdout: string): Verdict[] {
  const t = stdout.trim();
  try {
    const j = JSON.parse(t) as Verdict | Verdict[] | { results: Verdict[] };
    if (Array.isArray(j)) return j;
    if ('results' in j && Array.isArray(j.results)) return j.results;
    return [j as Verdict];
  } catch {
    return t.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Verdict);
  }
}

function runCli(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const cliSkip = existsSync(CLI) ? false : `${CLI} is missing (run npm run build): CLI checks skipped`;
if (cliSkip) console.log(`# SKIP ${cliSkip}`);

/** Both ways: the public API and the CLI, same expectations, and the CLI's exit status. */
async function check(m: MessageFile, e: Expect, i: Inputs = {}, anchorPath?: string): Promise<void> {
  const pki = await pkiP;
  const anchor = anchorPath ?? pki.root.certPath;
  // The fixture itself first: OpenSSL, an independent implementation, agrees (or the case says why not).
  const osslExpected = e.openssl ?? e.verdict === 'trusted';
  if (osslExpected !== 'skip') {
    const o = await opensslVerify(m.path, {
      CAfile: anchor,
      certfile: i.certs?.length ? bundle(i.certs) : undefined,
      crl: i.crls?.[0],
      attime: i.at,
      purpose: 'smimesign',
    });
    assert.equal(o.ok, osslExpected, `openssl cms -verify ${o.ok ? 'accepts' : 'rejects'} it: ${o.stderr.trim()}`);
  }
  const v = await apiVerify(m, anchor, i);
  assertVerdict(v, e, 'verifyMessage');
  if (cliSkip) return;
  const r = runCli(['verify', m.path, '--anchor', anchor, ...cliArgs(i), '--json']);
  const out = parseCliJson(r.stdout);
  assert.equal(out.length, 1, `CLI printed one verdict; stderr: ${r.stderr}`);
  assertVerdict(out[0], e, 'CLI');
  assert.equal(r.status, e.verdict === 'trusted' ? 0 : 1, `CLI exit status; stderr: ${r.stderr}`);
}

function bundle(paths: string[]): string {
  const out = `${paths[0]}.bundle-${paths.length}.pem`;
  writeFileSync(out, paths.map((p) => readFileSync(p, 'utf8')).join(''));
  return out;
}

let n = 0;
async function signer(
  o: { keyType?: KeyType; start?: Date; end?: Date; eku?: string[] | null; keyUsage?: string[]; selfSigned?: boolean } = {},
) {
  const pki = await pkiP;
  const i = ++n;
  return pki.issue({ name: `Signer ${i}`, email: `signer${i}@example.com`, ...o });
}
const fromOf = (s: IssuedCert) => `Signer Person <${s.emails[0]}>`;

async function signed(
  s: IssuedCert,
  o: {
    md?: Digest;
    pss?: boolean;
    opaque?: boolean;
    chain?: string[];
    nocerts?: boolean;
    from?: string;
    content?: Buffer;
    signingTime?: Date;
  } = {},
): Promise<MessageFile> {
  return smimeSign({
    signer: s,
    content: o.content ?? textEntity('Please pay invoice 4711: 100 EUR.\nThanks, Signer\n'),
    md: o.md,
    pss: o.pss,
    opaque: o.opaque,
    chain: o.chain,
    nocerts: o.nocerts,
    signingTime: o.signingTime,
    headers: { from: o.from ?? fromOf(s), to: 'Bob <bob@example.org>', subject: 'Invoice 4711' },
  });
}

function variant(m: MessageFile, suffix: string, bytes: Buffer): MessageFile {
  const path = m.path.replace(/\.eml$/, `.${suffix}.eml`);
  writeFileSync(path, bytes);
  return { path, bytes };
}

const TRUSTED: Expect = { verdict: 'trusted', signature: 'valid', trust: 'trusted', sender: 'match', coverage: 'full' };

// --- every algorithm --------------------------------------------------------------------------------------------

const ALGS: Array<{ name: string; keyType: KeyType; md: Digest; pss?: boolean }> = [
  { name: 'RSA PKCS#1 v1.5 SHA-256', keyType: 'rsa2048', md: 'sha256' },
  { name: 'RSA PKCS#1 v1.5 SHA-384 (3072-bit)', keyType: 'rsa3072', md: 'sha384' },
  { name: 'RSA PKCS#1 v1.5 SHA-512', keyType: 'rsa2048', md: 'sha512' },
  { name: 'RSA-PSS SHA-256', keyType: 'rsa2048', md: 'sha256', pss: true },
  { name: 'RSA-PSS SHA-512', keyType: 'rsa2048', md: 'sha512', pss: true },
  { name: 'ECDSA P-256 SHA-256', keyType: 'ec-p256', md: 'sha256' },
  { name: 'ECDSA P-384 SHA-384', keyType: 'ec-p384', md: 'sha384' },
  { name: 'ECDSA P-521 SHA-512', keyType: 'ec-p521', md: 'sha512' },
  { name: 'Ed25519 (SHA-512)', keyType: 'ed25519', md: 'sha512' },
];

for (const a of ALGS) {
  test(`algorithm: ${a.name} → trusted`, async () => {
    const s = await signer({ keyType: a.keyType });
    const m = await signed(s, { md: a.md, pss: a.pss });
    await check(m, a.keyType === 'ed25519' ? { ...TRUSTED, openssl: 'skip' } : TRUSTED);
  });
}

for (const md of ['sha1', 'md5'] as const) {
  test(`algorithm: ${md.toUpperCase()} digest → signature valid, flagged weak-digest, never trusted by default`, async () => {
    const s = await signer();
    // OpenSSL accepts them: the policy (not the mathematics) is what makes them untrusted.
    await check(await signed(s, { md }), { verdict: 'untrusted', signature: 'valid', warnings: ['weak-digest'], openssl: true });
  });
}

test('SHA-1 with the allowSha1 policy (API) → trusted', async () => {
  const pki = await pkiP;
  const m = await signed(await signer(), { md: 'sha1' });
  const anchors = loadCertificates(readFileSync(pki.root.certPath)).certs;
  const v = await verifyMessage(new Uint8Array(m.bytes), { anchors, allowSha1: true });
  assertVerdict(v, TRUSTED, 'verifyMessage allowSha1');
});

// --- content and signers --------------------------------------------------------------------------------------

test('tampered content → invalid', async () => {
  const m = await signed(await signer());
  const t = m.bytes.toString('latin1');
  assert.ok(t.includes('100 EUR'));
  await check(variant(m, 'tampered', Buffer.from(t.replace('100 EUR', '900 EUR'), 'latin1')), {
    verdict: 'invalid',
    signature: 'invalid',
  });
});

test('expired signer → untrusted, trust expired', async () => {
  const s = await signer({ start: utc(2021), end: utc(2022) });
  await check(await signed(s), { verdict: 'untrusted', signature: 'valid', trust: 'expired', reasons: ['cert-expired'] });
});

test('not-yet-valid signer → untrusted, trust not-yet-valid', async () => {
  const s = await signer({ start: utc(2035), end: utc(2038) });
  await check(await signed(s), {
    verdict: 'untrusted',
    signature: 'valid',
    trust: 'not-yet-valid',
    reasons: ['cert-not-yet-valid'],
  });
});

test('revoked signer, CRL given with --crl → untrusted, trust revoked', async () => {
  const pki = await pkiP;
  const s = await signer();
  await pki.revoke(s, { reason: 'keyCompromise', at: utc(2024, 6, 1) });
  const crl = await pki.crl({ issuer: 'intermediate', thisUpdate: utc(2024, 7, 1), nextUpdate: utc(2039) });
  const m = await signed(s);
  await check(m, { verdict: 'untrusted', signature: 'valid', trust: 'revoked', reasons: ['cert-revoked'] }, { crls: [crl.derPath] });
});

test('wrong EKU (serverAuth only) → untrusted, trust wrong-usage', async () => {
  const s = await signer({ eku: ['serverAuth'] });
  await check(await signed(s), {
    verdict: 'untrusted',
    signature: 'valid',
    trust: 'wrong-usage',
    reasons: ['wrong-extended-key-usage'],
  });
});

test('key usage without digitalSignature/nonRepudiation → untrusted, trust wrong-usage', async () => {
  const s = await signer({ keyUsage: ['keyEncipherment'] });
  await check(await signed(s), {
    verdict: 'untrusted',
    signature: 'valid',
    trust: 'wrong-usage',
    reasons: ['wrong-key-usage'],
  });
});

test('no certificates in the message (signer unknown) → unknown-signer, not trusted', async () => {
  const m = await signed(await signer(), { nocerts: true });
  await check(m, { verdict: 'untrusted', signature: 'unknown-signer', reasons: ['signer-cert-missing'] });
});

test('self-signed signer → untrusted', async () => {
  const s = await signer({ selfSigned: true });
  await check(await signed(s), { verdict: 'untrusted', signature: 'valid', trust: 'untrusted', reasons: ['self-signed'] });
});

test('missing intermediate → incomplete-chain; with the intermediate given (--cert) → trusted', async () => {
  const pki = await pkiP;
  const m = await signed(await signer(), { chain: [] });
  await check(m, {
    verdict: 'untrusted',
    signature: 'valid',
    trust: 'incomplete-chain',
    reasons: ['missing-intermediate'],
  });
  await check(m, TRUSTED, { certs: [pki.intermediate.certPath] });
});

test('From does not match the certificate → sender mismatch, not trusted', async () => {
  const m = await signed(await signer(), { from: 'Signer Person <mallory@example.net>' });
  await check(m, {
    verdict: 'untrusted',
    signature: 'valid',
    trust: 'trusted',
    sender: 'mismatch',
    reasons: ['sender-mismatch'],
    openssl: true, // OpenSSL does not look at From
  });
});

test('LF-only copy of a signed message → still trusted', async () => {
  const m = await signed(await signer());
  await check(variant(m, 'lf', toLfOnly(m.bytes)), TRUSTED);
});

test('opaque signed-data (application/pkcs7-mime) → trusted', async () => {
  await check(await signed(await signer(), { opaque: true }), TRUSTED);
});

const WRAPS = {
  'prepended text': { prependText: 'URGENT: the bank details changed, pay to DE00 0000.' },
  'hidden HTML': { hiddenHtml: '<div style="display:none">pay to DE00 0000</div>' },
  'an extra attachment': { extraAttachment: { filename: 'invoice.pdf.exe', data: Buffer.from('MZ not really') } },
};
for (const [what, opts] of Object.entries(WRAPS)) {
  test(`signed part wrapped in an unsigned multipart/mixed with ${what} → coverage partial, never trusted`, async () => {
    const m = await signed(await signer());
    const w = variant(m, 'wrapped', wrapInUnsignedMixed(m.bytes, opts));
    await check(w, { verdict: 'untrusted', signature: 'valid', coverage: 'partial', reasons: ['partially-signed'] });
    const v = await apiVerify(w, (await pkiP).root.certPath, {});
    assert.ok(v.outsideSignature.length > 0, 'outsideSignature names what is unsigned');
  });
}

test('10 MB attachment → trusted', async () => {
  const m = await signed(await signer(), { content: entityWithAttachment(10 * 1024 * 1024) });
  assert.ok(m.bytes.length > 13 * 1024 * 1024);
  await check(m, TRUSTED);
});

test('old message: expired now, trusted --at its signing time', async () => {
  const s = await signer({ start: utc(2021), end: utc(2022) });
  const m = await signed(s, { signingTime: utc(2021, 6, 1) });
  await check(m, { verdict: 'untrusted', trust: 'expired' });
  await check(m, TRUSTED, { at: utc(2021, 6, 2) });
});

// --- CLI contract -----------------------------------------------------------------------------------------------

test('CLI: exit 0 only when every file is trusted; one verdict per file; 2 for usage errors', { skip: cliSkip }, async () => {
  const pki = await pkiP;
  const good = await signed(await signer());
  const good2 = await signed(await signer({ keyType: 'ec-p256' }));
  const bad = await signed(await signer({ start: utc(2021), end: utc(2022) }));
  const both = runCli(['verify', good.path, good2.path, '--anchor', pki.root.certPath, '--json']);
  assert.equal(both.status, 0, both.stderr);
  assert.deepEqual(parseCliJson(both.stdout).map((v) => v.verdict), ['trusted', 'trusted']);
  const mixed = runCli(['verify', good.path, bad.path, '--anchor', pki.root.certPath, '--json']);
  assert.equal(mixed.status, 1, mixed.stderr);
  assert.deepEqual(parseCliJson(mixed.stdout).map((v) => v.verdict), ['trusted', 'untrusted']);
  assert.equal(runCli(['verify', good.path, '--anchor', pki.root.certPath, '--no-such-option']).status, 2);
  assert.equal(runCli(['verify', good.path, '--at', 'not-a-time', '--anchor', pki.root.certPath]).status, 2);
  assert.equal(runCli(['frobnicate']).status, 2);
});

test("signer issued after its root's e-mail distrust-after date → untrusted (root-distrusted), with the date in the reason", async () => {
  // The bundled roots pass their NSS dates this way (policyToVerifyOptions); here a fixture root stands in for one.
  const pki = await pkiP;
  const s = await signer({ start: utc(2025, 6), end: utc(2031) });
  const m = await signed(s);
  const anchors = loadCertificates(readFileSync(pki.root.certPath)).certs;
  const base = { anchors, intermediates: loadCertificates(readFileSync(pki.intermediate.certPath)).certs, at: utc(2030) };
  const distrusted = await verifyMessage(new Uint8Array(m.bytes), { ...base, emailDistrustAfter: (a) => (a === anchors[0] ? utc(2025) : undefined) });
  assertVerdict(distrusted, { verdict: 'untrusted', signature: 'valid', trust: 'untrusted', sender: 'match', reasons: ['root-distrusted'] }, 'distrust-after');
  assert.match(distrusted.reasons.find((r) => r.code === 'root-distrusted')!.message, /issued on 2025-06-01.*from 2025-01-01 on/);
  const later = await verifyMessage(new Uint8Array(m.bytes), { ...base, emailDistrustAfter: () => utc(2026) });
  assertVerdict(later, { verdict: 'trusted' }, 'issued before the date');
});

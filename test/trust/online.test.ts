// Online trust end to end on loopback: AIA completes a chain, OCSP/CRL answers map to the right trust, and
// unreachable or unusable answers are soft-fail warnings or hard-fail "not trusted" by mode.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultCrypto } from '../../src/crypto';
import { validateChain } from '../../src/trust/chain';
import { createFetcher } from '../../src/trust/fetcher';
import { MemoryTrustCache } from '../../src/trust/online-cache';
import { validateChainOnline } from '../../src/trust/online';
import type { ChainResult, RevocationMode } from '../../src/trust/types';
import { makeOnlinePki, type OnlinePki } from './online-pki';

let o: OnlinePki;
const crypto = defaultCrypto();
const fetcher = createFetcher({ timeoutMs: 5000, allowPrivateTargets: true }); // loopback servers
const figures: string[] = [];

before(async () => {
  o = await makeOnlinePki();
});
after(async () => {
  console.log(`# online trust (cert → verdict): ${figures.join('; ')}`);
  await o?.close();
});

async function check(leaf: keyof OnlinePki['leaves'], mode: RevocationMode, withIntermediate = true, online = true): Promise<ChainResult> {
  return validateChainOnline(
    o.leaves[leaf].cert,
    {
      anchors: [o.root],
      intermediates: withIntermediate ? [o.intermediate] : [],
      crls: [],
      at: new Date(),
      revocation: mode,
      fetcher: online ? fetcher : undefined,
    },
    crypto,
    { cache: new MemoryTrustCache() },
  );
}
const codes = (r: ChainResult) => r.reasons.map((x) => `${x.code}:${x.severity}`);

test('AIA: a chain missing its intermediate is completed (DER and PKCS#7 certs-only) and re-validated', async () => {
  const offline = await validateChain(o.leaves.good.cert, { anchors: [o.root], intermediates: [], crls: [], at: new Date(), revocation: 'soft' }, crypto);
  assert.equal(offline.trust, 'incomplete-chain');
  const r = await check('good', 'soft', false);
  assert.equal(r.trust, 'trusted', JSON.stringify(r.reasons));
  assert.equal(r.chain.length, 3);
  const aia = r.reasons.find((x) => x.code === 'aia-fetched');
  assert.ok(aia && aia.message.includes('/int.der'), JSON.stringify(r.reasons));
  const p7 = await check('p7c', 'soft', false);
  assert.equal(p7.trust, 'trusted', JSON.stringify(p7.reasons));
  assert.ok(p7.reasons.some((x) => x.code === 'aia-fetched' && x.message.includes('/int.p7c')));
  // Without network the same chain stays incomplete: no silent fetching.
  const noNet = await check('good', 'soft', false, false);
  assert.equal(noNet.trust, 'incomplete-chain');
  figures.push(`AIA: incomplete-chain → ${r.trust} (DER), ${p7.trust} (PKCS#7), offline stays ${noNet.trust}`);
});

test('OCSP good → trusted, revocation good (and the CA checked by its CRL)', async () => {
  const r = await check('good', 'hard');
  assert.equal(r.trust, 'trusted', JSON.stringify(r.reasons));
  assert.equal(r.revocation.status, 'good');
  assert.equal(r.revocation.source, 'ocsp');
  assert.match(r.revocation.detail!, /Alice: OCSP good; Fixture Online CA: CRL good/);
  // The verdict says so too, as a confirmation (not only when a check could not be made).
  const good = r.reasons.find((x) => x.code === 'revocation-good');
  assert.equal(good?.severity, 'ok', JSON.stringify(r.reasons));
  assert.match(good!.message, /The OCSP responder says 'Alice' is not revoked\. The CA certificate above it is not revoked either\./);
  figures.push('OCSP good → trusted');
});

test('OCSP revoked → revoked', async () => {
  for (const mode of ['soft', 'hard'] as const) {
    const r = await check('revoked', mode);
    assert.equal(r.trust, 'revoked', JSON.stringify(r.reasons));
    assert.equal(r.revocation.status, 'revoked');
    assert.ok(r.reasons.some((x) => x.code === 'cert-revoked' && x.severity === 'error'));
    const said = r.reasons.find((x) => x.code === 'cert-revoked')?.message ?? '';
    assert.match(said, /The OCSP responder says 'Bob' was revoked on 2025-01-01 \(reason: key compromise\)\./);
  }
  figures.push('OCSP revoked → revoked');
});

test('OCSP unknown → soft: trusted with a warning; hard: not trusted', async () => {
  const soft = await check('unknown', 'soft');
  assert.equal(soft.trust, 'trusted');
  const w = soft.reasons.find((x) => x.code === 'revocation-not-checked' || x.code === 'revocation-unknown');
  assert.ok(w && w.severity === 'warning', JSON.stringify(soft.reasons));
  assert.match(w.message, /does not know the certificate/);
  const hard = await check('unknown', 'hard');
  assert.notEqual(hard.trust, 'trusted');
  assert.ok(hard.reasons.some((x) => x.code === 'revocation-unknown' && x.severity === 'error'), JSON.stringify(hard.reasons));
  figures.push(`OCSP unknown → soft: ${soft.trust} + warning, hard: ${hard.trust}`);
});

test('CRL distribution point: good → trusted, revoked → revoked, stale → soft warning / hard not trusted', async () => {
  const good = await check('crlGood', 'hard');
  assert.equal(good.trust, 'trusted', JSON.stringify(good.reasons));
  assert.equal(good.revocation.source, 'crl');
  const revoked = await check('crlRevoked', 'soft');
  assert.equal(revoked.trust, 'revoked');
  const staleSoft = await check('crlStale', 'soft');
  assert.equal(staleSoft.trust, 'trusted');
  assert.ok(staleSoft.reasons.some((x) => x.severity === 'warning' && /out of date/.test(x.message)), JSON.stringify(staleSoft.reasons));
  const staleHard = await check('crlStale', 'hard');
  assert.notEqual(staleHard.trust, 'trusted');
  figures.push(`CRL good → ${good.trust}`, `CRL revoked → ${revoked.trust}`, `CRL stale → soft: ${staleSoft.trust} + warning, hard: ${staleHard.trust}`);
});

test('unreachable OCSP and CRL (closed port) → soft: trusted with the reason; hard: not trusted', async () => {
  const soft = await check('dead', 'soft');
  assert.equal(soft.trust, 'trusted');
  const w = soft.reasons.find((x) => x.severity === 'warning' && x.code.startsWith('revocation-'));
  assert.ok(w, JSON.stringify(soft.reasons));
  assert.match(w.message, /could not reach 127\.0\.0\.1/);
  assert.equal(soft.revocation.status, 'unknown');
  assert.match(soft.revocation.detail!, /Dave: not checked/);
  const hard = await check('dead', 'hard');
  assert.notEqual(hard.trust, 'trusted');
  assert.ok(hard.reasons.some((x) => x.code === 'revocation-unknown' && x.severity === 'error'));
  figures.push(`unreachable → soft: ${soft.trust} + warning, hard: ${hard.trust}`);
});

test('no URLs to check: said so; revocation off: nothing fetched', async () => {
  const r = await check('noAia', 'soft');
  assert.equal(r.trust, 'trusted');
  assert.ok(r.reasons.some((x) => /names no OCSP responder or CRL distribution point/.test(x.message)), JSON.stringify(codes(r)));
  const before = o.http.hits.get('/int.crl') ?? 0;
  const off = await check('crlGood', 'off');
  assert.equal(off.trust, 'trusted');
  assert.equal(off.revocation.status, 'not-checked');
  assert.equal(o.http.hits.get('/int.crl') ?? 0, before);
});

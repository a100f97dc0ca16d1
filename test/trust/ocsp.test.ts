// OCSP against the real `openssl ocsp` responder on 127.0.0.1: good, revoked, unknown, stale, bad signature,
// unauthorized responder, replayed response (nonce), unreachable; and the cache.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultCrypto } from '../../src/crypto';
import { createFetcher } from '../../src/trust/fetcher';
import { MemoryTrustCache } from '../../src/trust/online-cache';
import { buildOcspRequest, queryOcsp } from '../../src/trust/ocsp';
import { aiaUrls } from '../../src/trust/aia';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOpenssl } from '../support/pki';
import { makeOnlinePki, type OnlinePki } from './online-pki';

let o: OnlinePki;
const crypto = defaultCrypto();
const fetcher = createFetcher({ timeoutMs: 5000, allowPrivateTargets: true }); // loopback servers
const figures: string[] = [];

before(async () => {
  o = await makeOnlinePki();
});
after(async () => {
  console.log(`# OCSP outcomes: ${figures.join('; ')}`);
  await o?.close();
});

function ask(leaf: keyof OnlinePki['leaves'], urls?: string[], now = new Date(), cache?: MemoryTrustCache) {
  const l = o.leaves[leaf].cert;
  return queryOcsp(l, o.intermediate, urls ?? aiaUrls(l).ocsp, { fetcher, now, crypto, cache });
}

test('good, revoked and unknown from openssl ocsp (delegated responder, nonce echoed)', async () => {
  const good = await ask('good');
  assert.ok(good.ok, JSON.stringify(good));
  assert.equal(good.status, 'good');
  assert.equal(good.responder, 'delegated');
  assert.equal(good.nonce, 'matched');
  assert.ok(good.nextUpdate && good.nextUpdate > new Date());
  const revoked = await ask('revoked');
  assert.ok(revoked.ok);
  assert.equal(revoked.status, 'revoked');
  assert.equal(revoked.revokedAt?.toISOString(), '2025-01-01T00:00:00.000Z');
  assert.equal(revoked.revocationReason, 1, 'keyCompromise, as openssl ca -crl_reason recorded it');
  const unknown = await ask('unknown');
  assert.ok(unknown.ok);
  assert.equal(unknown.status, 'unknown');
  figures.push('good→good', 'revoked→revoked (2025-01-01)', 'unknown→unknown');
});

test('our request is one OpenSSL reads, with our nonce', async () => {
  const req = await buildOcspRequest(o.leaves.good.cert, o.intermediate, crypto);
  const file = join(o.pki.dir, 'req.der');
  writeFileSync(file, req.der);
  const r = await runOpenssl(['ocsp', '-reqin', file, '-req_text']);
  assert.equal(r.code, 0, r.stderr);
  const text = r.stdout.toString();
  assert.match(text, /Hash Algorithm: sha1/);
  assert.match(text, new RegExp(`Serial Number: ${o.leaves.good.issued.serial}`, 'i'));
  assert.match(text, /OCSP Nonce/);
});

test('stale: a response whose nextUpdate has passed is refused', async () => {
  // The responder stamps nextUpdate = now + 1 day (-ndays 1); check it three days later.
  const later = new Date(Date.now() + 3 * 86400_000);
  const r = await ask('good', undefined, later);
  assert.ok(!r.ok);
  assert.equal(r.problem, 'stale');
  figures.push('stale→refused');
});

test('bad signature: a response altered in transit is refused', async () => {
  const r = await ask('good', [o.http.url('/ocsp-tampered')]);
  assert.ok(!r.ok);
  assert.equal(r.problem, 'bad-signature');
  figures.push('bad signature→refused');
});

test('a responder without id-kp-OCSPSigning is not authorized', async () => {
  const r = await ask('good', [o.rogue.url]);
  assert.ok(!r.ok);
  assert.equal(r.problem, 'unauthorized-responder');
  figures.push('unauthorized responder→refused');
});

test('a replayed response fails the nonce check', async () => {
  const first = await ask('good', [o.http.url('/ocsp-replay')]);
  assert.ok(first.ok && first.status === 'good');
  const second = await ask('good', [o.http.url('/ocsp-replay')]);
  assert.ok(!second.ok);
  assert.equal(second.problem, 'nonce-mismatch');
  figures.push('replayed→nonce mismatch');
});

test('unreachable responder: fetch-failed naming the host', async () => {
  const r = await ask('dead');
  assert.ok(!r.ok);
  assert.equal(r.problem, 'fetch-failed');
  assert.match(r.detail, /could not reach 127\.0\.0\.1:\d+/);
  figures.push('unreachable→fetch-failed');
});

test('good answers are cached until nextUpdate; unknown is not cached', async () => {
  const cache = new MemoryTrustCache();
  const a = await ask('good', undefined, new Date(), cache);
  const b = await ask('good', undefined, new Date(), cache);
  assert.ok(a.ok && !a.cached && b.ok && b.cached);
  await ask('unknown', undefined, new Date(), cache);
  assert.equal(cache.size, 1);
  const expired = await ask('good', undefined, new Date(Date.now() + 2 * 86400_000), cache);
  assert.ok(!expired.ok, 'past nextUpdate the cached answer is gone and the fresh one is stale at that clock');
});

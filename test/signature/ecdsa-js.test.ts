// ECDSA on the Brainpool curves and with SHA-224 (src/signature/ecdsa-js.ts): the parameters are RFC 5639's as OpenSSL has them,
// signatures OpenSSL makes verify, and anything changed does not; malformed keys and signatures are "not valid",
// never an exception; and a message's worth of checks (its public-key budget) stays within a time bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import { BRAINPOOL_PARAMS, brainpoolSize, verifyEcdsaJs, type BrainpoolCurve, type JsCurve } from '../../src/signature/ecdsa-js';
import { ecdsaDerToRaw } from '../../src/signature/ecdsa';
import { MAX_PUBLIC_KEY_OPERATIONS, PublicKeyBudget, withPublicKeyBudget } from '../../src/signature/limits';
import { verifySignature } from '../../src/signature/verify';
import { defaultCrypto } from '../../src/crypto';
import { openssl } from '../support/pki';

const CURVES: { curve: BrainpoolCurve; md: 'sha256' | 'sha384' | 'sha512' }[] = [
  { curve: 'brainpoolP256r1', md: 'sha256' },
  { curve: 'brainpoolP384r1', md: 'sha384' },
  { curve: 'brainpoolP512r1', md: 'sha512' },
];
const dir = mkdtempSync(join(tmpdir(), 'brainpool-'));

/** A key, its SubjectPublicKeyInfo and point, and a signature by `openssl dgst` over `data` (DER and r||s). */
async function signed(curve: JsCurve, md: string, data: Buffer) {
  const key = join(dir, `${curve}.key`);
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:${curve}`, '-pkeyopt', 'ec_param_enc:named_curve', '-out', key]);
  const spki = await openssl(['pkey', '-in', key, '-pubout', '-outform', 'DER']);
  const point = pkijs.PublicKeyInfo.fromBER(new Uint8Array(spki)).subjectPublicKey.valueBlock.valueHexView;
  const dataPath = join(dir, `${curve}.data`);
  writeFileSync(dataPath, data);
  const der = await openssl(['dgst', `-${md}`, '-sign', key, dataPath]);
  const size = curve.startsWith('P-') ? Math.ceil(Number(curve.slice(2)) / 8) : brainpoolSize(curve as BrainpoolCurve);
  const raw = ecdsaDerToRaw(new Uint8Array(der), size)!;
  return { key, spki, der, point: new Uint8Array(point), raw, digest: new Uint8Array(createHash(md).update(data).digest()) };
}

test('Brainpool parameters are RFC 5639\'s as OpenSSL has them (ecparam -param_enc explicit)', async () => {
  for (const { curve } of CURVES) {
    const text = (await openssl(['ecparam', '-name', curve, '-param_enc', 'explicit', '-noout', '-text'])).toString().replace(/[\s:]/g, '');
    const field = (from: string, to: string) => BigInt('0x' + new RegExp(`${from}([0-9a-f]+)${to}`).exec(text)![1]);
    const c = BRAINPOOL_PARAMS[curve];
    assert.equal(c.p, field('Prime', 'A'), `${curve} p`);
    assert.equal(c.a, field('A', 'B'), `${curve} a`);
    assert.equal(c.b, field('B', 'Generator'), `${curve} b`);
    assert.equal(c.n, field('Order', 'Cofactor'), `${curve} n`);
    const g = /Generator\(uncompressed\)04([0-9a-f]+)Order/.exec(text)![1];
    assert.equal(c.Gx, BigInt('0x' + g.slice(0, g.length / 2)), `${curve} Gx`);
    assert.equal(c.Gy, BigInt('0x' + g.slice(g.length / 2)), `${curve} Gy`);
    assert.match(text, /Cofactor1\(0x1\)/);
  }
});

for (const { curve, md } of CURVES) {
  test(`${curve}/${md}: OpenSSL's signature verifies; another digest, signature or key does not`, async () => {
    const data = Buffer.from(`signed on ${curve}`);
    const s = await signed(curve, md, data);
    assert.equal(verifyEcdsaJs(curve, s.digest, s.raw, s.point), true);
    const otherDigest = Uint8Array.from(s.digest);
    otherDigest[0] ^= 1;
    assert.equal(verifyEcdsaJs(curve, otherDigest, s.raw, s.point), false);
    const otherSig = Uint8Array.from(s.raw);
    otherSig[otherSig.length - 1] ^= 1;
    assert.equal(verifyEcdsaJs(curve, s.digest, otherSig, s.point), false);
    const other = await signed(curve, md, data);
    assert.equal(verifyEcdsaJs(curve, s.digest, s.raw, other.point), false, 'the same data under another key');
    // Malformed inputs are not valid, and do not throw: a point off the curve, r = 0, s = n, a cut signature.
    const off = Uint8Array.from(s.point);
    off[off.length - 1] ^= 1;
    assert.equal(verifyEcdsaJs(curve, s.digest, s.raw, off), false, 'point off the curve');
    const size = brainpoolSize(curve);
    const zeroR = Uint8Array.from(s.raw);
    zeroR.fill(0, 0, size);
    assert.equal(verifyEcdsaJs(curve, s.digest, zeroR, s.point), false, 'r = 0');
    const nS = Uint8Array.from(s.raw);
    nS.set(Buffer.from(BRAINPOOL_PARAMS[curve].n.toString(16).padStart(size * 2, '0'), 'hex'), size);
    assert.equal(verifyEcdsaJs(curve, s.digest, nS, s.point), false, 's = n');
    assert.equal(verifyEcdsaJs(curve, s.digest, s.raw.subarray(1), s.point), false, 'cut signature');
    assert.equal(verifyEcdsaJs(curve, s.digest, s.raw, new Uint8Array([4])), false, 'empty point');
  });
}

test('a digest longer than the order is truncated (SHA-512 on brainpoolP256r1), as OpenSSL does', async () => {
  const data = Buffer.from('long digest, short curve');
  const s = await signed('brainpoolP256r1', 'sha512', data);
  assert.equal(verifyEcdsaJs('brainpoolP256r1', s.digest, s.raw, s.point), true);
});

for (const curve of ['P-256', 'P-384', 'P-521'] as const) {
  test(`${curve}/SHA-224 (ecdsa-with-SHA224, no WebCrypto digest): OpenSSL's signature verifies, a changed one does not`, async () => {
    const s = await signed(curve, 'sha224', Buffer.from(`sha-224 on ${curve}`));
    assert.equal(verifyEcdsaJs(curve, s.digest, s.raw, s.point), true);
    const bad = Uint8Array.from(s.raw);
    bad[5] ^= 1;
    assert.equal(verifyEcdsaJs(curve, s.digest, bad, s.point), false);
  });
}

test('a message\'s budget pays for 16 brainpoolP512r1 checks, not 64: each counts as 4 operations (then "not checked", never valid)', async () => {
  const data = Buffer.from('weighted');
  const s = await signed('brainpoolP512r1', 'sha512', data);
  const input = {
    algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.10045.4.3.4' }), // ecdsa-with-SHA512
    publicKey: pkijs.PublicKeyInfo.fromBER(new Uint8Array(s.spki)),
    signature: new Uint8Array(s.der),
    data: new Uint8Array(data),
  };
  const crypto = withPublicKeyBudget(defaultCrypto(), new PublicKeyBudget());
  const statuses: string[] = [];
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) statuses.push((await verifySignature(input, crypto)).status);
  const ms = performance.now() - t0;
  console.log(`# budget of ${MAX_PUBLIC_KEY_OPERATIONS}: ${statuses.filter((x) => x === 'valid').length} brainpoolP512r1 checks done in ${ms.toFixed(0)} ms`);
  assert.deepEqual(statuses, [...Array(16).fill('valid'), ...Array(4).fill('unsupported')]);
});

test(`a message's public-key budget (${MAX_PUBLIC_KEY_OPERATIONS}) of brainpoolP512r1 checks stays within seconds`, async () => {
  const s = await signed('brainpoolP512r1', 'sha512', Buffer.from('budget'));
  const bad = Uint8Array.from(s.raw);
  bad[3] ^= 0x40;
  const t0 = performance.now();
  for (let i = 0; i < MAX_PUBLIC_KEY_OPERATIONS; i++) verifyEcdsaJs('brainpoolP512r1', s.digest, i % 2 ? bad : s.raw, s.point);
  const ms = performance.now() - t0;
  console.log(`# ${MAX_PUBLIC_KEY_OPERATIONS} brainpoolP512r1 verifications: ${ms.toFixed(0)} ms`);
  // Measured ~1-2 s on the loaded 2-core test machine; a quadratic slip would be minutes.
  assert.ok(ms < 15_000, `${ms} ms`);
});


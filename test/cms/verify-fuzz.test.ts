/**
 * Fuzz: thousands of mutated SignedData blobs (seeded, so a failure reproduces), each must give a result —
 * never a throw, never a hang — within a time bound. Bases: OpenSSL-made RSA/ECDSA/Ed25519, detached and
 * opaque, with and without signed attributes, plus the RFC 9216 examples when the corpus is present.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifySignedData } from '../../src/cms/verify';
import { corpus } from '../support/corpus';
import { concatBytes as concat, prng } from '../support/messages';
import { makePki, smimeSign } from '../support/pki';

const CONTENT = Buffer.from('Content-Type: text/plain\r\n\r\nfuzz me\r\n');
const ITERATIONS = 3000;
/** Generous per-call bound on a shared 2-core machine; typical calls take well under 10 ms. */
const PER_CALL_MS = 2000;
const TOTAL_MS = 120_000;

type Rng = ReturnType<typeof prng>;

function mutate(base: Uint8Array, r: Rng): Uint8Array {
  let b: Uint8Array = new Uint8Array(base);
  const rounds = 1 + r.int(4);
  for (let k = 0; k < rounds; k++) {
    const at = r.int(b.length);
    switch (r.int(9)) {
      case 0: // flip one bit
        b[at] ^= 1 << r.int(8);
        break;
      case 1: // random byte
        b[at] = r.int(256);
        break;
      case 2: // truncate
        b = b.subarray(0, at);
        break;
      case 3: {
        // insert random bytes
        const n = 1 + r.int(8);
        const ins = Uint8Array.from({ length: n }, () => r.int(256));
        b = concat(b.subarray(0, at), ins, b.subarray(at));
        break;
      }
      case 4: {
        // delete a range
        const n = 1 + r.int(16);
        b = concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + n)));
        break;
      }
      case 5: // a length byte made huge or indefinite
        b[at] = [0x80, 0x84, 0xff, 0x7f, 0x00][r.int(5)];
        break;
      case 6: {
        // duplicate a range (repeated elements, nested structures)
        const n = 1 + r.int(64);
        b = concat(b.subarray(0, at + n), b.subarray(at, Math.min(b.length, at + n)), b.subarray(at + n));
        break;
      }
      case 7: // tag change
        b[at] = [0x30, 0x31, 0xa0, 0xa1, 0x04, 0x24, 0x06, 0x02, 0x05][r.int(9)];
        break;
      default: // zero a run
        b.fill(0, at, at + 1 + r.int(8));
    }
    if (b.length === 0) break;
  }
  return b;
}


test(`verifySignedData survives ${ITERATIONS} mutated blobs: a result each, no throw, bounded time`, async () => {
  const pki = await makePki();
  const rsa = await pki.issue({ name: 'Fuzz RSA', keyType: 'rsa2048' });
  const ec = await pki.issue({ name: 'Fuzz EC', keyType: 'ec-p256' });
  const ed = await pki.issue({ name: 'Fuzz Ed', keyType: 'ed25519' });
  const bases: { der: Uint8Array; detached: boolean }[] = [];
  for (const [signer, extra] of [
    [rsa, {}],
    [rsa, { pss: true }],
    [rsa, { opaque: true }],
    [ec, { noattr: true }],
    [ec, { opaque: true, md: 'sha384' as const }],
    [ed, {}],
  ] as const) {
    const m = await smimeSign({ signer, content: CONTENT, outform: 'der', binary: true, ...extra });
    bases.push({ der: new Uint8Array(m.bytes), detached: !('opaque' in extra) });
  }
  const c = corpus('rfc9216-examples-cms');
  if (c.skip === false) {
    for (const f of readdirSync(join(c.dir, 'binary-files')).filter((n) => n.startsWith('signed'))) {
      bases.push({ der: new Uint8Array(readFileSync(join(c.dir, 'binary-files', f))), detached: /Detached/.test(f) });
    }
  }
  // The unmutated bases verify (so the fuzz starts from meaningful input).
  for (const b of bases) {
    const r = await verifySignedData(b.der, { detachedContent: b.detached ? CONTENT : undefined });
    assert.ok(r.ok, 'base parses');
  }

  const rng = prng(0x5eed);
  const started = Date.now();
  const tally = { ok: 0, valid: 0, malformed: 0, truncated: 0, other: 0 };
  let slowest = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const base = bases[i % bases.length];
    const blob = mutate(base.der, rng);
    const t0 = Date.now();
    let r;
    try {
      r = await verifySignedData(blob, {
        detachedContent: base.detached ? CONTENT : undefined,
        canonicalContent: () => CONTENT,
      });
    } catch (e) {
      assert.fail(`iteration ${i} threw: ${(e as Error).stack}`);
    }
    const dt = Date.now() - t0;
    slowest = Math.max(slowest, dt);
    assert.ok(dt < PER_CALL_MS, `iteration ${i} took ${dt} ms`);
    assert.equal(typeof r.ok, 'boolean');
    if (r.ok) {
      tally.ok++;
      if (r.signature === 'valid') tally.valid++;
      assert.ok(Array.isArray(r.signers) && Array.isArray(r.reasons));
      // "valid" overall only when there is a signer and every signer is valid.
      if (r.signature === 'valid') assert.ok(r.signers.length > 0 && r.signers.every((s) => s.signature === 'valid'));
    } else if (r.error.code === 'malformed-cms') tally.malformed++;
    else if (r.error.code === 'truncated') tally.truncated++;
    else tally.other++;
  }
  const total = Date.now() - started;
  console.log(`# fuzz: ${ITERATIONS} blobs in ${total} ms (slowest ${slowest} ms): ${JSON.stringify(tally)}`);
  assert.ok(total < TOTAL_MS, `total ${total} ms`);
  // The mutations must actually reach the signature checks, not only the parser.
  assert.ok(tally.ok > ITERATIONS / 20, JSON.stringify(tally));
  assert.ok(tally.malformed + tally.truncated > ITERATIONS / 20, JSON.stringify(tally));
});

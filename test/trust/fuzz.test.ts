// Seeded mutation fuzzing of validateChain over PKITS chains: one byte of one certificate or CRL is
// changed; whatever still parses must give a result (never an exception), quickly, and never 'trusted':
// every signed byte is covered by a signature, so a changed certificate or CRL cannot validate (a delta
// CRL excepted: the complete CRL answers without it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { corpus } from '../support/corpus';
import { validateChain } from '../../src/trust/chain';

const FILES = ['SignedValidSignaturesTest1', 'SignedValidBasicSelfIssuedCRLSigningKeyTest6', 'SignedValiddeltaCRLTest8', 'SignedValidcRLIssuerTest30'];
const ROUNDS = 200;

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function der(x: pkijs.Certificate | pkijs.CertificateRevocationList): Uint8Array {
  return new Uint8Array(x.toSchema(false).toBER(false));
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

const c = corpus('nist-pkits');

test('fuzz: mutated certificates and CRLs never validate, never throw, stay fast', { skip: c.skip || undefined, timeout: 300_000 }, async () => {
  const dir = c.dir!;
  const anchor = pkijs.Certificate.fromBER(readFileSync(join(dir, 'certs/TrustAnchorRootCertificate.crt')));
  const rand = rng(20251125);
  let parsed = 0;
  let slowest = 0;
  for (let n = 0; n < ROUNDS; n++) {
    const file = FILES[n % FILES.length];
    const eml = readFileSync(join(dir, 'smime', file + '.eml'), 'latin1');
    const b64 = /Content-Type:\s*application\/pkcs7-signature[^]*?\n\n([A-Za-z0-9+/=\n]+)/.exec(eml)![1];
    const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(Buffer.from(b64.replace(/\s+/g, ''), 'base64'))).content });
    const certs = (sd.certificates ?? []) as pkijs.Certificate[];
    const crls = (sd.crls ?? []) as pkijs.CertificateRevocationList[];
    const leaf = certs.find((x) => x.subject.typesAndValues.some((t) => /EE/.test(String(t.value.valueBlock.value))))!;
    // Pick a victim among the path's certificates and CRLs.
    const victims: (pkijs.Certificate | pkijs.CertificateRevocationList)[] = [...certs, ...crls];
    const victim = victims[Math.floor(rand() * victims.length)];
    const orig = der(victim);
    const bytes = orig.slice();
    const pos = Math.floor(rand() * bytes.length);
    bytes[pos] ^= 1 + Math.floor(rand() * 255);
    let mutated: pkijs.Certificate | pkijs.CertificateRevocationList;
    try {
      mutated = victim instanceof pkijs.Certificate ? pkijs.Certificate.fromBER(bytes) : pkijs.CertificateRevocationList.fromBER(bytes);
      if (same(der(mutated), orig)) continue; // a non-canonical encoding of the same object
      if (same(new Uint8Array(mutated.tbsView), new Uint8Array(victim.tbsView)) && same(mutated.signatureValue.valueBlock.valueHexView, victim.signatureValue.valueBlock.valueHexView)) continue;
    } catch {
      continue; // not parseable: the CMS layer never hands it to us
    }
    parsed++;
    const swap = <T>(list: T[]) => list.map((x) => (x === (victim as unknown) ? (mutated as unknown as T) : x));
    const newLeaf = victim === leaf ? (mutated as pkijs.Certificate) : leaf;
    const t0 = Date.now();
    const r = await validateChain(newLeaf, { anchors: [anchor], intermediates: swap(certs), crls: swap(crls), at: new Date(), revocation: 'hard', allowSha1: true });
    const ms = Date.now() - t0;
    slowest = Math.max(slowest, ms);
    // A delta CRL only adds news to its complete CRL: without it (here: broken) the complete CRL still
    // answers, so only the "no exception" part applies to it.
    const isDelta = victim instanceof pkijs.CertificateRevocationList && (victim.crlExtensions?.extensions ?? []).some((e) => e.extnID === '2.5.29.27');
    if (!isDelta) assert.notEqual(r.trust, 'trusted', `${file} round ${n}: byte ${pos} of a ${victim instanceof pkijs.Certificate ? 'certificate' : 'CRL'} changed, still trusted`);
    assert.ok(r.reasons.length > 0);
  }
  console.log(`# trust fuzz: ${parsed}/${ROUNDS} mutations still parsed, none trusted (delta CRLs excepted); slowest ${slowest} ms`);
  assert.ok(parsed > 50);
  assert.ok(slowest < 5000);
});

/**
 * Working public keys (src/signature/key.ts): DSA parameter inheritance along a chain (RFC 5280 §6.1.4 (f)), as
 * verify-message compares it with the parameters a message signature was checked with, and key sizes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as pkijs from 'pkijs';
import { dsaParamsOf, leafWorkingKey, publicKeyBits, sameDsaParams } from '../../src/signature/key';
import { corpus } from '../support/corpus';

const c = corpus('nist-pkits');
const cert = (file: string) => pkijs.Certificate.fromBER(readFileSync(join(c.dir!, 'certs', file)));

test('PKITS chains: the leaf working key carries its own DSA parameters, inherited ones, or none', { skip: c.skip || undefined }, () => {
  const anchor = cert('TrustAnchorRootCertificate.crt');
  const dsaCa = cert('DSACACert.crt');
  const inheritedCa = cert('DSAParametersInheritedCACert.crt');
  const ee4 = cert('ValidDSASignaturesTest4EE.crt');
  const ee5 = cert('ValidDSAParameterInheritanceTest5EE.crt');
  const caParams = dsaParamsOf(dsaCa.subjectPublicKeyInfo);
  assert.ok(caParams);

  const inherited = leafWorkingKey([ee5, inheritedCa, dsaCa, anchor]);
  assert.ok(sameDsaParams(inherited?.dsaParams, caParams), 'two levels down from the DSA CA');
  assert.equal(publicKeyBits(inherited!), 1024);
  assert.ok(sameDsaParams(leafWorkingKey([ee4, dsaCa, anchor])?.dsaParams, dsaParamsOf(ee4.subjectPublicKeyInfo)), 'own parameters');
  // A chain that stops at the inheriting CA, or passes through a non-DSA key, gives nothing to inherit.
  assert.equal(leafWorkingKey([ee5, inheritedCa])?.dsaParams, undefined);
  assert.equal(leafWorkingKey([ee5, anchor])?.dsaParams, undefined);
  assert.equal(leafWorkingKey([anchor])?.dsaParams, undefined);
  assert.equal(publicKeyBits(leafWorkingKey([anchor])!), 2048);
  assert.equal(leafWorkingKey([]), undefined);
  assert.equal(sameDsaParams(undefined, caParams), false);
});

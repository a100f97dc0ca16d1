/**
 * Certificate signatures under the trust layer's policy (src/trust/signature.ts over src/signature/): NIST PKITS'
 * DSA certificates (dsa-with-SHA1, 1024-bit), with domain parameters carried and inherited (RFC 5280 §6.1.4 (f)).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as pkijs from 'pkijs';
import { defaultCrypto } from '../../src/crypto';
import { nextWorkingKey, verifyCertSignature, type WorkingKey } from '../../src/trust/signature';
import { corpus } from '../support/corpus';

const c = corpus('nist-pkits');
const cert = (file: string) => pkijs.Certificate.fromBER(readFileSync(join(c.dir!, 'certs', file)));
const keyOf = (x: pkijs.Certificate, previous?: WorkingKey) =>
  nextWorkingKey(x.subjectPublicKeyInfo, previous ?? { spki: x.subjectPublicKeyInfo });

test('PKITS DSA certificates: valid with SHA-1 allowed, weak without, a bad DSA signature is bad', { skip: c.skip || undefined }, async () => {
  const crypto = defaultCrypto();
  const anchor = cert('TrustAnchorRootCertificate.crt');
  const dsaCa = cert('DSACACert.crt');
  const caKey = keyOf(dsaCa, keyOf(anchor));
  // The DSA CA itself is signed by the RSA anchor with SHA-256.
  assert.deepEqual(await verifyCertSignature(crypto, dsaCa, keyOf(anchor), false), { ok: true });
  assert.deepEqual(await verifyCertSignature(crypto, cert('ValidDSASignaturesTest4EE.crt'), caKey, true), { ok: true });
  assert.deepEqual(await verifyCertSignature(crypto, cert('ValidDSASignaturesTest4EE.crt'), caKey, false), {
    ok: false,
    why: 'weak',
    algorithm: 'dsa-with-SHA1',
  });
  assert.deepEqual(await verifyCertSignature(crypto, cert('InvalidDSASignatureTest6EE.crt'), caKey, true), {
    ok: false,
    why: 'bad',
    algorithm: 'dsa-with-SHA1',
  });
});

test('PKITS DSA parameter inheritance: the inherited CA key verifies the EE only with the parameters it inherits', { skip: c.skip || undefined }, async () => {
  const crypto = defaultCrypto();
  const dsaCa = cert('DSACACert.crt');
  const inheritedCa = cert('DSAParametersInheritedCACert.crt');
  const ee = cert('ValidDSAParameterInheritanceTest5EE.crt');
  const caKey = keyOf(dsaCa);
  assert.deepEqual(await verifyCertSignature(crypto, inheritedCa, caKey, true), { ok: true });
  const inheritedKey = nextWorkingKey(inheritedCa.subjectPublicKeyInfo, caKey);
  assert.deepEqual(inheritedKey.dsaParams, caKey.dsaParams);
  assert.deepEqual(await verifyCertSignature(crypto, ee, inheritedKey, true), { ok: true });
  // The bare key (nothing to inherit from): the signature cannot be checked, which is not the same as forged.
  const bare = await verifyCertSignature(crypto, ee, { spki: inheritedCa.subjectPublicKeyInfo }, true);
  assert.deepEqual(bare, { ok: false, why: 'unsupported', algorithm: 'dsa-with-SHA1' });
});

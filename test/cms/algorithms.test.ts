import assert from 'node:assert/strict';
import { test } from 'node:test';
import { curveName, digestName, isWeakDigest, signatureAlgorithmInfo, signatureAlgorithmName } from '../../src/cms/algorithms';
import { digest } from '../../src/cms/digest';
import { ecdsaDerToRaw } from '../../src/signature/ecdsa';
import { defaultCrypto } from '../../src/crypto';
import { openssl } from '../support/pki';

test('digest and signature OIDs ↔ names', () => {
  assert.equal(digestName('2.16.840.1.101.3.4.2.1'), 'SHA-256');
  assert.equal(digestName('1.2.840.113549.2.5'), 'MD5');
  assert.equal(digestName('1.2.3'), undefined);
  assert.deepEqual(signatureAlgorithmInfo('1.2.840.113549.1.1.11'), {
    name: 'sha256WithRSAEncryption',
    scheme: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
  });
  assert.equal(signatureAlgorithmInfo('1.2.840.113549.1.1.1')?.hash, undefined, 'rsaEncryption names no digest');
  assert.equal(signatureAlgorithmInfo('1.2.840.113549.1.1.10')?.scheme, 'RSA-PSS');
  assert.equal(signatureAlgorithmInfo('1.2.840.10045.4.3.3')?.hash, 'SHA-384');
  assert.equal(signatureAlgorithmName('1.3.101.112'), 'Ed25519');
  assert.equal(signatureAlgorithmName('1.2.3.4'), '1.2.3.4');
  assert.equal(curveName('1.3.132.0.35'), 'P-521');
  assert.ok(isWeakDigest('MD5') && isWeakDigest('SHA-1') && !isWeakDigest('SHA-256') && !isWeakDigest(undefined));
});

test('every digest agrees with openssl dgst', async () => {
  const data = new TextEncoder().encode('The quick brown fox jumps over the lazy dog\r\n'.repeat(50));
  for (const [name, o] of [
    ['MD5', 'md5'],
    ['SHA-1', 'sha1'],
    ['SHA-224', 'sha224'],
    ['SHA-256', 'sha256'],
    ['SHA-384', 'sha384'],
    ['SHA-512', 'sha512'],
  ] as const) {
    const ours = Buffer.from(await digest(name, data.subarray(3, data.length - 2), defaultCrypto())).toString('hex');
    const theirs = (await openssl(['dgst', `-${o}`, '-binary'], { input: data.subarray(3, data.length - 2) })).toString('hex');
    assert.equal(ours, theirs, name);
  }
});

test('ECDSA DER signature → raw r||s: padding, leading zeros, junk', () => {
  // r = 0x00ff (positive, needs its sign byte), s = 0x01
  const der = new Uint8Array([0x30, 0x07, 0x02, 0x02, 0x00, 0xff, 0x02, 0x01, 0x01]);
  const raw = ecdsaDerToRaw(der, 4)!;
  assert.deepEqual([...raw], [0, 0, 0, 0xff, 0, 0, 0, 1]);
  assert.equal(ecdsaDerToRaw(new Uint8Array([...der, 0]), 4), undefined, 'trailing data');
  assert.equal(ecdsaDerToRaw(new Uint8Array([0x30, 0x03, 0x02, 0x01, 0x01]), 4), undefined, 'one integer');
  assert.equal(ecdsaDerToRaw(new Uint8Array([0x30, 0x08, 0x02, 0x03, 1, 2, 3, 0x02, 0x01, 0x01]), 2), undefined, 'too long');
});

/** The legacy ciphers used only to open old PKCS#12 files, checked against published vectors and node:crypto. */
import assert from 'node:assert/strict';
import { createCipheriv, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { tripleDesCbcDecrypt } from '../../src/keys/des';
import { rc2CbcDecrypt } from '../../src/keys/rc2';

const h = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

test('RC2: RFC 2268 §5 test vectors (decrypting each ciphertext gives the plaintext)', () => {
  const vectors: [string, number, string, string][] = [
    ['0000000000000000', 63, '0000000000000000', 'ebb773f993278eff'],
    ['ffffffffffffffff', 64, 'ffffffffffffffff', '278b27e42e2f0d49'],
    ['3000000000000000', 64, '1000000000000001', '30649edf9be7d2c2'],
    ['88', 64, '0000000000000000', '61a8a244adacccf0'],
    ['88bca90e90875a', 64, '0000000000000000', '6ccf4308974c267f'],
    ['88bca90e90875a7f0f79c384627bafb2', 64, '0000000000000000', '1a807d272bbe5db1'],
    ['88bca90e90875a7f0f79c384627bafb2', 128, '0000000000000000', '2269552ab0f85ca6'],
  ];
  for (const [key, bits, pt, ct] of vectors) {
    const out = rc2CbcDecrypt(h(key), bits, new Uint8Array(8), h(ct));
    assert.equal(Buffer.from(out).toString('hex'), pt, `key ${key} bits ${bits}`);
  }
});

test('3DES-CBC decryption matches node:crypto encryption (3-key and 2-key)', () => {
  for (const keyLen of [24, 16]) {
    for (const len of [8, 16, 64, 1000]) {
      const key = randomBytes(keyLen);
      const iv = randomBytes(8);
      const pt = randomBytes(len);
      const c = createCipheriv(keyLen === 24 ? 'des-ede3-cbc' : 'des-ede-cbc', key, iv);
      c.setAutoPadding(false);
      const ct = Buffer.concat([c.update(pt), c.final()]);
      assert.deepEqual(Buffer.from(tripleDesCbcDecrypt(new Uint8Array(key), new Uint8Array(iv), new Uint8Array(ct))), pt);
    }
  }
});

test('3DES-CBC: 1 MB (an old Outlook 3DES message with an attachment) decrypts correctly and quickly', () => {
  const key = randomBytes(24);
  const iv = randomBytes(8);
  const pt = randomBytes(1024 * 1024);
  const c = createCipheriv('des-ede3-cbc', key, iv);
  c.setAutoPadding(false);
  const ct = Buffer.concat([c.update(pt), c.final()]);
  const t = performance.now();
  const out = tripleDesCbcDecrypt(new Uint8Array(key), new Uint8Array(iv), new Uint8Array(ct));
  const ms = performance.now() - t;
  console.log(`# 3DES-CBC 1 MB: ${ms.toFixed(0)} ms`);
  assert.ok(Buffer.from(out).equals(pt));
  assert.ok(ms < 10_000, `${ms} ms`);
});

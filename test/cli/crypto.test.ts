// cli/crypto.ts: the CLI's engine hashes views in place with node:crypto; results equal WebCrypto's, other
// operations are WebCrypto's own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliCrypto } from '../../cli/crypto';

test('CLI engine digests equal WebCrypto digests, for views into larger buffers too', async () => {
  const engine = cliCrypto();
  const big = new Uint8Array(100_003);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7919) & 0xff;
  const inputs = [new Uint8Array(0), big, big.subarray(17, 90_017), big.buffer.slice(5, 1005)];
  for (const name of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']) {
    for (const data of inputs) {
      const ours = new Uint8Array(await engine.subtle.digest({ name }, data));
      const theirs = new Uint8Array(await globalThis.crypto.subtle.digest(name, data));
      assert.deepEqual(ours, theirs, `${name} over ${data.byteLength} bytes`);
    }
  }
  await assert.rejects(() => engine.subtle.digest('MD5', big), 'what WebCrypto lacks still fails as in WebCrypto');
});

test('CLI engine signs and verifies through WebCrypto (methods bound to the real SubtleCrypto)', async () => {
  const engine = cliCrypto();
  const keys = (await engine.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])) as CryptoKeyPair;
  const data = new TextEncoder().encode('signed bytes');
  const sig = await engine.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, data);
  assert.equal(await engine.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, keys.publicKey, sig, data), true);
  const r = new Uint8Array(16);
  engine.getRandomValues(r);
  assert.ok(r.some((b) => b !== 0));
});

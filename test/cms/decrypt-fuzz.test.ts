/**
 * decryptCms never throws and never returns content for damaged input: bit flips, truncations and byte
 * insertions in EnvelopedData (RSA PKCS#1 v1.5, RSA-OAEP, ECDH) and AuthEnvelopedData (AES-GCM).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decryptCms } from '../../src/cms/decrypt';
import { createEnvelopedData, type ContentCipher } from '../../src/cms/encrypt';
import { importPkcs12 } from '../../src/keys/pkcs12';
import { prng } from '../support/messages';
import { makePki } from '../support/pki';

const CODES = new Set(['no-key', 'decrypt-failed', 'malformed-cms', 'unsupported-algorithm']);

test('fuzz: 600 mutated enveloped/auth-enveloped messages give typed results; GCM never yields altered content', async () => {
  const pki = await makePki();
  const ids = [];
  for (const keyType of ['rsa2048', 'ec-p256'] as const) {
    const c = await pki.issue({ name: `Fuzz ${keyType}`, email: `fuzz-${keyType}@example.com`, keyType });
    const r = await importPkcs12(new Uint8Array(readFileSync(await c.makeP12('pw'))), 'pw');
    assert.ok(r.ok);
    ids.push(r.identity);
  }
  const content = new TextEncoder().encode('Content-Type: text/plain\r\n\r\nfuzz me\r\n');
  const rnd = prng(7);
  let typed = 0;
  let opened = 0;
  for (const [cipher, keyTransport] of [
    ['aes-256-cbc', 'rsa-pkcs1'],
    ['aes-128-cbc', 'rsa-oaep'],
    ['aes-256-gcm', 'rsa-pkcs1'],
  ] as [ContentCipher, 'rsa-pkcs1' | 'rsa-oaep'][]) {
    const env = await createEnvelopedData(
      content,
      ids.map((i) => ({ certificate: i.certificate, keyTransport })),
      { cipher },
    );
    assert.ok(env.ok);
    for (let n = 0; n < 200; n++) {
      const d = env.der.slice();
      const kind = rnd.int(3);
      let m: Uint8Array;
      if (kind === 0) {
        const flips = 1 + rnd.int(3);
        for (let k = 0; k < flips; k++) d[rnd.int(d.length)] ^= 1 << rnd.int(8);
        m = d;
      } else if (kind === 1) m = d.subarray(0, rnd.int(d.length));
      else {
        const at = rnd.int(d.length);
        m = new Uint8Array([...d.subarray(0, at), rnd.int(256), ...d.subarray(at)]);
      }
      for (const id of ids) {
        const r = await decryptCms(m, [id]);
        if (r.ok) {
          opened++;
          // Still opens when the flip hit something not protected (e.g. the other recipient's info) or, with CBC
          // (no integrity by design), the middle of the ciphertext: then only a signature inside shows the change.
          // GCM never returns altered content.
          if (cipher.endsWith('gcm')) assert.deepEqual(r.content, content);
        } else {
          assert.ok(CODES.has(r.error.code), r.error.code);
          assert.equal(typeof r.error.message, 'string');
          typed++;
        }
      }
    }
  }
  console.log(`# decrypt fuzz: ${typed} typed failures, ${opened} still opened (mutation outside the protected bytes)`);
  assert.ok(typed > 900);
});

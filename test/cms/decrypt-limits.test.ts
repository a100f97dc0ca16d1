/**
 * Denial of service through the recipient list (issue 10, siblings of items 8 and 10): anyone can name the reader's
 * public certificate in thousands of RecipientInfos. Each entry used to be decoded and schema-checked (~1.5 ms and
 * ~30 KB of objects each) and each one naming the reader cost a private-key operation and, under PKCS#1 v1.5
 * implicit rejection, a decryption of the whole content. Both are bounded now.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { countRecipientInfos } from '../../src/cms/ber-walk';
import { decryptCms, MAX_KEY_ATTEMPTS, MAX_RECIPIENT_INFOS } from '../../src/cms/decrypt';
import { createEnvelopedData } from '../../src/cms/encrypt';
import type { CryptoEngine } from '../../src/crypto';
import { importPkcs12 } from '../../src/keys/pkcs12';
import type { Identity } from '../../src/keys/identity';
import { withBogusRecipients } from '../support/hostile';
import { makePki } from '../support/pki';

const CONTENT = new TextEncoder().encode('Content-Type: text/plain\r\n\r\nhi\r\n');

let bobP: Promise<{ identity: Identity; cleanup: () => void }> | undefined;
function bob() {
  bobP ??= (async () => {
    const pki = await makePki();
    const c = await pki.issue({ name: 'Bob', email: 'bob@example.com', keyType: 'rsa2048' });
    const r = await importPkcs12(new Uint8Array(readFileSync(await c.makeP12('pw'))), 'pw');
    assert.ok(r.ok);
    return { identity: r.identity, cleanup: () => pki.cleanup() };
  })();
  return bobP;
}

/** A crypto engine that counts private-key (RSA-OAEP) and content (AES-CBC) decryptions. */
function countingEngine(): { engine: CryptoEngine; count: () => number } {
  let n = 0;
  const subtle = globalThis.crypto.subtle;
  const counting = new Proxy(subtle, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (prop === 'decrypt') {
        return (...a: Parameters<SubtleCrypto['decrypt']>) => {
          const name = typeof a[0] === 'string' ? a[0] : a[0].name;
          if (name === 'RSA-OAEP' || name === 'AES-CBC') n++;
          return target.decrypt(...a);
        };
      }
      return typeof v === 'function' ? (v as (...x: unknown[]) => unknown).bind(target) : v;
    },
  });
  const engine = { subtle: counting, getRandomValues: (a: Uint8Array) => globalThis.crypto.getRandomValues(a) } as unknown as CryptoEngine;
  return { engine, count: () => n };
}

test(`a message naming the reader's certificate in ${MAX_RECIPIENT_INFOS - 100} recipient entries makes at most ${MAX_KEY_ATTEMPTS} private-key attempts (was one per entry: 27 ms each for PKCS#1 v1.5, seconds per message)`, async () => {
  const { identity } = await bob();
  for (const keyTransport of ['rsa-oaep', 'rsa-pkcs1'] as const) {
    const env = await createEnvelopedData(CONTENT, [{ certificate: identity.certificate, keyTransport }], { cipher: 'aes-256-cbc' });
    assert.ok(env.ok);
    const hostile = withBogusRecipients(env.der, MAX_RECIPIENT_INFOS - 100);
    const { engine, count } = countingEngine();
    const t0 = performance.now();
    const d = await decryptCms(hostile, [identity], { crypto: engine });
    const ms = performance.now() - t0;
    console.log(`# ${keyTransport}: ${MAX_RECIPIENT_INFOS - 100} bogus entries for the reader: ${count()} decryptions, ${Math.round(ms)} ms → ${d.ok ? 'opened (garbage: CBC padding happened to fit)' : d.error.code}`);
    assert.ok(count() <= MAX_KEY_ATTEMPTS, `${count()} decryptions`);
    if (!d.ok) assert.ok(['limit-exceeded', 'decrypt-failed'].includes(d.error.code), d.error.code);
    if (!d.ok && d.error.code === 'limit-exceeded') assert.match(d.error.message, /more than 8 of its recipient entries/);
    assert.ok(ms < 8000, `${Math.round(ms)} ms`);
  }
});

test('an encrypted part with 20,000 recipient entries is refused from its headers, before decoding (was 29 s and 580 MB)', async () => {
  const { identity } = await bob();
  const env = await createEnvelopedData(CONTENT, [{ certificate: identity.certificate, keyTransport: 'rsa-oaep' }], { cipher: 'aes-256-gcm' });
  assert.ok(env.ok);
  // AuthEnvelopedData is not what withBogusRecipients rewrites: use EnvelopedData for the many-entries shape.
  const cbc = await createEnvelopedData(CONTENT, [{ certificate: identity.certificate, keyTransport: 'rsa-oaep' }], { cipher: 'aes-256-cbc' });
  assert.ok(cbc.ok);
  const hostile = withBogusRecipients(cbc.der, 20_000, 16);
  assert.equal(countRecipientInfos(hostile), 20_000);
  const t0 = performance.now();
  const d = await decryptCms(hostile, [identity]);
  const ms = performance.now() - t0;
  console.log(`# ${(hostile.length / 1e6).toFixed(1)} MB EnvelopedData, 20,000 recipient entries: ${Math.round(ms)} ms → ${d.ok ? 'opened' : d.error.code}`);
  assert.ok(!d.ok && d.error.code === 'limit-exceeded', JSON.stringify(!d.ok && d.error));
  assert.match(d.error.message, /lists 20000 recipients; at most 1000 are read/);
  assert.ok(ms < 1000, `${Math.round(ms)} ms`);
  // A real message to one recipient (and one to many, within the bound) still opens.
  for (const der of [env.der, cbc.der]) {
    const ok = await decryptCms(der, [identity]);
    assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.error));
  }
  (await bob()).cleanup();
});

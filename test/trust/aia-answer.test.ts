/**
 * A caIssuers answer (online checks, AIA) is fetched from a URL in a certificate whose signature verified but that
 * nobody needs to trust, so its server is the attacker's. At most 10 certificates of it are kept; all of them used
 * to be read first: 8 MiB of small certificates (5,000, the bound of one input) took 5.3 s, per fetch.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseCaIssuersResponse } from '../../src/trust/aia';
import { concatBytes } from '../support/messages';
import { tinyCertificates } from '../support/hostile';
import { makePki, openssl } from '../support/pki';

test('a caIssuers answer of 20,000 small certificates (8.8 MB PEM, 5.6 MB DER) is read only as far as the 10 kept (was 5,000 read: 5.3 s per fetch)', async () => {
  const pki = await makePki();
  const spki = new Uint8Array(await openssl(['pkey', '-in', (await pki.issue({ name: 'AIA Answer', keyType: 'ec-p256' })).keyPath, '-pubout', '-outform', 'DER']));
  const certs = tinyCertificates(20_000, spki);
  const pem = certs.map((c) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(c).toString('base64')}\n-----END CERTIFICATE-----\n`).join('');
  for (const [form, bytes] of [['PEM', new TextEncoder().encode(pem)], ['DER', concatBytes(...certs)]] as const) {
    const t0 = performance.now();
    const r = parseCaIssuersResponse(bytes);
    const ms = performance.now() - t0;
    console.log(`# ${form} caIssuers answer, ${(bytes.length / 1e6).toFixed(1)} MB, 20,000 certificates: ${Math.round(ms)} ms → ${Array.isArray(r) ? r.length : r.problem}`);
    assert.ok(Array.isArray(r) && r.length === 10, JSON.stringify(!Array.isArray(r) && r));
    assert.ok(ms < 1500, `${Math.round(ms)} ms`);
  }
  pki.cleanup();
});

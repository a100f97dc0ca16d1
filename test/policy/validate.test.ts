// Policy validation: every problem is reported as "path: problem", unknown fields are errors, good input passes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validatePolicy, parsePolicyJson, jsonSchema, defaultPolicy, FIELDS } from '../../src/policy/index';
import { bundledRootList } from '../../src/trust/roots/bundled';

function pemOf(b64: string): string {
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}
const ROOT_PEM = pemOf(bundledRootList()[0].der);

test('a full, valid policy passes and keeps its values', () => {
  const input = {
    $schema: './policy.schema.json',
    algorithms: { digests: ['SHA-256'], signatures: ['ECDSA', 'RSA-PSS'], minRsaBits: 3072, minEcBits: 384 },
    allowSha1: true,
    bundledRoots: false,
    anchors: [ROOT_PEM],
    intermediates: [],
    userAnchors: false,
    revocation: 'hard',
    online: true,
    senderMatch: 'warn',
    proxyUrl: 'https://proxy.example/fetch?target={url}',
    audit: { enabled: true, maxEvents: 500, endpoint: 'https://siem.example/ingest', batchSize: 10, maxQueue: 1000, file: '/var/log/smime.jsonl' },
  };
  const r = validatePolicy(input);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  assert.equal(r.policy.revocation, 'hard');
  assert.deepEqual(r.policy.algorithms, input.algorithms);
  assert.equal(r.policy.anchors?.length, 1);
});

test('each kind of problem is named with its path', () => {
  const r = validatePolicy({
    revocation: 'sometimes',
    online: 'yes',
    allowSHA1: true,
    algorithms: { digests: ['SHA-256', 'MD5'], minRsaBits: 512, colour: 'red' },
    anchors: ['hello', 42],
    audit: { endpoint: 'http://siem.example/ingest', maxEvents: 1.5 },
    proxyUrl: 'ftp://x',
    senderMatch: null,
  });
  assert.ok(!r.ok);
  const errs = [...r.errors].sort();
  const expected = [
    'policy.algorithms.colour: unknown field',
    'policy.algorithms.digests: "MD5" is not one of SHA-256, SHA-384, SHA-512',
    'policy.algorithms.minRsaBits: must be between 1024 and 16384',
    'policy.allowSHA1: unknown field',
    'policy.anchors[0]: not a PEM certificate (no BEGIN CERTIFICATE block)',
    'policy.anchors[1]: must be a string',
    'policy.audit.endpoint: must be an https:// URL (plain http is not allowed)',
    'policy.audit.maxEvents: must be an integer',
    'policy.online: must be true or false',
    'policy.proxyUrl: must be an https:// URL (plain http is not allowed)',
    'policy.revocation: must be one of off, soft, hard',
    'policy.senderMatch: must be one of require, warn',
  ].sort();
  assert.deepEqual(errs, expected);
  console.log(`# policy validation: ${errs.length} problems reported, e.g. "${expected[9]}"`);
});

test('url fields: https, or plain http to a loopback host only (development and tests); the same error otherwise', () => {
  for (const ok of [
    'http://127.0.0.1:8080/ca-proxy?url={url}',
    'http://[::1]:8080/ca-proxy?url={url}',
    'http://localhost/ca-proxy',
    'http://localhost:3000',
    'https://addin.example/ca-proxy?url={url}',
  ]) {
    const r = validatePolicy({ proxyUrl: ok, audit: { endpoint: ok.replace('?url={url}', '') } });
    assert.ok(r.ok, `${ok}: ${JSON.stringify(!r.ok && r.errors)}`);
  }
  const https = 'must be an https:// URL (plain http is not allowed)';
  for (const bad of [
    'http://addin.example/ca-proxy?url={url}',
    'http://127.0.0.2/ca-proxy', // loopback, but not one of the three names: kept out (not what a browser serves the add-in from)
    'http://localhost.example/ca-proxy',
    'http://127.0.0.1.nip.io/ca-proxy', // resolves to loopback, but the URL names another host
    'http://10.0.0.1/ca-proxy',
  ]) {
    assert.deepEqual(validatePolicy({ proxyUrl: bad }), { ok: false, errors: [`policy.proxyUrl: ${https}`], policy: {} }, bad);
    assert.deepEqual(validatePolicy({ audit: { endpoint: bad } }), { ok: false, errors: [`policy.audit.endpoint: ${https}`], policy: {} }, bad);
  }
  // The JSON Schema says the same.
  const schema = jsonSchema() as { properties: Record<string, { pattern?: string }> };
  const re = new RegExp(schema.properties.proxyUrl.pattern!);
  assert.ok(re.test('http://127.0.0.1:8080/x') && re.test('http://[::1]/x') && re.test('http://localhost') && re.test('https://a.example/x'));
  assert.ok(!re.test('http://addin.example/x') && !re.test('http://localhost.example/x') && !re.test('http://127.0.0.1.nip.io/'));
});

test('a PEM block that is not a certificate is rejected; JSON syntax errors are reported', () => {
  const bad = validatePolicy({ anchors: ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----'] });
  assert.ok(!bad.ok);
  assert.match(bad.errors[0], /^policy\.anchors\[0\]: .*not (valid DER|a certificate)/);
  const syntax = parsePolicyJson('{"revocation": "soft",}', 'admin policy');
  assert.ok(!syntax.ok);
  assert.match(syntax.errors[0], /^admin policy: not valid JSON/);
  for (const v of [null, [], 'x', 3]) assert.ok(!validatePolicy(v).ok);
});

test('defaults and the JSON Schema come from the same field table', () => {
  const d = defaultPolicy();
  assert.equal(d.revocation, 'soft');
  assert.equal(d.online, false);
  assert.equal(d.bundledRoots, true);
  assert.equal(d.allowSha1, false);
  assert.deepEqual(d.anchors, []);
  assert.equal(d.audit.endpoint, null);
  assert.ok(validatePolicy(d).ok, 'the defaults validate');
  const schema = jsonSchema() as { properties: Record<string, { properties?: Record<string, unknown> }> };
  const leaves = Object.keys(FIELDS).length;
  let counted = 0;
  for (const [k, v] of Object.entries(schema.properties)) counted += v.properties ? Object.keys(v.properties).length : (k ? 1 : 0);
  assert.equal(counted, leaves);
});

test('certificatesAsPem: DER and PKCS#7 files become policy PEM strings that validate', async () => {
  const { execFileSync } = await import('node:child_process');
  const { certificatesAsPem } = await import('../../src/policy/index');
  const ders = bundledRootList().slice(0, 3).map((r) => Buffer.from(r.der, 'base64'));
  const one = certificatesAsPem(ders[0]);
  assert.equal(one.error, undefined);
  assert.equal(one.pem[0], ROOT_PEM, 'same PEM as OpenSSL-style 64-column armour');
  // A PKCS#7 certs-only bundle made by OpenSSL from three PEM certificates.
  const pems = bundledRootList().slice(0, 3).map((r) => pemOf(r.der)).join('');
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'pem-'));
  writeFileSync(join(dir, 'certs.pem'), pems);
  const p7 = execFileSync('openssl', ['crl2pkcs7', '-nocrl', '-certfile', join(dir, 'certs.pem'), '-outform', 'DER']);
  rmSync(dir, { recursive: true, force: true });
  const bundle = certificatesAsPem(new Uint8Array(p7));
  assert.equal(bundle.pem.length, 3);
  assert.ok(validatePolicy({ anchors: bundle.pem }).ok);
  const junk = certificatesAsPem(new TextEncoder().encode('not a certificate'));
  assert.equal(junk.pem.length, 0);
  assert.ok(junk.error);
});

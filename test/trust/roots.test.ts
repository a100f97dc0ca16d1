// The bundled Mozilla e-mail roots (src/trust/roots/): the generated data is well-formed, every root is a
// self-signed CA, none had expired when the set was generated, and the loader parses them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { bundledAnchorLookup, bundledAnchors, bundledRootList, bundledRootsMeta } from '../../src/trust/roots/bundled';
import { nameEquals, parseName, parseNameDer } from '../../src/trust/names';
import { defaultCrypto } from '../../src/crypto';

test('bundled roots: data well-formed, self-signed CAs, expired excluded', async () => {
  const meta = bundledRootsMeta();
  const list = bundledRootList();
  assert.equal(list.length, meta.count);
  assert.ok(meta.count >= 80, `only ${meta.count} roots`);
  assert.match(meta.nssPackage, /^libnss3 \S+/);
  assert.match(meta.builtinsVersion, /^\d+\.\d+$/);
  const generated = new Date(meta.generatedAt);
  assert.ok(!Number.isNaN(generated.getTime()));
  assert.equal(meta.emailTrusted, meta.count + meta.excludedExpired.length);

  const fingerprints = new Set<string>();
  let expiredSince = 0;
  for (const r of list) {
    // OpenSSL (through Node) as the independent parser.
    const x = new X509Certificate(Buffer.from(r.der, 'base64'));
    assert.equal(x.fingerprint256, r.sha256, r.name);
    assert.ok(!fingerprints.has(r.sha256), `duplicate ${r.name}`);
    fingerprints.add(r.sha256);
    assert.equal(x.subject, x.issuer, `${r.name} is not self-issued`);
    assert.ok(x.verify(x.publicKey), `${r.name} is not self-signed`);
    // A CA: basicConstraints cA, or a v1 certificate (no extensions), which RFC 5280 accepts as an anchor.
    assert.ok(x.ca || !x.toString().includes('X509v3'), `${r.name} is not a CA`);
    assert.equal(new Date(x.validTo).toISOString(), r.notAfter);
    assert.ok(new Date(r.notAfter) > generated, `${r.name} had expired when generated`);
    if (new Date(r.notAfter) <= new Date()) expiredSince++;
  }

  const certs = bundledAnchors();
  assert.equal(certs.length, list.length);
  const crypto = defaultCrypto();
  let pkijsSelfVerified = 0;
  for (const c of certs) {
    assert.equal(c.subject.toSchema().toBER().byteLength > 0, true);
    if (await c.verify(undefined, crypto).catch(() => false)) pkijsSelfVerified++;
  }
  console.log(
    `# bundled roots: ${list.length} (NSS builtins ${meta.builtinsVersion}, ${meta.nssPackage}, generated ${meta.generatedAt}; ` +
      `${meta.excludedExpired.length} expired left out; ${expiredSince} expired since; pkijs verified ${pkijsSelfVerified} self-signatures)`,
  );
  assert.equal(pkijsSelfVerified, certs.length);
});

test('bundledAnchorLookup finds each bundled root by its subject name, and nothing for an unknown name', () => {
  const all = bundledAnchors();
  for (const c of all) {
    const found = bundledAnchorLookup(parseName(c.subject));
    assert.ok(
      found.some((f) => Buffer.from(f.tbsView).equals(Buffer.from(c.tbsView))),
      `not found by name: ${parseName(c.subject).display}`,
    );
    for (const f of found) assert.ok(nameEquals(parseName(f.subject), parseName(c.subject)));
  }
  assert.deepEqual(bundledAnchorLookup(parseNameDer(new Uint8Array([0x30, 0]))), [], 'the empty name');
});

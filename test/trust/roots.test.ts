// The bundled Mozilla e-mail roots (src/trust/roots/): the generated data is well-formed, every root is a
// self-signed CA, none had expired when the set was generated, and the loader parses them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { bundledAnchorLookup, bundledAnchors, bundledEmailDistrustAfter, bundledRootList, bundledRootsMeta } from '../../src/trust/roots/bundled';
import { policyToVerifyOptions, resolvePolicy } from '../../src/policy/index';
import { ROOT } from '../support/corpus';
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

test("bundled roots: Mozilla's e-mail distrust-after dates are recorded, handed to path validation, and match NSS", async (t) => {
  const list = bundledRootList();
  const dated = list.filter((r) => r.emailDistrustAfter);
  assert.equal(dated.length, bundledRootsMeta().withEmailDistrustAfter);
  for (const r of dated) {
    const d = new Date(r.emailDistrustAfter!);
    assert.equal(d.toISOString(), r.emailDistrustAfter, r.name);
    // Each root is found by name and carries its date; other roots carry none.
    const der = Buffer.from(r.der, 'base64');
    const found = bundledAnchorLookup(parseName(bundledAnchors().find((c) => Buffer.from(c.toSchema().toBER()).equals(der))!.subject));
    const same = found.find((c) => Buffer.from(c.toSchema().toBER()).equals(der))!;
    assert.equal(bundledEmailDistrustAfter(same)?.toISOString(), r.emailDistrustAfter, r.name);
  }
  const undated = bundledAnchors().filter((c) => !bundledEmailDistrustAfter(c));
  assert.equal(undated.length, list.length - dated.length);

  // The policy hands the dates to verification only while the bundled set is on.
  const on = policyToVerifyOptions(resolvePolicy({}).policy);
  assert.ok(on.emailDistrustAfter && on.anchorLookup);
  const off = policyToVerifyOptions(resolvePolicy({ user: { bundledRoots: false } }).policy);
  assert.equal(off.emailDistrustAfter, undefined);

  // Independent reading: ask the PKCS#11 module on this machine (Debian's libnssckbi.so) for the same attribute.
  const ckbi = '/usr/lib/x86_64-linux-gnu/libnssckbi.so';
  const sameNss = bundledRootsMeta().source.includes(ckbi) && existsSync(ckbi);
  if (!sameNss) {
    t.skip(`${ckbi} not present: NSS cross-check skipped`);
    return;
  }
  let nss: Record<string, { email: string | null }>;
  try {
    nss = JSON.parse(execFileSync('python3', [join(ROOT, 'scripts', 'nss-distrust.py'), ckbi], { encoding: 'utf8' }));
  } catch (e) {
    t.skip(`python3 could not read ${ckbi} (${String(e).split('\n')[0]}): NSS cross-check skipped`);
    return;
  }
  let compared = 0;
  for (const r of list) {
    const entry = nss[r.sha256.replace(/:/g, '').toLowerCase()];
    if (!entry) continue; // a different libnss3 than the one the data was generated from
    compared++;
    const want = entry.email ? `20${entry.email.slice(0, 2)}-${entry.email.slice(2, 4)}-${entry.email.slice(4, 6)}` : undefined;
    assert.equal(r.emailDistrustAfter?.slice(0, 10), want, r.name);
  }
  console.log(`# bundled roots with an e-mail distrust-after date: ${dated.length} (${dated.map((r) => `${r.name} ${r.emailDistrustAfter!.slice(0, 10)}`).join('; ')}); ${compared} compared with NSS on this machine`);
  assert.ok(compared >= list.length - 5, `only ${compared} of ${list.length} roots found in ${ckbi}`);
});

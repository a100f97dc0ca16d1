/**
 * What we sign, OpenSSL verifies: detached and opaque, RSA PKCS#1 v1.5, RSA-PSS, ECDSA P-256/P-384, SHA-256/384/512,
 * with the chain (without the root) in the message so OpenSSL needs only the root. Tampered output fails.
 * Also the CLI `sign` end to end.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCertificates } from '../../src/certs/load';
import { signMessage } from '../../src/compose/sign-message';
import { verifyMessage } from '../../src/verify-message';
import { importPkcs12 } from '../../src/keys/pkcs12';
import type { SignHash } from '../../src/keys/identity';
import { ROOT } from '../support/corpus';
import { buildMessage, entityWithAttachment, textEntity } from '../support/messages';
import { makePki, openssl, opensslVerify, type KeyType } from '../support/pki';

const pkiP = makePki();

async function identityFor(keyType: KeyType) {
  const pki = await pkiP;
  const cert = await pki.issue({ name: `Signer ${keyType}`, email: `${keyType}@example.com`, keyType });
  const r = await importPkcs12(new Uint8Array(readFileSync(await cert.makeP12('pw'))), 'pw');
  assert.ok(r.ok);
  return { pki, cert, identity: r.identity };
}

const message = (from: string) =>
  buildMessage(
    { from, to: 'bob@example.com', subject: 'Grüße' },
    Buffer.from('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nHällo, Bob.\r\nFrom here.\r\n'),
  );

const cases: { keyType: KeyType; digest: SignHash; pss?: boolean; opaque?: boolean }[] = [
  { keyType: 'rsa2048', digest: 'SHA-256' },
  { keyType: 'rsa2048', digest: 'SHA-256', opaque: true },
  { keyType: 'rsa2048', digest: 'SHA-384', pss: true },
  { keyType: 'rsa2048', digest: 'SHA-512', pss: true, opaque: true },
  { keyType: 'rsa2048', digest: 'SHA-512' },
  { keyType: 'ec-p256', digest: 'SHA-256' },
  { keyType: 'ec-p256', digest: 'SHA-384', opaque: true },
  { keyType: 'ec-p384', digest: 'SHA-384' },
  { keyType: 'ec-p384', digest: 'SHA-512', opaque: true },
];

for (const c of cases) {
  const name = `${c.keyType} ${c.digest}${c.pss ? ' PSS' : ''} ${c.opaque ? 'opaque' : 'detached'}`;
  test(`openssl cms -verify accepts ours: ${name}; tampered fails`, async () => {
    const { pki, identity } = await identityFor(c.keyType);
    const r = await signMessage(new Uint8Array(message(`${c.keyType}@example.com`)), identity, c);
    assert.ok(r.ok, !r.ok ? r.error.message : '');
    const text = Buffer.from(r.message).toString('latin1');
    assert.match(text, /^From: /);
    assert.match(text, c.opaque ? /smime-type=signed-data/ : new RegExp(`micalg=sha-${c.digest.slice(4)}`));
    const file = join(pki.dir, `ours-${name.replace(/\W+/g, '-')}.eml`);
    writeFileSync(file, r.message);
    const v = await opensslVerify(file, { CAfile: pki.root.certPath, purpose: 'smimesign' });
    assert.ok(v.ok, v.stderr);
    assert.match(v.content.toString('latin1'), /H=C3=A4llo, Bob\.\r\n=46rom here\./);
    // The algorithms OpenSSL sees are the ones asked for.
    const dump = (await openssl(['cms', '-cmsout', '-print', '-in', file])).toString();
    assert.match(dump, new RegExp(`algorithm: ${c.digest.toLowerCase().replace('-', '')}`));
    assert.match(dump, c.pss ? /rsassaPss/ : c.keyType.startsWith('ec') ? /ecdsa-with-SHA/ : /rsaEncryption/);
    for (const attr of ['contentType', 'signingTime', 'messageDigest', 'S/MIME Capabilities', 'id-smime-aa-encrypKeyPref']) {
      assert.ok(dump.includes(attr), `signed attribute ${attr}`);
    }
    // Tamper with the signed text (for opaque: inside the base64 CMS, where the content is encapsulated).
    let tampered: Buffer;
    if (c.opaque) {
      const [head, b64] = text.split('\r\n\r\n');
      const der = Buffer.from(b64, 'base64');
      const at = der.indexOf('Bob.');
      assert.ok(at > 0);
      der.write('Eve.', at, 'latin1');
      tampered = Buffer.from(`${head}\r\n\r\n${der.toString('base64').replace(/.{76}/g, '$&\r\n')}\r\n`, 'latin1');
    } else tampered = Buffer.from(text.replace('Bob.', 'Eve.'), 'latin1');
    const tf = file.replace(/\.eml$/, '-tampered.eml');
    writeFileSync(tf, tampered);
    assert.ok(!(await opensslVerify(tf, { CAfile: pki.root.certPath })).ok, 'OpenSSL rejects the tampered message');
    // And ours: the untampered message is trusted (round trip), the tampered one invalid.
    const anchors = loadCertificates(readFileSync(pki.root.certPath)).certs;
    const good = await verifyMessage(r.message, { anchors });
    assert.equal(good.verdict, 'trusted', good.summary);
    assert.equal(good.signers[0].digestAlgorithm, c.digest);
    const bad = await verifyMessage(new Uint8Array(tampered), { anchors });
    assert.equal(bad.verdict, 'invalid', bad.summary);
    assert.equal(bad.signature, 'invalid');
  });
}

test('10 MB attachment signs (detached and opaque) and OpenSSL verifies', async () => {
  const { pki, identity } = await identityFor('rsa2048');
  const msg = buildMessage({ from: 'rsa2048@example.com', to: 'bob@example.com', subject: 'big' }, entityWithAttachment(10 * 1024 * 1024));
  for (const opaque of [false, true]) {
    const t = performance.now();
    const r = await signMessage(new Uint8Array(msg), identity, { opaque });
    const ms = performance.now() - t;
    assert.ok(r.ok);
    console.log(`# sign 10 MB ${opaque ? 'opaque' : 'detached'}: ${ms.toFixed(0)} ms in process`);
    const file = join(pki.dir, `big-${opaque}.eml`);
    writeFileSync(file, r.message);
    const v = await opensslVerify(file, { CAfile: pki.root.certPath });
    assert.ok(v.ok, v.stderr);
  }
});

const CLI = join(ROOT, 'dist/cli/smime-addin.cjs');
test('CLI sign: signs what OpenSSL verifies; wrong password and missing key fail with one line, exit 1/2', { skip: !existsSync(CLI) && 'CLI not built (npm run build)' }, async () => {
  const { pki, cert } = await identityFor('rsa2048');
  const p12 = await cert.makeP12('secret');
  const inFile = join(pki.dir, 'cli-in.eml');
  writeFileSync(inFile, buildMessage({ from: 'rsa2048@example.com', to: 'b@example.com', subject: 's' }, textEntity('hello')));
  for (const extra of [[], ['--opaque'], ['--pss', '--digest', 'sha384']]) {
    const out = join(pki.dir, `cli-out-${extra.join('')}.eml`);
    const r = spawnSync(process.execPath, [CLI, 'sign', inFile, '--key', p12, '--password', 'secret', '--out', out, ...extra], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.ok((await opensslVerify(out, { CAfile: pki.root.certPath })).ok);
  }
  const stdout = spawnSync(process.execPath, [CLI, 'sign', inFile, '--key', p12, '--password', 'secret']);
  assert.equal(stdout.status, 0);
  assert.match(stdout.stdout.toString('latin1'), /multipart\/signed/);
  const bad = spawnSync(process.execPath, [CLI, 'sign', inFile, '--key', p12, '--password', 'nope'], { encoding: 'utf8' });
  assert.equal(bad.status, 3);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /wrong password/);
  const usage = spawnSync(process.execPath, [CLI, 'sign', inFile, '--digest', 'md5', '--key', p12, '--password', 'secret'], { encoding: 'utf8' });
  assert.equal(usage.status, 2);
  const missing = spawnSync(process.execPath, [CLI, 'sign', join(pki.dir, 'nope.eml'), '--key', p12, '--password', 'secret'], { encoding: 'utf8' });
  assert.equal(missing.status, 3);
  assert.match(missing.stderr, /cannot read message .*: no such file/);
});

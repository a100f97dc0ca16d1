/**
 * RSAES-PKCS1-v1_5 key transport decryption (src/cms/rsa-pkcs1.ts), issue 10 item 16: implicit rejection that is
 * deterministic (draft-irtf-cfrg-rsa-guidance §7 / OpenSSL 3.2), so asking twice with the same bad ciphertext tells
 * an attacker nothing; OpenSSL-made ciphertexts and messages open; a wrong key gives a plain decrypt-failed.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { rsaPkcs1DecryptWithKey, rsaPkcs1Encrypt } from '../../src/cms/rsa-pkcs1';
import { defaultCrypto } from '../../src/crypto';
import { decryptMessage } from '../../src/compose/decrypt-message';
import { importPkcs12 } from '../../src/keys/pkcs12';
import { cliCrypto, nodeHasImplicitRejection } from '../../cli/crypto';
import { textEntity } from '../support/messages';
import { makePki, openssl, pemToDer, smimeEncrypt } from '../support/pki';

const pkiP = makePki();
const fixtures = (async () => {
  const pki = await pkiP;
  const rcpt = await pki.issue({ name: 'Rcpt PKCS1', email: 'rcpt-pkcs1@example.com', keyType: 'rsa2048' });
  const other = await pki.issue({ name: 'Other PKCS1', email: 'other-pkcs1@example.com', keyType: 'rsa2048' });
  const pkcs8 = (k: string) => new Uint8Array(pemToDer(readFileSync(k, 'utf8')));
  return { pki, rcpt, other, rcptKey: pkcs8(rcpt.keyPath), otherKey: pkcs8(other.keyPath) };
})();

/** `openssl pkeyutl -encrypt` (PKCS#1 v1.5 padding) of `data` to a certificate's key. */
async function opensslEncrypt(certPath: string, data: Uint8Array, dir: string): Promise<Uint8Array> {
  const inPath = join(dir, `pkcs1-in-${data.length}-${data[0]}.bin`);
  writeFileSync(inPath, data);
  return new Uint8Array(await openssl(['pkeyutl', '-encrypt', '-certin', '-inkey', certPath, '-pkeyopt', 'rsa_padding_mode:pkcs1', '-in', inPath]));
}

test('RSA PKCS#1 v1.5: ciphertexts made by OpenSSL decrypt to their keys (16, 24, 32 bytes), with the core and the CLI engine', async () => {
  const f = await fixtures;
  console.log(`# node ${process.versions.node}, OpenSSL ${process.versions.openssl}: node:crypto privateDecrypt with RSA_PKCS1_PADDING ${nodeHasImplicitRejection() ? 'is used (implicit rejection)' : 'is refused (CVE-2023-46809, no implicit rejection in this OpenSSL): the blinded BigInt code is used'}`);
  for (const len of [16, 24, 32]) {
    const cek = defaultCrypto().getRandomValues(new Uint8Array(len));
    const c = await opensslEncrypt(f.rcpt.certPath, cek, f.pki.dir);
    for (const engine of [defaultCrypto(), cliCrypto()]) {
      const out = await rsaPkcs1DecryptWithKey(f.rcptKey.slice(), c, [len], engine);
      assert.deepEqual(out, cek, `length ${len}`);
    }
  }
  // And our own encryption, which OpenSSL reads back (both ways).
  const cert = (await import('../../src/keys/identity')).parseCertificate(f.rcpt.certDer);
  const cek = defaultCrypto().getRandomValues(new Uint8Array(32));
  const c = rsaPkcs1Encrypt(cert.subjectPublicKeyInfo, cek, defaultCrypto());
  const cPath = join(f.pki.dir, 'ours-pkcs1.bin');
  writeFileSync(cPath, c);
  const back = await openssl(['pkeyutl', '-decrypt', '-inkey', f.rcpt.keyPath, '-pkeyopt', 'rsa_padding_mode:pkcs1', '-in', cPath]);
  assert.deepEqual(new Uint8Array(back), cek);
});

test('RSA PKCS#1 v1.5 implicit rejection is deterministic: a wrong key or a bad padding gives the same synthetic key every time', async () => {
  const f = await fixtures;
  const cek = defaultCrypto().getRandomValues(new Uint8Array(32));
  const c = await opensslEncrypt(f.rcpt.certPath, cek, f.pki.dir);
  // Wrong key (the ciphertext was made for another one): the padding does not check out.
  const a = await rsaPkcs1DecryptWithKey(f.otherKey.slice(), c, [32], defaultCrypto());
  const b = await rsaPkcs1DecryptWithKey(f.otherKey.slice(), c, [32], defaultCrypto());
  assert.equal(a.length, 32, 'the synthetic key has the expected length');
  assert.deepEqual(a, b, 'same ciphertext, same key: same synthetic result (no random fallback to tell apart)');
  assert.notDeepEqual(a, cek);
  // Another ciphertext gives another synthetic key; the CLI engine gives the same one as the core.
  const c2 = c.slice();
  c2[c2.length - 1] ^= 1;
  const d = await rsaPkcs1DecryptWithKey(f.otherKey.slice(), c2, [32], defaultCrypto());
  assert.notDeepEqual(d, a);
  if (!nodeHasImplicitRejection()) assert.deepEqual(await rsaPkcs1DecryptWithKey(f.otherKey.slice(), c, [32], cliCrypto()), a);
  // A right key but a ciphertext of a key of the wrong length (a well-padded 16-byte key where 32 are expected).
  const short = await opensslEncrypt(f.rcpt.certPath, cek.subarray(0, 16), f.pki.dir);
  const s1 = await rsaPkcs1DecryptWithKey(f.rcptKey.slice(), short, [32], defaultCrypto());
  const s2 = await rsaPkcs1DecryptWithKey(f.rcptKey.slice(), short, [32], defaultCrypto());
  assert.equal(s1.length, 32);
  assert.deepEqual(s1, s2);
  // Out-of-range and wrong-length ciphertexts are public facts: a key of the expected length, nothing thrown.
  for (const bad of [new Uint8Array(0), new Uint8Array(255), new Uint8Array(256).fill(0xff)]) {
    const r = await rsaPkcs1DecryptWithKey(f.rcptKey.slice(), bad, [32], defaultCrypto());
    assert.equal(r.length, 32);
  }
});

test('RSA PKCS#1 v1.5: an OpenSSL-encrypted message opened with the wrong key is a plain decrypt-failed verdict, the same twice', async () => {
  const f = await fixtures;
  const enc = await smimeEncrypt({ content: textEntity('For your eyes only.'), recipients: [f.rcpt], cipher: 'aes-256-cbc' });
  const right = await importPkcs12(new Uint8Array(readFileSync(await f.rcpt.makeP12('pw'))), 'pw');
  const wrong = await importPkcs12(new Uint8Array(readFileSync(await f.other.makeP12('pw'))), 'pw');
  assert.ok(right.ok && wrong.ok);
  const ok = await decryptMessage(new Uint8Array(enc.bytes), [right.identity]);
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.error));
  assert.match(new TextDecoder().decode(ok.content), /For your eyes only/);
  // The right certificate with another key, as after a key mix-up: the message names this certificate.
  const mixed = { ...right.identity, keys: wrong.identity.keys };
  const results = [];
  for (let i = 0; i < 2; i++) {
    const r = await decryptMessage(new Uint8Array(enc.bytes), [mixed]);
    assert.ok(!r.ok && r.error.code === 'decrypt-failed', JSON.stringify(!r.ok && r.error));
    results.push(r.error.message);
  }
  assert.equal(results[0], results[1], 'the same words each time: nothing about the padding shows');
});

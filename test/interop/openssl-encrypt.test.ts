/**
 * Encryption both ways with OpenSSL: `openssl cms -decrypt` opens everything we encrypt (RSA PKCS#1 v1.5 and OAEP,
 * ECDH P-256/P-384; AES-CBC and AES-GCM; signed-then-encrypted), and we open everything `openssl cms -encrypt`
 * makes with every cipher it offers. The sender is always a recipient. Failures are typed, never thrown.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCertificates } from '../../src/certs/load';
import { decryptCms } from '../../src/cms/decrypt';
import type { ContentCipher } from '../../src/cms/encrypt';
import { decryptMessage } from '../../src/compose/decrypt-message';
import { encryptMessage } from '../../src/compose/encrypt-message';
import type { Identity } from '../../src/keys/identity';
import { importPkcs12 } from '../../src/keys/pkcs12';
import { decodeOpaque, parseMime } from '../../src/mime';
import { ROOT } from '../support/corpus';
import { buildMessage, entityWithAttachment, textEntity } from '../support/messages';
import {
  makePki,
  opensslDecrypt,
  opensslVerify,
  smimeEncrypt,
  smimeSign,
  type ContentCipher as OsslCipher,
  type IssuedCert,
  type KeyType,
} from '../support/pki';

const pkiP = makePki();
const people = new Map<string, Promise<{ cert: IssuedCert; identity: Identity; p12: string }>>();

function person(name: string, keyType: KeyType) {
  const k = `${name}/${keyType}`;
  if (!people.has(k)) {
    people.set(
      k,
      (async () => {
        const pki = await pkiP;
        const cert = await pki.issue({ name: `${name} ${keyType}`, email: `${name}-${keyType}@example.com`, keyType });
        const p12 = await cert.makeP12('pw');
        const r = await importPkcs12(new Uint8Array(readFileSync(p12)), 'pw');
        assert.ok(r.ok);
        return { cert, identity: r.identity, p12 };
      })(),
    );
  }
  return people.get(k)!;
}

const msg = (from: string, to: string) =>
  buildMessage({ from, to, subject: 'secret' }, textEntity('The meeting is at noon.\r\nBring the plans.'));

const OURS: { rcpt: KeyType; cipher: ContentCipher; oaep?: boolean; sign?: boolean }[] = [
  { rcpt: 'rsa2048', cipher: 'aes-256-cbc' },
  { rcpt: 'rsa2048', cipher: 'aes-128-cbc' },
  { rcpt: 'rsa2048', cipher: 'aes-256-gcm' },
  { rcpt: 'rsa2048', cipher: 'aes-128-gcm' },
  { rcpt: 'rsa2048', cipher: 'aes-256-cbc', oaep: true },
  { rcpt: 'rsa2048', cipher: 'aes-256-gcm', oaep: true },
  { rcpt: 'ec-p256', cipher: 'aes-256-cbc' },
  { rcpt: 'ec-p256', cipher: 'aes-128-gcm' },
  { rcpt: 'ec-p384', cipher: 'aes-256-cbc' },
  { rcpt: 'ec-p384', cipher: 'aes-256-gcm' },
  { rcpt: 'rsa2048', cipher: 'aes-256-cbc', sign: true },
  { rcpt: 'ec-p384', cipher: 'aes-256-gcm', sign: true },
];

for (const c of OURS) {
  const name = `${c.rcpt} ${c.cipher}${c.oaep ? ' OAEP' : ''}${c.sign ? ' signed' : ''}`;
  test(`openssl cms -decrypt opens ours: ${name}; the sender can too; we read it back`, async () => {
    const pki = await pkiP;
    const rcpt = await person('rcpt', c.rcpt);
    const sender = await person('sender', c.rcpt === 'rsa2048' ? 'ec-p256' : 'rsa2048');
    const r = await encryptMessage(new Uint8Array(msg(sender.cert.emails[0], rcpt.cert.emails[0])), [rcpt.identity.certificate], {
      sender: sender.identity,
      cipher: c.cipher,
      keyTransport: c.oaep ? 'rsa-oaep' : 'rsa-pkcs1',
      sign: c.sign,
    });
    assert.ok(r.ok, !r.ok ? r.error.message : '');
    const text = Buffer.from(r.message).toString('latin1');
    assert.match(text, /^From: sender-/);
    assert.match(text, c.cipher.endsWith('gcm') ? /smime-type=authEnveloped-data/ : /smime-type=enveloped-data/);
    assert.doesNotMatch(text, /meeting/);
    const file = join(pki.dir, `ours-${name.replace(/\W+/g, '-')}.eml`);
    writeFileSync(file, r.message);
    for (const who of [rcpt, sender]) {
      const d = await opensslDecrypt(file, { recipient: who.cert });
      assert.ok(d.ok, `${who.cert.name}: ${d.stderr}`);
      if (c.sign) {
        const inner = `${file}.inner.eml`;
        writeFileSync(inner, d.content);
        const v = await opensslVerify(inner, { CAfile: pki.root.certPath });
        assert.ok(v.ok, v.stderr);
        assert.match(v.content.toString(), /The meeting is at noon\./);
      } else assert.match(d.content.toString(), /The meeting is at noon\.\r\nBring the plans\./);
    }
    const anchors = loadCertificates(readFileSync(pki.root.certPath)).certs;
    const back = await decryptMessage(r.message, rcpt.identity, { anchors });
    assert.ok(back.ok);
    assert.equal(back.verdict.encrypted && back.verdict.decrypted, true);
    assert.equal(back.verdict.verdict, c.sign ? 'trusted' : 'unsigned', back.verdict.summary);
  });
}

const OSSL_CIPHERS: OsslCipher[] = ['aes-128-cbc', 'aes-192-cbc', 'aes-256-cbc', 'aes-128-gcm', 'aes-256-gcm', 'des-ede3-cbc'];
for (const rcptType of ['rsa2048', 'ec-p256', 'ec-p384'] as KeyType[]) {
  for (const cipher of OSSL_CIPHERS) {
    for (const oaep of rcptType === 'rsa2048' ? [false, true] : [false]) {
      if (rcptType.startsWith('ec') && cipher === 'des-ede3-cbc') continue; // OpenSSL has no 3DES key wrap for ECDH
      test(`we decrypt openssl cms -encrypt: ${rcptType} ${cipher}${oaep ? ' OAEP-SHA256' : ''}`, async () => {
        const rcpt = await person('rcpt', rcptType);
        const m = await smimeEncrypt({
          content: textEntity('From OpenSSL, with love.'),
          recipients: [oaep ? { cert: rcpt.cert, oaep: true, oaepDigest: 'sha256' } : rcpt.cert],
          cipher,
        });
        const r = await decryptMessage(new Uint8Array(m.bytes), rcpt.identity);
        assert.ok(r.ok, !r.ok ? `${r.error.code}: ${r.error.message}` : '');
        assert.match(Buffer.from(r.content).toString('latin1'), /From OpenSSL, with love\./);
        assert.equal(r.layers[0].kind, cipher.endsWith('gcm') ? 'auth-enveloped' : 'enveloped');
      });
    }
  }
}

test('we verify and decrypt OpenSSL sign-then-encrypt (signed → encrypted → signed)', async () => {
  const pki = await pkiP;
  const alice = await person('alice', 'rsa2048');
  const bob = await person('bob', 'ec-p256');
  const signed = await smimeSign({ signer: alice.cert, content: textEntity('inner'), headers: false });
  const enc = await smimeEncrypt({ content: signed.bytes, recipients: [bob.cert], headers: false });
  const outer = await smimeSign({ signer: alice.cert, content: enc.bytes, opaque: true, headers: { from: alice.cert.emails[0], to: bob.cert.emails[0], subject: 'nested' } });
  const anchors = loadCertificates(readFileSync(pki.root.certPath)).certs;
  const r = await decryptMessage(new Uint8Array(outer.bytes), bob.identity, { anchors });
  assert.ok(r.ok);
  assert.equal(r.verdict.layers.length, 2, 'outer and inner signature');
  assert.ok(r.verdict.layers.every((l) => l.signers[0].signature === 'valid'));
  assert.equal(r.verdict.verdict, 'trusted', r.verdict.summary);
  assert.match(Buffer.from(r.content).toString('latin1'), /multipart\/signed/);
});

test('failures are typed: not for us, corrupt CBC, altered GCM, truncated, garbage, no recipient; never thrown', async () => {
  const alice = await person('alice', 'rsa2048');
  const bob = await person('bob', 'ec-p256');
  const eve = await person('eve', 'rsa2048');
  const der = async (cipher: ContentCipher) => {
    const r = await encryptMessage(new Uint8Array(msg('a@example.com', 'b@example.com')), [bob.identity.certificate, alice.identity.certificate], { cipher });
    assert.ok(r.ok);
    const m = parseMime(r.message);
    assert.ok(m.ok);
    const b = decodeOpaque(m.root);
    assert.ok(b.ok);
    return new Uint8Array(b.der);
  };
  const cbc = await der('aes-256-cbc');
  const gcm = await der('aes-256-gcm');
  const notOurs = await decryptCms(cbc, [eve.identity]);
  assert.ok(!notOurs.ok && notOurs.error.code === 'no-key', JSON.stringify(notOurs));
  assert.match(notOurs.error.message, /not encrypted to your certificate/);
  for (const [name, d, ids] of [
    ['cbc/rsa', cbc, [alice.identity]],
    ['cbc/ec', cbc, [bob.identity]],
    ['gcm/rsa', gcm, [alice.identity]],
    ['gcm/ec', gcm, [bob.identity]],
  ] as const) {
    const ok = await decryptCms(d, [...ids]);
    assert.ok(ok.ok, name);
    // CBC: flip the last byte of the second-to-last ciphertext block, which flips the padding byte of the last
    // plaintext block (p ^ 0x5a is never a valid pad length 1..16): a deterministic padding failure. Flipping the
    // last ciphertext byte instead made the last block random, and about 1 run in 256 it happened to end in a valid
    // pad and decrypted to garbage (seen in CI: CBC has no integrity, which is why GCM exists). GCM: the tag covers it.
    const ct = d.slice();
    const at = name.startsWith('gcm') ? d.length - 20 : d.length - 17;
    ct[at] ^= 0x5a;
    const bad = await decryptCms(ct, [...ids]);
    assert.ok(!bad.ok && bad.error.code === 'decrypt-failed', `${name}: ${JSON.stringify(bad)}`);
    if (name.startsWith('gcm')) assert.match(bad.error.message, /integrity check/);
  }
  for (const bytes of [cbc.subarray(0, cbc.length >> 1), new Uint8Array([0x30, 0x80]), new Uint8Array(100), new TextEncoder().encode('hello')]) {
    const r = await decryptCms(bytes, [alice.identity]);
    assert.ok(!r.ok && (r.error.code === 'malformed-cms' || r.error.code === 'decrypt-failed'), JSON.stringify(r));
  }
  const none = await encryptMessage(new Uint8Array(msg('a@example.com', 'b@example.com')), []);
  assert.ok(!none.ok && none.error.code === 'no-recipient');
  // Without any key: a verdict that says so, and no content.
  const enc = await encryptMessage(new Uint8Array(msg('a@example.com', 'b@example.com')), [bob.identity.certificate]);
  assert.ok(enc.ok);
  const noKey = await decryptMessage(enc.message, [eve.identity]);
  assert.ok(!noKey.ok && noKey.error.code === 'no-key');
  assert.equal(noKey.verdict.encrypted, true);
  assert.equal(noKey.verdict.decrypted, false);
  const plain = await decryptMessage(new Uint8Array(msg('a@example.com', 'b@example.com')), [eve.identity]);
  assert.ok(!plain.ok && plain.error.code === 'not-encrypted');
});

test('10 MB attachment encrypts (and signs+encrypts); OpenSSL decrypts it', async () => {
  const pki = await pkiP;
  const rcpt = await person('rcpt', 'rsa2048');
  const sender = await person('sender', 'ec-p256');
  const big = buildMessage({ from: sender.cert.emails[0], to: rcpt.cert.emails[0], subject: 'big' }, entityWithAttachment(10 * 1024 * 1024));
  for (const sign of [false, true]) {
    const t = performance.now();
    const r = await encryptMessage(new Uint8Array(big), [rcpt.identity.certificate], { sender: sender.identity, sign });
    const ms = performance.now() - t;
    assert.ok(r.ok);
    console.log(`# encrypt 10 MB${sign ? ' signed' : ''}: ${ms.toFixed(0)} ms in process`);
    const file = join(pki.dir, `big-enc-${sign}.eml`);
    writeFileSync(file, r.message);
    const d = await opensslDecrypt(file, { recipient: rcpt.cert });
    assert.ok(d.ok, d.stderr);
    const t2 = performance.now();
    const back = await decryptMessage(r.message, rcpt.identity);
    console.log(`# decrypt 10 MB${sign ? ' signed' : ''}: ${(performance.now() - t2).toFixed(0)} ms in process`);
    assert.ok(back.ok);
  }
});

const CLI = join(ROOT, 'dist/cli/smime-addin.cjs');
test('CLI encrypt/decrypt round trip with OpenSSL in between; --json verdict; errors are one line', { skip: !existsSync(CLI) && 'CLI not built (npm run build)' }, async () => {
  const pki = await pkiP;
  const alice = await person('alice', 'rsa2048');
  const bob = await person('bob', 'ec-p384');
  const inFile = join(pki.dir, 'cli-plain.eml');
  writeFileSync(inFile, msg(alice.cert.emails[0], bob.cert.emails[0]));
  const encFile = join(pki.dir, 'cli-enc.eml');
  const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  let r = run(['encrypt', inFile, '--to', bob.cert.certPath, '--key', alice.p12, '--password', 'pw', '--sign', '--cipher', 'aes-256-gcm', '--out', encFile]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok((await opensslDecrypt(encFile, { recipient: bob.cert })).ok);
  assert.ok((await opensslDecrypt(encFile, { recipient: alice.cert })).ok, 'the sender is a recipient');
  const outFile = join(pki.dir, 'cli-dec.eml');
  r = run(['decrypt', encFile, '--key', bob.p12, '--password', 'pw', '--out', outFile, '--json', '--anchor', pki.root.certPath]);
  assert.equal(r.status, 0, r.stderr);
  const v = JSON.parse(r.stdout);
  assert.equal(v.verdict, 'trusted');
  assert.equal(v.encrypted, true);
  assert.equal(v.decrypted, true);
  assert.match(readFileSync(outFile, 'latin1'), /multipart\/signed/);
  // Decrypting OpenSSL's output to stdout.
  const oss = await smimeEncrypt({ content: textEntity('via openssl'), recipients: [alice.cert], cipher: 'aes-128-cbc' });
  r = run(['decrypt', oss.path, '--key', alice.p12, '--password', 'pw']);
  // Decrypted, but nothing inside is signed: exit 1 with the inner verdict on stderr, as verify does (issue 10, item 21).
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /via openssl/);
  assert.match(r.stderr, /UNSIGNED/);
  // Errors: a wrong password means the command could not run (3); a message not encrypted to you is not decrypted (1).
  r = run(['decrypt', encFile, '--key', alice.p12, '--password', 'wrong']);
  assert.equal(r.status, 3);
  assert.match(r.stderr, /wrong password/);
  const eve = await person('eve', 'rsa2048');
  r = run(['decrypt', oss.path, '--key', eve.p12, '--password', 'pw']);
  assert.equal(r.status, 1);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /not encrypted to your certificate/);
  r = run(['encrypt', inFile, '--cipher', 'rc4', '--to', bob.cert.certPath]);
  assert.equal(r.status, 2);
  r = run(['encrypt', inFile, '--to', inFile]);
  assert.equal(r.status, 3);
  assert.equal(r.stderr.trim().split('\n').length, 1);
});

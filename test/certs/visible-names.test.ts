// Names from certificates are attacker-chosen text even when a CA signed them. A common name with a line break and a
// right-to-left override (made by OpenSSL here) must not reach a reason, the certificate details or the CLI's
// summary as raw control characters: a line break would fake another line, the override would show "moc.elpmaxe"
// as "example.com".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyMessage } from '../../src/index';
import { parseNameDer, nameLabel, visibleText } from '../../src/trust/names';
import { ROOT } from '../support/corpus';
import { openssl } from '../support/pki';

const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const CN = 'Mallory\nOK: trusted \u202emoc.elpmaxe';

test('visibleText writes out control and bidi characters, and leaves other text alone', () => {
  assert.equal(visibleText('Alice Ünïcødé 李'), 'Alice Ünïcødé 李');
  assert.equal(visibleText('a\nb\u0000c\u009bd'), 'a\\0ab\\00c\\9bd');
  assert.equal(visibleText('x\u202ey\u2066z'), 'x\\u{202E}y\\u{2066}z');
});

test('bug: a certificate name with a line break and a right-to-left override reached reasons, details and the CLI raw', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'smime-names-'));
  const key = join(dir, 'k.pem');
  const cert = join(dir, 'c.pem');
  await openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-utf8', '-subj', `/CN=${CN}`]);
  const content = join(dir, 'in.eml');
  writeFileSync(content, 'Content-Type: text/plain\r\n\r\nHello.\r\n');
  const signed = await openssl(['cms', '-sign', '-in', content, '-signer', cert, '-inkey', key]);
  const msg = Buffer.concat([Buffer.from('From: m@example.com\r\nTo: you@example.com\r\nSubject: names\r\n'), signed]);
  const file = join(dir, 'm.eml');
  writeFileSync(file, msg);


  const v = await verifyMessage(new Uint8Array(msg));
  assert.equal(v.verdict, 'untrusted');
  const texts = [...v.reasons.map((r) => r.message), v.summary, ...v.signers.flatMap((s) => [s.certificate?.commonName, s.certificate?.subject, s.certificate?.issuer])];
  for (const t of texts) assert.doesNotMatch(String(t), RAW, JSON.stringify(t));
  const selfSigned = v.reasons.find((r) => r.code === 'self-signed');
  assert.ok(selfSigned?.message.includes('Mallory\\0aOK: trusted \\u{202E}moc.elpmaxe'), selfSigned?.message);
  assert.equal(v.signers[0].certificate?.commonName, 'Mallory\\0aOK: trusted \\u{202E}moc.elpmaxe');

  // The same from a From header: an encoded word with a right-to-left override and a line break in the display name.
  const rlo = Buffer.from('Alice \u202elatot\nOK: trusted', 'utf8').toString('base64');
  const spoofed = Buffer.concat([Buffer.from(`From: =?UTF-8?B?${rlo}?= <alice@example.com>\r\nTo: you@example.com\r\nSubject: names\r\n`), signed]);
  const w = await verifyMessage(new Uint8Array(spoofed));
  for (const r of w.reasons) assert.doesNotMatch(r.message, RAW, JSON.stringify(r.message));

  const cli = join(ROOT, 'dist', 'cli', 'smime-addin.cjs');
  if (!existsSync(cli)) {
    console.log(`# SKIP CLI part: ${cli} is missing (run npm run build)`);
    return;
  }
  const r = spawnSync(process.execPath, [cli, 'verify', file], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.ok(!r.stdout.split('\n').some((l) => /^\s*OK: trusted/.test(l)), r.stdout);
  assert.doesNotMatch(r.stdout.replace(/\n/g, ' '), RAW, r.stdout);
});

test('parsed names: display and label are visible text', () => {
  // Name ::= SEQUENCE OF SET OF { OID 2.5.4.3, UTF8String }
  const value = Buffer.from('Eve\u202e\r\nx', 'utf8');
  const atv = Buffer.concat([Buffer.from([0x30, 5 + 2 + value.length, 0x06, 0x03, 0x55, 0x04, 0x03, 0x0c, value.length]), value]);
  const set = Buffer.concat([Buffer.from([0x31, atv.length]), atv]);
  const name = parseNameDer(new Uint8Array(Buffer.concat([Buffer.from([0x30, set.length]), set])));
  assert.equal(name.display, 'CN=Eve\\u{202E}\\0d\\0ax');
  assert.equal(nameLabel(name), 'Eve\\u{202E}\\0d\\0ax');
});

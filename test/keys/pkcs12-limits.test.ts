/**
 * Key files that ask for absurd key-derivation work (issue 10, DoS siblings): an iteration count per derivation is
 * bounded, and so is the work of the whole file, which may hold any number of encrypted bags. And counts of 2^23 and
 * more are read as what they are (asn1js' valueDec gives 0 from four bytes on: a file made with
 * `openssl pkcs12 -iter 10000000` was reported as a wrong password).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as asn1js from 'asn1js';
import { MAX_PBKDF2_WORK, importPkcs12 } from '../../src/keys/pkcs12';
import { makePki, openssl } from '../support/pki';

const ab = (u: Uint8Array) => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
const der = (x: { toBER(s?: boolean): ArrayBuffer }) => new Uint8Array(x.toBER(false));
const OID = { data: '1.2.840.113549.1.7.1', shrouded: '1.2.840.113549.1.12.10.1.2', certBag: '1.2.840.113549.1.12.10.1.3', x509: '1.2.840.113549.1.9.22.1' };

function safeBag(bagId: string, value: asn1js.AsnType): asn1js.Sequence {
  return new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: bagId }), new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [value] })] });
}

function certBagOf(certDer: Uint8Array): asn1js.Sequence {
  const certValue = new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.OctetString({ valueHex: ab(certDer) })] });
  return safeBag(OID.certBag, new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: OID.x509 }), certValue] }));
}

/** A PFX without MAC (allowed by RFC 7292) of one plain SafeContents holding `bags`. */
function pfxOf(bags: asn1js.Sequence[]): Uint8Array {
  const safeContents = new asn1js.Sequence({ value: bags });
  const ci = (content: Uint8Array) =>
    new asn1js.Sequence({
      value: [new asn1js.ObjectIdentifier({ value: OID.data }), new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.OctetString({ valueHex: ab(content) })] })],
    });
  const authSafe = new asn1js.Sequence({ value: [ci(der(safeContents))] });
  return der(new asn1js.Sequence({ value: [new asn1js.Integer({ value: 3 }), ci(der(authSafe))] }));
}

/** An INTEGER with this value, encoded from its bytes (asn1js' own encoder stops at 2^31). */
function bigInteger(v: number): asn1js.Integer {
  const bytes: number[] = [];
  for (let n = v; n > 0; n = Math.floor(n / 256)) bytes.unshift(n % 256);
  if (bytes[0] & 0x80) bytes.unshift(0);
  return new asn1js.Integer({ valueHex: ab(new Uint8Array(bytes)) });
}

/** The EncryptedPrivateKeyInfo with its PBKDF2 iteration count replaced (the ciphertext no longer fits it). */
function withIterations(epki: Uint8Array, iterations: number): asn1js.Sequence {
  const e = asn1js.fromBER(ab(epki)).result as asn1js.Sequence;
  const params = (e.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[1] as asn1js.Sequence; // PBES2-params
  const kdfParams = ((params.valueBlock.value[0] as asn1js.Sequence).valueBlock.value[1] as asn1js.Sequence).valueBlock.value;
  kdfParams[1] = bigInteger(iterations);
  return asn1js.fromBER(ab(der(e))).result as asn1js.Sequence;
}

let fixture: Promise<{ certDer: Uint8Array; epki: Uint8Array; iterations: number; dir: string; p12: string }> | undefined;
function keyFixture() {
  fixture ??= (async () => {
    const pki = await makePki();
    const c = await pki.issue({ name: 'Key Owner', email: 'owner@example.com', keyType: 'ec-p256' });
    // The private key under PBES2 (AES-256-CBC, PBKDF2-HMAC-SHA-256) at 1,000,000 iterations, as the attacker
    // makes it once: every copy decrypts with the password it hands over.
    const iterations = 1_000_000;
    const epki = new Uint8Array(await openssl(['pkcs8', '-topk8', '-in', c.keyPath, '-outform', 'DER', '-v2', 'aes-256-cbc', '-v2prf', 'hmacWithSHA256', '-iter', String(iterations), '-passout', 'pass:pw']));
    return { certDer: new Uint8Array(c.certDer), epki, iterations, dir: pki.dir, p12: await c.makeP12('pw') };
  })();
  return fixture;
}

test(`a key file of 40 shrouded keys at 1,000,000 PBKDF2 iterations each is refused before the first derivation (was 40 derivations, 33 s under load; a 1 MiB file of bags at 10,000,000 would take hours)`, async () => {
  const f = await keyFixture();
  const certBag = certBagOf(f.certDer);
  const keyBag = () => safeBag(OID.shrouded, asn1js.fromBER(ab(f.epki)).result);
  // Within the bound, the same construction imports (two bags: the work of two derivations).
  const two = await importPkcs12(pfxOf([certBag, keyBag(), keyBag()]), 'pw');
  assert.ok(two.ok, JSON.stringify(!two.ok && two.error));
  const t0 = performance.now();
  const r = await importPkcs12(pfxOf([certBag, ...Array.from({ length: 40 }, keyBag)]), 'pw');
  const ms = performance.now() - t0;
  console.log(`# 40 shrouded keys at ${f.iterations.toLocaleString('en-US')} iterations: ${Math.round(ms)} ms → ${r.ok ? 'imported' : r.error.message}`);
  assert.ok(!r.ok && r.error.code === 'unsupported', JSON.stringify(r.ok || r.error));
  assert.equal(r.error.message, `The key file asks for more key-derivation work than this program allows (its iteration counts add up to over ${MAX_PBKDF2_WORK.toLocaleString('en-US')}).`);
  assert.ok(ms < 1000, `${Math.round(ms)} ms`);
});

test('iteration counts of 2^23 and more are read as such: 2^31 PBKDF2 iterations and a 10,000,000-iteration MAC are refused in one plain sentence (were read as 0: "asks for 0 PBKDF2 iterations", "Wrong password")', async () => {
  const f = await keyFixture();
  const certBag = certBagOf(f.certDer);
  const huge = await importPkcs12(pfxOf([certBag, safeBag(OID.shrouded, withIterations(f.epki, 2 ** 31))]), 'pw');
  assert.ok(!huge.ok);
  assert.equal(huge.error.message, 'The key file asks for 2,147,483,648 iterations; this program allows at most 10,000,000.');
  // OpenSSL's default export with its MAC iteration count raised to 10,000,000 (what `-iter 10000000` writes).
  const pfx = asn1js.fromBER(ab(new Uint8Array(readFileSync(f.p12)))).result as asn1js.Sequence;
  const macData = pfx.valueBlock.value[2] as asn1js.Sequence;
  macData.valueBlock.value[2] = bigInteger(10_000_000);
  const t0 = performance.now();
  const mac = await importPkcs12(der(pfx), 'pw');
  assert.ok(!mac.ok);
  assert.equal(mac.error.code, 'unsupported');
  assert.equal(mac.error.message, 'The key file asks for 10,000,000 iterations; this program allows at most 1,000,000.');
  assert.ok(performance.now() - t0 < 1000);
  // The real export it was made from still imports.
  const ok = await importPkcs12(new Uint8Array(readFileSync(f.p12)), 'pw');
  assert.ok(ok.ok, JSON.stringify(!ok.ok && ok.error));
});

/**
 * Issue 10 item 10, "Memory amplification": a 1.4 MB SignedData with 5,000 certificates took about 636 MB RSS. Now a
 * SignedData may carry at most MAX_SIGNED_DATA_CERTIFICATES, counted from the DER before anything is decoded; more
 * is a 'limit-exceeded' result. Measured in a child process (peak RSS is per process).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MAX_SIGNED_DATA_CERTIFICATES, countCertificates } from '../../src/cms/certificate-set';
import { countSignedData } from '../../src/cms/ber-walk';
import { MAX_SIGNER_INFOS, verifySignedData } from '../../src/cms/verify';
import { ROOT } from '../support/corpus';
import { editSignedData, opaqueMessage, tinyCertificates } from '../support/hostile';
import { makePki, openssl, smimeSign } from '../support/pki';

const CONTENT = 'Content-Type: text/plain\r\n\r\ncertificate bag\r\n';

export async function certificateBag(count: number): Promise<{ der: Uint8Array; message: Buffer; dir: string }> {
  const pki = await makePki();
  const a = await pki.issue({ name: 'Bag Signer', email: 'bag@example.com', keyType: 'ec-p256' });
  const m = await smimeSign({ signer: a, content: CONTENT, opaque: true, outform: 'der' });
  const spki = new Uint8Array(await openssl(['pkey', '-in', a.keyPath, '-pubout', '-outform', 'DER']));
  const der = editSignedData(new Uint8Array(m.bytes), { certificates: [new Uint8Array(a.certDer), ...tinyCertificates(count - 1, spki)] });
  return { der, message: opaqueMessage(der, a.emails[0]), dir: pki.dir };
}

/** Verifies the message in its own process (peak RSS is per process): refused with limit-exceeded, in time, no RSS growth. */
function refusedInBoundedTimeAndMemory(file: string, message: Uint8Array, what: string, maxMs: number): void {
  writeFileSync(file, message);
  const out = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support/measure-child.ts'), file], { encoding: 'utf8' }));
  console.log(`# ${what}: ${out.ms} ms, peak RSS ${out.rssMB} MB (${out.startRssMB} MB before the check), ${out.verdict}`);
  assert.ok(out.codes.includes('limit-exceeded'), JSON.stringify(out));
  assert.notEqual(out.verdict, 'trusted');
  assert.ok(out.rssMB - out.startRssMB < 100, `the check grew RSS by ${out.rssMB - out.startRssMB} MB`);
  assert.ok(out.ms < maxMs, `${out.ms} ms`);
}

test('memory amplification: a 1.4 MB SignedData with 5,000 certificates is refused before decoding, in bounded time and memory', async () => {
  const { der, message, dir } = await certificateBag(5000);
  assert.ok(der.length > 1_200_000, `SignedData is ${der.length} bytes`);
  assert.equal(countCertificates(der), 5000);
  const r = await verifySignedData(der);
  assert.ok(!r.ok && r.error.code === 'limit-exceeded', JSON.stringify(!r.ok && r.error));
  assert.match(r.error.message, /5000 certificates; at most 100/);
  refusedInBoundedTimeAndMemory(join(dir, 'bag-5000.eml'), message, `${(der.length / 1e6).toFixed(2)} MB SignedData, 5000 certificates`, 2000);
});

test(`certificate bag: ${MAX_SIGNED_DATA_CERTIFICATES} certificates are still read (the signature checks out), one more is refused`, async () => {
  const at = await certificateBag(MAX_SIGNED_DATA_CERTIFICATES);
  const ok = await verifySignedData(at.der);
  assert.ok(ok.ok && ok.signature === 'valid' && ok.certificates.length === MAX_SIGNED_DATA_CERTIFICATES, JSON.stringify(!ok.ok && ok.error));
  const over = await certificateBag(MAX_SIGNED_DATA_CERTIFICATES + 1);
  const r = await verifySignedData(over.der);
  assert.ok(!r.ok && r.error.code === 'limit-exceeded');
});

test(`signer bag: a 2 MB SignedData with 5,000 SignerInfos is refused from its headers, before decoding (was 3.6 s and +294 MB RSS); ${MAX_SIGNER_INFOS} still verify`, async () => {
  const pki = await makePki();
  const a = await pki.issue({ name: 'Signer Bag', email: 'signers@example.com', keyType: 'ec-p256' });
  const m = await smimeSign({ signer: a, content: CONTENT, opaque: true, outform: 'der' });
  const der = editSignedData(new Uint8Array(m.bytes), { signers: 5000 });
  assert.equal(countSignedData(der)?.signerInfos, 5000);
  refusedInBoundedTimeAndMemory(join(pki.dir, 'signers-5000.eml'), opaqueMessage(der, a.emails[0]), `${(der.length / 1e6).toFixed(2)} MB SignedData, 5000 SignerInfos`, 1000);
  const r = await verifySignedData(der);
  assert.ok(!r.ok && r.error.code === 'limit-exceeded');
  assert.match(r.error.message, /5000 signers; at most 32/);
  const at = await verifySignedData(editSignedData(new Uint8Array(m.bytes), { signers: MAX_SIGNER_INFOS }));
  assert.ok(at.ok && at.signature === 'valid' && at.signers.length === MAX_SIGNER_INFOS, JSON.stringify(!at.ok && at.error));
});

/**
 * Worst time and memory per hostile input class at its size limit (issue 10, "Tests and figures"), each input in a
 * fresh child process (test/support/measure-child.ts) so peak RSS is that input's. Pass another checkout to compare
 * (e.g. a worktree of the commit before the fixes); classes that run longer than TIMEOUT_S there are stopped:
 *   node --import tsx test/support/hostile-figures.ts [BEFORE_CHECKOUT]
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { editSignedData, hugeRsaSpki, opaqueMessage, signatureFor, tinyCertificates, withKey } from './hostile';
import { makePki, openssl, smimeSign } from './pki';

const TIMEOUT_S = 150;
const here = resolve(import.meta.dirname, '..', '..');
const before = process.argv[2];

const pki = await makePki();
const a = await pki.issue({ name: 'Figures', email: 'figures@example.com', keyType: 'rsa2048' });
const content = 'Content-Type: text/plain\r\n\r\nfigures\r\n';
const sha224 = new Uint8Array((await smimeSign({ signer: a, content, md: 'sha224', noattr: true, opaque: true, outform: 'der', chain: [] })).bytes);
const plain = new Uint8Array((await smimeSign({ signer: a, content, opaque: true, outform: 'der' })).bytes);
const spkiEc = new Uint8Array(await openssl(['pkey', '-in', (await pki.issue({ name: 'Figures EC', keyType: 'ec-p256' })).keyPath, '-pubout', '-outform', 'DER']));
const self = await pki.issue({ name: 'Figures Self', email: 'figures-self@example.com', keyType: 'rsa2048', selfSigned: true });
const selfCert = new Uint8Array(self.certDer);
selfCert[selfCert.length - 5] ^= 0x55;
const selfDer = new Uint8Array((await smimeSign({ signer: self, content, noattr: true, opaque: true, outform: 'der', chain: [] })).bytes);

const KEY = 560_000;
const classes: Record<string, Uint8Array> = {
  'item 8: 1.5 MB message, 4.5-million-bit RSA key (SHA-224)': opaqueMessage(editSignedData(sha224, { certificates: [withKey(a.certDer, hugeRsaSpki(KEY))], signature: signatureFor(KEY) }), a.emails[0]),
  'item 8: 100,000-bit RSA key (SHA-224)': opaqueMessage(editSignedData(sha224, { certificates: [withKey(a.certDer, hugeRsaSpki(12_500))], signature: signatureFor(12_500) }), a.emails[0]),
  'item 8: 32 signers, one bad self-signed certificate': opaqueMessage(editSignedData(selfDer, { certificates: [selfCert], signers: 32 }), self.emails[0]),
  'item 10: 1.4 MB SignedData, 5,000 certificates': opaqueMessage(editSignedData(plain, { certificates: [new Uint8Array(a.certDer), ...tinyCertificates(4999, spkiEc)] }), a.emails[0]),
  'item 10: 100 certificates (the cap)': opaqueMessage(editSignedData(plain, { certificates: [new Uint8Array(a.certDer), ...tinyCertificates(99, spkiEc)] }), a.emails[0]),
  'item 9: 1 MiB Subject of one character': Buffer.from(opaqueMessage(plain, a.emails[0]).toString('latin1').replace(/^Subject: [^\r\n]*/m, `Subject: ${'a'.repeat(1024 * 1024 - 16)}`), 'latin1'),
  'baseline: ordinary signed message': opaqueMessage(plain, a.emails[0]),
};

function measure(repo: string, file: string): string {
  try {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(here, 'test/support/measure-child.ts'), file, repo], { encoding: 'utf8', timeout: TIMEOUT_S * 1000, cwd: here });
    const r = JSON.parse(out.trim().split('\n').pop()!);
    return `${String(r.ms).padStart(6)} ms, peak RSS ${String(r.rssMB).padStart(4)} MB, ${r.verdict}`;
  } catch (e) {
    return (e as { signal?: string }).signal ? `stopped after ${TIMEOUT_S} s` : `failed: ${(e as Error).message.split('\n')[0]}`;
  }
}

for (const [name, bytes] of Object.entries(classes)) {
  const file = join(pki.dir, `${name.replace(/[^a-z0-9]+/gi, '-')}.eml`);
  writeFileSync(file, bytes);
  const after = measure(here, file);
  const was = before ? measure(resolve(before), file) : undefined;
  console.log(`${name} (${(bytes.length / 1e6).toFixed(2)} MB)\n  after:  ${after}${was ? `\n  before: ${was}` : ''}`);
}

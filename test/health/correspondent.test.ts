/**
 * "About this certificate" (issue 13): a received message whose signer's certificate, or a CA certificate above it,
 * ends within the policy's warning period says so beside the verdict; one that is far from its end says nothing.
 * Messages signed by OpenSSL at test time.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as pkijs from 'pkijs';
import { aboutSigner, defaultPolicy, verifyMessage } from '../../src/index';
import { makePki, smimeSign, type IssuedCert, type Pki } from '../support/pki';

const DAY = 86_400_000;
const AT = new Date('2026-06-01T12:00:00Z');
let pki: Pki;
before(async () => {
  pki = await makePki();
});

const cert = (c: IssuedCert) => pkijs.Certificate.fromBER(new Uint8Array(c.certDer).slice().buffer as ArrayBuffer);

async function verdictFor(signer: IssuedCert, intermediates: IssuedCert[] = []) {
  const msg = await smimeSign({ signer, content: 'Content-Type: text/plain\r\n\r\nHello.\r\n', headers: { from: signer.emails[0], to: 'bob@example.com', subject: 'About' } });
  return verifyMessage(new Uint8Array(msg.bytes), { anchors: [cert(pki.root)], intermediates: intermediates.map(cert), at: AT });
}

test('a signer whose certificate ends in 5 days: named, with the date; nothing for one far from its end', async () => {
  const soon = await pki.issue({ name: 'Frank Soon', email: 'frank@example.com', end: new Date(AT.getTime() + 5 * DAY + 3600_000) });
  const v = await verdictFor(soon);
  assert.equal(v.verdict, 'trusted', JSON.stringify(v.reasons));
  const about = aboutSigner(v, defaultPolicy(), AT);
  assert.equal(about.length, 1);
  assert.equal(about[0].code, 'expires-soon');
  assert.match(about[0].message, /The signer's certificate expires on 2026-06-06, in 5 days/);

  const later = await pki.issue({ name: 'Grace Later', email: 'grace@example.com' });
  assert.deepEqual(aboutSigner(await verdictFor(later), defaultPolicy(), AT), []);
  assert.deepEqual(aboutSigner(v, { expiryWarningDays: 3 }, AT), [], 'outside a 3-day warning period');
});

test('a CA certificate above the signer that ends soon is named too', async () => {
  const ca = await pki.issue({ name: 'Ending CA', ca: true, issuer: 'root', end: new Date(AT.getTime() + 12 * DAY) });
  const leaf = await pki.issue({ name: 'Hana Under', email: 'hana@example.com', issuer: ca, end: new Date(AT.getTime() + 11 * DAY) });
  const about = aboutSigner(await verdictFor(leaf, [ca]), defaultPolicy(), AT);
  assert.equal(about.length, 2, JSON.stringify(about));
  assert.match(about[1].message, /The CA certificate 'Ending CA' .* expires on 2026-06-13, in 12 days/);
});

// Online checks within bounds (issue 10, item 15): nothing fetched for a signer whose signature did not verify or from
// decrypted content no verified signature encloses; at most 8 requests per message; no redirect to another host; no
// private or loopback targets unless the policy's allowPrivateTargets says so. HTTP servers on 127.0.0.1 count hits.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as pkijs from 'pkijs';
import { makePki, smimeEncrypt, smimeSign, type IssuedCert, type Pki } from '../support/pki';
import { startHttp, type HttpFixture } from './online-servers';
import { createFetcher, FetchError, limitFetches } from '../../src/trust/fetcher';
import { isPrivateHost } from '../../src/trust/private-address';
import { verifyMessage } from '../../src/verify-message';
import { decryptMessage, importPkcs12 } from '../../src/index';
import { readFileSync } from 'node:fs';

let h: HttpFixture;
let pki: Pki;
let noisy: IssuedCert;
let noisyMore: IssuedCert[];
let bob: IssuedCert;
const hits = () => [...h.hits.values()].reduce((a, b) => a + b, 0);
const kindOf = (p: Promise<unknown>) => p.then(() => 'ok', (e) => (e instanceof FetchError ? e.kind : String(e)));
const loopback = () => createFetcher({ allowPrivateTargets: true, timeoutMs: 3000 });

before(async () => {
  h = await startHttp();
  pki = await makePki();
  // A signer whose certificate names 4 OCSP responders, 4 CRL distribution points and 4 caIssuers URLs, all 404.
  const urls = (kind: string) => [1, 2, 3, 4].map((i) => `URI:${h.url(`/${kind}${i}`)}`);
  const extraExt = [
    `authorityInfoAccess = ${[...urls('ocsp').map((u) => `OCSP;${u}`), ...urls('aia').map((u) => `caIssuers;${u}`)].join(',')}`,
    `crlDistributionPoints = ${urls('crl').join(',')}`,
  ].join('\n');
  noisy = await pki.issue({ name: 'Noisy Signer', email: 'noisy@example.com', extraExt });
  noisyMore = [await pki.issue({ name: 'Noisy Two', email: 'noisy@example.com', extraExt }), await pki.issue({ name: 'Noisy Three', email: 'noisy@example.com', extraExt })];
  bob = await pki.issue({ name: 'Bob Reader', email: 'bob@example.com' });
});
after(() => h.close());

function anchors() {
  return [pkijs.Certificate.fromBER(new Uint8Array(pki.root.certDer).slice().buffer as ArrayBuffer)];
}

test('private targets: a URL on loopback, a private network or link-local was fetched (refused unless allowPrivateTargets)', async () => {
  h.routes.set('/x', { body: new Uint8Array([0x30, 0]) });
  h.hits.clear();
  assert.equal(await kindOf(createFetcher().get(h.url('/x'))), 'private-target');
  assert.equal(hits(), 0);
  assert.equal(await kindOf(loopback().get(h.url('/x'))), 'ok');
  const host = (u: string) => new URL(u).hostname;
  for (const u of ['http://127.0.0.1/', 'http://0x7f.1/', 'http://localhost/', 'http://a.localhost/', 'http://10.1.2.3/', 'http://172.20.0.1/', 'http://192.168.1.1/', 'http://169.254.169.254/latest/meta-data', 'http://100.64.0.1/', 'http://0.0.0.0/', 'http://[::1]/', 'http://[::ffff:127.0.0.1]/', 'http://[fd00::1]/', 'http://[fe80::1]/']) {
    assert.equal(isPrivateHost(host(u)), true, u);
  }
  for (const u of ['http://8.8.8.8/', 'http://ocsp.example.com/', 'http://[2001:db8::1]/', 'http://172.32.0.1/', 'http://crl.10.example/']) {
    assert.equal(isPrivateHost(host(u)), false, u);
  }
});

test('redirects: a CA URL redirecting to another host was followed; the same host is still followed', async () => {
  h.routes.set('/x', { body: new Uint8Array([0x30, 0]) });
  h.routes.set('/elsewhere', (_q, _b, res) => void res.writeHead(302, { location: `http://localhost:${h.port}/x` }).end());
  h.routes.set('/same', (_q, _b, res) => void res.writeHead(302, { location: '/x' }).end());
  h.routes.set('/loop', (_q, _b, res) => void res.writeHead(302, { location: '/loop' }).end());
  h.hits.clear();
  const f = loopback();
  const e = await f.get(h.url('/elsewhere')).catch((x) => x);
  assert.ok(e instanceof FetchError && e.kind === 'redirect', String(e));
  assert.match(e.message, /redirected to another host \(localhost:\d+\), which is not followed/);
  assert.equal(h.hits.get('/x') ?? 0, 0);
  assert.deepEqual([...(await f.get(h.url('/same')))], [0x30, 0]);
  assert.equal(await kindOf(f.get(h.url('/loop'))), 'redirect');
  assert.ok((h.hits.get('/loop') ?? 0) <= 4);
});

test('fetch budget: one message made the reader send a request per URL of every certificate (now at most 8)', async () => {
  const budget = limitFetches(loopback(), 8);
  for (let i = 0; i < 8; i++) await budget.get(h.url('/nothing')).catch(() => undefined);
  assert.equal(await kindOf(budget.get(h.url('/nothing'))), 'limit');
  // Three signers, each naming 12 URLs: the message as a whole causes at most 8 requests.
  const msg = (await smimeSign({ signer: noisy, extraSigners: noisyMore, content: 'Content-Type: text/plain\r\n\r\nhi\r\n' })).bytes;
  h.hits.clear();
  const v = await verifyMessage(msg, { anchors: anchors(), fetcher: loopback(), revocation: 'soft' });
  assert.equal(v.signature, 'valid');
  assert.ok(hits() <= 8, `${hits()} requests: ${JSON.stringify([...h.hits])}`);
  assert.ok(hits() > 0);
});

test('online checks ran for a signer whose signature did not verify', async () => {
  const good = (await smimeSign({ signer: noisy, content: 'Content-Type: text/plain\r\n\r\npay 10\r\n' })).bytes.toString('latin1');
  const tampered = Buffer.from(good.replace('pay 10', 'pay 99'), 'latin1');
  h.hits.clear();
  const v = await verifyMessage(tampered, { anchors: anchors(), fetcher: loopback(), revocation: 'soft' });
  assert.equal(v.signature, 'invalid');
  assert.equal(hits(), 0, JSON.stringify([...h.hits]));
});

test('online checks ran for content decrypted from a message whose outer layer is not signed', async () => {
  const inner = (await smimeSign({ signer: noisy, content: 'Content-Type: text/plain\r\n\r\nsecret\r\n', headers: { from: 'noisy@example.com', to: 'bob@example.com', subject: 's' } })).bytes;
  const enc = await smimeEncrypt({ content: inner, recipients: [bob], headers: { from: 'noisy@example.com', to: 'bob@example.com', subject: 's' } });
  const id = await importPkcs12(new Uint8Array(readFileSync(await bob.makeP12('pw'))), 'pw');
  assert.ok(id.ok);
  h.hits.clear();
  const r = await decryptMessage(enc.bytes, id.identity, { anchors: anchors(), fetcher: loopback(), revocation: 'soft' });
  assert.equal(r.verdict.decrypted, true);
  assert.equal(r.verdict.signature, 'valid');
  assert.equal(hits(), 0, JSON.stringify([...h.hits]));
  const note = r.verdict.reasons.find((x) => x.code === 'revocation-not-checked');
  assert.ok(note, JSON.stringify(r.verdict.reasons.map((x) => x.code)));
  assert.match(note.message, /decrypted from a message whose outer layer is not signed/);
  // The same signed message received in the clear is checked online.
  h.hits.clear();
  await verifyMessage(inner, { anchors: anchors(), fetcher: loopback(), revocation: 'soft' });
  assert.ok(hits() > 0);
});

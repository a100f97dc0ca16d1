// The fetch-based TrustFetcher: http(s) only, size and time bounds, HTTP errors, and the Outlook proxy form.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createFetcher, FetchError } from '../../src/trust/fetcher';
import { startHttp, type HttpFixture } from './online-servers';

let h: HttpFixture;
before(async () => {
  h = await startHttp();
  h.routes.set('/small', { body: new Uint8Array([1, 2, 3]) });
  h.routes.set('/big', { body: new Uint8Array(70_000) });
  h.routes.set('/slow', () => undefined); // never answers
  h.routes.set('/chunked', (_req, _body, res) => {
    res.writeHead(200); // no content-length: the limit must hold while streaming
    for (let i = 0; i < 20; i++) res.write(Buffer.alloc(10_000));
    res.end();
  });
  h.routes.set('/echo', (req, body, res) => res.writeHead(200).end(Buffer.concat([Buffer.from(`${req.headers['content-type']}|`), body])));
  h.routes.set('/proxy', (req, body, res) => res.writeHead(200).end(Buffer.from(`proxied ${new URL(req.url!, 'http://x').searchParams.get('url')} ${body.length}`)));
});
after(() => h?.close());

const kindOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof FetchError ? e.kind : `other: ${String(e)}`;
  }
};

test('fetcher: bounds and failures are typed', async () => {
  // The short timeout only where a timeout is the point: on a loaded machine 500 ms can pass before any answer.
  const f = createFetcher({ maxBytes: 65_536, allowPrivateTargets: true });
  assert.deepEqual([...(await f.get(h.url('/small')))], [1, 2, 3]);
  assert.equal(await kindOf(f.get(h.url('/big'))), 'too-large');
  assert.equal(await kindOf(f.get(h.url('/chunked'))), 'too-large');
  assert.equal(await kindOf(createFetcher({ timeoutMs: 500, allowPrivateTargets: true }).get(h.url('/slow'))), 'timeout');
  assert.equal(await kindOf(f.get(h.url('/missing'))), 'http-status');
  assert.equal(await kindOf(f.get('file:///etc/passwd')), 'bad-url');
  assert.equal(await kindOf(f.get('ldap://ldap.example/cn=CA')), 'bad-url');
  assert.equal(await kindOf(f.get('http://user:pw@127.0.0.1/')), 'bad-url');
  const echoed = new TextDecoder().decode(await f.post(h.url('/echo'), new Uint8Array([0x30, 0]), 'application/ocsp-request'));
  assert.equal(echoed, 'application/ocsp-request|0\u0000');
});

test('fetcher: a proxy URL carries the target; the CORS hint appears only where asked and no proxy is set', async () => {
  const viaQuery = createFetcher({ proxyUrl: h.url('/proxy') });
  assert.equal(new TextDecoder().decode(await viaQuery.get('http://ca.example/int.crt')), 'proxied http://ca.example/int.crt 0');
  const viaTemplate = createFetcher({ proxyUrl: `${h.url('/proxy')}?url={url}` });
  assert.equal(new TextDecoder().decode(await viaTemplate.post('http://ocsp.example/', new Uint8Array(5), 'application/ocsp-request')), 'proxied http://ocsp.example/ 5');
  const dead = 'http://127.0.0.1:1/x';
  const hinted = await createFetcher({ corsHint: true, allowPrivateTargets: true }).get(dead).catch((e: Error) => e.message);
  assert.match(String(hinted), /^could not reach 127\.0\.0\.1:1 \(.+\): the Outlook task pane can reach CA servers only through a proxy on the add-in's own origin, set as proxyUrl in policy\.json$/);
  const plain = await createFetcher({ allowPrivateTargets: true }).get(dead).catch((e: Error) => e.message);
  assert.doesNotMatch(String(plain), /proxy/);
  // With a proxy, the hint would be wrong: failures name the proxy instead.
  const viaDead = await createFetcher({ corsHint: true, proxyUrl: 'http://127.0.0.1:1/ca-proxy' }).get('http://ca.example/x').catch((e: Error) => e.message);
  assert.match(String(viaDead), /^could not reach ca\.example through the proxy at http:\/\/127\.0\.0\.1:1: /);
  const proxied404 = await createFetcher({ proxyUrl: h.url('/no-such-proxy') }).get('http://ca.example/x').catch((e: Error) => e.message);
  assert.equal(proxied404, 'the proxy answered HTTP 404 for ca.example');
});

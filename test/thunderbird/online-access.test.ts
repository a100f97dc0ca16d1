// Which network the Thunderbird background gives the core (addin-thunderbird/online-access.ts): none when online
// checks are off; the real fetch when the host permission is granted; otherwise a fetcher that sends nothing and
// says why — checked against a loopback server that counts requests.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FetchError } from '../../src/index';
import { fetcherFor, NO_ACCESS, ONLINE_ORIGINS } from '../../addin-thunderbird/online-access';
import { ROOT } from '../support/corpus';
import { startHttp, type HttpFixture } from '../trust/online-servers';

let http: HttpFixture;
before(async () => {
  http = await startHttp();
  http.routes.set('/x.der', { body: new Uint8Array([0x30, 0x00]) });
});
after(async () => {
  await http?.close();
});

test('online off: no fetcher at all (offline, the default)', () => {
  assert.equal(fetcherFor({ online: false }, true, fetch), undefined);
});

test('online on and granted: the background fetch reaches the server', async () => {
  const f = fetcherFor({ online: true, allowPrivateTargets: true }, true, fetch)!;
  assert.deepEqual([...(await f.get(http.url('/x.der')))], [0x30, 0x00]);
  assert.equal(http.hits.get('/x.der'), 1);
});

test('online on but not granted: nothing is sent, and the failure says why', async () => {
  const f = fetcherFor({ online: true }, false, fetch)!;
  const before = http.hits.get('/x.der') ?? 0;
  for (const p of [f.get(http.url('/x.der')), f.post(http.url('/x.der'), new Uint8Array([1]), 'application/ocsp-request')]) {
    await assert.rejects(p, (e: unknown) => e instanceof FetchError && e.message === NO_ACCESS);
  }
  assert.equal(http.hits.get('/x.der') ?? 0, before);
});

test('the origins asked for are exactly the manifest optional_host_permissions', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'manifests', 'thunderbird', 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.optional_host_permissions, ONLINE_ORIGINS);
  assert.equal(manifest.host_permissions, undefined, 'nothing granted at install');
});

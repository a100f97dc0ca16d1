/**
 * scripts/serve.mjs's static handler (used by `npm start` and the e2e harness): serves files under its root with
 * their types, "/" is the playground, and nothing outside the root is reachable.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { type Server, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { staticHandler } from '../../scripts/serve.mjs';

let server: Server;
let port = 0;
const root = mkdtempSync(join(tmpdir(), 'serve-'));
mkdirSync(join(root, 'public'));
writeFileSync(join(root, 'secret.txt'), 'outside the served root');
writeFileSync(join(root, 'public', 'playground.html'), '<!doctype html><title>p</title>');
writeFileSync(join(root, 'public', 'taskpane.js'), 'void 0;');

function get(path: string): Promise<{ status: number; type?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

before(async () => {
  server = createServer(staticHandler(join(root, 'public')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('serves files with their content type; "/" is the playground', async () => {
  const js = await get('/taskpane.js');
  assert.equal(js.status, 200);
  assert.match(js.type ?? '', /^text\/javascript/);
  const home = await get('/');
  assert.equal(home.status, 200);
  assert.match(home.body, /<title>p<\/title>/);
});

test('nothing outside the root: traversal, encoded traversal, missing files', async () => {
  for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/public/../../secret.txt']) {
    const r = await get(p);
    assert.ok(r.status === 403 || r.status === 404, `${p}: ${r.status}`);
    assert.ok(!r.body.includes('outside the served root'), p);
  }
  assert.equal((await get('/nope.html')).status, 404);
  assert.equal((await get('/%E0%A4%A')).status, 400);
});

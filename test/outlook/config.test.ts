/**
 * addin-outlook/config.ts: Graph is configured only by a well-formed config.json; endpoints must be HTTPS
 * (plain HTTP only on loopback, for the tests' stand-in), so a tampered config cannot send tokens elsewhere in clear.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptableEndpoint, parseConfig } from '../../addin-outlook/config';

test('no or malformed config: no Graph', () => {
  assert.deepEqual(parseConfig(undefined), {});
  assert.deepEqual(parseConfig({}), {});
  assert.deepEqual(parseConfig({ graph: { clientId: 'not a guid!' } }), {});
  assert.deepEqual(parseConfig({ graph: 'x' }), {});
});

test('defaults for authority and Graph root; trailing slashes dropped', () => {
  assert.deepEqual(parseConfig({ graph: { clientId: 'c0ffee00-0000-4000-8000-000000000001' } }), {
    graph: { clientId: 'c0ffee00-0000-4000-8000-000000000001', authority: 'https://login.microsoftonline.com/common', baseUrl: 'https://graph.microsoft.com/v1.0' },
  });
  assert.equal(parseConfig({ graph: { clientId: 'c0ffee00-0000-4000-8000-000000000001', baseUrl: 'https://graph.microsoft.us/v1.0/' } }).graph?.baseUrl, 'https://graph.microsoft.us/v1.0');
});

test('only HTTPS endpoints, or HTTP on loopback', () => {
  assert.ok(acceptableEndpoint('https://graph.microsoft.com/v1.0'));
  assert.ok(acceptableEndpoint('http://127.0.0.1:1234/graph'));
  assert.ok(!acceptableEndpoint('http://graph.example.com/v1.0'));
  assert.ok(!acceptableEndpoint('javascript:alert(1)'));
  assert.ok(!acceptableEndpoint('not a url'));
  // An insecure base falls back to the real Graph instead of being used.
  assert.equal(parseConfig({ graph: { clientId: 'c0ffee00-0000-4000-8000-000000000001', baseUrl: 'http://evil.example/v1.0' } }).graph?.baseUrl, 'https://graph.microsoft.com/v1.0');
});

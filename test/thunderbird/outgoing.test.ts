// addin-thunderbird/outgoing.ts: ComposeDetails mapped onto the core's OutgoingMessage, and the host helpers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMessage } from '../../src/index';
import { decodeHeaderValue, getHeader, parseMime } from '../../src/mime/index';
import { addressOf, outgoingMessage, threadOf, toBinaryString } from '../../addin-thunderbird/outgoing';

test('ComposeDetails → OutgoingMessage: "Name <addr>" strings parsed, HTML only for HTML mail', () => {
  const d = {
    from: 'Zoë Example <zoe@example.com>',
    subject: 'Grüße',
    plainTextBody: 'Hello\n',
    body: '<p>Hello</p>',
    isPlainText: false,
  };
  const m = outgoingMessage(d, ['Bob <bob@example.com>', '"Doe, Jane" <jane@example.com>'], ['carol@example.com'], []);
  assert.deepEqual(m.from, { name: 'Zoë Example', address: 'zoe@example.com' });
  assert.deepEqual(m.to, [{ name: 'Bob', address: 'bob@example.com' }, { name: 'Doe, Jane', address: 'jane@example.com' }]);
  assert.deepEqual(m.cc, [{ address: 'carol@example.com' }]);
  assert.equal(m.html, '<p>Hello</p>');
  assert.equal(outgoingMessage({ ...d, isPlainText: true }, ['bob@example.com'], [], []).html, undefined);
  const r = buildMessage(m);
  assert.ok(r.ok);
  const p = parseMime(r.message);
  assert.ok(p.ok);
  assert.equal(decodeHeaderValue(getHeader(p.root, 'from')), 'Zoë Example <zoe@example.com>');
  assert.equal(getHeader(p.root, 'to'), '"Bob" <bob@example.com>, "Doe, Jane" <jane@example.com>');
});

test('a recipient that is not an address is refused by the core in words', () => {
  const r = buildMessage(outgoingMessage({ from: 'a@example.com' }, ['Bob <bob@example'], [], []));
  assert.ok(!r.ok);
  assert.match(r.error.message, /^"bob@example" is not an e-mail address/);
});

test('helpers: bare addresses, binary strings', () => {
  assert.equal(addressOf('Bob <Bob@Example.com>'), 'bob@example.com');
  assert.equal(addressOf(' carol@example.com '), 'carol@example.com');
  const b = new Uint8Array([0, 13, 10, 200, 255]);
  assert.deepEqual([...toBinaryString(b)].map((c) => c.charCodeAt(0)), [...b]);
  const big = new Uint8Array(100_000).map((_, i) => i & 0xff);
  assert.equal(toBinaryString(big).length, big.length);
});

test('a reply threads: In-Reply-To and References from the message replied to; Reply-To as typed; new messages and forwards do not', async () => {
  const messages = {
    get: async (id: number) => ({ id, subject: 's', author: 'a', size: 1, headerMessageId: 'orig@example.com' }),
    getFull: async () => ({ headers: { references: ['<first@example.com> <second@example.com>'] } }),
  };
  assert.deepEqual(await threadOf(messages, { type: 'reply', relatedMessageId: 7 }), {
    inReplyTo: 'orig@example.com',
    references: ['<first@example.com>', '<second@example.com>', 'orig@example.com'],
  });
  assert.deepEqual(await threadOf(messages, { type: 'forward', relatedMessageId: 7 }), {});
  assert.deepEqual(await threadOf(messages, { type: 'new' }), {});
  // The message replied to is gone: no threading, no error.
  assert.deepEqual(await threadOf({ ...messages, get: async () => Promise.reject(new Error('gone')) }, { type: 'reply', relatedMessageId: 7 }), {});
  const m = outgoingMessage({ from: 'a@example.com', replyTo: ['Team <team@example.com>', { id: 'c1', type: 'contact' }] }, ['b@example.com'], [], []);
  assert.deepEqual(m.replyTo, [{ name: 'Team', address: 'team@example.com' }]);
  const r = buildMessage({ ...m, ...(await threadOf(messages, { type: 'reply', relatedMessageId: 7 })) });
  assert.ok(r.ok);
  const p = parseMime(r.message);
  assert.ok(p.ok);
  assert.equal(getHeader(p.root, 'in-reply-to'), '<orig@example.com>');
  assert.equal(getHeader(p.root, 'references'), '<first@example.com> <second@example.com> <orig@example.com>');
});

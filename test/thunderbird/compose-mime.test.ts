// The MIME the add-on builds from compose details, read back with the core's own parser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { bodyText, decodeHeaderValue, getHeader, parseMime, walkEntities } from '../../src/mime/index';
import { buildMessage, encodeAddress, encodeHeaderText, newMessageId, toBinaryString, addressOf } from '../../addin-thunderbird/compose-mime';

const random = (n: number) => webcrypto.getRandomValues(new Uint8Array(n));
const base = {
  from: 'Zoë Example <zoe@example.com>',
  to: ['Bob <bob@example.com>', 'carol@example.com'],
  cc: [],
  subject: 'Grüße — quarterly numbers, a long subject that needs more than one encoded word to stay short',
  text: 'Hello Bob,\nline two ends with spaces   \nFrom the start of a line.\n.\n',
  attachments: [],
  date: new Date(Date.UTC(2024, 0, 15, 10, 30)),
  messageId: '<m1@example.com>',
  random,
};

test('plain text message: CRLF, RFC 2047 subject and name, quoted-printable body that decodes to the text', () => {
  const bytes = buildMessage(base);
  const s = Buffer.from(bytes).toString('latin1');
  assert.ok(!/[^\r]\n/.test(s), 'CRLF only');
  assert.ok(s.split('\r\n').every((l) => l.length <= 998));
  const p = parseMime(bytes);
  assert.ok(p.ok);
  if (!p.ok) return;
  assert.equal(decodeHeaderValue(getHeader(p.root, 'subject')), base.subject);
  assert.match(decodeHeaderValue(getHeader(p.root, 'from')) ?? '', /Zoë Example <zoe@example.com>/);
  assert.equal(p.root.contentType.mediaType, 'text/plain');
  assert.equal(bodyText(p.root), base.text.replace(/\n/g, '\r\n'));
});

test('HTML with an attachment: multipart/mixed of multipart/alternative and the attachment bytes', () => {
  const data = random(3000);
  const bytes = buildMessage({ ...base, html: '<p>Hello <b>Bob</b></p>', attachments: [{ name: 'numbers.bin', type: 'application/octet-stream', data }] });
  const p = parseMime(bytes);
  assert.ok(p.ok);
  if (!p.ok) return;
  const types = [...walkEntities(p.root)].map((e) => e.contentType.mediaType);
  assert.deepEqual(types, ['multipart/mixed', 'multipart/alternative', 'text/plain', 'text/html', 'application/octet-stream']);
});

test('helpers: header encoding, addresses, message ids, binary strings', () => {
  assert.equal(encodeHeaderText('plain ascii'), 'plain ascii');
  assert.match(encodeHeaderText('Grüße'), /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
  assert.equal(encodeAddress('Bob <bob@example.com>'), '"Bob" <bob@example.com>');
  assert.equal(encodeAddress('bob@example.com'), 'bob@example.com');
  assert.equal(addressOf('Bob <Bob@Example.com>'), 'bob@example.com');
  assert.match(newMessageId('Bob <bob@example.com>', random), /^<[0-9a-f]{32}@example\.com>$/);
  const b = new Uint8Array([0, 13, 10, 200, 255]);
  assert.deepEqual([...toBinaryString(b)].map((c) => c.charCodeAt(0)), [...b]);
});

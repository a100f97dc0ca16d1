/**
 * src/compose/protect-headers.ts: RFC 9788 §5.2 Compose on its own (no crypto): which fields go into the payload,
 * what the header confidentiality policy puts outside, the HP-Outer records, and where legacy display elements go
 * (main body parts only, escaped, one line per field). The signed/encrypted results are checked against OpenSSL in
 * test/interop/openssl-header-protection.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildMessage, type OutgoingMessage } from '../../src/index';
import { formatHeaderLines, splitMessage } from '../../src/compose/headers';
import { protectHeaders } from '../../src/compose/protect-headers';
import { bodyText, getHeader, getHeaders, parseMime, walkEntities, type MimeEntity } from '../../src/mime/index';
import { prng } from '../support/messages';

const DATE = new Date(Date.UTC(2026, 10, 25, 20, 0, 0));
function seeded(seed = 1) {
  const r = prng(seed);
  return (n: number) => Uint8Array.from({ length: n }, () => r.int(256));
}
const enc = new TextEncoder();
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function message(over: Partial<OutgoingMessage> = {}): Uint8Array {
  const r = buildMessage(
    {
      from: { name: 'Alice Example', address: 'alice@example.com' },
      to: [{ name: 'Bob', address: 'bob@example.com' }],
      cc: [{ name: 'Zoë Ünal', address: 'zoe@example.com' }],
      subject: 'Quarterly figures',
      text: 'Hello Bob,\nsee the attachment.\n',
      html: '<html><head><title>x</title></head><body class="m"><p>Hello Bob</p></body></html>',
      attachments: [{ name: 'notes.txt', contentType: 'text/plain', bytes: enc.encode('attached text, not a body part\r\n') }],
      ...over,
    },
    { date: DATE, random: seeded() },
  );
  assert.ok(r.ok);
  return r.message;
}

function protect(raw: Uint8Array, mode: 'clear' | 'cipher', policy: 'baseline' | 'none' = 'baseline') {
  const { outer, inner } = splitMessage(raw);
  const r = protectHeaders(outer, inner, mode, policy);
  const p = parseMime(r.inner);
  assert.ok(p.ok);
  return { outer: latin1(formatHeaderLines(r.outer)), payload: p.root, inner: r.inner };
}

const leaves = (root: MimeEntity) => [...walkEntities(root)].filter((e) => e.children.length === 0);

test('signed only: the payload carries every message field and hp="clear"; nothing outside changes; no HP-Outer', () => {
  const raw = message();
  const { outer, payload } = protect(raw, 'clear');
  const before = latin1(formatHeaderLines(splitMessage(raw).outer));
  assert.equal(outer, before);
  assert.equal(payload.contentType.params.hp, 'clear');
  const original = parseMime(raw);
  assert.ok(original.ok);
  for (const f of ['from', 'to', 'cc', 'subject', 'date', 'message-id']) assert.equal(getHeader(payload, f), getHeader(original.root, f), f);
  assert.equal(getHeaders(payload, 'hp-outer').length, 0);
  assert.ok(leaves(payload).every((e) => e.contentType.params['hp-legacy-display'] === undefined));
});

test('encrypted mail shows its Subject to every relay: with hcp_baseline the outer Subject is [...] and the real one inside', () => {
  const { outer, payload } = protect(message(), 'cipher');
  assert.match(outer, /^Subject: \[\.\.\.\]\r$/m);
  assert.doesNotMatch(outer, /Quarterly/);
  assert.equal(getHeader(payload, 'subject'), 'Quarterly figures');
  assert.equal(payload.contentType.params.hp, 'cipher');
  // HP-Outer records exactly what went outside (RFC 9788 §2.2), Subject as [...].
  const records = getHeaders(payload, 'hp-outer');
  assert.ok(records.includes('Subject: [...]'), records.join('|'));
  for (const f of ['From', 'To', 'Cc', 'Date', 'Message-ID']) assert.ok(records.some((r) => r.startsWith(`${f}: `)), f);
  assert.equal(records.length, 6);
});

test('hcp_no_confidentiality ("none"): everything outside as it was, HP-Outer for each field, no legacy display element', () => {
  const raw = message();
  const { outer, payload } = protect(raw, 'cipher', 'none');
  assert.equal(outer, latin1(formatHeaderLines(splitMessage(raw).outer)));
  assert.equal(payload.contentType.params.hp, 'cipher');
  assert.ok(getHeaders(payload, 'hp-outer').includes('Subject: Quarterly figures'));
  assert.ok(leaves(payload).every((e) => e.contentType.params['hp-legacy-display'] === undefined));
});

test('legacy display element: in the text and the HTML main body parts only, never in an attached text file', () => {
  const { payload } = protect(message(), 'cipher');
  const [text, html, attached] = leaves(payload);
  assert.equal(text.contentType.params['hp-legacy-display'], '1');
  assert.ok(bodyText(text).startsWith('Subject: Quarterly figures\r\n\r\nHello Bob,'), bodyText(text));
  assert.equal(html.contentType.params['hp-legacy-display'], '1');
  // RFC 9788 §5.2.3: the <div> is the first child of <body>; the <body> tag's attributes stay.
  assert.match(bodyText(html), /<body class="m">\r\n<div class="header-protection-legacy-display">\r\n<pre>Subject: Quarterly figures<\/pre><\/div>\r\n<p>Hello Bob<\/p>/);
  assert.equal(attached.contentType.params['hp-legacy-display'], undefined);
  assert.equal(bodyText(attached), 'attached text, not a body part\r\n');
  // The hp parameter is only on the payload's root (RFC 9788 §5).
  assert.ok(leaves(payload).every((e) => e.contentType.params.hp === undefined));
});

test('a Subject with HTML, encoded line breaks and non-ASCII is escaped in HTML and kept on one line in text', () => {
  const subject = 'Fwd: <script>alert(1)</script> & "Grüße"\u2028second line';
  const { payload } = protect(message({ subject }), 'cipher');
  const [text, html] = leaves(payload);
  const first = bodyText(text).split('\r\n\r\n')[0];
  assert.equal(first, 'Subject: Fwd: <script>alert(1)</script> & "Grüße" second line');
  assert.match(bodyText(html), /<pre>Subject: Fwd: &lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; &quot;Grüße&quot; second line<\/pre>/);
  assert.equal(text.contentType.params.charset, 'utf-8');
});

test('only the first part of a multipart/mixed is a main body part; text-only messages get the element in their root', () => {
  const { payload } = protect(message({ html: undefined, attachments: [] }), 'cipher');
  assert.equal(payload.contentType.mediaType, 'text/plain');
  assert.equal(payload.contentType.params['hp-legacy-display'], '1');
  assert.equal(payload.contentType.params.hp, 'cipher');
  assert.ok(bodyText(payload).startsWith('Subject: Quarterly figures\r\n\r\n'));
  assert.equal(getHeader(payload, 'subject'), 'Quarterly figures');
});

test('a body in another charset is re-encoded as UTF-8; an unknown charset is left without the element', () => {
  const head = 'From: a@example.com\r\nTo: b@example.com\r\nSubject: Caf\u00e9\r\nMIME-Version: 1.0\r\n';
  const latin = Buffer.concat([Buffer.from(`${head}Content-Type: text/plain; charset=iso-8859-1; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`, 'latin1'), Buffer.from('Gr\u00fc\u00dfe\r\n', 'latin1')]);
  const a = protect(new Uint8Array(latin), 'cipher').payload;
  assert.equal(a.contentType.params.charset, 'utf-8');
  assert.equal(a.contentType.params.format, 'flowed');
  assert.equal(bodyText(a), 'Subject: Caf\u00e9\r\n\r\nGr\u00fc\u00dfe\r\n');
  const odd = new Uint8Array(Buffer.from(`${head}Content-Type: text/plain; charset=x-unheard-of\r\n\r\nhello\r\n`, 'latin1'));
  const b = protect(odd, 'cipher').payload;
  assert.equal(b.contentType.params['hp-legacy-display'], undefined);
  assert.equal(b.contentType.params.hp, 'cipher');
});

test('Comments and Keywords are left out under baseline and shown in the legacy display element; trace fields are not copied in', () => {
  const raw = new Uint8Array(
    Buffer.from(
      'Received: from relay.example by mx.example; Wed, 25 Nov 2026 20:00:00 +0000\r\nFrom: a@example.com\r\nTo: b@example.com\r\nSubject: s\r\nKeywords: merger, secret\r\nComments: draft 3\r\nContent-Type: text/plain; hp=clear; charset=us-ascii\r\n\r\nbody\r\n',
      'latin1',
    ),
  );
  const { outer, payload } = protect(raw, 'cipher');
  assert.doesNotMatch(outer, /Keywords|Comments|merger/);
  assert.match(outer, /^Received: /);
  assert.equal(getHeader(payload, 'received'), undefined);
  assert.equal(getHeader(payload, 'keywords'), 'merger, secret');
  assert.ok(bodyText(payload).startsWith('Subject: s\r\nKeywords: merger, secret\r\nComments: draft 3\r\n\r\nbody'));
  assert.deepEqual(getHeaders(payload, 'hp-outer'), ['From: a@example.com', 'To: b@example.com', 'Subject: [...]']);
  // An hp parameter already there (a message re-signed) is replaced, not doubled.
  assert.equal(getHeader(payload, 'content-type')!.match(/hp=/g)!.length, 1);
  assert.equal(payload.contentType.params.hp, 'cipher');
});

test('a long To folds in HP-Outer as it was folded outside; a bare entity without message fields is left alone', () => {
  const to = Array.from({ length: 6 }, (_, i) => ({ name: `Person ${i}`, address: `person${i}@example.com` }));
  const { payload, inner } = protect(message({ to }), 'cipher');
  const rec = getHeaders(payload, 'hp-outer').find((r) => r.startsWith('To: '))!;
  assert.equal(rec.match(/@example\.com/g)!.length, 6);
  for (const line of latin1(inner).split('\r\n\r\n')[0].split('\r\n')) assert.ok(line.length <= 998);
  const bare = enc.encode('Content-Type: text/plain\r\n\r\nhi\r\n');
  const r = protectHeaders([], bare, 'cipher');
  assert.equal(r.inner, bare);
});

test('HTML full of unclosed "<body" tags does not make the legacy display element quadratic; a 30 MB message is protected in bounded time', () => {
  const html = '<p>x</p>' + '<body '.repeat(300_000);
  let t = performance.now();
  const { payload } = protect(message({ html, attachments: [] }), 'cipher');
  const hostile = performance.now() - t;
  assert.ok(bodyText(leaves(payload)[1]).startsWith('<div class="header-protection-legacy-display">'), 'no usable <body> tag: the element goes first');
  assert.ok(hostile < 5000, `${Math.round(hostile)} ms for 300,000 unclosed <body tags`);
  const big = message({ attachments: [{ name: 'big.bin', contentType: 'application/octet-stream', bytes: new Uint8Array(30 * 1024 * 1024).fill(7) }] });
  t = performance.now();
  const { inner } = protect(big, 'cipher');
  const large = performance.now() - t;
  assert.ok(inner.length > big.length, 'the attachment is all there');
  assert.ok(large < 15000, `${Math.round(large)} ms for a ${Math.round(big.length / 1048576)} MB message`);
  console.log(`# protectHeaders: 300,000 unclosed <body tags ${Math.round(hostile)} ms; ${Math.round(big.length / 1048576)} MB message ${Math.round(large)} ms`);
});

test('a reply\'s Reply-To, In-Reply-To and References are protected with the rest (and stay outside: threading needs them)', () => {
  const raw = message({ replyTo: [{ address: 'team@example.com' }], inReplyTo: '<orig@example.com>', references: ['<first@example.com>', '<orig@example.com>'] });
  const { outer, payload } = protect(raw, 'cipher');
  assert.equal(getHeader(payload, 'reply-to'), 'team@example.com');
  assert.equal(getHeader(payload, 'in-reply-to'), '<orig@example.com>');
  assert.equal(getHeader(payload, 'references'), '<first@example.com> <orig@example.com>');
  assert.match(outer, /^In-Reply-To: <orig@example\.com>\r$/m);
  const records = getHeaders(payload, 'hp-outer');
  for (const f of ['Reply-To', 'In-Reply-To', 'References']) assert.ok(records.some((r) => r.startsWith(`${f}: `)), f);
});

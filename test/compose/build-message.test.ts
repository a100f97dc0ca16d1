/**
 * src/compose/build-message.ts: what the user wrote becomes one well-formed message for both hosts (encoded
 * words, folding, RFC 2231 file names, multipart structure, inline parts), bad input is refused in one sentence,
 * the core signs and encrypts the result so that `openssl cms` verifies and decrypts it, and our own MIME parser
 * reads back the same text, HTML and attachment bytes. Cases of the former Outlook (draft-mime) and Thunderbird
 * (compose-mime) builders' tests are all here.
 */
import assert from 'node:assert/strict';
import { webcrypto } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  MAX_ATTACHMENTS,
  MAX_MESSAGE_BYTES,
  buildMessage,
  encodeWords,
  encryptMessage,
  importPkcs12,
  mailboxesOf,
  signMessage,
  validAddress,
  type BuildMessageResult,
  type OutgoingMessage,
} from '../../src/index';
import { canonicalEntity } from '../../src/compose/canonical';
import { splitMessage } from '../../src/compose/headers';
import { bodyText, contentDisposition, decodeBody, decodeHeaderValue, filenameOf, getHeader, parseAddressList, parseMime, walkEntities, type MimeEntity } from '../../src/mime/index';
import { deterministicBytes, prng } from '../support/messages';
import { makePki, opensslDecrypt, opensslVerify } from '../support/pki';

/** A deterministic "random" source: the same message twice for the same seed (tests only; hosts use WebCrypto). */
function seeded(seed = 1) {
  const r = prng(seed);
  return (n: number) => Uint8Array.from({ length: n }, () => r.int(256));
}
const DATE = new Date(Date.UTC(2026, 10, 25, 20, 0, 0));
const opts = () => ({ date: DATE, random: seeded() });

const message = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  from: { name: 'Alice Example', address: 'alice@example.com' },
  to: [{ name: 'Bob', address: 'bob@example.com' }],
  cc: [{ name: 'Zoë Ünal', address: 'zoe@example.com' }],
  subject: 'Grüße — quarterly figures',
  text: 'Hello Bob,\nsee the attachment.\n',
  html: '<p>Hello Bob,<br>see the attachment.</p>',
  attachments: [{ name: 'zahlen-ä.bin', contentType: 'application/octet-stream', bytes: deterministicBytes(5000, 3) }],
  ...over,
});

function built(r: BuildMessageResult): Uint8Array {
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.message;
}
const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

function parsed(bytes: Uint8Array): MimeEntity {
  const p = parseMime(bytes);
  assert.ok(p.ok);
  return p.root;
}
const leaves = (root: MimeEntity) => [...walkEntities(root)].filter((e) => e.children.length === 0);
const utf8 = (b: Uint8Array) => Buffer.from(b).toString('utf8');

function assertWellFormed(m: string): void {
  assert.doesNotMatch(m.replace(/\r\n/g, ''), /\n|\r/, 'no bare CR or LF');
  for (const line of m.split('\r\n')) assert.ok(line.length <= 998, 'line length within RFC 5322');
}

test('structure: mixed(alternative(text, html), attachment), encoded words, RFC 2231 names, Date, Message-ID, CRLF only', () => {
  const r = buildMessage(message(), opts());
  const m = latin1(built(r));
  assert.match(m, /^From: "Alice Example" <alice@example\.com>\r\n/);
  assert.match(m, /\r\nTo: "Bob" <bob@example\.com>\r\n/);
  assert.match(m, /\r\nCc: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <zoe@example\.com>\r\n/);
  assert.match(m, /\r\nDate: Wed, 25 Nov 2026 20:00:00 \+0000\r\n/);
  assert.ok(r.ok);
  assert.match(r.messageId, /^<[0-9a-f]{32}@example\.com>$/);
  assert.ok(m.includes(`\r\nMessage-ID: ${r.messageId}\r\n`));
  assert.match(m, /\r\nMIME-Version: 1\.0\r\nContent-Type: multipart\/mixed; boundary="----=_part_[0-9a-f]{24}"\r\n/);
  assert.match(m, /Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: 7bit\r\n\r\nHello Bob,\r\nsee the attachment\.\r\n/);
  assert.match(m, /filename="zahlen-_\.bin";(?: |\r\n )filename\*=utf-8''zahlen-%C3%A4\.bin/);
  assertWellFormed(m);
  const root = parsed(r.message);
  assert.equal(decodeHeaderValue(getHeader(root, 'subject')), 'Grüße — quarterly figures');
  assert.equal(decodeHeaderValue(getHeader(root, 'cc')), 'Zoë Ünal <zoe@example.com>');
  assert.deepEqual(
    [...walkEntities(root)].map((e) => e.contentType.mediaType),
    ['multipart/mixed', 'multipart/alternative', 'text/plain', 'text/html', 'application/octet-stream'],
  );
  const [text, html, att] = leaves(root);
  assert.equal(bodyText(text), 'Hello Bob,\r\nsee the attachment.\r\n');
  assert.equal(bodyText(html), '<p>Hello Bob,<br>see the attachment.</p>');
  assert.deepEqual(decodeBody(att), new Uint8Array(message().attachments[0].bytes));
  assert.equal(filenameOf(att), 'zahlen-ä.bin');
  assert.equal(contentDisposition(att).type, 'attachment');
});

test('text-only message is a single text/plain part', () => {
  const m = latin1(built(buildMessage(message({ html: undefined, attachments: [] }), opts())));
  assert.match(m, /\r\nMIME-Version: 1\.0\r\nContent-Type: text\/plain; charset=utf-8\r\n/);
  assert.doesNotMatch(m, /multipart/);
});

test('the same random source gives the same bytes; boundaries and Message-ID come from it', () => {
  const a = built(buildMessage(message(), opts()));
  const b = built(buildMessage(message(), opts()));
  assert.deepEqual(a, b);
  const c = built(buildMessage(message(), { date: DATE, random: seeded(2) }));
  assert.notDeepEqual(a, c);
  const byWebCrypto = buildMessage(message(), { date: DATE });
  assert.ok(byWebCrypto.ok && byWebCrypto.messageId !== (buildMessage(message(), { date: DATE }) as { messageId: string }).messageId);
});

test('plain text: quoted-printable when 7bit is unsafe (UTF-8, trailing spaces, "From "), decodes back to the text', () => {
  const text = 'Hello Bob,\nline two ends with spaces   \nFrom the start of a line.\n.\nGrüße\n';
  const bytes = built(buildMessage(message({ html: undefined, attachments: [], text }), opts()));
  const m = latin1(bytes);
  assert.match(m, /Content-Transfer-Encoding: quoted-printable\r\n/);
  assert.doesNotMatch(m, /[\x80-\xff]/, '7-bit on the wire');
  assert.doesNotMatch(m, /\r\nFrom the start/);
  assertWellFormed(m);
  assert.equal(bodyText(parsed(bytes)), text.replace(/\n/g, '\r\n'));
});

test('what we build is already canonical: signMessage signs these very body bytes (no re-encoding)', () => {
  for (const over of [{}, { html: undefined, attachments: [] }, { text: 'Grüße\nFrom me  \n' }]) {
    const { inner } = splitMessage(built(buildMessage(message(over), opts())));
    assert.equal(canonicalEntity(inner), inner);
  }
});

test('bad input is refused in one plain sentence, not thrown', () => {
  const refused = (over: Partial<OutgoingMessage>, code: string, re: RegExp) => {
    const r = buildMessage(message(over), opts());
    assert.ok(!r.ok, 'refused');
    assert.equal(r.error.code, code);
    assert.match(r.error.message, re);
    assert.doesNotMatch(r.error.message, /[\r\n]/, 'one line');
  };
  refused({ to: [], cc: [] }, 'no-recipients', /^The message has no recipients\.$/);
  refused({ to: [{ address: 'bob@example.com>\r\nBcc: x@evil.test' }] }, 'bad-address', /is not an e-mail address/);
  refused({ to: [{ address: 'not an address' }] }, 'bad-address', /^"not an address" is not an e-mail address this message can be sent to\.$/);
  refused({ from: { address: 'alice@localhost' } }, 'bad-address', /alice@localhost/);
  refused({ from: { address: ' ' } }, 'bad-address', /^An address of the message is empty\.$/);
  refused({ cc: [{ address: `${'x'.repeat(300)}@example.com` }] }, 'bad-address', /…" is not/);
  for (const a of ['a@b.c', 'first.last+tag@sub.example.org', "o'brien@example.ie"]) assert.ok(validAddress(a), a);
  for (const a of ['a@b', '.a@b.c', 'a..b@c.d', 'a@-b.c', 'a b@c.d', 'a@b.c\r\n', 'ä@b.c']) assert.ok(!validAddress(a), a);
});

test('limits: attachment count and size are refused before anything is built', () => {
  const one = { name: 'a.bin', contentType: 'application/octet-stream', bytes: new Uint8Array(1) };
  const many = buildMessage(message({ attachments: Array.from({ length: MAX_ATTACHMENTS + 1 }, () => one) }), opts());
  assert.ok(!many.ok && many.error.code === 'too-many-attachments', JSON.stringify(many));
  assert.ok(built(buildMessage(message({ attachments: Array.from({ length: MAX_ATTACHMENTS }, () => one) }), opts())));
  // Zero-filled and never read: the size check looks at lengths only.
  const big = buildMessage(message({ attachments: [{ ...one, bytes: new Uint8Array(MAX_MESSAGE_BYTES - 1000) }] }), opts());
  assert.ok(!big.ok && big.error.code === 'too-large', JSON.stringify(big.ok));
  assert.match(big.error.message, /^The message is larger than 150 MB/);
});

test('header injection through names, subjects, media types and Content-IDs is neutralised', () => {
  const bytes = built(
    buildMessage(
      message({
        subject: 'hi\r\nBcc: evil@example.net',
        to: [{ name: 'Bob"\r\nBcc: x', address: 'bob@example.com' }],
        html: '<p>hi</p>',
        attachments: [
          { name: 'a"\r\nBcc: y.txt', contentType: 'text/plain\r\nBcc: z', bytes: new Uint8Array([65]) },
          { name: 'i.png', contentType: 'image/png', bytes: new Uint8Array([1]), inline: true, contentId: 'x>\r\nBcc: w' },
        ],
      }),
      opts(),
    ),
  );
  const m = latin1(bytes);
  assert.doesNotMatch(m, /\r\nBcc:/);
  assertWellFormed(m);
  const root = parsed(bytes);
  assert.equal(decodeHeaderValue(getHeader(root, 'subject')), 'hi Bcc: evil@example.net');
  const att = leaves(root).filter((e) => filenameOf(e));
  assert.deepEqual(att.map((e) => e.contentType.mediaType), ['application/octet-stream', 'image/png']);
  assert.equal(filenameOf(att[0]), 'a" Bcc: y.txt');
  assert.equal(getHeader(att[1], 'content-id'), undefined, 'a Content-ID that is not one is left out');
});

test('typed text that looks like an encoded word is encoded, so readers show it as typed', () => {
  const typed = 'see =?UTF-8?B?QUJD?= here';
  const bytes = built(buildMessage(message({ subject: typed, to: [{ name: typed, address: 'bob@example.com' }] }), opts()));
  const root = parsed(bytes);
  assert.equal(decodeHeaderValue(getHeader(root, 'subject')), typed);
  assert.equal(parseAddressList(getHeader(root, 'to')).addresses[0].name, typed);
});

test('quotes and backslashes in display names survive as quoted strings', () => {
  const bytes = built(buildMessage(message({ to: [{ name: 'Bob "the builder" \\ Jr.', address: 'bob@example.com' }] }), opts()));
  assert.match(latin1(bytes), /\r\nTo: "Bob \\"the builder\\" \\\\ Jr\." <bob@example\.com>\r\n/);
  const p = parseMime(bytes);
  assert.ok(p.ok);
  assert.equal(parseAddressList(getHeader(p.root, 'to')).addresses[0].name, 'Bob "the builder" \\ Jr.');
});

test('encoded words stay within 75 characters, split on whole characters, lines within 76', () => {
  for (const s of ['é'.repeat(100), '日本語'.repeat(40), '😀'.repeat(50), `a${'€'.repeat(33)}`]) {
    const w = encodeWords(s).split('\r\n ');
    assert.ok(w.length > 1);
    for (const word of w) assert.ok(word.length <= 75, word);
    assert.equal(w.map((x) => Buffer.from(/\?B\?([^?]+)\?=/.exec(x)![1], 'base64').toString('utf8')).join(''), s);
  }
  assert.equal(encodeWords('plain ascii'), 'plain ascii');
  assert.match(encodeWords('Grüße'), /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?=$/);
});

test('long subjects fold: non-ASCII into encoded words, ASCII at spaces; both read back unchanged', () => {
  const nonAscii = 'Grüße — quarterly numbers, a long subject that needs more than one encoded word to stay short';
  const ascii = `Quarterly numbers ${'and more words '.repeat(20)}end`;
  const oneWord = `x${'y'.repeat(1200)}`;
  for (const subject of [nonAscii, ascii, oneWord]) {
    const bytes = built(buildMessage(message({ subject }), opts()));
    const m = latin1(bytes);
    const field = /\r\nSubject: ((?:.|\r\n[ \t])+)\r\n/.exec(m)![0];
    for (const line of field.split('\r\n').filter(Boolean)) assert.ok(line.length <= 78, `${line.length}: ${line}`);
    assert.equal(decodeHeaderValue(getHeader(parsed(bytes), 'subject')), subject);
  }
});

test('long and non-ASCII names in address fields: encoded, folded, decoded back', () => {
  const name = 'Zoë Ünal-Müller von und zu Großbritannien-Nordirland und Österreich';
  const bytes = built(buildMessage(message({ to: [{ name, address: 'zoe@example.com' }, { address: 'carol@example.com' }] }), opts()));
  const m = latin1(bytes);
  const to = /\r\nTo: ((?:.|\r\n[ \t])+)\r\n/.exec(m)![0];
  for (const line of to.split('\r\n').filter(Boolean)) assert.ok(line.length <= 76, line);
  assert.equal(decodeHeaderValue(getHeader(parsed(bytes), 'to')), `${name} <zoe@example.com>, carol@example.com`);
});

test('attachments with non-ASCII and long names: plain fallback, RFC 2231 (continued), bytes exact', () => {
  const names = ['Bericht März.pdf', `${'日本語のファイル名'.repeat(6)}.pdf`, 'naïve "quote".txt', `${'long-ascii-name-'.repeat(10)}.csv`];
  const attachments = names.map((name, i) => ({ name, contentType: i === 2 ? 'text/plain' : 'application/pdf', bytes: deterministicBytes(100 + i, i) }));
  const bytes = built(buildMessage(message({ html: undefined, attachments }), opts()));
  const m = latin1(bytes);
  assertWellFormed(m);
  assert.match(m, /filename\*0\*=utf-8''%E6%97%A5/);
  assert.match(m, /filename="Bericht M_rz\.pdf"/);
  const att = leaves(parsed(bytes)).slice(1);
  assert.deepEqual(att.map((e) => filenameOf(e)), names);
  assert.deepEqual(att.map((e) => e.contentType.params.name), names);
  att.forEach((e, i) => assert.deepEqual(decodeBody(e), new Uint8Array(attachments[i].bytes), names[i]));
});

test('HTML with inline images: alternative(text, related(html, image with Content-ID)); other inline parts stay in mixed', () => {
  const png = deterministicBytes(700, 9);
  const bytes = built(
    buildMessage(
      message({
        html: '<p>Logo: <img src="cid:logo@example.com"></p>',
        attachments: [
          { name: 'logo.png', contentType: 'image/png', bytes: png, inline: true, contentId: '<logo@example.com>' },
          { name: 'report.pdf', contentType: 'application/pdf', bytes: deterministicBytes(300, 4) },
        ],
      }),
      opts(),
    ),
  );
  const root = parsed(bytes);
  assert.deepEqual(
    [...walkEntities(root)].map((e) => e.contentType.mediaType),
    ['multipart/mixed', 'multipart/alternative', 'text/plain', 'multipart/related', 'text/html', 'image/png', 'application/pdf'],
  );
  const img = leaves(root).find((e) => e.contentType.mediaType === 'image/png')!;
  assert.equal(getHeader(img, 'content-id'), '<logo@example.com>');
  assert.equal(contentDisposition(img).type, 'inline');
  assert.deepEqual(decodeBody(img), new Uint8Array(png));
  // Without HTML an inline part has nothing to be related to: it is an inline part of the mixed message.
  const plain = parsed(built(buildMessage(message({ html: undefined, attachments: [{ name: 'logo.png', contentType: 'image/png', bytes: png, inline: true, contentId: 'logo@example.com' }] }), opts())));
  assert.deepEqual([...walkEntities(plain)].map((e) => e.contentType.mediaType), ['multipart/mixed', 'text/plain', 'image/png']);
});

test('mailboxesOf: address lines as hosts give them, parsed by the core', () => {
  assert.deepEqual(mailboxesOf('Bob <bob@example.com>'), [{ name: 'Bob', address: 'bob@example.com' }]);
  assert.deepEqual(mailboxesOf('"Doe, Jane" <Jane@Example.com>'), [{ name: 'Doe, Jane', address: 'jane@example.com' }]);
  assert.deepEqual(mailboxesOf('carol@example.com'), [{ address: 'carol@example.com' }]);
  assert.deepEqual(mailboxesOf('Zoë Example <zoe@example.com>, dan@example.com'), [{ name: 'Zoë Example', address: 'zoe@example.com' }, { address: 'dan@example.com' }]);
  assert.deepEqual(mailboxesOf('not an address'), [{ address: 'not an address' }]);
  const r = buildMessage(message({ to: mailboxesOf('Bob <bob@example.com>\r\nBcc: x@evil.test') }), opts());
  assert.ok(!r.ok || !latin1(r.message).includes('\r\nBcc:'));
});

test('signed by the core: openssl cms -verify accepts it, our parser reads back text, HTML and attachment bytes', async () => {
  const pki = await makePki();
  const alice = await pki.issue({ name: 'Alice Example', email: 'alice@example.com' });
  const id = await importPkcs12(new Uint8Array(readFileSync(await alice.makeP12('pw'))), 'pw');
  assert.ok(id.ok);
  const png = deterministicBytes(2000, 5);
  const m = message({
    text: 'Grüße, Bob!\nFrom the figures:   \n.\n',
    html: '<p>Grüße, Bob! <img src="cid:chart@example.com"></p>',
    attachments: [
      { name: 'zahlen-ä.bin', contentType: 'application/octet-stream', bytes: deterministicBytes(5000, 3) },
      { name: 'chart.png', contentType: 'image/png', bytes: png, inline: true, contentId: 'chart@example.com' },
    ],
  });
  const r = buildMessage(m, { date: DATE, random: (n) => webcrypto.getRandomValues(new Uint8Array(n)) });
  for (const opaque of [false, true]) {
    const signed = await signMessage(built(r), id.identity, { opaque });
    assert.ok(signed.ok, signed.ok ? '' : signed.error.message);
    const file = join(pki.dir, `built-signed-${opaque}.eml`);
    writeFileSync(file, signed.message);
    const v = await opensslVerify(file, { CAfile: pki.root.certPath });
    assert.ok(v.ok, v.stderr);
    const root = parsed(new Uint8Array(v.content));
    const parts = leaves(root);
    assert.equal(bodyText(parts[0]), m.text.replace(/\n/g, '\r\n'));
    assert.equal(bodyText(parts[1]), m.html);
    assert.deepEqual(decodeBody(parts[2]), new Uint8Array(png));
    assert.deepEqual(decodeBody(parts[3]), new Uint8Array(m.attachments[0].bytes));
    assert.equal(filenameOf(parts[3]), 'zahlen-ä.bin');
    // The outer fields stay outside the signature, as built.
    assert.equal(decodeHeaderValue(getHeader(parsed(signed.message), 'subject')), m.subject);
  }
});

test('signed and encrypted by the core: openssl cms -decrypt then -verify give back the same parts', async () => {
  const pki = await makePki();
  const alice = await pki.issue({ name: 'Alice Example', email: 'alice@example.com' });
  const bob = await pki.issue({ name: 'Bob', email: 'bob@example.com' });
  const id = await importPkcs12(new Uint8Array(readFileSync(await alice.makeP12('pw'))), 'pw');
  assert.ok(id.ok);
  const m = message();
  const enc = await encryptMessage(built(buildMessage(m, opts())), [new Uint8Array(readFileSync(bob.certDerPath))], { sender: id.identity, sign: true });
  assert.ok(enc.ok, enc.ok ? '' : enc.error.message);
  const file = join(pki.dir, 'built-enc.eml');
  writeFileSync(file, enc.message);
  const d = await opensslDecrypt(file, { recipient: bob });
  assert.ok(d.ok, d.stderr);
  const inner = join(pki.dir, 'built-enc-inner.eml');
  writeFileSync(inner, d.content);
  const v = await opensslVerify(inner, { CAfile: pki.root.certPath });
  assert.ok(v.ok, v.stderr);
  const parts = leaves(parsed(new Uint8Array(v.content)));
  // Header protection (default): the real Subject in a legacy display element above the text (RFC 9788 §5.2.2).
  assert.equal(utf8(decodeBody(parts[0])), `Subject: ${m.subject}\r\n\r\nHello Bob,\r\nsee the attachment.\r\n`);
  assert.deepEqual(decodeBody(parts[2]), new Uint8Array(m.attachments[0].bytes));
});

test('ASCII subjects with runs of spaces fold without a line of only spaces and read back the same text', () => {
  for (const subject of [`${'word '.repeat(30)}   ${'  x'.repeat(40)}`, ` leading ${'y '.repeat(60)}`, `${' '.repeat(100)}z`]) {
    const bytes = built(buildMessage(message({ subject }), opts()));
    const field = /\r\nSubject:((?:.|\r\n[ \t])+)\r\n/.exec(latin1(bytes))![1];
    for (const line of `Subject:${field}`.split('\r\n')) assert.ok(line.trim() !== '' && line.length <= 78, JSON.stringify(line));
    assert.equal(decodeHeaderValue(getHeader(parsed(bytes), 'subject'))?.trim(), subject.trim());
  }
});

test('random names, subjects, file names and texts: always well-formed, never thrown, read back the same', () => {
  const r = prng(7);
  const alphabet = ['a', 'Z', ' ', '  ', '"', '\\', '\r', '\n', '\r\n', '\t', '=?', '?=', 'é', '€', '日', '😀', '\u0000', '\u001b', ';', ':', '<', '>', ',', '.', 'From ', '-', '%'];
  const str = (max: number) => Array.from({ length: r.int(max) }, () => alphabet[r.int(alphabet.length)]).join('');
  for (let i = 0; i < 150; i++) {
    const m = message({
      subject: str(60),
      to: [{ name: str(30), address: 'bob@example.com' }],
      text: str(200),
      html: r.int(2) ? str(100) : undefined,
      attachments: [{ name: `${str(40)}.bin`, contentType: 'application/octet-stream', bytes: deterministicBytes(r.int(200), i) }],
    });
    const bytes = built(buildMessage(m, opts()));
    const s = latin1(bytes);
    assertWellFormed(s);
    assert.doesNotMatch(s, /[\x80-\xff]/, '7-bit on the wire');
    const root = parsed(bytes);
    const parts = leaves(root);
    assert.equal(utf8(decodeBody(parts[0])), m.text.replace(/\r\n|\r|\n/g, '\r\n'));
    assert.deepEqual(decodeBody(parts[parts.length - 1]), new Uint8Array(m.attachments[0].bytes));
    const sent = m.subject.replace(/[\r\n]+/g, ' ');
    assert.equal(decodeHeaderValue(getHeader(root, 'subject'))?.trim(), sent.trim(), JSON.stringify(m.subject));
  }
});

test('replies carry Reply-To, In-Reply-To and References (msg-ids checked, a long thread trimmed to its first and last 49, one id per line)', () => {
  const thread = Array.from({ length: 80 }, (_, i) => `<m${i}@example.com>`);
  const bytes = built(
    buildMessage(message({ replyTo: [{ name: 'Team', address: 'team@example.com' }], inReplyTo: 'm79@example.com', references: ['not an id', ...thread] }), opts()),
  );
  const root = parsed(bytes);
  assert.equal(getHeader(root, 'reply-to'), '"Team" <team@example.com>');
  assert.equal(getHeader(root, 'in-reply-to'), '<m79@example.com>');
  const refs = getHeader(root, 'references')!.split(' ');
  assert.equal(refs.length, 50);
  assert.deepEqual([refs[0], refs[1], refs[49]], ['<m0@example.com>', '<m31@example.com>', '<m79@example.com>']);
  for (const line of latin1(bytes).split('\r\n\r\n')[0].split('\r\n')) assert.ok(line.length <= 78, line);
  // Nothing that is not a msg-id gets through (no header injection through a crafted References).
  const evil = parsed(built(buildMessage(message({ inReplyTo: '<a@b>\r\nBcc: x@example.com', references: ['<a@b> <c@d>'] }), opts())));
  assert.equal(getHeader(evil, 'in-reply-to'), undefined);
  assert.equal(getHeader(evil, 'references'), undefined);
  assert.equal(getHeader(evil, 'bcc'), undefined);
});

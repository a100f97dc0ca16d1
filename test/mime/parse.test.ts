import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LIMITS, parseMime, resolveLimits, walkEntities } from '../../src/mime/parse';
import { getHeader, getHeaders } from '../../src/mime/headers';
import type { MimeEntity } from '../../src/mime/types';

const enc = new TextEncoder();
const dec = new TextDecoder();
const bytes = (s: string): Uint8Array => enc.encode(s);
const text = (e: MimeEntity, a: number, b: number): string => dec.decode(e.source.subarray(a, b));
const whole = (e: MimeEntity): string => text(e, e.start, e.end);
const body = (e: MimeEntity): string => text(e, e.bodyStart, e.end);

function parse(s: string | Uint8Array): MimeEntity {
  const r = parseMime(typeof s === 'string' ? bytes(s) : s);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.root;
}

const crlf = (s: string): string => s.replace(/\n/g, '\r\n');

const SIGNED = `From: a@example.com
Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256;
 boundary="b1"

preamble text
--b1
Content-Type: text/plain

hello
--b1
Content-Type: application/pkcs7-signature

MIIB
--b1--
epilogue
`;

test('CRLF multipart: parts end before the CRLF that precedes the delimiter (RFC 2046 5.1.1)', () => {
  const root = parse(crlf(SIGNED));
  assert.equal(root.contentType.mediaType, 'multipart/signed');
  assert.equal(root.contentType.params.boundary, 'b1');
  assert.equal(root.children.length, 2);
  assert.equal(whole(root.children[0]), 'Content-Type: text/plain\r\n\r\nhello');
  assert.equal(body(root.children[1]), 'MIIB');
  assert.equal(root.children[0].path, '1');
  assert.equal(root.children[1].path, '2');
  assert.equal(text(root, root.preamble!.start, root.preamble!.end), 'preamble text');
  assert.equal(text(root, root.epilogue!.start, root.epilogue!.end), 'epilogue\r\n');
  assert.deepEqual(root.defects, []);
});

test('bare-LF multipart parses the same way, with LF-only offsets', () => {
  const root = parse(SIGNED);
  assert.equal(whole(root.children[0]), 'Content-Type: text/plain\n\nhello');
  assert.equal(root.children[0].headers[0].value, 'text/plain');
  assert.equal(text(root, root.headerEnd, root.bodyStart), '\n');
});

test('mixed line endings: CRLF inside the signed part, LF around it (the PKITS layout)', () => {
  const raw =
    'Content-Type: multipart/signed; boundary="XY"\n\n' +
    'This is an S/MIME signed message\n\n--XY\n' +
    'Content-Type: text/plain\r\n\r\nThis is a sample signed message.\r\n' +
    '\n--XY\nContent-Type: application/pkcs7-signature\n\nMIIB\n\n--XY--\n';
  const root = parse(raw);
  assert.equal(whole(root.children[0]), 'Content-Type: text/plain\r\n\r\nThis is a sample signed message.\r\n');
  assert.equal(body(root.children[1]), 'MIIB\n');
});

test('header folding is unfolded, names keep their case, lookups ignore it', () => {
  const root = parse('Subject: a\r\n  folded\r\n\tline\r\nX-Test : v\r\n\r\nbody');
  assert.equal(getHeader(root, 'subject'), 'a  folded\tline');
  assert.equal(getHeader(root, 'X-TEST'), 'v');
  assert.equal(root.headers[1].name, 'X-Test');
  assert.equal(body(root), 'body');
});

test('several headers of one name are all kept, in order', () => {
  const root = parse('From: a@x\nFrom: b@x\n\n');
  assert.deepEqual(getHeaders(root, 'from'), ['a@x', 'b@x']);
  assert.equal(getHeader(root, 'from'), 'a@x');
});

test('nested multiparts, offsets nest, paths number the parts', () => {
  const raw = crlf(`Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain

plain
--inner
Content-Type: text/html

<b>html</b>
--inner--
--outer
Content-Type: text/plain

second
--outer--
`);
  const root = parse(raw);
  const [alt, second] = root.children;
  assert.equal(alt.contentType.mediaType, 'multipart/alternative');
  assert.equal(alt.children.length, 2);
  assert.equal(alt.children[1].path, '1.2');
  assert.equal(body(alt.children[1]), '<b>html</b>');
  assert.equal(body(second), 'second');
  assert.ok(alt.children[1].start >= alt.bodyStart && alt.children[1].end <= alt.end);
  assert.deepEqual([...walkEntities(root)].map((e) => e.path), ['', '1', '1.1', '1.2', '2']);
});

test('boundaries that are prefixes of each other do not confuse the scanner', () => {
  const raw = crlf(`Content-Type: multipart/mixed; boundary="ab"

--ab
Content-Type: multipart/mixed; boundary="abc"

--abc
Content-Type: text/plain

x
--abc--
--ab
Content-Type: text/plain

y
--ab--
`);
  const root = parse(raw);
  assert.equal(root.children.length, 2);
  assert.equal(root.children[0].children.length, 1);
  assert.equal(body(root.children[0].children[0]), 'x');
  assert.equal(body(root.children[1]), 'y');
  // the longer boundary also does not match the shorter one's lines
  const r2 = parse(crlf('Content-Type: multipart/mixed; boundary="abc"\n\n--ab\n--abcd\n--abc\n\nz\n--abc--\n'));
  assert.equal(r2.children.length, 1);
  assert.equal(body(r2.children[0]), 'z');
  assert.equal(text(r2, r2.preamble!.start, r2.preamble!.end), '--ab\r\n--abcd');
});

test('an outer boundary string inside a nested part ends that part (outer wins), inner strings stay content', () => {
  const raw = `Content-Type: multipart/mixed; boundary=O

--O
Content-Type: text/plain

text that mentions
--I
as a line of its own
--O--
`;
  const root = parse(raw);
  assert.equal(root.children.length, 1);
  assert.equal(body(root.children[0]), 'text that mentions\n--I\nas a line of its own');
});

test('transport padding after a delimiter is allowed; other text after it is not a delimiter', () => {
  const raw = 'Content-Type: multipart/mixed; boundary=b\r\n\r\n--b \t\r\n\r\none\r\n--b x\r\n--b-- \r\n';
  const root = parse(raw);
  assert.equal(root.children.length, 1);
  assert.equal(body(root.children[0]), 'one\r\n--b x');
  assert.deepEqual(root.defects, []);
});

test('missing close delimiter is a defect, the last part runs to the end', () => {
  const root = parse('Content-Type: multipart/mixed; boundary=b\n\n--b\n\none\n--b\n\ntwo\n');
  assert.equal(root.children.length, 2);
  assert.equal(body(root.children[1]), 'two\n');
  assert.match(root.defects.join(), /no close delimiter/);
  assert.equal(root.epilogue, undefined);
});

test('an empty part and a part without headers', () => {
  const root = parse('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n--b\r\n\r\nbody only\r\n--b--');
  assert.equal(root.children.length, 2);
  const [empty, headerless] = root.children;
  assert.equal(text(root, empty.start, empty.end), '');
  assert.equal(empty.contentType.mediaType, 'text/plain');
  assert.equal(headerless.headers.length, 0);
  assert.equal(body(headerless), 'body only');
  assert.deepEqual(headerless.defects, []);
  assert.deepEqual(root.defects, []);
  assert.deepEqual(root.epilogue, { start: root.end, end: root.end });
});

test('two delimiter lines in a row have no part between them (RFC 2046 grammar; Python and OpenSSL agree)', () => {
  const root = parse('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n--b\r\n\r\nx\r\n--b\r\n--b\r\n\r\ny\r\n--b\r\n--b--\r\n');
  assert.deepEqual(root.children.map(body), ['x', 'y']);
  assert.match(root.defects.join(), /Two delimiter lines follow each other/);
});

test('message/rfc822 parts are parsed as a child message', () => {
  const raw = crlf(`Content-Type: multipart/mixed; boundary=b

--b
Content-Type: message/rfc822

Subject: inner
Content-Type: multipart/mixed; boundary=c

--c

in
--c--
--b--
`);
  const root = parse(raw);
  const msg = root.children[0];
  assert.equal(msg.children.length, 1);
  const inner = msg.children[0];
  assert.equal(getHeader(inner, 'subject'), 'inner');
  assert.equal(inner.children.length, 1);
  assert.equal(body(inner.children[0]), 'in');
  assert.equal(inner.children[0].path, '1.1');
});

test('multipart/digest parts default to message/rfc822', () => {
  const root = parse('Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: s\n\nx\n--d--\n');
  assert.equal(root.children[0].contentType.mediaType, 'message/rfc822');
  assert.equal(getHeader(root.children[0].children[0], 'subject'), 's');
});

test('input that is not MIME at all parses as header-less text/plain with a defect', () => {
  const root = parse('just some text\nwithout headers\n');
  assert.equal(root.headers.length, 0);
  assert.equal(root.contentType.mediaType, 'text/plain');
  assert.equal(root.bodyStart, 0);
  assert.match(root.defects.join(), /no headers/);
  const empty = parse('');
  assert.equal(empty.end, 0);
  assert.match(empty.defects.join(), /empty/);
});

test('headers without a blank line: headers to the end, a defect', () => {
  const root = parse('Subject: x\r\nFrom: y');
  assert.equal(root.headers.length, 2);
  assert.equal(root.bodyStart, root.end);
  assert.match(root.defects.join(), /not followed by a blank line/);
});

test('a non-header line ends the headers (missing blank line)', () => {
  const root = parse('Subject: x\nthis is body\n');
  assert.equal(root.headers.length, 1);
  assert.equal(body(root), 'this is body\n');
  assert.match(root.defects.join(), /not a header/);
});

test('multipart without boundary, or whose boundary never appears: no children, defect, body is preamble', () => {
  const a = parse('Content-Type: multipart/mixed\n\nxx');
  assert.equal(a.children.length, 0);
  assert.match(a.defects.join(), /no boundary/);
  const b = parse('Content-Type: multipart/mixed; boundary=zz\n\nxx\n');
  assert.equal(b.children.length, 0);
  assert.match(b.defects.join(), /never appears/);
});

test('unquoted boundary with tspecials (real Outlook/Apple mail)', () => {
  const root = parse('Content-Type: multipart/mixed; boundary=----=_Part_1\n\n------=_Part_1\n\nx\n------=_Part_1--\n');
  assert.equal(root.children.length, 1);
});

test('8-bit header bytes: the boundary is matched as raw bytes (UTF-8 and Latin-1)', () => {
  const utf8 = bytes('Subject: é\nContent-Type: multipart/mixed; boundary="bé"\n\n--bé\n\nx\n--bé--\n');
  assert.equal(parse(utf8).children.length, 1);
  assert.equal(getHeader(parse(utf8), 'subject'), 'é');
  const l1 = Uint8Array.from(
    [...'Content-Type: multipart/mixed; boundary="b\u00e9"\n\n--b\u00e9\n\nx\n--b\u00e9--\n'].map((c) => c.charCodeAt(0)),
  );
  assert.equal(parse(l1).children.length, 1);
});

test('an mbox "From " line in front is skipped with a defect', () => {
  const root = parse('From - Mon Jan 1 00:00:00 2024\nSubject: s\n\nb');
  assert.equal(getHeader(root, 'subject'), 's');
  assert.match(root.defects.join(), /mbox/);
});

test('limits: depth, parts, headers, header bytes and size give limit-exceeded with a one-line message', () => {
  let nested = '';
  for (let i = 0; i < 40; i++) nested += `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n`;
  const deep = parseMime(bytes(nested));
  assert.equal(deep.ok, false);
  assert.ok(!deep.ok && deep.error.code === 'limit-exceeded' && /nested more than 32/.test(deep.error.message));

  let many = 'Content-Type: multipart/mixed; boundary=b\n\n';
  for (let i = 0; i < 2100; i++) many += '--b\n\nx\n';
  const parts = parseMime(bytes(many));
  assert.ok(!parts.ok && parts.error.code === 'limit-exceeded' && /more than 2000 MIME parts/.test(parts.error.message));

  const hdrs = parseMime(bytes('X: y\n'.repeat(1001) + '\n'));
  assert.ok(!hdrs.ok && /more than 1000 header fields/.test(hdrs.error.message));

  const big = parseMime(bytes(`Subject: ${'a'.repeat(DEFAULT_LIMITS.maxHeaderBytes)}\n\n`));
  assert.ok(!big.ok && /header block .* larger than/.test(big.error.message));

  const size = parseMime(new Uint8Array(11), { maxBytes: 10 });
  assert.ok(!size.ok && size.error.code === 'limit-exceeded' && !size.error.message.includes('\n'));
});

test('a falsy or nonsense limit never switches a guard off', () => {
  const l = resolveLimits({ maxDepth: 0, maxParts: NaN, maxBytes: Infinity, maxHeaders: -5 });
  assert.deepEqual(l, { ...DEFAULT_LIMITS });
  assert.equal(resolveLimits({ maxDepth: 3 }).maxDepth, 3);
  let nested = '';
  for (let i = 0; i < 40; i++) nested += `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n`;
  assert.equal(parseMime(bytes(nested), { maxDepth: 0 }).ok, false);
});

test('a large base64 attachment is scanned, not decoded: offsets only, linear time', () => {
  const line = 'QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0\r\n';
  const b64 = line.repeat(Math.ceil((8 * 1024 * 1024) / line.length));
  const raw = bytes(
    crlf('Content-Type: multipart/mixed; boundary="=_b"\n\n--=_b\nContent-Type: text/plain\n\nhi\n--=_b\n') +
      'Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n' +
      b64 +
      '--=_b--\r\n',
  );
  const root = parse(raw);
  assert.equal(root.children.length, 2);
  const att = root.children[1];
  assert.equal(att.end - att.bodyStart, b64.length - 2);
  assert.equal(att.source, raw); // same buffer, no copies
});

test('a header-only entity inside a multipart and a close delimiter at EOF without CRLF', () => {
  const root = parse('Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n--b--');
  assert.equal(root.children.length, 1);
  assert.equal(root.children[0].bodyStart, root.children[0].end);
  assert.match(root.children[0].defects.join(), /not followed by a blank line/);
  assert.deepEqual(root.epilogue, { start: root.end, end: root.end });
});

test('non-Uint8Array input is a programmer error and throws', () => {
  assert.throws(() => parseMime('text' as unknown as Uint8Array), TypeError);
});

test('a message that stops right after a delimiter line gets no empty extra part (Thunderbird multipart-alternative.eml)', () => {
  const root = parse('Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n\r\ntwo\r\n--b');
  assert.equal(root.children.length, 2);
  assert.equal(body(root.children[1]), 'two');
  assert.match(root.defects.join('|'), /no close delimiter/);
  assert.match(root.defects.join('|'), /nothing after it/);
  const withEol = parse('Content-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n\r\none\r\n--b\r\n');
  assert.equal(withEol.children.length, 1);
});

test('an indented first header line is skipped with a defect, the headers still count (as Python does)', () => {
  const root = parse(' folded\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n');
  assert.equal(root.contentType.mediaType, 'multipart/mixed');
  assert.equal(root.headers.length, 1);
  assert.equal(root.children.length, 1);
  assert.match(root.defects.join(), /starts with an indented line/);
  const only = parse('  \r\n');
  assert.equal(only.headers.length, 0);
});

test('a UTF-8 byte order mark in front of a saved .eml is skipped with a defect', () => {
  const root = parse(new Uint8Array([0xef, 0xbb, 0xbf, ...bytes('Subject: s\r\n\r\nb')]));
  assert.equal(getHeader(root, 'subject'), 's');
  assert.equal(root.start, 0);
  assert.match(root.defects.join(), /byte order mark/);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bodyText, decodeBase64, decodeBody, decodeQuotedPrintable } from '../../src/mime/transfer';
import { parseMime } from '../../src/mime/parse';

const enc = new TextEncoder();
const dec = new TextDecoder();
const qp = (s: string): string => dec.decode(decodeQuotedPrintable(enc.encode(s)));

test('base64: line breaks, white space and garbage skipped; missing padding; glued runs', () => {
  const b = (s: string): string => dec.decode(decodeBase64(enc.encode(s)));
  assert.equal(b('aGVs\r\nbG8g\n d29y bGQ='), 'hello world');
  assert.equal(b('aGVsbG8'), 'hello');
  assert.equal(b('aGk=aGk='), 'hihi');
  assert.equal(b('*aG!k=\x00'), 'hi');
  assert.equal(decodeBase64(new Uint8Array(0)).length, 0);
  const random = Uint8Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff);
  assert.deepEqual(decodeBase64(enc.encode(Buffer.from(random).toString('base64').replace(/(.{76})/g, '$1\r\n'))), random);
});

test('quoted-printable: escapes, soft breaks (CRLF and LF, with padding), trailing space, broken escapes kept', () => {
  assert.equal(qp('caf=C3=A9 =c3=a9'), 'café é');
  assert.equal(qp('soft=\r\nbreak=\nlf= \t\r\nend'), 'softbreaklfend');
  assert.equal(qp('trailing   \r\nline\t\nx  '), 'trailing\r\nline\nx');
  assert.equal(qp('a=ZZb=4'), 'a=ZZb=4');
  assert.equal(qp('ends with ='), 'ends with ');
  assert.equal(qp('inner  space'), 'inner  space');
});

function leaf(headers: string, body: string) {
  const r = parseMime(enc.encode(`${headers}\r\n\r\n${body}`));
  assert.ok(r.ok);
  return r.root;
}

test('decodeBody by Content-Transfer-Encoding; identity encodings return the original bytes (no copy)', () => {
  assert.equal(dec.decode(decodeBody(leaf('Content-Transfer-Encoding: BASE64', 'aGk='))), 'hi');
  assert.equal(dec.decode(decodeBody(leaf('Content-Transfer-Encoding: quoted-printable', 'a=3Db'))), 'a=b');
  const e = leaf('Content-Transfer-Encoding: 8bit', 'raw');
  const d = decodeBody(e);
  assert.equal(d.buffer, e.source.buffer);
  assert.equal(dec.decode(d), 'raw');
  assert.equal(dec.decode(decodeBody(leaf('Content-Transfer-Encoding: x-unknown', 'as is'))), 'as is');
});

test('bodyText decodes the declared charset; unknown charsets fall back to UTF-8', () => {
  assert.equal(bodyText(leaf('Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable', 'caf=E9')), 'café');
  assert.equal(bodyText(leaf('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64', 'w6k=')), 'é');
  assert.equal(bodyText(leaf('Content-Type: text/plain; charset=x-nonsense\r\nContent-Transfer-Encoding: base64', 'w6k=')), 'é');
  assert.equal(bodyText(leaf('Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable', '=80')), '€');
});

/** RFC 8551 §3.1 canonical form and the outer/inner header split used by signing and encryption. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalEntity, toCrlf } from '../../src/compose/canonical';
import { splitMessage, formatHeaderLines } from '../../src/compose/headers';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (u: Uint8Array) => Buffer.from(u).toString('latin1');

test('toCrlf: bare LF and bare CR become CRLF, CRLF untouched', () => {
  assert.equal(dec(toCrlf(enc('a\nb\r\nc\rd\n'))), 'a\r\nb\r\nc\r\nd\r\n');
  const same = enc('x\r\ny\r\n');
  assert.equal(toCrlf(same), same, 'no copy when already canonical');
});

test('8-bit text becomes quoted-printable; trailing space and "From " are protected', () => {
  const out = dec(canonicalEntity(enc('Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nGrüße \nFrom me\n.\n')));
  assert.match(out, /Content-Transfer-Encoding: quoted-printable\r\n\r\n/);
  assert.ok(out.endsWith('Gr=C3=BC=C3=9Fe=20\r\n=46rom me\r\n=2E\r\n'), JSON.stringify(out));
  assert.doesNotMatch(out, /8bit/);
});

test('binary attachment becomes base64 without line-end damage; 7-bit content is left as is (CRLF only)', () => {
  const bin = new Uint8Array([0, 10, 13, 255, 10, 10, 1]);
  const entity = new Uint8Array([...enc('Content-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n'), ...bin]);
  const out = dec(canonicalEntity(entity));
  const body = out.split('\r\n\r\n')[1];
  assert.deepEqual(new Uint8Array(Buffer.from(body, 'base64')), bin);
  assert.equal(dec(canonicalEntity(enc('Content-Type: text/plain\n\nplain ascii\n'))), 'Content-Type: text/plain\r\n\r\nplain ascii\r\n');
});

test('multipart: 8-bit parts are encoded one by one, boundaries and preamble kept', () => {
  const m = [
    'Content-Type: multipart/mixed; boundary="XX"',
    'Content-Transfer-Encoding: 8bit',
    '',
    'preamble',
    '--XX',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'héllo',
    '--XX',
    'Content-Type: application/pdf',
    'Content-Transfer-Encoding: base64',
    '',
    'JVBERi0=',
    '--XX--',
    '',
  ].join('\n');
  const out = dec(canonicalEntity(enc(m)));
  assert.match(out, /Content-Transfer-Encoding: 7bit/);
  assert.match(out, /preamble\r\n--XX\r\nContent-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nh=C3=A9llo\r\n--XX\r\n/);
  assert.match(out, /JVBERi0=\r\n--XX--\r\n$/);
  assert.ok(!/[\x80-\xff]/.test(out));
});

test('splitMessage: RFC 5322 fields stay outside, Content-* move inside, folding kept', () => {
  const { outer, inner } = splitMessage(
    enc('From: a@example.com\nSubject: long\n subject\nMIME-Version: 1.0\nContent-Type: text/plain;\n charset=utf-8\nMessage-ID: <1@x>\n\nbody\n'),
  );
  assert.deepEqual(outer.map((h) => h.key), ['from', 'subject', 'message-id']);
  assert.equal(dec(formatHeaderLines(outer)), 'From: a@example.com\r\nSubject: long\r\n subject\r\nMessage-ID: <1@x>\r\n');
  assert.equal(dec(inner), 'Content-Type: text/plain;\r\n charset=utf-8\r\n\r\nbody\n');
  // No Content-Type: the RFC 2045 default is made explicit inside.
  assert.match(dec(splitMessage(enc('From: a@b\n\nhi\n')).inner), /^Content-Type: text\/plain; charset=us-ascii\r\n\r\nhi/);
});

test('no data loss: a body without headers is all body; a junk header line is refused, not dropped', async () => {
  const { signMessage } = await import('../../src/compose/sign-message');
  const { outer, inner, invalid } = splitMessage(enc('just some text\nno headers at all\n'));
  assert.deepEqual(outer, []);
  assert.deepEqual(invalid, []);
  assert.match(dec(inner), /^Content-Type: text\/plain; charset=us-ascii\r\n\r\njust some text\nno headers at all\n$/);
  const junk = splitMessage(enc('From: a@example.com\nthis is not a field\nSubject: x\n\nbody\n'));
  assert.deepEqual(junk.invalid, ['this is not a field']);
  // signMessage refuses it before touching any key (the identity is never used).
  const r = await signMessage(enc('From: a@example.com\nthis is not a field\n\nbody\n'), undefined as never);
  assert.ok(!r.ok && r.error.code === 'malformed-mime');
  // Inside a multipart, a part with a junk header line is kept byte for byte (CRLF only).
  const m = 'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\nfoo bar\n\nhé\n--b--\n';
  assert.match(dec(canonicalEntity(enc(m))), /Content-Type: text\/plain\r\nfoo bar\r\n\r\nh\xc3\xa9\r\n--b--/);
});

test('a message read from a Thunderbird folder: the mbox "From " line and X-Mozilla-* fields are not sent', () => {
  const { outer, invalid } = splitMessage(enc('From - Mon Jan 15 10:30:00 2024\nX-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\nFrom: a@example.com\nSubject: s\n\nbody\n'));
  assert.deepEqual(invalid, []);
  assert.deepEqual(outer.map((h) => h.key), ['from', 'subject']);
});

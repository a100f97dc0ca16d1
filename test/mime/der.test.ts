import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentInfoOid, outerSequence, OID_AUTH_ENVELOPED_DATA, OID_SIGNED_DATA } from '../../src/mime/der';
import { cmsBody } from '../../src/mime/cms-body';
import { parseMime } from '../../src/mime/parse';

test('outerSequence: short and long definite lengths, indefinite BER, truncation, non-sequences', () => {
  assert.deepEqual(outerSequence(Uint8Array.of(0x30, 0x00)), { ok: true, length: 2, indefinite: false });
  const long = new Uint8Array(4 + 0x100);
  long.set([0x30, 0x82, 0x01, 0x00]);
  assert.deepEqual(outerSequence(long), { ok: true, length: 0x104, indefinite: false });
  assert.deepEqual(outerSequence(long.subarray(0, 100)), { ok: false, reason: 'truncated' });
  assert.deepEqual(outerSequence(Uint8Array.of(0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00)), { ok: true, length: 7, indefinite: true });
  assert.deepEqual(outerSequence(Uint8Array.of(0x31, 0x00)), { ok: false, reason: 'not-sequence' });
  assert.deepEqual(outerSequence(Uint8Array.of(0x30)), { ok: false, reason: 'truncated' });
  assert.deepEqual(outerSequence(Uint8Array.of(0x30, 0x85, 1, 1, 1, 1, 1)), { ok: false, reason: 'bad-length' });
});

test('contentInfoOid reads the CMS content type from the first bytes', () => {
  const signed = Uint8Array.of(0x30, 0x80, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02, 0xa0, 0x80);
  assert.equal(contentInfoOid(signed), OID_SIGNED_DATA);
  const authEnv = Uint8Array.of(0x30, 0x0d, 0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x01, 0x17);
  assert.equal(contentInfoOid(authEnv), OID_AUTH_ENVELOPED_DATA);
  assert.equal(contentInfoOid(Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x00)), undefined);
  assert.equal(contentInfoOid(new Uint8Array(0)), undefined);
});

test('cmsBody: trailing bytes after the DER are cut off and reported; quoted-printable is decoded', () => {
  const r = parseMime(new TextEncoder().encode('Content-Transfer-Encoding: base64\r\n\r\nMAABAgME\r\n'));
  assert.ok(r.ok);
  const b = cmsBody(r.root, 'signature');
  assert.ok(b.ok && b.der.length === 2);
  assert.match(b.ok ? b.defects.join() : '', /after its DER/);
  const q = parseMime(new TextEncoder().encode('Content-Transfer-Encoding: quoted-printable\r\n\r\n0=00'));
  assert.ok(q.ok);
  const qb = cmsBody(q.root, 'signature');
  assert.ok(qb.ok && qb.der.length === 2);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMime } from '../../src/mime/parse';
import { splitSigned } from '../../src/mime/split-signed';
import { toCanonicalCrlf, hasBareLf } from '../../src/mime/canonical';
import { decodeOpaque, isOpaqueSigned, smimeType } from '../../src/mime/opaque';
import type { MimeEntity } from '../../src/mime/types';

const enc = new TextEncoder();
const dec = new TextDecoder();

function root(s: string | Uint8Array): MimeEntity {
  const r = parseMime(typeof s === 'string' ? enc.encode(s) : s);
  assert.ok(r.ok);
  return r.root;
}

// A tiny but well-formed DER SEQUENCE standing in for a ContentInfo (SignedData OID, empty [0]).
const SIGNED_DATA_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const ENVELOPED_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03];
const der = (oid: number[]): Uint8Array => Uint8Array.from([0x30, oid.length + 2, ...oid, 0xa0, 0x00]);
const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');

function signedMessage(opts: { protocol?: string | null; sigType?: string; cte?: string; sigBody?: string; extra?: string } = {}): string {
  const protocol = opts.protocol === null ? '' : `; protocol="${opts.protocol ?? 'application/pkcs7-signature'}"`;
  return (
    `Content-Type: multipart/signed${protocol}; micalg=SHA-256; boundary="sig"\r\n\r\n` +
    `--sig\r\nContent-Type: text/plain\r\n\r\nsigned text\r\n` +
    `--sig\r\nContent-Type: ${opts.sigType ?? 'application/pkcs7-signature'}; name=smime.p7s\r\n` +
    `Content-Transfer-Encoding: ${opts.cte ?? 'base64'}\r\n\r\n${opts.sigBody ?? b64(der(SIGNED_DATA_OID))}\r\n` +
    (opts.extra ?? '') +
    `--sig--\r\n`
  );
}

test('splitSigned: exact part-1 bytes as a subarray, decoded DER signature, protocol and micalg', () => {
  const r = root(signedMessage());
  const s = splitSigned(r);
  assert.ok(s.ok);
  assert.equal(dec.decode(s.signedBytes), 'Content-Type: text/plain\r\n\r\nsigned text');
  assert.equal(s.signedBytes.buffer, r.source.buffer); // no copy
  assert.equal(s.signedBytes.byteOffset, r.source.byteOffset + s.signedPart.start);
  assert.deepEqual([...s.signatureDer], [...der(SIGNED_DATA_OID)]);
  assert.equal(s.protocol, 'application/pkcs7-signature');
  assert.equal(s.micalg, 'sha-256');
  assert.deepEqual(s.defects, []);
});

test('splitSigned accepts the x-pkcs7 names, raw binary and base64 mislabelled as 7bit', () => {
  const x = splitSigned(root(signedMessage({ protocol: 'application/x-pkcs7-signature', sigType: 'application/x-pkcs7-signature' })));
  assert.ok(x.ok && x.protocol === 'application/x-pkcs7-signature');
  const seven = splitSigned(root(signedMessage({ cte: '7bit' })));
  assert.ok(seven.ok && seven.signatureDer[0] === 0x30);
  assert.match(seven.defects.join(), /base64 but declares/);
  const head = enc.encode(signedMessage({ cte: 'binary', sigBody: '@@' }));
  const cut = dec.decode(head).indexOf('@@');
  const bin = new Uint8Array([...head.subarray(0, cut), ...der(SIGNED_DATA_OID), ...head.subarray(cut + 2)]);
  const b = splitSigned(root(bin));
  assert.ok(b.ok);
  assert.deepEqual([...b.signatureDer], [...der(SIGNED_DATA_OID)]);
  const pem = splitSigned(root(signedMessage({ cte: '7bit', sigBody: `-----BEGIN PKCS7-----\r\n${b64(der(SIGNED_DATA_OID))}\r\n-----END PKCS7-----` })));
  assert.ok(pem.ok && pem.signatureDer.length === der(SIGNED_DATA_OID).length);
});

test('splitSigned refuses what is not an S/MIME multipart/signed', () => {
  const wrongProto = splitSigned(root(signedMessage({ protocol: 'application/pgp-signature' })));
  assert.ok(!wrongProto.ok && wrongProto.error.code === 'wrong-protocol');
  const three = splitSigned(root(signedMessage({ extra: '--sig\r\n\r\nthird\r\n' })));
  assert.ok(!three.ok && three.error.code === 'wrong-part-count' && /has 3/.test(three.error.message));
  const notSig = splitSigned(root(signedMessage({ sigType: 'text/plain' })));
  assert.ok(!notSig.ok && notSig.error.code === 'missing-signature');
  const garbage = splitSigned(root(signedMessage({ sigBody: 'bm90IGRlcg==' })));
  assert.ok(!garbage.ok && garbage.error.code === 'malformed-cms');
  const mixed = splitSigned(root('Content-Type: multipart/mixed; boundary=b\n\n--b\n\nx\n--b--\n'));
  assert.ok(!mixed.ok && mixed.error.code === 'not-multipart-signed');
});

test('splitSigned: missing protocol parameter is tolerated when part 2 is a PKCS #7 signature', () => {
  const s = splitSigned(root(signedMessage({ protocol: null })));
  assert.ok(s.ok && s.protocol === 'application/pkcs7-signature');
  assert.match(s.defects.join(), /no protocol/);
});

test('splitSigned: a truncated message (signature cut off) reports truncated', () => {
  const full = signedMessage({ sigBody: b64(new Uint8Array([0x30, 0x82, 0x01, 0x00, ...SIGNED_DATA_OID])) });
  const cut = full.slice(0, full.indexOf('--sig--'));
  const s = splitSigned(root(cut));
  assert.ok(!s.ok && s.error.code === 'truncated');
  const noSig = splitSigned(root(full.slice(0, full.lastIndexOf('--sig\r\nContent-Type: application'))));
  assert.ok(!noSig.ok && noSig.error.code === 'truncated');
});

test('toCanonicalCrlf: bare LF to CRLF, CRLF kept, unchanged input returned as is', () => {
  assert.equal(dec.decode(toCanonicalCrlf(enc.encode('a\nb\r\nc\n\nd'))), 'a\r\nb\r\nc\r\n\r\nd');
  assert.equal(dec.decode(toCanonicalCrlf(enc.encode('\n'))), '\r\n');
  const same = enc.encode('a\r\nb');
  assert.equal(toCanonicalCrlf(same), same);
  assert.equal(hasBareLf(same), false);
  assert.equal(hasBareLf(enc.encode('a\nb')), true);
});

function opaque(params: string, body: string, cte = 'base64'): MimeEntity {
  return root(`Content-Type: application/pkcs7-mime${params}\r\nContent-Transfer-Encoding: ${cte}\r\n\r\n${body}\r\n`);
}

test('smimeType: parameter first, then the CMS OID, then the file extension', () => {
  assert.equal(smimeType(opaque('; smime-type=signed-data', b64(der(ENVELOPED_OID)))), 'signed-data');
  assert.equal(smimeType(opaque('; smime-type="authEnveloped-data"', '')), 'authEnveloped-data');
  assert.equal(smimeType(opaque('; name=smime.p7m', b64(der(SIGNED_DATA_OID)))), 'signed-data');
  assert.equal(smimeType(opaque('; name=smime.p7m', b64(der(ENVELOPED_OID)))), 'enveloped-data');
  assert.equal(smimeType(opaque('; name=smime.p7m', 'garbage')), 'enveloped-data');
  assert.equal(smimeType(opaque('; name=certs.p7c', 'garbage')), 'certs-only');
  // a certs-only SignedData carries the signed-data OID: the .p7c name decides
  assert.equal(smimeType(opaque('; name=alice.p7c', b64(der(SIGNED_DATA_OID)))), 'certs-only');
  assert.equal(smimeType(root('Content-Type: application/x-pkcs7-mime; smime-type=enveloped-data\n\n')), 'enveloped-data');
  assert.equal(smimeType(root('Content-Type: text/plain\n\n')), undefined);
  assert.ok(isOpaqueSigned(opaque('; smime-type=signed-data', b64(der(SIGNED_DATA_OID)))));
  assert.ok(!isOpaqueSigned(opaque('; smime-type=enveloped-data', b64(der(ENVELOPED_OID)))));
});

test('decodeOpaque returns the ContentInfo DER', () => {
  const d = decodeOpaque(opaque('; smime-type=signed-data', b64(der(SIGNED_DATA_OID)).replace(/(.{4})/g, '$1\r\n')));
  assert.ok(d.ok && d.smimeType === 'signed-data');
  assert.deepEqual([...d.der], [...der(SIGNED_DATA_OID)]);
  const bad = decodeOpaque(opaque('; smime-type=signed-data', ''));
  assert.ok(!bad.ok);
});

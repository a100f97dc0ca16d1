/**
 * The one mapping from pkijs/asn1js errors to our reason codes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { decodeBer } from '../../src/cms/ber';
import { classifyParseError, reasonForPkijsVerifyCode } from '../../src/cms/errors';

test('pkijs SignedDataVerifyError codes map to our reason codes', () => {
  const table: [number, string, string][] = [
    [1, '', 'no-signer-info'],
    [2, '', 'signer-cert-missing'],
    [3, '', 'signer-cert-missing'],
    [4, '', 'malformed-cms'],
    [5, '', 'bad-cert-signature'],
    [7, '', 'unsupported-algorithm'],
    [9, '', 'content-type-mismatch'],
    [10, '', 'content-digest-mismatch'],
    [14, '', 'signature-valid'],
    [15, "Error during verification: Message digest doesn't match", 'content-digest-mismatch'],
    [15, 'Error during verification: something else', 'signature-invalid'],
    [99, '', 'signature-invalid'],
  ];
  for (const [code, msg, want] of table) assert.equal(reasonForPkijsVerifyCode(code, msg), want, `${code} ${msg}`);
});

test('pkijs really throws these codes: a signer certificate it cannot find is code 3', async () => {
  const sd = new pkijs.SignedData({
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: '1.2.840.113549.1.7.1' }),
    signerInfos: [
      new pkijs.SignerInfo({
        sid: new pkijs.IssuerAndSerialNumber({
          issuer: new pkijs.RelativeDistinguishedNames(),
          serialNumber: new asn1js.Integer({ value: 1 }),
        }),
      }),
    ],
    certificates: [],
  });
  await assert.rejects(sd.verify({ signer: 0, data: new Uint8Array([1]).buffer }), (e: unknown) => {
    assert.ok(e instanceof pkijs.SignedDataVerifyError);
    assert.ok([2, 3].includes(e.code));
    assert.equal(reasonForPkijsVerifyCode(e.code, e.message), 'signer-cert-missing');
    return true;
  });
});

test('parse errors: cut-off input is truncated, the rest malformed, stack overflow a limit', () => {
  const cut = asn1js.fromBER(new Uint8Array([0x30, 0x10, 0x02, 0x01]));
  assert.equal(cut.offset, -1);
  assert.equal(classifyParseError(cut.result.error, 'signature').code, 'truncated');
  assert.equal(classifyParseError(new Error("Object's schema was not verified against input data for ContentInfo"), 'signature').code, 'malformed-cms');
  assert.equal(classifyParseError(new RangeError('Maximum call stack size exceeded'), 'signature').code, 'limit-exceeded');
  assert.equal(classifyParseError('Maximum ASN.1 node count exceeded', 'signature').code, 'limit-exceeded');
  assert.equal(classifyParseError('Maximum ASN.1 nesting depth exceeded', 'signature').code, 'limit-exceeded');
  assert.match(classifyParseError('x'.repeat(500), 'signature').message, /\.\.\.\.$/);
});

test('decodeBer: a length beyond the input is "truncated"; too deep nesting is a limit; no copy of the input', () => {
  const cut = decodeBer(new Uint8Array([0x30, 0x82, 0x10, 0x00, 0x02, 0x01, 0x01]));
  assert.equal(cut.offset, -1);
  assert.equal(classifyParseError(cut.result.error, 'signature').code, 'truncated');
  // 200 nested SEQUENCEs in indefinite-length form: deeper than MAX_BER_DEPTH.
  const deep = new Uint8Array([...Array(200).fill([0x30, 0x80]).flat(), ...Array(200).fill([0, 0]).flat()]);
  const d = decodeBer(deep);
  assert.equal(d.offset, -1);
  assert.equal(classifyParseError(d.result.error, 'signature').code, 'limit-exceeded');
  const ok = new Uint8Array([0x30, 0x03, 0x04, 0x01, 0x07]);
  const r = decodeBer(ok);
  assert.equal((r.result as asn1js.Sequence).valueBlock.value[0].valueBeforeDecodeView.buffer, ok.buffer);
});

// RFC 5280 §7.1 name comparison as names.ts does it, on names built from DER.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as asn1js from 'asn1js';
import { nameEquals, nameWithin, parseNameDer } from '../../src/trust/names';

type Str = typeof asn1js.PrintableString | typeof asn1js.Utf8String | typeof asn1js.BmpString;
function name(...rdns: [string, string, Str?][][]): ArrayBuffer {
  return new asn1js.Sequence({
    value: rdns.map(
      (rdn) =>
        new asn1js.Set({
          value: rdn.map(
            ([oid, v, S]) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid }), new (S ?? asn1js.Utf8String)({ value: v })] }),
          ),
        }),
    ),
  }).toBER(false);
}
const C = '2.5.4.6';
const O = '2.5.4.10';
const CN = '2.5.4.3';

test('case and whitespace differences do not matter; string type (Printable/UTF8/BMP) does not either', () => {
  const a = parseNameDer(name([[C, 'US', asn1js.PrintableString]], [[O, 'Test  Certificates ', asn1js.PrintableString]], [[CN, 'Good CA']]));
  const b = parseNameDer(name([[C, 'us']], [[O, ' test certificates', asn1js.BmpString]], [[CN, 'GOOD   ca', asn1js.Utf8String]]));
  assert.equal(nameEquals(a, b), true);
  assert.equal(a.display, 'CN=Good CA, O=Test  Certificates , C=US');
});

test('RDN order matters; values within a multi-valued RDN do not', () => {
  const a = parseNameDer(name([[C, 'US']], [[O, 'X']]));
  const b = parseNameDer(name([[O, 'X']], [[C, 'US']]));
  assert.equal(nameEquals(a, b), false);
  const m1 = parseNameDer(name([[CN, 'A'], [O, 'X']]));
  const m2 = parseNameDer(name([[O, 'x'], [CN, 'a']]));
  assert.equal(nameEquals(m1, m2), true);
  assert.match(m1.display, /\+/);
});

test('different values or an extra RDN are different names; a prefix is a subtree', () => {
  const base = parseNameDer(name([[C, 'US']], [[O, 'X']]));
  const longer = parseNameDer(name([[C, 'US']], [[O, 'X']], [[CN, 'Alice']]));
  const other = parseNameDer(name([[C, 'US']], [[O, 'Y']], [[CN, 'Alice']]));
  assert.equal(nameEquals(base, longer), false);
  assert.equal(nameWithin(longer, base), true);
  assert.equal(nameWithin(other, base), false);
  assert.equal(nameWithin(base, longer), false);
});

test('malformed DER gives a visible, non-matching name, not an exception', () => {
  const bad = parseNameDer(new Uint8Array([0x30, 0x05, 0x31]));
  assert.equal(bad.display, '(malformed name)');
  assert.equal(nameEquals(bad, parseNameDer(name([[CN, 'A']]))), false);
});

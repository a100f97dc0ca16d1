// RFC 5280 §7.1 name comparison as names.ts does it, on names built from DER.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { nameEquals, nameKey, nameKeyDer, nameWithin, parseNameDer, sameRdn } from '../../src/trust/names';
import { bundledAnchors } from '../../src/trust/roots/bundled';

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
  // RFC 4514: a trailing space is escaped, so it stays visible in what a user reads.
  assert.equal(a.display, 'CN=Good CA, O=Test  Certificates\\ , C=US');
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

test('nameKeyDer (the walk without asn1js) gives the same key as the full parse, odd names included', () => {
  const same = (der: Uint8Array, what: string) => assert.equal(nameKeyDer(der), nameKey(parseNameDer(der)), what);
  for (const c of bundledAnchors()) same(new Uint8Array(c.subject.toSchema().toBER(false)), 'a bundled root');
  const odd: [string, Uint8Array][] = [
    ['mixed types, multi-valued RDN', new Uint8Array(name([[C, 'US', asn1js.PrintableString]], [[CN, 'Z z'], [O, '  Big   Org ', asn1js.BmpString]]))],
    ['non-ASCII UTF-8', new Uint8Array(name([[CN, 'Jürgen Ǆ ﬁ']]))],
    ['empty name', new Uint8Array([0x30, 0])],
    ['empty RDN', new Uint8Array([0x30, 2, 0x31, 0])],
    ['trailing byte', new Uint8Array([...new Uint8Array(name([[CN, 'a']])), 0])],
    ['truncated', new Uint8Array(name([[CN, 'abc']])).subarray(0, 9)],
    ['not a name', new Uint8Array([0x04, 1, 0])],
    [
      'non-string value, large OID arcs',
      new Uint8Array(
        new asn1js.Sequence({
          value: [new asn1js.Set({ value: [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: '2.999.4294967296.1' }), new asn1js.Integer({ value: 7 })] })] })],
        }).toBER(false),
      ),
    ],
    ['OID first arc 2, long form length', new Uint8Array(name([[`2.5.4.${200}`, 'x'.repeat(300)]]))],
  ];
  for (const [what, der] of odd) same(der, what);
});

test('sameRdn: identical DER is equal without pkijs isEqual; other encodings get isEqual\'s answer', () => {
  const rdn = (der: ArrayBuffer) => new pkijs.RelativeDistinguishedNames({ schema: asn1js.fromBER(der).result });
  const a = rdn(name([[C, 'US', asn1js.PrintableString]], [[CN, 'Good CA']]));
  const a2 = rdn(name([[C, 'US', asn1js.PrintableString]], [[CN, 'Good CA']]));
  let calls = 0;
  const isEqual = a.isEqual.bind(a);
  a.isEqual = (b) => (calls++, isEqual(b));
  assert.equal(sameRdn(a, a2), true);
  assert.equal(calls, 0, 'answered from the DER');
  for (const other of [
    rdn(name([[C, 'us', asn1js.Utf8String]], [[CN, 'good   ca']])),
    rdn(name([[C, 'US', asn1js.PrintableString]], [[CN, 'Other CA']])),
    rdn(name([[CN, 'Good CA']])),
  ]) {
    assert.equal(sameRdn(a, other), isEqual(other));
  }
  assert.equal(calls, 3);
  assert.equal(sameRdn(a, new pkijs.RelativeDistinguishedNames()), isEqual(new pkijs.RelativeDistinguishedNames()));
});

/**
 * X.500 names as RFC 5280 §7.1 compares them: RDN by RDN, each attribute value of a string type compared
 * case-insensitively after trimming and collapsing inner whitespace (the RFC 4518 essentials); other values
 * byte for byte. pkijs flattens multi-valued RDNs, so names are read from their DER here.
 *
 * Limit: the full RFC 4518 string preparation (mapping tables, insignificant-character handling of
 * telephone numbers) is not done; NFKC + case folding + space folding covers what real CAs emit.
 */
import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import { bytesEqual } from '../cms/digest';

export interface Atv {
  type: string;
  /** Comparison key: normalised text for string types, '#'+hex of the DER value otherwise. */
  key: string;
  /** As shown to people. */
  text: string;
}

/** One RDN; its ATVs are sorted by type and key so that SET order does not matter. */
export type Rdn = Atv[];

export interface ParsedName {
  rdns: Rdn[];
  /** RFC 4514-style, most specific first: "CN=Alice, O=Example, C=US". */
  display: string;
}

/**
 * Short names for DN attribute types, one table for every name we show (reasons and certificate details): RFC 4514
 * §3 plus the extras OpenSSL prints, spelt as OpenSSL does.
 */
export const DN_ATTRIBUTE_NAMES: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.12': 'title',
  '2.5.4.17': 'postalCode',
  '2.5.4.46': 'dnQualifier',
  '2.5.4.65': 'pseudonym',
  '2.5.4.43': 'initials',
  '2.5.4.44': 'generationQualifier',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/**
 * Text from a certificate made safe to show: control characters (C0, DEL, C1) and the Unicode bidirectional
 * controls are written out as escapes. A CA-signed name is still attacker-chosen text: a line break would fake
 * another line in the CLI's summary, and a right-to-left override would show "moc.elpmaxe" as "example.com".
 */
export function visibleText(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16).toUpperCase()}}`;
  });
}

/**
 * visibleText on every string of a plain JSON-like value (objects, arrays), for whole results that leave the core:
 * certificate addresses, From values, subjects, file names and details are all message- or certificate-derived.
 * Keys are not changed; non-string leaves are kept as they are. Idempotent.
 */
export function visibleStrings<T>(v: T): T {
  if (typeof v === 'string') return visibleText(v) as T;
  if (Array.isArray(v)) return v.map(visibleStrings) as T;
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = visibleStrings(x);
    return out as T;
  }
  return v;
}

export const OID_EMAIL_ADDRESS = '1.2.840.113549.1.9.1';
export const OID_COMMON_NAME = '2.5.4.3';

const STRING_BLOCKS = [
  asn1js.PrintableString,
  asn1js.Utf8String,
  asn1js.TeletexString,
  asn1js.BmpString,
  asn1js.UniversalString,
  asn1js.IA5String,
  asn1js.VisibleString,
  asn1js.NumericString,
  asn1js.VideotexString,
  asn1js.GeneralString,
  asn1js.GraphicString,
  asn1js.CharacterString,
];

function hex(buf: ArrayBuffer | Uint8Array): string {
  const b = buf instanceof Uint8Array ? buf : new Uint8Array(buf);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** RFC 4518 essentials: NFKC, case fold, trim, collapse runs of whitespace to one space. */
export function normaliseString(s: string): string {
  return s.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function atvOf(seq: asn1js.AsnType): Atv | undefined {
  if (!(seq instanceof asn1js.Sequence) || seq.valueBlock.value.length < 2) return undefined;
  const [t, v] = seq.valueBlock.value;
  if (!(t instanceof asn1js.ObjectIdentifier)) return undefined;
  const type = t.valueBlock.toString();
  if (STRING_BLOCKS.some((C) => v instanceof C)) {
    const text = (v as asn1js.Utf8String).valueBlock.value;
    return { type, key: normaliseString(text), text };
  }
  const der = v.toBER(false);
  return { type, key: '#' + hex(der), text: '#' + hex(der) };
}

/** An attribute value in RFC 4514 form (special characters escaped) and visible (see visibleText). */
export function escapeDnValue(s: string): string {
  if (s.startsWith('#') && /^#[0-9a-f]*$/.test(s)) return s; // the hex form of a value that is not a string
  let out = visibleText(s.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`));
  if (out.startsWith('#') || out.startsWith(' ')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}

/** Parse a Name from DER. Malformed names give an empty RDN list with a visible marker. */
export function parseNameDer(der: ArrayBuffer | Uint8Array): ParsedName {
  const buf = der instanceof Uint8Array ? der.slice().buffer : der;
  const asn = asn1js.fromBER(buf);
  const rdns: Rdn[] = [];
  if (asn.offset !== -1 && asn.result instanceof asn1js.Sequence) {
    for (const set of asn.result.valueBlock.value) {
      if (!(set instanceof asn1js.Set)) continue;
      const rdn: Rdn = [];
      for (const item of set.valueBlock.value) {
        const atv = atvOf(item);
        if (atv) rdn.push(atv);
      }
      rdn.sort((a, b) => (a.type + '\0' + a.key < b.type + '\0' + b.key ? -1 : 1));
      rdns.push(rdn);
    }
  } else {
    return { rdns: [[{ type: 'malformed', key: '#' + hex(buf), text: '(malformed name)' }]], display: '(malformed name)' };
  }
  const display = rdns
    .slice()
    .reverse()
    .map((rdn) => rdn.map((a) => `${DN_ATTRIBUTE_NAMES[a.type] ?? a.type}=${escapeDnValue(a.text)}`).join('+'))
    .join(', ');
  return { rdns, display };
}

/** A string that two names share exactly when nameEquals says they are equal (for indexes). */
export function nameKey(name: ParsedName): string {
  return name.rdns.map((rdn) => rdn.map((a) => `${a.type}=${a.key}`).join('+')).join(',');
}

/** Simple string types whose ASCII content asn1js reads byte for byte: UTF8, Numeric, Printable, Teletex, IA5, Visible. */
const ASCII_STRING_TAGS = new Set([0x0c, 0x12, 0x13, 0x14, 0x16, 0x1a]);

/**
 * nameKey(parseNameDer(der)) without asn1js, for indexes built over many names at once (the bundled roots: asn1js
 * costs ~40 ms for them in a fresh process, this walk ~1 ms). Only the common shape is read here: DER with definite
 * lengths, every attribute an OID and an ASCII string of a simple type. Anything else (other string types,
 * non-ASCII text, non-string values, odd structure) goes to the full parse, so the key is always the same.
 */
export function nameKeyDer(der: Uint8Array): string {
  return fastNameKey(der) ?? nameKey(parseNameDer(der));
}

function fastNameKey(b: Uint8Array): string | undefined {
  // One TLV header at `at`, within `end`: [contentStart, contentEnd] or undefined.
  const tlv = (at: number, end: number, tag: number): [number, number] | undefined => {
    if (at + 2 > end || b[at] !== tag) return undefined;
    let len = b[at + 1];
    let start = at + 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      if (n === 0 || n > 3 || start + n > end) return undefined;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[start + i];
      start += n;
    }
    return start + len <= end ? [start, start + len] : undefined;
  };
  const name = tlv(0, b.length, 0x30);
  if (!name || name[1] !== b.length) return undefined;
  const rdns: string[] = [];
  for (let at = name[0]; at < name[1]; ) {
    const set = tlv(at, name[1], 0x31);
    if (!set) return undefined;
    const atvs: { type: string; key: string }[] = [];
    for (let p = set[0]; p < set[1]; ) {
      const seq = tlv(p, set[1], 0x30);
      const oid = seq && tlv(seq[0], seq[1], 0x06);
      if (!seq || !oid) return undefined;
      const type = oidText(b, oid[0], oid[1]);
      const tag = b[oid[1]];
      const value = ASCII_STRING_TAGS.has(tag) ? tlv(oid[1], seq[1], tag) : undefined;
      if (type === undefined || !value || value[1] !== seq[1]) return undefined;
      let text = '';
      for (let i = value[0]; i < value[1]; i++) {
        if (b[i] >= 0x80) return undefined;
        text += String.fromCharCode(b[i]);
      }
      atvs.push({ type, key: normaliseString(text) });
      p = seq[1];
    }
    atvs.sort((x, y) => (x.type + '\0' + x.key < y.type + '\0' + y.key ? -1 : 1));
    rdns.push(atvs.map((a) => `${a.type}=${a.key}`).join('+'));
    at = set[1];
  }
  return rdns.join(',');
}

/** Dotted OID text as asn1js gives it; undefined for empty, over-long or unusually large arcs. */
function oidText(b: Uint8Array, start: number, end: number): string | undefined {
  const arcs: number[] = [];
  let v = 0;
  for (let i = start; i < end; i++) {
    if (v > 0x1ffffff || (v === 0 && b[i] === 0x80)) return undefined;
    v = v * 128 + (b[i] & 0x7f);
    if (!(b[i] & 0x80)) {
      arcs.push(v);
      v = 0;
    }
  }
  if (arcs.length === 0 || b[end - 1] & 0x80) return undefined;
  const first = arcs[0] < 40 ? 0 : arcs[0] < 80 ? 1 : 2;
  return [first, arcs[0] - first * 40, ...arcs.slice(1)].join('.');
}

/**
 * pkijs' RelativeDistinguishedNames.isEqual, answering from the DER first: identical encodings are equal names, so
 * the common case (a SignerIdentifier or an issuer field copied from the certificate) never reaches isEqual, whose
 * first String.localeCompare loads ICU's collator (~9 ms of a CLI run). Different encodings get isEqual's answer.
 */
export function sameRdn(a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames): boolean {
  const x = a.valueBeforeDecode;
  const y = b.valueBeforeDecode;
  if (x && y && x.byteLength > 0 && bytesEqual(new Uint8Array(x), new Uint8Array(y))) return true;
  return a.isEqual(b);
}

/** Parse a pkijs name (from a certificate, CRL or GeneralName directoryName). */
export function parseName(name: pkijs.RelativeDistinguishedNames): ParsedName {
  const der =
    name.valueBeforeDecode && name.valueBeforeDecode.byteLength > 0
      ? name.valueBeforeDecode
      : name.toSchema().toBER(false);
  return parseNameDer(der);
}

function rdnEquals(a: Rdn, b: Rdn): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].type !== b[i].type || a[i].key !== b[i].key) return false;
  return true;
}

export function nameEquals(a: ParsedName, b: ParsedName): boolean {
  if (a.rdns.length !== b.rdns.length) return false;
  for (let i = 0; i < a.rdns.length; i++) if (!rdnEquals(a.rdns[i], b.rdns[i])) return false;
  return true;
}

/** Whether `name` lies in the subtree rooted at `base` (base's RDNs are a prefix of name's). */
export function nameWithin(name: ParsedName, base: ParsedName): boolean {
  if (base.rdns.length > name.rdns.length) return false;
  for (let i = 0; i < base.rdns.length; i++) if (!rdnEquals(name.rdns[i], base.rdns[i])) return false;
  return true;
}

/** Append one RDN (for nameRelativeToCRLIssuer). */
export function appendRdn(base: ParsedName, rdnDer: ArrayBuffer): ParsedName {
  const asn = asn1js.fromBER(rdnDer);
  const rdn: Rdn = [];
  if (asn.offset !== -1 && asn.result instanceof asn1js.Set) {
    for (const item of asn.result.valueBlock.value) {
      const atv = atvOf(item);
      if (atv) rdn.push(atv);
    }
  }
  rdn.sort((a, b) => (a.type + '\0' + a.key < b.type + '\0' + b.key ? -1 : 1));
  const rdns = [...base.rdns, rdn];
  const last = rdn.map((a) => `${DN_ATTRIBUTE_NAMES[a.type] ?? a.type}=${escapeDnValue(a.text)}`).join('+');
  return { rdns, display: base.display ? `${last}, ${base.display}` : last };
}

/** Values of one attribute type, in order (e.g. all emailAddress or CN values). */
export function attributeValues(name: ParsedName, type: string): string[] {
  return name.rdns.flatMap((rdn) => rdn.filter((a) => a.type === type).map((a) => a.text));
}

/** A short label for messages: the last CN, else the whole name. */
export function nameLabel(name: ParsedName): string {
  const cns = attributeValues(name, OID_COMMON_NAME);
  return cns.length ? visibleText(cns[cns.length - 1]) : name.display || '(empty name)';
}

export { hex };

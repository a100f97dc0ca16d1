/**
 * A CRL with what RFC 5280 §6.3 needs read once: issuer, times, CRL number, delta indicator, the issuing
 * distribution point (parsed here from DER: pkijs reads onlySomeReasons from the wrong byte and flattens
 * nameRelativeToCRLIssuer), and the entries keyed by serial number with their certificate issuer resolved
 * (indirect CRLs carry it forward from entry to entry, §5.3.3).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from './cert-info';
import { scanRevoked, type RawEntry } from './crl-der';
import { appendRdn, hex, parseNameDer, type ParsedName } from './names';

/** ReasonFlags bits 1..8 (bit 0 is unused). */
export const ALL_REASONS = 0x1fe;

export const REASON_NAMES: Record<number, string> = {
  0: 'unspecified',
  1: 'key compromise',
  2: 'CA compromise',
  3: 'affiliation changed',
  4: 'superseded',
  5: 'cessation of operation',
  6: 'certificate hold',
  8: 'remove from CRL',
  9: 'privilege withdrawn',
  10: 'AA compromise',
};

/** A CRLReason code in words ("key compromise"); an unassigned code by its number. */
export function reasonName(code: number): string {
  return REASON_NAMES[code] ?? `reason ${code}`;
}

/** A GeneralName in comparable form: directory names parsed, the rest as type + text/hex. */
export type DpName = { kind: 'dir'; name: ParsedName } | { kind: 'other'; key: string };

/** DistributionPointName: full names, or a name relative to the CRL issuer (resolved by the caller). */
export type DpNameField = { full: DpName[] } | { relative: ArrayBuffer };

export interface IdpInfo {
  distributionPoint?: DpNameField;
  onlyUser: boolean;
  onlyCA: boolean;
  onlyAttr: boolean;
  /** ReasonFlags as a mask over bits 1..8, ALL_REASONS when absent. */
  reasons: number;
  indirect: boolean;
  /** DER of the extension value, to compare the scope of a delta CRL with its base. */
  der: string;
}

export interface CrlEntry {
  serial: string;
  revocationDate: Date;
  reason: number; // CRLReason code, 0 when absent
  /** The certificate issuer of this entry (indirect CRLs), else the CRL issuer. */
  certIssuer: ParsedName[];
}

export interface CrlInfo {
  crl: pkijs.CertificateRevocationList;
  issuer: ParsedName;
  thisUpdate: Date;
  nextUpdate?: Date;
  crlNumber?: bigint;
  /** BaseCRLNumber when this is a delta CRL. */
  deltaBase?: bigint;
  idp?: IdpInfo;
  akiKeyId?: string;
  /** The entries for a serial number (hex of the INTEGER contents; several in indirect CRLs). */
  entriesFor(serial: string): CrlEntry[];
  entryCount: number;
  /** Why this CRL cannot be used at all (unknown critical extension, unreadable extension). */
  unusable?: string;
  /** Why its entries cannot be read: a CRL retrieved but unreadable fails closed (never "not checked"). */
  unreadable?: string;
}

function ctx(el: asn1js.AsnType, n: number): boolean {
  return el.idBlock.tagClass === 3 && el.idBlock.tagNumber === n;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return s;
}

/** One GeneralName from its (context-tagged) ASN.1 element. */
export function dpNameOf(el: asn1js.AsnType): DpName {
  const t = el.idBlock.tagNumber;
  if (el.idBlock.tagClass === 3 && t === 4) {
    const inner = (el as asn1js.Constructed).valueBlock.value?.[0];
    if (inner) return { kind: 'dir', name: parseNameDer(inner.toBER(false)) };
  }
  if (el.idBlock.tagClass === 3 && (t === 1 || t === 2 || t === 6)) {
    const v = (el as asn1js.Primitive).valueBlock.valueHexView;
    const text = latin1(v);
    return { kind: 'other', key: `${t}:${t === 6 ? text : text.toLowerCase()}` };
  }
  return { kind: 'other', key: `${t}#${hex(el.toBER(false))}` };
}

/** GeneralNames ([n] IMPLICIT SEQUENCE OF GeneralName) from a constructed element. */
export function generalNamesOf(el: asn1js.AsnType): DpName[] {
  const items = (el as asn1js.Constructed).valueBlock.value ?? [];
  return items.map(dpNameOf);
}

/** ReasonFlags from a primitive BIT STRING content (first byte = unused bits). */
export function reasonFlagsOf(el: asn1js.AsnType): number {
  const v = (el as asn1js.Primitive).valueBlock.valueHexView;
  if (v.length < 2) return 0;
  let mask = 0;
  for (let bit = 0; bit < 9; bit++) {
    const byte = v[1 + (bit >> 3)];
    if (byte !== undefined && byte & (0x80 >> (bit & 7))) mask |= 1 << bit;
  }
  return mask & ALL_REASONS;
}

export function dpNameFieldOf(el: asn1js.AsnType): DpNameField | undefined {
  const inner = (el as asn1js.Constructed).valueBlock.value?.[0];
  if (!inner) return undefined;
  if (ctx(inner, 0)) return { full: generalNamesOf(inner) };
  if (ctx(inner, 1)) {
    // [1] IMPLICIT RelativeDistinguishedName: re-tag as a SET to parse it as one RDN.
    const set = new asn1js.Set({ value: (inner as asn1js.Constructed).valueBlock.value });
    return { relative: set.toBER(false) };
  }
  return undefined;
}

export function resolveDpName(field: DpNameField, base: ParsedName): DpName[] {
  if ('full' in field) return field.full;
  return [{ kind: 'dir', name: appendRdn(base, field.relative) }];
}

function parseIdp(raw: Uint8Array): IdpInfo | undefined {
  const asn = asn1js.fromBER(raw.slice().buffer);
  if (asn.offset === -1 || !(asn.result instanceof asn1js.Sequence)) return undefined;
  const out: IdpInfo = { onlyUser: false, onlyCA: false, onlyAttr: false, reasons: ALL_REASONS, indirect: false, der: hex(raw) };
  const bool = (el: asn1js.AsnType) => {
    const v = (el as asn1js.Primitive).valueBlock.valueHexView;
    return v.length > 0 && v[0] !== 0;
  };
  for (const el of asn.result.valueBlock.value) {
    if (ctx(el, 0)) out.distributionPoint = dpNameFieldOf(el);
    else if (ctx(el, 1)) out.onlyUser = bool(el);
    else if (ctx(el, 2)) out.onlyCA = bool(el);
    else if (ctx(el, 3)) out.reasons = reasonFlagsOf(el);
    else if (ctx(el, 4)) out.indirect = bool(el);
    else if (ctx(el, 5)) out.onlyAttr = bool(el);
  }
  return out;
}

function intValue(v: unknown): bigint | undefined {
  if (!(v instanceof asn1js.Integer)) return undefined;
  let x = 0n;
  for (const b of v.valueBlock.valueHexView) x = (x << 8n) | BigInt(b);
  return x;
}

const KNOWN_CRL_EXTENSIONS = new Set<string>([
  OID.crlNumber,
  OID.deltaCrlIndicator,
  OID.issuingDistributionPoint,
  OID.authorityKeyIdentifier,
  OID.issuerAltName,
  OID.freshestCrl,
  OID.authorityInfoAccess,
]);
const KNOWN_ENTRY_EXTENSIONS = new Set<string>([OID.reasonCode, OID.invalidityDate, OID.certificateIssuer, OID.holdInstructionCode]);

function entryOf(raw: RawEntry, crlIssuer: ParsedName): CrlEntry {
  const date = asn1js.fromBER(raw.date.slice());
  const t = date.result;
  const revocationDate = t instanceof asn1js.GeneralizedTime || t instanceof asn1js.UTCTime ? t.toDate() : new Date(NaN);
  let reason = 0;
  if (raw.reasonCode) {
    const v = asn1js.fromBER(raw.reasonCode.slice()).result;
    if (v instanceof asn1js.Enumerated) reason = v.valueBlock.valueDec;
  }
  let certIssuer = [crlIssuer];
  if (raw.certificateIssuer) {
    const asn = asn1js.fromBER(raw.certificateIssuer.slice());
    if (asn.offset !== -1) {
      certIssuer = generalNamesOf(asn.result)
        .filter((n): n is { kind: 'dir'; name: ParsedName } => n.kind === 'dir')
        .map((n) => n.name);
    }
  }
  return { serial: raw.serial, revocationDate, reason, certIssuer };
}

const infoCache = new WeakMap<pkijs.CertificateRevocationList, CrlInfo>();

/** The CRL read once per object (a fetched CRL is kept in the online cache and checked for every message). */
export function crlInfo(crl: pkijs.CertificateRevocationList): CrlInfo {
  let info = infoCache.get(crl);
  if (!info) infoCache.set(crl, (info = readCrlInfo(crl)));
  return info;
}

function readCrlInfo(crl: pkijs.CertificateRevocationList): CrlInfo {
  const issuer = parseNameDer(
    crl.issuer.valueBeforeDecode?.byteLength ? crl.issuer.valueBeforeDecode : crl.issuer.toSchema().toBER(false),
  );
  const info: CrlInfo = {
    crl,
    issuer,
    thisUpdate: crl.thisUpdate.value,
    nextUpdate: crl.nextUpdate?.value,
    entriesFor: () => [],
    entryCount: 0,
  };
  for (const e of crl.crlExtensions?.extensions ?? []) {
    const raw = e.extnValue.valueBlock.valueHexView;
    switch (e.extnID) {
      case OID.crlNumber:
        info.crlNumber = intValue(e.parsedValue);
        break;
      case OID.deltaCrlIndicator:
        info.deltaBase = intValue(e.parsedValue);
        if (info.deltaBase === undefined) info.unusable = 'its delta CRL indicator cannot be read';
        break;
      case OID.issuingDistributionPoint:
        info.idp = parseIdp(raw);
        if (!info.idp) info.unusable = 'its issuing distribution point cannot be read';
        break;
      case OID.authorityKeyIdentifier: {
        const aki = e.parsedValue as pkijs.AuthorityKeyIdentifier | undefined;
        if (aki instanceof pkijs.AuthorityKeyIdentifier && aki.keyIdentifier) info.akiKeyId = hex(aki.keyIdentifier.valueBlock.valueHexView);
        break;
      }
      default:
        if (e.critical && !KNOWN_CRL_EXTENSIONS.has(e.extnID)) info.unusable = `it has a critical extension (${e.extnID}) this checker does not understand`;
    }
  }
  // Entries: one linear walk now (structure, unknown critical entry extensions), then one per serial asked for,
  // keeping only the matching entries (crl-der.ts): memory stays proportional to what is kept, whatever the size.
  const extOids = { reasonCode: OID.reasonCode, certificateIssuer: OID.certificateIssuer, known: KNOWN_ENTRY_EXTENSIONS };
  const scan = scanRevoked(crl, new Set(), extOids);
  info.entryCount = scan.count;
  if (scan.error) info.unreadable = `its list of revoked certificates cannot be read (${scan.error})`;
  else if (scan.unknownCritical) info.unusable = 'one of its entries has a critical extension this checker does not understand';
  const perSerial = new Map<string, CrlEntry[]>();
  info.entriesFor = (serial) => {
    let list = perSerial.get(serial);
    if (!list) {
      list = scanRevoked(crl, new Set([serial]), extOids).found.map((raw) => entryOf(raw, issuer));
      perSerial.set(serial, list);
    }
    return list;
  };
  return info;
}

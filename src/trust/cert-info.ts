/**
 * A certificate with what path validation needs read once: names, key identifiers, validity and the
 * extensions RFC 5280 §6.1 processes. Extension values come from pkijs' parsers; a value pkijs cannot
 * parse is kept as `malformed` so validation can refuse the certificate instead of guessing.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { certificateDer } from '../certs/der';
import { integerValue } from '../cms/ber';
import { hex, nameEquals, nameLabel, parseName, type ParsedName } from './names';

export const OID = {
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  crlNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  holdInstructionCode: '2.5.29.23',
  invalidityDate: '2.5.29.24',
  deltaCrlIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  nameConstraints: '2.5.29.30',
  crlDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  policyMappings: '2.5.29.33',
  authorityKeyIdentifier: '2.5.29.35',
  policyConstraints: '2.5.29.36',
  extKeyUsage: '2.5.29.37',
  freshestCrl: '2.5.29.46',
  inhibitAnyPolicy: '2.5.29.54',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  anyPolicy: '2.5.29.32.0',
  anyExtendedKeyUsage: '2.5.29.37.0',
  emailProtection: '1.3.6.1.5.5.7.3.4',
} as const;

/** Extensions whose meaning we process (or that carry no constraint), so they may be critical. */
export const KNOWN_CERT_EXTENSIONS = new Set<string>([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.basicConstraints,
  OID.nameConstraints,
  OID.crlDistributionPoints,
  OID.certificatePolicies,
  OID.policyMappings,
  OID.authorityKeyIdentifier,
  OID.policyConstraints,
  OID.extKeyUsage,
  OID.freshestCrl,
  OID.inhibitAnyPolicy,
  OID.authorityInfoAccess,
]);

/** Extensions whose content changes the outcome of validation here. */
const DECISIVE_EXTENSIONS = new Set<string>([
  OID.basicConstraints,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.subjectAltName,
  OID.nameConstraints,
  OID.certificatePolicies,
  OID.policyMappings,
  OID.policyConstraints,
  OID.inhibitAnyPolicy,
]);

/** keyUsage bits (RFC 5280 §4.2.1.3), bit 0 first. */
export const KU = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

export interface CertInfo {
  cert: pkijs.Certificate;
  der: Uint8Array;
  /** Identity for de-duplication and loop detection (hex of the DER). */
  key: string;
  subject: ParsedName;
  issuer: ParsedName;
  /** A short name for messages (CN, else the DN). */
  label: string;
  notBefore: Date;
  notAfter: Date;
  version: number; // 0 = v1, 2 = v3
  selfIssued: boolean;
  ski?: string;
  akiKeyId?: string;
  extensions: pkijs.Extension[];
  /** Extensions whose value pkijs could not parse (OIDs). */
  malformed: string[];
  /** Repeated extensions (RFC 5280 §4.2: MUST NOT appear more than once). */
  duplicated: string[];
}

function ext(info: { extensions: pkijs.Extension[] }, oid: string): pkijs.Extension | undefined {
  return info.extensions.find((e) => e.extnID === oid);
}

export function certDer(cert: pkijs.Certificate): Uint8Array {
  return certificateDer(cert);
}

/**
 * CertInfo per certificate object, computed once: a host keeps one set of anchors (e.g. the 106 bundled roots)
 * for every message, and re-encoding and hex-keying each of them per verification cost ~0.3-1 s a message in
 * Thunderbird. CertInfo is never changed after it is made, and a WeakMap lets unused certificates go.
 */
const INFO_CACHE = new WeakMap<pkijs.Certificate, CertInfo>();

export function certInfo(cert: pkijs.Certificate): CertInfo {
  const cached = INFO_CACHE.get(cert);
  if (cached) return cached;
  const info = makeCertInfo(cert);
  INFO_CACHE.set(cert, info);
  return info;
}

function makeCertInfo(cert: pkijs.Certificate): CertInfo {
  const der = certDer(cert);
  const subject = parseName(cert.subject);
  const issuer = parseName(cert.issuer);
  const extensions = cert.extensions ?? [];
  const malformed: string[] = [];
  const seen = new Set<string>();
  const duplicated: string[] = [];
  for (const e of extensions) {
    if (seen.has(e.extnID)) duplicated.push(e.extnID);
    seen.add(e.extnID);
    const pv = e.parsedValue as { parsingError?: string } | undefined | null;
    // Only extensions that decide something here (or critical ones) make a certificate unusable when
    // unreadable: a non-critical informational extension pkijs cannot parse is ignored, as RFC 5280
    // lets a relying party ignore non-critical extensions. crl.ts reads cRLDistributionPoints itself
    // (pkijs mis-reads nameRelativeToCRLIssuer).
    if (e.extnID === OID.crlDistributionPoints) continue;
    if (!e.critical && !DECISIVE_EXTENSIONS.has(e.extnID)) continue;
    if (pv && typeof pv === 'object' && 'parsingError' in pv && pv.parsingError) malformed.push(e.extnID);
  }
  const info: CertInfo = {
    cert,
    der,
    key: hex(der),
    subject,
    issuer,
    label: nameLabel(subject),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    version: cert.version,
    selfIssued: nameEquals(subject, issuer),
    extensions,
    malformed,
    duplicated,
  };
  const skiExt = ext(info, OID.subjectKeyIdentifier);
  if (skiExt && skiExt.parsedValue instanceof asn1js.OctetString) info.ski = hex(skiExt.parsedValue.valueBlock.valueHexView);
  const akiExt = ext(info, OID.authorityKeyIdentifier);
  if (akiExt) {
    const simple = simpleAkiKeyId(akiExt.extnValue.valueBlock.valueHexView);
    if (simple) info.akiKeyId = hex(simple);
    else if (simple === undefined) {
      const aki = akiExt.parsedValue as pkijs.AuthorityKeyIdentifier | undefined;
      if (aki?.keyIdentifier) info.akiKeyId = hex(aki.keyIdentifier.valueBlock.valueHexView);
    }
  }
  return info;
}

/**
 * The keyIdentifier of an AuthorityKeyIdentifier that is just `SEQUENCE { [0] keyIdentifier }` (or empty: null),
 * read from the DER; undefined for any other form, which pkijs then parses. pkijs' parse builds the schema of
 * GeneralName with its X.400 address each time, a few ms in a fresh process, for what is nearly always this form.
 */
function simpleAkiKeyId(b: Uint8Array): Uint8Array | null | undefined {
  if (b.length < 2 || b[0] !== 0x30 || b[1] !== b.length - 2) return undefined;
  if (b.length === 2) return null;
  if (b[2] !== 0x80 || b[3] >= 0x80 || 4 + b[3] !== b.length) return undefined;
  return b.subarray(4);
}

export function getExt(info: { extensions: pkijs.Extension[] }, oid: string): pkijs.Extension | undefined {
  return ext(info, oid);
}

export function basicConstraints(info: CertInfo): { cA: boolean; pathLen?: number } | undefined {
  const e = ext(info, OID.basicConstraints)?.parsedValue as pkijs.BasicConstraints | undefined;
  if (!e || !(e instanceof pkijs.BasicConstraints)) return undefined;
  const pl = e.pathLenConstraint;
  const pathLen = pl === undefined ? undefined : typeof pl === 'number' ? pl : skipCount(pl);
  return { cA: !!e.cA, pathLen };
}

/**
 * A certificate count of RFC 5280 (pathLenConstraint, SkipCerts: INTEGER (0..MAX)) from its INTEGER. pkijs leaves
 * INTEGERs of 4 bytes and more (2^23 up) as asn1js hex-only blocks whose valueDec reads 0, which made a CA allowing
 * 16,777,216 sub-CAs allow none: so the bytes are read. A negative value allows nothing (-1 for "unreadable" where
 * the caller refuses it); one past 2^53 is as good as unlimited.
 */
export function skipCount(x: asn1js.Integer): number {
  const v = integerValue(x);
  if (v !== undefined) return v;
  const b = x.valueBlock.valueHexView;
  return b.length === 0 || b[0] & 0x80 ? -1 : Number.MAX_SAFE_INTEGER;
}

/** keyUsage bits as a predicate, or undefined when the extension is absent. */
export function keyUsage(info: CertInfo): ((bit: number) => boolean) | undefined {
  const e = ext(info, OID.keyUsage);
  if (!e) return undefined;
  const bs = e.parsedValue;
  if (!(bs instanceof asn1js.BitString)) return () => false;
  const bytes = bs.valueBlock.valueHexView;
  return (bit: number) => {
    const byte = bytes[bit >> 3];
    return byte !== undefined && (byte & (0x80 >> (bit & 7))) !== 0;
  };
}

export function extKeyUsage(info: CertInfo): string[] | undefined {
  const e = ext(info, OID.extKeyUsage);
  if (!e) return undefined;
  const v = e.parsedValue as pkijs.ExtKeyUsage | undefined;
  return v instanceof pkijs.ExtKeyUsage ? v.keyPurposes : [];
}

export function subjectAltNames(info: CertInfo): pkijs.GeneralName[] {
  const v = ext(info, OID.subjectAltName)?.parsedValue as pkijs.AltName | undefined;
  return v instanceof pkijs.AltName ? v.altNames : [];
}

export function isCA(info: CertInfo): boolean {
  return basicConstraints(info)?.cA === true;
}

export function describeDate(d: Date): string {
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC').replace(/ 00:00:00 UTC$/, '');
}

/**
 * CRLs read straight from their DER, for CRLs of any size (issue 10, item 11). A large CA's CRL has hundreds of
 * thousands of entries (the fetcher accepts 8 MiB); a pkijs object per entry costs far more memory than the bytes and
 * exceeds the BER node bound (cms/ber.ts), which made such a CRL "unknown" and let a revoked signer stay trusted.
 *
 * So a CRL is read in two parts:
 *  - parseCrlDer: everything but the entries (issuer, times, extensions, signature) becomes a pkijs object parsed from
 *    a copy of the CRL without its revokedCertificates; its tbsView is set to the ORIGINAL TBS bytes, so the
 *    signature is verified over exactly what the CA signed.
 *  - scanRevoked: a linear walk over the TLV headers of revokedCertificates that keeps only the entries whose serial
 *    is asked for (the certificates of a path) and notes structural errors and unknown critical entry extensions.
 *    Memory: the CRL's bytes plus what is kept; time: linear in the size (a 300,000-entry CRL in well under a second).
 *
 * DER only (definite lengths, one-byte tags), as RFC 5280 requires of CRLs; anything else is "cannot be read".
 */
import * as pkijs from 'pkijs';
import { decodeBer } from '../cms/ber';
import { hex } from './names';

interface Tlv {
  tag: number;
  /** Offset of the tag byte. */
  start: number;
  /** Offset of the contents. */
  body: number;
  /** Offset just past the element. */
  end: number;
}

/** One DER element at `off`, contained in [off, limit); undefined when malformed. */
function readTlv(b: Uint8Array, off: number, limit: number): Tlv | undefined {
  if (off + 2 > limit) return undefined;
  const tag = b[off];
  if ((tag & 0x1f) === 0x1f) return undefined; // high tag numbers do not occur in CRLs
  let p = off + 1;
  let len = b[p++];
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || p + n > limit) return undefined; // indefinite length is BER, not DER
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[p++];
  }
  const end = p + len;
  if (end > limit) return undefined;
  return { tag, start: off, body: p, end };
}

function header(tag: number, len: number): number[] {
  if (len < 0x80) return [tag, len];
  const bytes: number[] = [];
  for (let l = len; l > 0; l = Math.floor(l / 256)) bytes.unshift(l & 0xff);
  return [tag, 0x80 | bytes.length, ...bytes];
}

const SEQ = 0x30;
const isTime = (t: number) => t === 0x17 || t === 0x18;

/** Where the parts of a TBSCertList are, or undefined when its shape is not that of a CRL. */
function tbsLayout(b: Uint8Array, tbs: Tlv): { revoked?: Tlv } | undefined {
  let p = tbs.body;
  let el = readTlv(b, p, tbs.end);
  if (el?.tag === 0x02) el = readTlv(b, (p = el.end), tbs.end); // version
  if (el?.tag !== SEQ) return undefined; // signature AlgorithmIdentifier
  el = readTlv(b, (p = el.end), tbs.end);
  if (el?.tag !== SEQ) return undefined; // issuer
  el = readTlv(b, (p = el.end), tbs.end);
  if (!el || !isTime(el.tag)) return undefined; // thisUpdate
  p = el.end;
  el = readTlv(b, p, tbs.end);
  if (el && isTime(el.tag)) el = readTlv(b, (p = el.end), tbs.end); // nextUpdate
  let revoked: Tlv | undefined;
  if (el?.tag === SEQ) {
    revoked = el;
    el = readTlv(b, (p = el.end), tbs.end);
  }
  if (el?.tag === 0xa0) p = el.end; // crlExtensions
  else if (el) return undefined;
  return p === tbs.end ? { revoked } : undefined;
}

export type CrlDerResult = { ok: true; crl: pkijs.CertificateRevocationList; length: number } | { ok: false; error: string };

/**
 * A CRL from DER at the start of `bytes` (trailing data is the caller's: `length` says where the CRL ends). The result
 * has no revokedCertificates: read entries with revokedEntries(). The bytes are referenced, not copied.
 */
export function parseCrlDer(bytes: Uint8Array): CrlDerResult {
  const outer = readTlv(bytes, 0, bytes.length);
  if (!outer || outer.tag !== SEQ) return { ok: false, error: 'not a DER sequence' };
  const tbs = readTlv(bytes, outer.body, outer.end);
  const alg = tbs && readTlv(bytes, tbs.end, outer.end);
  const sig = alg && readTlv(bytes, alg.end, outer.end);
  if (!tbs || tbs.tag !== SEQ || alg?.tag !== SEQ || sig?.tag !== 0x03 || sig.end !== outer.end) return { ok: false, error: 'not a CRL' };
  const layout = tbsLayout(bytes, tbs);
  if (!layout) return { ok: false, error: 'not a CRL (its contents are not those of a revocation list)' };
  // The CRL without its entries: small, parsed by pkijs like any other.
  const parts = layout.revoked
    ? [bytes.subarray(tbs.body, layout.revoked.start), bytes.subarray(layout.revoked.end, tbs.end)]
    : [bytes.subarray(tbs.body, tbs.end)];
  const tbsLen = parts.reduce((n, x) => n + x.length, 0);
  const tbsHead = header(SEQ, tbsLen);
  const rest = bytes.subarray(alg.start, sig.end);
  const innerLen = tbsHead.length + tbsLen + rest.length;
  const outHead = header(SEQ, innerLen);
  const out = new Uint8Array(outHead.length + innerLen);
  let o = 0;
  for (const chunk of [Uint8Array.from(outHead), Uint8Array.from(tbsHead), ...parts, rest]) {
    out.set(chunk, o);
    o += chunk.length;
  }
  const asn = decodeBer(out);
  if (asn.offset === -1) return { ok: false, error: `not a CRL (${asn.result.error})` };
  let crl: pkijs.CertificateRevocationList;
  try {
    crl = new pkijs.CertificateRevocationList({ schema: asn.result });
  } catch (e) {
    return { ok: false, error: `not a CRL (${e instanceof Error ? e.message : String(e)})` };
  }
  // The signature is over what the CA signed: the original TBS, entries included.
  crl.tbsView = bytes.subarray(tbs.start, tbs.end);
  return { ok: true, crl, length: outer.end };
}

/** A revoked entry as found: the raw parts, decoded by the caller (crl-info.ts) only for the entries it keeps. */
export interface RawEntry {
  serial: string;
  /** The revocationDate element (UTCTime or GeneralizedTime), DER. */
  date: Uint8Array;
  /** extnValue of reasonCode, when present. */
  reasonCode?: Uint8Array;
  /** extnValue of the certificateIssuer in force for this entry (carried forward, RFC 5280 §5.3.3), when any. */
  certificateIssuer?: Uint8Array;
}

export interface RevokedScan {
  /** Entries whose serial (hex of the INTEGER contents) is in `wanted`. */
  found: RawEntry[];
  count: number;
  /** Why the entries cannot be read, when they cannot. */
  error?: string;
  /** An entry extension marked critical that is not one of `knownEntryExtensions`. */
  unknownCritical: boolean;
}

/** DER contents of an OBJECT IDENTIFIER in dotted form. */
export function oidContents(dotted: string): string {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [arcs[0] * 40 + arcs[1]];
  for (const a of arcs.slice(2)) {
    const bytes = [a & 0x7f];
    for (let v = Math.floor(a / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift(0x80 | (v & 0x7f));
    out.push(...bytes);
  }
  return hex(Uint8Array.from(out));
}

/**
 * Walks the revokedCertificates of `crl` (its TBS bytes) and keeps the entries whose serial is in `wanted`. Every
 * entry's extensions are looked at for criticality and the carried-forward certificateIssuer; nothing else is decoded.
 */
export function scanRevoked(
  crl: pkijs.CertificateRevocationList,
  wanted: ReadonlySet<string>,
  ext: { reasonCode: string; certificateIssuer: string; known: ReadonlySet<string> },
): RevokedScan {
  const b = crl.tbsView;
  const out: RevokedScan = { found: [], count: 0, unknownCritical: false };
  const tbs = readTlv(b, 0, b.length);
  const layout = tbs && tbs.tag === SEQ && tbs.end === b.length ? tbsLayout(b, tbs) : undefined;
  if (!layout) return { ...out, error: 'its contents are not DER' };
  const list = layout.revoked;
  if (!list) return out;
  const reasonOid = oidContents(ext.reasonCode);
  const issuerOid = oidContents(ext.certificateIssuer);
  const known = new Set([...ext.known].map(oidContents));
  // Serials are only turned into text when their length is one asked for (most entries are compared by length alone).
  const lengths = new Set([...wanted].map((w) => w.length / 2));
  let issuer: Uint8Array | undefined;
  for (let p = list.body; p < list.end; ) {
    const entry = readTlv(b, p, list.end);
    const serial = entry?.tag === SEQ ? readTlv(b, entry.body, entry.end) : undefined;
    const date = serial?.tag === 0x02 ? readTlv(b, serial.end, entry!.end) : undefined;
    if (!entry || !date || !isTime(date.tag)) return { ...out, error: `entry ${out.count + 1} cannot be read` };
    let reasonCode: Uint8Array | undefined;
    if (date.end < entry.end) {
      const exts = readTlv(b, date.end, entry.end);
      if (exts?.tag !== SEQ || exts.end !== entry.end) return { ...out, error: `the extensions of entry ${out.count + 1} cannot be read` };
      for (let q = exts.body; q < exts.end; ) {
        const e = readTlv(b, q, exts.end);
        const oid = e?.tag === SEQ ? readTlv(b, e.body, e.end) : undefined;
        let v = oid?.tag === 0x06 ? readTlv(b, oid.end, e!.end) : undefined;
        let critical = false;
        if (v?.tag === 0x01) {
          critical = v.end - v.body === 1 && b[v.body] !== 0;
          v = readTlv(b, v.end, e!.end);
        }
        if (!e || !oid || v?.tag !== 0x04 || v.end !== e.end) return { ...out, error: `an extension of entry ${out.count + 1} cannot be read` };
        const id = hex(b.subarray(oid.body, oid.end));
        if (id === reasonOid) reasonCode = b.subarray(v.body, v.end);
        else if (id === issuerOid) issuer = b.subarray(v.body, v.end);
        else if (critical && !known.has(id)) out.unknownCritical = true;
        q = e.end;
      }
    }
    out.count++;
    const s = lengths.has(serial!.end - serial!.body) ? hex(b.subarray(serial!.body, serial!.end)) : '';
    if (s && wanted.has(s)) out.found.push({ serial: s, date: b.subarray(date.start, date.end), reasonCode, certificateIssuer: issuer });
    p = entry.end;
  }
  return out;
}

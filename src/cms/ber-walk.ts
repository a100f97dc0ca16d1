/**
 * Counting the entries of a CMS structure's SET fields from the BER headers alone, before anything is decoded.
 *
 * Why: decoding makes a JS object per BER node, and pkijs then checks every entry against its schema; both cost
 * about a thousand times the bytes on the wire. A 600 KB EnvelopedData with 2,000 recipient entries took ~3 s, a
 * 2 MB SignedData with 5,000 SignerInfos 3.6 s and +300 MB, all before the limits on those counts could apply. The
 * walk here makes no objects: each header is read once, definite lengths are skipped, and indefinite lengths (BER
 * as OpenSSL and NSS stream it) are followed to their end-of-contents. Depth is bounded (MAX_WALK_DEPTH).
 */

/** Real CMS nests about 15 deep; deeper indefinite-length nesting is not something to walk. */
const MAX_WALK_DEPTH = 64;

interface Tlv {
  tag: number;
  /** Content [start, end). */
  start: number;
  end: number;
  /** Just after the element (after the end-of-contents octets for an indefinite length). */
  next: number;
}

/** The element at `at` within [at, limit), or undefined when it is not well-formed BER of the kind met in CMS. */
function readTlv(b: Uint8Array, at: number, limit: number, depth = 0): Tlv | undefined {
  if (depth > MAX_WALK_DEPTH || at + 2 > limit) return undefined;
  const tag = b[at];
  if ((tag & 0x1f) === 0x1f) return undefined; // multi-byte tags do not occur in these structures
  let len = b[at + 1];
  let start = at + 2;
  if (len === 0x80) {
    if (!(tag & 0x20)) return undefined; // indefinite length is for constructed elements only
    let p = start;
    for (;;) {
      if (p + 2 > limit) return undefined;
      if (b[p] === 0 && b[p + 1] === 0) return { tag, start, end: p, next: p + 2 };
      const child = readTlv(b, p, limit, depth + 1);
      if (!child) return undefined;
      p = child.next;
    }
  }
  if (len > 0x80) {
    const n = len & 0x7f;
    if (n > 4 || start + n > limit) return undefined;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i];
    start += n;
  }
  if (start + len > limit) return undefined;
  return { tag, start, end: start + len, next: start + len };
}

/** Counts the children of a constructed element without keeping them. */
function countChildren(b: Uint8Array, el: Tlv): number | undefined {
  let n = 0;
  for (let p = el.start; p < el.end; n++) {
    const c = readTlv(b, p, el.end, 1);
    if (!c) return undefined;
    p = c.next;
  }
  return n;
}

/**
 * The fields of the content of a ContentInfo: ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT }
 * whose content is a SEQUENCE. Only the headers of the fields are read (their contents are skipped).
 */
function contentFields(b: Uint8Array): { oid: Uint8Array; fields: Tlv[] } | undefined {
  const ci = readTlv(b, 0, b.length);
  if (!ci || ci.tag !== 0x30) return undefined;
  const oid = readTlv(b, ci.start, ci.end, 1);
  if (!oid || oid.tag !== 0x06) return undefined;
  const explicit = readTlv(b, oid.next, ci.end, 1);
  if (!explicit || explicit.tag !== 0xa0) return undefined;
  const seq = readTlv(b, explicit.start, explicit.end, 2);
  if (!seq || seq.tag !== 0x30) return undefined;
  // The fields of SignedData/EnvelopedData are few; a SEQUENCE of thousands is not one of them.
  const fields: Tlv[] = [];
  for (let p = seq.start; p < seq.end && fields.length < 16; ) {
    const f = readTlv(b, p, seq.end, 3);
    if (!f) return undefined;
    fields.push(f);
    p = f.next;
  }
  return { oid: b.subarray(oid.start, oid.end), fields };
}

/** Entries per SET field of a SignedData: each undefined when the field is absent. */
export interface SignedDataCounts {
  digestAlgorithms?: number;
  certificates?: number;
  crls?: number;
  signerInfos?: number;
}

/**
 * SignedData ::= SEQUENCE { version, digestAlgorithms SET, encapContentInfo, certificates [0] IMPLICIT OPTIONAL,
 * crls [1] IMPLICIT OPTIONAL, signerInfos SET }. Undefined when the structure cannot be walked (then the caller
 * decodes and checks the counts afterwards).
 */
export function countSignedData(der: Uint8Array): SignedDataCounts | undefined {
  const c = contentFields(der);
  if (!c || c.fields.length < 4) return undefined;
  const [, digests, , ...rest] = c.fields;
  const out: SignedDataCounts = {};
  if (digests.tag !== 0x31) return undefined;
  out.digestAlgorithms = countChildren(der, digests);
  for (const f of rest) {
    const key = f.tag === 0xa0 ? 'certificates' : f.tag === 0xa1 ? 'crls' : f.tag === 0x31 ? 'signerInfos' : undefined;
    if (!key) return undefined;
    const n = countChildren(der, f);
    if (n === undefined) return undefined;
    out[key] = n;
  }
  return out;
}

/**
 * The RecipientInfos of an EnvelopedData or AuthEnvelopedData: SEQUENCE { version, originatorInfo [0] OPTIONAL,
 * recipientInfos SET, … }. Undefined when the structure cannot be walked.
 */
export function countRecipientInfos(der: Uint8Array): number | undefined {
  const c = contentFields(der);
  if (!c || c.fields.length < 2) return undefined;
  const set = c.fields[1].tag === 0xa0 ? c.fields[2] : c.fields[1];
  if (!set || set.tag !== 0x31) return undefined;
  return countChildren(der, set);
}

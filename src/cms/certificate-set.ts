/**
 * The certificates of a SignedData, read once each and kept by their DER.
 *
 * pkijs checks every certificate of a SignedData against the certificate schema three times (SignedData's schema,
 * CertificateSet's, Certificate's), about a third of verifying a small message. takeCertificateSet lifts the
 * [0] certificates field out of the SignedData before pkijs reads the rest, and readCertificateSet reads each
 * certificate once, as pkijs' CertificateSet would (same classes, same errors for malformed ones).
 *
 * Certificates already seen are answered from a small cache keyed by their exact DER, as NSS keeps one
 * certificate object per DER: a reader's mail comes from a limited set of correspondents and CAs, and the same
 * object lets everything computed per certificate (trust/cert-info.ts, certs/details.ts) be reused. Parsed
 * certificates are never changed (the rest of the code already relies on that for its per-object caches).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { decodeBer } from './ber';
import { countSignedData } from './ber-walk';

/**
 * Certificates read from one SignedData. A signer sends its own certificate and its chain (three or four; a few
 * more when cross-certified); each certificate read costs tens of KB of JS objects, so a 1.4 MB SignedData with
 * 5,000 small certificates cost about 636 MB. More than this is refused, before any certificate is read
 * (countCertificates), with a 'limit-exceeded' reason.
 */
export const MAX_SIGNED_DATA_CERTIFICATES = 100;

/** How many certificates the cache keeps (least recently used go first): a few hundred KB of objects. */
export const CERT_CACHE_SIZE = 128;
const cache = new Map<string, pkijs.Certificate>();

const SIGNED_DATA_CERTIFICATES_AT = 3; // version, digestAlgorithms, encapContentInfo, [0] certificates

/**
 * Removes SignedData's `certificates [0] IMPLICIT CertificateSet` from the parsed SEQUENCE and returns it, or
 * undefined (nothing changed) when the field is absent or the structure is not the usual one.
 */
export function takeCertificateSet(signedData: unknown): asn1js.Constructed | undefined {
  if (!(signedData instanceof asn1js.Sequence)) return undefined;
  const items = signedData.valueBlock.value;
  const el = items[SIGNED_DATA_CERTIFICATES_AT];
  if (!(el instanceof asn1js.Constructed) || el.idBlock.tagClass !== 3 || el.idBlock.tagNumber !== 0) return undefined;
  items.splice(SIGNED_DATA_CERTIFICATES_AT, 1);
  return el;
}

/** Thrown (and turned into a 'limit-exceeded' result by cms/verify.ts) for a set over MAX_SIGNED_DATA_CERTIFICATES. */
export class TooManyCertificates extends Error {
  constructor(readonly count: number) {
    super(`The signature carries ${count} certificates; at most ${MAX_SIGNED_DATA_CERTIFICATES} are read.`);
  }
}

/** The set's entries as pkijs' CertificateSet gives them, certificates from the cache when seen before. Throws as pkijs does. */
export function readCertificateSet(set: asn1js.Constructed): pkijs.CertificateSet['certificates'] {
  const elements = set.valueBlock.value;
  if (elements.length > MAX_SIGNED_DATA_CERTIFICATES) throw new TooManyCertificates(elements.length);
  const out: pkijs.CertificateSet['certificates'] = new Array(elements.length);
  const others: number[] = [];
  elements.forEach((el, i) => {
    if (el instanceof asn1js.Sequence) out[i] = certificate(el);
    else others.push(i);
  });
  if (others.length > 0) {
    // Attribute and other certificate formats (never used for mail signatures): pkijs reads them, or refuses the set.
    const rest = new pkijs.CertificateSet({ schema: new asn1js.Set({ value: others.map((i) => elements[i]) }) }).certificates;
    others.forEach((i, k) => (out[i] = rest[k]));
  }
  return out;
}

/** Certificates larger than this are not cached (nor keyed by their DER as a string). */
const MAX_CACHED_CERT_BYTES = 64 * 1024;

function certificate(el: asn1js.Sequence): pkijs.Certificate {
  const der = el.valueBeforeDecodeView;
  if (der.length > MAX_CACHED_CERT_BYTES) return new pkijs.Certificate({ schema: decodeBer(der.slice()).result });
  const key = latin1(der);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  // A certificate holds views into the bytes it was read from: the kept one is read from its own copy, so that it
  // neither keeps a whole message alive (opaque signed data) nor changes if the caller reuses its buffer.
  const cert = new pkijs.Certificate({ schema: decodeBer(der.slice()).result });
  cache.set(key, cert);
  if (cache.size > CERT_CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return cert;
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

/**
 * How many entries the `certificates [0]` field of a ContentInfo(SignedData) has, read from the BER headers alone
 * (cms/ber-walk.ts: no objects made), so that a bag of thousands is refused before the BER decoder builds a node
 * for each of their fields. Undefined when the structure cannot be walked: then the count is checked after
 * decoding, still before any certificate is read.
 */
export function countCertificates(der: Uint8Array): number | undefined {
  const counts = countSignedData(der);
  return counts && (counts.certificates ?? 0);
}

/**
 * multipart/signed (RFC 1847, RFC 8551 §3.5): exactly two parts, the signed content and the detached
 * signature. The signed bytes are the first part EXACTLY as sent, headers included, up to (not including) the
 * CRLF before the next delimiter (RFC 2046 §5.1.1) — a subarray of the original, never a re-serialisation.
 * Canonicalisation (bare LF to CRLF) is the verifier's lazy second try: see canonical.ts.
 */
import { cmsBody } from './cms-body';
import { filenameOf } from './headers';
import type { MimeEntity } from './types';

export type SplitSignedErrorCode =
  | 'not-multipart-signed'
  | 'wrong-protocol'
  | 'wrong-part-count'
  | 'missing-signature'
  | 'malformed-cms'
  | 'truncated';

export interface SplitSignedOk {
  ok: true;
  /** Exact bytes of part 1 including its headers: a subarray of the source, not a copy. */
  signedBytes: Uint8Array;
  /** The decoded CMS ContentInfo (SignedData) of part 2. */
  signatureDer: Uint8Array;
  /** protocol parameter, lower-cased ("application/pkcs7-signature" or the x- form). */
  protocol: string;
  /** micalg parameter, lower-cased (e.g. "sha-256"); "" when absent. Informative only: the CMS decides. */
  micalg: string;
  signedPart: MimeEntity;
  signaturePart: MimeEntity;
  /** Tolerated oddities (missing protocol, x- types, base64 signature labelled 7bit, …). */
  defects: string[];
}

export type SplitSignedResult =
  | SplitSignedOk
  | { ok: false; error: { code: SplitSignedErrorCode; message: string } };

const SIGNATURE_TYPES = new Set(['application/pkcs7-signature', 'application/x-pkcs7-signature']);

export function isMultipartSigned(entity: MimeEntity): boolean {
  return entity.contentType.mediaType === 'multipart/signed';
}

function fail(code: SplitSignedErrorCode, message: string): SplitSignedResult {
  return { ok: false, error: { code, message } };
}

export function splitSigned(entity: MimeEntity): SplitSignedResult {
  if (!isMultipartSigned(entity)) {
    return fail('not-multipart-signed', `The part is ${entity.contentType.mediaType}, not multipart/signed.`);
  }
  const defects: string[] = [];
  const protocolRaw = entity.contentType.params.protocol;
  const protocol = (protocolRaw ?? '').trim().toLowerCase();
  if (protocolRaw === undefined) {
    defects.push('multipart/signed has no protocol parameter; the signature part type was used instead.');
  } else if (!SIGNATURE_TYPES.has(protocol)) {
    return fail('wrong-protocol', `The multipart/signed protocol is "${protocol.slice(0, 80)}", not S/MIME.`);
  }
  const truncated = entity.defects.some((d) => d.includes('no close delimiter'));
  const n = entity.children.length;
  if (n !== 2) {
    if (n < 2 && truncated) return fail('truncated', 'The signed message is cut short: its signature part is missing.');
    return fail('wrong-part-count', `multipart/signed must have exactly 2 parts, this one has ${n}.`);
  }
  const [signedPart, signaturePart] = entity.children;
  const sigType = signaturePart.contentType.mediaType;
  if (!SIGNATURE_TYPES.has(sigType)) {
    const name = filenameOf(signaturePart) ?? '';
    if (sigType === 'application/octet-stream' && /\.p7s$/i.test(name)) {
      defects.push('The signature part is application/octet-stream named *.p7s.');
    } else {
      return fail('missing-signature', `The second part of multipart/signed is ${sigType}, not a PKCS #7 signature.`);
    }
  } else if (protocolRaw !== undefined && sigType !== protocol) {
    defects.push(`The signature part is ${sigType} but the protocol parameter says ${protocol}.`);
  }
  const sig = cmsBody(signaturePart, 'signature part');
  if (!sig.ok) {
    if (truncated) return fail('truncated', `The signed message is cut short: ${sig.error.message}`);
    return fail(sig.error.code, sig.error.message);
  }
  // No close delimiter: the signature part runs to the end of the message, and whatever follows its base64 (a
  // garbled "--boundary--" line, text an attacker appended) is read as part of it. RFC 2046 requires the close
  // delimiter; OpenSSL and NSS's S/MIME readers refuse the message without it (the differential test found us
  // calling it valid). A message cut off there is damaged, and says so, rather than green with a footnote.
  if (truncated) {
    return fail('truncated', 'The signed message is cut short: it ends without the boundary line that closes its signed structure.');
  }
  // The multipart's own oddities (touching delimiters, junk) travel with the result.
  for (const d of entity.defects) defects.push(`multipart/signed: ${d}`);
  return {
    ok: true,
    signedBytes: entity.source.subarray(signedPart.start, signedPart.end),
    signatureDer: sig.der,
    protocol: protocol || sigType,
    micalg: (entity.contentType.params.micalg ?? '').trim().toLowerCase(),
    signedPart,
    signaturePart,
    defects: [...defects, ...sig.defects],
  };
}

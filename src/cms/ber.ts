/**
 * BER decoding of untrusted input with asn1js, with the limits chosen here rather than asn1js' defaults.
 *
 * asn1js 3.1 copies the whole input by default and refuses any element longer than 16 MiB: an opaque signed
 * message with a 20 MB attachment would be "malformed". We decode over the caller's bytes (views, no copy;
 * nothing in pkijs' parsing writes into them) and let an element be as long as the input itself — a length
 * field can never claim more than is there. OCTET STRING contents (the signed content) are not decoded. What still needs a bound is the number of nodes (each is a JS
 * object, far larger than the 2 bytes it may take on the wire) and the nesting depth.
 */
import * as asn1js from 'asn1js';
import { berShapeDefect } from './ber-shape';

/** Enough for a SignedData carrying a few hundred certificates or a large CRL; about 100 MB of JS objects at most. */
export const MAX_BER_NODES = 200_000;
/** Real CMS nests about 15 deep; certificates with extensions a little more. */
export const MAX_BER_DEPTH = 64;

export function decodeBer(bytes: Uint8Array): asn1js.FromBerResult {
  // asn1js reads past shape errors that OpenSSL and NSS refuse (ber-shape.ts): the same bytes are malformed here.
  const defect = berShapeDefect(bytes, MAX_BER_DEPTH);
  if (defect) {
    const failed = new asn1js.BaseBlock();
    failed.error = defect.startsWith('the data ends')
      ? `End of input reached before message was fully decoded (${defect})`
      : defect.startsWith('the data is nested')
        ? `Maximum ASN.1 nesting depth exceeded (${defect})`
        : `malformed BER: ${defect}`;
    return { offset: -1, result: failed };
  }
  let r: asn1js.FromBerResult;
  try {
    r = asn1js.fromBER(bytes, {
      copyInput: false,
      maxContentLength: Math.max(bytes.length, 1),
      maxNodes: MAX_BER_NODES,
      maxDepth: MAX_BER_DEPTH,
      // asn1js otherwise tries to decode every OCTET/BIT STRING's content as BER too: wasted work on a large
      // eContent, and signed content that happens to be BER would count against the node limit.
      parseEmbedded: false,
    });
  } catch (e) {
    // asn1js throws instead of reporting for some malformed strings (a BMPString of odd length: a RangeError from
    // its UTF-16 decoder; found by test/verify/hostile-fuzz.test.ts in a mutated CRL). The same result as any
    // other decoding error, so every caller answers with a verdict.
    const failed = new asn1js.BaseBlock();
    failed.error = `malformed data (${e instanceof Error ? e.message : String(e)})`;
    return { offset: -1, result: failed };
  }
  // With the content limit at the input length, exceeding it means a length field claims more than is there.
  if (r.offset === -1 && /maximum asn\.1 content length exceeded/i.test(r.result.error)) {
    r.result.error = 'End of input reached before message was fully decoded (a length exceeds the data)';
  }
  return r;
}

/**
 * The value of a non-negative INTEGER up to 2^53, or undefined. asn1js' `valueDec` is 0 for any INTEGER of four
 * bytes or more (2^23 and up): an iteration count of 10,000,000 (`openssl pkcs12 -iter 10000000`) read as 0.
 */
export function integerValue(x: unknown): number | undefined {
  if (!(x instanceof asn1js.Integer)) return undefined;
  const b = x.valueBlock.valueHexView;
  if (b.length === 0 || b[0] & 0x80) return undefined;
  let v = 0;
  for (const byte of b) {
    v = v * 256 + byte;
    if (v > Number.MAX_SAFE_INTEGER) return undefined;
  }
  return v;
}

/**
 * The CMS bytes carried by a MIME part (a detached signature, or an opaque application/pkcs7-mime blob).
 * Senders disagree on encoding: base64 with or without line breaks (normal), raw binary (Content-Transfer-
 * Encoding: binary, or none declared), base64 with a wrong or missing encoding header, and the odd PEM armour.
 * We accept each, say which in `defects`, and check that the result is one BER/DER SEQUENCE.
 */
import { outerSequence } from './der';
import { decodeBase64, decodeQuotedPrintable } from './transfer';
import type { MimeEntity } from './types';

export type CmsBodyResult =
  | { ok: true; der: Uint8Array; defects: string[] }
  | { ok: false; error: { code: 'malformed-cms' | 'truncated'; message: string } };

const PEM_BEGIN = /-----BEGIN [A-Z0-9 ]+-----/;

function isBase64Text(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    const ok =
      (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) ||
      c === 0x2b || c === 0x2f || c === 0x3d || c === 0x0d || c === 0x0a || c === 0x20 || c === 0x09;
    if (!ok) return false;
  }
  return true;
}

function firstNonSpace(b: Uint8Array): number {
  let i = 0;
  while (i < b.length && (b[i] === 0x20 || b[i] === 0x09 || b[i] === 0x0d || b[i] === 0x0a)) i++;
  return i;
}

/** Decodes the CMS body of `entity` (what part, for messages: e.g. "signature part"). */
export function cmsBody(entity: MimeEntity, what: string): CmsBodyResult {
  const defects: string[] = [];
  const body = entity.source.subarray(entity.bodyStart, entity.end);
  let der: Uint8Array;
  const cte = entity.transferEncoding;
  if (cte === 'base64') {
    der = decodeBase64(body);
    if (der[0] !== 0x30 && body[firstNonSpace(body)] === 0x30 && !isBase64Text(body)) {
      der = body.subarray(firstNonSpace(body));
      defects.push(`The ${what} is declared base64 but is binary.`);
    }
  } else if (cte === 'quoted-printable') {
    // Never seen from a real client, but legal MIME: decode it, then treat the result as binary DER.
    der = decodeQuotedPrintable(body);
    defects.push(`The ${what} is quoted-printable encoded.`);
  } else {
    const text = new TextDecoder('latin1').decode(body.subarray(0, Math.min(body.length, 200)));
    const pem = PEM_BEGIN.exec(text);
    if (body[0] === 0x30) {
      der = body;
    } else if (pem) {
      // Between the BEGIN line and the next "-----" (the END line): plain indexOf, linear on any input.
      const begin = pem.index + pem[0].length;
      const endAt = body.indexOf(0x2d, begin);
      der = decodeBase64(body.subarray(begin, endAt < 0 ? body.length : endAt));
      defects.push(`The ${what} is PEM-armoured.`);
    } else if (isBase64Text(body) && body.length > 0) {
      der = decodeBase64(body);
      defects.push(`The ${what} is base64 but declares Content-Transfer-Encoding ${cte}.`);
    } else {
      der = body.subarray(firstNonSpace(body));
    }
  }
  if (der.length === 0) return { ok: false, error: { code: 'malformed-cms', message: `The ${what} is empty.` } };
  const ext = outerSequence(der);
  if (!ext.ok) {
    return ext.reason === 'truncated'
      ? { ok: false, error: { code: 'truncated', message: `The ${what} is cut short (its DER length exceeds the data).` } }
      : { ok: false, error: { code: 'malformed-cms', message: `The ${what} is not a DER/BER SEQUENCE.` } };
  }
  if (!ext.indefinite && ext.length < der.length) {
    const rest = der.subarray(ext.length);
    if (rest.some((b) => b !== 0x0d && b !== 0x0a && b !== 0x20 && b !== 0x09 && b !== 0)) {
      defects.push(`The ${what} has ${rest.length} bytes after its DER structure; they were ignored.`);
    }
    der = der.subarray(0, ext.length);
  }
  return { ok: true, der, defects };
}

/**
 * Assembling the outgoing message around a signed or encrypted body: the outer RFC 5322 fields, MIME-Version,
 * the new Content-* fields, and the body. Shared by signing and encryption.
 */
import { concat } from '../keys/bytes';
import { base64LinesInto, base64LinesLength } from './base64';
import { formatHeaderLines, type HeaderLine } from './headers';

const enc = new TextEncoder();

export function randomBoundary(crypto: { getRandomValues<T extends ArrayBufferView | null>(a: T): T }): string {
  const r = crypto.getRandomValues(new Uint8Array(12));
  return `----=_smime_${Array.from(r, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}

/** outer fields + MIME-Version + the given content fields + blank line + body pieces, in one allocation. */
export function assemble(outer: HeaderLine[], contentFields: string[], body: Uint8Array | Uint8Array[]): Uint8Array {
  return concat([
    formatHeaderLines(outer),
    enc.encode(`MIME-Version: 1.0\r\n${contentFields.map((f) => `${f}\r\n`).join('')}\r\n`),
    ...(Array.isArray(body) ? body : [body]),
  ]);
}

/** application/pkcs7-mime body fields for a CMS blob. */
export function pkcs7MimeFields(smimeType: 'signed-data' | 'enveloped-data' | 'authEnveloped-data'): string[] {
  return [
    `Content-Type: application/pkcs7-mime; smime-type=${smimeType}; name="smime.p7m"`,
    'Content-Transfer-Encoding: base64',
    'Content-Disposition: attachment; filename="smime.p7m"',
    `Content-Description: ${smimeType === 'signed-data' ? 'S/MIME Signed Message' : 'S/MIME Encrypted Message'}`,
  ];
}

/** A whole application/pkcs7-mime message: the base64 is written straight into the output buffer. */
export function assemblePkcs7(outer: HeaderLine[], smimeType: Parameters<typeof pkcs7MimeFields>[0], der: Uint8Array): Uint8Array {
  const head = assemble(outer, pkcs7MimeFields(smimeType), []);
  const out = new Uint8Array(head.length + base64LinesLength(der.length));
  out.set(head);
  const end = base64LinesInto(der, out, head.length);
  return out.subarray(0, end);
}

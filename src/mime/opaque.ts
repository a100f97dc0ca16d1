/**
 * application/pkcs7-mime (and the pre-RFC 5751 x-pkcs7-mime): opaque signed, enveloped, authEnveloped,
 * compressed data or certs-only (RFC 8551 §3.2). smime-type says which; when it is missing, clients look at
 * the file name (smime.p7m) — we look at the CMS contentType OID first, which cannot lie about itself, and
 * use the name only when the body is unreadable.
 */
import { cmsBody, type CmsBodyResult } from './cms-body';
import { contentInfoOid, OID_AUTH_ENVELOPED_DATA, OID_COMPRESSED_DATA, OID_ENVELOPED_DATA, OID_SIGNED_DATA } from './der';
import { filenameOf } from './headers';
import { decodeBase64 } from './transfer';
import type { MimeEntity } from './types';

export type SmimeType = 'signed-data' | 'enveloped-data' | 'authEnveloped-data' | 'compressed-data' | 'certs-only';

const PKCS7_MIME = new Set(['application/pkcs7-mime', 'application/x-pkcs7-mime']);

const BY_PARAM: Record<string, SmimeType> = {
  'signed-data': 'signed-data',
  'enveloped-data': 'enveloped-data',
  'authenveloped-data': 'authEnveloped-data',
  'compressed-data': 'compressed-data',
  'certs-only': 'certs-only',
};

const BY_OID: Record<string, SmimeType> = {
  [OID_SIGNED_DATA]: 'signed-data',
  [OID_ENVELOPED_DATA]: 'enveloped-data',
  [OID_AUTH_ENVELOPED_DATA]: 'authEnveloped-data',
  [OID_COMPRESSED_DATA]: 'compressed-data',
};

/** True for application/(x-)pkcs7-mime, and application/octet-stream named *.p7m (as some gateways send it). */
export function isPkcs7Mime(entity: MimeEntity): boolean {
  if (PKCS7_MIME.has(entity.contentType.mediaType)) return true;
  return entity.contentType.mediaType === 'application/octet-stream' && /\.p7m$/i.test(filenameOf(entity) ?? '');
}

/** The CMS content type from the first bytes of the body (decodes at most 256 bytes). */
export function sniffSmimeType(entity: MimeEntity): SmimeType | undefined {
  const head = entity.source.subarray(entity.bodyStart, Math.min(entity.end, entity.bodyStart + 256));
  const first = head.findIndex((b) => b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a);
  let bytes = head;
  if (first >= 0 && head[first] !== 0x30) bytes = decodeBase64(head);
  else if (first > 0) bytes = head.subarray(first);
  const oid = contentInfoOid(bytes);
  return oid === undefined ? undefined : BY_OID[oid];
}

/**
 * What an application/(x-)pkcs7-mime part holds, or undefined for any other part. Order: smime-type parameter,
 * a .p7c name (certs-only), the CMS contentType OID, then the name (.p7z compressed, .p7m enveloped).
 */
export function smimeType(entity: MimeEntity): SmimeType | undefined {
  if (!isPkcs7Mime(entity)) return undefined;
  const declared = BY_PARAM[(entity.contentType.params['smime-type'] ?? '').trim().toLowerCase()];
  if (declared) return declared;
  const name = (filenameOf(entity) ?? '').toLowerCase();
  // certs-only is a SignedData without signers, so its OID says signed-data: the .p7c name (RFC 8551 §3.6)
  // is the better witness. A certificate someone attached must not look like a signed layer.
  if (name.endsWith('.p7c')) return 'certs-only';
  const sniffed = sniffSmimeType(entity);
  if (sniffed) return sniffed;
  if (name.endsWith('.p7z')) return 'compressed-data';
  if (name.endsWith('.p7m')) return 'enveloped-data';
  return undefined;
}

/** True for an opaque-signed part (application/pkcs7-mime; smime-type=signed-data). */
export function isOpaqueSigned(entity: MimeEntity): boolean {
  return smimeType(entity) === 'signed-data';
}

/** The CMS ContentInfo bytes of an application/(x-)pkcs7-mime part, decoded from its transfer encoding. */
export function decodeOpaque(entity: MimeEntity): CmsBodyResult & { smimeType?: SmimeType } {
  const r = cmsBody(entity, 'S/MIME content');
  return r.ok ? { ...r, smimeType: smimeType(entity) } : r;
}

/**
 * The MIME layer of the S/MIME core: parsing over the original bytes, header and address parsing,
 * transfer decoding, and the S/MIME shapes (multipart/signed, application/pkcs7-mime).
 */
export type * from './types';
export { parseMime, DEFAULT_LIMITS, resolveLimits, walkEntities, entityBytes, rawBody } from './parse';
export { stripMozillaPrefix } from './mozilla';
export {
  getHeader,
  getHeaders,
  parseContentType,
  parseParameterizedValue,
  contentDisposition,
  filenameOf,
  decodeEncodedWords,
  decodeHeaderValue,
} from './headers';
export type { ParameterizedValue, ContentDisposition } from './headers';
export { decodeBody, bodyText, decodeBase64, decodeQuotedPrintable } from './transfer';
export { splitSigned, isMultipartSigned } from './split-signed';
export type { SplitSignedResult, SplitSignedOk, SplitSignedErrorCode } from './split-signed';
export { toCanonicalCrlf, hasBareLf, firstBareCr } from './canonical';
export { smimeType, isOpaqueSigned, isPkcs7Mime, decodeOpaque, sniffSmimeType } from './opaque';
export type { SmimeType } from './opaque';
export type { CmsBodyResult } from './cms-body';
export { parseAddressList, addressesOf } from './address';
export type { Mailbox, AddressGroup, AddressList, HeaderAddresses } from './address';

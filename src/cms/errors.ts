/**
 * The ONE place where errors from pkijs / asn1js become our ReasonCodes.
 *
 * verifySignedData does its own checks (pkijs' SignedData.verify neither checks the content-type attribute,
 * nor knows Ed25519 or MD5, nor hashes detached content without copying it), but pkijs still parses the
 * structures and throws while doing so; other modules that call pkijs' verify (e.g. timestamps) get their
 * numeric SignedDataVerifyError codes mapped here too.
 */
import type { ReasonCode } from '../verdict';

/**
 * pkijs 3.4 SignedDataVerifyError.code values (see SignedData.verify in pkijs' source):
 * 1 signer index out of range, 2 no certificates, 3 signer certificate not found, 4/8 detached data missing,
 * 5 signer certificate chain failed, 7 unsupported algorithm, 9 content-type attribute missing,
 * 10 message-digest attribute missing, 11 unknown timestamp attribute, 12 digest in TSTInfo mismatch,
 * 13 signing certificate mismatch, 14 OK (extended mode), 15 error during verification (incl. digest mismatch).
 */
export function reasonForPkijsVerifyCode(code: number, message = ''): ReasonCode {
  switch (code) {
    case 1:
      return 'no-signer-info';
    case 2:
    case 3:
      return 'signer-cert-missing';
    case 4:
    case 8:
      return 'malformed-cms';
    case 5:
      return 'bad-cert-signature';
    case 7:
      return 'unsupported-algorithm';
    case 9:
      return 'content-type-mismatch';
    case 10:
    case 12:
      return 'content-digest-mismatch';
    case 14:
      return 'signature-valid';
    case 15:
      return /digest/i.test(message) ? 'content-digest-mismatch' : 'signature-invalid';
    default:
      return 'signature-invalid';
  }
}

/** The error a parse of CMS / certificate DER failed with, as one of our codes and a plain sentence. */
export interface ParseFailure {
  code: 'malformed-cms' | 'truncated' | 'limit-exceeded';
  message: string;
}

/**
 * asn1js reports running off the end of the input with "End of input reached before message was fully
 * decoded"; everything else (bad tags, schema mismatch from pkijs' AsnError) is malformed.
 */
export function classifyParseError(e: unknown, what: string): ParseFailure {
  const detail = errorText(e);
  if (/end of input reached|inconsistent offset and length/i.test(detail)) {
    return { code: 'truncated', message: `The ${what} is cut off: the data ends before the structure does.` };
  }
  if (/maximum asn\.1 (nesting depth|node count) exceeded/i.test(detail)) {
    return { code: 'limit-exceeded', message: `The ${what} is too large or too deeply nested to be read.` };
  }
  if (e instanceof RangeError && /call stack/i.test(detail)) {
    return { code: 'limit-exceeded', message: `The ${what} is nested too deeply to be read.` };
  }
  return { code: 'malformed-cms', message: `The ${what} could not be read: ${shorten(detail)}.` };
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  return String(e);
}

function shorten(s: string): string {
  const one = s.replace(/\s+/g, ' ').replace(/\.$/, '').trim();
  return one.length > 160 ? `${one.slice(0, 157)}...` : one || 'unknown error';
}

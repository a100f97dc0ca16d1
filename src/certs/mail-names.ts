/**
 * The e-mail addresses a certificate names, in one place, for everything that trusts them: sender binding (via
 * certificateEmails), the recipient directory, and name-constraint checking (trust/name-constraints.ts), so an
 * address is counted only if the constraints of the chain were checked against that very name (issue 10, item 1).
 *
 * Three sources: rfc822Name entries of subjectAltName, id-on-SmtpUTF8Mailbox otherNames (RFC 9598, internationalised
 * local parts), and emailAddress attributes of the subject DN (RFC 5280 §4.2.1.6 deprecates them, but mail clients
 * still read them).
 *
 * A name is counted only when it is a plausible mailbox: local@domain, no control, bidi or invisible characters
 * (a line break in a certificate name once faked lines of CLI output; issue 10, item 17), and for SmtpUTF8Mailbox
 * the rules of RFC 9598 §3: the local part holds a non-ASCII character (an all-ASCII address belongs in an
 * rfc822Name) and the domain is a valid IDN. Under name constraints a malformed SmtpUTF8Mailbox fails the chain,
 * as in OpenSSL.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { asciiFormOf } from '../mime/address';

export const OID_SMTP_UTF8_MAILBOX = '1.3.6.1.5.5.7.8.9';
const EXT_SUBJECT_ALT_NAME = '2.5.29.17';
const ATTR_EMAIL = '1.2.840.113549.1.9.1';

// C0, DEL, C1, the bidi controls and marks, zero-width and invisible format characters, BOM: never in a mailbox,
// and shown differently (or not at all) by different programs.
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

export type MailNameSource = 'rfc822Name' | 'SmtpUTF8Mailbox' | 'emailAddress';

export interface MailName {
  source: MailNameSource;
  /** As the certificate has it (not trimmed or lower-cased). */
  value: string;
  /** Why it is not counted as an address of the subject; undefined for a usable name. */
  problem?: string;
}

/** What makes `value` not a mailbox of the kind `source` holds, or undefined. */
export function mailNameProblem(value: string, source: MailNameSource): string | undefined {
  if (INVISIBLE.test(value)) return 'it contains control or invisible characters';
  if (value !== value.trim() || /\s/.test(value)) return 'it contains white space';
  const at = value.lastIndexOf('@');
  if (at <= 0 || at === value.length - 1) return 'it is not of the form local-part@domain';
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (source === 'SmtpUTF8Mailbox') {
    // RFC 9598 §3: only for a local part with non-ASCII characters; the domain as U-labels (or ASCII labels).
    if (/^[\x00-\x7f]*$/.test(local)) return 'an all-ASCII local part belongs in an rfc822Name (RFC 9598 §3)';
    if (asciiFormOf(value) === undefined) return 'its domain is not a valid internationalised domain name';
    if (domain.startsWith('[')) return 'an address literal is not allowed here';
  } else if (!/^[\x21-\x7e]+$/.test(value)) {
    return 'it has characters outside ASCII, which this name form cannot hold';
  }
  return undefined;
}

/** otherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }: the UTF8String of id-on-SmtpUTF8Mailbox. */
export function smtpUtf8MailboxOf(v: unknown): string | undefined | { malformed: true } {
  if (!(v instanceof asn1js.Constructed)) return undefined;
  const [oid, wrapped] = v.valueBlock.value;
  if (!(oid instanceof asn1js.ObjectIdentifier) || oid.valueBlock.toString() !== OID_SMTP_UTF8_MAILBOX) return undefined;
  const inner = wrapped instanceof asn1js.Constructed ? wrapped.valueBlock.value[0] : undefined;
  return inner instanceof asn1js.Utf8String ? inner.valueBlock.value : { malformed: true };
}

function stringOf(v: unknown): string | undefined {
  const block = (v as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock;
  return typeof block?.value === 'string' ? block.value : undefined;
}

/** Every mail name of a certificate, usable or not, in certificate order (SAN first, then the subject). */
export function certificateMailNames(cert: pkijs.Certificate): MailName[] {
  const out: MailName[] = [];
  const san = cert.extensions?.find((e) => e.extnID === EXT_SUBJECT_ALT_NAME)?.parsedValue;
  if (san instanceof pkijs.AltName) {
    for (const g of san.altNames) {
      if (g.type === 1) {
        const v = typeof g.value === 'string' ? g.value : '';
        out.push({ source: 'rfc822Name', value: v, problem: mailNameProblem(v, 'rfc822Name') });
      } else if (g.type === 0) {
        const v = smtpUtf8MailboxOf(g.value);
        if (v === undefined) continue; // another otherName
        if (typeof v !== 'string') out.push({ source: 'SmtpUTF8Mailbox', value: '', problem: 'it is not a UTF8String' });
        else out.push({ source: 'SmtpUTF8Mailbox', value: v, problem: mailNameProblem(v, 'SmtpUTF8Mailbox') });
      }
    }
  }
  for (const tv of cert.subject.typesAndValues) {
    if (tv.type !== ATTR_EMAIL) continue;
    const v = stringOf(tv.value) ?? '';
    out.push({ source: 'emailAddress', value: v, problem: v ? mailNameProblem(v, 'emailAddress') : 'it is not a string' });
  }
  return out;
}

/** The usable addresses, lower-cased, without duplicates (what certificateEmails returns). */
export function usableMailAddresses(cert: pkijs.Certificate): string[] {
  const out: string[] = [];
  for (const n of certificateMailNames(cert)) {
    if (n.problem) continue;
    const e = n.value.toLowerCase();
    if (!out.includes(e)) out.push(e);
  }
  return out;
}

/**
 * The user's draft (as Office.js hands it over: subject, recipients, text and HTML body, attachments) as one
 * RFC 5322 message, ready for the core's signMessage. Text parts go in as UTF-8 with 8bit transfer encoding:
 * the core brings the body to canonical form and transfer-encodes 8-bit parts before signing (RFC 8551 §3.1.3),
 * so that is decided in one place. Attachments are base64. Non-ASCII header text uses RFC 2047 encoded words.
 * No DOM, no Office: pure data in, bytes out (tested in Node).
 */
import { bytesToBase64 } from '../base64';

export interface DraftAddress {
  name?: string;
  address: string;
}

export interface DraftAttachment {
  name: string;
  contentType: string;
  bytes: Uint8Array;
  inline?: boolean;
  contentId?: string;
}

export interface Draft {
  from: DraftAddress;
  to: DraftAddress[];
  cc: DraftAddress[];
  subject: string;
  text: string;
  /** The HTML body when the draft is HTML (Outlook's usual); absent for plain-text drafts. */
  html?: string;
  attachments: DraftAttachment[];
}

export interface BuildOptions {
  date: Date;
  /** Random source for boundaries and the Message-ID. */
  random: (n: number) => Uint8Array;
  /** Domain for the Message-ID (the sender's domain by default). */
  messageIdDomain?: string;
}

const CRLF = '\r\n';
const enc = new TextEncoder();

/** Bounds: what Exchange Online accepts as a message at most, and a sane number of parts. */
export const MAX_DRAFT_BYTES = 150 * 1024 * 1024;
export const MAX_ATTACHMENTS = 250;

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function isAscii(s: string): boolean {
  return /^[\x20-\x7e]*$/.test(s);
}

/** RFC 2047 B-encoded words, each at most 75 characters, split between whole UTF-8 characters. */
export function encodeWords(s: string): string {
  if (isAscii(s)) return s;
  const words: string[] = [];
  let chunk = '';
  for (const ch of s) {
    const next = chunk + ch;
    if (`=?UTF-8?B?${bytesToBase64(enc.encode(next))}?=`.length > 75) {
      words.push(`=?UTF-8?B?${bytesToBase64(enc.encode(chunk))}?=`);
      chunk = ch;
    } else chunk = next;
  }
  if (chunk) words.push(`=?UTF-8?B?${bytesToBase64(enc.encode(chunk))}?=`);
  return words.join(`${CRLF} `);
}

const ADDR_SPEC = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function validAddress(a: string): boolean {
  return a.length <= 254 && ADDR_SPEC.test(a);
}

function mailbox(a: DraftAddress): string {
  if (!validAddress(a.address)) throw new DraftError(`"${a.address}" is not an e-mail address this add-in can send to.`);
  const name = (a.name ?? '').replace(/[\r\n]+/g, ' ').trim();
  if (!name || name.toLowerCase() === a.address.toLowerCase()) return a.address;
  if (!isAscii(name)) return `${encodeWords(name)} <${a.address}>`;
  return `"${name.replace(/(["\\])/g, '\\$1')}" <${a.address}>`;
}

function addressList(list: DraftAddress[]): string {
  return list.map(mailbox).join(`,${CRLF} `);
}

/** RFC 2231 filename parameter (UTF-8, percent-encoded) plus a plain fallback for old clients. */
function filenameParams(kind: 'name' | 'filename', name: string): string {
  const clean = name.replace(/[\r\n"\\]+/g, '_');
  if (isAscii(clean)) return `${kind}="${clean}"`;
  const pct = Array.from(enc.encode(clean), (b) =>
    /[A-Za-z0-9.\-_]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`,
  ).join('');
  return `${kind}*=UTF-8''${pct}`;
}

function base64Body(bytes: Uint8Array): string {
  return (bytesToBase64(bytes).match(/.{1,76}/g) ?? []).join(CRLF);
}

/** A bad draft (e.g. an address that is not one), said in one plain sentence. */
export class DraftError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DraftError';
  }
}

function normalizeNewlines(s: string): string {
  return s.replace(/\r\n|\r|\n/g, CRLF);
}

function textPart(kind: 'plain' | 'html', content: string): string {
  const body = normalizeNewlines(content);
  return `Content-Type: text/${kind}; charset=utf-8${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}${body}${body.endsWith(CRLF) ? '' : CRLF}`;
}

function attachmentPart(a: DraftAttachment): string {
  const type = /^[\w.+-]+\/[\w.+-]+$/.test(a.contentType) ? a.contentType : 'application/octet-stream';
  const lines = [
    `Content-Type: ${type}; ${filenameParams('name', a.name)}`,
    'Content-Transfer-Encoding: base64',
    `Content-Disposition: ${a.inline ? 'inline' : 'attachment'}; ${filenameParams('filename', a.name)}`,
  ];
  if (a.contentId && /^[\w.@$-]+$/.test(a.contentId)) lines.push(`Content-ID: <${a.contentId}>`);
  return `${lines.join(CRLF)}${CRLF}${CRLF}${base64Body(a.bytes)}${CRLF}`;
}

function multipart(subtype: string, boundary: string, parts: string[]): string {
  return (
    `Content-Type: multipart/${subtype}; boundary="${boundary}"${CRLF}${CRLF}` +
    parts.map((p) => `--${boundary}${CRLF}${p}`).join(CRLF) +
    `${CRLF}--${boundary}--${CRLF}`
  );
}

/**
 * The draft as bytes. Structure: text only → text/plain; with HTML → multipart/alternative(text, html); with
 * attachments → multipart/mixed(body, attachments…).
 */
export function buildDraftMime(d: Draft, o: BuildOptions): Uint8Array {
  if (d.to.length + d.cc.length === 0) throw new DraftError('The message has no recipients.');
  if (d.attachments.length > MAX_ATTACHMENTS) throw new DraftError(`The message has more than ${MAX_ATTACHMENTS} attachments.`);
  const boundary = () => `=_smime_${hex(o.random(12))}`;
  let body = d.html !== undefined ? multipart('alternative', boundary(), [textPart('plain', d.text), textPart('html', d.html)]) : textPart('plain', d.text);
  if (d.attachments.length) body = multipart('mixed', boundary(), [body, ...d.attachments.map(attachmentPart)]);
  const domain = o.messageIdDomain ?? d.from.address.split('@')[1] ?? 'localhost';
  const headers = [
    `From: ${mailbox(d.from)}`,
    d.to.length ? `To: ${addressList(d.to)}` : '',
    d.cc.length ? `Cc: ${addressList(d.cc)}` : '',
    `Subject: ${encodeWords(d.subject.replace(/[\r\n]+/g, ' '))}`,
    `Date: ${o.date.toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${hex(o.random(16))}@${domain}>`,
    'MIME-Version: 1.0',
  ].filter(Boolean);
  const out = enc.encode(headers.join(CRLF) + CRLF + body);
  if (out.length > MAX_DRAFT_BYTES) throw new DraftError('The message is larger than 150 MB, more than Exchange Online accepts.');
  return out;
}

/**
 * Header fields as RFC 9788 reads them: the protected fields of the payload's header block, the HP-Outer records
 * (§2.2, §4.2.1), and the normalised forms that comparisons and display use.
 *
 * Limits: the header block is already bounded by the MIME parser (DEFAULT_LIMITS: 1000 fields, 1 MiB per block), so
 * every function here is one linear pass over it; no regular expression with nested quantifiers sees a value.
 * Values shown to people are cut at MAX_SHOWN_CHARS and written as visible text (control and bidi characters
 * escaped, trust/names.ts visibleText), as every reason sentence is.
 */
import { decodeEncodedWords } from '../mime';
import type { MimeEntity } from '../mime/types';
import { visibleText } from '../trust/names';

export interface Field {
  /** Lower-case field name. */
  key: string;
  /** Unfolded value as sent (RFC 2047 words not decoded). */
  value: string;
}

/** A value longer than this is shown cut, with a note of how much was left out (comparisons use all of it). */
export const MAX_SHOWN_CHARS = 2000;

/** Content-* and MIME-Version describe the MIME part, not the message: structural, never "protected headers". */
export function isStructural(key: string): boolean {
  return key.startsWith('content-') || key === 'mime-version';
}

/**
 * The payload's header block split as HeaderSetsFromMessage does (§4.2.1): HP-Outer records on one side, every
 * other non-structural field on the other.
 */
export function headerSets(e: MimeEntity): { protectedFields: Field[]; hpOuter: Field[] } {
  const protectedFields: Field[] = [];
  const hpOuter: Field[] = [];
  for (const h of e.headers) {
    if (isStructural(h.key)) continue;
    if (h.key === 'hp-outer') {
      const rec = splitHpOuter(h.value);
      if (rec) hpOuter.push(rec);
    } else protectedFields.push({ key: h.key, value: h.value });
  }
  return { protectedFields, hpOuter };
}

/**
 * "Subject: [...]" → {subject, "[...]"}: split on the first colon, then any amount of white space (§4.2.1 step 4.i.a).
 * A record without a colon or with an empty name names no field and is dropped.
 */
export function splitHpOuter(v: string): Field | undefined {
  const colon = v.indexOf(':');
  if (colon <= 0) return undefined;
  const key = v.slice(0, colon).trim().toLowerCase();
  if (!key || /[\s\u0000-\u001f\u007f]/.test(key)) return undefined;
  let i = colon + 1;
  while (i < v.length && (v[i] === ' ' || v[i] === '\t' || v[i] === '\r' || v[i] === '\n')) i++;
  return { key, value: v.slice(i) };
}

/**
 * What a reader sees, for comparison and display: the folding white space of the value as sent collapsed to one
 * space and trimmed, then RFC 2047 decoded. Collapsing comes first so that a line break or tab that an encoded word
 * decodes to stays in the value, to be written out visibly (shown()), not silently turned into a space.
 */
export function normalized(value: string): string {
  return decodeEncodedWords(value.replace(/[ \t\r\n]+/g, ' ').trim());
}

/** A value for people: normalised, visible text, cut at MAX_SHOWN_CHARS. */
export function shown(value: string): string {
  const n = normalized(value);
  const cut = n.length > MAX_SHOWN_CHARS ? `${n.slice(0, MAX_SHOWN_CHARS)}… (${n.length - MAX_SHOWN_CHARS} more characters)` : n;
  return visibleText(cut);
}

/** Canonical spelling of the field names readers know; other names as lower-case. */
const LABEL: Record<string, string> = {
  subject: 'Subject',
  from: 'From',
  sender: 'Sender',
  to: 'To',
  cc: 'Cc',
  date: 'Date',
  'reply-to': 'Reply-To',
  'message-id': 'Message-ID',
  'in-reply-to': 'In-Reply-To',
  references: 'References',
  keywords: 'Keywords',
  comments: 'Comments',
};
export function fieldLabel(key: string): string {
  return LABEL[key] ?? visibleText(key);
}

/** Every value of one field, in order. */
export function valuesOf(fields: Field[], key: string): string[] {
  const out: string[] = [];
  for (const f of fields) if (f.key === key) out.push(f.value);
  return out;
}

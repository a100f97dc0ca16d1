/**
 * The part of the verdict view about header protection (RFC 9788; core in src/header-protection/):
 * - loud alerts when the From, or another field, was changed after signing (the mail program's own header area
 *   shows the changed value, so the pane must say so next to the badge);
 * - "Signed headers": the Subject, From, To, Cc and Date the sender signed, each changed field with the value the
 *   mail program shows beside it.
 * Values arrive from the core as visible text (control and bidi characters written out) and go into text nodes.
 */
import type { HeaderChange, HeaderProtection, Verdict } from '../src/verdict';
import { type Child, h } from './dom';

/** The rows shown, in reading order; a changed field outside this list gets a row of its own after them. */
const ROWS: [string, string][] = [
  ['subject', 'Subject'],
  ['from', 'From'],
  ['to', 'To'],
  ['cc', 'Cc'],
  ['date', 'Date'],
  ['reply-to', 'Reply-To'],
];
const LABELS: Record<string, string> = { sender: 'Sender', 'message-id': 'Message-ID', 'in-reply-to': 'In-Reply-To', references: 'References', 'mail-followup-to': 'Mail-Followup-To' };

const label = (field: string): string => ROWS.find(([k]) => k === field)?.[1] ?? LABELS[field] ?? field;
const quoted = (v: string | null): string => (v === null ? 'nothing (the field is missing)' : `“${v}”`);

/** Alerts for fields changed after signing; empty when nothing changed. */
export function headerChangeAlerts(doc: Document, v: Verdict): HTMLElement[] {
  const hp = v.headerProtection;
  if (!hp?.protected || hp.changed.length === 0) return [];
  const out: HTMLElement[] = [];
  const from = hp.changed.find((c) => c.field === 'from');
  if (from) {
    out.push(
      h(
        doc,
        'div',
        { className: 'sv-alert sv-alert--from-changed', attrs: { 'data-warning': 'header-from-changed' } },
        h(doc, 'p', { className: 'sv-alert-title' }, 'Warning: the sender was changed after signing'),
        h(doc, 'p', null, `Your mail program shows the sender as ${quoted(from.outer)}, but the message was signed as from ${quoted(from.protected)}.`),
      ),
    );
  }
  const others = v.reasons.filter((r) => r.code === 'header-changed');
  if (others.length) {
    out.push(
      h(
        doc,
        'div',
        { className: 'sv-alert sv-alert--header-changed', attrs: { 'data-warning': 'header-changed' } },
        h(doc, 'p', { className: 'sv-alert-title' }, others.length === 1 ? 'Warning: a header was changed after signing' : 'Warning: headers were changed after signing'),
        h(doc, 'ul', null, ...others.map((r) => h(doc, 'li', null, r.message))),
      ),
    );
  }
  return out;
}

/** "Signed headers" (or, encrypted without a signature, the headers found inside the encryption). */
export function signedHeadersSection(doc: Document, hl: 'h2' | 'h3' | 'h4', v: Verdict): Child[] {
  const hp = v.headerProtection;
  if (!hp || hp.mode === null || (!hp.protected && v.verdict !== 'unsigned')) return [];
  const changed = new Map(hp.changed.map((c) => [c.field, c]));
  const fields = [...ROWS.map(([k]) => k).filter((k) => k in hp.headers || changed.has(k)), ...hp.changed.map((c) => c.field).filter((k) => !ROWS.some(([r]) => r === k))];
  if (fields.length === 0) return [];
  const dl = h(doc, 'dl', { className: 'sv-signer sv-headers' });
  for (const f of fields) dl.append(h(doc, 'dt', null, label(f)), valueCell(doc, hp, f, changed.get(f)));
  const title = hp.protected ? 'Signed headers' : 'Headers inside the encryption (not signed)';
  const notes: string[] = [];
  if (hp.mode === 'legacy-wrapped') notes.push('Sent in the older RFC 8551 form: the whole message wrapped inside the signature.');
  if (hp.legacyDisplay.length) notes.push('The copy of the Subject that the sender put at the top of the text for older mail programs is not shown.');
  return [
    h(doc, hl, { className: 'sv-heading' }, title),
    dl,
    ...notes.map((n) => h(doc, 'p', { className: 'sv-note sv-headers-note' }, n)),
  ];
}

function valueCell(doc: Document, hp: HeaderProtection, field: string, change: HeaderChange | undefined): HTMLElement {
  const value = hp.headers[field];
  const dd = h(doc, 'dd', { attrs: { 'data-field': field } }, h(doc, 'span', { className: 'sv-header-value' }, value ?? '(not signed)'));
  if (hp.fieldStatus[field] === 'signed-and-encrypted' || hp.fieldStatus[field] === 'encrypted-only') {
    dd.append(h(doc, 'span', { className: 'sv-header-hidden' }, ' (kept inside the encryption)'));
  }
  if (change) {
    dd.append(
      h(
        doc,
        'span',
        { className: 'sv-header-changed', attrs: { 'data-changed': field } },
        `Changed after signing — your mail program shows ${quoted(change.outer)}`,
      ),
    );
  }
  return dd;
}

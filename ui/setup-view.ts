/**
 * "Your setup": the health of each of the user's identities (src/health), shared by Thunderbird's options page and
 * Outlook's Settings. One entry per identity: who it is for, how long it is valid, whether its chain is complete
 * and trusted, and each finding in plain words, worst first. Text goes in as text nodes (ui/dom.ts).
 */
import type { HealthReport } from '../src/index';
import { append, clear, h } from './dom';

const SEVERITY_WORD = { error: 'Problem', warning: 'Warning', info: 'Note' } as const;

function summary(r: HealthReport): string {
  const c = r.certificate;
  const until = c.notAfter.slice(0, 10);
  const days = r.daysLeft < 0 ? `expired ${-r.daysLeft} day${r.daysLeft === -1 ? '' : 's'} ago` : `${r.daysLeft} day${r.daysLeft === 1 ? '' : 's'} left`;
  return `${c.emails.join(', ') || 'no e-mail address'} · valid until ${until} (${days})`;
}

/** Renders the section into `parent` (cleared first). `reports` in the order the identities are listed. */
export function renderSetupSection(parent: HTMLElement, reports: HealthReport[], opts: { heading?: 'h2' | 'h3' } = {}): void {
  const doc = parent.ownerDocument;
  clear(parent);
  append(parent, h(doc, opts.heading ?? 'h3', { className: 'sv-heading', attrs: { id: 'setup-heading' } }, 'Your setup'));
  if (reports.length === 0) {
    append(parent, h(doc, 'p', { attrs: { 'data-setup': 'empty' } }, 'No identity imported yet: import your .p12 to sign and to read encrypted mail.'));
    return;
  }
  const list = h(doc, 'ul', { className: 'setup-list', attrs: { 'data-list': 'setup' } });
  for (const r of reports) {
    const worst = r.findings.find((f) => f.severity !== 'info')?.severity ?? 'ok';
    const items = r.findings.map((f) =>
      h(
        doc,
        'li',
        { className: `setup-finding setup-${f.severity}`, attrs: { 'data-code': f.code, 'data-severity': f.severity } },
        h(doc, 'strong', null, `${SEVERITY_WORD[f.severity]}: `),
        f.message,
        f.section ? h(doc, 'span', { className: 'setup-section' }, ` (${f.section})`) : null,
      ),
    );
    append(
      list,
      h(
        doc,
        'li',
        { className: `setup-identity setup-identity--${worst}`, attrs: { 'data-identity-health': worst, 'data-fingerprint': r.certificate.sha256 } },
        h(doc, 'div', null, h(doc, 'strong', null, r.certificate.commonName), ' ', h(doc, 'span', { className: 'setup-meta' }, summary(r))),
        items.length ? h(doc, 'ul', { className: 'setup-findings' }, ...items) : h(doc, 'p', { className: 'setup-ok' }, 'Everything is in order.'),
      ),
    );
  }
  append(parent, list);
}

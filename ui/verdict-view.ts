/**
 * The verdict view shared by both hosts (Outlook task pane, Thunderbird popup). It turns a core Verdict into
 * plain, accessible DOM:
 *   1. one status line — icon shape + colour + words, so it reads the same without colour vision; the element
 *      carries `data-verdict` with the verdict word of the CLI contract for tests and outside checks;
 *   2. loud warnings for a sender that is not the signer and for a message that is only partly signed,
 *      naming what lies outside the signature;
 *   3. why: every reason of the verdict, most important first;
 *   4. the signer (name, e-mail, issuer, validity, fingerprint) and the certificate chain.
 *
 * Built with createElement/text nodes only (ui/dom.ts): message-controlled strings never become markup, and
 * nothing needs inline script or style, so it runs in a strict-CSP page. Style lives in ui/verdict.css.
 */
import type { CertificateDetails, Reason, SignerReport, Verdict, VerdictWord } from '../src/verdict';
import { VERDICT_PHRASE } from '../src/verdict';
import { type Child, append, clear, h, svgIcon } from './dom';
import { headerChangeAlerts, signedHeadersSection } from './signed-headers';

export interface VerdictViewOptions {
  /** Shows a "Verify again" button that calls this. */
  onVerifyAgain?: () => void;
  /** Extra plain-text notes from the host, shown under the status (e.g. "Read from the dropped file x.eml"). */
  notes?: string[];
  /** Level of the section headings, so the view fits the host page's outline (default 2). */
  headingLevel?: 2 | 3 | 4;
  /** "About this certificate": what is about to go wrong with the signer's certificate (src/health aboutSigner). */
  about?: { message: string }[];
}

/** The icon per verdict: a different SHAPE for each, not only a different colour. */
const ICONS: Record<VerdictWord | 'checking', { d: string; cls?: string }[]> = {
  // filled circle with a check mark
  trusted: [
    { d: 'M12 2a10 10 0 1 0 0 20a10 10 0 1 0 0-20z', cls: 'sv-i-bg' },
    { d: 'M7 12.5l3.3 3.3L17.2 9', cls: 'sv-i-fg' },
  ],
  // triangle with an exclamation mark
  untrusted: [
    { d: 'M12 2.2L23 21.5H1z', cls: 'sv-i-bg' },
    { d: 'M12 9v5.5M12 17.6v.4', cls: 'sv-i-fg' },
  ],
  // octagon with a cross
  invalid: [
    { d: 'M8 1.5h8l6.5 6.5v8L16 22.5H8L1.5 16V8z', cls: 'sv-i-bg' },
    { d: 'M8.5 8.5l7 7M15.5 8.5l-7 7', cls: 'sv-i-fg' },
  ],
  // hollow circle with a dash
  unsigned: [
    { d: 'M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z', cls: 'sv-i-ring' },
    { d: 'M7.5 12h9', cls: 'sv-i-dash' },
  ],
  // diamond with a question mark
  error: [
    { d: 'M12 1.2L22.8 12L12 22.8L1.2 12z', cls: 'sv-i-bg' },
    { d: 'M9.6 9.6a2.5 2.5 0 1 1 3.6 2.2c-.7.4-1.2.9-1.2 1.7v.6M12 16.9v.4', cls: 'sv-i-fg' },
  ],
  // three dots
  checking: [{ d: 'M6 12h.01M12 12h.01M18 12h.01', cls: 'sv-i-dots' }],
};

const SEVERITY_LABEL: Record<Reason['severity'], string> = {
  ok: 'OK',
  info: 'Note',
  warning: 'Warning',
  error: 'Problem',
};

/** Replaces the container's content with the view of one verdict. */
export function renderVerdict(container: HTMLElement, verdict: Verdict, opts: VerdictViewOptions = {}): void {
  const doc = container.ownerDocument;
  const hl = `h${opts.headingLevel ?? 2}` as 'h2' | 'h3' | 'h4';
  clear(container);

  const root = h(doc, 'section', { className: `sv-verdict sv-verdict--${verdict.verdict}`, attrs: { 'aria-label': 'S/MIME verdict' } });
  root.appendChild(statusLine(doc, verdict));

  for (const note of opts.notes ?? []) append(root, h(doc, 'p', { className: 'sv-note' }, note));

  const alerts = loudWarnings(doc, verdict);
  if (alerts.length) append(root, h(doc, 'div', { className: 'sv-alerts', attrs: { role: 'alert' } }, ...alerts));

  if (verdict.encrypted) {
    append(
      root,
      h(
        doc,
        'p',
        { className: 'sv-encrypted' },
        verdict.outsideEncryption
          ? 'Only part of this message was encrypted; that part has been decrypted with your key. The check below is about what was inside it.'
          : verdict.decrypted
            ? 'This message was encrypted and has been decrypted with your key. The check below is about what was inside.'
            : 'This message is encrypted and could not be decrypted here.',
      ),
    );
  }

  append(root, ...signedHeadersSection(doc, hl, verdict));

  if (verdict.reasons.length) {
    append(
      root,
      h(doc, hl, { className: 'sv-heading' }, 'Why'),
      h(doc, 'ul', { className: 'sv-reasons' }, ...verdict.reasons.map((r) => reasonItem(doc, r))),
    );
  }

  const signers = signersOf(verdict);
  signers.forEach((s, i) => {
    const title = signers.length > 1 ? `Signer ${i + 1} of ${signers.length}` : 'Signed by';
    append(root, ...signerSection(doc, hl, title, s));
  });

  if (opts.about?.length) {
    append(root, h(doc, 'p', { className: 'sv-about', attrs: { 'data-about': '' } }, h(doc, 'strong', null, 'About this certificate: '), opts.about.map((f) => f.message).join(' ')));
  }
  append(root, h(doc, 'p', { className: 'sv-checked' }, `Checked ${formatDateTime(verdict.checkedAt)}.`));

  if (opts.onVerifyAgain) {
    const again = h(doc, 'button', { className: 'sv-button sv-verify-again', attrs: { type: 'button' } }, 'Verify again');
    const cb = opts.onVerifyAgain;
    again.addEventListener('click', () => cb());
    append(root, h(doc, 'div', { className: 'sv-actions' }, again));
  }

  container.appendChild(root);
}

/** A neutral "checking…" state (no data-verdict: there is no verdict yet). */
export function renderChecking(container: HTMLElement, text = 'Checking the signature…'): void {
  const doc = container.ownerDocument;
  clear(container);
  const status = h(
    doc,
    'div',
    { className: 'sv-status sv-status--checking', attrs: { role: 'status', 'data-state': 'checking' } },
    svgIcon(doc, 'sv-icon', ICONS.checking),
    h(doc, 'div', { className: 'sv-status-text' }, h(doc, 'p', { className: 'sv-headline' }, text)),
  );
  container.appendChild(h(doc, 'section', { className: 'sv-verdict sv-verdict--checking' }, status));
}

function statusLine(doc: Document, v: Verdict): HTMLElement {
  const phrase = VERDICT_PHRASE[v.verdict];
  const detail = v.verdict === 'error' ? v.error.message : v.summary;
  // A message that breaks the organisation's inbound rule looks like the alarm it is, whatever its verdict word.
  const violation = v.reasons.some((r) => r.code === 'policy-unsigned-internal' || r.code === 'policy-untrusted-internal');
  return h(
    doc,
    'div',
    {
      className: `sv-status sv-status--${v.verdict}${violation ? ' sv-status--violation' : ''}`,
      attrs: violation ? { role: 'status', 'data-verdict': v.verdict, 'data-violation': '1' } : { role: 'status', 'data-verdict': v.verdict },
    },
    svgIcon(doc, 'sv-icon', ICONS[v.verdict]),
    h(
      doc,
      'div',
      { className: 'sv-status-text' },
      h(doc, 'p', { className: 'sv-headline' }, phrase),
      detail && detail !== phrase ? h(doc, 'p', { className: 'sv-summary' }, detail) : null,
    ),
  );
}

/** Headers changed after signing, sender mismatch and partial coverage: what a reader must not miss. */
function loudWarnings(doc: Document, v: Verdict): HTMLElement[] {
  const out: HTMLElement[] = headerChangeAlerts(doc, v);
  // A From changed after signing has its own alert (above) naming both Froms; the generic one would name only the signed one.
  if (v.sender === 'mismatch' && !v.headerProtection?.changed.some((c) => c.field === 'from')) {
    const signerEmails = signersOf(v).flatMap((s) => s.certificate?.emails ?? []);
    const from = v.from.length ? v.from.join(', ') : 'no address';
    const signedBy = signerEmails.length ? signerEmails.join(', ') : 'a certificate without any e-mail address';
    out.push(
      h(
        doc,
        'div',
        { className: 'sv-alert sv-alert--sender', attrs: { 'data-warning': 'sender-mismatch' } },
        h(doc, 'p', { className: 'sv-alert-title' }, 'Warning: the sender is not the signer'),
        h(doc, 'p', null, `The message says it is from ${from}, but it was signed by ${signedBy}.`),
      ),
    );
  }
  // Issue 10, item 6: text around an encrypted part is not part of an encrypted message, whoever wrote it.
  if (v.outsideEncryption) {
    const outside = v.outsideEncryption.length ? v.outsideEncryption : ['other parts of the message'];
    out.push(
      h(
        doc,
        'div',
        { className: 'sv-alert sv-alert--partial', attrs: { 'data-warning': 'partially-encrypted' } },
        h(doc, 'p', { className: 'sv-alert-title' }, 'Warning: only part of this message was encrypted'),
        h(doc, 'p', null, 'These were not encrypted; anyone on the way could have read, added or changed them:'),
        h(doc, 'ul', null, ...outside.map((o) => h(doc, 'li', null, o))),
      ),
    );
  }
  // A partly encrypted message with nothing signed is 'partial' too: then there is no signature to be partial.
  if (v.coverage === 'partial' && !(v.outsideEncryption && v.signature === 'absent')) {
    const outside = v.outsideSignature.length ? v.outsideSignature : ['parts of the message that the signature does not cover'];
    out.push(
      h(
        doc,
        'div',
        { className: 'sv-alert sv-alert--partial', attrs: { 'data-warning': 'partially-signed' } },
        h(doc, 'p', { className: 'sv-alert-title' }, 'Warning: only part of this message is signed'),
        h(doc, 'p', null, 'These are outside the signature; anyone could have added or changed them:'),
        h(doc, 'ul', null, ...outside.map((o) => h(doc, 'li', null, o))),
      ),
    );
  }
  return out;
}

function reasonItem(doc: Document, r: Reason): HTMLElement {
  return h(
    doc,
    'li',
    { className: `sv-reason sv-reason--${r.severity}`, attrs: { 'data-code': r.code } },
    h(doc, 'span', { className: 'sv-severity' }, `${SEVERITY_LABEL[r.severity]}: `),
    r.message,
  );
}

function signersOf(v: Verdict): SignerReport[] {
  if (v.signers.length) return v.signers;
  for (const layer of v.layers) if (layer.signers.length) return layer.signers;
  return [];
}

/**
 * "AB:CD:…" with a line-break opportunity after each colon (<wbr>), so a narrow pane wraps a fingerprint between
 * bytes, never inside one; copied text stays the same (no invisible characters).
 */
function breakAtColons(doc: Document, text: string): Child[] {
  return text.split(':').flatMap((part, i) => (i === 0 ? [part] : [':', h(doc, 'wbr', null), part]));
}

function signerSection(doc: Document, hl: 'h2' | 'h3' | 'h4', title: string, s: SignerReport): Child[] {
  const c = s.certificate;
  const rows: [string, string][] = [];
  if (c) {
    rows.push(['Name', c.commonName || c.subject]);
    rows.push(['E-mail', c.emails.length ? c.emails.join(', ') : 'none in the certificate']);
    rows.push(['Issued by', c.issuer]);
    rows.push(['Valid', `${formatDate(c.notBefore)} to ${formatDate(c.notAfter)}`]);
    rows.push(['SHA-256 fingerprint', c.sha256]);
    rows.push(['Serial number', c.serialNumber]);
  } else {
    rows.push(['Certificate', 'not included in the message']);
  }
  if (s.signingTime) rows.push(['Signed at', formatDateTime(s.signingTime)]);
  const algs = [s.digestAlgorithm, s.signatureAlgorithm].filter(Boolean).join(' with ');
  if (algs) rows.push(['Algorithm', algs]);

  const dl = h(doc, 'dl', { className: 'sv-signer' });
  for (const [k, val] of rows) {
    const fp = k === 'SHA-256 fingerprint';
    append(dl, h(doc, 'dt', null, k), h(doc, 'dd', { className: fp ? 'sv-mono' : '' }, ...(fp ? breakAtColons(doc, val) : [val])));
  }
  const out: Child[] = [h(doc, hl, { className: 'sv-heading' }, title), dl];
  if (s.chain.length) {
    out.push(
      h(doc, hl, { className: 'sv-heading' }, 'Certificate chain'),
      h(doc, 'ol', { className: 'sv-chain' }, ...s.chain.map((cert, i) => chainItem(doc, cert, i, s.chain.length, s.trust))),
    );
  }
  return out;
}

function chainItem(doc: Document, c: CertificateDetails, i: number, n: number, trust: SignerReport['trust']): HTMLElement {
  const role = i === 0 ? 'signer' : i === n - 1 && (c.selfSigned || trust === 'trusted') ? 'root' : 'intermediate';
  const label = role === 'root' ? (trust === 'trusted' ? 'trusted root' : 'root') : role;
  return h(
    doc,
    'li',
    { className: `sv-chain-item sv-chain-item--${role}` },
    h(doc, 'span', { className: 'sv-chain-name' }, c.commonName || c.subject),
    ` (${label}; valid to ${formatDate(c.notAfter)})`,
  );
}

/** "2024-06-15" — unambiguous in every locale, and stable for tests. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toISOString().slice(0, 10);
}

/** "2024-06-15 14:03 UTC". */
export function formatDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const s = d.toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)} UTC`;
}

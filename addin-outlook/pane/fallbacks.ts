/**
 * What the pane offers when Outlook cannot hand over the message (no getAsFileAsync before Mailbox 1.14;
 * new Outlook refusing S/MIME items): drop the saved .eml onto the pane or choose it, and — when the add-in is
 * configured for Microsoft Graph — fetch the MIME through Graph.
 */
import { append, clear, h } from '../../ui/dom';

/** A dropped or chosen file larger than this is refused before reading it into memory (pane and playground). */
export const MAX_FILE_BYTES = 160 * 1024 * 1024;

export interface FallbackActions {
  onFile(file: File): void;
  /** Present only when Graph is configured and the item has an id. */
  onGraph?: () => void;
}

export function showFallbacks(el: HTMLElement, actions: FallbackActions): void {
  const doc = el.ownerDocument;
  clear(el);
  const input = h(doc, 'input', { className: 'visually-hidden', attrs: { type: 'file', id: 'eml-file', accept: '.eml,message/rfc822' } });
  input.addEventListener('change', () => {
    const f = input.files?.[0];
    if (f) actions.onFile(f);
    input.value = '';
  });
  const choose = h(doc, 'label', { className: 'sv-button sv-button--secondary', attrs: { for: 'eml-file' } }, 'Choose an .eml file');
  const zone = h(
    doc,
    'div',
    { className: 'dropzone', attrs: { 'data-dropzone': '1' } },
    h(doc, 'p', null, 'Drop the message\'s .eml file here.'),
    h(
      doc,
      'p',
      { className: 'hint' },
      'To get the file: in Outlook on the web or new Outlook, open the message, then More actions (…) > Save as; in classic Outlook, drag the message to a folder.',
    ),
    choose,
    input,
  );
  append(el, h(doc, 'h2', { className: 'sv-heading' }, 'Check it another way'), zone);
  if (actions.onGraph) {
    const onGraph = actions.onGraph;
    const b = h(doc, 'button', { className: 'sv-button sv-button--secondary', attrs: { type: 'button', id: 'graph-fetch' } }, 'Fetch it through Microsoft 365');
    b.addEventListener('click', () => onGraph());
    append(el, h(doc, 'div', { className: 'sv-actions' }, b));
  }
  el.hidden = false;
}

export function hideFallbacks(el: HTMLElement): void {
  el.hidden = true;
  clear(el);
}

/** Dropping a file anywhere on the page checks it (the whole pane is the drop target). */
export function installDropTarget(doc: Document, onFile: (f: File) => void): void {
  const body = doc.body;
  body.addEventListener('dragover', (e) => {
    if (e.dataTransfer?.types.includes('Files')) {
      e.preventDefault();
      e.dataTransfer.dropEffect = 'copy';
      body.classList.add('dragging');
    }
  });
  body.addEventListener('dragleave', (e) => {
    if (e.target === body) body.classList.remove('dragging');
  });
  body.addEventListener('drop', (e) => {
    body.classList.remove('dragging');
    const f = e.dataTransfer?.files?.[0];
    if (!f) return;
    e.preventDefault();
    onFile(f);
  });
}

/**
 * playground.html: a simulated Outlook reading pane (message list + message view) beside the REAL task pane
 * (taskpane.html in a frame). The samples come from the build (dist/outlook/samples, made with a test CA by
 * scripts/outlook-samples.ts); their root is trusted inside the playground only, through the frame link
 * (addin-outlook/playground-link.ts), never stored in settings. A message file opened with the button or dropped
 * on the page (or on the pane) becomes the simulated mailbox's current item, as a message opened in Outlook
 * would: the reading pane shows it and the pane checks it, again on every Settings change. "Check as of" makes
 * the pane check at a chosen date instead of now (old mail).
 */
import { append, clear, h, type Child } from '../../ui/dom';
import { addressesOf } from '../../src/mime/address';
import { decodeHeaderValue, getHeader } from '../../src/mime/headers';
import { parseMime } from '../../src/mime/parse';
import { MAX_FILE_BYTES, installDropTarget } from '../pane/fallbacks';
import type { PlaygroundEnvironment } from '../playground-link';
import { SimulatedMailbox, type SimMessage } from './sim-mailbox';

interface SampleIndex {
  reader: string;
  p12: { file: string; password: string };
  root: string;
  samples: { id: string; subject: string; from: string; description: string; file: string }[];
}

/** One message of the list: what the reading pane shows for it. */
interface Entry {
  message: SimMessage;
  fromLine: string;
  to: string;
  description: string;
  extra?: Child;
}

function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`playground.html lacks #${id}`);
  return el;
}

async function fetchOk(url: string): Promise<Response> {
  const res = await fetch(url, { cache: 'no-cache' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res;
}

/** Subject, From and To of a message, read with the core's own MIME parser (RFC 2047 words decoded). */
function headersOf(bytes: Uint8Array): { subject?: string; fromLine: string; from?: { address: string; name?: string }; to: string } {
  const parsed = parseMime(bytes);
  if (!parsed.ok) return { fromLine: '', to: '' };
  const root = parsed.root;
  const from = addressesOf(root, 'from').addresses[0];
  return {
    subject: decodeHeaderValue(getHeader(root, 'subject')),
    fromLine: decodeHeaderValue(getHeader(root, 'from')) ?? '',
    from: from ? { address: from.address, name: from.name } : undefined,
    to: decodeHeaderValue(getHeader(root, 'to')) ?? '',
  };
}

/** "Check as of" as shown: the date and that it is noon UTC (the time the pane checks at). */
function asOfText(at: Date): string {
  return `${at.toISOString().slice(0, 10)} (12:00 UTC)`;
}

async function loadSamples(): Promise<{ index: SampleIndex; rootPem: string; entries: Entry[] }> {
  const index = (await (await fetchOk('samples/index.json')).json()) as SampleIndex;
  const rootPem = await (await fetchOk(`samples/${index.root}`)).text();
  const entries: Entry[] = [];
  for (const s of index.samples) {
    const bytes = new Uint8Array(await (await fetchOk(`samples/${s.file}`)).arrayBuffer());
    const head = headersOf(bytes);
    entries.push({
      message: { id: s.id, subject: s.subject, from: { emailAddress: s.from, displayName: head.from?.name || s.from }, bytes },
      fromLine: head.fromLine,
      to: index.reader,
      description: s.description,
      extra:
        s.id === 'encrypted'
          ? h(
              document,
              'p',
              { className: 'pg-desc' },
              'To read it, open Settings in the pane and import ',
              h(document, 'a', { attrs: { href: `samples/${index.p12.file}`, download: 'bob.p12' } }, 'Bob\'s key (bob.p12)'),
              ` with the password "${index.p12.password}".`,
            )
          : undefined,
    });
  }
  return { index, rootPem, entries };
}

async function main(): Promise<void> {
  const list = byId('messages');
  const reading = byId('reading');
  const frame = byId('pane') as HTMLIFrameElement;
  const openButton = byId('open-file') as HTMLButtonElement;
  const fileInput = byId('file-input') as HTMLInputElement;
  const asOf = byId('as-of') as HTMLInputElement;

  const mailbox = new SimulatedMailbox();
  let samples: Awaited<ReturnType<typeof loadSamples>> | undefined;
  let missing: string | undefined;
  try {
    samples = await loadSamples();
  } catch (e) {
    // Without OpenSSL at build time there are no samples; opening a message file still works.
    missing = `The sample messages are missing (${e instanceof Error ? e.message : String(e)}). Build with openssl available (npm run build) to make them; meanwhile, open a message file.`;
  }
  const entries: Entry[] = samples?.entries ?? [];
  let current: Entry | undefined;

  const show = (entry: Entry) => {
    current = entry;
    const m = entry.message;
    for (const b of list.querySelectorAll('button')) b.setAttribute('aria-current', String(b.dataset.id === m.id));
    clear(reading);
    append(
      reading,
      h(document, 'h2', null, m.subject),
      h(document, 'p', { className: 'pg-meta' }, `From: ${entry.fromLine}`),
      h(document, 'p', { className: 'pg-meta' }, `To: ${entry.to}`),
      env.at ? h(document, 'p', { className: 'pg-meta pg-asof', attrs: { 'data-as-of': env.at.toISOString() } }, `Checked as of ${asOfText(env.at)}, not now.`) : null,
      h(document, 'p', { className: 'pg-desc' }, entry.description),
      entry.extra ?? null,
      h(document, 'details', null, h(document, 'summary', null, 'Message source'), h(document, 'pre', { className: 'pg-source', attrs: { tabindex: '0' } }, new TextDecoder('utf-8').decode(m.bytes))),
    );
    mailbox.select(m);
  };

  const addToList = (entry: Entry, first: boolean) => {
    const m = entry.message;
    const b = h(
      document,
      'button',
      { className: 'pg-item', attrs: { type: 'button', 'data-id': m.id } },
      h(document, 'span', { className: 'pg-from' }, m.from.displayName),
      h(document, 'span', { className: 'pg-subject' }, m.subject),
    );
    b.addEventListener('click', () => show(entry));
    const li = h(document, 'li', null, b);
    if (first) list.prepend(li);
    else append(list, li);
  };

  const problem = (text: string) => {
    const p = h(document, 'p', { className: 'pg-problem', attrs: { role: 'alert' } }, text);
    reading.prepend(p);
  };

  let opened = 0;
  const openFile = async (file: File) => {
    if (file.size > MAX_FILE_BYTES) {
      problem(`The file ${file.name} is larger than 160 MB; it was not opened.`);
      return;
    }
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (e) {
      problem(`The file ${file.name} could not be read: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    const head = headersOf(bytes);
    const address = head.from?.address ?? '';
    const entry: Entry = {
      message: { id: `file-${++opened}`, subject: head.subject || '(no subject)', from: { emailAddress: address, displayName: head.from?.name || address || file.name }, bytes },
      fromLine: head.fromLine || '(none)',
      to: head.to || '(none)',
      description: `Opened from the file ${file.name} (${bytes.length.toLocaleString('en')} bytes). It is the current message of this simulated mailbox: the pane checks it, and checks it again when a setting changes.`,
    };
    entries.unshift(entry);
    addToList(entry, true);
    show(entry);
  };

  const env: PlaygroundEnvironment = {
    mailbox,
    anchors: samples ? [samples.rootPem] : [],
    note: samples ? 'Playground: the sample test CA is trusted here only.' : 'Playground: no sample test CA (no samples in this build).',
    openFile: (f) => void openFile(f),
  };
  (window as unknown as { smimePlayground: PlaygroundEnvironment }).smimePlayground = env;

  openButton.addEventListener('click', () => fileInput.click());
  fileInput.addEventListener('change', () => {
    const f = fileInput.files?.[0];
    fileInput.value = '';
    if (f) void openFile(f);
  });
  installDropTarget(document, (f) => void openFile(f));

  asOf.addEventListener('change', () => {
    // A date without a time: noon UTC, so the day shown is the day checked in every time zone.
    env.at = asOf.value ? new Date(`${asOf.value}T12:00:00Z`) : undefined;
    if (env.at && Number.isNaN(env.at.getTime())) env.at = undefined;
    if (current) show(current); // redraws the reading pane with the date and re-checks (ItemChanged)
    else mailbox.changed();
  });

  for (const e of entries) addToList(e, false);
  // Select the first message before the pane loads, as Outlook opens a pane over a selected message.
  if (entries[0]) show(entries[0]);
  else if (missing) append(reading, h(document, 'p', null, missing));
  frame.src = 'taskpane.html';
}

void main();

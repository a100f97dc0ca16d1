/**
 * playground.html: a simulated Outlook reading pane (message list + message view) beside the REAL task pane
 * (taskpane.html in a frame). The samples come from the build (dist/outlook/samples, made with a test CA by
 * scripts/outlook-samples.ts); their root is trusted inside the playground only, through the frame link
 * (addin-outlook/playground-link.ts), never stored in settings.
 */
import { append, clear, h } from '../../ui/dom';
import type { PlaygroundEnvironment } from '../playground-link';
import { SimulatedMailbox, type SimMessage } from './sim-mailbox';

interface SampleIndex {
  reader: string;
  p12: { file: string; password: string };
  root: string;
  samples: { id: string; subject: string; from: string; description: string; file: string }[];
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

function fromHeader(bytes: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 4096)));
  return /^From:[ \t]*(.*)$/im.exec(head)?.[1]?.trim() ?? '';
}

async function main(): Promise<void> {
  const list = byId('messages');
  const reading = byId('reading');
  const frame = byId('pane') as HTMLIFrameElement;
  let index: SampleIndex;
  let rootPem: string;
  try {
    index = (await (await fetchOk('samples/index.json')).json()) as SampleIndex;
    rootPem = await (await fetchOk(`samples/${index.root}`)).text();
  } catch (e) {
    append(reading, h(document, 'p', null, `The sample messages are missing (${e instanceof Error ? e.message : String(e)}). Build with openssl available (npm run build) to make them.`));
    return;
  }
  const messages: SimMessage[] = [];
  for (const s of index.samples) {
    const bytes = new Uint8Array(await (await fetchOk(`samples/${s.file}`)).arrayBuffer());
    const display = fromHeader(bytes);
    messages.push({ id: s.id, subject: s.subject, from: { emailAddress: s.from, displayName: display.replace(/<.*>/, '').trim() || s.from }, bytes });
  }

  const mailbox = new SimulatedMailbox();
  const env: PlaygroundEnvironment = {
    mailbox,
    anchors: [rootPem],
    note: 'Playground: the sample test CA is trusted here only.',
  };
  (window as unknown as { smimePlayground: PlaygroundEnvironment }).smimePlayground = env;

  const show = (i: number) => {
    const m = messages[i];
    const s = index.samples[i];
    for (const b of list.querySelectorAll('button')) b.setAttribute('aria-current', String(b.dataset.id === m.id));
    clear(reading);
    const src = new TextDecoder('utf-8').decode(m.bytes);
    append(
      reading,
      h(document, 'h2', null, m.subject),
      h(document, 'p', { className: 'pg-meta' }, `From: ${fromHeader(m.bytes)}`),
      h(document, 'p', { className: 'pg-meta' }, `To: ${index.reader}`),
      h(document, 'p', { className: 'pg-desc' }, s.description),
      s.id === 'encrypted'
        ? h(
            document,
            'p',
            { className: 'pg-desc' },
            'To read it, open Settings in the pane and import ',
            h(document, 'a', { attrs: { href: `samples/${index.p12.file}`, download: 'bob.p12' } }, 'Bob\'s key (bob.p12)'),
            ` with the password "${index.p12.password}".`,
          )
        : null,
      h(document, 'details', null, h(document, 'summary', null, 'Message source'), h(document, 'pre', { className: 'pg-source', attrs: { tabindex: '0' } }, src)),
    );
    mailbox.select(m);
  };

  messages.forEach((m, i) => {
    const b = h(
      document,
      'button',
      { className: 'pg-item', attrs: { type: 'button', 'data-id': m.id } },
      h(document, 'span', { className: 'pg-from' }, m.from.displayName),
      h(document, 'span', { className: 'pg-subject' }, m.subject),
    );
    b.addEventListener('click', () => show(i));
    append(list, h(document, 'li', null, b));
  });

  // Select the first message before the pane loads, as Outlook opens a pane over a selected message.
  show(0);
  frame.src = 'taskpane.html';
}

void main();

/**
 * The message display action's popup: the full verdict of the message shown in the active tab, rendered by
 * the verdict view shared with the Outlook pane (ui/verdict-view.ts). The status element carries
 * `data-verdict` (the CLI contract's verdict word).
 */
import { aboutSigner, type Verdict } from '../src/index';
import { renderChecking, renderVerdict } from '../ui/verdict-view';
import { loadPolicy } from './policy-store';
import type { TabResult } from './checker';
import { messenger } from './messenger';
import type { BackgroundRequest } from './protocol';

/** "About this certificate" under the current policy's warning period (src/health aboutSigner). */
async function about(v: Verdict): Promise<{ message: string }[]> {
  try {
    const { resolved } = await loadPolicy(messenger.storage.local, messenger.storage.managed);
    return aboutSigner(v, resolved.policy);
  } catch {
    return [];
  }
}

async function main(): Promise<void> {
  const container = document.getElementById('verdict') as HTMLElement;
  document.getElementById('open-options')?.addEventListener('click', (e) => {
    e.preventDefault();
    void messenger.runtime.openOptionsPage();
  });
  renderChecking(container);
  // Opened as a reader window for a message Thunderbird could not show (background.ts): by message id.
  const messageId = Number(new URLSearchParams(location.search).get('message'));
  if (Number.isInteger(messageId) && messageId > 0) {
    document.body.classList.add('reader');
    const req: BackgroundRequest = { type: 'verdict-for-message', messageId };
    const r = (await messenger.runtime.sendMessage(req)) as TabResult;
    if (r.state === 'none') return showNone(container, r.why);
    renderVerdict(container, r.result.verdict, {
      headingLevel: 2,
      about: await about(r.result.verdict),
      notes: ['Thunderbird could not decrypt this message; this add-on did, with your key.'],
    });
    showText(r.result.plainText, r.result.verdict);
    return;
  }
  const [tab] = await messenger.tabs.query({ active: true, currentWindow: true });
  if (!tab) return showNone(container, 'No message is shown.');
  const show = async (type: 'verdict-for-tab' | 'recheck') => {
    const req: BackgroundRequest = { type, tabId: tab.id };
    const r = (await messenger.runtime.sendMessage(req)) as TabResult;
    if (r.state === 'none') return showNone(container, r.why);
    renderVerdict(container, r.result.verdict, {
      headingLevel: 2,
      about: await about(r.result.verdict),
      notes: r.result.notes,
      onVerifyAgain: () => {
        renderChecking(container);
        void show('recheck');
      },
    });
    showText(r.result.plainText, r.result.verdict);
  };
  await show('verdict-for-tab');
}

/**
 * Decrypted content is shown as text only (textContent), never as HTML. Of a partly encrypted message only the
 * encrypted part is shown, and said to be only that (issue 10, item 6): the text Thunderbird shows around it was not
 * encrypted, and may be an attacker's.
 */
function showText(text: string | undefined, verdict?: Verdict): void {
  const partial = verdict?.outsideEncryption !== undefined;
  (document.querySelector('#plaintext h2') as HTMLElement).textContent = partial ? 'Decrypted text of the encrypted part' : 'Decrypted text';
  const note = document.getElementById('plaintext-note') as HTMLElement;
  note.hidden = !partial;
  note.textContent = partial
    ? 'Only this part of the message was encrypted. Anything Thunderbird shows around it was not encrypted: anyone could have written or changed it.'
    : '';
  (document.getElementById('plaintext-body') as HTMLElement).textContent = text ?? '';
  (document.getElementById('plaintext') as HTMLElement).hidden = text === undefined;
  document.body.dataset.ready = 'true';
}

function showNone(container: HTMLElement, why: string): void {
  container.textContent = '';
  const p = document.createElement('p');
  p.className = 'tb-none';
  p.textContent = why;
  container.appendChild(p);
  document.body.dataset.ready = 'true';
}

main().catch((e) => {
  const container = document.getElementById('verdict') as HTMLElement;
  showNone(container, `The verdict could not be shown: ${String(e)}`);
});

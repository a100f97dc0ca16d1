/** The compose action's popup: sign / encrypt for the message in this compose window. */
import { messenger } from './messenger';
import type { BackgroundRequest, ComposeState } from './protocol';
import { headerProtectionNote } from '../src/compose/protect-headers';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

function show(id: string, text: string | undefined): void {
  const el = $(id);
  el.textContent = text ?? '';
  el.hidden = !text;
}

async function main(): Promise<void> {
  const [tab] = await messenger.tabs.query({ active: true, currentWindow: true });
  const get: BackgroundRequest = { type: 'compose-get', tabId: tab.id };
  const st = (await messenger.runtime.sendMessage(get)) as ComposeState;
  const sign = $<HTMLInputElement>('sign');
  const encrypt = $<HTMLInputElement>('encrypt');
  sign.checked = st.choice.sign;
  encrypt.checked = st.choice.encrypt;
  show('sign-problem', sign.checked ? st.signProblem : undefined);
  show('encrypt-problem', encrypt.checked ? st.encryptProblem : undefined);
  show('last-error', st.lastError);
  show('response-note', st.responseNote);
  // What header protection (RFC 9788) will do to this message, for the current choice.
  const note = () => show('header-note', sign.checked || encrypt.checked ? headerProtectionNote(st.headerProtection ?? {}, encrypt.checked) : undefined);
  note();
  const save = async () => {
    const set: BackgroundRequest = { type: 'compose-set', tabId: tab.id, choice: { sign: sign.checked, encrypt: encrypt.checked } };
    await messenger.runtime.sendMessage(set);
    show('sign-problem', sign.checked ? st.signProblem : undefined);
    show('encrypt-problem', encrypt.checked ? st.encryptProblem : undefined);
    show('last-error', undefined);
    note();
    document.body.dataset.saved = `${sign.checked ? 'sign' : ''}${encrypt.checked ? '+encrypt' : ''}`;
  };
  sign.addEventListener('change', () => void save());
  encrypt.addEventListener('change', () => void save());
  document.body.dataset.ready = 'true';
}

main().catch((e) => show('last-error', `S/MIME options could not be loaded: ${String(e)}`));

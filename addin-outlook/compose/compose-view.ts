/**
 * The compose pane: read the draft, build its MIME, sign it with the user's key (the core's signMessage), send
 * it through Microsoft Graph (POST /me/sendMail, MIME in base64). It says what was sent and what failed, and it
 * never touches the draft: on any failure the draft is exactly as the user left it, and after a successful send
 * the user discards it themselves (the add-in asks for ReadItem only, so it could not close it anyway).
 */
import { signMessage } from '../../src/index';
import { append, clear, h } from '../../ui/dom';
import type { GraphConfig } from '../config';
import { GraphClient } from '../graph';
import { identityFor, listIdentities } from '../identities';
import { type Mailbox, type MessageCompose, isCompose } from '../office';
import { renderIdentitySection } from '../settings/identity-view';
import { DraftError, buildDraftMime } from './draft-mime';
import { readDraft } from './office-draft';

export interface ComposeOptions {
  mailbox?: Mailbox;
  graph?: GraphConfig;
  /** Tests and the playground replace the network client; Outlook uses Graph with nested app authentication. */
  sender?: { sendMime(mime: Uint8Array): Promise<void> };
}

function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

export async function renderCompose(root: HTMLElement, opts: ComposeOptions): Promise<void> {
  const doc = root.ownerDocument;
  clear(root);
  const status = h(doc, 'div', { className: 'compose-status', attrs: { role: 'status', id: 'compose-status', 'aria-live': 'polite' } });
  const say = (text: string, kind: 'info' | 'ok' | 'bad' = 'info', details: string[] = []) => {
    clear(status);
    status.setAttribute('data-result', kind);
    append(
      status,
      h(doc, 'p', { className: kind === 'ok' ? 'result-ok' : kind === 'bad' ? 'result-bad' : '' }, text),
      details.length ? h(doc, 'ul', null, ...details.map((d) => h(doc, 'li', null, d))) : null,
    );
  };

  const item = opts.mailbox?.item;
  if (!opts.mailbox || !isCompose(item ?? null)) {
    append(root, status);
    say('Open this pane from a message you are writing in Outlook.', 'bad');
    return;
  }
  const draftItem = item as MessageCompose;
  const sender = opts.sender ?? (opts.graph ? new GraphClient(opts.graph) : undefined);

  const sign = h(doc, 'input', { attrs: { type: 'checkbox', id: 'opt-sign' } });
  sign.checked = true;
  sign.disabled = true; // the only protection this version sends; shown so the user sees what happens
  const send = h(doc, 'button', { className: 'sv-button', attrs: { type: 'button', id: 'send-signed' } }, 'Sign and send');
  append(
    root,
    h(doc, 'p', null, 'Sends this message signed with your certificate, so recipients can check it is from you and unchanged.'),
    h(doc, 'div', { className: 'setting' }, sign, h(doc, 'label', { attrs: { for: 'opt-sign' } }, 'Sign')),
    h(doc, 'div', { className: 'sv-actions' }, send),
    status,
  );
  if (!sender) {
    say('Sending needs Microsoft Graph, which this installation of the add-in has not been configured for (ask your administrator; see the README).', 'bad');
    send.disabled = true;
  }
  await renderIdentitySection(root, { say: (t) => say(t), onChanged: () => undefined, heading: 'h2' });

  send.addEventListener('click', async () => {
    if (!sender) return;
    send.disabled = true;
    try {
      say('Reading your draft…');
      let read;
      try {
        read = await readDraft(draftItem, opts.mailbox as Mailbox);
      } catch (e) {
        say(`Not sent: ${e instanceof Error ? e.message : String(e)} Your draft is unchanged.`, 'bad');
        return;
      }
      const { draft, skipped } = read;
      const identity = identityFor(await listIdentities(), draft.from.address);
      if (!identity) {
        say(`Not sent: there is no key for ${draft.from.address} in this browser. Import your .p12 below. Your draft is unchanged.`, 'bad');
        return;
      }
      let mime: Uint8Array;
      try {
        mime = buildDraftMime(draft, { date: new Date(), random: randomBytes });
      } catch (e) {
        say(`Not sent: ${e instanceof DraftError ? e.message : `the message could not be built (${String(e)}).`} Your draft is unchanged.`, 'bad');
        return;
      }
      say('Signing…');
      const signed = await signMessage(mime, identity);
      if (!signed.ok) {
        say(`Not sent: signing failed: ${signed.error.message} Your draft is unchanged.`, 'bad');
        return;
      }
      say('Sending…');
      try {
        await sender.sendMime(signed.message);
      } catch (e) {
        say(`Not sent: ${e instanceof Error ? e.message : String(e)}. Your draft is unchanged; try again.`, 'bad');
        return;
      }
      const to = [...draft.to, ...draft.cc].map((a) => a.address).join(', ');
      say(
        `Sent, signed as ${identity.emails[0] ?? draft.from.address}. Your draft is still open in Outlook: discard it so it is not sent twice.`,
        'ok',
        [
          `To: ${to}`,
          `Subject: ${draft.subject || '(none)'}`,
          `${draft.attachments.length} attachment(s)${draft.attachments.length ? `: ${draft.attachments.map((a) => a.name).join(', ')}` : ''}`,
          ...skipped.map((s) => `Not included: ${s}`),
        ],
      );
    } finally {
      send.disabled = !sender;
    }
  });
}

/**
 * Entry of compose.html, the compose pane: sign the draft with the user's key and send it through Microsoft Graph.
 */
import { renderCompose } from './compose/compose-view';
import { loadConfig } from './config';
import { officeMailbox } from './office';

async function main(): Promise<void> {
  const root = document.getElementById('compose');
  if (!root) throw new Error('compose.html lacks #compose');
  const [mailbox, config] = await Promise.all([officeMailbox(), loadConfig(location.href)]);
  await renderCompose(root, { mailbox, graph: config.graph });
  document.documentElement.setAttribute('data-pane-ready', '1');
}

void main();

/**
 * Entry of taskpane.html, the read pane: connects to Outlook (or the playground's simulated reading pane),
 * verifies the open message at once, again on every ItemChanged while pinned, and on "Verify again".
 */
import { renderChecking } from '../ui/verdict-view';
import { type AddinConfig, loadConfig } from './config';
import { OutlookHost } from './host';
import { type Mailbox, officeMailbox } from './office';
import { type GraphSource, PaneController } from './pane/controller';
import { installDropTarget } from './pane/fallbacks';
import { playgroundEnvironment } from './playground-link';
import { keyDecryptor } from './keys';
import { lockedKeysNote } from './identities';
import { type TrustContext, loadTrust } from './trust';

function byId(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`taskpane.html lacks #${id}`);
  return el;
}

async function graphSource(config: AddinConfig, mailbox: Mailbox | undefined): Promise<GraphSource | undefined> {
  if (!config.graph || !mailbox) return undefined;
  const graph = config.graph;
  return {
    async fetchMime(restId) {
      const { GraphClient } = await import(/* webpackChunkName: "graph" */ './graph');
      return new GraphClient(graph).getMessageMime(restId);
    },
  };
}

async function main(): Promise<void> {
  const verdictEl = byId('verdict');
  const fallbackEl = byId('fallback');
  renderChecking(verdictEl, 'Connecting to Outlook…');

  const playground = playgroundEnvironment(window);
  let trustPromise: Promise<TrustContext> | undefined;
  const trust = () =>
    (trustPromise ??= loadTrust(location.href, { anchors: playground?.anchors ?? [] }).then(
      (t) => {
        if (t.adminPolicy === 'unavailable') trustPromise = undefined; // load the admin policy again on the next check
        return t;
      },
      (e: unknown) => {
        trustPromise = undefined; // try again on the next check
        throw e;
      },
    ));
  // Policy, roots and their parsing start now, while office.js is still getting ready: the verdict waits for
  // whichever is slower instead of for both in turn.
  void trust().catch(() => undefined);
  const [mailbox, config] = await Promise.all([playground ? Promise.resolve(playground.mailbox) : officeMailbox(), loadConfig(location.href)]);
  const host = mailbox ? new OutlookHost(mailbox, verdictEl, playground ? 'the playground\'s simulated mailbox' : 'Outlook') : undefined;
  const controller = new PaneController({
    host,
    verdictEl,
    fallbackEl,
    trust,
    decryptor: keyDecryptor,
    keyNote: lockedKeysNote,
    graph: await graphSource(config, mailbox),
    notes: playground ? [playground.note] : undefined,
    at: playground ? () => playground.at : undefined,
  });

  installDropTarget(document, (f) => (playground?.openFile ? playground.openFile(f) : void controller.verifyFile(f)));

  const settingsButton = byId('open-settings') as HTMLButtonElement;
  const settingsEl = byId('settings');
  settingsButton.addEventListener('click', async () => {
    const open = settingsEl.hidden;
    settingsButton.setAttribute('aria-expanded', String(open));
    if (!open) {
      settingsEl.hidden = true;
      return;
    }
    const { renderSettings } = await import(/* webpackChunkName: "settings" */ './settings/settings-view');
    await renderSettings(settingsEl, {
      base: location.href,
      onChanged: () => {
        trustPromise = undefined; // new anchors or policy: check again with them
        void controller.verifyCurrent();
      },
    });
    settingsEl.hidden = false;
    settingsEl.focus();
  });

  if (host) {
    try {
      await host.onItemChanged(() => void controller.verifyCurrent());
    } catch {
      // Without the event the pane simply closes when the reader changes messages (not pinnable there).
    }
  }
  await controller.verifyCurrent();
  document.documentElement.setAttribute('data-pane-ready', '1');
}

void main();

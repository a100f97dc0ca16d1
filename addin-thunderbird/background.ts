/**
 * Background script: wires Thunderbird events to the checker (read side) and the sender (compose side).
 * Everything heavy runs here, in the extension process, never on Thunderbird's UI thread.
 */
import { verifyMessage } from '../src/index';
import { Checker, type CheckFn } from './checker';
import { ThunderbirdHost } from './host';
import { messenger, messagesOf } from './messenger';
import { type EffectiveSettings, loadSettings, SETTINGS_KEY } from './settings';
import type { PopupRequest } from './protocol';

const log = (line: string) => console.log(`smime-addin: ${line}`);

let effective: EffectiveSettings | undefined;

async function currentSettings(): Promise<EffectiveSettings> {
  if (!effective) effective = await loadSettings(messenger.storage.local, messenger.storage.managed);
  return effective;
}

/** verifyMessage with the user's (and administrator's) trust settings. */
function makeCheck(eff: EffectiveSettings): CheckFn {
  const s = eff.settings;
  return async (raw) => {
    const verdict = await verifyMessage(raw, { revocation: s.revocation, allowSha1: s.allowSha1 });
    return { verdict };
  };
}

const checker = new Checker(new ThunderbirdHost(messenger), async (raw) => makeCheck(await currentSettings())(raw), {
  log,
});

messenger.messageDisplay.onMessagesDisplayed.addListener((tab, list) => {
  // Not awaited: Thunderbird's display must never wait for a check.
  checker.onDisplayed(tab.id, messagesOf(list)).catch((e) => log(`display handler failed: ${String(e)}`));
});
messenger.tabs.onRemoved.addListener((tabId) => checker.onTabClosed(tabId));

messenger.storage.onChanged.addListener((changes, area) => {
  if (area === 'managed' || (area === 'local' && SETTINGS_KEY in changes)) {
    effective = undefined;
    checker.invalidate();
  }
});

messenger.runtime.onMessage.addListener((msg: PopupRequest) => {
  if (msg?.type === 'verdict-for-tab') return checker.forTab(msg.tabId);
  return undefined;
});

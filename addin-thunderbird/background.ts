/**
 * Background script: wires Thunderbird events to the checker (read side) and the sender (compose side).
 * Everything heavy runs here, in the extension process, never on Thunderbird's UI thread.
 */
import {
  addressesOfHeader,
  applyPolicyToVerdict,
  auditEventFromVerdict,
  makeDecryptor,
  openHostAudit,
  policyToVerifyOptions,
  verifyMessageAndBody,
  type HostAudit,
  type Policy,
  type VerifyOptions,
} from '../src/index';
import { NewMailQueue } from './new-mail';
import { ThunderbirdInbound } from './inbound-host';
import { directory, keyStore, setKeyPolicy } from './cert-store';
import { plainTextOf } from './plain-text';
import { Checker, type CheckFn } from './checker';
import { ThunderbirdHost } from './host';
import { messenger, messagesOf } from './messenger';
import { fetcherFor, hasOnlineAccess } from './online-access';
import { loadPolicy, USER_POLICY_KEY } from './policy-store';
import type { BackgroundRequest, KeysState } from './protocol';
import { answerAudit } from './audit-bridge';
import { RememberedIntermediates } from './remembered-intermediates';
import { Sender } from './sender';
import { IdentityWatch, RECHECK_MS } from './identity-watch';

const log = (line: string) => console.log(`smime-addin: ${line}`);
/** Intermediates from earlier trusted messages (remembered-intermediates.ts), kept in storage.local. */
const remembered = new RememberedIntermediates(messenger.storage.local, log);

/**
 * The check under the current policy. Built once per policy change: turning the policy into VerifyOptions
 * parses the bundled roots and the anchors, which must not happen per message.
 */
async function makeCheck(): Promise<CheckFn> {
  const { resolved, problems } = await loadPolicy(messenger.storage.local, messenger.storage.managed);
  if (problems.length) log(`policy problems (invalid fields set aside; an invalid administrator policy sets user settings aside): ${problems.join('; ')}`);
  const policy = resolved.policy;
  policyNow = policy;
  setKeyPolicy(policy);
  // Online checks (AIA, OCSP, CRL download) run only when the policy turns them on AND Thunderbird granted the
  // optional host permission; wanted but not granted, the verdict says why nothing was fetched (online-access.ts).
  const granted = policy.online && (await hasOnlineAccess(messenger.permissions));
  const fetcher = fetcherFor(policy, granted, globalThis.fetch.bind(globalThis));
  if (policy.online) log(granted ? 'online checks: on' : 'online checks: wanted, but the host permission is not granted');
  const options = { ...policyToVerifyOptions(policy, { fetcher }) };
  optionsNow = options;
  const identities = await keyStore.identities();
  audit?.close();
  audit = await openHostAudit(policy, 'thunderbird').catch((e) => {
    log(`audit log unavailable: ${String(e)}`);
    return undefined;
  });
  const auditNow = audit;
  auditEnabled = policy.audit.enabled;
  await remembered.reload();
  return async (raw, msg) => {
    const displayedFrom = addressesOfHeader(msg?.author);
    // Encrypted layers are opened with the user's own keys (Thunderbird's getRaw gives the encrypted original).
    let content: Uint8Array | undefined;
    const decrypt = identities.length
      ? makeDecryptor(identities, { onDecrypted: (r) => (content = r.content) })
      : undefined;
    const { verdict: found, body } = await verifyMessageAndBody(raw, {
      ...options,
      intermediates: [...(options.intermediates ?? []), ...remembered.certificates()],
      rememberIntermediates: remembered.remember,
      // A signer who left their certificate out (RFC 8551 allows it when we have it): found among those collected.
      correspondentCertificates: () => directory.certificates(),
      decrypt,
      displayedFrom,
    });
    const verdict = applyPolicyToVerdict(found, policy, displayedFrom);
    // Remember trusted signers' certificates, to encrypt to them later (as mail clients do). Not awaited.
    directory.addFromVerifiedMessage(content ?? raw, verdict).catch((e) => log(`directory: ${String(e)}`));
    // One audit event per check (no content; the subject only with audit.includeSubject: src/audit/event.ts). Not awaited.
    auditNow
      ?.record(auditEventFromVerdict(verdict, verdict.decrypted ? 'decrypt' : 'verify', { host: 'thunderbird', includeSubject: policy.audit.includeSubject }))
      .catch((e) => log(`audit: ${String(e)}`));
    // The text shown is the cryptographic payload's (RFC 9788 §4.5: what every layer protects), without legacy
    // display elements; only for decrypted messages (Thunderbird shows the others itself).
    const plainText = !content ? undefined : body ? plainTextOf(body, verdict.headerProtection?.legacyDisplay) : plainTextOf(content);
    // Encrypted and not opened while the keys wait for the passphrase: say so (unlocking re-checks, see keys-unlock).
    const locked = verdict.encrypted && !verdict.decrypted && (await keyStore.stored()).some((s) => s.locked);
    return {
      verdict,
      plainText,
      notes: locked ? ['Your stored keys are locked: enter your passphrase in the add-on\'s options to read encrypted mail.'] : undefined,
    };
  };
}

/** The audit log under the current policy (src/audit; IndexedDB, bounded, forwarded when the policy says so). */
let audit: HostAudit | undefined;
let auditEnabled = false;
let check: Promise<CheckFn> | undefined;
let policyNow: Policy | undefined;
/** The trust options of the current policy (anchors, CRLs, network), for the own-certificate check on send. */
let optionsNow: VerifyOptions | undefined;
const currentCheck = () => (check ??= makeCheck());
const currentPolicy = async (): Promise<Policy> => {
  await currentCheck();
  if (!policyNow) throw new Error('no policy loaded');
  return policyNow;
};
// Build the options (parse the bundled roots and anchors) at start-up, not when the first message is shown.
void currentCheck();

const checker = new Checker(new ThunderbirdHost(messenger), async (raw) => (await currentCheck())(raw), { log });

/**
 * New mail is checked as it arrives, two at a time (new-mail.ts): verdict into the checker's cache, the inbound
 * rule's action (tag, quarantine) and an audit event for each violation or invalid signature.
 */
const newMail = new NewMailQueue((m) => checker.resultFor(m), new ThunderbirdInbound(messenger), currentPolicy, {
  log,
  audit: (e) => audit?.record(e).catch((err) => log(`audit: ${String(err)}`)),
});
messenger.messages.onNewMailReceived.addListener((_folder, list) => {
  newMail.enqueue(list.messages);
  void (async () => {
    // Long lists come in pages.
    for (let id = list.id; id; ) {
      const page = await messenger.messages.continueList(id);
      newMail.enqueue(page.messages);
      id = page.id;
    }
  })().catch((e) => log(`new mail list: ${String(e)}`));
});
messenger.messages.onMoved.addListener((original, moved) => {
  const a = messagesOf(original);
  const b = messagesOf(moved);
  for (let i = 0; i < Math.min(a.length, b.length); i++) checker.moved(a[i].id, b[i].id);
});

function settingsChanged(): void {
  check = undefined;
  checker.invalidate();
  void currentCheck();
  void watchIdentities();
}

/** Expiry reminders for the user's own certificates (identity-watch.ts): at start-up, on changes, twice a day. */
const identityWatch = new IdentityWatch({
  identities: () => keyStore.stored(),
  storage: messenger.storage.local,
  notify: (id, title, message) => messenger.notifications.create(id, { type: 'basic', title, message, iconUrl: 'icons/addon-64.png' }).then(() => undefined),
  record: async (e) => {
    await currentCheck();
    await audit?.record(e);
  },
  log,
});
async function watchIdentities(): Promise<void> {
  try {
    const { resolved } = await loadPolicy(messenger.storage.local, messenger.storage.managed);
    await identityWatch.run(resolved.policy);
  } catch (e) {
    log(`identity check failed: ${String(e)}`);
  }
}
void watchIdentities();
setInterval(() => void watchIdentities(), RECHECK_MS);

/** When Thunderbird last displayed each message (for the check below). */
const displayedAt = new Map<number, number>();

messenger.messageDisplay.onMessagesDisplayed.addListener((tab, list) => {
  const msgs = messagesOf(list);
  for (const m of msgs) displayedAt.set(m.id, Date.now());
  if (displayedAt.size > 1000) displayedAt.delete(displayedAt.keys().next().value as number);
  // Not awaited: Thunderbird's display must never wait for a check.
  checker.onDisplayed(tab.id, msgs).catch((e) => log(`display handler failed: ${String(e)}`));
});

/**
 * A message encrypted to a key only this add-on holds: Thunderbird replaces the whole message view with "cannot
 * decrypt this message" and fires no display event, so the display button never appears. When a selected
 * message has not been displayed shortly after and the user's key opens it, show its verdict and text in a
 * small window of our own.
 */
const UNDISPLAYED_AFTER_MS = 2000;
messenger.mailTabs.onSelectedMessagesChanged.addListener((_tab, list) => {
  const msgs = messagesOf(list);
  if (msgs.length !== 1) return;
  const msg = msgs[0];
  const since = Date.now();
  setTimeout(() => {
    if ((displayedAt.get(msg.id) ?? 0) >= since) return;
    checker
      .resultFor(msg)
      .then(async (r) => {
        if ((displayedAt.get(msg.id) ?? 0) >= since || !r.verdict.encrypted || !r.verdict.decrypted) return;
        log(`message ${msg.id}: Thunderbird could not show it; the add-on decrypted it: opening the reader`);
        await messenger.windows.create({ type: 'popup', url: `popup.html?message=${msg.id}`, width: 520, height: 640 });
      })
      .catch((e) => log(`reader: ${String(e)}`));
  }, UNDISPLAYED_AFTER_MS);
});
const sender = new Sender(
  messenger,
  log,
  (e) => {
    audit?.record(e).catch((err) => log(`audit: ${String(err)}`));
  },
  async () => ({ policy: await currentPolicy(), trust: optionsNow ?? {} }),
  (msg) => checker.resultFor(msg),
);
// A reply or forward to a message with header protection gets its Subject and recipients from the protected header.
messenger.tabs.onCreated.addListener((tab) => {
  if (tab.type === undefined || tab.type === 'messageCompose') void sender.onComposeOpened(tab.id);
});
messenger.compose.onBeforeSend.addListener((tab, details) => sender.onBeforeSend(tab, details));

messenger.tabs.onRemoved.addListener((tabId) => {
  checker.onTabClosed(tabId);
  sender.onTabClosed(tabId);
});

messenger.storage.onChanged.addListener((changes, area) => {
  if (area === 'managed' || (area === 'local' && USER_POLICY_KEY in changes)) settingsChanged();
});
// Granting or withdrawing the host permission (options page, Add-ons Manager) turns online checks on or off.
messenger.permissions.onAdded.addListener(() => settingsChanged());
messenger.permissions.onRemoved.addListener(() => settingsChanged());

messenger.runtime.onMessage.addListener((msg: BackgroundRequest) => {
  switch (msg?.type) {
    case 'verdict-for-tab':
      return checker.forTab(msg.tabId);
    case 'recheck':
      return checker.recheck(msg.tabId);
    case 'verdict-for-message':
      return messenger.messages.get(msg.messageId).then((m) => checker.forMessage(m));
    case 'keys-state':
      return currentCheck().then(async (): Promise<KeysState> => {
        const stored = await keyStore.stored();
        return {
          hasPassphrase: await keyStore.hasPassphrase(),
          unlocked: keyStore.isUnlocked(),
          locked: stored.filter((s) => s.locked).length,
          disallowed: stored.filter((s) => s.disallowed).length,
        };
      });
    case 'keys-unlock':
      // The unlocked keys live in this page's memory for the session; checks and sends use them from now on.
      return keyStore.unlock(String(msg.passphrase ?? '')).then((r) => {
        if (r.ok) settingsChanged();
        return r;
      });
    case 'compose-get':
      return sender.state(msg.tabId);
    case 'compose-set':
      return sender.setChoice(msg.tabId, msg.choice).then(() => true);
    case 'audit-stats':
    case 'audit-list':
    case 'audit-export-text':
    case 'audit-report':
      return currentCheck().then(() => answerAudit(audit, auditEnabled, msg));
    case 'intermediates-list':
      return currentCheck().then(() => remembered.saved());
    case 'intermediates-forget':
      // Verdicts that relied on a forgotten certificate are dropped, but nothing is checked again here: re-checking
      // the open message would remember its chain's intermediate again at once (Outlook had that bug, 2507365).
      return currentCheck()
        .then(() => remembered.forget(msg.saved))
        .then(() => {
          checker.invalidate();
          return remembered.saved();
        });
    case 'new-mail-stats':
      // For the e2e test and the options page: what the background did with new mail.
      return Promise.resolve({ ...newMail.stats, pending: newMail.pending });
    case 'settings-changed':
      settingsChanged();
      return Promise.resolve(true);
    default:
      return undefined;
  }
});

/**
 * The options page: the user's identities (PKCS#12 import), trust anchors, intermediates, recipients'
 * certificates, checking policy and compose defaults, and what is stored (removable). Anything an
 * administrator set through managed storage is shown and locked ("set by your administrator").
 */
import * as pkijs from 'pkijs';
import { MIN_PASSPHRASE_LENGTH, certificateDetails, identityHealth, loadCertificates, type PartialPolicy } from '../src/index';
import { h, clear } from '../ui/dom';
import { derToPem, directory, keyStore, readCertificates, removeAllIdentities, removeAllRecipients, setKeyPolicy } from './cert-store';
import { COMPOSE_DEFAULTS_KEY, readComposeDefaults } from './compose-defaults';
import { messenger } from './messenger';
import { hasOnlineAccess, releaseOnlineAccess, requestOnlineAccess } from './online-access';
import { loadPolicy, saveUserPolicy, type LoadedPolicy } from './policy-store';
import type { BackgroundRequest, KeysState } from './protocol';
import { renderAuditSection } from '../ui/audit-view';
import { renderPolicyChoices } from '../ui/policy-choices';
import { renderSetupSection } from '../ui/setup-view';
import { adminPolicyInvalidSentence } from '../ui/policy-problems';
import { keyProtectionLabel } from '../ui/key-protection';
import { backgroundAuditSource } from './audit-bridge';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const local = messenger.storage.local;
let loaded: LoadedPolicy;
/** Whether Thunderbird granted the host permission online checks need (online-access.ts). */
let onlineGranted = false;

function status(id: string, text: string, ok = true): void {
  const el = $(id);
  el.textContent = text;
  el.className = ok ? 'ok' : 'problem';
}

async function notifyBackground(): Promise<void> {
  await ask({ type: 'settings-changed' }).catch(() => undefined);
}

/** A request to the background script (background.ts answers it). */
function ask(req: BackgroundRequest): Promise<unknown> {
  return messenger.runtime.sendMessage(req);
}

async function describePem(pem: string): Promise<{ title: string; meta: string }> {
  const c = loadCertificates(new TextEncoder().encode(pem)).certs[0];
  if (!c) return { title: 'Unreadable certificate', meta: '' };
  const d = await certificateDetails(c);
  return {
    title: d.commonName,
    meta: `${d.emails.join(', ')}${d.emails.length ? ' · ' : ''}issued by ${d.issuer} · valid until ${d.notAfter.slice(0, 10)} · SHA-256 ${d.sha256.slice(0, 23)}…`,
  };
}

async function certItem(pem: string, onRemove?: () => Promise<void>, lockedNote?: string, removeLabel = 'Remove'): Promise<HTMLLIElement> {
  const d = await describePem(pem);
  const li = h(document, 'li', null, h(document, 'div', null, h(document, 'strong', null, d.title), h(document, 'div', { className: 'meta' }, d.meta)));
  if (onRemove) {
    const b = h(document, 'button', { attrs: { type: 'button', 'aria-label': `${removeLabel} ${d.title}` } }, removeLabel);
    b.addEventListener('click', () => void onRemove());
    li.appendChild(b);
  } else if (lockedNote) li.appendChild(h(document, 'span', { className: 'locked' }, lockedNote));
  return li;
}

async function renderPemList(listId: string, field: 'anchors' | 'intermediates'): Promise<void> {
  const ul = $(listId);
  clear(ul);
  for (const pem of loaded.admin[field] ?? []) ul.appendChild(await certItem(pem, undefined, 'Set by your administrator'));
  const user = loaded.user[field] ?? [];
  const userCounts = field !== 'anchors' || loaded.resolved.policy.userAnchors;
  for (const pem of user) {
    const li = await certItem(pem, async () => {
      await updateUser({ [field]: (loaded.user[field] ?? []).filter((p) => p !== pem) });
    });
    if (!userCounts) li.appendChild(h(document, 'span', { className: 'locked' }, 'Ignored: your administrator allows only their anchors'));
    ul.appendChild(li);
  }
  if (!ul.firstChild) ul.appendChild(h(document, 'li', { className: 'meta' }, 'None.'));
}

async function updateUser(changes: PartialPolicy): Promise<string[]> {
  const problems = await saveUserPolicy(local, { ...loaded.user, ...changes });
  if (problems.length === 0) {
    await notifyBackground();
    await refresh();
  }
  return problems;
}

async function readInput(textareaId: string, fileId: string): Promise<Uint8Array | undefined> {
  const ta = $<HTMLTextAreaElement>(textareaId);
  const file = $<HTMLInputElement>(fileId).files?.[0];
  if (ta.value.trim()) return new TextEncoder().encode(ta.value);
  if (file) return new Uint8Array(await file.arrayBuffer());
  return undefined;
}

function wireAdd(button: string, textarea: string, file: string, statusId: string, add: (pems: string[], ders: Uint8Array[]) => Promise<string[]>): void {
  $(button).addEventListener('click', async () => {
    const bytes = await readInput(textarea, file);
    if (!bytes) return status(statusId, 'Paste a certificate or choose a file first.', false);
    const { pems, ders, error } = readCertificates(bytes);
    if (pems.length === 0) return status(statusId, `No certificate could be read: ${error ?? 'unknown format'}.`, false);
    const problems = await add(pems, ders);
    if (problems.length) return status(statusId, problems.join(' '), false);
    $<HTMLTextAreaElement>(textarea).value = '';
    $<HTMLInputElement>(file).value = '';
    status(statusId, `Added ${pems.length} certificate${pems.length > 1 ? 's' : ''}.${error ? ` Skipped: ${error}.` : ''}`);
  });
}

/** How the stored keys are protected, said plainly; the unlock form when the background holds them locked. */
async function renderKeyProtection(): Promise<KeysState> {
  const st = ((await ask({ type: 'keys-state' }).catch(() => undefined)) as KeysState | undefined) ?? { hasPassphrase: false, unlocked: false, locked: 0, disallowed: 0 };
  const required = loaded?.resolved.policy.keys.requirePassphrase ?? false;
  const el = $('keys-protection');
  el.dataset.keyProtection = st.hasPassphrase ? 'passphrase' : 'profile';
  el.textContent = [
    st.hasPassphrase
      ? st.unlocked
        ? 'Your stored keys are protected by your passphrase and unlocked until Thunderbird quits.'
        : 'Your stored keys are protected by your passphrase and locked: enter it to sign and to read encrypted mail.'
      : 'No passphrase is set: your private keys are protected only by your Thunderbird profile and your operating-system account. Anyone who can read the profile\'s files can read them. Import your key again with a passphrase to protect it.',
    required ? 'Your administrator requires a passphrase for stored keys.' : '',
    st.disallowed ? `${st.disallowed} key${st.disallowed === 1 ? ' is' : 's are'} not used because it has no passphrase.` : '',
  ].filter(Boolean).join(' ');
  el.className = st.hasPassphrase ? 'ok' : 'problem';
  $('unlock-form').hidden = !(st.hasPassphrase && !st.unlocked);
  $('p12-passphrase-label').textContent = st.hasPassphrase
    ? 'Your passphrase for stored keys'
    : `Passphrase for stored keys (${required ? 'required' : 'optional'}, at least ${MIN_PASSPHRASE_LENGTH} characters)`;
  return st;
}

async function renderIdentities(): Promise<void> {
  const ul = $('identities');
  clear(ul);
  const st = await renderKeyProtection();
  for (const id of await keyStore.stored()) {
    const c = pkijs.Certificate.fromBER(id.certificate.slice().buffer);
    const d = await certificateDetails(c);
    // Locked or not is the background's state: it holds the keys (this page's store does not keep them).
    const state = keyProtectionLabel(id, !st.unlocked, 'your profile');
    const li = h(
      document,
      'li',
      { attrs: { 'data-identity': id.id, 'data-protection': id.protection } },
      h(document, 'div', null, h(document, 'strong', null, d.commonName), h(document, 'div', { className: 'meta' }, `${id.emails.join(', ')} · issued by ${d.issuer} · valid until ${d.notAfter.slice(0, 10)} · ${state}`)),
    );
    const b = h(document, 'button', { attrs: { type: 'button' } }, 'Remove');
    b.addEventListener('click', async () => {
      await keyStore.delete(id.id);
      await notifyBackground();
      await renderIdentities();
    });
    li.appendChild(b);
    ul.appendChild(li);
  }
  if (!ul.firstChild) ul.appendChild(h(document, 'li', { className: 'meta' }, 'None imported.'));
  await renderSetup();
}

/**
 * "Your setup": each identity's health under the current policy (src/health): expiry, key and signature strength,
 * key usage, e-mail address, chain. Revocation only when online checks are on and Thunderbird allows them.
 */
async function renderSetup(): Promise<void> {
  const policy = (loaded ?? (await loadPolicy(local, messenger.storage.managed))).resolved.policy;
  const online = policy.online && (await hasOnlineAccess(messenger.permissions));
  // Every stored identity, locked ones too: health needs only the certificates.
  const reports = await Promise.all((await keyStore.stored()).map((id) => identityHealth(id, { policy: { ...policy, online } })));
  renderSetupSection($('setup'), reports, { heading: 'h2' });
}

async function renderRecipients(): Promise<void> {
  const ul = $('recipients');
  clear(ul);
  for (const e of await directory.all()) {
    const li = await certItem(derToPem(e.der), async () => {
      await directory.remove(e.sha256);
      await renderRecipients();
    });
    li.querySelector('.meta')?.append(e.source === 'signed-message' ? ' · from a signed message' : ' · added by you');
    ul.appendChild(li);
  }
  if (!ul.firstChild) ul.appendChild(h(document, 'li', { className: 'meta' }, 'None.'));
}

function renderPolicyFields(): void {
  const box = $('policy-fields');
  clear(box);
  const { policy, sources } = loaded.resolved;
  renderPolicyChoices(box, {
    policy,
    sources,
    save: updateUser,
    say: (text, ok) => status('online-status', text, ok),
    online: {
      // permissions.request runs in the click itself: Thunderbird refuses it outside a user action.
      beforeOn: () =>
        requestOnlineAccess(messenger.permissions).then((granted) =>
          granted ? null : 'Thunderbird did not give this add-on access to web sites, so online checks stay off.',
        ),
      afterOff: async () => {
        await releaseOnlineAccess(messenger.permissions);
      },
      note: ["Needs Thunderbird's permission to access web sites."],
      extra: permissionState(policy.online, sources.online === 'admin'),
    },
  });
  $('bundled-note').hidden = !policy.bundledRoots;
}

/**
 * When the policy wants online checks (the user's earlier choice, or the administrator's) but Thunderbird has not
 * given the host permission, say so and offer to grant it (in the click: see renderPolicyFields).
 */
function permissionState(wanted: boolean, locked: boolean): HTMLElement | null {
  if (!wanted) return null;
  if (onlineGranted) return h(document, 'div', { className: 'meta ok', attrs: { id: 'online-granted' } }, 'Access to web sites: granted.');
  const grant = h(document, 'button', { attrs: { type: 'button', id: 'online-grant' } }, 'Allow access to web sites');
  grant.addEventListener('click', () => {
    requestOnlineAccess(messenger.permissions).then(
      (granted) =>
        status(
          'online-status',
          granted ? 'Access granted: online checks are on.' : 'Thunderbird did not give this add-on access to web sites: online checks cannot run.',
          granted,
        ),
      (e: unknown) => status('online-status', `Access could not be requested: ${String(e)}`, false),
    );
  });
  return h(
    document,
    'p',
    { className: 'problem', attrs: { id: 'online-missing', role: 'alert' } },
    `Online checks are on${locked ? ' (set by your administrator)' : ''}, but Thunderbird has not given this add-on access to web sites, so they cannot run: verdicts say what could not be checked. `,
    grant,
  );
}

/** The audit log, kept by the background page, in the view the Outlook settings use too (ui/audit-view.ts). */
async function renderAudit(): Promise<void> {
  const source = backgroundAuditSource(ask);
  // No answer from the background: the view says the log could not be opened, the rest of the page still works.
  const { enabled, stats } = await source.state().catch(() => ({ enabled: true, stats: undefined }));
  const el = $('audit');
  clear(el);
  await renderAuditSection(el, stats ? source : undefined, enabled, { heading: 'h2' });
}

/** Base64 DER (as the background saves them) to PEM. */
function savedToPem(saved: string): string {
  return derToPem(Uint8Array.from(atob(saved), (c) => c.charCodeAt(0)));
}

/**
 * The intermediates the background remembered from trusted messages. Forgetting goes through the background, which
 * holds them in memory for its checks; it drops the verdicts but checks nothing again by itself.
 */
async function renderRemembered(list?: string[]): Promise<void> {
  const saved = list ?? ((await ask({ type: 'intermediates-list' })) as string[]);
  const ul = $('remembered-intermediates');
  clear(ul);
  for (const s of saved) {
    const pem = savedToPem(s);
    const li = await certItem(pem, () => forgetRemembered(s, 'The intermediate was forgotten.'), undefined, 'Forget');
    ul.appendChild(li);
  }
  if (!ul.firstChild) ul.appendChild(h(document, 'li', { className: 'meta' }, 'None.'));
  $<HTMLButtonElement>('forget-intermediates').disabled = saved.length === 0;
}

async function forgetRemembered(saved: string | undefined, done: string): Promise<void> {
  const after = (await ask({ type: 'intermediates-forget', saved })) as string[];
  await renderRemembered(after);
  status('remembered-status', done);
}

/**
 * Redraws the settings from storage. Refreshes overlap (a saved setting and the permission event of the same click
 * arrive together), so they run one after the other: each reads the state when it starts, and the last one drawn is
 * never older than the one before (otherwise an earlier read finishing late could show "online" off just after it
 * was turned on, or list a certificate twice).
 */
let refreshing: Promise<void> = Promise.resolve();
function refresh(): Promise<void> {
  const run = refreshing.then(draw);
  refreshing = run.catch(() => undefined);
  return run;
}

async function draw(): Promise<void> {
  loaded = await loadPolicy(local, messenger.storage.managed);
  setKeyPolicy(loaded.resolved.policy);
  onlineGranted = await hasOnlineAccess(messenger.permissions);
  const probs = $('policy-problems');
  probs.hidden = loaded.problems.length === 0;
  const adminProblems = loaded.problems.filter((p) => p.startsWith('administrator policy'));
  const userProblems = loaded.problems.filter((p) => !p.startsWith('administrator policy'));
  probs.textContent = [
    loaded.adminInvalid ? adminPolicyInvalidSentence(adminProblems) : '',
    userProblems.length ? `Ignored because invalid: ${userProblems.join('; ')}` : '',
  ].filter(Boolean).join(' ');
  renderPolicyFields();
  await renderPemList('anchors', 'anchors');
  await renderPemList('intermediates', 'intermediates');
  const cd = await readComposeDefaults(local);
  $<HTMLInputElement>('sign-default').checked = cd.sign;
  $<HTMLInputElement>('encrypt-default').checked = cd.encrypt;
  await renderSetup();
  document.body.dataset.ready = 'true';
}

async function main(): Promise<void> {
  wireAdd('anchor-add', 'anchor-pem', 'anchor-file', 'anchor-status', (pems) => updateUser({ anchors: [...(loaded.user.anchors ?? []), ...pems] }));
  wireAdd('inter-add', 'inter-pem', 'inter-file', 'inter-status', (pems) => updateUser({ intermediates: [...(loaded.user.intermediates ?? []), ...pems] }));
  wireAdd('recip-add', 'recip-pem', 'recip-file', 'recip-status', async (_pems, ders) => {
    const problems: string[] = [];
    for (const der of ders) {
      const r = await directory.add(der, 'manual');
      if (!r.ok) problems.push(r.message);
    }
    await renderRecipients();
    return problems;
  });

  $('p12-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const file = $<HTMLInputElement>('p12-file').files?.[0];
    if (!file) return status('p12-status', 'Choose a .p12 or .pfx file first.', false);
    status('p12-status', 'Importing…');
    try {
      const passphrase = $<HTMLInputElement>('p12-passphrase').value;
      const r = await keyStore.importPkcs12(new Uint8Array(await file.arrayBuffer()), $<HTMLInputElement>('p12-password').value, { passphrase: passphrase || undefined });
      $<HTMLInputElement>('p12-password').value = '';
      $<HTMLInputElement>('p12-passphrase').value = '';
      if (!r.ok) return status('p12-status', r.error.message, false);
      // The background holds the keys for checks and sends: it unlocks with the same passphrase.
      if (passphrase) await ask({ type: 'keys-unlock', passphrase });
      else await notifyBackground();
      keyStore.lock(); // this page keeps no key in memory once the background has them
      await renderIdentities();
      const how = (await keyStore.hasPassphrase()) ? 'encrypted under your passphrase' : 'without a passphrase, protected only by your profile';
      status('p12-status', `Imported the certificate for ${r.identity.emails.join(', ') || 'an unnamed identity'}, stored ${how}.`);
    } catch (err) {
      // A programmer error or a storage failure (IndexedDB unavailable): say so instead of spinning.
      status('p12-status', `The import failed: ${String(err)}`, false);
    }
  });

  $('unlock-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $<HTMLInputElement>('unlock-passphrase');
    const r = (await ask({ type: 'keys-unlock', passphrase: input.value })) as { ok: boolean; message?: string; unlocked?: number };
    input.value = '';
    await renderIdentities();
    if (!r.ok) return status('p12-status', r.message ?? 'The keys could not be unlocked.', false);
    status('p12-status', `Unlocked ${r.unlocked} key${r.unlocked === 1 ? '' : 's'} until Thunderbird quits.`);
  });

  for (const [id, key] of [['sign-default', 'sign'], ['encrypt-default', 'encrypt']] as const) {
    $<HTMLInputElement>(id).addEventListener('change', async () => {
      const cd = await readComposeDefaults(local);
      await local.set({ [COMPOSE_DEFAULTS_KEY]: { ...cd, [key]: $<HTMLInputElement>(id).checked } });
    });
  }

  $('forget-intermediates').addEventListener('click', () => void forgetRemembered(undefined, 'All remembered intermediates were forgotten.'));

  $('remove-all').addEventListener('click', async () => {
    await removeAllIdentities();
    await removeAllRecipients();
    await local.clear?.();
    await notifyBackground();
    await Promise.all([refresh(), renderIdentities(), renderRecipients(), renderRemembered()]);
    status('remove-status', 'Everything this add-on stored has been removed.');
  });

  // Granted or withdrawn here, in a prompt, or in the Add-ons Manager: show the current state.
  messenger.permissions.onAdded.addListener(() => void refresh());
  messenger.permissions.onRemoved.addListener(() => void refresh());

  await Promise.all([renderIdentities(), renderRecipients(), renderRemembered(), renderAudit()]);
  await refresh();
}

main().catch((e) => status('policy-problems', `The settings could not be loaded: ${String(e)}`, false));

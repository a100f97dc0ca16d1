/**
 * The settings panel of the task pane: trust anchors and intermediates (PEM, DER, .p7b), the policy choices a
 * user may make (ui/policy-choices.ts: revocation, sender match, SHA-1, bundled roots, online checks), what is
 * stored and a way to remove it. Fields the
 * administrator's policy.json decides are shown locked, with the reason. Loaded on demand (own chunk).
 */
import type { PartialPolicy, Policy } from '../../src/index';
import { append, clear, h } from '../../ui/dom';
import { loadUserPolicy, saveUserPolicy } from '../settings-store';
import { loadTrust, proxyForPane } from '../trust';
import { labelPem, readCertificateFile, samePem } from './certificates';
import { renderIdentitySection } from './identity-view';
import { renderAuditSection } from '../../ui/audit-view';
import { POLICY_CHOICE_KEYS, renderPolicyChoices } from '../../ui/policy-choices';
import { paneAudit } from '../audit';
import { forgetIntermediates, intermediateMemory } from '../intermediates';

export interface SettingsOptions {
  /** URL of the page (policy.json is looked up beside it). */
  base: string;
  /** Called after anything changed that affects verdicts. */
  onChanged(): void;
}

type ListField = 'anchors' | 'intermediates';

export async function renderSettings(el: HTMLElement, opts: SettingsOptions): Promise<void> {
  const doc = el.ownerDocument;
  const status = h(doc, 'p', { className: 'settings-status', attrs: { role: 'status', id: 'settings-status' } });
  const say = (text: string) => {
    status.textContent = text;
  };

  const redraw = async (): Promise<void> => {
    const [user, trust] = await Promise.all([loadUserPolicy(), loadTrust(opts.base)]);
    const { policy, sources } = trust.resolved;
    clear(el);
    append(el, h(doc, 'h2', { className: 'sv-heading' }, 'Settings'));
    if (trust.adminPolicy === 'loaded') append(el, h(doc, 'p', { className: 'sv-note' }, 'Your administrator\'s policy applies; settings it decides are locked.'));
    for (const p of trust.problems) append(el, h(doc, 'p', { className: 'sv-note' }, p));

    /** Stores the user's settings, re-checks the open message with them and redraws; `message` says what changed. */
    const save = async (next: PartialPolicy, message?: string) => {
      await saveUserPolicy(next);
      if (message) say(message);
      opts.onChanged();
      await redraw();
    };

    // --- the user's own key (PKCS#12)
    await renderIdentitySection(el, { say, onChanged: opts.onChanged });

    // --- policy choices (the view Thunderbird's options page uses too)
    const choices = h(doc, 'div', { attrs: { id: 'policy-fields' } });
    renderPolicyChoices(choices, {
      policy,
      sources,
      save: (changes) =>
        save({ ...user, ...changes }).then(
          () => [],
          (e: unknown) => [`The setting could not be saved: ${String(e)}`],
        ),
      say: (text) => say(text),
      online: { note: onlineNote(policy, opts.base) },
    });
    append(el, h(doc, 'h3', { className: 'sv-heading' }, 'Checking'), choices);

    // --- certificate lists
    for (const field of ['anchors', 'intermediates'] as const) {
      await certList(el, field, user, policy[field], save);
    }

    // --- add certificates
    const file = h(doc, 'input', { attrs: { type: 'file', id: 'cert-file', accept: '.pem,.crt,.cer,.der,.p7b,.p7c' } });
    const asRoot = h(doc, 'input', { attrs: { type: 'radio', name: 'cert-kind', id: 'cert-kind-root', value: 'anchors' } });
    const asInter = h(doc, 'input', { attrs: { type: 'radio', name: 'cert-kind', id: 'cert-kind-intermediate', value: 'intermediates' } });
    asRoot.checked = true;
    const addAnchorsAllowed = policy.userAnchors;
    if (!addAnchorsAllowed) {
      asRoot.disabled = true;
      asInter.checked = true;
    }
    file.addEventListener('change', async () => {
      const f = file.files?.[0];
      file.value = '';
      if (!f) return;
      const r = readCertificateFile(new Uint8Array(await f.arrayBuffer()));
      if (!r.ok) {
        say(`${f.name}: ${r.problem}`);
        return;
      }
      const field: ListField = asInter.checked ? 'intermediates' : 'anchors';
      const current = user[field] ?? [];
      const added = r.pems.filter((p) => !current.some((c) => samePem(c, p)));
      await save({ ...user, [field]: [...current, ...added] }, `${added.length} certificate(s) added from ${f.name}${added.length < r.pems.length ? ' (others were already there)' : ''}.`);
    });
    append(
      el,
      h(doc, 'h3', { className: 'sv-heading' }, 'Add certificates'),
      h(
        doc,
        'fieldset',
        { className: 'setting' },
        h(doc, 'legend', null, 'Add as'),
        asRoot,
        h(doc, 'label', { attrs: { for: 'cert-kind-root' } }, 'trusted root'),
        ' ',
        asInter,
        h(doc, 'label', { attrs: { for: 'cert-kind-intermediate' } }, 'intermediate'),
        !addAnchorsAllowed ? h(doc, 'p', { className: 'locked' }, 'Your administrator allows only their own trusted roots.') : null,
      ),
      h(doc, 'label', { attrs: { for: 'cert-file' } }, 'Certificate file (PEM, DER or .p7b): '),
      file,
    );

    // --- the audit log (same origin IndexedDB as the pane that records it)
    await renderAuditSection(el, await paneAudit(policy), policy.audit.enabled);

    // --- what is stored
    const removeAll = h(doc, 'button', { className: 'sv-button sv-button--secondary', attrs: { type: 'button', id: 'remove-settings' } }, 'Remove these settings');
    const forget = h(doc, 'button', { className: 'sv-button sv-button--secondary', attrs: { type: 'button', id: 'forget-intermediates' } }, 'Forget remembered intermediates');
    // No re-check of the open message here: it would remember its own chain's intermediate again at once.
    forget.addEventListener('click', async () => {
      forgetIntermediates();
      await redraw();
      say('Remembered intermediate certificates were forgotten.');
    });
    removeAll.addEventListener('click', () => void save({}, 'Your settings were removed; defaults apply.'));
    append(
      el,
      h(doc, 'h3', { className: 'sv-heading' }, 'What is stored'),
      h(
        doc,
        'p',
        null,
        `In this browser's storage for the add-in (IndexedDB), never sent anywhere: ${(user.anchors ?? []).length} trusted root(s), ${(user.intermediates ?? []).length} intermediate(s)` +
          `${POLICY_CHOICE_KEYS.some((k) => user[k] !== undefined) ? ', and your policy choices' : ''}. Your key, if imported, is listed above.`,
      ),
      h(
        doc,
        'p',
        { attrs: { id: 'remembered-intermediates' } },
        `In this browser's local storage: ${intermediateMemory.size} intermediate certificate(s) remembered from trusted messages, so later messages that leave them out stay trusted.`,
      ),
      h(doc, 'div', { className: 'sv-actions' }, removeAll, ' ', forget),
      status,
    );
  };

  async function certList(
    parent: HTMLElement,
    field: ListField,
    user: PartialPolicy,
    effective: string[],
    save: (next: PartialPolicy, message: string) => Promise<void>,
  ): Promise<void> {
    const title = field === 'anchors' ? 'Trusted roots added (by you or your administrator)' : 'Intermediate certificates';
    const mine = user[field] ?? [];
    const list = h(doc, 'ul', { className: 'cert-list', attrs: { 'data-list': field } });
    for (const pem of effective) {
      const label = await labelPem(pem);
      const isMine = mine.some((m) => samePem(m, pem));
      const item = h(
        doc,
        'li',
        null,
        h(doc, 'span', { className: 'cert-name' }, label.name),
        h(doc, 'span', { className: 'cert-meta sv-mono' }, ` SHA-256 ${label.sha256.slice(0, 23)}…, valid to ${label.notAfter.slice(0, 10)}`),
      );
      if (isMine) {
        const rm = h(doc, 'button', { className: 'link-button', attrs: { type: 'button', 'aria-label': `Remove ${label.name}` } }, 'Remove');
        rm.addEventListener('click', () => void save({ ...user, [field]: mine.filter((m) => !samePem(m, pem)) }, `${label.name} was removed.`));
        append(item, ' ', rm);
      } else {
        append(item, h(doc, 'span', { className: 'locked' }, ' (from your administrator)'));
      }
      append(list, item);
    }
    append(parent, h(doc, 'h3', { className: 'sv-heading' }, title), effective.length ? list : h(doc, 'p', null, 'None.'));
  }

  await redraw();
}

/**
 * What online checks need in the pane (README "Outlook"): its CSP lets it connect only to its own origin, so CA
 * servers are reached only through the administrator's proxy there (policy.json proxyUrl). Without a usable one
 * the checks fail, and the field says so before the user turns them on.
 */
function onlineNote(policy: Policy, base: string): string[] {
  const how = 'Outlook lets this pane reach certificate authorities only through a proxy your administrator runs on the add-in\'s own site.';
  if (!policy.proxyUrl) return [how, ' Your administrator has not set one (proxyUrl in policy.json), so online checks will fail until they do.'];
  const usable = proxyForPane({ ...policy, online: true }, base);
  if (usable.proxyUrl === null) return [how, ' The proxy your administrator set is on another site, so online checks will fail until it is moved.'];
  return [how, ' Your administrator has set one.'];
}

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
import { renderSetupSection } from '../../ui/setup-view';
import { identityHealth } from '../../src/index';
import { keyStore } from '../identities';
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
  // One status line, shown right below the part it is about (an import's result next to the Import button, not
  // after the whole audit log); it stays there across redraws.
  type Part = 'identity' | 'choices' | 'certificates' | 'stored';
  const status = h(doc, 'p', { className: 'settings-status', attrs: { role: 'status', id: 'settings-status' } });
  let near: Part = 'stored';
  const place = () => {
    const anchor = el.querySelector(`[data-section="${near}"]`);
    if (anchor) anchor.insertAdjacentElement('beforeend', status);
    else append(el, status);
  };
  const say = (text: string, part: Part = near) => {
    near = part;
    status.textContent = text;
    place();
  };

  const redraw = async (): Promise<void> => {
    const [user, trust] = await Promise.all([loadUserPolicy(), loadTrust(opts.base)]);
    const { policy, sources } = trust.resolved;
    clear(el);
    append(el, h(doc, 'h2', { className: 'sv-heading' }, 'Settings'));
    // A short table of contents: the page is long (the audit log most of all), so each part is one click away.
    const parts: [string, string][] = [
      ['settings-identity', 'Your key'],
      ['settings-setup', 'Your setup'],
      ['settings-checking', 'Checking'],
      ['settings-certificates', 'Certificates'],
      ['settings-stored', 'What is stored'],
      ['settings-audit', 'Audit log'],
    ];
    append(
      el,
      h(doc, 'nav', { className: 'settings-toc', attrs: { 'aria-label': 'Settings sections' } },
        h(doc, 'ul', null, ...parts.map(([id, label]) => h(doc, 'li', null, h(doc, 'a', { attrs: { href: `#${id}` } }, label))))),
    );
    if (trust.adminPolicy === 'loaded') append(el, h(doc, 'p', { className: 'sv-note' }, 'Your administrator\'s policy applies; settings it decides are locked.'));
    for (const p of trust.problems) append(el, h(doc, 'p', { className: 'sv-note' }, p));

    /** Stores the user's settings, re-checks the open message with them and redraws; `message` says what changed. */
    const save = async (next: PartialPolicy, message?: string, part?: Part) => {
      await saveUserPolicy(next);
      if (message) say(message, part);
      opts.onChanged();
      await redraw();
    };

    // --- the user's own key (PKCS#12)
    const identity = h(doc, 'section', { attrs: { id: 'settings-identity', 'data-section': 'identity' } });
    append(el, identity);
    await renderIdentitySection(identity, {
      say: (t) => say(t, 'identity'),
      onChanged: () => {
        opts.onChanged();
        void drawSetup();
      },
    });

    // --- "Your setup": each identity's health (ui/setup-view.ts, as in Thunderbird's options page). Offline: the
    // pane reaches CA servers only through the administrator's proxy, so revocation is left to the message checks.
    const setup = h(doc, 'section', { attrs: { id: 'settings-setup', 'data-section': 'setup' } });
    append(el, setup);
    const drawSetup = async () => {
      const reports = await Promise.all((await keyStore.stored().catch(() => [])).map((id) => identityHealth(id, { policy: { ...policy, online: false } })));
      renderSetupSection(setup, reports);
    };
    await drawSetup();

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
      say: (text) => say(text, 'choices'),
      online: { note: onlineNote(policy, opts.base) },
    });
    append(el, h(doc, 'section', { attrs: { id: 'settings-checking', 'data-section': 'choices' } }, h(doc, 'h3', { className: 'sv-heading' }, 'Checking'), choices));

    // --- certificate lists
    const certificates = h(doc, 'section', { attrs: { id: 'settings-certificates', 'data-section': 'certificates' } });
    append(el, certificates);
    for (const field of ['anchors', 'intermediates'] as const) {
      await certList(certificates, field, user, policy[field], (next, message) => save(next, message, 'certificates'));
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
        say(`${f.name}: ${r.problem}`, 'certificates');
        return;
      }
      const field: ListField = asInter.checked ? 'intermediates' : 'anchors';
      const current = user[field] ?? [];
      const added = r.pems.filter((p) => !current.some((c) => samePem(c, p)));
      await save({ ...user, [field]: [...current, ...added] }, `${added.length} certificate(s) added from ${f.name}${added.length < r.pems.length ? ' (others were already there)' : ''}.`, 'certificates');
    });
    append(
      certificates,
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

    // --- what is stored
    const removeAll = h(doc, 'button', { className: 'sv-button sv-button--secondary', attrs: { type: 'button', id: 'remove-settings' } }, 'Remove these settings');
    const forget = h(doc, 'button', { className: 'sv-button sv-button--secondary', attrs: { type: 'button', id: 'forget-intermediates' } }, 'Forget remembered intermediates');
    // No re-check of the open message here: it would remember its own chain's intermediate again at once.
    forget.addEventListener('click', async () => {
      forgetIntermediates();
      await redraw();
      say('Remembered intermediate certificates were forgotten.', 'stored');
    });
    removeAll.addEventListener('click', () => void save({}, 'Your settings were removed; defaults apply.', 'stored'));
    append(
      el,
      h(doc, 'section', { attrs: { id: 'settings-stored', 'data-section': 'stored' } },
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
      h(doc, 'div', { className: 'sv-actions' }, removeAll, ' ', forget)),
    );

    // --- the audit log last: it is the longest part (same origin IndexedDB as the pane that records it)
    const audit = h(doc, 'section', { attrs: { id: 'settings-audit' } });
    append(el, audit);
    await renderAuditSection(audit, await paneAudit(policy), policy.audit.enabled);
    place();
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

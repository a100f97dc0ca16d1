/**
 * The policy choices a user may make, one view for both hosts (Outlook's Settings, Thunderbird's options page):
 * revocation checking, what a sender who is not the signer means, SHA-1, the bundled roots and online checks.
 * Drawn from a resolved policy and its sources (src/policy resolvePolicy): a field the administrator's policy
 * decides is shown with its value, disabled, and says "Set by your administrator". A change calls back
 * `save(changes)` with that one field; the host stores it, redraws and re-checks.
 *
 * Online checks differ by host, so the host brings a hook: Thunderbird must ask for its host permission inside
 * the click (it refuses outside a user action), so `beforeOn` runs synchronously in the change handler, before
 * anything here awaits; Outlook has no permission to ask for, but its note says the pane reaches CA servers only
 * through the administrator's proxy. Ids are `policy-<field>` (the hosts' e2e tests read them).
 */
import type { FieldSource, PartialPolicy, Policy } from '../src/index';
import { append, h, type Child } from './dom';

/** The fields a user may set here, in the order shown. */
export const POLICY_CHOICE_KEYS = ['revocation', 'senderMatch', 'allowSha1', 'bundledRoots', 'online'] as const;
export type PolicyChoiceKey = (typeof POLICY_CHOICE_KEYS)[number];

export interface OnlineHook {
  /**
   * Runs synchronously in the change handler of the click that turns online checks on (before any await), so a
   * host can ask for a permission that needs a user gesture. Resolves to null to save `online: true`, or to a
   * sentence saying why online checks stay off (then nothing is saved and the box is unticked).
   */
  beforeOn?(): Promise<string | null>;
  /** After `online: false` was saved (Thunderbird gives its permission back). */
  afterOff?(): Promise<void>;
  /** The host's own sentences under the field (what online checks need there). */
  note: Child[];
  /** Drawn after the note: the host's state (Thunderbird: the permission is missing, with a button to grant it). */
  extra?: Child;
}

export interface PolicyChoicesOptions {
  policy: Policy;
  sources: Record<string, FieldSource>;
  /** Saves the user's change (merged into their settings); resolves to the problems, empty when saved. */
  save(changes: PartialPolicy): Promise<string[]>;
  /** Says how a change went (the host's status line: role="status", outside the redrawn view). */
  say(text: string, ok: boolean): void;
  online: OnlineHook;
}

const LOCKED = 'Set by your administrator';

interface SelectField {
  key: 'revocation' | 'senderMatch';
  label: string;
  options: [string, string][];
  saved: (value: string) => string;
}

const SELECTS: SelectField[] = [
  {
    key: 'revocation',
    label: 'Check revocation',
    options: [
      ['soft', 'Yes; if the status is unknown, warn'],
      ['hard', 'Yes; if the status is unknown, do not trust'],
      ['off', 'No'],
    ],
    saved: (v) => (v === 'off' ? 'Revocation is no longer checked.' : `Revocation is checked; an unknown status now ${v === 'hard' ? 'means not trusted' : 'is a warning'}.`),
  },
  {
    key: 'senderMatch',
    label: 'When the sender is not the signer',
    options: [
      ['require', 'Not trusted'],
      ['warn', 'Trusted, with a warning'],
    ],
    saved: (v) => (v === 'warn' ? 'A sender who is not the signer is now a warning only.' : 'A sender who is not the signer now means not trusted.'),
  },
];

interface CheckField {
  key: 'allowSha1' | 'bundledRoots';
  label: string;
  saved: (on: boolean) => string;
}

const CHECKS: CheckField[] = [
  {
    key: 'allowSha1',
    label: 'Accept SHA-1 signatures (weak; off unless you must read old mail)',
    saved: (on) => (on ? 'SHA-1 signatures are now accepted.' : 'SHA-1 signatures are no longer accepted.'),
  },
  {
    key: 'bundledRoots',
    label: 'Trust the roots Mozilla trusts for e-mail (as Thunderbird does)',
    saved: (on) => (on ? 'The bundled roots are trusted again.' : 'The bundled roots are no longer trusted.'),
  },
];

/** Appends the choices to `parent` (a container the host clears before each redraw). */
export function renderPolicyChoices(parent: HTMLElement, opts: PolicyChoicesOptions): void {
  const doc = parent.ownerDocument;
  const { policy, sources, say } = opts;
  const locked = (key: PolicyChoiceKey) => sources[key] === 'admin';
  /** The "set by your administrator" note, tied to its control for screen readers. */
  const lockNote = (key: PolicyChoiceKey, control: HTMLInputElement | HTMLSelectElement): HTMLElement | null => {
    control.disabled = locked(key);
    if (!control.disabled) return null;
    control.setAttribute('aria-describedby', `policy-${key}-locked`);
    return h(doc, 'span', { className: 'locked', attrs: { id: `policy-${key}-locked` } }, LOCKED);
  };
  const store = async (changes: PartialPolicy, done: string): Promise<boolean> => {
    const problems = await opts.save(changes);
    if (problems.length) say(problems.join(' '), false);
    else say(done, true);
    return problems.length === 0;
  };

  for (const f of SELECTS) {
    const id = `policy-${f.key}`;
    const sel = h(doc, 'select', { attrs: { id } }, ...f.options.map(([v, t]) => h(doc, 'option', { attrs: { value: v } }, t)));
    sel.value = policy[f.key];
    sel.addEventListener('change', () => void store({ [f.key]: sel.value } as PartialPolicy, f.saved(sel.value)));
    const note = lockNote(f.key, sel);
    append(parent, h(doc, 'div', { className: 'setting', attrs: { 'data-field': f.key } }, h(doc, 'label', { attrs: { for: id } }, `${f.label}:`), sel, note));
  }

  for (const f of CHECKS) {
    const id = `policy-${f.key}`;
    const cb = h(doc, 'input', { attrs: { type: 'checkbox', id } });
    cb.checked = policy[f.key];
    cb.addEventListener('change', () => void store({ [f.key]: cb.checked } as PartialPolicy, f.saved(cb.checked)));
    const note = lockNote(f.key, cb);
    append(parent, h(doc, 'div', { className: 'setting setting-check', attrs: { 'data-field': f.key } }, cb, h(doc, 'label', { attrs: { for: id } }, f.label), note));
  }

  append(parent, onlineField(doc, opts, lockNote));
  append(parent, rulesField(doc, opts, store));
}

const REQUIRE_SIGNATURE_OPTIONS: [string, string][] = [
  ['never', 'When I choose to'],
  ['external', 'Always to recipients outside my organisation'],
  ['always', 'Always'],
];

/**
 * The organisation's rules (src/policy/inbound.ts, outbound.ts) as they apply to this user: each in one sentence,
 * marked "Set by your administrator" when the administrator's policy decides it. The one a user may set for
 * themselves is when to sign (outbound.requireSignature); locked when the administrator set it.
 */
function rulesField(doc: Document, opts: PolicyChoicesOptions, store: (changes: PartialPolicy, done: string) => Promise<boolean>): HTMLElement {
  const { policy, sources } = opts;
  const admin = (path: string) => sources[path] === 'admin';
  const id = 'policy-outbound.requireSignature';
  const sel = h(doc, 'select', { attrs: { id } }, ...REQUIRE_SIGNATURE_OPTIONS.map(([v, t]) => h(doc, 'option', { attrs: { value: v } }, t)));
  sel.value = policy.outbound.requireSignature;
  sel.disabled = admin('outbound.requireSignature');
  sel.addEventListener('change', () => void store({ outbound: { requireSignature: sel.value as Policy['outbound']['requireSignature'] } }, 'Saved: when your messages are signed.'));
  const lockedNote = (path: string, noteId: string) => (admin(path) ? h(doc, 'span', { className: 'locked', attrs: { id: noteId } }, LOCKED) : null);
  if (sel.disabled) sel.setAttribute('aria-describedby', 'policy-outbound.requireSignature-locked');
  const list = (xs: string[]) => (xs.length > 3 ? `${xs.slice(0, 3).join(', ')} and ${xs.length - 3} more` : xs.join(', '));
  const lines: [string, string][] = [];
  const inb = policy.inbound;
  if (inb.requireSignedFrom.length) {
    const what = inb.action === 'quarantine' ? ` are moved to "${inb.quarantineFolder}" (Outlook: marked "${inb.tagName}")` : inb.action === 'tag' ? ` are marked "${inb.tagName}"` : ' are flagged';
    lines.push(['inbound.requireSignedFrom', `Mail from ${list(inb.requireSignedFrom)} must be signed and trusted; messages that are not${what}.`]);
  }
  const out = policy.outbound;
  if (out.requireEncryptionTo.length) {
    lines.push(['outbound.requireEncryptionTo', `Mail to ${list(out.requireEncryptionTo)} is encrypted; ${out.onMissingCertificate === 'block' ? 'it is not sent to a recipient without a certificate' : 'you are warned about a recipient without a certificate'}.`]);
  }
  if (out.blockExpiredIdentity) lines.push(['outbound.blockExpiredIdentity', 'Your certificate is not used to sign once it has expired or was revoked.']);
  return h(
    doc,
    'div',
    { className: 'setting-block', attrs: { id: 'rules-field', 'data-field': 'rules' } },
    h(
      doc,
      'div',
      { className: 'setting', attrs: { 'data-field': 'outbound.requireSignature' } },
      h(doc, 'label', { attrs: { for: id } }, 'Sign my messages:'),
      sel,
      lockedNote('outbound.requireSignature', 'policy-outbound.requireSignature-locked'),
    ),
    lines.length
      ? h(
          doc,
          'ul',
          { className: 'meta', attrs: { id: 'policy-rules' } },
          ...lines.map(([path, text]) => h(doc, 'li', { attrs: { 'data-rule': path } }, text, admin(path) ? ' ' : null, lockedNote(path, `policy-${path}-locked`))),
        )
      : null,
  );
}

function onlineField(
  doc: Document,
  opts: PolicyChoicesOptions,
  lockNote: (key: PolicyChoiceKey, control: HTMLInputElement) => HTMLElement | null,
): HTMLElement {
  const { say, online } = opts;
  const cb = h(doc, 'input', { attrs: { type: 'checkbox', id: 'policy-online', 'aria-describedby': 'policy-online-note' } });
  cb.checked = opts.policy.online;
  const turnedOn = async (): Promise<void> => {
    const problems = await opts.save({ online: true });
    say(problems.length ? problems.join(' ') : 'Online checks are on.', problems.length === 0);
  };
  cb.addEventListener('change', () => {
    if (!cb.checked) {
      void opts.save({ online: false }).then(async (problems) => {
        if (problems.length) return say(problems.join(' '), false);
        await online.afterOff?.();
        say('Online checks are off: nothing is fetched.', true);
      });
      return;
    }
    if (!online.beforeOn) return void turnedOn();
    // Synchronously, in the click: a host permission request needs the user's gesture.
    online.beforeOn().then(
      (refused) => {
        if (refused === null) return turnedOn();
        cb.checked = false;
        say(refused, false);
      },
      (e: unknown) => {
        cb.checked = false;
        say(`Online checks could not be turned on: ${String(e)}`, false);
      },
    );
  });
  const note = lockNote('online', cb);
  // aria-describedby lists the lock note too when there is one.
  if (note) cb.setAttribute('aria-describedby', `policy-online-note ${note.id}`);
  return h(
    doc,
    'div',
    { className: 'setting-block', attrs: { id: 'online-field', 'data-field': 'online' } },
    h(
      doc,
      'div',
      { className: 'setting setting-check' },
      cb,
      h(
        doc,
        'label',
        { attrs: { for: 'policy-online' } },
        'Check online: fetch certificates a sender left out (AIA) and ask certificate authorities whether a certificate was revoked (OCSP, CRLs)',
      ),
      note,
    ),
    h(doc, 'div', { className: 'meta', attrs: { id: 'policy-online-note' } }, "The authority's server learns which certificate you are checking. ", ...online.note),
    online.extra,
  );
}

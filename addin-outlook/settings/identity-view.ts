/**
 * "Your certificate and key": import a PKCS#12 (.p12/.pfx) with its password, optionally under a passphrase for
 * stored keys (identities.ts, src/keys/protected-keystore.ts), unlock them for this pane session, list what is
 * stored and how it is protected, remove it. Shared by the read pane's settings and the compose pane. Without a
 * passphrase the section says plainly what protects the keys: this browser profile and the OS account only.
 */
import { MIN_PASSPHRASE_LENGTH, certificateDetails, loadCertificates } from '../../src/index';
import { append, h } from '../../ui/dom';
import { keyProtectionLabel } from '../../ui/key-protection';
import { formatDate } from '../../ui/verdict-view';
import { keyPolicyRequiresPassphrase, keyStore, removeIdentity } from '../identities';

export interface IdentitySectionOptions {
  say(text: string): void;
  onChanged(): void;
  /** Heading level (default h3). */
  heading?: 'h2' | 'h3';
}

const MAX_P12_BYTES = 1024 * 1024;

export async function renderIdentitySection(parent: HTMLElement, opts: IdentitySectionOptions): Promise<void> {
  const doc = parent.ownerDocument;
  const section = h(doc, 'div', { className: 'identity', attrs: { 'data-section': 'identity' } });
  append(parent, section);

  const draw = async (): Promise<void> => {
    while (section.firstChild) section.removeChild(section.firstChild);
    append(section, h(doc, opts.heading ?? 'h3', { className: 'sv-heading' }, 'Your certificate and key'));
    const required = keyPolicyRequiresPassphrase();
    const [stored, hasPassphrase] = await Promise.all([keyStore.stored().catch(() => []), keyStore.hasPassphrase().catch(() => false)]);
    // What protects the stored keys, said plainly (data-key-protection for tests and screen readers alike).
    const protection = hasPassphrase
      ? keyStore.isUnlocked()
        ? 'Your stored keys are protected by your passphrase and unlocked for this pane session.'
        : 'Your stored keys are protected by your passphrase and locked: enter it to sign and to read encrypted mail.'
      : stored.length
        ? 'Your keys are stored without a passphrase: only this browser profile and your operating-system account protect them. Anyone who can read the profile\'s files (another program running as you, a backup of your profile) can read the private key. Import your key again with a passphrase to protect it.'
        : 'Without a passphrase, an imported key is protected only by this browser profile and your operating-system account. Choose a passphrase to store it encrypted.';
    append(
      section,
      h(doc, 'p', { className: hasPassphrase ? 'sv-note' : 'sv-note sv-warning', attrs: { 'data-key-protection': hasPassphrase ? 'passphrase' : 'profile' } }, protection),
    );
    if (required) append(section, h(doc, 'p', { className: 'sv-note' }, 'Your administrator requires a passphrase for stored keys.'));
    if (hasPassphrase && !keyStore.isUnlocked()) {
      const pass = h(doc, 'input', { attrs: { type: 'password', id: 'keys-passphrase', autocomplete: 'current-password' } });
      const unlock = h(doc, 'button', { className: 'sv-button', attrs: { type: 'button', id: 'keys-unlock' } }, 'Unlock');
      unlock.addEventListener('click', async () => {
        unlock.disabled = true;
        try {
          const r = await keyStore.unlock(pass.value);
          pass.value = '';
          if (!r.ok) {
            opts.say(r.message);
            return;
          }
          opts.say(`Unlocked ${r.unlocked} key${r.unlocked === 1 ? '' : 's'} for this pane session.`);
          opts.onChanged();
          await draw();
        } finally {
          unlock.disabled = false;
        }
      });
      append(section, h(doc, 'div', { className: 'form-row' }, h(doc, 'label', { attrs: { for: 'keys-passphrase' } }, 'Passphrase for your stored keys'), pass), h(doc, 'div', { className: 'sv-actions' }, unlock));
    }
    if (stored.length === 0) append(section, h(doc, 'p', null, 'None imported. Import your .p12/.pfx file to sign and to read encrypted mail.'));
    const list = h(doc, 'ul', { className: 'cert-list', attrs: { 'data-list': 'identities' } });
    for (const id of stored) {
      const cert = loadCertificates(id.certificate).certs[0];
      const d = cert ? await certificateDetails(cert) : undefined;
      const rm = h(doc, 'button', { className: 'link-button', attrs: { type: 'button', 'aria-label': `Remove the key of ${id.emails.join(', ') || id.id}` } }, 'Remove');
      rm.addEventListener('click', async () => {
        await removeIdentity(id.id);
        opts.say(`The key for ${id.emails.join(', ') || 'this certificate'} was removed from this browser.`);
        opts.onChanged();
        await draw();
      });
      const state = keyProtectionLabel(id, id.locked, 'this browser profile');
      append(
        list,
        h(
          doc,
          'li',
          { attrs: { 'data-protection': id.protection } },
          h(doc, 'span', { className: 'cert-name' }, d?.commonName ?? '(certificate)'),
          ` ${id.emails.join(', ')}`,
          d ? h(doc, 'span', { className: 'cert-meta' }, `, issued by ${d.issuer}, valid to ${formatDate(d.notAfter)}; ${state}`) : h(doc, 'span', { className: 'cert-meta' }, `; ${state}`),
          ' ',
          rm,
        ),
      );
    }
    if (stored.length) append(section, list);

    const file = h(doc, 'input', { attrs: { type: 'file', id: 'p12-file', accept: '.p12,.pfx,application/x-pkcs12' } });
    const password = h(doc, 'input', { attrs: { type: 'password', id: 'p12-password', autocomplete: 'off' } });
    const needPassphrase = !hasPassphrase || !keyStore.isUnlocked();
    const passphrase = h(doc, 'input', { attrs: { type: 'password', id: 'p12-passphrase', autocomplete: hasPassphrase ? 'current-password' : 'new-password' } });
    const importButton = h(doc, 'button', { className: 'sv-button', attrs: { type: 'button', id: 'p12-import' } }, 'Import');
    importButton.addEventListener('click', async () => {
      const f = file.files?.[0];
      if (!f) {
        opts.say('Choose your .p12 or .pfx file first.');
        return;
      }
      if (f.size > MAX_P12_BYTES) {
        opts.say(`${f.name} is too large to be a key file.`);
        return;
      }
      importButton.disabled = true;
      try {
        const r = await keyStore.importPkcs12(new Uint8Array(await f.arrayBuffer()), password.value, { passphrase: passphrase.value || undefined });
        password.value = '';
        passphrase.value = '';
        if (!r.ok) {
          opts.say(r.error.code === 'wrong-password' ? 'Wrong password for this key file.' : r.error.message);
          return;
        }
        const how = (await keyStore.hasPassphrase()) ? 'encrypted under your passphrase' : 'without a passphrase, protected only by this browser profile';
        opts.say(`Imported the key for ${r.identity.emails.join(', ') || 'your certificate'}. It is stored in this browser, ${how}.`);
        opts.onChanged();
        await draw();
      } finally {
        importButton.disabled = false;
      }
    });
    append(
      section,
      h(
        doc,
        'div',
        { className: 'form-row' },
        h(doc, 'label', { attrs: { for: 'p12-file' } }, 'Key file (.p12 or .pfx)'),
        file,
        h(doc, 'label', { attrs: { for: 'p12-password' } }, 'Password of the key file'),
        password,
        ...(needPassphrase
          ? [
              h(
                doc,
                'label',
                { attrs: { for: 'p12-passphrase' } },
                hasPassphrase
                  ? 'Your passphrase for stored keys'
                  : `Passphrase for stored keys (${required ? 'required' : 'optional'}, at least ${MIN_PASSPHRASE_LENGTH} characters)`,
              ),
              passphrase,
            ]
          : []),
      ),
      h(doc, 'div', { className: 'sv-actions' }, importButton),
    );
  };
  await draw();
}

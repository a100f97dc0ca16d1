/**
 * "Your certificate and key": import a PKCS#12 (.p12/.pfx) with its password (the core makes the private key a
 * non-extractable WebCrypto key; identities.ts stores it in IndexedDB), list what is stored, remove it. Shared by
 * the read pane's settings and the compose pane.
 */
import { certificateDetails, importPkcs12, loadCertificates } from '../../src/index';
import { append, h } from '../../ui/dom';
import { formatDate } from '../../ui/verdict-view';
import { listIdentities, removeIdentity, saveIdentity } from '../identities';

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
    const ids = await listIdentities();
    if (ids.length === 0) append(section, h(doc, 'p', null, 'None imported. Import your .p12/.pfx file to sign and to read encrypted mail.'));
    const list = h(doc, 'ul', { className: 'cert-list', attrs: { 'data-list': 'identities' } });
    for (const id of ids) {
      const cert = loadCertificates(id.certificate).certs[0];
      const d = cert ? await certificateDetails(cert) : undefined;
      const rm = h(doc, 'button', { className: 'link-button', attrs: { type: 'button', 'aria-label': `Remove the key of ${id.emails.join(', ') || id.id}` } }, 'Remove');
      rm.addEventListener('click', async () => {
        await removeIdentity(id.id);
        opts.say(`The key for ${id.emails.join(', ') || 'this certificate'} was removed from this browser.`);
        opts.onChanged();
        await draw();
      });
      append(
        list,
        h(
          doc,
          'li',
          null,
          h(doc, 'span', { className: 'cert-name' }, d?.commonName ?? '(certificate)'),
          ` ${id.emails.join(', ')}`,
          d ? h(doc, 'span', { className: 'cert-meta' }, `, issued by ${d.issuer}, valid to ${formatDate(d.notAfter)}`) : null,
          ' ',
          rm,
        ),
      );
    }
    if (ids.length) append(section, list);

    const file = h(doc, 'input', { attrs: { type: 'file', id: 'p12-file', accept: '.p12,.pfx,application/x-pkcs12' } });
    const password = h(doc, 'input', { attrs: { type: 'password', id: 'p12-password', autocomplete: 'off' } });
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
        const r = await importPkcs12(new Uint8Array(await f.arrayBuffer()), password.value);
        password.value = '';
        if (!r.ok) {
          opts.say(r.error.code === 'wrong-password' ? 'Wrong password for this key file.' : r.error.message);
          return;
        }
        await saveIdentity(r.identity);
        opts.say(`Imported the key for ${r.identity.emails.join(', ') || 'your certificate'}. It is stored in this browser and cannot be exported.`);
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
      ),
      h(doc, 'div', { className: 'sv-actions' }, importButton),
    );
  };
  await draw();
}

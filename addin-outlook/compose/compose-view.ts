/**
 * The compose pane: read the draft, build its MIME, sign it with the user's key (the core's signMessage) and/or
 * encrypt it to every recipient and the sender (encryptMessage; recipients' certificates from the recipient
 * directory, missing ones asked for), send it through Microsoft Graph (POST /me/sendMail, MIME in base64). It says what was sent and what failed, and it
 * never touches the draft: on any failure the draft is exactly as the user left it, and after a successful send
 * the user discards it themselves (the add-in asks for ReadItem only, so it could not close it anyway).
 */
import {
  answersObscuredSubject,
  auditEventForSend,
  buildMessage,
  colonFingerprint,
  defaultPolicy,
  encryptMessage,
  headerProtectionNote,
  identityHealth,
  loadCertificates,
  signMessage,
  validityFinding,
  type AuditEvent,
  type CertificateDetails,
  type HeaderProtectionOptions,
  type Identity,
  type Policy,
} from '../../src/index';
import { directory } from '../directory';
import { append, clear, h } from '../../ui/dom';
import type { GraphConfig } from '../config';
import { GraphClient } from '../graph';
import { identityFor, listIdentities } from '../identities';
import { type Mailbox, type MessageCompose, isCompose, officeAsync } from '../office';
import { renderIdentitySection } from '../settings/identity-view';
import { readDraft } from './office-draft';
import { draftKey, recordReceipt } from '../send-receipts';

export interface ComposeOptions {
  mailbox?: Mailbox;
  graph?: GraphConfig;
  /** Tests and the playground replace the network client; Outlook uses Graph with nested app authentication. */
  sender?: { sendMime(mime: Uint8Array): Promise<void> };
  /** Where sign/encrypt events go (the pane's audit log under the policy, addin-outlook/audit.ts); never awaited. */
  audit?: (event: AuditEvent) => void;
  /** Header protection (RFC 9788) from the policy; default on, Subject hidden from relays when encrypting. */
  headerProtection?: HeaderProtectionOptions;
  /**
   * The resolved policy: the identity's chain is built with its anchors (offline), and expiryWarningDays says when
   * a certificate counts as expiring. Default: the defaults.
   */
  policy?: Policy;
}

/**
 * Whether an identity may sign now (issue 13), as the core judges it (src/health): an expired or not yet valid
 * certificate, or CA certificate above it, never signs (every recipient would see "not trusted"); one that expires
 * within the policy's expiryWarningDays signs, with the sentence saying when it ends. The chain is built once per
 * certificate and pane (identityHealth, offline, with the policy's anchors); each send then judges the dates of that
 * chain at the moment of sending (validityFinding), so a send costs no chain validation.
 */
const identityChains = new Map<string, Promise<CertificateDetails[]>>();

async function identityValidity(identity: Identity, policy: Policy, now = new Date()): Promise<{ refuse?: string; warn?: string }> {
  let chain = identityChains.get(identity.id);
  if (!chain) {
    chain = identityHealth(identity, { policy: { ...policy, online: false }, at: now }).then((r) => (r.chain.length ? r.chain : [r.certificate]));
    identityChains.set(identity.id, chain);
    chain.catch(() => identityChains.delete(identity.id));
  }
  const findings = (await chain).flatMap((d, i) => validityFinding(d, i, { at: now, warnDays: policy.expiryWarningDays, purpose: 'own' }) ?? []);
  const bad = findings.find((f) => f.severity === 'error');
  if (bad) return { refuse: `${bad.message} Recipients would not trust the signature: import a renewed certificate below` };
  const soon = findings.find((f) => f.code === 'expires-soon');
  return soon ? { warn: soon.message } : {};
}

function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

export async function renderCompose(root: HTMLElement, opts: ComposeOptions): Promise<void> {
  const doc = root.ownerDocument;
  clear(root);
  const status = h(doc, 'div', { className: 'compose-status', attrs: { role: 'status', id: 'compose-status', 'aria-live': 'polite' } });
  const say = (text: string, kind: 'info' | 'ok' | 'bad' = 'info', details: string[] = []) => {
    clear(status);
    status.setAttribute('data-result', kind);
    append(
      status,
      h(doc, 'p', { className: kind === 'ok' ? 'result-ok' : kind === 'bad' ? 'result-bad' : '' }, text),
      details.length ? h(doc, 'ul', null, ...details.map((d) => h(doc, 'li', null, d))) : null,
    );
  };

  const item = opts.mailbox?.item;
  if (!opts.mailbox || !isCompose(item ?? null)) {
    append(root, status);
    say('Open this pane from a message you are writing in Outlook.', 'bad');
    return;
  }
  const draftItem = item as MessageCompose;
  const sender = opts.sender ?? (opts.graph ? new GraphClient(opts.graph) : undefined);

  const sign = h(doc, 'input', { attrs: { type: 'checkbox', id: 'opt-sign' } });
  sign.checked = true;
  const encrypt = h(doc, 'input', { attrs: { type: 'checkbox', id: 'opt-encrypt' } });
  const send = h(doc, 'button', { className: 'sv-button', attrs: { type: 'button', id: 'send-signed' } }, 'Sign and send');
  const label = () => {
    send.textContent = sign.checked && encrypt.checked ? 'Sign, encrypt and send' : encrypt.checked ? 'Encrypt and send' : 'Sign and send';
  };
  sign.addEventListener('change', label);
  encrypt.addEventListener('change', label);
  const certFile = h(doc, 'input', { attrs: { type: 'file', id: 'recipient-cert-file', accept: '.cer,.crt,.pem,.der,.p7b,.p7c' } });
  certFile.addEventListener('change', async () => {
    const f = certFile.files?.[0];
    certFile.value = '';
    if (!f) return;
    const certs = loadCertificates(new Uint8Array(await f.arrayBuffer())).certs;
    const added: string[] = [];
    const refused: string[] = [];
    for (const c of certs) {
      const r = await directory.add(new Uint8Array(c.toSchema(false).toBER(false)), 'manual');
      if (r.ok) added.push(r.entry.emails.join(', '));
      else refused.push(r.message);
    }
    if (added.length) say(`Added the certificate of ${added.join('; ')} for encryption.`, 'info', refused);
    else say(`No usable certificate in ${f.name}. ${refused.join(' ') || 'The file holds no certificate.'}`, 'bad');
  });
  append(
    root,
    h(doc, 'p', null, 'Signing lets recipients check the message is from you and unchanged; encrypting lets only them (and you) read it.'),
    h(doc, 'div', { className: 'setting' }, sign, h(doc, 'label', { attrs: { for: 'opt-sign' } }, 'Sign')),
    h(doc, 'div', { className: 'setting' }, encrypt, h(doc, 'label', { attrs: { for: 'opt-encrypt' } }, 'Encrypt')),
    h(doc, 'div', { className: 'sv-actions' }, send),
    status,
    h(
      doc,
      'div',
      { className: 'form-row' },
      h(doc, 'label', { attrs: { for: 'recipient-cert-file' } }, 'Add a recipient\'s certificate for encryption (.cer, .pem, .p7b)'),
      certFile,
    ),
  );
  // RFC 9788 §6: a reply to (or forward of) an encrypted message whose sender hid its Subject. Office.js tells this
  // pane neither which message is answered nor lets it change the draft (ReadItem), so it says what to do, and
  // encrypts by default as the message answered was (docs/users.md, "Replying to and forwarding protected messages").
  const draftSubject = await officeAsync<string>('Reading the subject', (cb) => draftItem.subject.getAsync(cb)).catch(() => '');
  if (answersObscuredSubject(draftSubject)) {
    encrypt.checked = true;
    label();
    const note = h(
      doc,
      'p',
      { className: 'sv-note', attrs: { id: 'response-note' } },
      'This answers an encrypted message whose sender hid its Subject from mail servers: Outlook only knows it as "[...]", and cannot tell this pane which message you are answering. Type the real Subject (the reading pane shows it), and check To and Cc: Outlook took them from the outside of that message, where anyone on the way can add names. Encryption is on, as it was for the message you answer.',
    );
    // Under the pane's first line, where it is read before Send.
    root.insertBefore(note, root.firstChild?.nextSibling ?? null);
  }
  if (!sender) {
    say('Sending needs Microsoft Graph, which this installation of the add-in has not been configured for (ask your administrator; see the README).', 'bad');
    send.disabled = true;
  }
  await renderIdentitySection(root, { say: (t) => say(t), onChanged: () => undefined, heading: 'h2' });

  send.addEventListener('click', async () => {
    if (!sender) return;
    send.disabled = true;
    try {
      say('Reading your draft…');
      let read;
      try {
        read = await readDraft(draftItem, opts.mailbox as Mailbox);
      } catch (e) {
        say(`Not sent: ${e instanceof Error ? e.message : String(e)} Your draft is unchanged.`, 'bad');
        return;
      }
      const { draft, skipped } = read;
      const identity = identityFor(await listIdentities(), draft.from.address);
      if (!identity) {
        say(`Not sent: there is no key for ${draft.from.address} in this browser. Import your .p12 below. Your draft is unchanged.`, 'bad');
        return;
      }
      const validity = await identityValidity(identity, opts.policy ?? defaultPolicy());
      if (validity.refuse && sign.checked) {
        say(`Not sent: ${validity.refuse}. Your draft is unchanged.`, 'bad');
        return;
      }
      const built = buildMessage(draft, { date: new Date(), random: randomBytes });
      if (!built.ok) {
        say(`Not sent: ${built.error.message} Your draft is unchanged.`, 'bad');
        return;
      }
      const mime = built.message;
      if (!sign.checked && !encrypt.checked) {
        say('Choose Sign, Encrypt or both. Nothing was sent.', 'bad');
        return;
      }
      // One audit event per attempt that got as far as signing or encrypting (no content, no subject).
      const op = encrypt.checked ? 'encrypt' : 'sign';
      const audited = (ok: boolean, reasons: string[] = [], recipients?: number) =>
        opts.audit?.(
          auditEventForSend(op, {
            ok,
            from: [draft.from.address],
            signer: sign.checked ? colonFingerprint(identity.id) : undefined,
            reasons,
            recipients,
            host: 'outlook',
          }),
        );
      let out: Uint8Array;
      if (encrypt.checked) {
        const recipients = [...draft.to, ...draft.cc].map((a) => a.address.toLowerCase());
        const certs: Uint8Array[] = [];
        const missing: string[] = [];
        for (const r of [...new Set(recipients)]) {
          const found = await directory.lookup(r);
          if (found[0]) certs.push(found[0].der);
          else missing.push(r);
        }
        if (missing.length) {
          say(
            `Not sent: there is no valid certificate for ${missing.join(', ')}, so the message cannot be encrypted to them. Add their certificate below, or open a signed message from them first. Your draft is unchanged.`,
            'bad',
          );
          return;
        }
        say(sign.checked ? 'Signing and encrypting…' : 'Encrypting…');
        const enc = await encryptMessage(mime, certs, { ...opts.headerProtection, sender: identity, sign: sign.checked });
        if (!enc.ok) {
          audited(false, [enc.error.code]);
          say(`Not sent: encrypting failed: ${enc.error.message} Your draft is unchanged.`, 'bad');
          return;
        }
        out = enc.message;
      } else {
        say('Signing…');
        const signed = await signMessage(mime, identity, { ...opts.headerProtection });
        if (!signed.ok) {
          audited(false, [signed.error.code]);
          say(`Not sent: signing failed: ${signed.error.message} Your draft is unchanged.`, 'bad');
          return;
        }
        out = signed.message;
      }
      say('Sending…');
      try {
        await sender.sendMime(out);
      } catch (e) {
        audited(false);
        say(`Not sent: ${e instanceof Error ? e.message : String(e)}. Your draft is unchanged; try again.`, 'bad');
        return;
      }
      // The draft is still open in Outlook: if the user sends it there too, Smart Alerts (send-check.ts) knows it
      // went out protected already and stops the unprotected copy the organisation's rules forbid.
      recordReceipt({
        key: await draftKey(draft.from.address, [...draft.to, ...draft.cc].map((a) => a.address), draft.subject),
        at: Date.now(),
        signed: sign.checked,
        encrypted: encrypt.checked,
      });
      audited(true, [], encrypt.checked ? new Set([...draft.to, ...draft.cc].map((a) => a.address.toLowerCase())).size : undefined);
      const to = [...draft.to, ...draft.cc].map((a) => a.address).join(', ');
      const how = [sign.checked ? `signed as ${identity.emails[0] ?? draft.from.address}` : '', encrypt.checked ? 'encrypted to every recipient and to you' : '']
        .filter(Boolean)
        .join(', ');
      say(
        `Sent, ${how}. Your draft is still open in Outlook: discard it so it is not sent twice.`,
        'ok',
        [
          `To: ${to}`,
          `Subject: ${draft.subject || '(none)'}`,
          headerProtectionNote(opts.headerProtection ?? {}, encrypt.checked),
          `${draft.attachments.length} attachment(s)${draft.attachments.length ? `: ${draft.attachments.map((a) => a.name).join(', ')}` : ''}`,
          ...skipped.map((s) => `Not included: ${s}`),
          ...(sign.checked && validity.warn ? [validity.warn] : []),
        ],
      );
    } finally {
      send.disabled = !sender;
    }
  });
}

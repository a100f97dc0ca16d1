/**
 * The compose side. The user picks sign / encrypt in the compose action's popup (per compose tab, defaulting
 * to their settings). On send, compose.onBeforeSend hands us the message; when S/MIME is wanted the core builds
 * the MIME (buildMessage, from outgoing.ts's mapping) and signs it, we send those exact bytes through the
 * Experiment API (experiments/smimeSend), cancel Thunderbird's own (unprotected) send and close the window.
 *
 * Never lose the draft: on any failure the send is cancelled, the compose window stays open with the text as
 * it was, and the compose action shows the reason (badge "!" and its popup).
 */
import {
  auditEventForPolicy,
  auditEventForSend,
  buildMessage,
  decideOutbound,
  encryptMessage,
  headerProtectionOptions,
  outboundRules,
  outerSubjectOnWire,
  ownCertificateProblem,
  dropQuotedLegacyDisplay,
  planResponse,
  quoteProbe,
  quotesText,
  usableProtectedHeaders,
  wouldReveal,
  recipientDomains,
  signMessage,
  type AuditEvent,
  type HeaderProtectionOptions,
  type Identity,
  type MessageAttachment,
  type OutboundDecision,
  type Policy,
  type ResponsePlan,
  type Verdict,
  type VerifyOptions,
} from '../src/index';
import { loadPolicy } from './policy-store';
import { directory, keyStore } from './cert-store';
import { addressOf, outgoingMessage, threadOf, toBinaryString } from './outgoing';
import { readComposeDefaults, type ComposeChoice } from './compose-defaults';
import type { ComposeDetails, ComposeRecipient, MessageHeader, Messenger, Tab } from './messenger';
import type { ComposeState } from './protocol';

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

/** The policy in force and the trust options it gives (for the own-certificate check), from the background. */
export type Enforcement = () => Promise<{ policy: Policy; trust: VerifyOptions }>;

/** The verdict of a message (the checker's, cached or checked now): what a reply is built from. */
export type VerdictOf = (msg: MessageHeader) => Promise<{ verdict: Verdict; plainText?: string }>;

/** A reply or forward to a message with header protection: how its draft was set up, and what must stay hidden. */
interface ResponseContext {
  plan: ResponsePlan;
  /** The referenced message was encrypted (and the add-on opened it): the response is encrypted by default. */
  encrypted: boolean;
  /** A line of its decrypted text (respond.ts quoteProbe): a draft quoting it is not sent unencrypted. */
  probe?: string;
  /** One sentence for the compose popup, when the draft was changed. */
  note?: string;
}

export class Sender {
  private readonly choices = new Map<number, ComposeChoice>();
  private readonly errors = new Map<number, string>();
  /** Per compose tab: the recipients a warn-only rule was last shown for; sending again with them overrides. */
  private readonly prompted = new Map<number, string>();
  /** Per compose tab: the reply/forward set-up (RFC 9788 §6), or its promise while it runs. */
  private readonly responses = new Map<number, Promise<ResponseContext | undefined>>();

  constructor(
    private readonly m: Messenger,
    private readonly log: (line: string) => void,
    private readonly audit: (e: AuditEvent) => void = () => undefined,
    /** The organisation's outbound rules (policy/outbound.ts); absent = none. */
    private readonly enforcement?: Enforcement,
    /** The verdict of a message replied to or forwarded; absent = replies are left as Thunderbird makes them. */
    private readonly verdictOf?: VerdictOf,
  ) {}

  async choiceFor(tabId: number): Promise<ComposeChoice> {
    const chosen = this.choices.get(tabId);
    if (chosen) return chosen;
    const defaults = await readComposeDefaults(this.m.storage.local);
    // A reply to (or forward of) an encrypted message is encrypted unless the user says otherwise (RFC 9787 §5.4).
    return (await this.responseFor(tabId))?.encrypted ? { ...defaults, encrypt: true } : defaults;
  }

  private responseFor(tabId: number): Promise<ResponseContext | undefined> {
    return this.responses.get(tabId) ?? Promise.resolve(undefined);
  }

  /**
   * A compose tab opened (tabs.onCreated). For a reply or forward to a message with header protection (RFC 9788 §6):
   * Thunderbird built the draft from the outer header ("Re: [...]", recipients the outside names); the Subject and
   * recipients are set from the protected header instead (header-protection/respond.ts planResponse), and what the
   * referenced message kept inside is remembered, so that sending never reveals it (onBeforeSend).
   */
  onComposeOpened(tabId: number): Promise<void> {
    const job = this.setUpResponse(tabId).catch((e) => {
      // Not a compose tab after all (a host that gave no tab type): nothing to do.
      if (!String(e).includes('Invalid compose tab')) this.log(`reply set-up for tab ${tabId}: ${String(e)}`);
      return undefined;
    });
    this.responses.set(tabId, job);
    return job.then(() => undefined);
  }

  private async setUpResponse(tabId: number): Promise<ResponseContext | undefined> {
    if (!this.verdictOf) return undefined;
    const d = await this.m.compose.getComposeDetails(tabId);
    const kind = d.type === 'reply' || d.type === 'forward' ? d.type : undefined;
    if (!kind || d.relatedMessageId === undefined) return undefined;
    const original = await this.m.messages.get(d.relatedMessageId);
    const { verdict, plainText } = await this.verdictOf(original);
    const encrypted = verdict.encrypted === true && verdict.decrypted === true;
    const probe = encrypted ? quoteProbe(plainText) : undefined;
    const hp = verdict.headerProtection;
    // Nothing protected to go by: the draft stays as Thunderbird made it (encrypted by default all the same).
    if (!usableProtectedHeaders(hp, verdict.decrypted === true)) return encrypted ? { plan: { dropped: [], added: [], referenceHcp: [], confidential: [] }, encrypted, probe } : undefined;
    const outer = (await this.m.messages.getFull(d.relatedMessageId)).headers ?? {};
    const texts = (l: ComposeDetails['to']) => (l ?? []).filter((r): r is string => typeof r === 'string');
    const others = (l: ComposeDetails['to']) => (l ?? []).filter((r) => typeof r !== 'string');
    const plan = planResponse({
      hp,
      decrypted: verdict.decrypted === true,
      kind,
      outer,
      draft: { subject: d.subject ?? '', to: texts(d.to), cc: texts(d.cc) },
      self: [addressOf(d.from ?? '')],
    });
    const change: ComposeDetails = {};
    if (plan.subject !== undefined) change.subject = plan.subject;
    // Where Thunderbird could decrypt the message itself, its plain-text quote starts with the legacy display element
    // ("> Subject: …"), which RFC 9788 §4.5.3 says a draft reply drops. (An HTML draft keeps it: limit.)
    const hidden = Object.entries(hp.fieldStatus)
      .filter(([, st]) => st === 'signed-and-encrypted' || st === 'encrypted-only')
      .map(([k]): [string, string] => [k, hp.headers[k] ?? '']);
    const unquoted = d.isPlainText !== false && d.plainTextBody ? dropQuotedLegacyDisplay(d.plainTextBody, hidden) : undefined;
    if (unquoted !== undefined) change.plainTextBody = unquoted;
    if (plan.to) {
      change.to = [...plan.to, ...others(d.to)];
      change.cc = [...(plan.cc ?? []), ...others(d.cc)];
    }
    const notes: string[] = [];
    if (Object.keys(change).length) {
      // Only over Thunderbird's own proposal: if the user already edited the draft, it is theirs.
      const now = await this.m.compose.getComposeDetails(tabId);
      if (now.subject === d.subject && now.plainTextBody === d.plainTextBody && JSON.stringify([now.to, now.cc]) === JSON.stringify([d.to, d.cc])) {
        await this.m.compose.setComposeDetails(tabId, change);
        if (change.subject !== undefined) notes.push('The Subject is the one the sender protected (outside the encryption it read "' + (original.subject || '') + '").');
        if (plan.dropped.length) notes.push(`Left out: ${plan.dropped.join(', ')} (named only outside the signed header, where anyone on the way can add names).`);
        if (plan.added.length) notes.push(`Added: ${plan.added.join(', ')} (the sender named in the signed header).`);
      }
    }
    // The log names no Subject and no address (it may be read by others than the user).
    this.log(`${kind} to message ${original.id}: from the protected header${change.subject !== undefined ? ', Subject set' : ''}${plan.dropped.length ? `, ${plan.dropped.length} recipient(s) left out` : ''}${plan.added.length ? `, ${plan.added.length} added` : ''}`);
    return { plan, encrypted, probe, note: notes.length ? notes.join(' ') : undefined };
  }

  async state(tabId: number): Promise<ComposeState> {
    const choice = await this.choiceFor(tabId);
    const details = await this.m.compose.getComposeDetails(tabId);
    const from = addressOf(details.from ?? '');
    const [id] = await keyStore.forAddress(from);
    const missing = await this.missingCertificates(details);
    return {
      choice,
      signProblem: id ? undefined : `You have no certificate for ${from || 'this sender'}: import one in the add-on's options to sign.`,
      encryptProblem: missing.length
        ? `No certificate known for ${missing.join(', ')}: add theirs in the add-on's options to encrypt.`
        : undefined,
      lastError: this.errors.get(tabId),
      headerProtection: await this.headerProtection(),
      responseNote: (await this.responseFor(tabId))?.note,
    };
  }

  /** Header protection (RFC 9788) as the policy says now: on by default, "[...]" outside when encrypting. */
  private async headerProtection(): Promise<HeaderProtectionOptions> {
    return headerProtectionOptions((await loadPolicy(this.m.storage.local, this.m.storage.managed)).resolved.policy);
  }

  async setChoice(tabId: number, choice: ComposeChoice): Promise<void> {
    this.choices.set(tabId, choice);
    this.errors.delete(tabId);
    await this.showChoice(tabId, choice);
  }

  private async showChoice(tabId: number, c: ComposeChoice, error?: string): Promise<void> {
    const a = this.m.composeAction;
    const label = error ? 'S/MIME: not sent' : c.sign && c.encrypt ? 'Sign + encrypt' : c.sign ? 'Sign' : c.encrypt ? 'Encrypt' : 'S/MIME';
    await Promise.all([
      a.setLabel({ tabId, label }),
      a.setTitle({ tabId, title: error ?? `S/MIME: ${c.sign ? 'signed' : 'not signed'}, ${c.encrypt ? 'encrypted' : 'not encrypted'}` }),
      a.setBadgeText({ tabId, text: error ? '!' : '' }),
      a.setBadgeBackgroundColor({ tabId, color: '#c62828' }),
    ]);
  }

  onTabClosed(tabId: number): void {
    this.choices.delete(tabId);
    this.errors.delete(tabId);
    this.prompted.delete(tabId);
    this.responses.delete(tabId);
  }

  /**
   * The outbound rules before the S/MIME send path: block (cancel, with the rule and recipient named in the compose
   * action and a notification), prompt (cancel once; sending again with the same recipients is an override), or
   * the sign/encrypt the rules ask for. Every block, prompt and override is an audit event (rule, recipient domains).
   */
  private async enforce(tab: Tab, details: ComposeDetails, chosen: ComposeChoice): Promise<{ cancel: true } | { choice: ComposeChoice }> {
    if (!this.enforcement) return { choice: chosen };
    const { policy, trust } = await this.enforcement();
    const from = addressOf(details.from ?? '');
    let recipients: string[];
    try {
      recipients = [...strings(details.to), ...strings(details.cc), ...strings(details.bcc)].map(addressOf);
    } catch (e) {
      recipients = [];
      if (policy.outbound.requireSignature !== 'never' || policy.outbound.requireEncryptionTo.length) {
        return this.refuse(tab, chosen, `Not sent: ${e instanceof Error ? e.message : String(e)}, so your organisation's rules cannot be checked.`, from);
      }
    }
    const [identity] = await keyStore.forAddress(from);
    const rules = outboundRules(policy);
    const withCertificate = new Set<string>();
    for (const r of recipients) if ((await directory.lookup(r)).length > 0) withCertificate.add(r.toLowerCase());
    const input = { from, recipients, sign: chosen.sign, encrypt: chosen.encrypt, canProtect: true, hasIdentity: !!identity, withCertificate };
    let d = decideOutbound(input, rules);
    if (d.sign && identity && rules.blockExpiredIdentity) {
      const identityProblem = await ownCertificateProblem(identity, trust);
      if (identityProblem) d = decideOutbound({ ...input, identityProblem }, rules);
    }
    const domains = (f: OutboundDecision['findings'][number]) => recipientDomains(f.recipients.length ? f.recipients : recipients);
    if (d.action === 'block') {
      for (const f of d.findings.filter((x) => x.severity === 'block')) {
        this.audit(auditEventForPolicy({ rule: f.rule, action: 'block', from: [from], recipientDomains: domains(f), host: 'thunderbird' }));
      }
      return this.refuse(tab, chosen, d.message, from);
    }
    const key = [...new Set(recipients.map((r) => r.toLowerCase()))].sort().join(',');
    if (d.action === 'prompt') {
      if (this.prompted.get(tab.id) !== key) {
        this.prompted.set(tab.id, key);
        for (const f of d.findings) this.audit(auditEventForPolicy({ rule: f.rule, action: 'prompt', from: [from], recipientDomains: domains(f), host: 'thunderbird' }));
        return this.refuse(tab, chosen, d.message, from);
      }
      // Sent again with the same recipients after the warning: the user's override, recorded as such.
      this.prompted.delete(tab.id);
      for (const f of d.findings) this.audit(auditEventForPolicy({ rule: f.rule, action: 'override', from: [from], recipientDomains: domains(f), host: 'thunderbird' }));
      this.log(`send: ${d.findings.map((f) => f.rule).join(', ')} overridden by the user`);
      return { choice: { ...chosen, sign: d.sign, encrypt: false } };
    }
    if (d.raised.length) this.log(`send: ${d.raised.join(', ')} ${d.encrypt ? 'encrypts' : 'signs'} this message`);
    return { choice: { ...chosen, sign: d.sign, encrypt: d.encrypt } };
  }

  private async refuse(tab: Tab, choice: ComposeChoice, message: string, from: string, logLine = message): Promise<{ cancel: true }> {
    this.log(`send refused for ${from || 'a sender'}: ${logLine}`);
    this.errors.set(tab.id, message);
    await this.showChoice(tab.id, choice, message).catch(() => undefined);
    // A notification too: the compose window stays open and the user must see why nothing happened. Not awaited:
    // the send must not wait on the desktop's notification service (headless, it may never answer).
    void Promise.resolve()
      .then(() => this.m.notifications.create(`smime-send-${tab.id}`, { type: 'basic', title: 'S/MIME Check: message not sent', message }))
      .catch((e) => this.log(`notification: ${String(e)}`));
    return { cancel: true };
  }

  /**
   * compose.onBeforeSend: undefined lets Thunderbird send as usual; {cancel:true} stops it.
   *
   * Bcc with encryption: one encrypted message names every recipient in its RecipientInfos (issuer and serial
   * of each certificate), so encrypting once to To, Cc and Bcc together tells every recipient who was Bcc'd.
   * Instead the To/Cc recipients get one copy encrypted to them (and the sender), and each Bcc recipient a
   * separately encrypted copy (to them and the sender) with the same headers and Message-ID. Signed-only mail
   * carries no recipient list, so it goes out once with Bcc in the envelope only, as Thunderbird does.
   */
  async onBeforeSend(tab: Tab, details: ComposeDetails): Promise<{ cancel: boolean } | undefined> {
    const ruled = await this.enforce(tab, details, await this.choiceFor(tab.id));
    if ('cancel' in ruled) return ruled;
    const choice = ruled.choice;
    // RFC 9788 §6.1: a reply never carries the Subject its referenced message kept inside the encryption outside it.
    const response = await this.responseFor(tab.id);
    if (response?.plan.confidential.length) {
      const hp = { ...(await this.headerProtection()), referenceHcp: response.plan.referenceHcp };
      const revealed = wouldReveal(response.plan, outerSubjectOnWire(details.subject ?? '', choice.encrypt, hp));
      if (revealed !== undefined) {
        const how = choice.encrypt ? 'turn header protection on (your settings)' : 'encrypt it';
        return this.refuse(
          tab,
          choice,
          `Not sent: this reply would show the Subject of the encrypted message you are replying to ('${revealed}') to mail servers. To send it, ${how}, or change the Subject.`,
          addressOf(details.from ?? ''),
          'it would reveal the protected Subject of the encrypted message it answers (RFC 9788 §6.1)',
        );
      }
    }
    // RFC 9787 §5.4 (cited by RFC 9788 §6.1): nor the text of an encrypted message, quoted in an unencrypted reply.
    if (response?.encrypted && !choice.encrypt && quotesText(details.plainTextBody ?? details.body, response.probe)) {
      return this.refuse(
        tab,
        choice,
        'Not sent: this reply quotes the encrypted message you are replying to, and unencrypted, mail servers could read that text. Encrypt it, or remove the quoted text.',
        addressOf(details.from ?? ''),
        'it would send text of the encrypted message it answers unencrypted (RFC 9787 §5.4)',
      );
    }
    if (!choice.sign && !choice.encrypt) return undefined;
    try {
      const visible = [...strings(details.to), ...strings(details.cc)];
      const bcc = strings(details.bcc);
      const copies = await this.protect(tab.id, details, choice);
      let first = true;
      for (const copy of copies) {
        // The Sent folder gets the first copy: the To/Cc one, or the first Bcc copy when there is no To/Cc.
        const res = await this.m.smimeSend.sendRaw(tab.id, toBinaryString(copy.bytes), { recipients: copy.recipients, saveCopy: first });
        if (!res.ok) {
          const done = first ? '' : ' (copies before it were sent)';
          throw new Error(`The message could not be sent to ${copy.recipients.join(', ')}${done}: ${res.error ?? 'unknown error'}`);
        }
        first = false;
      }
      const messageId = copies[0].messageId;
      const bytes = copies.reduce((n, c) => n + c.bytes.length, 0);
      this.log(
        `sent ${bytes} bytes in ${copies.length} message(s) (${choice.sign ? 'signed' : ''}${choice.encrypt ? ' encrypted' : ''}) ` +
          `to ${visible.length + bcc.length} recipient(s)`,
      );
      this.audit(
        auditEventForSend(choice.encrypt ? 'encrypt' : 'sign', {
          ok: true,
          from: [addressOf(details.from ?? '')],
          messageId,
          recipients: choice.encrypt ? visible.length + bcc.length : undefined,
          host: 'thunderbird',
        }),
      );
      this.choices.delete(tab.id);
      // The message is gone out; Thunderbird's own send is cancelled, so close the window ourselves (after
      // onBeforeSend has returned, or Thunderbird would still be in the middle of its send).
      setTimeout(() => void this.m.tabs.remove(tab.id).catch((e) => this.log(`closing the compose tab: ${String(e)}`)), 0);
      return { cancel: true };
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      this.log(`send cancelled: ${msg}`);
      this.audit(auditEventForSend(choice.encrypt ? 'encrypt' : 'sign', { ok: false, from: [addressOf(details.from ?? '')], host: 'thunderbird' }));
      this.errors.set(tab.id, msg);
      await this.showChoice(tab.id, choice, `Not sent: ${msg}`).catch(() => undefined);
      return { cancel: true };
    }
  }

  /** Recipients (To, Cc, Bcc) without a stored certificate. */
  private async missingCertificates(d: ComposeDetails): Promise<string[]> {
    let all: string[];
    try {
      all = [...strings(d.to), ...strings(d.cc), ...strings(d.bcc)].map(addressOf);
    } catch {
      return ['an address book entry'];
    }
    const out: string[] = [];
    for (const a of all) if ((await directory.lookup(a)).length === 0) out.push(a);
    return out;
  }

  /**
   * The messages to send, each with its envelope: one signed message to everyone; or, encrypting, one copy to
   * To+Cc and one per Bcc recipient (see onBeforeSend). All are built before any is sent, so a missing
   * certificate or a failure stops the send with nothing sent.
   */
  private async protect(tabId: number, d: ComposeDetails, choice: ComposeChoice): Promise<{ bytes: Uint8Array; messageId: string; recipients: string[] }[]> {
    const from = d.from ?? '';
    const [identity]: (Identity | undefined)[] = await keyStore.forAddress(addressOf(from));
    if (choice.sign && !identity) {
      if ((await keyStore.stored()).some((s) => s.locked && s.emails.includes(addressOf(from)))) {
        throw new Error(`your key for ${addressOf(from)} is locked; enter your passphrase in the add-on's options`);
      }
      throw new Error(`you have no certificate for ${addressOf(from) || 'this sender'}; import one in the add-on's options`);
    }
    const visible = [...strings(d.to), ...strings(d.cc)];
    const bcc = strings(d.bcc);
    if (visible.length + bcc.length === 0) throw new Error('the message has no recipients');
    if (choice.encrypt) {
      const missing = await this.missingCertificates(d);
      if (missing.length) throw new Error(`no certificate known for ${missing.join(', ')}, so the message cannot be encrypted for them`);
    }
    const attachments: MessageAttachment[] = [];
    for (const a of await this.m.compose.listAttachments(tabId)) {
      const f = await this.m.compose.getAttachmentFile(a.id);
      attachments.push({ name: a.name, contentType: f.type, bytes: new Uint8Array(await f.arrayBuffer()) });
    }
    const built = buildMessage({ ...outgoingMessage(d, strings(d.to), strings(d.cc), attachments), ...(await threadOf(this.m.messages, d)) }, { date: new Date(), random });
    if (!built.ok) throw new Error(built.error.message);
    const { message: mime, messageId } = built;
    // Header protection (RFC 9788) as the policy says at the moment of sending: on by default, "[...]" outside when encrypting.
    const hp = await this.headerProtection();
    // A response's single-use HCP (RFC 9788 §6.1.2): "Re: <a Subject kept inside>" goes out as "Re: [...]" even
    // when the policy itself hides nothing.
    const referenceHcp = (await this.responseFor(tabId))?.plan.referenceHcp;
    if (!choice.encrypt) {
      const signed = await signMessage(mime, identity as Identity, hp);
      if (!signed.ok) throw new Error(signed.error.message);
      return [{ bytes: signed.message, messageId, recipients: [...visible, ...bcc] }];
    }
    // The newest usable certificate per recipient (the directory lists newest first).
    const certOf = async (r: string) => (await directory.lookup(addressOf(r)))[0].der;
    // Sign-then-encrypt when both are chosen; the sender is a recipient too (when they have an identity), so
    // the copy in Sent stays readable.
    const encryptTo = async (recipients: string[]) => {
      const enc = await encryptMessage(mime, await Promise.all(recipients.map(certOf)), { ...hp, referenceHcp, sender: identity, sign: choice.sign });
      if (!enc.ok) throw new Error(enc.error.message);
      return { bytes: enc.message, messageId, recipients };
    };
    const copies = visible.length ? [await encryptTo(visible)] : [];
    const shown = new Set(visible.map(addressOf));
    // A Bcc recipient who is also in To/Cc already gets the visible copy.
    for (const b of bcc) if (!shown.has(addressOf(b))) copies.push(await encryptTo([b]));
    return copies;
  }
}

/** Recipients as address strings; contacts and mailing lists from the address book are not expanded (limit). */
function strings(list: ComposeRecipient[] | ComposeRecipient | undefined): string[] {
  const out: string[] = [];
  for (const r of list === undefined ? [] : Array.isArray(list) ? list : [list]) {
    if (typeof r === 'string') out.push(r);
    else throw new Error('a recipient is an address book entry; type the address instead (address book lookups are not supported)');
  }
  return out;
}

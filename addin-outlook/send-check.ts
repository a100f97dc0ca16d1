/**
 * Smart Alerts (OnMessageSend, Mailbox 1.12): when the user sends with Outlook's own Send button, the organisation's
 * outbound rules (src/policy/outbound.ts) are applied to the draft. Outlook's own send can neither sign nor
 * encrypt with the user's S/MIME key (the add-in does that in its compose pane), so a rule that needs either
 * blocks the send with a plain message naming rule and recipient and a button that opens the compose pane; a
 * warn-only rule (onMissingCertificate "warn" with no certificate known) asks instead (sendModeOverride
 * promptUser: the user may send anyway). A draft the pane already sent protected is blocked with a sentence
 * saying so: sending it again would send an unprotected copy. Every block and prompt is an audit event; Outlook
 * does not tell the add-in when the user sends anyway after a prompt, so overrides are not recorded here.
 *
 * Errors: with no outbound rule in force, a failure to read the draft lets the send go (SoftBlock); with one, it
 * blocks and says why, so a broken check never lets a message past a rule.
 */
import { auditEventForPolicy, decideOutbound, outboundRules, recipientDomains, type AuditEvent, type Policy } from '../src/index';
import { type EmailAddressDetails, type Mailbox, type MessageCompose, type SendEvent, isCompose, officeAsync } from './office';
import { draftKey, findReceipt } from './send-receipts';

/** The compose button's id in both manifests: Smart Alerts' button opens it. */
export const COMPOSE_COMMAND_ID = 'smimeComposeButton';
export const HANDLER_NAME = 'onMessageSendHandler';
const MAX_ERROR_MESSAGE = 500;

export interface SendCheckDeps {
  mailbox: Mailbox | undefined;
  policy(): Promise<Policy>;
  /** Recipients (lower-cased) with a usable certificate in the add-in's directory. */
  hasCertificate(address: string): Promise<boolean>;
  /** Whether the user has a signing identity for the address. */
  hasIdentity(address: string): Promise<boolean>;
  audit(policy: Policy, e: AuditEvent): void;
  now?: () => number;
}

const addr = (list: EmailAddressDetails[] | undefined) => (list ?? []).map((a) => a.emailAddress.toLowerCase()).filter(Boolean);

function hasRules(p: Policy): boolean {
  return p.outbound.requireSignature !== 'never' || p.outbound.requireEncryptionTo.length > 0;
}

function clip(s: string): string {
  return s.length <= MAX_ERROR_MESSAGE ? s : `${s.slice(0, MAX_ERROR_MESSAGE - 1)}…`;
}

export async function onMessageSend(event: SendEvent, deps: SendCheckDeps): Promise<void> {
  let policy: Policy | undefined;
  try {
    policy = await deps.policy();
    if (!hasRules(policy)) return event.completed({ allowEvent: true });
    const item = deps.mailbox?.item;
    if (!item || !isCompose(item)) return event.completed({ allowEvent: true });
    const draft = item as MessageCompose;
    const [to, cc, bcc, subject, fromDetails] = await Promise.all([
      officeAsync<EmailAddressDetails[]>('Reading To', (cb) => draft.to.getAsync(cb)),
      officeAsync<EmailAddressDetails[]>('Reading Cc', (cb) => draft.cc.getAsync(cb)),
      officeAsync<EmailAddressDetails[]>('Reading Bcc', (cb) => draft.bcc.getAsync(cb)),
      officeAsync<string>('Reading the subject', (cb) => draft.subject.getAsync(cb)),
      draft.from ? officeAsync<EmailAddressDetails>('Reading From', (cb) => draft.from!.getAsync(cb)).catch(() => undefined) : Promise.resolve(undefined),
    ]);
    const from = (fromDetails?.emailAddress ?? deps.mailbox?.userProfile?.emailAddress ?? '').toLowerCase();
    const recipients = [...new Set([...addr(to), ...addr(cc), ...addr(bcc)])];
    const withCertificate = new Set<string>();
    for (const r of recipients) if (await deps.hasCertificate(r)) withCertificate.add(r);
    const d = decideOutbound(
      { from, recipients, sign: false, encrypt: false, canProtect: false, hasIdentity: await deps.hasIdentity(from), withCertificate },
      outboundRules(policy),
    );
    if (d.action === 'allow') return event.completed({ allowEvent: true });
    const p = policy;
    const receipt = findReceipt(await draftKey(from, recipients, subject ?? ''), deps.now?.() ?? Date.now());
    if (receipt) {
      for (const f of d.findings) deps.audit(p, auditEventForPolicy({ rule: f.rule, action: 'block', from: [from], recipientDomains: recipientDomains(f.recipients), host: 'outlook' }));
      return event.completed({
        allowEvent: false,
        errorMessage: clip(
          `This message was already sent ${receipt.encrypted ? 'encrypted' : 'signed'} from the S/MIME pane. Discard this draft: sending it here would send a copy without S/MIME, which your organisation does not allow (rule ${d.findings[0].rule}).`,
        ),
      });
    }
    const prompt = d.action === 'prompt';
    for (const f of d.findings) {
      deps.audit(p, auditEventForPolicy({ rule: f.rule, action: prompt ? 'prompt' : 'block', from: [from], recipientDomains: recipientDomains(f.recipients), host: 'outlook' }));
    }
    return event.completed({
      allowEvent: false,
      errorMessage: clip(d.message),
      cancelLabel: prompt ? undefined : 'Sign / encrypt',
      commandId: prompt ? undefined : COMPOSE_COMMAND_ID,
      sendModeOverride: prompt ? 'promptUser' : undefined,
    });
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    if (policy && hasRules(policy)) {
      return event.completed({ allowEvent: false, errorMessage: clip(`Not sent: your organisation's S/MIME rules could not be checked (${why}). Try again, or use the S/MIME pane.`) });
    }
    return event.completed({ allowEvent: true });
  }
}

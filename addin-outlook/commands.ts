/**
 * Entry of commands.html, the add-in's FunctionFile and its event-based runtime. The ribbon buttons open task
 * panes (ShowTaskpane); what runs here is the Smart Alerts handler (OnMessageSend, send-check.ts), registered
 * under the name both manifests give (onMessageSendHandler): Office.actions.associate for Outlook on the web and
 * the new Outlook, and a global of that name for classic Outlook's JavaScript-only runtime.
 */
import { resolvePolicy, type Policy } from '../src/index';
import { recordEvent } from './audit';
import { directory } from './directory';
import { identityFor, listIdentities } from './identities';
import { officeGlobal } from './office';
import { HANDLER_NAME, onMessageSend } from './send-check';
import { loadUserPolicy } from './settings-store';
import { loadAdminPolicy } from './trust';

async function currentPolicy(): Promise<Policy> {
  const [admin, user] = await Promise.all([loadAdminPolicy(location.href), loadUserPolicy()]);
  // An admin policy that cannot be loaded must not leave the send on weaker user settings: fail, and the handler
  // blocks when a rule might be in force (send-check.ts).
  if (admin.state === 'unavailable') throw new Error(admin.problems[0] ?? 'the administrator policy is unavailable');
  return resolvePolicy({ admin: admin.policy, user, adminInvalid: admin.state === 'invalid' }).policy;
}

const handler = (event: unknown): void => {
  void onMessageSend(event as Parameters<typeof onMessageSend>[0], {
    mailbox: officeGlobal()?.context?.mailbox,
    policy: currentPolicy,
    hasCertificate: async (a) => (await directory.lookup(a)).length > 0,
    hasIdentity: async (a) => !!identityFor(await listIdentities(), a),
    audit: (p, e) => void recordEvent(p, e),
  });
};

(globalThis as Record<string, unknown>)[HANDLER_NAME] = handler;
void officeGlobal()
  ?.onReady()
  .then(() => officeGlobal()?.actions?.associate(HANDLER_NAME, handler));

/**
 * Entry of compose.html, the compose pane: sign the draft with the user's key and send it through Microsoft Graph.
 */
import { headerProtectionOptions, resolvePolicy } from '../src/index';
import { recordEvent } from './audit';
import { renderCompose } from './compose/compose-view';
import { loadConfig } from './config';
import { officeMailbox } from './office';
import { setKeyPolicy } from './identities';
import { loadUserPolicy } from './settings-store';
import { loadAdminPolicy } from './trust';

async function main(): Promise<void> {
  const root = document.getElementById('compose');
  if (!root) throw new Error('compose.html lacks #compose');
  const [mailbox, config, admin, user] = await Promise.all([officeMailbox(), loadConfig(location.href), loadAdminPolicy(location.href), loadUserPolicy()]);
  // The audit policy (on by default, bounded, maybe forwarded) is the same one the reading pane applies; header
  // protection (RFC 9788) is on by default, an administrator or the user may turn it off.
  const policy = resolvePolicy({ admin: admin.policy, user, adminInvalid: admin.state === 'invalid' || admin.state === 'unavailable' }).policy;
  setKeyPolicy(policy);
  await renderCompose(root, { mailbox, graph: config.graph, audit: (e) => void recordEvent(policy, e), headerProtection: headerProtectionOptions(policy), policy });
  document.documentElement.setAttribute('data-pane-ready', '1');
}

void main();

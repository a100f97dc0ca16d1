/**
 * The pane's audit log (src/audit): one event per check, in the add-in's IndexedDB, bounded and — when the policy
 * names an endpoint — forwarded. Events hold no content or keys (src/audit/event.ts). Opened once per audit
 * policy; a failure to open it never stops a check, it only means nothing is recorded.
 */
import { type AuditEvent, type HostAudit, type Policy, type Verdict, auditEventFromVerdict, openHostAudit } from '../src/index';
import { auditEndpointForPane } from './trust';

let opened: { key: string; audit: Promise<HostAudit | undefined> } | undefined;

export function paneAudit(policy: Policy): Promise<HostAudit | undefined> {
  // Forwarding only to the pane's own origin (its CSP allows nothing else; loadTrust says so in the pane).
  const endpoint = auditEndpointForPane(policy, location.href).endpoint;
  const audit = { ...policy.audit, endpoint };
  const key = JSON.stringify(audit);
  if (opened?.key !== key) {
    void opened?.audit.then((a) => a?.close());
    opened = { key, audit: openHostAudit({ ...policy, audit }, 'outlook').catch(() => undefined) };
  }
  return opened.audit;
}

/** Records an event (a check, or a send from the compose pane); not awaited by the caller, never throws. */
export function recordEvent(policy: Policy, event: AuditEvent): Promise<void> {
  return paneAudit(policy)
    .then((a) => a?.record(event))
    .catch(() => undefined);
}

/** Records a verdict; not awaited by the caller, never throws. */
export function recordVerdict(policy: Policy, verdict: Verdict): void {
  void recordEvent(policy, auditEventFromVerdict(verdict, verdict.decrypted ? 'decrypt' : 'verify', { host: 'outlook', includeSubject: policy.audit.includeSubject }));
}

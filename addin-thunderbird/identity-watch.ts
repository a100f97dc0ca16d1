/**
 * Expiry warnings for the user's own identities (issue 13): the background checks each stored identity at start-up,
 * when settings change and twice a day, and shows a Thunderbird notification when one comes within the policy's
 * expiryWarningDays (30 by default) of its end, again at 7 days, and once when it has expired.
 * What was announced is kept in storage.local, so a restart does not repeat it. Each change of state is an
 * identity.health audit event (the codes of every finding), so an administrator's report can list who expires soon.
 */
import { auditEventForHealth, healthState, identityHealth, type AuditEvent, type HealthReport, type Policy } from '../src/index';
import type { Identity } from '../src/keys/identity';

export const IDENTITY_ALERTS_KEY = 'identityAlerts';
/** The last reminder, in days before the end (the first is the policy's expiryWarningDays). */
export const LAST_REMINDER_DAYS = 7;
/** How often a running Thunderbird looks again (expiry moves on by itself). */
export const RECHECK_MS = 12 * 3600 * 1000;

interface AlertState {
  /** Reminders already shown: the warning period ("30"), "7", "expired". */
  shown: string[];
  /** The last recorded state (healthState), for the audit event on change. */
  state?: string;
}

export interface IdentityWatchDeps {
  /** Every stored identity, locked ones too (only certificates are read). */
  identities(): Promise<Pick<Identity, 'id' | 'certificate' | 'chain'>[]>;
  storage: { get(k: string): Promise<Record<string, unknown>>; set(v: Record<string, unknown>): Promise<void> };
  notify(id: string, title: string, message: string): Promise<void>;
  record(e: AuditEvent): Promise<void>;
  log(line: string): void;
  now?: () => Date;
}

export class IdentityWatch {
  constructor(private readonly deps: IdentityWatchDeps) {}

  /** Checks every identity under `policy`; returns the reports. */
  async run(policy: Policy): Promise<HealthReport[]> {
    const now = this.deps.now?.() ?? new Date();
    // A background check makes no network request of its own: revocation is asked only on the options page, when
    // online checks are on and allowed.
    const offline = { ...policy, online: false };
    const stored = ((await this.deps.storage.get(IDENTITY_ALERTS_KEY))[IDENTITY_ALERTS_KEY] ?? {}) as Record<string, AlertState>;
    const next: Record<string, AlertState> = {};
    const reports: HealthReport[] = [];
    for (const id of await this.deps.identities()) {
      const report = await identityHealth(id, { policy: offline, at: now });
      reports.push(report);
      const prev = stored[id.id] ?? { shown: [] };
      const cur: AlertState = { shown: [...prev.shown], state: healthState(report) };
      const who = `${report.certificate.commonName} <${report.certificate.emails.join(', ') || 'no e-mail address'}>`;
      const due = this.due(report, policy.expiryWarningDays).filter((k) => !cur.shown.includes(k));
      if (due.length) {
        // One notification, for the most urgent reminder due; the earlier ones count as shown with it.
        const key = due[due.length - 1];
        const end = report.certificate.notAfter.slice(0, 10);
        const text =
          key === 'expired'
            ? `Your certificate ${who} expired on ${end}. You can no longer sign with it, and others cannot encrypt to it. Import its successor in the S/MIME Check options.`
            : `Your certificate ${who} expires on ${end}, in ${report.daysLeft} day${report.daysLeft === 1 ? '' : 's'}. Ask your CA for a new one and import it in the S/MIME Check options.`;
        await this.deps
          .notify(`smime-identity-${id.id.slice(0, 16)}-${key}`, key === 'expired' ? 'S/MIME certificate expired' : 'S/MIME certificate expires soon', text)
          .catch((e) => this.deps.log(`notification: ${String(e)}`));
        cur.shown.push(...due);
        this.deps.log(`identity ${id.id.slice(0, 16)}…: ${key === 'expired' ? 'expired' : `${report.daysLeft} days left`}, reminder shown`);
      }
      if (cur.state !== prev.state) await this.deps.record(auditEventForHealth(report, 'thunderbird', now)).catch((e) => this.deps.log(`audit: ${String(e)}`));
      next[id.id] = cur;
    }
    // Identities removed since are forgotten; a re-imported one starts afresh.
    await this.deps.storage.set({ [IDENTITY_ALERTS_KEY]: next });
    return reports;
  }

  /** The reminders a report calls for, earliest first: the warning period, the last week, expired. */
  private due(r: HealthReport, warnDays: number): string[] {
    if (r.daysLeft < 0) return [String(warnDays), String(LAST_REMINDER_DAYS), 'expired'];
    const out: string[] = [];
    if (r.daysLeft < warnDays) out.push(String(warnDays));
    if (r.daysLeft < LAST_REMINDER_DAYS) out.push(String(LAST_REMINDER_DAYS));
    return out;
  }
}

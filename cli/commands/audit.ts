import { AUDIT_OPERATIONS, auditReport, reportText, toCsv, toEcsJsonLines, toJsonLines, type AuditFilter, type AuditOperation } from '../../src/audit/index';
import { parseArgs } from '../args';
import { FileAuditLog } from '../audit';
import { POLICY_USAGE, loadPolicyForCli } from '../policy';
import { UsageError, type Command } from './types';

const OPS = AUDIT_OPERATIONS;
const FORMATS = ['jsonl', 'csv', 'ecs'] as const;

/**
 * `smime-addin audit`: show the audit log file, filtered, as JSON Lines (default), CSV or ECS JSON Lines; or, with
 * --report, the summary over the period (--since/--until): counts per verdict, rule, sender domain, signer CA,
 * the top reasons, verdicts per day (--json for the report as JSON). Like every command it also sends what is
 * queued for the audit endpoint or syslog, so running it drains a queue left by a receiver that was down.
 */
export const audit: Command = {
  name: 'audit',
  usage: `smime-addin audit [--op verify|decrypt|sign|encrypt|policy|identity] [--verdict WORD] [--from TEXT] [--since ISO] [--until ISO] [--limit N] [--format jsonl|csv|ecs] | --report [--since ISO] [--until ISO] [--json] ${POLICY_USAGE}`,
  async run(argv) {
    const cli = loadPolicyForCli(argv);
    const a = parseArgs(cli.rest, { single: ['op', 'verdict', 'from', 'since', 'until', 'limit', 'format'], flags: ['report', 'json'] });
    if (a.positional.length) throw new UsageError(`unexpected argument ${a.positional[0]}`);
    if (!cli.auditFile) throw new UsageError('no audit log: give --audit FILE (or audit.file in the policy)');
    const f: AuditFilter = {};
    if (a.single.op) {
      if (!OPS.includes(a.single.op as AuditOperation)) throw new UsageError(`--op must be one of ${OPS.join(', ')}`);
      f.op = a.single.op as AuditOperation;
    }
    if (a.single.verdict) f.verdict = a.single.verdict;
    if (a.single.from) f.from = a.single.from;
    for (const k of ['since', 'until'] as const) {
      const v = a.single[k];
      if (v === undefined) continue;
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw new UsageError(`--${k}: not an ISO 8601 time: ${v}`);
      f[k] = d.toISOString();
    }
    if (a.single.limit !== undefined) {
      const n = Number(a.single.limit);
      if (!Number.isInteger(n) || n < 1) throw new UsageError('--limit must be a positive integer');
      f.limit = n;
    }
    if (a.flags.json && !a.flags.report) throw new UsageError('--json goes with --report (the log itself is JSON Lines already)');
    if (a.flags.report) {
      for (const k of ['op', 'verdict', 'from', 'limit', 'format'] as const) if (a.single[k] !== undefined) throw new UsageError(`--${k} does not go with --report`);
      const log = new FileAuditLog(cli.auditFile, cli.policy.audit.maxEvents);
      // Streamed: the report holds counters, never the events (a log at its bound is ~700 MB).
      const r = auditReport(log.events(), { since: f.since, until: f.until });
      process.stdout.write(a.flags.json ? JSON.stringify(r, null, 2) + '\n' : reportText(r));
      await cli.audit.finish();
      return 0;
    }
    const format = (a.single.format ?? 'jsonl') as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}`);
    const log = new FileAuditLog(cli.auditFile, cli.policy.audit.maxEvents);
    const events = (await log.list(f)).reverse(); // oldest first, as a log reads
    process.stdout.write(format === 'csv' ? toCsv(events) : format === 'ecs' ? toEcsJsonLines(events) : toJsonLines(events));
    const st = await log.stats();
    if (st.dropped) console.error(`smime-addin audit: ${st.dropped} older events were dropped (log bound ${st.maxEvents})`);
    await cli.audit.finish();
    return 0;
  },
};

/**
 * The CLI's policy flags, for every subcommand: `--policy FILE` (the admin policy: strongest source),
 * `--online` (a user setting: allows network for AIA/OCSP/CRL unless the policy file forbids it) and
 * `--audit FILE` (the audit log file; a user setting, the policy's audit.file otherwise).
 *
 * A command calls loadPolicyForCli(args) first, parses its own flags from `rest`, and combines its own
 * --anchor/--cert/--crl with `verifyOptions` (append to anchors/intermediates/crls).
 */
import { readFileSync } from 'node:fs';
import { parsePolicyJson, policyToVerifyOptions, resolvePolicy, type FieldSource, type PartialPolicy, type Policy } from '../src/policy/index';
import type { VerifyOptions } from '../src/verify-message';
import { CliAudit } from './audit';
import { fileProblem } from './io';
import { cliCrypto } from './crypto';
import { CliError, UsageError } from './commands/types';

export interface CliPolicy {
  policy: Policy;
  sources: Record<string, FieldSource>;
  verifyOptions: VerifyOptions;
  /** Where to append audit events (JSON Lines), or null for no audit file. */
  auditFile: string | null;
  /** The arguments without the policy flags. */
  rest: string[];
  /** One-line notes for stderr, e.g. a flag the policy overrides. */
  notes: string[];
  /** Record an audit event per operation (`audit.record(e)`), then `audit.finish()` before exiting. */
  audit: CliAudit;
}

export const POLICY_USAGE = '[--policy FILE] [--online] [--audit FILE]';

/** Maximum policy file size: policies carry PEM anchors, but not megabytes of them. */
const MAX_POLICY_BYTES = 4 * 1024 * 1024;

export function loadPolicyForCli(args: string[], deps: { fetcher?: VerifyOptions['fetcher'] } = {}): CliPolicy {
  const rest: string[] = [];
  let file: string | undefined;
  let online = false;
  let audit: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--policy' || a === '--audit') {
      const v = args[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a file name`);
      if (a === '--policy') file = v;
      else audit = v;
    } else if (a === '--online') online = true;
    else rest.push(a);
  }
  let admin: PartialPolicy | undefined;
  if (file !== undefined) {
    let text: string;
    try {
      const buf = readFileSync(file);
      if (buf.byteLength > MAX_POLICY_BYTES) throw new CliError(`policy file ${file} is larger than ${MAX_POLICY_BYTES} bytes`);
      text = buf.toString('utf8');
    } catch (e) {
      if (e instanceof CliError) throw e;
      throw new CliError(`cannot read policy file ${file}: ${fileProblem(e)}`);
    }
    const r = parsePolicyJson(text, 'policy');
    if (!r.ok) throw new CliError(`invalid policy file ${file}: ${r.errors.join('; ')}`);
    admin = r.policy;
  }
  const user: PartialPolicy = {};
  if (online) user.online = true;
  if (audit !== undefined) user.audit = { file: audit };
  const { policy, sources, overridden } = resolvePolicy({ admin, user });
  const notes = overridden.map((p) =>
    p === 'online' ? '--online ignored: the policy file sets "online": false' : `--audit ignored: the policy file sets "audit.file"`,
  );
  const auditFile = policy.audit.enabled ? policy.audit.file : null;
  return {
    policy,
    sources,
    verifyOptions: { ...policyToVerifyOptions(policy, deps), crypto: cliCrypto() },
    auditFile,
    rest,
    notes,
    audit: new CliAudit(policy, auditFile),
  };
}

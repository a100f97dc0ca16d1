import type { Verdict } from '../../src/index';
import { verifyMessage } from '../../src/index';
import { parseArgs } from '../args';
import { applyPolicyToVerdict } from '../../src/policy/index';
import { auditEventForInbound, auditEventFromVerdict } from '../../src/audit/index';
import { needsInboundAction } from '../../src/policy/inbound';
import { readFileBytes } from '../io';
import { POLICY_USAGE, loadPolicyForCli } from '../policy';
import { TRUST_MULTI, TRUST_SINGLE, TRUST_USAGE, trustOptions } from '../trust-args';
import type { Command } from './types';
import { CliError, EXIT, UsageError } from './types';

const USAGE = `smime-addin verify FILE... ${TRUST_USAGE} [--json] ${POLICY_USAGE}`;

export const verify: Command = {
  name: 'verify',
  usage: USAGE,
  summary:
    'Checks the signature of each message file: who signed it, whether you trust them, whether the sender matches. ' +
    'One verdict per file (a JSON object per line with --json). Exit 0 only when every file is trusted.',
  async run(argv) {
    const cli = loadPolicyForCli(argv);
    for (const n of cli.notes) console.error(`smime-addin verify: ${n}`);
    const args = parseArgs(cli.rest, { multi: TRUST_MULTI, single: TRUST_SINGLE, flags: ['json'] });
    if (args.positional.length === 0) throw new UsageError('no message file given');
    const options = trustOptions(cli, args);

    let allTrusted = true;
    let unreadable = false;
    for (const file of args.positional) {
      let v: Verdict;
      let bytes: Uint8Array | undefined;
      try {
        bytes = readFileBytes(file, 'message');
      } catch (e) {
        // The other files are still checked; the exit status says that one could not be (3).
        const message = e instanceof CliError ? e.message : String(e);
        console.error(`smime-addin verify: ${message}`);
        unreadable = true;
        if (args.flags.json) console.log(JSON.stringify({ file, verdict: 'error', error: { code: 'io', message } }));
        continue;
      }
      v = await verifyMessage(bytes, options);
      v = applyPolicyToVerdict(v, cli.policy);
      const subject = { includeSubject: cli.policy.audit.includeSubject };
      await cli.audit.record(auditEventFromVerdict(v, 'verify', { host: 'cli', ...subject }));
      // A rule violation or an invalid signature is an alert of its own (policy.violation); the CLI can only flag
      // (tag and quarantine are the mail hosts').
      if (needsInboundAction(v)) await cli.audit.record(auditEventForInbound(v, 'flag', { host: 'cli', ...subject }));
      if (v.verdict !== 'trusted') allTrusted = false;
      if (args.flags.json) console.log(JSON.stringify({ file, ...v }));
      else console.log(humanSummary(file, v));
    }
    await cli.audit.finish();
    return unreadable ? EXIT.couldNotRun : allTrusted ? EXIT.ok : EXIT.notTrusted;
  },
};

const MARK = { ok: '✓', info: '·', warning: '!', error: '✗' } as const;

/** A few lines a person can read: the word, the one-line summary, the five statuses, then each reason. */
export function humanSummary(file: string, v: Verdict): string {
  const lines = [`${file}: ${v.verdict.toUpperCase()} — ${v.summary}`];
  lines.push(`  signature: ${v.signature}  trust: ${v.trust}  sender: ${v.sender}  coverage: ${v.coverage}`);
  const cert = v.signers[0]?.certificate;
  if (cert) {
    lines.push(`  signer: ${cert.commonName} <${cert.emails.join(', ')}>  issued by ${cert.issuer}`);
    lines.push(`  valid ${cert.notBefore} to ${cert.notAfter}  SHA-256 ${cert.sha256}`);
  }
  for (const r of v.reasons) lines.push(`  ${MARK[r.severity]} ${r.message}`);
  return lines.join('\n');
}

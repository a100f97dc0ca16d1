import { readFileSync } from 'node:fs';
import type * as pkijs from 'pkijs';
import { loadCertificates, loadCrls } from '../../src/certs/load';
import type { Verdict } from '../../src/index';
import { verifyMessage } from '../../src/index';
import { parseArgs } from '../args';
import { applyPolicyToVerdict } from '../../src/policy/index';
import { auditEventForInbound, auditEventFromVerdict } from '../../src/audit/index';
import { needsInboundAction } from '../../src/policy/inbound';
import { POLICY_USAGE, loadPolicyForCli } from '../policy';
import type { Command } from './types';
import { CliError, UsageError } from './types';

const USAGE = `smime-addin verify FILE... [--anchor CERT]... [--cert CERT]... [--crl CRL]... [--at ISO-TIME] [--json] ${POLICY_USAGE}`;

export const verify: Command = {
  name: 'verify',
  usage: USAGE,
  async run(argv) {
    const cli = loadPolicyForCli(argv);
    for (const n of cli.notes) console.error(`smime-addin verify: ${n}`);
    const args = parseArgs(cli.rest, {
      multi: ['anchor', 'cert', 'crl'],
      single: ['at'],
      flags: ['json'],
    });
    if (args.positional.length === 0) throw new UsageError('no message file given');
    let at: Date | undefined;
    if (args.single.at !== undefined) {
      at = new Date(args.single.at);
      if (Number.isNaN(at.getTime())) throw new UsageError(`--at: not an ISO 8601 time: ${args.single.at}`);
    }
    const anchors = args.multi.anchor.flatMap((f) => readCerts(f, '--anchor'));
    const intermediates = args.multi.cert.flatMap((f) => readCerts(f, '--cert'));
    const crls = args.multi.crl.flatMap((f) => readCrls(f));

    let allTrusted = true;
    for (const file of args.positional) {
      let v: Verdict;
      let bytes: Uint8Array | undefined;
      try {
        bytes = readBytes(file);
      } catch (e) {
        console.error(`smime-addin verify: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
        allTrusted = false;
        if (args.flags.json) console.log(JSON.stringify({ file, verdict: 'error', error: { code: 'io', message: `cannot read ${file}` } }));
        continue;
      }
      const base = cli.verifyOptions;
      v = await verifyMessage(bytes, {
        ...base,
        anchors: [...(base.anchors ?? []), ...anchors],
        intermediates: [...(base.intermediates ?? []), ...intermediates],
        crls: [...(base.crls ?? []), ...crls],
        at,
      });
      v = applyPolicyToVerdict(v, cli.policy);
      await cli.audit.record(auditEventFromVerdict(v, 'verify', { host: 'cli' }));
      // A rule violation or an invalid signature is an alert of its own (policy.violation); the CLI can only flag
      // (tag and quarantine are the mail hosts').
      if (needsInboundAction(v)) await cli.audit.record(auditEventForInbound(v, 'flag', { host: 'cli' }));
      if (v.verdict !== 'trusted') allTrusted = false;
      if (args.flags.json) console.log(JSON.stringify({ file, ...v }));
      else console.log(humanSummary(file, v));
    }
    await cli.audit.finish();
    return allTrusted ? 0 : 1;
  },
};

/** The file's bytes as a plain Uint8Array over the Buffer's memory: no copy of an 11 MB message. */
function readBytes(file: string): Uint8Array {
  const b = readFileSync(file);
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function readFileOr(file: string, flag: string): Uint8Array {
  try {
    return readBytes(file);
  } catch (e) {
    throw new CliError(`${flag} ${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
}

function readCerts(file: string, flag: string): pkijs.Certificate[] {
  const r = loadCertificates(readFileOr(file, flag));
  if (r.error || r.certs.length === 0) throw new CliError(`${flag} ${file}: ${r.error ?? 'no certificate found'}`);
  return r.certs;
}

function readCrls(file: string): pkijs.CertificateRevocationList[] {
  const r = loadCrls(readFileOr(file, '--crl'));
  if (r.error || r.crls.length === 0) throw new CliError(`--crl ${file}: ${r.error ?? 'no CRL found'}`);
  return r.crls;
}

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
  const hp = v.headerProtection;
  if (hp?.protected) {
    // RFC 9788: the values the signature covers (visible text already: control characters written out by the core).
    const shown = SIGNED_HEADER_ROWS.filter(([k]) => hp.headers[k] !== undefined).map(([k, label]) => `${label}: ${hp.headers[k]}`);
    lines.push(`  signed headers (${hp.mode}): ${shown.join(' · ') || 'none of Subject, From, To, Date'}`);
  }
  for (const r of v.reasons) lines.push(`  ${MARK[r.severity]} ${r.message}`);
  return lines.join('\n');
}

const SIGNED_HEADER_ROWS: [string, string][] = [
  ['subject', 'Subject'],
  ['from', 'From'],
  ['to', 'To'],
  ['date', 'Date'],
];

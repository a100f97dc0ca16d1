/**
 * The trust options `verify` and `decrypt` share (issue 10, item 21): --anchor, --cert, --crl, --at on top of the
 * policy's (--policy, --online: cli/policy.ts). One place, so decrypt checks the inner signature exactly as verify
 * would: same anchors (policy + bundled roots + --anchor), intermediates, CRLs, time and network. --crl adds CRLs; it
 * never changes the revocation mode (the policy's `revocation` does).
 */
import type * as pkijs from 'pkijs';
import { loadCertificates, loadCrls } from '../src/certs/load';
import type { VerifyOptions } from '../src/verify-message';
import type { CliPolicy } from './policy';
import { readFileBytes } from './io';
import { CliError, UsageError } from './commands/types';

export const TRUST_MULTI = ['anchor', 'cert', 'crl'] as const;
export const TRUST_SINGLE = ['at'] as const;
export const TRUST_USAGE = '[--anchor CERT]... [--cert CERT]... [--crl CRL]... [--at ISO-TIME]';

function readCerts(file: string, flag: string): pkijs.Certificate[] {
  const r = loadCertificates(readFileBytes(file, `${flag} file`));
  if (r.error || r.certs.length === 0) throw new CliError(`${flag} ${file}: ${r.error ?? 'no certificate found'}`);
  return r.certs;
}

function readCrls(file: string): pkijs.CertificateRevocationList[] {
  const r = loadCrls(readFileBytes(file, '--crl file'));
  if (r.error || r.crls.length === 0) throw new CliError(`--crl ${file}: ${r.error ?? 'no CRL found'}`);
  return r.crls;
}

/** The policy's VerifyOptions with the command line's anchors, intermediates, CRLs and time added. */
export function trustOptions(
  cli: CliPolicy,
  args: { multi: Record<(typeof TRUST_MULTI)[number], string[]>; single: Partial<Record<(typeof TRUST_SINGLE)[number], string>> },
): VerifyOptions {
  let at: Date | undefined;
  if (args.single.at !== undefined) {
    at = new Date(args.single.at);
    if (Number.isNaN(at.getTime())) throw new UsageError(`--at: not an ISO 8601 time: ${args.single.at}`);
  }
  const base = cli.verifyOptions;
  return {
    ...base,
    anchors: [...(base.anchors ?? []), ...args.multi.anchor.flatMap((f) => readCerts(f, '--anchor'))],
    intermediates: [...(base.intermediates ?? []), ...args.multi.cert.flatMap((f) => readCerts(f, '--cert'))],
    crls: [...(base.crls ?? []), ...args.multi.crl.flatMap((f) => readCrls(f))],
    at,
  };
}

/**
 * smime-addin doctor: setup health for administrators' scripts (issue 13). Checks the policy file itself (every bad
 * field named), then each certificate given — your identity from a .p12, or certificates of correspondents and
 * recipients — with the core's checkCertificateHealth. Exit 0 when nothing of severity warning or worse was found,
 * 1 otherwise. `--json` prints {findings: [{code, severity, message, certificate, section?}]}.
 */
import { readFileSync } from 'node:fs';
import * as pkijs from 'pkijs';
import { loadCertificates, loadCrls } from '../../src/certs/load';
import { checkCertificateHealth, type HealthFinding, type HealthPurpose } from '../../src/health/index';
import { defaultPolicy, parsePolicyJson, resolvePolicy, type PartialPolicy } from '../../src/policy/index';
import { parseArgs } from '../args';
import { cliCrypto } from '../crypto';
import { loadIdentity, readPassword } from './keyfile';
import type { Command } from './types';
import { CliError, UsageError } from './types';

const USAGE =
  'smime-addin doctor [--key ID.p12 (--password-file FILE | env SMIME_ADDIN_PASSWORD | --password PW)] [--cert CERT]... ' +
  '[--anchor CERT]... [--crl CRL]... [--policy FILE] [--purpose own|correspondent|recipient] [--address ADDR] [--at ISO-TIME] [--online] [--json]';

const PURPOSES: readonly HealthPurpose[] = ['own', 'correspondent', 'recipient'];
const MAX_POLICY_BYTES = 4 * 1024 * 1024;

function readFile(path: string, what: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`cannot read ${what} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code ?? String(e)}`);
  }
}

function certsOf(path: string, what: string): pkijs.Certificate[] {
  const r = loadCertificates(readFile(path, what));
  if (r.certs.length === 0) throw new CliError(`${path}: no certificate found (${what} takes PEM, DER or a PKCS#7 bundle)`);
  return r.certs;
}

function isCaCert(c: pkijs.Certificate): boolean {
  const bc = c.extensions?.find((e) => e.extnID === '2.5.29.19')?.parsedValue;
  return bc instanceof pkijs.BasicConstraints && bc.cA === true;
}

export const doctor: Command = {
  name: 'doctor',
  usage: USAGE,
  async run(argv) {
    const args = parseArgs(argv, {
      multi: ['cert', 'anchor', 'crl'],
      single: ['key', 'password', 'password-file', 'policy', 'purpose', 'address', 'at'],
      flags: ['json', 'online'],
    });
    if (args.positional.length) throw new UsageError(`unexpected argument ${args.positional[0]}`);
    const purposeArg = args.single.purpose;
    if (purposeArg !== undefined && !PURPOSES.includes(purposeArg as HealthPurpose)) throw new UsageError(`--purpose must be one of ${PURPOSES.join(', ')}`);
    let at: Date | undefined;
    if (args.single.at !== undefined) {
      at = new Date(args.single.at);
      if (Number.isNaN(at.getTime())) throw new UsageError(`--at: not an ISO 8601 time: ${args.single.at}`);
    }
    if (!args.single.key && args.multi.cert.length === 0 && !args.single.policy) {
      throw new UsageError('nothing to check: give --key, --cert or --policy');
    }

    const findings: (HealthFinding & { certificate: string | null })[] = [];
    // --- the policy file itself: every bad field, one finding each
    let admin: PartialPolicy | undefined;
    if (args.single.policy) {
      const bytes = readFile(args.single.policy, 'policy file');
      if (bytes.byteLength > MAX_POLICY_BYTES) throw new CliError(`policy file ${args.single.policy} is larger than ${MAX_POLICY_BYTES} bytes`);
      const r = parsePolicyJson(new TextDecoder().decode(bytes), 'policy');
      if (r.ok) admin = r.policy;
      else for (const e of r.errors) findings.push({ code: 'policy-invalid', severity: 'error', message: `${args.single.policy}: ${e}`, certificate: null });
    }
    const user: PartialPolicy = args.flags.online ? { online: true } : {};
    // An invalid policy file is reported above; the certificates are then judged under the defaults (plus --online).
    const policy = admin || Object.keys(user).length ? resolvePolicy({ admin, user }).policy : defaultPolicy();

    // --- what to check: the identity in the .p12 (own), and every end-entity certificate given with --cert
    const toCheck: { certs: pkijs.Certificate[]; purpose: HealthPurpose }[] = [];
    const given = args.multi.cert.flatMap((f) => certsOf(f, '--cert'));
    const cas = given.filter(isCaCert);
    if (args.single.key) {
      const password = readPassword({ password: args.single.password, passwordFile: args.single['password-file'] });
      const id = await loadIdentity(args.single.key, password);
      const chain = [id.certificate, ...id.chain].map((d) => pkijs.Certificate.fromBER(d.slice().buffer as ArrayBuffer));
      toCheck.push({ certs: chain, purpose: (purposeArg as HealthPurpose | undefined) ?? 'own' });
    }
    for (const c of given.filter((x) => !isCaCert(x))) {
      toCheck.push({ certs: [c, ...cas], purpose: (purposeArg as HealthPurpose | undefined) ?? (args.single.key ? 'recipient' : 'correspondent') });
    }
    if (toCheck.length === 0 && given.length > 0) {
      // Only CA certificates given: check them as they are (someone may want to know when their CA expires).
      for (const c of cas) toCheck.push({ certs: [c], purpose: 'correspondent' });
    }
    const anchors = args.multi.anchor.flatMap((f) => certsOf(f, '--anchor'));
    const crls = args.multi.crl.flatMap((f) => {
      const r = loadCrls(readFile(f, '--crl'));
      if (r.crls.length === 0) throw new CliError(`${f}: no CRL found`);
      return r.crls;
    });
    for (const t of toCheck) {
      const report = await checkCertificateHealth(t.certs, { purpose: t.purpose, policy, at, address: args.single.address, anchors, crls }, cliCrypto());
      findings.push(...report.findings);
      if (!args.flags.json) {
        const c = report.certificate;
        console.log(`${c.commonName} <${c.emails.join(', ') || 'no e-mail address'}> (${t.purpose}): valid to ${c.notAfter.slice(0, 10)}, ${report.daysLeft} days left; chain ${report.trust}`);
        for (const f of report.findings) console.log(`  ${f.severity.toUpperCase()}: ${f.message}${f.section ? ` [${f.section}]` : ''}`);
        if (report.findings.length === 0) console.log('  OK: nothing found.');
      }
    }
    if (args.flags.json) {
      process.stdout.write(`${JSON.stringify({ findings })}\n`);
    } else if (findings.some((f) => f.certificate === null)) {
      for (const f of findings.filter((x) => x.certificate === null)) console.log(`${f.severity.toUpperCase()}: ${f.message}`);
    } else if (args.single.policy) {
      console.log(`${args.single.policy}: the policy is valid.`);
    }
    return findings.some((f) => f.severity !== 'info') ? 1 : 0;
  },
};

import type * as pkijs from 'pkijs';
import { decryptMessage, loadCertificates } from '../../src/index';
import { parseArgs } from '../args';
import { auditEventFromVerdict } from '../../src/audit/index';
import { POLICY_USAGE, loadPolicyForCli } from '../policy';
import { loadIdentity, readInput, writeOutput } from './keyfile';
import { CliError, UsageError, type Command } from './types';

export const decrypt: Command = {
  name: 'decrypt',
  usage: 'smime-addin decrypt IN.eml --key ID.p12 --password PW [--out FILE] [--json] [--anchor CERT]... [--cert CERT]... [--at ISO-TIME] ' + POLICY_USAGE,
  async run(argv) {
    const cli = loadPolicyForCli(argv);
    const a = parseArgs(cli.rest, { multi: ['anchor', 'cert'], single: ['key', 'password', 'out', 'at'], flags: ['json'] });
    if (a.positional.length !== 1) throw new UsageError('exactly one input message is required');
    let at: Date | undefined;
    if (a.single.at !== undefined) {
      at = new Date(a.single.at);
      if (Number.isNaN(at.getTime())) throw new UsageError(`--at: not an ISO 8601 time: ${a.single.at}`);
    }
    const certs = (files: string[], flag: string): pkijs.Certificate[] =>
      files.flatMap((f) => {
        const r = loadCertificates(readInput(f, 'certificate'));
        if (r.error || r.certs.length === 0) throw new CliError(`${flag} ${f}: ${r.error ?? 'no certificate found'}`);
        return r.certs;
      });
    const anchors = certs(a.multi.anchor, '--anchor');
    const intermediates = certs(a.multi.cert, '--cert');
    const input = readInput(a.positional[0]);
    const identity = await loadIdentity(a.single.key, a.single.password);
    const r = await decryptMessage(input, identity, { anchors, intermediates, at });
    await cli.audit.record(auditEventFromVerdict(r.verdict, 'decrypt', { host: 'cli' }));
    await cli.audit.finish();
    if (!r.ok) {
      if (a.flags.json) console.log(JSON.stringify(r.verdict));
      throw new CliError(r.error.message);
    }
    if (a.single.out || !a.flags.json) writeOutput(a.single.out, r.content);
    if (a.flags.json) console.log(JSON.stringify(r.verdict));
    return 0;
  },
};

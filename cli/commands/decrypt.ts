import { decryptMessage } from '../../src/index';
import { parseArgs } from '../args';
import { auditEventFromVerdict } from '../../src/audit/index';
import { applyPolicyToVerdict } from '../../src/policy/index';
import { POLICY_USAGE, loadPolicyForCli } from '../policy';
import { TRUST_MULTI, TRUST_SINGLE, TRUST_USAGE, trustOptions } from '../trust-args';
import { PASSWORD_OPTIONS, PASSWORD_USAGE, loadIdentity, passwordOf, readInput, writeOutput } from './keyfile';
import { EXIT, UsageError, type Command } from './types';

/**
 * `decrypt` checks what it decrypts exactly as `verify` would (issue 10, item 21): the same trust options and policy
 * (minRsaBits, allowSha1, bundled roots, revocation, online), applied to the inner verdict. The content is written
 * whatever the verdict (it is the user's mail); the exit status and stderr say whether it can be trusted.
 */
export const decrypt: Command = {
  name: 'decrypt',
  usage: `smime-addin decrypt IN.eml --key ID.p12 ${PASSWORD_USAGE} [--out FILE] [--json] ${TRUST_USAGE} ${POLICY_USAGE}`,
  summary:
    'Decrypts a message with your key and checks any signature inside as verify does. The decrypted message goes to ' +
    '--out or stdout; its verdict to stderr (or stdout with --json). Exit 0 only when the content is signed and trusted.',
  async run(argv) {
    const cli = loadPolicyForCli(argv);
    for (const n of cli.notes) console.error(`smime-addin decrypt: ${n}`);
    const a = parseArgs(cli.rest, { multi: TRUST_MULTI, single: ['key', ...PASSWORD_OPTIONS, 'out', ...TRUST_SINGLE], flags: ['json'] });
    if (a.positional.length !== 1) throw new UsageError('exactly one input message is required');
    const options = trustOptions(cli, a);
    const input = readInput(a.positional[0]);
    const identity = await loadIdentity(a.single.key, passwordOf(a.single));
    const r = await decryptMessage(input, identity, options);
    const verdict = applyPolicyToVerdict(r.verdict, cli.policy);
    await cli.audit.record(auditEventFromVerdict(verdict, 'decrypt', { host: 'cli', includeSubject: cli.policy.audit.includeSubject }));
    await cli.audit.finish();
    if (!r.ok) {
      if (a.flags.json) console.log(JSON.stringify(verdict));
      console.error(`smime-addin decrypt: ${r.error.message}`);
      return EXIT.notTrusted;
    }
    if (a.single.out || !a.flags.json) writeOutput(a.single.out, r.content);
    if (a.flags.json) console.log(JSON.stringify(verdict));
    else console.error(`smime-addin decrypt: ${verdict.verdict.toUpperCase()} — ${verdict.summary}`);
    return verdict.verdict === 'trusted' ? EXIT.ok : EXIT.notTrusted;
  },
};

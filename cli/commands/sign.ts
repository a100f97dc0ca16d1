import { signMessage, type SignHash } from '../../src/index';
import { parseArgs } from '../args';
import { cliCrypto } from '../crypto';
import { auditEventForSend, colonFingerprint } from '../../src/audit/index';
import { HEADER_PROTECTION_FLAGS, HEADER_PROTECTION_SINGLE, HEADER_PROTECTION_USAGE, headerProtectionFromArgs } from '../header-protection';
import { POLICY_USAGE, loadPolicyForCli } from '../policy';
import { PASSWORD_OPTIONS, PASSWORD_USAGE, loadIdentity, passwordOf, readInput, writeOutput } from './keyfile';
import { CliError, UsageError, type Command } from './types';
import { signerWarnings } from '../send-warnings';

const DIGESTS: Record<string, SignHash> = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

export const sign: Command = {
  name: 'sign',
  summary: 'Signs a message with your key (.p12): multipart/signed by default, or opaque with --opaque.',
  usage: 'smime-addin sign IN.eml --key ID.p12 ' + PASSWORD_USAGE + ' [--opaque] [--digest sha256|sha384|sha512] [--pss] [--out FILE] ' + HEADER_PROTECTION_USAGE + ' ' + POLICY_USAGE,
  async run(argv) {
    const cli = loadPolicyForCli(argv);
    const a = parseArgs(cli.rest, { single: ['key', ...PASSWORD_OPTIONS, 'digest', 'out', ...HEADER_PROTECTION_SINGLE], flags: ['opaque', 'pss', ...HEADER_PROTECTION_FLAGS] });
    if (a.positional.length !== 1) throw new UsageError('exactly one input message is required');
    const digest = DIGESTS[(a.single.digest ?? 'sha256').toLowerCase()];
    if (!digest) throw new UsageError(`unknown --digest ${a.single.digest} (sha256, sha384 or sha512)`);
    const hp = headerProtectionFromArgs(cli, a);
    for (const n of hp.notes) console.error(`smime-addin sign: ${n}`);
    const input = readInput(a.positional[0]);
    const identity = await loadIdentity(a.single.key, passwordOf(a.single));
    for (const w of signerWarnings(input, identity)) console.error(`smime-addin sign: warning: ${w}`);
    const r = await signMessage(input, identity, { ...hp.options, opaque: a.flags.opaque, pss: a.flags.pss, digest, crypto: cliCrypto() });
    await cli.audit.record(
      auditEventForSend('sign', { ok: r.ok, from: identity.emails, signer: colonFingerprint(identity.id), reasons: r.ok ? [] : [r.error.code], host: 'cli' }),
    );
    await cli.audit.finish();
    if (!r.ok) throw new CliError(r.error.message);
    writeOutput(a.single.out, r.message);
    return 0;
  },
};

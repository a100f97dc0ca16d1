import { CONTENT_CIPHERS, encryptMessage, loadCertificates, type ContentCipher } from '../../src/index';
import { parseArgs } from '../args';
import { cliCrypto } from '../crypto';
import { auditEventForSend, colonFingerprint } from '../../src/audit/index';
import { HEADER_PROTECTION_FLAGS, HEADER_PROTECTION_SINGLE, HEADER_PROTECTION_USAGE, headerProtectionFromArgs } from '../header-protection';
import { POLICY_USAGE, loadPolicyForCli } from '../policy';
import { PASSWORD_OPTIONS, PASSWORD_USAGE, loadIdentity, passwordOf, readInput, writeOutput } from './keyfile';
import { CliError, UsageError, type Command } from './types';
import { noSenderCopyWarning, recipientWarnings, signerWarnings } from '../send-warnings';

export const encrypt: Command = {
  name: 'encrypt',
  summary: 'Encrypts a message to the recipients\' certificates (--to), optionally signed first with your key (--sign).',
  usage:
    'smime-addin encrypt IN.eml --to CERT [--to CERT]... [--key SENDER.p12 ' + PASSWORD_USAGE + '] [--sign] [--cipher aes-256-cbc|aes-128-cbc|aes-256-gcm] [--oaep] [--out FILE] ' + HEADER_PROTECTION_USAGE + ' ' + POLICY_USAGE,
  async run(argv) {
    const cli = loadPolicyForCli(argv);
    const a = parseArgs(cli.rest, { multi: ['to'], single: ['key', ...PASSWORD_OPTIONS, 'cipher', 'out', ...HEADER_PROTECTION_SINGLE], flags: ['sign', 'oaep', ...HEADER_PROTECTION_FLAGS] });
    if (a.positional.length !== 1) throw new UsageError('exactly one input message is required');
    if (a.multi.to.length === 0) throw new UsageError('at least one --to CERT is required');
    const cipher = (a.single.cipher ?? 'aes-256-cbc').toLowerCase() as ContentCipher;
    if (!CONTENT_CIPHERS.includes(cipher)) throw new UsageError(`unknown --cipher ${a.single.cipher} (${CONTENT_CIPHERS.join(', ')})`);
    if (a.flags.sign && !a.single.key) throw new UsageError(`--sign needs --key SENDER.p12 and a password (${PASSWORD_USAGE})`);
    const hp = headerProtectionFromArgs(cli, a);
    for (const n of hp.notes) console.error(`smime-addin encrypt: ${n}`);
    const input = readInput(a.positional[0]);
    const recipientCerts = a.multi.to.map((file) => {
      const r = loadCertificates(readInput(file, 'certificate'));
      if (r.error || r.certs.length === 0) throw new CliError(`--to ${file}: ${r.error ?? 'no certificate found'}`);
      return { file, cert: r.certs[0] };
    });
    const recipients = recipientCerts.map((c) => new Uint8Array(c.cert.toSchema().toBER()));
    const sender = a.single.key ? await loadIdentity(a.single.key, passwordOf(a.single)) : undefined;
    const warnings = [
      ...(await Promise.all(recipientCerts.map((c) => recipientWarnings(c.file, c.cert, cli.policy)))).flat(),
      ...(sender ? (a.flags.sign ? signerWarnings(input, sender) : []) : [noSenderCopyWarning()]),
    ];
    for (const w of warnings) console.error(`smime-addin encrypt: warning: ${w}`);
    const r = await encryptMessage(input, recipients, {
      ...hp.options,
      sender,
      sign: a.flags.sign,
      cipher,
      keyTransport: a.flags.oaep ? 'rsa-oaep' : 'rsa-pkcs1',
      crypto: cliCrypto(),
    });
    await cli.audit.record(
      auditEventForSend('encrypt', {
        ok: r.ok,
        from: sender?.emails,
        signer: sender && a.flags.sign ? colonFingerprint(sender.id) : undefined,
        recipients: recipients.length,
        reasons: r.ok ? [] : [r.error.code],
        host: 'cli',
      }),
    );
    await cli.audit.finish();
    if (!r.ok) throw new CliError(r.error.message);
    writeOutput(a.single.out, r.message);
    return 0;
  },
};

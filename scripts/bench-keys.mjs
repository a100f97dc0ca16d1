// Bench rows for issue 3 (sign and encrypt), loaded by scripts/bench.mjs: sign and encrypt a ~5 KB and an ~11 MB
// (8 MiB attachment) message in process, with the CLI (whole process, including reading the .p12), and with
// `openssl cms -sign` / `openssl cms -encrypt` (whole process) on the same input in the same run.
// Goals: CLI no slower than OpenSSL's whole process; 5 KB in process < 10 ms warm.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { CLI, timeInProcess, timeProcess } from './bench.mjs';

export async function rows(ctx) {
  const { core, pki, support, runs, dir } = ctx;
  const M = support.messages;
  const signer = await pki.issue({ name: 'Bench Signer', email: 'signer@example.com' });
  const rcpt = await pki.issue({ name: 'Bench Recipient', email: 'rcpt@example.com' });
  const p12 = await signer.makeP12('bench');
  const imported = await core.importPkcs12(new Uint8Array(readFileSync(p12)), 'bench');
  if (!imported.ok) throw new Error(imported.error.message);
  const identity = imported.identity;
  const rcptDer = new Uint8Array(rcpt.certDer);
  const headers = { from: 'Bench Signer <signer@example.com>', to: 'rcpt@example.com', subject: 'bench' };
  const inputs = [
    ['5 KB', M.buildMessage(headers, M.entityWithAttachment(3 * 1024, { text: 'Hello,\n\nthe figures are attached.\n' })), Math.max(runs * 20, 50)],
    ['11 MB', M.buildMessage(headers, M.entityWithAttachment(8 * 1024 * 1024)), Math.max(runs, 5)],
  ];
  const out = [];
  for (const [label, bytes, inRuns] of inputs) {
    const path = join(dir, `bench-plain-${label.replace(/\W/g, '')}.eml`);
    writeFileSync(path, bytes);
    const raw = new Uint8Array(bytes);
    const cliOk = existsSync(CLI);
    // sign
    const sIn = await timeInProcess(() => core.signMessage(raw, identity), { runs: inRuns, warmup: 3 });
    const sCli = cliOk
      ? timeProcess(process.execPath, [CLI, 'sign', path, '--key', p12, '--password', 'bench', '--out', `${path}.signed`], { runs })
      : undefined;
    const sOssl = timeProcess(
      'openssl',
      ['cms', '-sign', '-in', path, '-signer', signer.certPath, '-inkey', signer.keyPath, '-certfile', signer.chainBundlePath, '-out', `${path}.ossl-signed`],
      { runs },
    );
    out.push({
      name: `sign ${label}`,
      bytes: bytes.length,
      inProcessMs: sIn.ms,
      cliMs: sCli?.ms,
      cliRssKb: sCli?.rssKb,
      opensslMs: sOssl.ms,
      note: `in-process ok=${sIn.last.ok}; CLI exit ${sCli?.status ?? 'dist missing'}; openssl exit ${sOssl.status}`,
    });
    // encrypt (to the recipient and the sender, AES-256-CBC, RSA PKCS#1 v1.5: the default)
    const eIn = await timeInProcess(() => core.encryptMessage(raw, [rcptDer], { sender: identity }), { runs: inRuns, warmup: 3 });
    const eCli = cliOk
      ? timeProcess(process.execPath, [CLI, 'encrypt', path, '--to', rcpt.certPath, '--key', p12, '--password', 'bench', '--out', `${path}.enc`], { runs })
      : undefined;
    const eOssl = timeProcess('openssl', ['cms', '-encrypt', '-aes256', '-in', path, '-out', `${path}.ossl-enc`, rcpt.certPath, signer.certPath], { runs });
    out.push({
      name: `encrypt ${label}`,
      bytes: bytes.length,
      inProcessMs: eIn.ms,
      cliMs: eCli?.ms,
      cliRssKb: eCli?.rssKb,
      opensslMs: eOssl.ms,
      note: `in-process ok=${eIn.last.ok}; CLI exit ${eCli?.status ?? 'dist missing'}; openssl exit ${eOssl.status}`,
    });
  }
  return out;
}

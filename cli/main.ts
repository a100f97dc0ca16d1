/**
 * smime-addin: the Node CLI over the same core the hosts use.
 * Exit status: 0 when every file is trusted (verify) or the operation succeeded, 1 otherwise, 2 for usage errors.
 */
import { readFileSync } from 'node:fs';
import { verifyMessage } from '../src/index';

const USAGE = `usage: smime-addin verify FILE... [--anchor CERT]... [--cert CERT]... [--crl CRL]... [--at ISO-TIME] [--json]
       smime-addin sign|encrypt|decrypt … (see README)`;

async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  if (cmd === 'verify') {
    const files = rest.filter((a) => !a.startsWith('--'));
    let allTrusted = files.length > 0;
    for (const f of files) {
      const v = await verifyMessage(new Uint8Array(readFileSync(f)));
      if (v.verdict !== 'trusted') allTrusted = false;
      console.log(JSON.stringify(v));
    }
    return allTrusted ? 0 : 1;
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`smime-addin: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);

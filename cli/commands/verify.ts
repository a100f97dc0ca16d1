import { readFileSync } from 'node:fs';
import { verifyMessage } from '../../src/index';
import type { Command } from './types';

export const verify: Command = {
  name: 'verify',
  usage: 'smime-addin verify FILE... [--anchor CERT]... [--cert CERT]... [--crl CRL]... [--at ISO-TIME] [--json]',
  async run(args) {
    const files = args.filter((a) => !a.startsWith('--'));
    let allTrusted = files.length > 0;
    for (const f of files) {
      const v = await verifyMessage(new Uint8Array(readFileSync(f)));
      if (v.verdict !== 'trusted') allTrusted = false;
      console.log(JSON.stringify(v));
    }
    return allTrusted ? 0 : 1;
  },
};

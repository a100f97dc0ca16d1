/**
 * Child process for time and memory figures (issue 10): verifies one message file with the verifyMessage of the
 * checkout given (this one by default) and prints {ms, rssMB, verdict, signature, codes} as JSON. Peak RSS is the
 * process's own maxRSS, so each input class runs in a fresh process. Usage:
 *   node --import tsx test/support/measure-child.ts FILE.eml [REPO]
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const [file, repo = resolve(import.meta.dirname, '..', '..')] = process.argv.slice(2);
const { verifyMessage } = (await import(resolve(repo, 'src/verify-message.ts'))) as typeof import('../../src/verify-message');
const msg = readFileSync(file);
const before = process.resourceUsage().maxRSS;
const t = performance.now();
const v = await verifyMessage(msg, {});
const ms = Math.round(performance.now() - t);
console.log(
  JSON.stringify({
    ms,
    rssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    startRssMB: Math.round(before / 1024),
    verdict: v.verdict,
    signature: v.signature,
    codes: [...new Set(v.reasons.map((r) => r.code))],
  }),
);

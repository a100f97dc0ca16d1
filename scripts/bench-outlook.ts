/**
 * Benchmark of the Outlook task pane (not a test: figures for the README). In headless Chromium, over the
 * built dist/outlook served on 127.0.0.1 with the simulated mailbox of the e2e tests, it measures from the start
 * of page navigation to the verdict on screen (the status element with data-verdict appearing), for a 5 KB and
 * an 11 MB signed message, each several times with a fresh browser context (cold: no HTTP cache, new
 * IndexedDB). Also prints the task pane's script size gzipped.
 *
 * Usage: npm run build && node --import tsx scripts/bench-outlook.ts [runs]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchChromium } from '../test/outlook/chromium';
import { DIST, ensureBuilt, json, openPage, startServer } from '../test/outlook/harness';
import { entityWithAttachment, textEntity } from '../test/support/messages';
import { makePki, smimeSign } from '../test/support/pki';

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 5);
  ensureBuilt();
  const pki = await makePki();
  const alice = await pki.issue({ name: 'Alice Example', email: 'alice@example.com' });
  const headers = { from: 'alice@example.com', to: 'bob@example.com', subject: 'Benchmark' };
  const small = await smimeSign({ signer: alice, content: textEntity('x'.repeat(1000) + '\n'), headers });
  const large = await smimeSign({ signer: alice, content: entityWithAttachment(8 * 1024 * 1024), headers });
  // Signed under a root nobody trusts: the pane checks it against the policy's anchors, then again with the 106
  // bundled Mozilla roots (the slow path, also taken by mail from public CAs).
  const evilRoot = await pki.issue({ name: 'Bench Other Root', ca: true, selfSigned: true, keyType: 'ec-p256' });
  const stranger = await pki.issue({ name: 'Alice Example', email: 'alice@example.com', issuer: evilRoot, keyType: 'ec-p256' });
  const untrusted = await smimeSign({ signer: stranger, chain: [evilRoot], content: textEntity('x'.repeat(1000) + '\n'), headers });
  const server = await startServer();
  server.routes.set('/policy.json', (_req, res) => json(res, 200, { anchors: [readFileSync(pki.root.certPath, 'utf8')] }));
  const browser = await launchChromium();
  const rows: string[] = [];
  try {
    for (const [label, msg] of [
      [`${(small.bytes.length / 1024).toFixed(1)} KB, root in policy.json`, small.bytes],
      [`${(large.bytes.length / 1024 / 1024).toFixed(1)} MB, root in policy.json`, large.bytes],
      [`${(untrusted.bytes.length / 1024).toFixed(1)} KB, unknown root (bundled roots parsed too)`, untrusted.bytes],
    ] as const) {
      const times: number[] = [];
      let verdict = '';
      for (let i = 0; i < runs; i++) {
        const o = await openPage(browser, server, 'taskpane.html', { id: `bench-${i}`, subject: 'Benchmark', from: 'alice@example.com', b64: msg.toString('base64') });
        await o.page.locator('[data-verdict]').waitFor({ timeout: 60_000 });
        // Recorded by the harness when the status element appears; performance.now() counts from navigation start.
        const t = await o.page.evaluate(() => (window as unknown as { __verdictAt?: number }).__verdictAt ?? Number.NaN);
        verdict = (await o.page.locator('[data-verdict]').getAttribute('data-verdict')) ?? '';
        times.push(t);
        await o.context.close();
      }
      times.sort((a, b) => a - b);
      const median = times[Math.floor(times.length / 2)];
      rows.push(`| ${label} | ${verdict} | ${median.toFixed(0)} ms | ${times[0].toFixed(0)}–${times[times.length - 1].toFixed(0)} ms |`);
    }
  } finally {
    await browser.close();
    await server.close();
  }
  const html = readFileSync(join(DIST, 'taskpane.html'), 'utf8');
  const own = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]).filter((s) => !s.startsWith('https://'));
  const gz = (f: string) => gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length / 1024;
  const chunks = readdirSync(DIST).filter((n) => n.endsWith('.chunk.js'));
  console.log(`Outlook task pane, headless Chromium (${runs} cold runs each; page navigation start → verdict on screen)\n`);
  console.log('| message | verdict | median | range |\n| --- | --- | --- | --- |');
  for (const r of rows) console.log(r);
  console.log(`\nScripts gzipped: ${own.map((f) => `${f} ${gz(f).toFixed(1)} KB`).join(', ')}; on demand: ${chunks.map((f) => `${f.split('.')[0]} ${gz(f).toFixed(1)} KB`).join(', ')}; roots.json (data) ${gz('roots.json').toFixed(1)} KB`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

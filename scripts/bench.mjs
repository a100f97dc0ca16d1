// Benchmark: verify a small (~5 KB) and a large (~11 MB, 8 MiB attachment) OpenSSL-signed message.
// Usage: `npm run bench` (build + this) or `node scripts/bench.mjs [--runs N]`.
//
// Prints, per message: the median warm in-process verifyMessage time (the core through tsx, as the tests run it;
// the same message again and again, so its certificates are known after the first run; the "new signer" row is a
// signer never seen before),
// the median whole-process CLI time (`node dist/cli/smime-addin.cjs verify FILE --anchor ROOT`), the CLI's peak
// RSS, and the median whole-process `openssl cms -verify` time on the same file in the same run. Figures only,
// no pass/fail. Goals (issue 2): CLI on 11 MB ≤ 50% of OpenSSL's time; RSS < 160 MB; 5 KB in process < 5 ms warm.
//
// Extension point: every scripts/bench-*.mjs that exports `async function rows(ctx)` adds rows to the table
// (e.g. the keys helper's sign/encrypt rows). `ctx` is the BenchContext below; return BenchRow[]. The helpers
// (timeInProcess, timeProcess, median, fmtMs, fmtMb) are exported for those modules too.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = join(ROOT, 'dist', 'cli', 'smime-addin.cjs');
const TIME_V = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
export const fmtMs = (ms) => (ms === undefined ? '—' : ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(0)} ms`);
export const fmtMb = (kb) => (kb === undefined ? '—' : `${(kb / 1024).toFixed(0)} MB`);

/** Median of `runs` calls of an async function after `warmup` unmeasured calls. Returns { ms, last }. */
export async function timeInProcess(fn, { runs = 20, warmup = 3 } = {}) {
  let last;
  for (let i = 0; i < warmup; i++) last = await fn();
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    last = await fn();
    times.push(performance.now() - t0);
  }
  return { ms: median(times), last };
}

/**
 * Median wall time of a whole process over `runs` runs (after one unmeasured run that warms the page cache), with
 * the peak RSS (kB): from /usr/bin/time -v when present; else, for node commands, from a preload that prints
 * process.resourceUsage().maxRSS at exit; else unknown.
 */
export function timeProcess(cmd, args, { runs = 5 } = {}) {
  const once = () => {
    let argv = [cmd, ...args];
    if (TIME_V) argv = [TIME_V, '-v', ...argv];
    else if (cmd === process.execPath) argv = [cmd, '--require', rssPreload(), ...args];
    const t0 = performance.now();
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
    const ms = performance.now() - t0;
    const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr) ?? /__maxrss_kb=(\d+)/.exec(r.stderr);
    return { ms, rssKb: m ? Number(m[1]) : undefined, status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const first = once();
  const all = Array.from({ length: runs }, once);
  return {
    ms: median(all.map((x) => x.ms)),
    rssKb: Math.max(...all.map((x) => x.rssKb ?? 0)) || undefined,
    status: first.status,
    stdout: first.stdout,
    stderr: first.stderr,
  };
}

let preload;
function rssPreload() {
  if (!preload) {
    preload = join(mkdtempSync(join(tmpdir(), 'bench-rss-')), 'rss.cjs');
    writeFileSync(preload, "process.on('exit',()=>process.stderr.write('\\n__maxrss_kb='+process.resourceUsage().maxRSS+'\\n'));\n");
  }
  return preload;
}

function verdictOf(stdout) {
  try {
    const t = stdout.trim();
    const j = JSON.parse(t.includes('\n') ? t.split('\n')[0] : t);
    return (Array.isArray(j) ? j[0] : j).verdict;
  } catch {
    return '?';
  }
}

/**
 * @typedef {{ name: string, bytes: number, inProcessMs?: number, cliMs?: number, cliRssKb?: number,
 *             opensslMs?: number, note?: string }} BenchRow
 * @typedef {{ pki: any, dir: string, core: any, support: { pki: any, messages: any },
 *             messages: { small: { path: string, bytes: Buffer }, large: { path: string, bytes: Buffer } },
 *             runs: number }} BenchContext
 */

export async function makeContext(runs) {
  register(); // TypeScript sources (src/, test/support/) through tsx, as the tests run them
  const support = {
    pki: await import(pathToFileURL(join(ROOT, 'test/support/pki.ts')).href),
    messages: await import(pathToFileURL(join(ROOT, 'test/support/messages.ts')).href),
  };
  const core = await import(pathToFileURL(join(ROOT, 'src/index.ts')).href);
  const pki = await support.pki.makePki();
  const alice = await pki.issue({ name: 'Alice Bench', email: 'alice@example.com' });
  const M = support.messages;
  const headers = { from: 'Alice Bench <alice@example.com>', to: 'bob@example.org', subject: 'bench' };
  const small = await support.pki.smimeSign({
    signer: alice,
    headers,
    content: M.entityWithAttachment(800, { text: 'Hello Bob,\n\nthe figures are attached.\n\nAlice\n' }),
  });
  const large = await support.pki.smimeSign({ signer: alice, headers, content: M.entityWithAttachment(8 * 1024 * 1024) });
  return { pki, dir: pki.dir, core, support, messages: { small, large }, runs };
}

/** The verify rows: in-process, CLI, OpenSSL on the same files. */
export async function verifyRows(ctx) {
  const { core, pki, messages, runs } = ctx;
  const { readFileSync } = await import('node:fs');
  const anchors = core.loadCertificates(readFileSync(pki.root.certPath)).certs;
  const rows = [];
  for (const [label, m, inRuns] of [
    ['verify 5 KB', messages.small, Math.max(runs * 20, 50)],
    ['verify 11 MB', messages.large, Math.max(runs, 5)],
  ]) {
    const raw = new Uint8Array(m.bytes);
    const ip = await timeInProcess(() => core.verifyMessage(raw, { anchors }), { runs: inRuns, warmup: 3 });
    const cli = existsSync(CLI)
      ? timeProcess(process.execPath, [CLI, 'verify', m.path, '--anchor', pki.root.certPath, '--json'], { runs })
      : undefined;
    const ossl = timeProcess('openssl', ['cms', '-verify', '-in', m.path, '-CAfile', pki.root.certPath, '-out', '/dev/null'], { runs });
    rows.push({
      name: label,
      bytes: m.bytes.length,
      inProcessMs: ip.ms,
      cliMs: cli?.ms,
      cliRssKb: cli?.rssKb,
      opensslMs: ossl.ms,
      note:
        `in-process: ${ip.last.verdict}; CLI: ${cli ? `exit ${cli.status}, ${verdictOf(cli.stdout)}` : 'dist missing (npm run build)'}; ` +
        `openssl: exit ${ossl.status}`,
    });
  }
  rows.push(await newSignerRow(ctx, anchors));
  if (existsSync(CLI)) {
    // What every CLI run pays before any message is read (module load; usage error, exit 2).
    const start = timeProcess(process.execPath, [CLI], { runs });
    rows.push({ name: 'CLI start only', bytes: 0, cliMs: start.ms, cliRssKb: start.rssKb, note: `exit ${start.status} (usage)` });
  }
  return rows;
}

/**
 * The 5 KB row above verifies one message again and again, so after the first run its certificates come from the
 * core's certificate cache (cms/certificate-set.ts), as for mail from a known correspondent. This row is the other
 * case: each timed message is from a signer not seen before (same CA), verified once, JIT warm.
 */
async function newSignerRow(ctx, anchors) {
  const { core, pki, support } = ctx;
  const M = support.messages;
  const count = 16;
  const msgs = [];
  for (let i = 0; i < count; i++) {
    const who = await pki.issue({ name: `New Signer ${i}`, email: `new${i}@example.com` });
    const m = await support.pki.smimeSign({
      signer: who,
      headers: { from: `New Signer ${i} <new${i}@example.com>`, to: 'bob@example.org', subject: 'bench' },
      content: M.entityWithAttachment(800, { text: 'Hello Bob,\n\nthe figures are attached.\n\nAlice\n' }),
    });
    msgs.push(new Uint8Array(m.bytes));
  }
  const warm = msgs.slice(0, 4);
  for (let r = 0; r < 10; r++) for (const raw of warm) await core.verifyMessage(raw, { anchors });
  const times = [];
  let last;
  for (const raw of msgs.slice(warm.length)) {
    const t0 = performance.now();
    last = await core.verifyMessage(raw, { anchors });
    times.push(performance.now() - t0);
  }
  return {
    name: 'verify 5 KB, new signer',
    bytes: msgs[0].length,
    inProcessMs: median(times),
    note: `in-process: ${last.verdict}; median of ${times.length} messages, each from a signer not seen before, verified once`,
  };
}

export function printTable(rows) {
  const head = ['case', 'size', 'in-process (warm, median)', 'CLI (median)', 'CLI peak RSS', 'openssl cms (median)', 'CLI/openssl'];
  const body = rows.map((r) => [
    r.name,
    !r.bytes ? '—' : r.bytes >= 1024 * 1024 ? `${(r.bytes / 1024 / 1024).toFixed(1)} MB` : `${(r.bytes / 1024).toFixed(1)} KB`,
    fmtMs(r.inProcessMs),
    fmtMs(r.cliMs),
    fmtMb(r.cliRssKb),
    fmtMs(r.opensslMs),
    r.cliMs !== undefined && r.opensslMs ? `${((r.cliMs / r.opensslMs) * 100).toFixed(0)}%` : '—',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  console.log(line(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const b of body) console.log(line(b));
  for (const r of rows) if (r.note) console.log(`  ${r.name}: ${r.note}`);
  console.log('goals: CLI on 11 MB ≤ 50% of openssl; CLI RSS < 160 MB; 5 KB in process < 5 ms warm');
}

async function main() {
  const i = process.argv.indexOf('--runs');
  const runs = i > 0 ? Number(process.argv[i + 1]) : 7;
  const ctx = await makeContext(runs);
  const rows = await verifyRows(ctx);
  const here = dirname(fileURLToPath(import.meta.url));
  for (const f of readdirSync(here).filter((n) => /^bench-.+\.mjs$/.test(n)).sort()) {
    const mod = await import(pathToFileURL(join(here, f)).href);
    if (typeof mod.rows === 'function') rows.push(...(await mod.rows(ctx)));
  }
  console.log(`node ${process.version}, ${spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout.trim()}, runs ${runs}`);
  printTable(rows);
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  main().then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}

// CPU-time comparison of verify between this checkout and another (e.g. an older commit), for a machine that is
// not idle. Wall times on a shared 2-core machine grow with the load; the CPU time a process spends (user + system,
// all threads) grows much less, and interleaving the two checkouts gives both the same conditions.
//
// Usage: node scripts/cpu-compare.mjs OTHER_CHECKOUT [--pairs N]
//   OTHER_CHECKOUT: a tree with node_modules (a symlink to ours is fine when package.json agrees) and a built CLI
//   (`npx webpack --mode production --config-name cli`); e.g. `git archive COMMIT | tar -x -C /tmp/old`.
// Prints, per checkout, medians over N interleaved pairs (default 5): in-process CPU ms per verifyMessage for the
// 5 KB message (same signer again, 600 calls), a 5 KB message from a signer not seen before (32 messages) and the
// 11 MB one (40 calls), each in a fresh process of that checkout; and the CLI's user + system ms (resolution 10 ms)
// on the same files. Figures only, no pass/fail.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, median } from './bench.mjs';

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** In a child process of checkout `root`: CPU ms per verify for each case, as JSON on stdout. */
async function child(root) {
  const b = await import(pathToFileURL(join(root, 'scripts', 'bench.mjs')).href);
  const ctx = await b.makeContext(7);
  const { core, pki, support } = ctx;
  const anchors = core.loadCertificates(readFileSync(pki.root.certPath)).certs;
  const verify = (raw) => core.verifyMessage(raw, { anchors });
  const perCall = async (raw, n) => {
    for (let i = 0; i < 3; i++) await verify(raw);
    const c0 = cpuMs();
    for (let i = 0; i < n; i++) await verify(raw);
    return (cpuMs() - c0) / n;
  };
  const out = {
    small: await perCall(new Uint8Array(ctx.messages.small.bytes), 600),
    large: await perCall(new Uint8Array(ctx.messages.large.bytes), 40),
  };
  const fresh = [];
  for (let i = 0; i < 36; i++) {
    const who = await pki.issue({ name: `New Signer ${i}`, email: `new${i}@example.com` });
    const m = await support.pki.smimeSign({
      signer: who,
      headers: { from: `New Signer ${i} <new${i}@example.com>`, to: 'bob@example.org', subject: 'bench' },
      content: support.messages.entityWithAttachment(800, { text: 'Hello Bob,\n' }),
    });
    fresh.push(new Uint8Array(m.bytes));
  }
  for (let r = 0; r < 10; r++) for (const raw of fresh.slice(0, 4)) await verify(raw);
  const c0 = cpuMs();
  for (const raw of fresh.slice(4)) await verify(raw);
  out.newSigner = (cpuMs() - c0) / (fresh.length - 4);
  process.stdout.write(JSON.stringify(out));
}

function processCpu(cmd, args) {
  const r = spawnSync('/usr/bin/time', ['-f', '__cpu %U %S', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const m = /__cpu (\S+) (\S+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`${cmd} ${args.join(' ')}: exit ${r.status}\n${r.stderr}`);
  return (Number(m[1]) + Number(m[2])) * 1000;
}

async function main() {
  const other = process.argv[2] && resolve(process.argv[2]);
  if (!other) throw new Error('usage: node scripts/cpu-compare.mjs OTHER_CHECKOUT [--pairs N]');
  const i = process.argv.indexOf('--pairs');
  const pairs = i > 0 ? Number(process.argv[i + 1]) : 5;
  const sides = { other, this: ROOT };
  const res = {};
  const add = (side, k, v) => ((res[side] ??= {})[k] ??= []).push(v);
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const load0 = load();
  for (let p = 0; p < pairs; p++) {
    for (const [side, root] of Object.entries(sides)) {
      const r = spawnSync(process.execPath, [join(ROOT, 'scripts', 'cpu-compare.mjs'), '--child', root], { encoding: 'utf8', maxBuffer: 1 << 26 });
      if (r.status !== 0) throw new Error(`${side}: ${r.stderr}`);
      for (const [k, v] of Object.entries(JSON.parse(r.stdout))) add(side, k, v);
    }
  }
  // The CLI rows on one pair of files (this checkout's fixtures), interleaved, 3 × pairs runs each.
  const b = await import('./bench.mjs');
  const ctx = await b.makeContext(7);
  for (let p = 0; p < 3 * pairs; p++) {
    for (const [side, root] of Object.entries(sides)) {
      for (const [k, m] of [['cli5KB', ctx.messages.small], ['cli11MB', ctx.messages.large]]) {
        add(side, k, processCpu(process.execPath, [join(root, 'dist', 'cli', 'smime-addin.cjs'), 'verify', m.path, '--anchor', ctx.pki.root.certPath, '--json']));
      }
    }
  }
  console.log(`CPU ms (user + system), medians; ${pairs} pairs in process, ${3 * pairs} CLI runs each; load ${load0} → ${load()}`);
  console.log(`other: ${other}\nthis:  ${ROOT}`);
  const rows = [['verify 5 KB in process, same signer', 'small'], ['verify 5 KB in process, new signer', 'newSigner'], ['verify 11 MB in process', 'large'], ['CLI verify 5 KB', 'cli5KB'], ['CLI verify 11 MB', 'cli11MB']];
  for (const [label, k] of rows) {
    const a = median(res.other[k]);
    const t = median(res.this[k]);
    console.log(`${label.padEnd(38)} other ${a.toFixed(2).padStart(8)}  this ${t.toFixed(2).padStart(8)}  (${t >= a ? '+' : ''}${(((t - a) / a) * 100).toFixed(0)}%)`);
  }
}

if (process.argv[2] === '--child') {
  child(process.argv[3]).then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
} else {
  main().then(() => process.exit(0), (e) => (console.error(e), process.exit(1)));
}

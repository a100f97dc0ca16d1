/**
 * The main command on a machine with only Node and npm (issue 13): `npm install && npm start` must build and serve
 * without `zip`, `openssl` or `sudo` on PATH (a new user hit both: the XPI needed `zip`, the playground samples
 * needed `openssl`). The repository's files are copied to a temporary directory and run there with a PATH that has
 * every program of this machine except those; npm installs from its cache (CI's `npm ci` filled it), no registry.
 * A second `npm start` on the same port must say so in one line, not print a stack trace.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { get } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { ROOT } from '../support/corpus';

const HIDDEN = new Set(['openssl', 'zip', 'sudo', 'certutil']);
const work = mkdtempSync(join(tmpdir(), 'fresh-machine-'));
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.pid && c.exitCode === null) try { process.kill(-c.pid, 'SIGTERM'); } catch { /* gone */ }
  rmSync(work, { recursive: true, force: true });
});

/** A bin directory with a link to every program on PATH except HIDDEN (first one of each name wins, as PATH does). */
function pathWithout(): string {
  const bin = join(work, 'bin');
  mkdirSync(bin);
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir || !existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (HIDDEN.has(name) || existsSync(join(bin, name))) continue;
      try {
        symlinkSync(join(dir, name), join(bin, name));
      } catch { /* a name that appeared twice in one listing */ }
    }
  }
  // node itself may live outside PATH's directories (nvm, tests run by absolute path)
  if (!existsSync(join(bin, 'node'))) symlinkSync(process.execPath, join(bin, 'node'));
  if (!existsSync(join(bin, 'npm'))) {
    const npm = join(dirname(process.execPath), 'npm');
    if (existsSync(npm)) symlinkSync(npm, join(bin, 'npm'));
  }
  return bin;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
}

function fetchText(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

test('npm install && npm start on a machine with only Node and npm: builds, serves, and a taken port is one line', { timeout: 600_000 }, async () => {
  const npmCache = execFileSync('npm', ['config', 'get', 'cache'], { encoding: 'utf8' }).trim();
  const app = join(work, 'app');
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' })
    .split('\n')
    .filter((f) => f && existsSync(join(ROOT, f)) && statSync(join(ROOT, f)).isFile());
  for (const f of files) {
    mkdirSync(dirname(join(app, f)), { recursive: true });
    cpSync(join(ROOT, f), join(app, f));
  }
  const bin = pathWithout();
  const env = { ...process.env, PATH: bin, HOME: join(work, 'home'), npm_config_cache: npmCache, npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' };
  for (const h of HIDDEN) assert.equal(spawnSync('sh', ['-c', `command -v ${h}`], { env }).status !== 0, true, `${h} is hidden`);

  const t0 = Date.now();
  const install = spawnSync('npm', ['install'], { cwd: app, env, encoding: 'utf8', timeout: 300_000 });
  assert.equal(install.status, 0, `npm install failed:\n${install.stderr.slice(-2000)}`);
  const t1 = Date.now();

  const port = await freePort();
  const start = spawn('npm', ['start'], { cwd: app, env: { ...env, PORT: String(port) }, detached: true });
  children.push(start);
  let out = '';
  start.stdout!.on('data', (c) => (out += c));
  start.stderr!.on('data', (c) => (out += c));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (out.includes('Serving ')) { clearInterval(timer); resolve(); }
      else if (start.exitCode !== null) { clearInterval(timer); reject(new Error(`npm start exited ${start.exitCode}:\n${out.slice(-3000)}`)); }
    }, 200);
  });
  const t2 = Date.now();
  console.log(`# fresh machine (no zip/openssl/sudo): npm install ${((t1 - t0) / 1000).toFixed(1)} s, npm start to serving ${((t2 - t1) / 1000).toFixed(1)} s`);
  assert.match(out, /outlook samples: skipped, openssl is not installed/);
  assert.ok(readdirSync(join(app, 'dist', 'thunderbird')).some((f) => f.endsWith('.xpi')), 'the XPI was packed without zip');

  const pane = await fetchText(`https://localhost:${port}/taskpane.html`);
  assert.equal(pane.status, 200);
  assert.match(pane.body, /<script[^>]+src="taskpane\.js"/);
  assert.equal((await fetchText(`https://localhost:${port}/taskpane.js`)).status, 200);
  const playground = await fetchText(`https://localhost:${port}/playground.html`);
  assert.equal(playground.status, 200);

  // Port taken: a second server says so in one line and exits 1.
  const second = spawnSync(process.execPath, ['scripts/serve.mjs'], { cwd: app, env: { ...env, PORT: String(port) }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(second.status, 1);
  const errLines = second.stderr.trim().split('\n');
  assert.equal(errLines.length, 1, second.stderr);
  assert.match(errLines[0], new RegExp(`^serve: port ${port} on localhost is already in use`));
  assert.doesNotMatch(second.stdout + second.stderr, /^\s+at /m, 'no stack trace');
});

/**
 * Real Thunderbird for end-to-end tests: a fresh throw-away profile, add-ons side-loaded as unsigned XPIs,
 * headless, Marionette for reading what the user sees (toolbar badge and title, popup text, screenshots),
 * and a small "driver" MailExtension (test/thunderbird/driver-ext/) that does what a user would do through
 * the WebExtension APIs (import a message into a folder, open it in a tab, write and send a message).
 *
 * The driver long-polls a loopback HTTP server run here for commands and posts the results back.
 * Thunderbird runs in its own process group; stop() signals exactly that group, nothing else.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type IncomingMessage, type ServerResponse } from 'node:http';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { Marionette } from './marionette';

const HERE = dirname(fileURLToPath(import.meta.url));
// The same zip writer the build uses (fflate), so the tests need no `zip` binary either.
const { zipDir } = createRequire(import.meta.url)('../../scripts/zip-dir.cjs') as {
  zipDir: (dir: string, out: string) => void;
};
export const DRIVER_ID = 'tb-e2e-driver@smime-addin.test';

/** The Thunderbird binary, or undefined (then the suite prints why and skips). */
export function findThunderbird(): string | undefined {
  const candidates = [process.env.TB_BIN, '/usr/lib/thunderbird/thunderbird'].filter(Boolean) as string[];
  for (const c of candidates) if (existsSync(c)) return c;
  const which = spawnSync('sh', ['-c', 'command -v thunderbird'], { encoding: 'utf8' });
  const p = which.stdout.trim();
  return p || undefined;
}

const BASE_PREFS = `
user_pref("xpinstall.signatures.required", false);
user_pref("extensions.autoDisableScopes", 0);
user_pref("extensions.startupScanScopes", 1);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("mail.shell.checkDefaultClient", false);
user_pref("mailnews.start_page.enabled", false);
user_pref("mail.provider.suppress_dialog_on_startup", true);
user_pref("mail.rights.version", 1);
user_pref("mail.inappnotifications.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.reportingpolicy.firstRun", false);
user_pref("marionette.port", 0);
user_pref("browser.dom.window.dump.enabled", true);
user_pref("devtools.console.stdout.chrome", true);
user_pref("devtools.console.stdout.content", true);
user_pref("mail.accountmanager.localfoldersserver", "server1");
user_pref("mail.server.server1.type", "none");
user_pref("mail.server.server1.hostname", "Local Folders");
user_pref("mail.server.server1.userName", "nobody");
user_pref("mail.server.server1.name", "Local Folders");
user_pref("mail.server.server1.directory-rel", "[ProfD]Mail/Local Folders");
`;

/**
 * A sending identity on a "none" account whose outgoing server is an SMTP server on loopback (the test's).
 */
export function smtpPrefs(port: number, email: string): string {
  return `
user_pref("mail.accountmanager.accounts", "account2,account1");
user_pref("mail.accountmanager.defaultaccount", "account2");
user_pref("mail.account.account1.server", "server1");
user_pref("mail.account.account2.server", "server2");
user_pref("mail.account.account2.identities", "id1");
user_pref("mail.server.server2.type", "none");
user_pref("mail.server.server2.hostname", "Sender");
user_pref("mail.server.server2.userName", "sender");
user_pref("mail.server.server2.name", "Sender");
user_pref("mail.server.server2.directory-rel", "[ProfD]Mail/Sender");
user_pref("mail.identity.id1.fullName", "Alice Sender");
user_pref("mail.identity.id1.useremail", "${email}");
user_pref("mail.identity.id1.valid", true);
user_pref("mail.identity.id1.smtpServer", "smtp1");
user_pref("mail.identity.id1.fcc", false);
user_pref("mail.identity.id1.compose_html", false);
user_pref("mail.smtpservers", "smtp1");
user_pref("mail.smtpserver.smtp1.hostname", "127.0.0.1");
user_pref("mail.smtpserver.smtp1.port", ${port});
user_pref("mail.smtpserver.smtp1.authMethod", 1);
user_pref("mail.smtpserver.smtp1.try_ssl", 0);
user_pref("mail.smtpserver.smtp1.username", "");
user_pref("mail.smtp.defaultserver", "smtp1");
`;
}

export interface LaunchOptions {
  /** Built XPI files to side-load, by gecko id. The driver is added automatically. */
  addons: { id: string; xpi: string }[];
  extraPrefs?: string;
  /** Files the driver may fetch by name (GET /file/NAME). */
  files?: Map<string, Uint8Array>;
  /** Files to create under the throw-away HOME before start, by relative path (e.g. managed storage manifests). */
  homeFiles?: Record<string, string>;
  timeoutMs?: number;
}

interface Command {
  id: number;
  name: string;
  args: unknown;
}

export class Thunderbird {
  marionette!: Marionette;
  readonly work: string;
  readonly profile: string;
  readonly files: Map<string, Uint8Array>;
  private proc?: ChildProcess;
  private server!: Server;
  private port = 0;
  private queue: Command[] = [];
  private waiters: ((c: Command) => void)[] = [];
  private results = new Map<number, { res: (v: any) => void; rej: (e: Error) => void }>();
  private nextId = 0;
  private driverReady!: Promise<void>;
  private readyResolve!: () => void;
  readonly log: string[] = [];
  private exited = false;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  private constructor(readonly bin: string, files?: Map<string, Uint8Array>) {
    this.work = mkdtempSync(join(tmpdir(), 'tbe2e-'));
    this.profile = join(this.work, 'profile');
    this.files = files ?? new Map();
    this.driverReady = new Promise((r) => (this.readyResolve = r));
  }

  static async launch(bin: string, opts: LaunchOptions): Promise<Thunderbird> {
    const tb = new Thunderbird(bin, opts.files);
    try {
      await tb.start(opts);
    } catch (e) {
      await tb.stop();
      throw e;
    }
    return tb;
  }

  private async start(opts: LaunchOptions): Promise<void> {
    await this.startServer();
    mkdirSync(join(this.profile, 'extensions'), { recursive: true });
    mkdirSync(join(this.work, 'home'), { recursive: true });
    for (const [rel, text] of Object.entries(opts.homeFiles ?? {})) {
      const path = join(this.work, 'home', rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
    for (const a of opts.addons) cpSync(a.xpi, join(this.profile, 'extensions', `${a.id}.xpi`));
    this.packDriver(join(this.profile, 'extensions', `${DRIVER_ID}.xpi`));
    const accounts = opts.extraPrefs?.includes('mail.accountmanager.accounts')
      ? ''
      : 'user_pref("mail.accountmanager.accounts", "account1");\nuser_pref("mail.account.account1.server", "server1");\n';
    writeFileSync(join(this.profile, 'user.js'), BASE_PREFS + accounts + (opts.extraPrefs ?? ''));

    const env = { ...process.env, HOME: join(this.work, 'home'), MOZ_HEADLESS: '1' };
    this.proc = spawn(
      this.bin,
      ['--headless', '--no-remote', '--profile', this.profile, '--marionette', '--remote-allow-system-access'],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const onOut = (d: Buffer) => {
      for (const line of d.toString().split('\n')) if (line && !/Gtk-CRITICAL|gtk_icon_theme/.test(line)) this.log.push(line);
      if (this.log.length > 4000) this.log.splice(0, this.log.length - 4000);
    };
    this.proc.stdout!.on('data', onOut);
    this.proc.stderr!.on('data', onOut);
    this.proc.on('exit', () => (this.exited = true));

    const deadline = Date.now() + (opts.timeoutMs ?? 60000);
    const portFile = join(this.profile, 'MarionetteActivePort');
    while (!existsSync(portFile) || readFileSync(portFile, 'utf8').trim() === '') {
      if (this.exited) throw new Error(`Thunderbird exited during start-up:\n${this.log.slice(-40).join('\n')}`);
      if (Date.now() > deadline) throw new Error('Thunderbird did not open Marionette in time');
      await sleep(100);
    }
    this.marionette = await Marionette.connect(Number(readFileSync(portFile, 'utf8').trim()));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, rej) => {
      timer = setTimeout(
        () => rej(new Error(`the driver add-on did not start:\n${this.log.slice(-40).join('\n')}`)),
        Math.max(1000, deadline - Date.now()),
      );
    });
    try {
      await Promise.race([this.driverReady, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  private packDriver(out: string): void {
    const dir = join(this.work, 'driver');
    cpSync(join(HERE, 'driver-ext'), dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ base: `http://127.0.0.1:${this.port}` }));
    zipDir(dir, out);
  }

  private startServer(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    return new Promise((resolve) =>
      this.server.listen(0, '127.0.0.1', () => {
        const a = this.server.address();
        this.port = typeof a === 'object' && a ? a.port : 0;
        resolve();
      }),
    );
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const h = { 'Access-Control-Allow-Origin': '*', 'Access-Control-Allow-Headers': '*' };
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/command') {
      this.readyResolve();
      const send = (c: Command) => {
        res.writeHead(200, { ...h, 'Content-Type': 'application/json' });
        res.end(JSON.stringify(c));
      };
      const c = this.queue.shift();
      if (c) return send(c);
      // Long poll; an idle reply after 20 s lets the driver re-poll.
      const waiter = (cmd: Command) => {
        clearTimeout(timer);
        this.timers.delete(timer);
        send(cmd);
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        this.timers.delete(timer);
        res.writeHead(204, h);
        res.end();
      }, 20000);
      this.timers.add(timer);
      this.waiters.push(waiter);
      return;
    }
    if (req.method === 'GET' && url.pathname.startsWith('/file/')) {
      const data = this.files.get(decodeURIComponent(url.pathname.slice(6)));
      if (!data) {
        res.writeHead(404, h);
        return void res.end();
      }
      res.writeHead(200, { ...h, 'Content-Type': 'application/octet-stream' });
      return void res.end(Buffer.from(data));
    }
    if (req.method === 'POST') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, h);
        res.end('ok');
        let m: any;
        try {
          m = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return;
        }
        if (url.pathname === '/result') {
          const p = this.results.get(m.id);
          this.results.delete(m.id);
          if (!p) return;
          if (m.ok) p.res(m.value);
          else p.rej(new Error(`driver ${m.name}: ${m.error}`));
        } else if (url.pathname === '/log') {
          this.log.push(`driver: ${JSON.stringify(m)}`);
        }
      });
      return;
    }
    res.writeHead(404, h);
    res.end();
  }

  /** Runs one driver command (see driver-ext/background.js) and returns its value. */
  driver<T = any>(name: string, args: unknown = {}, timeoutMs = 30000): Promise<T> {
    const cmd: Command = { id: ++this.nextId, name, args };
    const p = new Promise<T>((res, rej) => {
      const timer = setTimeout(() => {
        this.results.delete(cmd.id);
        rej(new Error(`driver ${name} timed out`));
      }, timeoutMs);
      this.results.set(cmd.id, {
        res: (v) => (clearTimeout(timer), res(v)),
        rej: (e) => (clearTimeout(timer), rej(e)),
      });
    });
    const w = this.waiters.shift();
    if (w) w(cmd);
    else this.queue.push(cmd);
    return p;
  }

  async stop(): Promise<void> {
    try {
      this.marionette?.close();
    } catch {
      /* already closed */
    }
    const pid = this.proc?.pid;
    if (pid && !this.exited) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        /* gone */
      }
      for (let i = 0; i < 50 && !this.exited; i++) await sleep(100);
      if (!this.exited) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
    }
    // Thunderbird's helper processes can hold our pipes open a while after the group is gone: let go of them.
    this.proc?.stdout?.destroy();
    this.proc?.stderr?.destroy();
    this.proc?.unref();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.waiters = [];
    if (this.server) {
      const closed = new Promise<void>((r) => this.server.close(() => r()));
      this.server.closeAllConnections();
      await closed;
    }
    if (process.env.KEEP_TB_WORKDIR !== '1') rmSync(this.work, { recursive: true, force: true });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls `fn` until it returns a truthy value or the time is up (then returns the last value). */
export async function waitFor<T>(fn: () => Promise<T>, timeoutMs = 15000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = await fn();
  while (!v && Date.now() < end) {
    await sleep(everyMs);
    v = await fn();
  }
  return v;
}

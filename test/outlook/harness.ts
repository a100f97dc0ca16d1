/**
 * Harness for the Outlook e2e tests: serves the BUILT add-in (dist/outlook) on 127.0.0.1 (plain HTTP, loopback
 * only), with extra routes (the admin's policy.json, a Microsoft Graph stand-in), and opens pages in Chromium with
 *   - office.js answered from the local @microsoft/office-js copy (the pages name Microsoft's CDN; the page URL
 *     carries no host info, so office.js starts "outside of Office" and becomes ready),
 *   - a simulated Outlook mailbox installed before the page's code runs (init script; see simulateMailbox),
 *   - every request that would leave loopback recorded and refused,
 *   - console errors, page errors and CSP violations recorded.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { staticHandler } from '../../scripts/serve.mjs';
import { ROOT } from '../support/corpus';

export const DIST = join(ROOT, 'dist', 'outlook');
export const ARTIFACTS = join(ROOT, 'test-artifacts', 'outlook');
const OFFICE_CDN = 'https://appsforoffice.microsoft.com/lib/1/hosted/';
const require = createRequire(import.meta.url);
const OFFICE_DIST = dirname(require.resolve('@microsoft/office-js/dist/office.js'));

/** The demo build: the add-in plus the playground and its samples (`npm run build:playground`). */
export const PLAYGROUND_DIST = join(ROOT, 'dist', 'outlook-playground');

/** Builds dist/outlook when it is missing (npm test builds first; a lone test run may not have). */
export function ensureBuilt(): void {
  buildIfMissing(DIST, ['--config-name', 'outlook']);
}

/** Builds dist/outlook-playground when it is missing. */
export function ensurePlaygroundBuilt(): void {
  buildIfMissing(PLAYGROUND_DIST, ['--env', 'playground', '--config-name', 'outlook-playground']);
}

function buildIfMissing(dir: string, args: string[]): void {
  if (existsSync(join(dir, 'taskpane.html')) && existsSync(join(dir, 'roots.json'))) return;
  const r = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'webpack-cli', 'bin', 'cli.js'), '--mode', 'production', ...args], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`building ${dir} failed`);
}

export type Route = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void | Promise<void>;

export interface TestServer {
  origin: string;
  routes: Map<string, Route>;
  close(): Promise<void>;
}

export async function startServer(dir: string = DIST): Promise<TestServer> {
  const routes = new Map<string, Route>();
  const files = staticHandler(dir);
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      const route = [...routes.entries()].find(([prefix]) => path === prefix || (prefix.endsWith('/') && path.startsWith(prefix)));
      if (route) {
        Promise.resolve(route[1](req, res, Buffer.concat(chunks))).catch((e: unknown) => {
          res.writeHead(500).end(String(e));
        });
        return;
      }
      files(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    routes,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

export interface SimItem {
  id: string;
  subject: string;
  from: string;
  fromName?: string;
  /** base64 of the EML; absent together with mode 'fail'/'missing'. */
  b64?: string;
  /** 'ok' (default): getAsFileAsync succeeds; 'fail': it reports an error (as new Outlook does for restricted
   * S/MIME items); 'missing': the client lacks it (below Mailbox 1.14). */
  mode?: 'ok' | 'fail' | 'missing';
  /**
   * The read-mode display API (item.display, Mailbox preview): 'ok' records what the add-in shows in
   * window.__sim.displayed; 'denied' answers as Outlook does without read/write item permission; absent = no API.
   */
  display?: 'ok' | 'denied';
}

export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors and CSP violations. */
  problems: string[];
  /** URLs the page tried to reach outside loopback (all refused). */
  offLoopback: string[];
  /** office.js's telemetry frame, blocked by the CSP (see OFFICE_TELEMETRY). */
  officeTelemetryBlocked: string[];
}

/**
 * The simulated mailbox, installed by an init script before any page script runs. office.js assigns the global
 * `Office` (several times while it loads); a getter puts the simulated mailbox into `Office.context` whenever
 * page code reads `Office`, so the add-in's own code path (Office.onReady, then Office.context.mailbox) is used
 * unchanged. `window.__sim.select(item)` switches the message and fires ItemChanged, as Outlook does for a pinned
 * pane.
 */
export function simulateMailbox(first: SimItem): void {
  type Cb = (r: unknown) => void;
  const handlers: ((a: unknown) => void)[] = [];
  (window as unknown as { __simDisplayed: Record<string, unknown> }).__simDisplayed = {};
  const makeItem = (it: SimItem) => {
    const item: Record<string, unknown> = {
      itemType: 'message',
      itemId: it.id,
      subject: it.subject,
      from: { emailAddress: it.from, displayName: it.fromName ?? it.from },
    };
    if (it.display) {
      const shown = (window as unknown as { __simDisplayed: Record<string, unknown> }).__simDisplayed;
      const answer = (cb: Cb | undefined) =>
        setTimeout(() => cb?.(it.display === 'ok' ? { status: 'succeeded', value: undefined } : { status: 'failed', value: undefined, error: { code: 9041, name: 'PermissionDenied', message: 'Permission denied.' } }), 0);
      item.display = {
        subject: {
          setAsync(data: string, cb?: Cb) {
            if (it.display === 'ok') shown.subject = data;
            answer(cb);
          },
        },
        body: {
          setAsync(data: string, opts: { coercionType?: string }, cb?: Cb) {
            if (it.display === 'ok') Object.assign(shown, { body: data, coercionType: opts?.coercionType });
            answer(cb);
          },
        },
      };
    }
    if (it.mode !== 'missing') {
      item.getAsFileAsync = (_opts: unknown, cb: Cb) => {
        setTimeout(() => {
          if (it.mode === 'fail') {
            cb({ status: 'failed', value: undefined, error: { code: 9020, name: 'GenericResponseError', message: 'The operation is not supported for this item.' } });
          } else cb({ status: 'succeeded', value: it.b64 });
        }, 0);
      };
    }
    return item;
  };
  const mailbox = {
    item: makeItem(first),
    userProfile: { emailAddress: 'bob@example.com', displayName: 'Bob Example' },
    diagnostics: { hostName: 'OutlookWebApp', hostVersion: 'simulated' },
    addHandlerAsync(type: string, handler: (a: unknown) => void, cb?: Cb) {
      if (type === 'olkItemSelectedChanged') handlers.push(handler);
      setTimeout(() => cb?.({ status: 'succeeded', value: undefined }), 0);
    },
    convertToRestId(id: string) {
      return `rest-${id}`;
    },
  };
  (window as unknown as { __sim: unknown }).__sim = {
    mailbox,
    select(it: SimItem) {
      mailbox.item = makeItem(it);
      for (const h of handlers) h({ type: 'olkItemSelectedChanged' });
    },
    handlerCount: () => handlers.length,
  };
  installMailbox(mailbox);
}

/**
 * Puts `mailbox` into Office.context whenever page code reads the global `Office` (office.js assigns the global
 * several times while it loads and defines Office.context itself), so the add-in's own code path
 * (Office.onReady, then Office.context.mailbox) runs unchanged over the simulation.
 */
export function installMailbox(mailbox: unknown): void {
  let office: { context?: { mailbox?: unknown } } | undefined;
  const install = () => {
    if (office?.context && office.context.mailbox !== mailbox) office.context.mailbox = mailbox;
  };
  Object.defineProperty(window, 'Office', {
    configurable: true,
    get() {
      install();
      return office;
    },
    set(v) {
      office = v;
    },
  });
}

/** Records when a verdict first appears (performance.now(), i.e. ms since navigation start), for the benchmark. */
function recordVerdictTime(): void {
  const w = window as unknown as { __verdictAt?: number };
  new MutationObserver((_m, obs) => {
    if (document.querySelector('[data-verdict]')) {
      w.__verdictAt = performance.now();
      obs.disconnect();
    }
  }).observe(document, { childList: true, subtree: true });
}

/** Reports every CSP violation on the console with what was blocked and on which element. */
function reportCspViolations(): void {
  document.addEventListener('securitypolicyviolation', (e) => {
    const t = e.target as Element | null;
    const where = t && 'tagName' in t ? `${t.tagName} ${t.getAttribute('src') ?? ''}` : '';
    console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || '(inline)'} at ${where}`);
  });
}

/**
 * office.js, when it runs outside an Office client (as in these tests: the page URL carries no host info),
 * loads o15apptofilemappingtable.js, whose logger frames Microsoft's telemetry proxy 3 s after load (an iframe
 * with an inline style). The pages' CSP blocks both, as intended. These two violations are counted apart;
 * every other CSP violation is a failure. Inside Outlook on the web, office.js's host script has no such frame.
 */
export const OFFICE_TELEMETRY = 'telemetryservice.firstpartyapps.oaspapps.com';

function isOfficeTelemetryViolation(text: string): boolean {
  return text.startsWith('CSP violation:') && text.includes(OFFICE_TELEMETRY);
}

/** tsx (esbuild) wraps named functions in __name(); functions sent to the page need it defined there. */
const NAME_SHIM = 'var __name = (fn) => fn;';

/**
 * Outlook's nested app authentication bridge (window.nestedAppAuthBridge), simulated: MSAL posts JSON requests
 * (GetInitContext, GetToken, GetTokenPopup) and the "host" answers with an unsigned ID token and an access token
 * "simulated-token <scopes>". Requests are recorded in window.__naaRequests.
 */
export function simulateNaaBridge(cfg: { clientId: string; email: string; name: string }): void {
  const w = window as unknown as Record<string, unknown>;
  const listeners: ((m: string) => void)[] = [];
  const requests: string[] = [];
  w.__naaRequests = requests;
  const b64url = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  const tid = '9188040d-6c67-4c5b-b112-36a304b66dad';
  const oid = '00000000-0000-0000-66f3-3332eca7ea81';
  const now = Math.floor(Date.now() / 1000);
  const idToken = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({
    aud: cfg.clientId,
    iss: `https://login.microsoftonline.com/${tid}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + 3600,
    name: cfg.name,
    oid,
    preferred_username: cfg.email,
    sub: 'simulated',
    tid,
    ver: '2.0',
  })}.`;
  w.nestedAppAuthBridge = {
    addEventListener: (_type: string, fn: (m: string) => void) => listeners.push(fn),
    removeEventListener: () => undefined,
    postMessage: (message: string) => {
      const req = JSON.parse(message) as { method: string; requestId: string; tokenParams?: { scope?: string } };
      const scope = req.tokenParams?.scope ?? '';
      requests.push(`${req.method} ${scope}`.trim());
      const base = { messageType: 'NestedAppAuthResponse', requestId: req.requestId, success: true };
      const resp =
        req.method === 'GetInitContext'
          ? { ...base, initContext: { sdkName: 'simulated-outlook', sdkVersion: '1.0', capabilities: { queryAccount: false } } }
          : {
              ...base,
              token: { access_token: `simulated-token ${scope}`, expires_in: 3600, id_token: idToken, properties: null, scope },
              account: { homeAccountId: `${oid}.${tid}`, environment: 'login.microsoftonline.com', tenantId: tid, username: cfg.email, localAccountId: oid, name: cfg.name },
            };
      setTimeout(() => {
        for (const l of listeners) l(JSON.stringify(resp));
      }, 0);
    },
  };
}

/** A page script run before the page's own: `fn(arg)`, with the simulations above in scope. */
export interface CustomInit {
  fn: (arg: never) => void;
  arg: unknown;
}

/**
 * Opens `path` of the served add-in in a fresh browser context with the simulated read mailbox over `item`, or
 * with a custom simulation (`custom`, e.g. a compose item and a nested-app-auth bridge).
 */
export async function openPage(browser: Browser, server: TestServer, path: string, item: SimItem | undefined, custom?: CustomInit): Promise<OpenedPage> {
  return openPageIn(await browser.newContext({ viewport: { width: 420, height: 900 } }), server, path, item, custom);
}

/** openPage in a given context, e.g. a persistent one whose profile directory a test reads afterwards. */
export async function openPageIn(context: BrowserContext, server: TestServer, path: string, item: SimItem | undefined, custom?: CustomInit): Promise<OpenedPage> {
  const page = await context.newPage();
  const problems: string[] = [];
  const offLoopback: string[] = [];
  const officeTelemetryBlocked: string[] = [];
  page.on('console', (m) => {
    if (m.type() !== 'error') return;
    const text = m.text();
    // Chromium's own CSP console lines duplicate the securitypolicyviolation reports, which say more.
    if (text.includes('Content Security Policy directive')) return;
    if (isOfficeTelemetryViolation(text)) officeTelemetryBlocked.push(text);
    else problems.push(`console error: ${text}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await context.route('**/*', async (route) => {
    const url = route.request().url();
    if (url.startsWith(OFFICE_CDN)) {
      const file = join(OFFICE_DIST, new URL(url).pathname.slice('/lib/1/hosted/'.length));
      if (existsSync(file)) return route.fulfill({ status: 200, contentType: 'text/javascript', body: readFileSync(file) });
      return route.fulfill({ status: 404, body: 'not in the local office-js copy' });
    }
    const u = new URL(url);
    if (u.hostname === '127.0.0.1' || u.protocol === 'data:' || u.protocol === 'blob:') return route.continue();
    offLoopback.push(url);
    return route.abort('blockedbyclient');
  });
  const prelude = [NAME_SHIM, reportCspViolations, installMailbox, simulateMailbox, simulateNaaBridge]
    .map((f) => f.toString())
    .join('\n');
  const run = custom ? `(${custom.fn.toString()})(${JSON.stringify(custom.arg)});` : item ? `simulateMailbox(${JSON.stringify(item)});` : '';
  await page.addInitScript({ content: `${prelude}\nreportCspViolations();\n(${recordVerdictTime.toString()})();\n${run}` });
  await page.goto(`${server.origin}/${path}`);
  return { page, context, problems, offLoopback, officeTelemetryBlocked };
}

/** axe-core on the page: violations of impact serious or critical, as "id (impact): target". */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const src = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(src); // through the DevTools protocol, which the page's CSP does not govern
  return page.evaluate(async () => {
    type Axe = { run: (ctx: unknown, opts?: unknown) => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> };
    const r = await (window as unknown as { axe: Axe }).axe.run(document);
    return r.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
}

/** The checks every pane state must pass: screenshot taken, nothing off loopback, no console/CSP problem, no serious axe violation. */
export async function assertCleanPage(o: OpenedPage, name: string): Promise<void> {
  await screenshot(o.page, name);
  assert.deepEqual(o.offLoopback, [], 'requests left loopback');
  assert.deepEqual(o.problems, [], 'console errors or CSP violations');
  assert.deepEqual(await seriousA11yViolations(o.page), [], 'serious accessibility violations');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

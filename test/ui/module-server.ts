/**
 * Serves repository TypeScript modules to a browser page as ES modules, transpiled one file at a time with
 * the TypeScript compiler (no bundler), through Playwright's request routing: nothing touches the network.
 * Relative imports without an extension ("./dom") are rewritten to the served path of the .ts file.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { after, before } from 'node:test';
import ts from 'typescript';
import { launchChromium } from '../outlook/chromium';
import { ROOT } from '../support/corpus';

export const ORIGIN = 'http://ui.test';

function transpile(file: string): string {
  const src = readFileSync(file, 'utf8');
  const out = ts.transpileModule(src, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, verbatimModuleSyntax: false },
    fileName: file,
  }).outputText;
  return out.replace(/(from\s+|import\s+)(['"])(\.{1,2}\/[^'"]+)\2/g, (_m, kw: string, q: string, spec: string) => {
    const target = normalize(join(dirname(file), spec));
    return `${kw}${q}/${relative(ROOT, target).split('\\').join('/')}.ts${q}`;
  });
}

/** Routes ORIGIN: "/" serves `html` with `csp`, "/x.ts" serves the transpiled module, "/x.css" the file. */
export async function serveModules(page: Page, html: string, csp: string): Promise<void> {
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    const headers = { 'content-security-policy': csp };
    if (url.pathname === '/') return route.fulfill({ status: 200, contentType: 'text/html', body: html, headers });
    const file = join(ROOT, normalize(url.pathname).replace(/^[/\\]+/, ''));
    if (!file.startsWith(ROOT)) return route.fulfill({ status: 403, body: 'no' });
    try {
      if (file.endsWith('.ts')) return route.fulfill({ status: 200, contentType: 'text/javascript', body: transpile(file), headers });
      if (file.endsWith('.css')) return route.fulfill({ status: 200, contentType: 'text/css', body: readFileSync(file, 'utf8'), headers });
    } catch {
      /* fall through to 404 */
    }
    return route.fulfill({ status: 404, body: 'not found' });
  });
}

/**
 * A new page of `browser` serving `html` under `csp` (serveModules), loaded and ready (the harness module sets
 * html[data-ready="1"]). `problems` collects console errors and warnings, page errors and CSP violations.
 */
export async function openModulePage(browser: Browser, html: string, csp: string): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  await serveModules(page, html, csp);
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForSelector('html[data-ready="1"]');
  return { page, problems };
}

/**
 * For a test suite: launches Chromium before its tests and opens the page (openModulePage), closes it after.
 * Read `page` and `problems` inside tests (they exist once the suite's before hook ran).
 */
export function useModulePage(html: string, csp: string): { readonly page: Page; readonly problems: string[] } {
  let browser: Browser | undefined;
  let opened: { page: Page; problems: string[] } | undefined;
  before(async () => {
    browser = await launchChromium();
    opened = await openModulePage(browser, html, csp);
  });
  after(async () => {
    await browser?.close();
  });
  const get = () => {
    if (!opened) throw new Error('the page is opened in the suite\'s before hook');
    return opened;
  };
  return {
    get page() {
      return get().page;
    },
    get problems() {
      return get().problems;
    },
  };
}

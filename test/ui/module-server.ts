/**
 * Serves repository TypeScript modules to a browser page as ES modules, transpiled one file at a time with
 * the TypeScript compiler (no bundler), through Playwright's request routing: nothing touches the network.
 * Relative imports without an extension ("./dom") are rewritten to the served path of the .ts file.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import type { Page } from 'playwright-core';
import ts from 'typescript';
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

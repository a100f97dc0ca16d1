/**
 * What the build writes into dist/outlook: every page, with a strict Content-Security-Policy (no inline script
 * or style, no eval), office.js from Microsoft's CDN only (the store rule; the local @microsoft/office-js copy is
 * for tests), no inline script, the bundled roots as data, and the task pane's scripts within 200 KB gzipped.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { before, test } from 'node:test';
import { DIST, PLAYGROUND_DIST, ensureBuilt, ensurePlaygroundBuilt } from './harness';

const OFFICE_JS = 'https://appsforoffice.microsoft.com/lib/1/hosted/office.js';
const PAGES = ['taskpane.html', 'compose.html', 'commands.html', 'support.html'];

before(() => {
  ensureBuilt();
  ensurePlaygroundBuilt();
});

function cspOf(html: string): string {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
  assert.ok(m, 'CSP meta present');
  return m[1];
}

test('every page exists with a strict CSP and no inline script', () => {
  for (const [dir, page] of [...PAGES.map((p) => [DIST, p]), ...[...PAGES, 'playground.html'].map((p) => [PLAYGROUND_DIST, p])]) {
    const html = readFileSync(join(dir, page), 'utf8');
    const csp = cspOf(html);
    assert.match(csp, /default-src 'none'/, page);
    assert.match(csp, /style-src 'self'(;|$)/, page);
    assert.match(csp, /object-src 'none'/, page);
    assert.match(csp, /base-uri 'none'/, page);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|\*/, page);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    for (const [, attrs, body] of scripts) {
      assert.match(attrs, /\bsrc="/, `${page}: every script has a src`);
      assert.equal(body.trim(), '', `${page}: no inline script`);
    }
    assert.doesNotMatch(html, /\son[a-z]+=/i, `${page}: no inline event handlers`);
    assert.doesNotMatch(html, /\sstyle=/i, `${page}: no inline style`);
  }
});

test('office.js comes from Microsoft\'s CDN in the shipped pages; no local copy is shipped', () => {
  for (const page of ['taskpane.html', 'compose.html', 'commands.html']) {
    const html = readFileSync(join(DIST, page), 'utf8');
    assert.ok(html.includes(`<script src="${OFFICE_JS}"></script>`), page);
    assert.match(cspOf(html), /script-src 'self' https:\/\/appsforoffice\.microsoft\.com;/, page);
  }
  for (const file of [join(PLAYGROUND_DIST, 'playground.html'), join(DIST, 'support.html')]) {
    assert.match(cspOf(readFileSync(file, 'utf8')), /script-src 'self';/, file);
  }
  const files = readdirSync(DIST, { recursive: true }).map(String);
  assert.ok(!files.some((f) => /office(\.debug)?\.js$/.test(f) || f.includes('o15apptofilemappingtable')), 'no office.js copy in dist');
});

test('no eval or Function constructor in the task pane scripts', () => {
  for (const f of readdirSync(DIST).filter((n) => n.endsWith('.js') && !n.startsWith('msal.'))) {
    const js = readFileSync(join(DIST, f), 'utf8');
    assert.doesNotMatch(js, /[^\w$.]eval\(|new Function\(/, f);
  }
});

test('assets, manifests, config and data files are there', () => {
  for (const f of ['verdict.css', 'pane.css', 'setup.css', 'audit-report.css', 'manifest.xml', 'manifest.json', 'config.json', 'roots.json', 'assets/icon-16.png', 'assets/icon-32.png', 'assets/icon-80.png', 'assets/icon-192.png', 'assets/icon-outline-32.png']) {
    assert.ok(existsSync(join(DIST, f)), f);
  }
  const png = readFileSync(join(DIST, 'assets', 'icon-80.png'));
  assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.equal(png.readUInt32BE(16), 80);
  const roots = JSON.parse(readFileSync(join(DIST, 'roots.json'), 'utf8')) as { roots: unknown[]; meta: { count: number } };
  assert.equal(roots.roots.length, roots.meta.count);
  assert.ok(roots.roots.length > 50);
});

test('task pane scripts stay within 200 KB gzipped (the bundled roots travel as data, not script)', () => {
  const html = readFileSync(join(DIST, 'taskpane.html'), 'utf8');
  const own = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]).filter((s) => !s.startsWith('https://'));
  // Chunks the pane loads on every verification (settings, graph and msal load only on demand).
  const files = [...own, ...readdirSync(DIST).filter((n) => n.endsWith('.chunk.js') && !/^(settings|graph|msal)\./.test(n))];
  const gz = files.reduce((sum, f) => sum + gzipSync(readFileSync(join(DIST, f)), { level: 9 }).length, 0);
  console.log(`# task pane scripts: ${files.join(', ')} = ${(gz / 1024).toFixed(1)} KB gzipped`);
  assert.ok(gz <= 200 * 1024, `${gz} bytes gzipped`);
});

test('production builds ship no playground: no playground pages or scripts, no .p12, no sample messages', () => {
  const files = readdirSync(DIST, { recursive: true }).map(String);
  const shipped = files.filter((f) => /playground|(^|\/)samples(\/|$)|\.p12$|\.pfx$|\.eml$|\.key$/i.test(f));
  assert.deepEqual(shipped, [], 'dist/outlook must not contain the playground or its demo data');
  // The pane's pages do not load the playground's frame opt-out, and the pane's script has no playground hook.
  for (const page of PAGES) assert.doesNotMatch(readFileSync(join(DIST, page), 'utf8'), /playground/i, page);
  for (const f of files.filter((n) => n.endsWith('.js'))) assert.doesNotMatch(readFileSync(join(DIST, f), 'utf8'), /smimePlayground/, f);
  // No private key material anywhere (PEM keys; .p12 files are refused by name above).
  for (const f of files) {
    const p = join(DIST, f);
    if (!statSync(p).isFile()) continue;
    assert.doesNotMatch(readFileSync(p, 'latin1'), /BEGIN (ENCRYPTED |RSA |EC )?PRIVATE KEY/, f);
  }
  // The demo build has what the playground needs.
  for (const f of ['playground.html', 'playground.js', 'playground-frame.js', 'playground.css', 'samples/index.json', 'samples/bob.p12', 'taskpane.html']) {
    assert.ok(existsSync(join(PLAYGROUND_DIST, f)), `dist/outlook-playground/${f}`);
  }
  assert.match(readFileSync(join(PLAYGROUND_DIST, 'taskpane.html'), 'utf8'), /<script src="playground-frame\.js"><\/script>/);
  console.log(`# production dist/outlook: ${files.length} files, none of them playground, samples or keys`);
});

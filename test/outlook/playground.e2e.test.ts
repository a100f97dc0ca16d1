/**
 * The built playground (dist/outlook-playground/playground.html, the demo build) in Chromium: the simulated reading pane lists the
 * build-time samples, the REAL task pane in the frame checks the selected message at once, and selecting another
 * message re-checks it (ItemChanged), all without any request leaving loopback and without CSP violations.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chromiumSkip, launchChromium } from './chromium';
import { PLAYGROUND_DIST as DIST, type OpenedPage, type TestServer, ensurePlaygroundBuilt, openPage, screenshot, seriousA11yViolations, startServer } from './harness';

const skip = chromiumSkip();

describe('playground: simulated reading pane beside the real task pane', { skip }, () => {
  let browser: Browser;
  let server: TestServer;
  let o: OpenedPage;

  before(async () => {
    ensurePlaygroundBuilt();
    if (!existsSync(join(DIST, 'samples', 'index.json'))) throw new Error('dist/outlook-playground/samples is missing: build with openssl available');
    [server, browser] = await Promise.all([startServer(DIST), launchChromium()]);
    // policy.json absent on purpose: the playground's own root must be what makes its samples trusted.
    server.routes.set('/policy.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    o = await openPage(browser, server, 'playground.html', undefined);
  });

  after(async () => {
    await o?.context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  test('lists every sample and the pane checks the selected one without a click', async () => {
    const index = JSON.parse(readFileSync(join(DIST, 'samples', 'index.json'), 'utf8')) as { samples: { id: string; expect: string }[] };
    await o.page.locator('.pg-item').first().waitFor({ timeout: 20_000 });
    assert.equal(await o.page.locator('.pg-item').count(), index.samples.length);
    const pane = o.page.frameLocator('#pane');
    await pane.locator('[data-verdict="trusted"]').waitFor({ timeout: 30_000 });
    assert.match(await pane.locator('#verdict').innerText(), /Playground: the sample test CA is trusted here only/);
    await screenshot(o.page, 'playground-trusted');
  });

  test('selecting another message re-checks it in the pane', async () => {
    const pane = o.page.frameLocator('#pane');
    for (const [id, verdict] of [
      ['tampered', 'invalid'],
      ['untrusted-root', 'untrusted'],
      ['sender-mismatch', 'untrusted'],
      ['unsigned', 'unsigned'],
    ] as const) {
      await o.page.locator(`.pg-item[data-id="${id}"]`).click();
      await pane.locator(`[data-verdict="${verdict}"]`).waitFor({ timeout: 30_000 });
      assert.equal(await o.page.locator(`.pg-item[data-id="${id}"]`).getAttribute('aria-current'), 'true');
    }
    await o.page.locator('.pg-item[data-id="sender-mismatch"]').click();
    await pane.locator('[data-warning="sender-mismatch"]').waitFor({ timeout: 30_000 });
    await screenshot(o.page, 'playground-sender-mismatch');
  });

  test('nothing left loopback; no console errors, CSP violations or serious accessibility problems', async () => {
    assert.deepEqual(o.offLoopback, []);
    assert.deepEqual(o.problems, []);
    assert.deepEqual(await seriousA11yViolations(o.page), []);
  });
});

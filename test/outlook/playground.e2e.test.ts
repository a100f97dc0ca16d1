/**
 * The built playground (dist/outlook-playground/playground.html, the demo build) in Chromium: the simulated reading pane lists the
 * build-time samples, the REAL task pane in the frame checks the selected message at once, and selecting another
 * message re-checks it (ItemChanged), all without any request leaving loopback and without CSP violations.
 * A message file opened with the button or dropped on the pane becomes the simulated mailbox's current item:
 * the reading pane shows it, a Settings change re-checks it, and "Check as of" checks it at an earlier date.
 * Those files come from a PKI made here with OpenSSL (test/support/pki.ts), whose root the admin policy anchors.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, launchChromium } from './chromium';
import { type MessageFile, makePki, smimeSign } from '../support/pki';
import { PLAYGROUND_DIST as DIST, type OpenedPage, type TestServer, ensurePlaygroundBuilt, openPage, screenshot, seriousA11yViolations, startServer } from './harness';

const skip = chromiumSkip();

describe('playground: simulated reading pane beside the real task pane', { skip }, () => {
  let browser: Browser;
  let server: TestServer;
  let o: OpenedPage;
  /** Signed by a certificate valid now, with a From that is not the signer. */
  let mismatch: MessageFile;
  /** Signed in February 2021 by a certificate that was valid from September 2020 to September 2021 only. */
  let old: MessageFile;

  before(async () => {
    ensurePlaygroundBuilt();
    if (!existsSync(join(DIST, 'samples', 'index.json'))) throw new Error('dist/outlook-playground/samples is missing: build with openssl available');
    const pki = await makePki();
    const [alice, olga] = await Promise.all([
      pki.issue({ name: 'Alice', email: 'alice@example.test' }),
      pki.issue({ name: 'Olga', email: 'olga@example.test', start: new Date('2020-09-01T00:00:00Z'), end: new Date('2021-09-01T00:00:00Z') }),
    ]);
    const body = 'Content-Type: text/plain; charset=utf-8\r\n\r\nHello from a file.\r\n';
    [mismatch, old] = await Promise.all([
      smimeSign({ signer: alice, content: body, headers: { from: 'Mallory <mallory@example.test>', to: 'bob@example.com', subject: 'Opened file: sender is not the signer' } }),
      smimeSign({ signer: olga, content: body, signingTime: new Date('2021-02-01T10:00:00Z'), headers: { from: 'Olga <olga@example.test>', to: 'bob@example.com', subject: 'Opened file: old mail' } }),
    ]);
    [server, browser] = await Promise.all([startServer(DIST), launchChromium()]);
    // The samples' root comes from the playground only; the admin policy anchors just this test's own PKI.
    server.routes.set('/policy.json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ anchors: [pki.root.certPem] }));
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

  test('"Open a message file…" opens a file chosen with the button and the pane checks it', async () => {
    const chooser = o.page.waitForEvent('filechooser');
    await o.page.getByRole('button', { name: 'Open a message file…' }).click();
    await (await chooser).setFiles({ name: 'mismatch.eml', mimeType: 'message/rfc822', buffer: mismatch.bytes });
    await o.page.locator('#reading h2', { hasText: 'Opened file: sender is not the signer' }).waitFor({ timeout: 20_000 });
    const pane = o.page.frameLocator('#pane');
    // The sender-mismatch warning names the opened file's From (the sample before it names another address).
    await pane.locator('[data-warning="sender-mismatch"]', { hasText: 'mallory@example.test' }).waitFor({ timeout: 30_000 });
    assert.equal(await verdictOf(o.page), 'untrusted');
    assert.equal(await o.page.locator('.pg-item[data-id="file-1"]').getAttribute('aria-current'), 'true');
    await screenshot(o.page, 'playground-opened-file');
  });

  test('a file dropped on the pane shows in the reading pane (subject, From, To, description), not the previous message', async () => {
    const frame = o.page.frames().find((f) => f.url().endsWith('/taskpane.html'));
    assert.ok(frame, 'the pane frame');
    const dt = await frame.evaluateHandle(
      ({ b64, name }) => {
        const t = new DataTransfer();
        t.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name, { type: 'message/rfc822' }));
        return t;
      },
      { b64: old.bytes.toString('base64'), name: 'old.eml' },
    );
    await frame.dispatchEvent('body', 'drop', { dataTransfer: dt });
    const reading = o.page.locator('#reading');
    await reading.locator('h2', { hasText: 'Opened file: old mail' }).waitFor({ timeout: 20_000 });
    const text = await reading.innerText();
    assert.match(text, /From: Olga <olga@example\.test>/);
    assert.match(text, /To: bob@example\.com/);
    assert.match(text, /Opened from the file old\.eml/);
    assert.doesNotMatch(text, /sender is not the signer/);
    assert.equal(await o.page.locator('.pg-item[data-id="file-2"]').getAttribute('aria-current'), 'true');
    assert.equal(await o.page.locator('.pg-item[data-id="file-1"]').getAttribute('aria-current'), 'false');
    // The pane checks the dropped file as the mailbox's current item (not as a file of its own).
    const pane = o.page.frameLocator('#pane');
    await pane.locator('[data-code="cert-expired"]').first().waitFor({ timeout: 30_000 });
    assert.match(await pane.locator('#verdict').innerText(), /Read from the playground's simulated mailbox/);
    await screenshot(o.page, 'playground-dropped-file');
  });

  test('a Settings change re-checks the opened file: sender match "warn" turns it trusted with the warning', async () => {
    await o.page.locator('.pg-item[data-id="file-1"]').click();
    const pane = o.page.frameLocator('#pane');
    await o.page.locator('#reading h2', { hasText: 'Opened file: sender is not the signer' }).waitFor({ timeout: 20_000 });
    await pane.locator('[data-verdict="untrusted"]').waitFor({ timeout: 30_000 });
    await pane.getByRole('button', { name: 'Settings', exact: true }).click();
    await pane.getByLabel('When the sender is not the signer:').selectOption('warn');
    await pane.locator('[data-verdict="trusted"]').waitFor({ timeout: 30_000 });
    assert.equal(await pane.locator('[data-warning="sender-mismatch"]').count(), 1);
    assert.match(await pane.locator('[data-warning="sender-mismatch"]').innerText(), /mallory@example\.test/);
    await screenshot(o.page, 'playground-file-sender-warn');
    await pane.getByLabel('When the sender is not the signer:').selectOption('require');
    await pane.locator('[data-verdict="untrusted"]').waitFor({ timeout: 30_000 });
    await pane.getByRole('button', { name: 'Settings', exact: true }).click();
  });

  test('"Check as of": old mail signed with a since-expired certificate is untrusted now, trusted as of a date in its validity', async () => {
    await o.page.locator('.pg-item[data-id="file-2"]').click();
    const pane = o.page.frameLocator('#pane');
    await pane.locator('[data-code="cert-expired"]').first().waitFor({ timeout: 30_000 });
    assert.notEqual(await verdictOf(o.page), 'trusted');
    await o.page.getByLabel('Check as of').fill('2021-03-01');
    await pane.locator('[data-verdict="trusted"]').waitFor({ timeout: 30_000 });
    assert.match(await o.page.locator('#reading .pg-asof').innerText(), /Checked as of 2021-03-01/);
    assert.match(await pane.locator('#verdict').innerText(), /Checked as of 2021-03-01 instead of now/);
    await screenshot(o.page, 'playground-as-of');
    // Back to now: untrusted again, and the reading pane no longer names a date.
    await o.page.getByLabel('Check as of').fill('');
    await pane.locator('[data-code="cert-expired"]').first().waitFor({ timeout: 30_000 });
    assert.equal(await o.page.locator('#reading .pg-asof').count(), 0);
  });

  test('nothing left loopback; no console errors, CSP violations or serious accessibility problems', async () => {
    assert.deepEqual(o.offLoopback, []);
    assert.deepEqual(o.problems, []);
    assert.deepEqual(await seriousA11yViolations(o.page), []);
  });
});

async function verdictOf(page: Page): Promise<string | null> {
  return page.frameLocator('#pane').locator('[data-verdict]').first().getAttribute('data-verdict');
}

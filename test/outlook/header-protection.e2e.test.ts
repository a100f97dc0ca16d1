/**
 * RFC 9788 header protection in the built Outlook task pane (dist/outlook), in Chromium over the simulated mailbox
 * (harness.ts), with messages OpenSSL signs and encrypts at test time (test/support/hp-fixtures.ts) by the sample
 * set's Alice to Bob:
 * - a Subject changed after signing: the pane shows the signed Subject and the warning by the badge; where the
 *   read-mode display API exists (item.display, Mailbox preview) Outlook's own header shows the signed Subject too;
 *   where Outlook refuses it (read item permission) the pane alone shows it;
 * - an encrypted message with "[...]" outside, the real Subject inside and a legacy display element: once Bob's key
 *   is imported, the real Subject, and the decrypted text without the decorative copy of the Subject.
 * Screenshots: test-artifacts/outlook/hp-*.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chromiumSkip, launchChromium } from './chromium';
import { type OpenedPage, type SimItem, type TestServer, assertCleanPage, ensureBuilt, json, openPage, startServer } from './harness';
import { BOB_P12_PASSWORD, type SampleSet, makeSampleSet } from './samples';
import * as hp from '../support/hp-fixtures';

const { CHANGED_SUBJECT, SIGNED_SUBJECT } = hp;
const displayed = (page: Page) => page.evaluate(() => (window as unknown as { __simDisplayed: Record<string, string> }).__simDisplayed);

describe('Outlook task pane: signed headers (RFC 9788)', { skip: chromiumSkip() }, () => {
  let browser: Browser;
  let server: TestServer;
  let set: SampleSet;
  let changedMsg: Buffer;
  let cipherMsg: Buffer;
  const opened: OpenedPage[] = [];

  const open = (it: SimItem): Promise<OpenedPage> => openPage(browser, server, 'taskpane.html', it).then((o) => (opened.push(o), o));

  before(async () => {
    ensureBuilt();
    [set, server, browser] = await Promise.all([makeSampleSet(), startServer(), launchChromium()]);
    server.routes.set('/policy.json', (_req, res) => json(res, 200, { anchors: [set.rootPem] }));
    const w = await hp.makeHpWorld({ pki: set.pki, alice: set.alice, bob: set.bob, bobP12Path: set.bobP12Path, password: BOB_P12_PASSWORD });
    const fields = hp.messageFields(w);
    changedMsg = hp.changeOuter(await hp.signed(w, hp.payload({ hp: 'clear', fields }), fields), 'Subject', CHANGED_SUBJECT);
    const outer = hp.baselineOuter(fields);
    const entity = hp.payload({ hp: 'cipher', fields, hpOuter: outer, entity: hp.legacyDisplayAlternative(SIGNED_SUBJECT) });
    cipherMsg = await hp.encrypted(w, await hp.signedEntity(w, entity), outer);
  });

  after(async () => {
    for (const o of opened) await o.context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  const item = (id: string, subject: string, bytes: Buffer, display?: SimItem['display']): SimItem => ({
    id,
    subject,
    from: set.alice.emails[0],
    b64: bytes.toString('base64'),
    display,
  });

  test('a Subject changed after signing: the signed Subject, the warning by the badge, and Outlook shows the signed Subject', async () => {
    const o = await open(item('hp-changed', CHANGED_SUBJECT, changedMsg, 'ok'));
    const status = o.page.locator('[data-verdict]');
    await status.waitFor({ timeout: 20_000 });
    assert.equal(await status.getAttribute('data-verdict'), 'untrusted');
    assert.match(await status.innerText(), /The Subject was changed after signing/);
    const alert = await o.page.locator('[data-warning="header-changed"]').innerText();
    assert.ok(alert.includes("it was signed as 'Quarterly figures', and now reads 'Urgent: new bank details'"), alert);
    assert.equal(await o.page.locator('.sv-headers dd[data-field="subject"] .sv-header-value').innerText(), SIGNED_SUBJECT);
    assert.match(await o.page.locator('[data-changed="subject"]').innerText(), /Urgent: new bank details/);
    await o.page.locator('[data-note="display-subject"]').waitFor({ timeout: 10_000 });
    assert.deepEqual(await displayed(o.page), { subject: SIGNED_SUBJECT }, 'Outlook shows the signed Subject; the body is left alone');
    await assertCleanPage(o, 'hp-subject-changed');
  });

  test('where Outlook refuses the display API (read item permission), the pane alone shows the signed Subject', async () => {
    const o = await open(item('hp-changed-denied', CHANGED_SUBJECT, changedMsg, 'denied'));
    await o.page.locator('[data-verdict="untrusted"]').waitFor({ timeout: 20_000 });
    assert.equal(await o.page.locator('.sv-headers dd[data-field="subject"] .sv-header-value').innerText(), SIGNED_SUBJECT);
    assert.equal(await o.page.locator('[data-note="display-subject"]').count(), 0);
    assert.deepEqual(o.problems, []);
  });

  test('encrypted with [...] outside: after Bob imports his key, the real Subject and the text without the legacy display element', async () => {
    const o = await open(item('hp-cipher', '[...]', cipherMsg, 'ok'));
    await o.page.locator('[data-verdict]').waitFor({ timeout: 20_000 });
    await o.page.getByRole('button', { name: 'Settings' }).click();
    await o.page.locator('#p12-file').setInputFiles(set.bobP12Path);
    await o.page.locator('#p12-password').fill(BOB_P12_PASSWORD);
    await o.page.locator('#p12-import').click();
    await o.page.locator('[data-verdict="trusted"]').waitFor({ timeout: 30_000 });
    assert.equal(await o.page.locator('.sv-alert').count(), 0, 'the obscured Subject is expected, not a change');
    const subject = await o.page.locator('.sv-headers dd[data-field="subject"]').innerText();
    assert.ok(subject.includes(SIGNED_SUBJECT) && subject.includes('kept inside the encryption'), subject);
    const text = await o.page.locator('[data-decrypted] pre').innerText();
    assert.match(text, /^The figures are in the attachment\./);
    assert.ok(!text.includes('Subject:'), text);
    const shown = await displayed(o.page);
    assert.equal(shown.subject, SIGNED_SUBJECT);
    assert.match(shown.body, /^The figures are in the attachment\./);
    assert.equal(shown.coercionType, 'text', 'decrypted content goes to Outlook as plain text only');
    await assertCleanPage(o, 'hp-cipher-decrypted');
  });
});

/**
 * The organisation's rules in Outlook, end to end in Chromium over the built add-in (dist/outlook) and a policy.json
 * beside the pane:
 * - read: a message "from" a domain of inbound.requireSignedFrom that is not signed gets Outlook's notification bar
 *   (item.notificationMessages, error type) with the rule's sentence, the policy's category (item.categories; action
 *   "quarantine" means tag in Outlook), and the pane's verdict names the violation;
 * - send: the Smart Alerts handler (commands.html, OnMessageSend as Outlook fires it on the simulated compose item)
 *   blocks a draft that breaks outbound.requireEncryptionTo, naming rule and recipient, with the button that opens
 *   the compose pane; it lets a draft through that breaks no rule; once the message went out encrypted from the
 *   pane (the Graph stand-in receives what openssl decrypts), sending the draft itself stays blocked because it
 *   would be the unencrypted copy the rule forbids.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { opensslDecrypt } from '../support/pki';
import { buildMessage, textEntity } from '../support/messages';
import { chromiumSkip, launchChromium } from './chromium';
import { type ComposeSim, composeAndBridge } from './compose-sim';
import { type OpenedPage, type SimItem, type TestServer, json, openPage, screenshot, startServer } from './harness';
import { BOB_P12_PASSWORD, type SampleSet, makeSampleSet } from './samples';

declare function simulateMailbox(first: SimItem): void;

/** The read item with the two Office.js surfaces the rule uses, recording what the add-in did with them. */
function readItemWithMarks(item: SimItem): void {
  simulateMailbox(item);
  const w = window as unknown as { __sim: { mailbox: { item: Record<string, unknown> } }; __marks: unknown[] };
  const marks: unknown[] = [];
  w.__marks = marks;
  type Cb = (r: unknown) => void;
  const ok = (cb?: Cb) => setTimeout(() => cb?.({ status: 'succeeded', value: undefined }), 0);
  const it = w.__sim.mailbox.item;
  it.notificationMessages = {
    replaceAsync: (key: string, details: unknown, cb?: Cb) => (marks.push({ op: 'notification', key, details }), ok(cb)),
    removeAsync: (key: string, cb?: Cb) => (marks.push({ op: 'remove', key }), ok(cb)),
  };
  it.categories = { addAsync: (names: string[], cb?: Cb) => (marks.push({ op: 'category', names }), ok(cb)) };
}

interface Completed {
  allowEvent: boolean;
  errorMessage?: string;
  cancelLabel?: string;
  commandId?: string;
  sendModeOverride?: string;
}

/** Fires OnMessageSend as Outlook does: calls the handler the runtime registered, with an event to complete. */
async function fireSend(page: Page): Promise<Completed> {
  await page.waitForFunction(() => typeof (window as unknown as Record<string, unknown>).onMessageSendHandler === 'function', undefined, { timeout: 20_000 });
  // A string, not a function: tsx would wrap a function's inner names in __name(), which the page lacks.
  return page.evaluate(`new Promise((resolve) => window.onMessageSendHandler({ completed: (o) => resolve(JSON.parse(JSON.stringify(o))) }))`) as Promise<Completed>;
}

const skip = chromiumSkip();
const CLIENT_ID = 'c0ffee00-0000-4000-8000-000000000001';

describe('Outlook: organisation rules (notification bar, category, Smart Alerts)', { skip }, () => {
  let browser: Browser;
  let server: TestServer;
  let set: SampleSet;
  let policy: object = {};
  const sent: string[] = [];
  const opened: OpenedPage[] = [];

  before(async () => {
    [set, server, browser] = await Promise.all([makeSampleSet(), startServer(), launchChromium()]);
    server.routes.set('/policy.json', (_req, res) => json(res, 200, policy));
    server.routes.set('/config.json', (_req, res) =>
      json(res, 200, { graph: { clientId: CLIENT_ID, authority: 'https://login.microsoftonline.com/common', baseUrl: `${server.origin}/graph/v1.0` } }),
    );
    server.routes.set('/graph/v1.0/me/sendMail', (_req, res, body) => {
      sent.push(body.toString('latin1'));
      res.writeHead(202).end();
    });
  });
  after(async () => {
    for (const o of opened) await o.context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  test('a forged "internal" message: error notification bar with the rule sentence, the category, the verdict names the violation', async () => {
    policy = { inbound: { requireSignedFrom: ['corp.example'], action: 'quarantine', tagName: 'S/MIME violation' } };
    const eml = buildMessage({ from: 'CEO <ceo@corp.example>', to: 'bob@example.com', subject: 'Urgent wire', messageId: '<wire@corp.example>' }, textEntity('Wire 40,000 EUR today.\r\n'));
    const item: SimItem = { id: 'wire-1', subject: 'Urgent wire', from: 'ceo@corp.example', fromName: 'CEO', b64: eml.toString('base64') };
    const o = await openPage(browser, server, 'taskpane.html', undefined, { fn: readItemWithMarks as (a: never) => void, arg: item });
    opened.push(o);
    await o.page.locator('[data-verdict]').waitFor({ timeout: 20_000 });
    await o.page.waitForFunction(() => ((window as unknown as { __marks: unknown[] }).__marks ?? []).length >= 2, undefined, { timeout: 10_000 });
    const marks = (await o.page.evaluate(() => (window as unknown as { __marks: unknown[] }).__marks)) as { op: string; key?: string; details?: { type: string; message: string }; names?: string[] }[];
    const bar = marks.find((m) => m.op === 'notification')!;
    assert.equal(bar.details!.type, 'errorMessage');
    assert.match(bar.details!.message, /Possible forgery: your organisation requires mail from corp\.example to be signed and trusted/);
    assert.ok(bar.details!.message.length <= 150);
    assert.deepEqual(marks.find((m) => m.op === 'category')?.names, ['S/MIME violation']);
    const pane = await o.page.locator('#verdict').innerText();
    assert.match(pane, /requires mail from corp\.example to be signed, and this message claiming to be from ceo@corp\.example is not/);
    assert.match(pane, /Outlook add-ins cannot move messages/);
    assert.equal(await o.page.locator('[data-violation="1"]').count(), 1, 'the status line is styled as an alarm');
    await screenshot(o.page, 'enforce-violation-pane');
    assert.deepEqual(o.problems, []);
  });

  test('Smart Alerts: blocks a send that breaks requireEncryptionTo, lets a rule-free one through, and once encrypted from the pane blocks the unencrypted copy', async () => {
    policy = { outbound: { requireEncryptionTo: ['example.com'] } };
    const cfg = (to: string): ComposeSim => ({
      subject: 'Contract draft',
      from: { emailAddress: 'alice@example.com', displayName: 'Alice Example' },
      to: [{ emailAddress: to, displayName: to }],
      cc: [],
      bcc: [],
      text: 'The contract is attached.\n',
      html: '<p>The contract is attached.</p>',
      attachment: { name: 'contract.txt', contentType: 'text/plain', b64: Buffer.from('terms').toString('base64') },
      clientId: CLIENT_ID,
    });
    // A draft to someone outside the rule: sent.
    const free = await openPage(browser, server, 'commands.html', undefined, { fn: composeAndBridge as (a: never) => void, arg: cfg('carol@other.example') });
    opened.push(free);
    assert.deepEqual(await fireSend(free.page), { allowEvent: true });

    // A draft to Bob: blocked, with the rule, the recipient and the button to the compose pane.
    const o = await openPage(browser, server, 'commands.html', undefined, { fn: composeAndBridge as (a: never) => void, arg: cfg('bob@example.com') });
    opened.push(o);
    const blocked = await fireSend(o.page);
    assert.equal(blocked.allowEvent, false);
    assert.match(blocked.errorMessage!, /requires mail to bob@example\.com to be encrypted \(rule outbound\.requireEncryptionTo\)\. Open the S\/MIME pane/);
    assert.equal(blocked.commandId, 'smimeComposeButton');
    assert.equal(blocked.cancelLabel, 'Sign / encrypt');
    assert.equal(blocked.sendModeOverride, undefined, 'a block, not a prompt');

    // Encrypted from the compose pane (same browser profile as the handler): Graph receives what openssl decrypts.
    await o.page.goto(`${server.origin}/compose.html`);
    await o.page.locator('html[data-pane-ready="1"]').waitFor({ timeout: 20_000 });
    await o.page.locator('#p12-file').setInputFiles(set.aliceP12Path);
    await o.page.locator('#p12-password').fill(BOB_P12_PASSWORD);
    await o.page.locator('#p12-import').click();
    await o.page.locator('[data-list="identities"] li').waitFor({ timeout: 20_000 });
    await o.page.locator('#recipient-cert-file').setInputFiles(set.bob.certPath);
    await o.page.locator('#opt-encrypt').check();
    await o.page.getByRole('button', { name: 'Sign, encrypt and send' }).click();
    await o.page.locator('#compose-status[data-result="ok"]').waitFor({ timeout: 30_000 });
    assert.equal(sent.length, 1);
    const file = join(set.pki.dir, 'smart-alerts-encrypted.eml');
    writeFileSync(file, Buffer.from(sent[0], 'base64'));
    assert.ok((await opensslDecrypt(file, { recipient: set.bob })).ok, 'the copy that went out is encrypted to Bob');

    // The same draft sent with Outlook's own button now: still blocked, saying it went out encrypted already.
    await o.page.goto(`${server.origin}/commands.html`);
    const again = await fireSend(o.page);
    assert.equal(again.allowEvent, false);
    assert.match(again.errorMessage!, /already sent encrypted from the S\/MIME pane\. Discard this draft/);
    assert.deepEqual(o.problems, []);
  });

  test('warn-only: no certificate for the recipient turns the block into a prompt (sendModeOverride promptUser)', async () => {
    policy = { outbound: { requireEncryptionTo: ['lawyers.example'], onMissingCertificate: 'warn' } };
    const o = await openPage(browser, server, 'commands.html', undefined, {
      fn: composeAndBridge as (a: never) => void,
      arg: {
        subject: 'Hi',
        from: { emailAddress: 'alice@example.com', displayName: 'Alice' },
        to: [{ emailAddress: 'counsel@lawyers.example', displayName: 'Counsel' }],
        cc: [],
        bcc: [],
        text: 'x',
        html: '<p>x</p>',
        attachment: { name: 'a.txt', contentType: 'text/plain', b64: 'eA==' },
        clientId: CLIENT_ID,
      } satisfies ComposeSim,
    });
    opened.push(o);
    const r = await fireSend(o.page);
    assert.equal(r.allowEvent, false);
    assert.equal(r.sendModeOverride, 'promptUser');
    assert.match(r.errorMessage!, /no certificate for counsel@lawyers\.example \(rule outbound\.onMissingCertificate: warn\)/);
  });
});

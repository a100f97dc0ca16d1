/**
 * The built task pane (dist/outlook/taskpane.html) end to end in headless Chromium, over a simulated Outlook
 * mailbox (harness.ts), for a message of every verdict class made by OpenSSL with a fresh test CA
 * (samples.ts). The test CA's root reaches the pane the way an administrator provisions anchors: policy.json
 * beside taskpane.html. For each state: the visible status text and data-verdict, the reasons, no request
 * leaving loopback, no console error or CSP violation, no serious axe-core violation, and a screenshot in
 * test-artifacts/outlook/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { VERDICT_PHRASE, type VerdictWord } from '../../src/verdict';
import { chromiumSkip, launchChromium } from './chromium';
import { ARTIFACTS, type OpenedPage, type SimItem, type TestServer, assertCleanPage, ensureBuilt, json, openPage, screenshot, startServer } from './harness';
import { BOB_P12_PASSWORD, type SampleId, type SampleSet, makeSampleSet } from './samples';
import { textEntity, wrapInUnsignedMixed } from '../support/messages';
import { smimeEncrypt } from '../support/pki';

interface Case {
  sample: SampleId;
  verdict: VerdictWord;
  /** At least one of these reason codes must be listed. */
  anyCode: string[];
  warning?: 'sender-mismatch' | 'partially-signed';
}

const CASES: Case[] = [
  { sample: 'trusted', verdict: 'trusted', anyCode: ['chain-trusted', 'signature-valid'] },
  { sample: 'tampered', verdict: 'invalid', anyCode: ['content-digest-mismatch', 'signature-invalid'] },
  { sample: 'untrusted-root', verdict: 'untrusted', anyCode: ['untrusted-root'] },
  { sample: 'expired', verdict: 'untrusted', anyCode: ['cert-expired'] },
  { sample: 'sender-mismatch', verdict: 'untrusted', anyCode: ['sender-mismatch'], warning: 'sender-mismatch' },
  { sample: 'partially-signed', verdict: 'untrusted', anyCode: ['partially-signed'], warning: 'partially-signed' },
  { sample: 'unsigned', verdict: 'unsigned', anyCode: ['not-signed'] },
];

declare function simulateMailbox(item: SimItem): void;
declare function simulateNaaBridge(cfg: { clientId: string; email: string; name: string }): void;

const skip = chromiumSkip();

describe('Outlook task pane in Chromium over a simulated mailbox', { skip }, () => {
  let browser: Browser;
  let server: TestServer;
  let set: SampleSet;
  const opened: OpenedPage[] = [];

  const item = (id: SampleId, over: Partial<SimItem> = {}): SimItem => {
    const s = set.samples.find((x) => x.id === id);
    if (!s) throw new Error(`no sample ${id}`);
    return { id, subject: s.subject, from: s.from, b64: s.bytes.toString('base64'), ...over };
  };

  const open = async (it: SimItem | undefined): Promise<OpenedPage> => {
    const o = await openPage(browser, server, 'taskpane.html', it);
    opened.push(o);
    return o;
  };

  /** The clean-page checks every state must pass. */
  const checkClean = assertCleanPage;

  before(async () => {
    ensureBuilt();
    [set, server, browser] = await Promise.all([makeSampleSet(), startServer(), launchChromium()]);
    // The administrator's policy: the test CA's root as an anchor (the way outside checks provision anchors).
    server.routes.set('/policy.json', (_req, res) => json(res, 200, { anchors: [set.rootPem] }));
  });

  after(async () => {
    for (const o of opened) await o.context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  for (const c of CASES) {
    test(`${c.sample}: data-verdict="${c.verdict}", status text, reasons`, async () => {
      const o = await open(item(c.sample));
      const status = o.page.locator('[data-verdict]');
      await status.waitFor({ timeout: 20_000 });
      assert.equal(await status.getAttribute('data-verdict'), c.verdict, await o.page.locator('#verdict').innerText());
      const text = await status.innerText();
      assert.ok(text.includes(VERDICT_PHRASE[c.verdict]), `status text: ${text}`);
      const codes = await o.page.locator('.sv-reason').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
      assert.ok(codes.length > 0, 'reasons are listed');
      assert.ok(c.anyCode.some((code) => codes.includes(code)), `reason codes ${codes.join(', ')} lack one of ${c.anyCode.join(', ')}`);
      for (const r of await o.page.locator('.sv-reason').allInnerTexts()) assert.ok(r.trim().length > 10, `reason has words: ${r}`);
      if (c.warning) {
        const w = o.page.locator(`[data-warning="${c.warning}"]`);
        assert.equal(await w.count(), 1, `loud ${c.warning} warning`);
        const wt = await w.innerText();
        if (c.warning === 'sender-mismatch') assert.ok(wt.includes('ceo@example.com') && wt.includes('alice@example.com'), wt);
        if (c.warning === 'partially-signed') assert.ok((await w.locator('li').count()) >= 1, wt);
      }
      if (c.verdict !== 'unsigned') assert.ok((await o.page.locator('.sv-signer').count()) >= 1, 'signer details shown');
      assert.ok(await o.page.getByRole('button', { name: 'Verify again' }).isVisible());
      await checkClean(o, c.sample);
    });
  }

  test('encrypted, no key imported: says it is encrypted and cannot be read here', async () => {
    const o = await open(item('encrypted'));
    const status = o.page.locator('[data-verdict]');
    await status.waitFor({ timeout: 20_000 });
    assert.notEqual(await status.getAttribute('data-verdict'), 'trusted');
    const all = await o.page.locator('#verdict').innerText();
    assert.match(all, /encrypted/i);
    const codes = await o.page.locator('.sv-reason').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    assert.ok(codes.includes('no-key') || codes.includes('encrypted'), codes.join(', '));
    await checkClean(o, 'encrypted-no-key');
  });

  test('encrypted, Bob imports his key in Settings: decrypted with it, the inner signature is checked', async () => {
    const o = await open(item('encrypted'));
    await o.page.locator('[data-verdict]').waitFor({ timeout: 20_000 });
    await o.page.getByRole('button', { name: 'Settings' }).click();
    await o.page.locator('#p12-file').setInputFiles(set.bobP12Path);
    await o.page.locator('#p12-file').setInputFiles(set.bobP12Path);
    await o.page.locator('#p12-password').fill(BOB_P12_PASSWORD);
    await o.page.locator('#p12-import').click();
    await o.page.locator('[data-list="identities"] li').waitFor({ timeout: 20_000 });
    await o.page.locator('#settings-identity #settings-status', { hasText: 'Imported the key' }).waitFor({ timeout: 20_000 });
    // "Your setup" lists the new identity's health (ui/setup-view.ts).
    await o.page.locator('#settings-setup [data-identity-health]').first().waitFor({ timeout: 20_000 });
    assert.match(await o.page.locator('#settings-setup').innerText(), /Your setup[\s\S]*bob@example\.com · valid until/);
    await o.page.locator('#settings-setup').screenshot({ path: join(ARTIFACTS, 'settings-setup.png') });
    assert.match(await o.page.locator('[data-list="identities"]').innerText(), /bob@example\.com/);
    // Importing a key re-checks the open message with it.
    await o.page.locator('[data-verdict="trusted"]').waitFor({ timeout: 20_000 });
    assert.match(await o.page.locator('.sv-encrypted').innerText(), /decrypted with your key/);
    // The content, as plain text only (no HTML rendering of decrypted content: EFAIL).
    assert.match(await o.page.locator('[data-decrypted] pre').innerText(), /the quarterly figures are attached in the shared folder/);
    await checkClean(o, 'encrypted-decrypted');
  });

  test('partly encrypted (issue 10, item 6): the pane says only part was encrypted and shows that part alone', async () => {
    // Alice's message encrypted to Bob, wrapped by someone else with an unencrypted text part before it.
    const enc = await smimeEncrypt({
      content: textEntity('Hello Bob,\r\n\r\nthe quarterly figures are in the shared folder.\r\n'),
      recipients: [set.bob],
      headers: { from: 'Alice Example <alice@example.com>', to: 'bob@example.com', subject: 'Figures (partly encrypted)' },
    });
    const bytes = wrapInUnsignedMixed(enc.bytes, { prependText: 'The encrypted part below confirms: wire 9,800 EUR to the new account today.\r\n' });
    const o = await open({ id: 'partly-encrypted', subject: 'Figures (partly encrypted)', from: 'alice@example.com', b64: bytes.toString('base64') });
    await o.page.locator('[data-verdict]').waitFor({ timeout: 20_000 });
    await o.page.getByRole('button', { name: 'Settings' }).click();
    await o.page.locator('#p12-file').setInputFiles(set.bobP12Path);
    await o.page.locator('#p12-password').fill(BOB_P12_PASSWORD);
    await o.page.locator('#p12-import').click();
    await o.page.locator('[data-warning="partially-encrypted"]').waitFor({ timeout: 20_000 });
    assert.notEqual(await o.page.locator('[data-verdict]').getAttribute('data-verdict'), 'trusted');
    assert.match(await o.page.locator('[data-warning="partially-encrypted"]').innerText(), /only part of this message was encrypted[\s\S]*text\/plain part before the encrypted part/i);
    assert.match(await o.page.locator('.sv-encrypted').innerText(), /Only part of this message was encrypted/);
    assert.equal(await o.page.locator('[data-warning="partially-signed"]').count(), 0, 'nothing is signed: no "only part signed" alert');
    const codes = await o.page.locator('.sv-reason').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    assert.ok(codes.includes('partially-encrypted'), codes.join(', '));
    // The decrypted section holds the encrypted part alone, and says so; the attacker's text is not in it.
    const section = o.page.locator('[data-decrypted]');
    assert.match(await section.locator('h2').innerText(), /encrypted part/);
    assert.match(await section.locator('[data-note="partially-encrypted"]').innerText(), /Only this part of the message was encrypted/);
    const text = await section.locator('pre').innerText();
    assert.match(text, /quarterly figures are in the shared folder/);
    assert.doesNotMatch(text, /9,800 EUR/);
    await checkClean(o, 'partially-encrypted');
  });

  test('audit log: each check is recorded without content; Settings filter it and export CSV and JSON Lines', async () => {
    const o = await open(item('tampered'));
    await o.page.locator('[data-verdict="invalid"]').waitFor({ timeout: 20_000 });
    await o.page.getByRole('button', { name: 'Settings' }).click();
    await o.page.locator('#audit-count').waitFor({ timeout: 20_000 });
    assert.match(await o.page.locator('#audit-count').innerText(), /^[1-9]\d* events? kept/);
    await o.page.locator('#audit-verdict').selectOption('invalid');
    await o.page.locator('[data-list="audit"] li', { hasText: 'invalid' }).first().waitFor({ timeout: 10_000 });
    const [csv] = await Promise.all([o.page.waitForEvent('download'), o.page.locator('#audit-export-csv').click()]);
    const csvText = await (await csv.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8'));
    const lines = csvText.trim().split(/\r?\n/);
    assert.ok(lines.length >= 2, csvText);
    assert.ok(lines.slice(1).every((l) => l.includes('invalid')), 'the filter applies to the export');
    assert.ok(!csvText.includes('Invoice') && !/BEGIN|PRIVATE/.test(csvText), 'no content or keys');
    const [jsonl] = await Promise.all([o.page.waitForEvent('download'), o.page.locator('#audit-export-jsonl').click()]);
    const first = JSON.parse((await (await jsonl.createReadStream()).toArray().then((c) => Buffer.concat(c).toString('utf8'))).split('\n')[0]);
    assert.equal(first.verdict, 'invalid');
    assert.equal(first.host, 'outlook');
    assert.equal(first.event, 'message.verified');
    assert.equal(first.severity, 'error');

    // The summary (ui/audit-report.ts): two weeks of earlier events are put in the pane's log beside the real one,
    // and Settings are opened again; the chart is inline SVG under the pane's CSP (a violation would be a problem).
    const seeded = await o.page.evaluate(async () => {
      const day = 86_400_000;
      const now = Date.now();
      const rows: Record<string, unknown>[] = [];
      const verdicts = ['trusted', 'trusted', 'trusted', 'untrusted', 'trusted', 'invalid', 'unsigned'];
      for (let d = 13; d >= 1; d--) {
        for (let k = 0; k < 1 + ((d * 5) % 7); k++) {
          const verdict = verdicts[(d + k) % verdicts.length];
          rows.push({
            id: `seed-${d}-${k}`, time: new Date(now - d * day + k * 60_000).toISOString(), event: 'message.verified',
            severity: verdict === 'invalid' ? 'error' : verdict === 'untrusted' ? 'warning' : 'info', op: 'verify', host: 'outlook',
            from: [k % 3 ? `colleague${k}@contoso.example` : 'partner@fabrikam.example'], verdict,
            reasons: verdict === 'trusted' ? ['chain-trusted'] : [verdict === 'invalid' ? 'signature-invalid' : verdict === 'unsigned' ? 'not-signed' : 'untrusted-root'],
            ...(verdict === 'unsigned' ? {} : { signerCert: { subject: 'CN=x', issuer: k % 3 ? 'CN=Contoso Mail CA,O=Contoso' : 'CN=Fabrikam Issuing CA', serial: '01', notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z' } }),
          });
        }
      }
      rows.push({ id: 'seed-violation', time: new Date(now - 2 * day).toISOString(), event: 'policy.violation', severity: 'critical', op: 'policy', host: 'outlook', from: ['ceo@contoso.example'], verdict: 'tag', action: 'tag', rule: 'inbound.requireSignedFrom', reasons: ['policy-unsigned-internal'] });
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('smime-audit');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const tx = db.transaction('events', 'readwrite');
      for (const row of rows) tx.objectStore('events').add(row);
      await new Promise((r) => (tx.oncomplete = r));
      db.close();
      return rows.length;
    });
    // Settings is a toggle: closed and opened again, it is drawn afresh from the log.
    await o.page.locator('#open-settings').click();
    await o.page.locator('#settings').waitFor({ state: 'hidden' });
    await o.page.locator('#open-settings').click();
    await o.page.waitForFunction(
      (n) => Number(/^(\d+) received/.exec(document.getElementById('audit-totals')?.textContent ?? '')?.[1]) >= n,
      seeded,
      { timeout: 20_000 },
    );
    const summary = await o.page.evaluate(() => ({
      totals: document.getElementById('audit-totals')!.textContent!,
      days: document.querySelectorAll('#audit-chart .ar-day').length,
      bars: [...document.querySelectorAll<SVGRectElement>('#audit-chart .ar-bar')].reduce((n, r) => n + Number(r.dataset.count), 0),
      rules: document.getElementById('audit-report-rules')!.textContent!,
      cas: document.getElementById('audit-report-cas')!.textContent!,
      verdicts: document.getElementById('audit-report-verdicts')!.textContent!,
    }));
    const messages = Number(/^(\d+) received messages? checked/.exec(summary.totals)?.[1]);
    assert.ok(messages >= seeded, summary.totals);
    assert.equal(summary.bars, messages, 'the bars add up to the messages counted');
    assert.ok(summary.days >= 14, `a bar slot per day: ${summary.days}`);
    // The seeded violation, plus the tampered message this test opened: an invalid signature is acted on too
    // (inbound.action applies to violations and to invalid verdicts), recorded under its own rule name.
    assert.match(summary.totals, /[12] policy violations?/);
    assert.doesNotMatch(summary.rules, /inbound\.requireSignedFrom[\s\S]*inbound\.requireSignedFrom/);
    assert.match(summary.rules, /1\s*inbound\.requireSignedFrom/);
    assert.match(summary.cas, /CN=Contoso Mail CA,O=Contoso/);
    assert.match(summary.verdicts, /trusted/);
    assert.deepEqual(o.problems, [], 'no CSP violation or console error drawing the chart');
    await screenshot(o.page, 'settings-audit');
    await o.page.locator('#audit-summary').screenshot({ path: join(ARTIFACTS, 'settings-audit-summary.png') });
    console.log(`# Outlook Settings audit summary: ${summary.totals} ${summary.days} days charted, bars total ${summary.bars}`);
  });

  test('intermediates from a trusted message are remembered, shown in Settings and can be forgotten', async () => {
    const o = await open(item('trusted'));
    await o.page.locator('[data-verdict="trusted"]').waitFor({ timeout: 20_000 });
    await o.page.getByRole('button', { name: 'Settings' }).click();
    const note = o.page.locator('#remembered-intermediates');
    await note.waitFor({ timeout: 20_000 });
    assert.match(await note.innerText(), /: 1 intermediate certificate\(s\) remembered/);
    await o.page.locator('#forget-intermediates').click();
    await o.page.getByText('Remembered intermediate certificates were forgotten.').waitFor({ timeout: 10_000 });
    assert.match(await o.page.locator('#remembered-intermediates').innerText(), /: 0 intermediate certificate\(s\) remembered/);
    assert.deepEqual(o.problems, []);
  });

  /** The "Checking" section of Settings (ui/policy-choices.ts), as a PNG beside the full-page ones. */
  const shootChoices = async (o: OpenedPage, name: string) => {
    await o.page.locator('#policy-fields').screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  };

  test('Settings: sender match "warn" turns a sender-mismatch message trusted with a warning, re-checked at once', async () => {
    const o = await open(item('sender-mismatch'));
    await o.page.locator('[data-verdict="untrusted"]').waitFor({ timeout: 20_000 });
    await o.page.getByRole('button', { name: 'Settings' }).click();
    const sender = o.page.getByLabel('When the sender is not the signer:');
    assert.equal(await sender.inputValue(), 'require');
    assert.equal(await sender.isDisabled(), false);
    await sender.selectOption('warn');
    await o.page.locator('[data-verdict="trusted"]').waitFor({ timeout: 20_000 });
    assert.equal(await o.page.locator('[data-warning="sender-mismatch"]').count(), 1, 'the mismatch is still shown loudly');
    assert.match(await o.page.locator('#settings-status').innerText(), /not the signer is now a warning only/);
    // Saved: a new pane in the same browser profile reads it back.
    await o.page.reload();
    await o.page.locator('[data-verdict="trusted"]').waitFor({ timeout: 20_000 });
    await o.page.getByRole('button', { name: 'Settings' }).click();
    assert.equal(await o.page.locator('#policy-senderMatch').inputValue(), 'warn');
    await checkClean(o, 'settings-sender-warn');
  });

  test('Settings: revocation "hard" makes an unchecked revocation status untrusted (offline), and back', async () => {
    const o = await open(item('trusted'));
    await o.page.locator('[data-verdict="trusted"]').waitFor({ timeout: 20_000 });
    await o.page.getByRole('button', { name: 'Settings' }).click();
    await o.page.getByLabel('Check revocation:').selectOption('hard');
    await o.page.locator('[data-verdict="untrusted"]').waitFor({ timeout: 20_000 });
    const codes = await o.page.locator('.sv-reason').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    assert.ok(codes.includes('revocation-unknown'), codes.join(', '));
    assert.equal(await o.page.locator('#policy-revocation').inputValue(), 'hard');
    // Online checks are the way out; the field says what they need in Outlook (no proxy set here).
    assert.match(await o.page.locator('#policy-online-note').innerText(), /only through a proxy your administrator runs.*has not set one.*will fail until they do/s);
    await shootChoices(o, 'settings-policy');
    await checkClean(o, 'settings-revocation-hard');
    await o.page.locator('#policy-revocation').selectOption('soft');
    await o.page.locator('[data-verdict="trusted"]').waitFor({ timeout: 20_000 });
  });

  test('Settings: a field the administrator\'s policy.json sets is locked, with the reason', async () => {
    server.routes.set('/policy.json', (_req, res) => json(res, 200, { anchors: [set.rootPem], senderMatch: 'require', revocation: 'off' }));
    try {
      const o = await open(item('sender-mismatch'));
      await o.page.locator('[data-verdict="untrusted"]').waitFor({ timeout: 20_000 });
      await o.page.getByRole('button', { name: 'Settings' }).click();
      for (const key of ['senderMatch', 'revocation']) {
        assert.equal(await o.page.locator(`#policy-${key}`).isDisabled(), true, `${key} locked`);
        assert.equal(await o.page.locator(`#policy-${key}-locked`).innerText(), 'Set by your administrator');
      }
      assert.equal(await o.page.locator('#policy-revocation').inputValue(), 'off');
      assert.equal(await o.page.locator('#policy-allowSha1').isDisabled(), false, "what the administrator did not set stays the user's");
      await shootChoices(o, 'settings-policy-locked');
      await checkClean(o, 'settings-locked');
    } finally {
      server.routes.set('/policy.json', (_req, res) => json(res, 200, { anchors: [set.rootPem] }));
    }
  });

  test('a wrong key password is said plainly and nothing is stored', async () => {
    const o = await open(item('unsigned'));
    await o.page.locator('[data-verdict]').waitFor({ timeout: 20_000 });
    await o.page.getByRole('button', { name: 'Settings' }).click();
    await o.page.locator('#p12-file').setInputFiles(set.bobP12Path);
    await o.page.locator('#p12-password').fill('not the password');
    await o.page.locator('#p12-import').click();
    // The answer appears right below the Import button (it used to appear at the very end of the page, after the
    // whole audit log, where nobody saw it).
    const status = o.page.locator('#settings-identity #settings-status');
    await status.filter({ hasText: 'Wrong password for this key file.' }).waitFor({ timeout: 20_000 });
    const button = await o.page.locator('#p12-import').boundingBox();
    const said = await status.boundingBox();
    assert.ok(button && said && said.y > button.y && said.y - button.y < 120, `status ${JSON.stringify(said)} next to the button ${JSON.stringify(button)}`);
    await screenshot(o.page, 'settings-import-wrong-password');
    assert.equal(await o.page.locator('[data-list="identities"] li').count(), 0);
    assert.deepEqual(o.problems, []);
  });

  test('unreadable item (getAsFileAsync fails): plain error, fallbacks offered, a dropped .eml is checked', async () => {
    const o = await open({ ...item('trusted'), mode: 'fail', b64: undefined });
    const status = o.page.locator('[data-verdict]');
    await status.waitFor({ timeout: 20_000 });
    assert.equal(await status.getAttribute('data-verdict'), 'error');
    const text = await status.innerText();
    assert.ok(text.includes(VERDICT_PHRASE.error), text);
    assert.match(text, /Outlook did not give the add-in this message's content/);
    assert.deepEqual(await o.page.locator('.sv-reason').evaluateAll((els) => els.map((e) => e.getAttribute('data-code'))), ['message-unavailable']);
    assert.ok(await o.page.locator('[data-dropzone]').isVisible(), 'drop zone offered');
    await checkClean(o, 'unreadable');
    // The fallback works: choosing the saved .eml checks it.
    const s = set.samples.find((x) => x.id === 'trusted');
    await o.page.locator('#eml-file').setInputFiles({ name: 'message.eml', mimeType: 'message/rfc822', buffer: s!.bytes });
    await o.page.locator('[data-verdict="trusted"]').waitFor({ timeout: 20_000 });
    assert.match(await o.page.locator('#verdict').innerText(), /Read from the file message\.eml/);
    await screenshot(o.page, 'unreadable-then-dropped');
    assert.deepEqual(o.problems, []);
  });

  test('Graph fallback: an item Outlook withholds is fetched through GET /me/messages/{id}/$value (NAA token)', async () => {
    const clientId = 'c0ffee00-0000-4000-8000-000000000002';
    const fetched: { path: string; authorization?: string }[] = [];
    server.routes.set('/config.json', (_req, res) =>
      json(res, 200, { graph: { clientId, authority: 'https://login.microsoftonline.com/common', baseUrl: `${server.origin}/graph/v1.0` } }),
    );
    server.routes.set('/graph/v1.0/me/messages/', (req, res) => {
      fetched.push({ path: new URL(req.url ?? '/', 'http://x').pathname, authorization: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'message/rfc822' }).end(set.samples.find((x) => x.id === 'trusted')!.bytes);
    });
    try {
      const o = await openPage(browser, server, 'taskpane.html', undefined, {
        fn: ((arg: { item: SimItem; clientId: string }) => {
          simulateMailbox(arg.item);
          simulateNaaBridge({ clientId: arg.clientId, email: 'bob@example.com', name: 'Bob Example' });
        }) as (a: never) => void,
        arg: { item: { ...item('trusted'), id: 'AAMkAD=/x', mode: 'fail', b64: undefined }, clientId },
      });
      opened.push(o);
      await o.page.locator('[data-verdict="error"]').waitFor({ timeout: 20_000 });
      await o.page.getByRole('button', { name: 'Fetch it through Microsoft 365' }).click();
      await o.page.locator('[data-verdict="trusted"]').waitFor({ timeout: 30_000 });
      assert.match(await o.page.locator('#verdict').innerText(), /Read through Microsoft Graph/);
      assert.deepEqual(fetched, [{ path: `/graph/v1.0/me/messages/${encodeURIComponent('rest-AAMkAD=/x')}/$value`, authorization: 'Bearer simulated-token Mail.Read' }]);
      await checkClean(o, 'graph-fallback');
    } finally {
      server.routes.delete('/config.json');
      server.routes.delete('/graph/v1.0/me/messages/');
    }
  });

  test('client without getAsFileAsync (below Mailbox 1.14): says so and offers the drop fallback', async () => {
    const o = await open({ ...item('trusted'), mode: 'missing', b64: undefined });
    const status = o.page.locator('[data-verdict]');
    await status.waitFor({ timeout: 20_000 });
    assert.equal(await status.getAttribute('data-verdict'), 'error');
    assert.match(await status.innerText(), /requirement set 1\.14/);
    assert.ok(await o.page.locator('[data-dropzone]').isVisible());
    await checkClean(o, 'api-missing');
  });

  test('pinned pane: ItemChanged re-checks the newly selected message without a click', async () => {
    const o = await open(item('trusted'));
    await o.page.locator('[data-verdict="trusted"]').waitFor({ timeout: 20_000 });
    assert.equal(await o.page.evaluate(() => (window as unknown as { __sim: { handlerCount(): number } }).__sim.handlerCount()), 1);
    await o.page.evaluate((it) => (window as unknown as { __sim: { select(i: unknown): void } }).__sim.select(it), item('tampered'));
    await o.page.locator('[data-verdict="invalid"]').waitFor({ timeout: 20_000 });
    await o.page.evaluate((it) => (window as unknown as { __sim: { select(i: unknown): void } }).__sim.select(it), item('unsigned'));
    await o.page.locator('[data-verdict="unsigned"]').waitFor({ timeout: 20_000 });
    assert.deepEqual(o.problems, []);
    assert.deepEqual(o.offLoopback, []);
  });

  test('"Verify again" checks the message again', async () => {
    const o = await open(item('unsigned'));
    await o.page.locator('[data-verdict="unsigned"]').waitFor({ timeout: 20_000 });
    // Record whether the pane goes through "checking" again after the click.
    await o.page.evaluate(() => {
      const w = window as unknown as { __rechecked: boolean };
      w.__rechecked = false;
      new MutationObserver(() => {
        if (document.querySelector('[data-state="checking"]')) w.__rechecked = true;
      }).observe(document.getElementById('verdict') as HTMLElement, { childList: true, subtree: true });
    });
    await o.page.getByRole('button', { name: 'Verify again' }).click();
    await o.page.waitForFunction(() => (window as unknown as { __rechecked: boolean }).__rechecked && !!document.querySelector('[data-verdict="unsigned"]'), null, { timeout: 20_000 });
    assert.deepEqual(o.problems, []);
  });
});

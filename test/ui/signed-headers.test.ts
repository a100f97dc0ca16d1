/**
 * The verdict view's header protection part (ui/signed-headers.ts) in Chromium under a strict CSP, fed with real
 * verdicts of the core over OpenSSL fixtures: the signed Subject, From, To and Date; a changed field beside the
 * value the mail program shows, with a loud alert next to the badge; [...] outside an encrypted message is no
 * alert. Screenshots: test-artifacts/ui/signed-headers-*.png. axe-core: no serious or critical violation.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { verifyMessage, type Verdict } from '../../src/index';
import { chromiumSkip } from '../outlook/chromium';
import { ROOT } from '../support/corpus';
import { CHANGED_SUBJECT, SIGNED_SUBJECT, baselineOuter, changeOuter, encrypted, makeHpWorld, messageFields, payload, signed, signedEntity } from '../support/hp-fixtures';
import { useModulePage } from './module-server';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'";
const HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>signed headers</title>
<link rel="stylesheet" href="/ui/verdict.css"></head>
<body><main id="root"></main><script type="module" src="/test/ui/verdict-harness.ts"></script></body></html>`;
const ARTIFACTS = join(ROOT, 'test-artifacts', 'ui');

async function verdicts(): Promise<Record<'changed' | 'from' | 'cipher' | 'plain', Verdict>> {
  const w = await makeHpWorld();
  const fields = messageFields(w);
  const clear = await signed(w, payload({ hp: 'clear', fields }), fields);
  const outer = baselineOuter(fields);
  const cipher = await encrypted(w, await signedEntity(w, payload({ hp: 'cipher', fields, hpOuter: outer })), outer);
  const check = (b: Buffer, decrypt = false) => verifyMessage(new Uint8Array(b), { anchors: w.anchors, decrypt: decrypt ? w.decrypt : undefined });
  return {
    changed: await check(changeOuter(clear, 'Subject', CHANGED_SUBJECT)),
    from: await check(changeOuter(clear, 'From', 'Eve <eve@evil.example>')),
    cipher: await check(cipher, true),
    plain: await check(await signed(w, Buffer.from('Content-Type: text/plain\r\n\r\nNo protected headers.\r\n'), fields)),
  };
}

describe('ui/signed-headers in Chromium under a strict CSP', { skip: chromiumSkip() }, () => {
  const ui = useModulePage(HTML, CSP);
  const vP = verdicts();
  const render = (v: Verdict) => ui.page.evaluate((x) => window.__render(x, false), v);
  mkdirSync(ARTIFACTS, { recursive: true });

  test('a Subject changed after signing: the signed Subject, the shown one beside it, and an alert by the badge', async () => {
    const v = (await vP).changed;
    await ui.page.setViewportSize({ width: 420, height: 900 });
    await render(v);
    assert.equal(await ui.page.locator('[data-verdict]').getAttribute('data-verdict'), 'untrusted');
    const alert = await ui.page.locator('[data-warning="header-changed"]').innerText();
    assert.ok(alert.includes("it was signed as 'Quarterly figures', and now reads 'Urgent: new bank details'"), alert);
    const subject = ui.page.locator('.sv-headers dd[data-field="subject"]');
    assert.equal(await subject.locator('.sv-header-value').innerText(), SIGNED_SUBJECT);
    assert.match(await subject.locator('[data-changed="subject"]').innerText(), /your mail program shows “Urgent: new bank details”/);
    const rows = await ui.page.locator('.sv-headers dt').allInnerTexts();
    assert.deepEqual(rows, ['Subject', 'From', 'To', 'Date']);
    // The alert comes before the headers and the reasons: next to the badge.
    const order = await ui.page.evaluate(() => [...document.querySelectorAll('.sv-alerts, .sv-headers, .sv-reasons')].map((e) => e.className));
    assert.deepEqual(order.map((c) => c.split(' ')[0]), ['sv-alerts', 'sv-signer', 'sv-reasons']);
    await ui.page.screenshot({ path: join(ARTIFACTS, 'signed-headers-subject-changed.png'), fullPage: true });
  });

  test('a From changed after signing: its own alert names both senders, not the generic mismatch', async () => {
    await render((await vP).from);
    const alert = await ui.page.locator('[data-warning="header-from-changed"]').innerText();
    assert.ok(alert.includes('“Eve <eve@evil.example>”') && alert.includes('“Alice Sender <alice@hp.example>”'), alert);
    assert.equal(await ui.page.locator('[data-warning="sender-mismatch"]').count(), 0);
    await ui.page.screenshot({ path: join(ARTIFACTS, 'signed-headers-from-changed.png'), fullPage: true });
  });

  test('encrypted with [...] outside: the real Subject, marked as kept inside the encryption, no alert', async () => {
    await render((await vP).cipher);
    assert.equal(await ui.page.locator('[data-verdict]').getAttribute('data-verdict'), 'trusted');
    assert.equal(await ui.page.locator('.sv-alert').count(), 0);
    const subject = await ui.page.locator('.sv-headers dd[data-field="subject"]').innerText();
    assert.ok(subject.includes(SIGNED_SUBJECT) && subject.includes('kept inside the encryption'), subject);
    await ui.page.screenshot({ path: join(ARTIFACTS, 'signed-headers-cipher.png'), fullPage: true });
  });

  test('no header protection: no signed-headers section, the note says what the signature leaves out', async () => {
    await render((await vP).plain);
    assert.equal(await ui.page.locator('.sv-headers').count(), 0);
    const note = await ui.page.locator('[data-code="headers-unprotected"]').innerText();
    assert.match(note, /The signature covers the body, not the Subject, To or Date\./);
  });

  test('axe-core: no serious or critical violations with signed headers shown', async () => {
    const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    await ui.page.evaluate(axeSource);
    for (const v of Object.values(await vP)) {
      await render(v);
      const bad = await ui.page.evaluate(async () => {
        const res = await (window as unknown as { axe: { run: (c: unknown) => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe.run(document);
        return res.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical').map((x) => `${x.id} (${x.impact}, ${x.nodes.length})`);
      });
      assert.deepEqual(bad, [], bad.join(', '));
    }
  });

  test('no console errors, page errors or CSP violations', () => {
    assert.deepEqual(ui.problems, []);
  });
});

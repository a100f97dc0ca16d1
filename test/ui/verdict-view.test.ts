/**
 * The shared verdict view in real Chromium, in a page with a strict CSP (no inline script or style): each
 * verdict word gets its own status element with data-verdict, words and reasons; the loud warnings name the
 * addresses and what lies outside the signature; strings from a message never become markup; axe-core finds
 * no serious accessibility problem. The Verdict objects are view inputs written here on purpose: this tests
 * the presentation, the core's verdicts are tested under test/ and end to end in test/outlook/.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import type { CertificateDetails, Reason, Verdict, VerdictWord } from '../../src/verdict';
import { VERDICT_PHRASE } from '../../src/verdict';
import { chromiumSkip } from '../outlook/chromium';
import { useModulePage } from './module-server';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'";
const HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>verdict view</title>
<link rel="stylesheet" href="/ui/verdict.css"></head>
<body><main id="root"></main><script type="module" src="/test/ui/verdict-harness.ts"></script></body></html>`;

const cert = (cn: string, email: string | null, issuer: string, extra: Partial<CertificateDetails> = {}): CertificateDetails => ({
  subject: `CN=${cn}`,
  commonName: cn,
  issuer: `CN=${issuer}`,
  emails: email ? [email] : [],
  notBefore: '2025-01-01T00:00:00.000Z',
  notAfter: '2027-01-01T00:00:00.000Z',
  serialNumber: '0A1B',
  sha256: 'AB:CD:EF:01',
  publicKeyAlgorithm: 'RSA 2048',
  signatureAlgorithm: 'sha256WithRSAEncryption',
  isCA: false,
  selfSigned: false,
  ...extra,
});

function verdict(word: VerdictWord, reasons: Reason[], extra: Record<string, unknown> = {}): Verdict {
  const alice = cert('Alice Example', 'alice@example.com', 'Test Intermediate');
  const signed = word === 'trusted' || word === 'untrusted' || word === 'invalid';
  return {
    verdict: word,
    signature: signed ? (word === 'invalid' ? 'invalid' : 'valid') : 'absent',
    trust: word === 'trusted' ? 'trusted' : 'unknown',
    sender: 'match',
    coverage: signed ? 'full' : 'none',
    reasons,
    warnings: [],
    signers: signed
      ? [
          {
            signature: word === 'invalid' ? 'invalid' : 'valid',
            trust: word === 'trusted' ? 'trusted' : 'untrusted',
            certificate: alice,
            chain: [alice, cert('Test Intermediate', null, 'Test Root', { isCA: true }), cert('Test Root', null, 'Test Root', { isCA: true, selfSigned: true })],
            digestAlgorithm: 'SHA-256',
            signatureAlgorithm: 'RSASSA-PKCS1-v1_5',
            signingTime: '2026-03-04T05:06:07.000Z',
            reasons: [],
          },
        ]
      : [],
    layers: [],
    from: ['alice@example.com'],
    outsideSignature: [],
    encrypted: false,
    decrypted: false,
    checkedAt: '2026-11-25T20:00:00.000Z',
    summary: `summary for ${word}`,
    ...(word === 'error' ? { error: { code: 'malformed-mime', message: 'The message is not valid MIME.' } } : {}),
    ...extra,
  } as Verdict;
}

const r = (code: Reason['code'], severity: Reason['severity'], message: string): Reason => ({ code, severity, message });

const skip = chromiumSkip();

describe('ui/verdict-view in Chromium under a strict CSP', { skip }, () => {
  const ui = useModulePage(HTML, CSP);

  const render = (v: Verdict, withButton = false) => ui.page.evaluate(([v, b]) => window.__render(v, b), [v, withButton] as const);

  for (const word of ['trusted', 'untrusted', 'invalid', 'unsigned', 'error'] as const) {
    test(`${word}: status element, words and reasons`, async () => {
      await render(verdict(word, [r('chain-trusted', word === 'trusted' ? 'ok' : 'error', `reason text for ${word}`)]));
      const status = ui.page.locator('[data-verdict]');
      assert.equal(await status.count(), 1);
      assert.equal(await status.getAttribute('data-verdict'), word);
      assert.equal(await status.getAttribute('role'), 'status');
      const text = await status.innerText();
      assert.ok(text.includes(VERDICT_PHRASE[word]), text);
      if (word === 'error') assert.ok(text.includes('The message is not valid MIME.'), text);
      else assert.ok(text.includes(`summary for ${word}`), text);
      assert.equal(await ui.page.locator('svg.sv-icon').count(), 1);
      const reasons = await ui.page.locator('.sv-reason').allInnerTexts();
      assert.equal(reasons.length, 1);
      assert.ok(reasons[0].includes(`reason text for ${word}`));
      const signed = word === 'trusted' || word === 'untrusted' || word === 'invalid';
      assert.equal(await ui.page.locator('.sv-signer').count(), signed ? 1 : 0);
    });
  }

  test('verdict words have different icon shapes and border styles, not only colours', async () => {
    const seen = new Map<string, string>();
    for (const word of ['trusted', 'untrusted', 'invalid', 'unsigned', 'error'] as const) {
      await render(verdict(word, []));
      const shape = await ui.page.locator('svg.sv-icon path').first().getAttribute('d');
      const border = await ui.page.locator('[data-verdict]').evaluate((el) => getComputedStyle(el).borderTopStyle + getComputedStyle(el).borderTopWidth);
      seen.set(word, `${shape}|${border}`);
    }
    assert.equal(new Set([...seen.values()].map((s) => s.split('|')[0])).size, 5, 'five icon shapes');
    assert.ok(new Set([...seen.values()].map((s) => s.split('|')[1])).size >= 4, 'border styles differ');
  });

  test('signer details and chain', async () => {
    await render(verdict('trusted', [r('chain-trusted', 'ok', 'The chain ends at a trusted root.')], { trust: 'trusted' }));
    const signer = await ui.page.locator('.sv-signer').innerText();
    for (const s of ['Alice Example', 'alice@example.com', 'CN=Test Intermediate', '2025-01-01 to 2027-01-01', 'AB:CD:EF:01', '2026-03-04 05:06 UTC', 'SHA-256 with RSASSA-PKCS1-v1_5']) {
      assert.ok(signer.includes(s), `${s} in ${signer}`);
    }
    // A narrow pane wraps the fingerprint between bytes (a <wbr> after each colon), never inside one.
    const fp = ui.page.locator('.sv-signer dd.sv-mono');
    assert.equal(await fp.textContent(), 'AB:CD:EF:01');
    assert.equal(await fp.locator('wbr').count(), 3);
    const chain = await ui.page.locator('.sv-chain li').allInnerTexts();
    assert.equal(chain.length, 3);
    assert.match(chain[0], /Alice Example \(signer/);
    assert.match(chain[1], /Test Intermediate \(intermediate/);
    assert.match(chain[2], /Test Root \(trusted root/);
  });

  test('sender mismatch: a loud warning naming both addresses', async () => {
    await render(
      verdict('untrusted', [r('sender-mismatch', 'error', 'The From address is not in the certificate.')], {
        sender: 'mismatch',
        from: ['boss@example.org'],
      }),
    );
    const alert = ui.page.locator('[data-warning="sender-mismatch"]');
    assert.equal(await alert.count(), 1);
    const text = await alert.innerText();
    assert.ok(text.includes('the sender is not the signer'), text);
    assert.ok(text.includes('boss@example.org') && text.includes('alice@example.com'), text);
    assert.equal(await ui.page.locator('.sv-alerts').getAttribute('role'), 'alert');
  });

  test('partial coverage: names what is outside the signature', async () => {
    await render(
      verdict('untrusted', [r('partially-signed', 'warning', 'Only part of this message is signed.')], {
        coverage: 'partial',
        outsideSignature: ['the text part before the signed part', 'the attachment "invoice.pdf"'],
      }),
    );
    const alert = ui.page.locator('[data-warning="partially-signed"]');
    const items = await alert.locator('li').allInnerTexts();
    assert.deepEqual(items, ['the text part before the signed part', 'the attachment "invoice.pdf"']);
  });

  test('strings from the message stay text (no markup injection)', async () => {
    const evil = '<img src=x onerror="window.__pwned=1"><b>bold</b>';
    await render(
      verdict('untrusted', [r('sender-mismatch', 'error', evil)], {
        sender: 'mismatch',
        from: [evil],
        summary: evil,
        coverage: 'partial',
        outsideSignature: [evil],
      }),
    );
    assert.equal(await ui.page.locator('#root img').count(), 0);
    assert.equal(await ui.page.locator('#root b').count(), 0);
    assert.ok((await ui.page.locator('[data-verdict]').innerText()).includes(evil));
    assert.equal(await ui.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  });

  test('"Verify again" button calls back; host notes are shown', async () => {
    await render(verdict('unsigned', [r('not-signed', 'info', 'This message is not signed.')]), true);
    assert.ok((await ui.page.locator('.sv-note').innerText()).includes('A host note.'));
    await ui.page.getByRole('button', { name: 'Verify again' }).click();
    assert.equal(await ui.page.evaluate(() => window.__again), 1);
  });

  test('checking state has no data-verdict', async () => {
    await ui.page.evaluate(() => window.__checking());
    assert.equal(await ui.page.locator('[data-verdict]').count(), 0);
    assert.equal(await ui.page.locator('[data-state="checking"]').count(), 1);
  });

  test('axe-core: no serious or critical violations in any state', async () => {
    const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    // Injected through the DevTools protocol, which the page's CSP does not govern.
    await ui.page.evaluate(axeSource);
    for (const word of ['trusted', 'untrusted', 'invalid', 'unsigned', 'error'] as const) {
      await render(
        verdict(word, [r('chain-trusted', 'warning', 'A reason.')], {
          sender: word === 'untrusted' ? 'mismatch' : 'match',
          coverage: word === 'untrusted' ? 'partial' : 'full',
          outsideSignature: ['a footer'],
        }),
        true,
      );
      const bad = await ui.page.evaluate(async () => {
        const res = await (window as unknown as { axe: { run: (c: unknown) => Promise<{ violations: { id: string; impact: string; nodes: unknown[] }[] }> } }).axe.run(document);
        return res.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id} (${v.impact}, ${v.nodes.length})`);
      });
      assert.deepEqual(bad, [], `${word}: ${bad.join(', ')}`);
    }
  });

  test('no console errors, page errors or CSP violations', () => {
    assert.deepEqual(ui.problems, []);
  });
});

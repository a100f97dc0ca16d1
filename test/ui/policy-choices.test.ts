/**
 * The shared policy choices view (ui/policy-choices.ts) in real Chromium under a strict CSP: every user-settable
 * field drawn from a resolved policy, admin-decided fields locked with the reason, a change saved as that one
 * field, and the online hook run inside the click's change event (a host permission request needs the user's
 * gesture). The hosts' pages are tested end to end in test/outlook and test/thunderbird.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultPolicy, resolvePolicy, type PartialPolicy } from '../../src/index';
import { chromiumSkip } from '../outlook/chromium';
import { seriousA11yViolations } from '../outlook/harness';
import { useModulePage } from './module-server';

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'";
const HTML = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>policy choices</title></head>
<body><main id="root"></main><script type="module" src="/test/ui/policy-choices-harness.ts"></script></body></html>`;

interface Calls {
  saved: PartialPolicy[];
  said: { text: string; ok: boolean }[];
  beforeOn: string[];
  afterOff: number;
}

const skip = chromiumSkip();

describe('ui/policy-choices in Chromium under a strict CSP', { skip }, () => {
  const ui = useModulePage(HTML, CSP);

  /** Draws the view for an admin and a user layer, resolved as the hosts resolve them. */
  const draw = async (layers: { admin?: PartialPolicy; user?: PartialPolicy }, cfg = { hook: true, permit: true, problems: [] as string[] }) => {
    const { policy, sources } = resolvePolicy(layers);
    await ui.page.evaluate(([p, s, c]) => window.__draw(p, s, c), [policy, sources, cfg] as const);
  };
  const calls = () => ui.page.evaluate(() => window.__calls) as Promise<Calls>;
  /** Polls the recorded calls until `ok` holds (saving is asynchronous), for up to 5 s. */
  const until = async (ok: (c: Calls) => boolean): Promise<Calls> => {
    const end = Date.now() + 5000;
    let c = await calls();
    while (!ok(c) && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 25));
      c = await calls();
    }
    return c;
  };

  test('every user-settable field, with the resolved value, labelled, none locked without an admin policy', async () => {
    await draw({ user: { revocation: 'hard', allowSha1: true } });
    assert.equal(await ui.page.locator('#policy-revocation').inputValue(), 'hard');
    assert.equal(await ui.page.locator('#policy-senderMatch').inputValue(), defaultPolicy().senderMatch);
    assert.equal(await ui.page.locator('#policy-allowSha1').isChecked(), true);
    assert.equal(await ui.page.locator('#policy-bundledRoots').isChecked(), true);
    assert.equal(await ui.page.locator('#policy-online').isChecked(), false);
    for (const label of ['Check revocation:', 'When the sender is not the signer:', 'Accept SHA-1 signatures', 'Trust the roots Mozilla trusts', 'Check online:']) {
      assert.equal(await ui.page.getByLabel(label).count(), 1, `a control labelled "${label}"`);
    }
    assert.equal(await ui.page.locator(':disabled').count(), 0);
    assert.equal(await ui.page.getByText('Set by your administrator').count(), 0);
    assert.match(await ui.page.locator('#policy-online-note').innerText(), /learns which certificate you are checking\. A host note\./);
  });

  test('fields the administrator decides are locked with the reason; the others stay the user\'s', async () => {
    await draw({ admin: { revocation: 'off', senderMatch: 'require', online: true }, user: { revocation: 'hard', senderMatch: 'warn' } });
    for (const key of ['revocation', 'senderMatch', 'online']) {
      const control = ui.page.locator(`#policy-${key}`);
      assert.equal(await control.isDisabled(), true, `${key} locked`);
      const described = (await control.getAttribute('aria-describedby')) ?? '';
      assert.ok(described.split(' ').includes(`policy-${key}-locked`), `${key}: the lock is described (${described})`);
      assert.equal(await ui.page.locator(`#policy-${key}-locked`).innerText(), 'Set by your administrator');
    }
    assert.equal(await ui.page.locator('#policy-revocation').inputValue(), 'off', 'the administrator\'s value, not the user\'s');
    assert.equal(await ui.page.locator('#policy-senderMatch').inputValue(), 'require');
    assert.equal(await ui.page.locator('#policy-online').isChecked(), true);
    assert.equal(await ui.page.locator('#policy-allowSha1').isDisabled(), false);
    assert.equal(await ui.page.locator('#policy-bundledRoots').isDisabled(), false);
  });

  test('organisation rules: the administrator\'s value wins over the user\'s and is shown locked; when to sign is the user\'s otherwise', async () => {
    await draw({
      admin: { outbound: { requireSignature: 'always', requireEncryptionTo: ['lawfirm.example'] }, inbound: { requireSignedFrom: ['corp.example'], action: 'quarantine' } },
      user: { outbound: { requireSignature: 'never' } },
    });
    const sel = ui.page.locator('[id="policy-outbound.requireSignature"]');
    assert.equal(await sel.inputValue(), 'always', 'the administrator\'s value, not the user\'s');
    assert.equal(await sel.isDisabled(), true);
    assert.equal(await ui.page.locator('[id="policy-outbound.requireSignature-locked"]').innerText(), 'Set by your administrator');
    const rules = await ui.page.locator('#policy-rules').innerText();
    assert.match(rules, /Mail from corp\.example must be signed and trusted; messages that are not are moved to "Quarantine"/);
    assert.match(rules, /Mail to lawfirm\.example is encrypted/);
    assert.equal(await ui.page.locator('[data-rule="inbound.requireSignedFrom"] .locked').innerText(), 'Set by your administrator');
    await draw({ user: { outbound: { requireSignature: 'never' } } });
    await ui.page.locator('[id="policy-outbound.requireSignature"]').selectOption('external');
    const c = await until((c) => c.said.length === 1);
    assert.deepEqual(c.saved, [{ outbound: { requireSignature: 'external' } }]);
  });

  test('a change saves that one field and says so', async () => {
    await draw({});
    await ui.page.locator('#policy-revocation').selectOption('hard');
    let c = await until((c) => c.said.length === 1);
    assert.deepEqual(c.saved, [{ revocation: 'hard' }]);
    assert.deepEqual(c.said, [{ text: 'Revocation is checked; an unknown status now means not trusted.', ok: true }]);
    await ui.page.locator('#policy-senderMatch').selectOption('warn');
    await ui.page.locator('#policy-allowSha1').check();
    await ui.page.locator('#policy-bundledRoots').uncheck();
    c = await until((c) => c.said.length === 4);
    assert.deepEqual(c.saved.slice(1), [{ senderMatch: 'warn' }, { allowSha1: true }, { bundledRoots: false }]);
    assert.ok(c.said.every((s) => s.ok && s.text.length > 10), JSON.stringify(c.said));
  });

  test('problems from saving are said as problems', async () => {
    await draw({}, { hook: true, permit: true, problems: ['The setting is invalid.'] });
    await ui.page.locator('#policy-allowSha1').check();
    const c = await until((c) => c.said.length === 1);
    assert.deepEqual(c.said, [{ text: 'The setting is invalid.', ok: false }]);
  });

  test('online on: the host hook runs inside the click\'s change event, then online: true is saved', async () => {
    await draw({});
    await ui.page.locator('#policy-online').click();
    const c = await until((c) => c.said.length === 1);
    assert.deepEqual(c.beforeOn, ['change'], 'called synchronously in the change handler, before any await');
    assert.deepEqual(c.saved, [{ online: true }]);
    assert.deepEqual(c.said, [{ text: 'Online checks are on.', ok: true }]);
  });

  test('online on, the host refuses: nothing saved, the box unticked, the host\'s reason said', async () => {
    await draw({}, { hook: true, permit: false, problems: [] });
    await ui.page.locator('#policy-online').click();
    const c = await until((c) => c.said.length === 1);
    assert.deepEqual(c.saved, []);
    assert.deepEqual(c.said, [{ text: 'The host refused.', ok: false }]);
    assert.equal(await ui.page.locator('#policy-online').isChecked(), false);
  });

  test('online on without a hook (Outlook) saves at once; off saves, then the host\'s afterOff runs', async () => {
    await draw({}, { hook: false, permit: true, problems: [] });
    await ui.page.locator('#policy-online').click();
    let c = await until((c) => c.said.length === 1);
    assert.deepEqual(c.saved, [{ online: true }]);
    await draw({ user: { online: true } }, { hook: false, permit: true, problems: [] });
    await ui.page.locator('#policy-online').click();
    c = await until((c) => c.said.length === 1);
    assert.deepEqual(c.saved, [{ online: false }]);
    assert.equal(c.afterOff, 1);
    assert.deepEqual(c.said, [{ text: 'Online checks are off: nothing is fetched.', ok: true }]);
  });

  test('axe-core: no serious or critical violations, unlocked and locked', async () => {
    for (const admin of [undefined, { revocation: 'hard', allowSha1: false, online: true } as PartialPolicy]) {
      await draw({ admin });
      const bad = await seriousA11yViolations(ui.page);
      assert.deepEqual(bad, [], bad.join(', '));
    }
  });

  test('no console errors, ui.page errors or CSP violations', () => {
    assert.deepEqual(ui.problems, []);
  });
});

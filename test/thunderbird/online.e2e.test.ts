/**
 * Online checks in real Thunderbird (issue 6): the add-on fetches a missing intermediate from its AIA caIssuers
 * URL and asks an OCSP responder, over the background's fetch with the optional host permission — and only then.
 * Loopback only: the CA's HTTP server (test/trust/online-servers.ts) and `openssl ocsp -port` on 127.0.0.1, made
 * by test/trust/online-pki.ts.
 *
 * Two profiles:
 *  - the administrator turns online checks on (managed storage) but Thunderbird has not granted access to web
 *    sites: the verdict says why nothing was fetched (and nothing was), the options page says so and offers to
 *    grant it; granted the way Thunderbird records a grant (ExtensionPermissions.add, as the Add-ons Manager does),
 *    the chain is completed, and a signer revoked by OCSP or by the CRL at its distribution point is not trusted;
 *  - the user turns online checks on in the options page: the click asks Thunderbird (its permission prompt is
 *    shown and answered here with its own buttons); refused, online checks stay off; allowed, they are on; turned
 *    off again, the permission is given back.
 * Screenshots: test-artifacts/thunderbird/online-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERDICT_PHRASE } from '../../src/index';
import { smimeSign } from '../support/pki';
import { textEntity } from '../support/messages';
import { makeOnlinePki, type OnlinePki } from '../trust/online-pki';
import type { Marionette } from './marionette';
import { Thunderbird, sleep, waitFor } from './harness';
import { ADDON_ID, closePageTabs, closePopup, inPage, openOptions, openPopup, screenshotWindowOf, screenshotWithPopup, settledButton } from './ui-probe';
import { artifactsDir, builtXpi, thunderbirdOrSkip } from './support';

const env = thunderbirdOrSkip();
const ORIGINS = ['http://*/*', 'https://*/*'];

let o: OnlinePki;
const files = new Map<string, Uint8Array>();
const figures: string[] = [];

/** The managed-storage manifest Thunderbird reads for an administrator's policy (see managed.e2e.test.ts). */
function managed(data: Record<string, unknown>): Record<string, string> {
  const manifest = { name: ADDON_ID, description: 'smime-addin policy for the online e2e test', type: 'storage', data };
  return { [`.mozilla/managed-storage/${ADDON_ID}.json`]: JSON.stringify(manifest) };
}

/**
 * A CA host name, as real AIA/OCSP/CRL URLs have (plain http, not an address): Thunderbird resolves it to 127.0.0.1
 * (network.dns.localDomains), so traffic stays on loopback while the add-on sees an ordinary http:// URL. Loopback
 * addresses are exempt from upgrade-insecure-requests, host names are not: this is what catches a CSP that would
 * turn every CA's http:// URL into an https:// one nobody answers.
 */
const CA_HOST = 'ca.smime-test.example';

async function launch(policy: Record<string, unknown>): Promise<Thunderbird> {
  return Thunderbird.launch(env.bin!, {
    addons: [{ id: ADDON_ID, xpi: await builtXpi() }],
    files,
    homeFiles: managed(policy),
    extraPrefs: `user_pref("network.dns.localDomains", "${CA_HOST}");\n`,
  });
}

/** Imports a message, opens it, waits for the verdict on the button, opens the popup and returns what it says. */
const imported = new WeakMap<Thunderbird, Map<string, { id: number; subject: string }>>();

async function showMessage(tb: Thunderbird, file: string, shot?: string): Promise<{ title: string; verdict: string | null; text: string }> {
  if (!imported.has(tb)) imported.set(tb, new Map());
  const known = imported.get(tb)!;
  if (!known.has(file)) known.set(file, await tb.driver('import', { file }));
  const { id, subject } = known.get(file)!;
  step(`open ${file}`);
  const { tabId } = await tb.driver('open', { messageId: id });
  try {
    const b = await settledButton(tb.marionette, 30000, subject);
    step(`button: ${b.title.slice(0, 60)}`);
    const popup = await openPopup(tb.marionette);
    step('popup open');
    if (shot) writeFileSync(join(artifactsDir(), shot), await screenshotWithPopup(tb.marionette));
    await closePopup(tb.marionette);
    return { title: b.title, verdict: popup.verdict, text: popup.text };
  } finally {
    await tb.driver('closeTab', { tabId });
  }
}

/**
 * Clicks an element of the options page as a user does: a real mouse press and release at its centre, synthesized
 * into the page's event pipeline, so the click handler runs as "handling user input" (permissions.request needs it).
 */
async function userClick(m: Marionette, selector: string): Promise<void> {
  step(`click ${selector}`);
  await inPage(
    m,
    '/options.html',
    `const el = doc.querySelector(${JSON.stringify(selector)});
     if (!el) throw new Error("no element ${selector.replace(/"/g, '')}");
     el.scrollIntoView({ block: "center" });
     await new Promise((r) => win.requestAnimationFrame(() => win.requestAnimationFrame(r)));
     const r = el.getBoundingClientRect();
     const x = r.left + r.width / 2, y = r.top + r.height / 2;
     // Window.synthesizeMouseEvent (chrome-only; what Marionette's and EventUtils' clicks use).
     win.synthesizeMouseEvent("mousedown", x, y, { button: 0, buttons: 1, clickCount: 1 }, { isDOMEventSynthesized: true });
     win.synthesizeMouseEvent("mouseup", x, y, { button: 0, buttons: 0, clickCount: 1 }, { isDOMEventSynthesized: true });
     return true;`,
  );
}

interface Prompt {
  header: string;
  items: string[];
}

/** Thunderbird's permission prompt (ExtensionsUI's "addon-webext-permissions" notification), once it shows. */
async function permissionPrompt(m: Marionette, timeoutMs = 10000): Promise<Prompt> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const p = await m.chrome<Prompt | null>(`
      const w = Services.wm.getMostRecentWindow("mail:3pane");
      const n = w.PopupNotifications.getNotification("addon-webext-permissions");
      const el = w.document.getElementById("addon-webext-permissions-notification");
      if (!n || !el) return null;
      const desc = el.querySelector(".popup-notification-description");
      return { header: (desc && desc.textContent) || el.getAttribute("label") || "",
               items: [...w.document.querySelectorAll("#addon-webext-perm-list li")].map((li) => li.textContent) };`);
    // The texts are filled in when the panel is showing.
    if (p && p.items.length) {
      step('prompt shown');
      return p;
    }
    if (Date.now() > end) throw new Error('Thunderbird showed no permission prompt');
    await sleep(100);
  }
}

/** Answers the prompt with its own buttons (Allow / Cancel), as the user would. */
async function answerPrompt(m: Marionette, allow: boolean): Promise<void> {
  step(`answer ${allow ? 'Allow' : 'Cancel'}`);
  await m.chrome(
    `const w = Services.wm.getMostRecentWindow("mail:3pane");
     const el = w.document.getElementById("addon-webext-permissions-notification");
     const b = arguments[0] ? el.button : el.secondaryButton;
     b.click();
     return true;`,
    [allow],
  );
  await waitFor(() => m.chrome<boolean>(`return !Services.wm.getMostRecentWindow("mail:3pane").PopupNotifications.getNotification("addon-webext-permissions");`), 5000);
  step('prompt answered');
}

/** The origins Thunderbird has recorded as granted to the add-on. */
async function grantedOrigins(m: Marionette): Promise<string[]> {
  await m.command('WebDriver:SetTimeouts', { script: 10000 });
  const r = await m.command('WebDriver:ExecuteAsyncScript', {
    script: `const resolve = arguments[arguments.length - 1];
      const { ExtensionPermissions } = ChromeUtils.importESModule("resource://gre/modules/ExtensionPermissions.sys.mjs");
      ExtensionPermissions.get(${JSON.stringify(ADDON_ID)}).then((p) => resolve(p.origins), (e) => resolve(["error: " + e]));`,
    args: [],
  });
  return (r && typeof r === 'object' && 'value' in r ? r.value : r) as string[];
}

/** Reads the options page's online field and status line. */
function onlineState(m: Marionette) {
  return inPage<{ checked: boolean; disabled: boolean; missing: string; granted: boolean; grantButton: boolean; status: string }>(
    m,
    '/options.html',
    `const cb = doc.getElementById("policy-online");
     const miss = doc.getElementById("online-missing");
     return { checked: cb.checked, disabled: cb.disabled, missing: miss ? miss.textContent : "",
              granted: !!doc.getElementById("online-granted"), grantButton: !!doc.getElementById("online-grant"),
              status: doc.getElementById("online-status").textContent };`,
  );
}

async function waitOnline(m: Marionette, ok: (s: Awaited<ReturnType<typeof onlineState>>) => boolean, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  let last = await onlineState(m);
  while (!ok(last) && Date.now() < end) {
    await sleep(100);
    last = await onlineState(m);
  }
  step(`options: ${JSON.stringify(last)}`);
  return last;
}

/** Opens the options page, runs `body` in it, and closes it again whatever happens. */
async function inOptions(tb: Thunderbird, body: () => Promise<void>): Promise<void> {
  step('open options');
  await openOptions(tb.marionette);
  try {
    await body();
  } finally {
    step('close options');
    await closePageTabs(tb.marionette, '/options.html');
  }
}

/** A PNG of the options page scrolled to its "Checking" section. */
async function shootChecking(m: Marionette, name: string): Promise<void> {
  await inPage(m, '/options.html', 'doc.getElementById("h-policy").scrollIntoView({ block: "start" }); return true;');
  await sleep(150);
  writeFileSync(join(artifactsDir(), name), await screenshotWindowOf(m, '/options.html'));
}

const hits = (path: string) => o.http.hits.get(path) ?? 0;
/** A hang fails the test in bounded time instead of stalling the run. */
const T = { timeout: 120_000 };
/** What the running test has done so far (printed when it fails). */
let steps: string[] = [];
const step = (what: string) => steps.push(`${new Date().toISOString().slice(11, 23)} ${what}`);

/**
 * Runs a test body with its own time limit (so a hang still reports); on failure prints the steps taken and the end
 * of Thunderbird's log (the add-on logs its online decisions).
 */
async function logged(tb: Thunderbird, body: () => Promise<void>, limitMs = 90_000): Promise<void> {
  steps = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      body(),
      new Promise<never>((_, rej) => (timer = setTimeout(() => rej(new Error(`no end after ${limitMs} ms`)), limitMs))),
    ]);
  } catch (e) {
    console.log(`# steps:\n${steps.map((l) => `#   ${l}`).join('\n')}`);
    console.log(`# Thunderbird log (last 30 lines):\n${tb.log.slice(-30).map((l) => `#   ${l}`).join('\n')}`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

describe('Thunderbird: online checks (AIA, OCSP) with the optional host permission', { skip: env.skip || undefined }, () => {
  before(async () => {
    o = await makeOnlinePki();
    const sign = async (k: 'good' | 'revoked' | 'crlRevoked', who: string, subject: string, chain?: []) =>
      (
        await smimeSign({
          signer: o.leaves[k].issued,
          content: textEntity(`Hello from ${who}.`),
          chain,
          headers: { from: `${who} <${who.toLowerCase()}@example.com>`, to: 'you@example.com', subject, messageId: `<${subject.replace(/\W+/g, '-')}@example.com>` },
        })
      ).bytes;
    // chain: [] — Alice's client left out the intermediate; her certificate names it at /int.der (AIA caIssuers).
    files.set('aia.eml', await sign('good', 'Alice', 'Intermediate left out', []));
    files.set('revoked.eml', await sign('revoked', 'Bob', 'Revoked signer'));
    // Frank's certificate names only a CRL distribution point (/int.crl), which lists him as revoked.
    files.set('crl-revoked.eml', await sign('crlRevoked', 'Frank', 'Revoked by CRL'));
    // Ivy's certificate names its issuer by host name (http://ca.smime-test.example:PORT/host-ca.der), as real CAs
    // do. A CA of its own, so that no intermediate remembered from an earlier message completes her chain.
    const hostCa = await o.pki.issue({ name: 'Fixture Host-Named CA', ca: true, issuer: 'root' });
    o.http.routes.set('/host-ca.der', { body: hostCa.certDer, type: 'application/pkix-cert' });
    const ivy = await o.pki.issue({
      name: 'Ivy',
      issuer: hostCa,
      email: 'ivy@example.com',
      extraExt: `authorityInfoAccess = caIssuers;URI:${o.http.url('/host-ca.der').replace('127.0.0.1', CA_HOST)}`,
    });
    files.set(
      'aia-host.eml',
      (
        await smimeSign({
          signer: ivy,
          content: textEntity('Hello from Ivy.'),
          chain: [],
          headers: { from: 'Ivy <ivy@example.com>', to: 'you@example.com', subject: 'Issuer named by host', messageId: '<Issuer-named-by-host@example.com>' },
        })
      ).bytes,
    );
  });
  after(async () => {
    console.log(`# Thunderbird online checks: ${figures.join('; ')}`);
    await o?.close();
  });

  describe('the administrator turns online checks on', () => {
    let tb: Thunderbird;
    before(async () => {
      tb = await launch({ anchors: [o.pki.root.certPem], bundledRoots: false, allowPrivateTargets: true, online: true, revocation: 'soft' });
    });
    after(async () => {
      await tb?.stop();
    });

    test('without the host permission nothing is fetched and the verdict says why', T, () =>
      logged(tb, async () => {
        const before = hits('/int.der');
        const r = await showMessage(tb, 'aia.eml');
        assert.ok(r.title.startsWith(VERDICT_PHRASE.untrusted), r.title);
        assert.equal(r.verdict, 'untrusted');
        assert.match(r.text, /did not include the certificate of 'CN=Fixture Online CA, O=Fixture PKI'/);
        assert.match(r.text, /could not be fetched: online checks are on, but Thunderbird has not given this add-on access to web sites/);
        assert.equal(hits('/int.der'), before, 'no request left Thunderbird');
        figures.push('online wanted, no permission → untrusted (incomplete chain), 0 requests');
      }),
    );

    test('the options page says so and its button asks Thunderbird; refused, nothing changes', T, () =>
      logged(tb, async () => {
        await inOptions(tb, async () => {
          const s = await onlineState(tb.marionette);
          assert.equal(s.checked, true);
          assert.equal(s.disabled, true, 'set by the administrator: locked');
          assert.match(s.missing, /Online checks are on \(set by your administrator\), but Thunderbird has not given this add-on access to web sites/);
          assert.equal(s.grantButton, true);
          await shootChecking(tb.marionette, 'online-options-missing.png');

          await userClick(tb.marionette, '#online-grant');
          const prompt = await permissionPrompt(tb.marionette);
          console.log(`# Thunderbird's prompt: ${JSON.stringify(prompt)}`);
          assert.match(prompt.header, /S\/MIME Check/);
          await answerPrompt(tb.marionette, false);
          const after = await waitOnline(tb.marionette, (x) => x.status !== '');
          assert.match(after.status, /did not give this add-on access to web sites/);
          assert.equal(after.grantButton, true);
          assert.deepEqual(await grantedOrigins(tb.marionette), []);
        });
      }),
    );

    test('granted (as Thunderbird records a grant): the missing intermediate is fetched and the chain trusted', T, () =>
      logged(tb, async () => {
        await tb.marionette.chrome(
          `const { ExtensionPermissions } = ChromeUtils.importESModule("resource://gre/modules/ExtensionPermissions.sys.mjs");
           const policy = WebExtensionPolicy.getByID(arguments[0]);
           ExtensionPermissions.add(arguments[0], { permissions: [], origins: arguments[1] }, policy.extension);
           return true;`,
          [ADDON_ID, ORIGINS],
        );
        assert.deepEqual((await waitFor(async () => ((await grantedOrigins(tb.marionette)).length === 2 ? grantedOrigins(tb.marionette) : null))) ?? [], ORIGINS);
        await sleep(300); // permissions.onAdded reaches the background, which rebuilds its check
        const before = hits('/int.der');
        const r = await showMessage(tb, 'aia.eml', 'online-aia-trusted.png');
        assert.ok(r.title.startsWith(VERDICT_PHRASE.trusted), `${r.title}\n${r.text}`);
        assert.equal(r.verdict, 'trusted');
        assert.match(r.text, new RegExp(`was fetched from ${o.http.url('/int.der').replace(/[.]/g, '\\.')}`));
        assert.ok(hits('/int.der') > before, 'the issuer came from the AIA server');

        await inOptions(tb, async () => {
          const s = await onlineState(tb.marionette);
          assert.equal(s.granted, true);
          assert.equal(s.missing, '');
          await shootChecking(tb.marionette, 'online-options-granted.png');
        });
        figures.push('granted → AIA fetched, trusted');
      }),
    );

    test('an http:// URL with a host name is fetched over http, not upgraded to https (the extension CSP)', T, () =>
      logged(tb, async () => {
        const r = await showMessage(tb, 'aia-host.eml');
        assert.equal(r.verdict, 'trusted', r.text);
        assert.match(r.text, new RegExp(`was fetched from http://${CA_HOST.replace(/[.]/g, '\\.')}:\\d+/host-ca\\.der`));
        assert.ok(hits('/host-ca.der') > 0, 'the request reached the CA server over plain http');
        figures.push('host-named http:// AIA URL → fetched over http');
      }),
    );

    test('OCSP (openssl ocsp on loopback) says the signer is revoked: not trusted', T, () =>
      logged(tb, async () => {
        const r = await showMessage(tb, 'revoked.eml', 'online-ocsp-revoked.png');
        assert.ok(r.title.startsWith(VERDICT_PHRASE.untrusted), r.title);
        assert.equal(r.verdict, 'untrusted');
        assert.match(r.text, /The OCSP responder says 'Bob' was revoked/);
        figures.push('OCSP revoked → untrusted');
      }),
    );

    test('the CRL from the distribution point lists the signer: not trusted', T, () =>
      logged(tb, async () => {
        const before = hits('/int.crl');
        const r = await showMessage(tb, 'crl-revoked.eml');
        assert.equal(r.verdict, 'untrusted', r.text);
        assert.match(r.text, new RegExp(`The CRL from ${o.http.url('/int.crl').replace(/[.]/g, '\\.')} lists 'Frank' as revoked`));
        assert.ok(hits('/int.crl') > before);
        figures.push('CRL revoked → untrusted');
      }),
    );
  });

  describe('the user turns online checks on in the options page', () => {
    let tb: Thunderbird;
    before(async () => {
      tb = await launch({ anchors: [o.pki.root.certPem], bundledRoots: false, allowPrivateTargets: true });
    });
    after(async () => {
      await tb?.stop();
    });

    test('the click asks Thunderbird; refused, online checks stay off', T, () =>
      logged(tb, async () => {
        await inOptions(tb, async () => {
          const s0 = await onlineState(tb.marionette);
          assert.deepEqual([s0.checked, s0.disabled, s0.grantButton], [false, false, false]);
          await userClick(tb.marionette, '#policy-online');
          await permissionPrompt(tb.marionette);
          await answerPrompt(tb.marionette, false);
          const s = await waitOnline(tb.marionette, (x) => x.status !== '');
          assert.match(s.status, /did not give this add-on access to web sites, so online checks stay off/);
          assert.equal(s.checked, false);
          assert.deepEqual(await grantedOrigins(tb.marionette), []);
        });
        // Still offline: the chain stays incomplete, and nothing was tried.
        const before = hits('/int.der');
        const r = await showMessage(tb, 'aia.eml');
        assert.equal(r.verdict, 'untrusted');
        assert.doesNotMatch(r.text, /could not be fetched/);
        assert.equal(hits('/int.der'), before);
        figures.push('toggle refused → stays offline');
      }),
    );

    test('allowed in the prompt: online checks are on and the chain is completed', T, () =>
      logged(tb, async () => {
        await inOptions(tb, async () => {
          await userClick(tb.marionette, '#policy-online');
          await permissionPrompt(tb.marionette);
          await answerPrompt(tb.marionette, true);
          const s = await waitOnline(tb.marionette, (x) => x.status !== '' && x.granted);
          assert.equal(s.status, 'Online checks are on.');
          assert.equal(s.checked, true);
          assert.deepEqual(await grantedOrigins(tb.marionette), ORIGINS);
        });
        await sleep(300);
        const r = await showMessage(tb, 'aia.eml');
        assert.equal(r.verdict, 'trusted', r.text);
        assert.match(r.text, /was fetched from/);
        figures.push('toggle allowed → trusted');
      }),
    );

    test('turned off again: the setting is saved off and the permission given back', T, () =>
      logged(tb, async () => {
        await inOptions(tb, async () => {
          await userClick(tb.marionette, '#policy-online');
          const s = await waitOnline(tb.marionette, (x) => x.status !== '' && !x.checked);
          assert.equal(s.status, 'Online checks are off: nothing is fetched.');
          assert.deepEqual(await waitFor(async () => ((await grantedOrigins(tb.marionette)).length === 0 ? [] : null), 5000), []);
        });
        figures.push('toggle off → permission released');
      }),
    );
  });
});

/**
 * Issue 10, item 12, in Chromium: keys at rest. A persistent Chromium profile (a directory this test reads): the
 * reader imports his .p12 in the pane's Settings. Without a passphrase the RSA prime of his key is in the profile's
 * IndexedDB LevelDB files (a "non-extractable" CryptoKey is stored with its key material; the Settings say so);
 * with a passphrase no file of the profile holds it. After a restart the keys are locked until the passphrase is
 * given (a wrong one is one sentence), and an administrator's keys.requirePassphrase refuses an import without one.
 */
import assert from 'node:assert/strict';
import { createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type BrowserContext, chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, chromiumSkip } from './chromium';
import { type OpenedPage, type SimItem, type TestServer, ensureBuilt, json, openPageIn, screenshot, startServer } from './harness';
import { BOB_P12_PASSWORD, type SampleSet, makeSampleSet } from './samples';

const skip = chromiumSkip();
const PASSPHRASE = 'correct horse battery staple';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

describe('Outlook pane: keys at rest in a Chromium profile', { skip }, () => {
  let set: SampleSet;
  let server: TestServer;
  let prime: Buffer;
  const dirs: string[] = [];
  const contexts: BrowserContext[] = [];

  const profile = async (dir: string): Promise<BrowserContext> => {
    const c = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 420, height: 900 } });
    contexts.push(c);
    return c;
  };
  const encrypted = (): SimItem => {
    const s = set.samples.find((x) => x.id === 'encrypted')!;
    return { id: 'encrypted', subject: s.subject, from: s.from, b64: s.bytes.toString('base64') };
  };
  const importKey = async (o: OpenedPage, passphrase: string) => {
    await o.page.locator('[data-verdict]').waitFor({ timeout: 20_000 });
    await o.page.getByRole('button', { name: 'Settings' }).click();
    await o.page.locator('#p12-file').setInputFiles(set.bobP12Path);
    await o.page.locator('#p12-password').fill(BOB_P12_PASSWORD);
    if (passphrase) await o.page.locator('#p12-passphrase').fill(passphrase);
    await o.page.locator('#p12-import').click();
  };
  const status = (o: OpenedPage) => o.page.locator('#settings-identity #settings-status');
  /** The profile's files holding the prime (IndexedDB's LevelDB log and tables, and anything else). */
  const holding = (dir: string) => files(dir).filter((f) => readFileSync(f).includes(prime));

  before(async () => {
    ensureBuilt();
    [set, server] = await Promise.all([makeSampleSet(), startServer()]);
    server.routes.set('/policy.json', (_req, res) => json(res, 200, { anchors: [set.rootPem] }));
    const jwk = createPrivateKey(set.bob.keyPem).export({ format: 'jwk' }) as { p: string };
    prime = Buffer.from(jwk.p, 'base64url').subarray(0, 32);
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await server?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('keys at rest: without a passphrase the private key is in the profile\'s LevelDB files, and Settings say so', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    dirs.push(dir);
    const ctx = await profile(dir);
    const o = await openPageIn(ctx, server, 'taskpane.html', encrypted());
    await importKey(o, '');
    await status(o).filter({ hasText: 'without a passphrase, protected only by this browser profile' }).waitFor({ timeout: 20_000 });
    assert.match(await o.page.locator('[data-key-protection="profile"]').innerText(), /only this browser profile and your operating-system account protect them/);
    await screenshot(o.page, 'keys-no-passphrase');
    await ctx.close();
    const found = holding(dir);
    assert.ok(found.length > 0, 'the CryptoKey\'s prime is readable from the profile');
    console.log(`# Chromium profile without passphrase: prime found in ${found.map((f) => f.slice(dir.length)).join(', ')}`);
  });

  test('keys at rest: imported with a passphrase, no profile file holds the key; after a restart it is locked until the passphrase is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
    dirs.push(dir);
    let ctx = await profile(dir);
    let o = await openPageIn(ctx, server, 'taskpane.html', encrypted());
    await importKey(o, PASSPHRASE);
    await status(o).filter({ hasText: 'encrypted under your passphrase' }).waitFor({ timeout: 30_000 });
    await o.page.locator('[data-verdict="trusted"]').waitFor({ timeout: 20_000 });
    await screenshot(o.page, 'keys-passphrase-imported');
    await ctx.close();
    const idb = files(dir).filter((f) => f.includes('IndexedDB'));
    assert.ok(idb.length > 0, 'the profile has IndexedDB files');
    assert.deepEqual(holding(dir), [], 'no file of the profile holds the prime');

    // Restart: locked. The encrypted message says why it cannot be read, and Settings ask for the passphrase.
    ctx = await profile(dir);
    o = await openPageIn(ctx, server, 'taskpane.html', encrypted());
    await o.page.locator('[data-verdict]').waitFor({ timeout: 20_000 });
    assert.notEqual(await o.page.locator('[data-verdict]').getAttribute('data-verdict'), 'trusted');
    assert.match(await o.page.locator('#verdict').innerText(), /Your stored keys are locked/);
    await o.page.getByRole('button', { name: 'Settings' }).click();
    await o.page.locator('#keys-passphrase').fill('not my passphrase');
    await o.page.locator('#keys-unlock').click();
    await status(o).filter({ hasText: 'Wrong passphrase for your stored keys.' }).waitFor({ timeout: 30_000 });
    assert.equal((await status(o).innerText()).trim().split('\n').length, 1, 'one line');
    await screenshot(o.page, 'keys-wrong-passphrase');
    await o.page.locator('#keys-passphrase').fill(PASSPHRASE);
    await o.page.locator('#keys-unlock').click();
    await status(o).filter({ hasText: 'Unlocked 1 key for this pane session.' }).waitFor({ timeout: 30_000 });
    await o.page.locator('[data-verdict="trusted"]').waitFor({ timeout: 20_000 });
    assert.match(await o.page.locator('[data-decrypted] pre').innerText(), /the quarterly figures/);
    await ctx.close();
    assert.deepEqual(holding(dir), [], 'still nothing after use');
  });

  test('keys at rest: an administrator who requires a passphrase refuses an import without one', async () => {
    server.routes.set('/policy.json', (_req, res) => json(res, 200, { anchors: [set.rootPem], keys: { requirePassphrase: true } }));
    try {
      const dir = mkdtempSync(join(tmpdir(), 'chromium-profile-'));
      dirs.push(dir);
      const ctx = await profile(dir);
      const o = await openPageIn(ctx, server, 'taskpane.html', encrypted());
      await importKey(o, '');
      await status(o).filter({ hasText: 'Your administrator requires a passphrase for stored keys' }).waitFor({ timeout: 20_000 });
      assert.match(await o.page.locator('label[for="p12-passphrase"]').innerText(), /required/);
      assert.equal(await o.page.locator('[data-list="identities"] li').count(), 0, 'nothing stored');
      await screenshot(o.page, 'keys-passphrase-required');
      assert.deepEqual(o.problems, []);
    } finally {
      server.routes.set('/policy.json', (_req, res) => json(res, 200, { anchors: [set.rootPem] }));
    }
  });
});

/**
 * The built compose pane (dist/outlook/compose.html) end to end in Chromium: a simulated Outlook compose item
 * (subject, To/Cc, HTML body, an attachment), a simulated nested-app-authentication bridge (what Outlook gives an
 * add-in: window.nestedAppAuthBridge, driven by the real MSAL), and a local stand-in of Microsoft Graph on
 * loopback. The user imports their PKCS#12 in the pane, signs and sends; what arrives at POST /me/sendMail is
 * base64 MIME that `openssl cms -verify` accepts. Failures say what failed and never touch the draft.
 * Header protection (RFC 9788) by default: signed mail carries its Subject inside (hp="clear"); encrypted mail arrives
 * as "Subject: [...]" and reads back (Bob's key, the core's decryptMessage) with the real Subject; an admin policy
 * with headerConfidentiality "none" leaves the Subject readable outside.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { opensslDecrypt, opensslVerify } from '../support/pki';
import { decryptMessage, importPkcs12, loadCertificates } from '../../src/index';
import { getHeader, parseMime } from '../../src/mime/index';
import { chromiumSkip, launchChromium } from './chromium';
import { type OpenedPage, type TestServer, ensureBuilt, json, openPage, screenshot, seriousA11yViolations, startServer } from './harness';
import { BOB_P12_PASSWORD, type SampleSet, makeSampleSet } from './samples';

import { type ComposeSim, composeAndBridge } from './compose-sim';

const skip = chromiumSkip();
const CLIENT_ID = 'c0ffee00-0000-4000-8000-000000000001';
const ATTACHMENT = Buffer.from('%PDF-1.4\n% a small attachment\n' + 'x'.repeat(3000), 'latin1');

describe('Outlook compose pane: sign and send through a Graph stand-in', { skip }, () => {
  let browser: Browser;
  let server: TestServer;
  let set: SampleSet;
  const opened: OpenedPage[] = [];
  let sent: { authorization?: string; contentType?: string; body: string }[] = [];
  let graphStatus = 202;
  /** The admin policy.json the panes read. */
  let policy: Record<string, unknown> = {};

  const sim = (over: Partial<ComposeSim> = {}): ComposeSim => ({
    subject: 'Signed from the compose pane',
    from: { emailAddress: 'alice@example.com', displayName: 'Alice Example' },
    to: [{ emailAddress: 'bob@example.com', displayName: 'Bob Example' }],
    cc: [],
    bcc: [],
    text: 'Hello Bob,\nthe figures are attached.\nAlice\n',
    html: '<p>Hello Bob,<br>the figures are attached.<br>Alice</p>',
    attachment: { name: 'figures.pdf', contentType: 'application/pdf', b64: ATTACHMENT.toString('base64') },
    clientId: CLIENT_ID,
    ...over,
  });

  const open = async (cfg: ComposeSim): Promise<OpenedPage> => {
    const o = await openPage(browser, server, 'compose.html', undefined, { fn: composeAndBridge as (a: never) => void, arg: cfg });
    opened.push(o);
    await o.page.locator('html[data-pane-ready="1"]').waitFor({ timeout: 20_000 });
    return o;
  };

  /** Imports a .p12 (Alice's by default) in the pane, as a user would. */
  const importAlice = async (o: OpenedPage, p12 = set.aliceP12Path) => {
    await o.page.locator('#p12-file').setInputFiles(p12);
    await o.page.locator('#p12-password').fill(BOB_P12_PASSWORD);
    await o.page.locator('#p12-import').click();
    await o.page.locator('[data-list="identities"] li').waitFor({ timeout: 20_000 });
  };

  /** The audit events the pane wrote to this context's IndexedDB (src/audit/indexeddb.ts), once `count` are there. */
  const auditEvents = async (o: OpenedPage, count: number): Promise<Record<string, unknown>[]> => {
    const read = () =>
      o.page.evaluate(
        () =>
          new Promise<Record<string, unknown>[]>((resolve) => {
            const r = indexedDB.open('smime-audit');
            r.onerror = () => resolve([]);
            r.onsuccess = () => {
              const db = r.result;
              if (!db.objectStoreNames.contains('events')) return (db.close(), resolve([]));
              const g = db.transaction('events').objectStore('events').getAll();
              g.onsuccess = () => (db.close(), resolve(g.result as Record<string, unknown>[]));
              g.onerror = () => (db.close(), resolve([]));
            };
          }),
      );
    for (let i = 0; i < 50; i++) {
      const events = await read();
      if (events.length >= count) return events;
      await new Promise((r) => setTimeout(r, 100));
    }
    return read();
  };

  before(async () => {
    ensureBuilt();
    [set, server, browser] = await Promise.all([makeSampleSet(), startServer(), launchChromium()]);
    server.routes.set('/config.json', (_req, res) =>
      json(res, 200, { graph: { clientId: CLIENT_ID, authority: 'https://login.microsoftonline.com/common', baseUrl: `${server.origin}/graph/v1.0` } }),
    );
    // The admin policy the compose pane reads for its audit settings (as the reading pane does): defaults here.
    server.routes.set('/policy.json', (_req, res) => json(res, 200, policy));
    server.routes.set('/graph/v1.0/me/sendMail', (req, res, body) => {
      if (req.method !== 'POST') return json(res, 405, { error: { code: 'MethodNotAllowed', message: 'POST only' } });
      sent.push({ authorization: req.headers.authorization, contentType: req.headers['content-type'], body: body.toString('latin1') });
      if (graphStatus === 202) res.writeHead(202).end();
      else json(res, graphStatus, { error: { code: 'ServiceUnavailable', message: 'The service is busy; try again later.' } });
    });
  });

  after(async () => {
    for (const o of opened) await o.context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
  });

  test('import the key, sign and send: Graph receives base64 MIME that openssl cms -verify accepts', async () => {
    sent = [];
    graphStatus = 202;
    const o = await open(sim());
    await importAlice(o);
    await o.page.getByRole('button', { name: 'Sign and send' }).click();
    await o.page.locator('[data-result="ok"]').waitFor({ timeout: 30_000 });
    const result = await o.page.locator('#compose-status').innerText();
    assert.match(result, /Sent, signed as alice@example\.com/);
    assert.match(result, /To: bob@example\.com/);
    assert.match(result, /figures\.pdf/);
    assert.match(result, /discard it/);

    assert.equal(sent.length, 1);
    assert.equal(sent[0].authorization, 'Bearer simulated-token Mail.Send');
    assert.match(sent[0].contentType ?? '', /^text\/plain/);
    const mime = Buffer.from(sent[0].body, 'base64');
    const text = mime.toString('latin1');
    assert.match(text, /^From: "Alice Example" <alice@example\.com>\r\n/);
    assert.match(text, /\r\nTo: "Bob Example" <bob@example\.com>\r\n/);
    assert.match(text, /\r\nSubject: Signed from the compose pane\r\n/);
    assert.match(text, /Content-Type: multipart\/signed; protocol="application\/pkcs7-signature"/);
    const file = join(set.pki.dir, 'graph-sent.eml');
    writeFileSync(file, mime);
    const v = await opensslVerify(file, { CAfile: set.pki.root.certPath });
    assert.ok(v.ok, v.stderr);
    const content = v.content.toString('latin1');
    assert.ok(content.replace(/\r\n/g, '').includes(ATTACHMENT.toString('base64')), 'the attachment is inside the signature');
    assert.match(content, /the figures are attached/);
    // Header protection: the signed part carries the Subject (hp="clear"); the pane says so.
    const signedPart = parseMime(new Uint8Array(v.content));
    assert.ok(signedPart.ok);
    assert.equal(signedPart.root.contentType.params.hp, 'clear');
    assert.equal(getHeader(signedPart.root, 'subject'), 'Signed from the compose pane');
    assert.match(result, /Header protection: the Subject, From, To and Date are signed too\./);

    const w = await o.page.evaluate(() => ({ writes: (window as unknown as { __draftWrites: string[] }).__draftWrites, naa: (window as unknown as { __naaRequests: string[] }).__naaRequests }));
    assert.deepEqual(w.writes, [], 'the draft was not touched');
    assert.ok(w.naa.includes('GetInitContext'), w.naa.join(', '));
    assert.ok(w.naa.some((r) => r.startsWith('GetToken') && r.includes('Mail.Send')), w.naa.join(', '));
    // Issue 6: every sign is audited (no content, no subject, no recipients' addresses).
    const [ev] = await auditEvents(o, 1);
    assert.equal(ev?.op, 'sign', JSON.stringify(ev));
    assert.equal(ev.verdict, 'ok');
    assert.equal(ev.host, 'outlook');
    assert.deepEqual(ev.from, ['alice@example.com']);
    assert.equal(ev.signer, createHash('sha256').update(set.alice.certDer).digest('hex').toUpperCase().match(/../g)!.join(':'));
    assert.ok(!JSON.stringify(ev).includes('Signed from the compose pane') && !JSON.stringify(ev).includes('bob@'), 'no subject or recipients');
    await screenshot(o.page, 'compose-sent');
    assert.deepEqual(o.offLoopback, [], 'requests left loopback');
    assert.deepEqual(o.problems, [], 'console errors or CSP violations');
    assert.deepEqual(await seriousA11yViolations(o.page), []);
  });

  test('sign and encrypt to Bob (his certificate added in the pane): openssl decrypts with his key and verifies inside', async () => {
    sent = [];
    graphStatus = 202;
    const o = await open(sim());
    await importAlice(o);
    await o.page.locator('#recipient-cert-file').setInputFiles(set.bob.certPath);
    await o.page.getByText('Added the certificate of bob@example.com').waitFor({ timeout: 20_000 });
    await o.page.locator('#opt-encrypt').check();
    await o.page.getByRole('button', { name: 'Sign, encrypt and send' }).click();
    await o.page.locator('[data-result="ok"]').waitFor({ timeout: 30_000 });
    const status = await o.page.locator('#compose-status').innerText();
    assert.match(status, /encrypted to every recipient and to you/);
    assert.match(status, /Header protection: mail servers see the Subject as "\[\.\.\.\]"; recipients see the real one\./);
    assert.equal(sent.length, 1);
    const mime = Buffer.from(sent[0].body, 'base64');
    assert.match(mime.toString('latin1'), /Content-Type: application\/pkcs7-mime; smime-type=enveloped-data/);
    // Relays see "[...]"; Bob reads the real Subject back, protected and unchanged.
    assert.match(mime.toString('latin1'), /\r\nSubject: \[\.\.\.\]\r\n/);
    assert.doesNotMatch(mime.toString('latin1'), /Signed from the compose pane/);
    const bobKey = await importPkcs12(new Uint8Array(readFileSync(set.bobP12Path)), BOB_P12_PASSWORD);
    assert.ok(bobKey.ok);
    const back = await decryptMessage(new Uint8Array(mime), bobKey.identity, { anchors: loadCertificates(readFileSync(set.pki.root.certPath)).certs });
    assert.ok(back.ok);
    assert.equal(back.verdict.verdict, 'trusted', back.verdict.summary);
    assert.equal(back.verdict.headerProtection?.protected, true);
    assert.equal(back.verdict.headerProtection?.mode, 'cipher');
    assert.equal(back.verdict.headerProtection?.headers.subject, 'Signed from the compose pane');
    assert.deepEqual(back.verdict.headerProtection?.changed, []);
    const file = join(set.pki.dir, 'graph-sent-encrypted.eml');
    writeFileSync(file, mime);
    const d = await opensslDecrypt(file, { recipient: set.bob });
    assert.ok(d.ok, d.stderr);
    const inner = join(set.pki.dir, 'graph-sent-decrypted.eml');
    writeFileSync(inner, d.content);
    const v = await opensslVerify(inner, { CAfile: set.pki.root.certPath });
    assert.ok(v.ok, v.stderr);
    assert.match(v.content.toString('latin1'), /the figures are attached/);
    // The sender can read her own copy too.
    assert.ok((await opensslDecrypt(file, { recipient: set.alice })).ok);
    const [ev] = await auditEvents(o, 1);
    assert.deepEqual([ev?.op, ev?.verdict, ev?.recipients], ['encrypt', 'ok', 1], JSON.stringify(ev));
    assert.deepEqual(await o.page.evaluate(() => (window as unknown as { __draftWrites: string[] }).__draftWrites), []);
    await screenshot(o.page, 'compose-encrypted');
    assert.deepEqual(o.offLoopback, []);
    assert.deepEqual(o.problems, []);
  });

  test('admin policy headerConfidentiality "none": encrypted mail keeps its Subject readable outside, still protected inside', async () => {
    sent = [];
    graphStatus = 202;
    policy = { headerConfidentiality: 'none' };
    try {
      const o = await open(sim({ subject: 'Readable by relays on purpose' }));
      await importAlice(o);
      await o.page.locator('#recipient-cert-file').setInputFiles(set.bob.certPath);
      await o.page.getByText('Added the certificate of bob@example.com').waitFor({ timeout: 20_000 });
      await o.page.locator('#opt-encrypt').check();
      await o.page.getByRole('button', { name: 'Sign, encrypt and send' }).click();
      await o.page.locator('[data-result="ok"]').waitFor({ timeout: 30_000 });
      assert.match(await o.page.locator('#compose-status').innerText(), /the Subject is still readable by mail servers/);
      const mime = Buffer.from(sent[0].body, 'base64');
      assert.match(mime.toString('latin1'), /\r\nSubject: Readable by relays on purpose\r\n/);
      const file = join(set.pki.dir, 'graph-sent-hcp-none.eml');
      writeFileSync(file, mime);
      const d = await opensslDecrypt(file, { recipient: set.bob });
      assert.ok(d.ok, d.stderr);
      const inner = join(set.pki.dir, 'graph-sent-hcp-none-decrypted.eml');
      writeFileSync(inner, d.content);
      const v = await opensslVerify(inner, { CAfile: set.pki.root.certPath });
      assert.ok(v.ok, v.stderr);
      const payload = parseMime(new Uint8Array(v.content));
      assert.ok(payload.ok);
      assert.equal(payload.root.contentType.params.hp, 'cipher');
      assert.ok(!v.content.toString('latin1').includes('hp-legacy-display'), 'nothing hidden, so no legacy display element');
      await screenshot(o.page, 'compose-encrypted-hcp-none');
      assert.deepEqual(o.problems, []);
    } finally {
      policy = {};
    }
  });

  test('a reply to an encrypted message with an obscured Subject ("RE: [...]") said nothing and was not encrypted by default: the pane says what Outlook cannot do and encrypts', async () => {
    const o = await open(sim({ subject: 'RE: [...]' }));
    const note = o.page.locator('#response-note');
    await note.waitFor({ timeout: 20_000 });
    assert.match(await note.innerText(), /Type the real Subject \(the reading pane shows it\), and check To and Cc/);
    assert.equal(await o.page.locator('#opt-encrypt').isChecked(), true, 'encrypted by default, as the message answered was');
    assert.equal(await o.page.getByRole('button', { name: 'Sign, encrypt and send' }).count(), 1);
    await screenshot(o.page, 'compose-reply-obscured-subject');
    // A new message (its own Subject) gets neither.
    const fresh = await open(sim());
    assert.equal(await fresh.page.locator('#response-note').count(), 0);
    assert.equal(await fresh.page.locator('#opt-encrypt').isChecked(), false);
    assert.deepEqual(o.problems, []);
  });

  test('encrypt without the recipient\'s certificate: asks for it, sends nothing', async () => {
    sent = [];
    const o = await open(sim());
    await importAlice(o);
    await o.page.locator('#opt-encrypt').check();
    await o.page.getByRole('button', { name: 'Sign, encrypt and send' }).click();
    await o.page.locator('[data-result="bad"]').waitFor({ timeout: 20_000 });
    assert.match(await o.page.locator('#compose-status').innerText(), /no valid certificate for bob@example\.com.*Add their certificate below/s);
    assert.equal(sent.length, 0);
  });

  test('Graph refuses: the pane says it was not sent and why; the draft is unchanged', async () => {
    sent = [];
    graphStatus = 503;
    const o = await open(sim());
    await importAlice(o);
    await o.page.getByRole('button', { name: 'Sign and send' }).click();
    await o.page.locator('[data-result="bad"]').waitFor({ timeout: 30_000 });
    const result = await o.page.locator('#compose-status').innerText();
    assert.match(result, /Not sent: Sending through Microsoft Graph failed \(HTTP 503\): The service is busy/);
    assert.match(result, /Your draft is unchanged/);
    assert.equal(sent.length, 1);
    assert.deepEqual(await o.page.evaluate(() => (window as unknown as { __draftWrites: string[] }).__draftWrites), []);
    const [ev] = await auditEvents(o, 1);
    assert.deepEqual([ev?.op, ev?.verdict], ['sign', 'failed'], JSON.stringify(ev));
    await screenshot(o.page, 'compose-graph-failed');
    assert.deepEqual(o.problems.filter((p) => !p.includes('503')), []);
    graphStatus = 202;
  });

  test('no key for the sender: nothing is sent, the pane says what to do', async () => {
    sent = [];
    const o = await open(sim({ from: { emailAddress: 'carol@example.com', displayName: 'Carol' } }));
    await o.page.getByRole('button', { name: 'Sign and send' }).click();
    await o.page.locator('[data-result="bad"]').waitFor({ timeout: 20_000 });
    assert.match(await o.page.locator('#compose-status').innerText(), /no key for carol@example\.com/);
    assert.equal(sent.length, 0);
  });

  test('an expired identity never signs (said, nothing sent); one that expires in 10 days signs, with the date said', async () => {
    sent = [];
    graphStatus = 202;
    const erin = await set.pki.issue({ name: 'Erin Expired', email: 'erin@example.com', start: new Date('2024-01-01T00:00:00Z'), end: new Date('2025-01-01T00:00:00Z') });
    const e = await open(sim({ from: { emailAddress: 'erin@example.com', displayName: 'Erin Expired' } }));
    await importAlice(e, await erin.makeP12(BOB_P12_PASSWORD));
    await e.page.getByRole('button', { name: 'Sign and send' }).click();
    await e.page.locator('[data-result="bad"]').waitFor({ timeout: 20_000 });
    assert.match(await e.page.locator('#compose-status').innerText(), /Not sent: 'Erin Expired' \(SHA-256 [^)]*\) expired on 2025-01-01\. Recipients would not trust the signature/);
    assert.equal(sent.length, 0);

    const sam = await set.pki.issue({ name: 'Sam Soon', email: 'sam@example.com', end: new Date(Date.now() + 10 * 86_400_000 + 3_600_000) });
    const o = await open(sim({ from: { emailAddress: 'sam@example.com', displayName: 'Sam Soon' } }));
    await importAlice(o, await sam.makeP12(BOB_P12_PASSWORD));
    await o.page.getByRole('button', { name: 'Sign and send' }).click();
    await o.page.locator('[data-result="ok"]').waitFor({ timeout: 30_000 });
    assert.match(await o.page.locator('#compose-status').innerText(), /'Sam Soon' \(SHA-256 [^)]*\) expires on \d{4}-\d\d-\d\d, in 10 days\. Ask your CA for a new one/);
    assert.equal(sent.length, 1);
    await screenshot(o.page, 'compose-expiring');
  });

  test('Bcc recipients are refused rather than exposed in the MIME', async () => {
    sent = [];
    const o = await open(sim({ bcc: [{ emailAddress: 'secret@example.com', displayName: 'Secret' }] }));
    await importAlice(o);
    await o.page.getByRole('button', { name: 'Sign and send' }).click();
    await o.page.locator('[data-result="bad"]').waitFor({ timeout: 20_000 });
    assert.match(await o.page.locator('#compose-status').innerText(), /Bcc recipients cannot be sent/);
    assert.equal(sent.length, 0);
  });
});

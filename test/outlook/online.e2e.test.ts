/**
 * Online checks in the built Outlook task pane (issue 6), in headless Chromium over the simulated mailbox
 * (harness.ts). The pane's CSP lets it connect only to its own origin, so CA servers are reached through a proxy
 * on that origin: the test server serves /ca-proxy beside taskpane.html, as an administrator's reverse proxy
 * would, forwarding GET and POST to 127.0.0.1 only. The CA is test/trust/online-pki.ts: a loopback HTTP server
 * with the intermediate at /int.der (AIA caIssuers) and CRLs, and `openssl ocsp` as the responder.
 *
 *  (a) policy.json names the same-origin proxy: the intermediate the signer left out is fetched through it and
 *      the verdict is trusted; a signer the OCSP responder says is revoked is not trusted, with the reason;
 *  (b) online without a proxy: not trusted (incomplete chain), the pane says the CA server could not be reached
 *      and that a proxy on the add-in's own origin is needed; the CSP blocked the request, so the CA saw none;
 *  (c) a proxy on another origin: set aside, and the pane says why (both origins, the CSP);
 *  (d) policy.json names the proxy but leaves `online` to the user, who turns it on in Settings: used, trusted;
 *  and audit forwarding, bound by the same CSP: an endpoint on the add-in's origin receives the check's event, one
 *  on another origin is not tried and the pane says why.
 * Screenshots: test-artifacts/outlook/online-*.png. No request leaves loopback (the harness records them).
 */
import assert from 'node:assert/strict';
import { type IncomingMessage, request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { VERDICT_PHRASE } from '../../src/verdict';
import { textEntity } from '../support/messages';
import { smimeSign } from '../support/pki';
import { makeOnlinePki, type OnlinePki } from '../trust/online-pki';
import { chromiumSkip, launchChromium } from './chromium';
import { type OpenedPage, type Route, type SimItem, type TestServer, ensureBuilt, json, openPage, screenshot, seriousA11yViolations, startServer } from './harness';

const skip = chromiumSkip();

/** What the proxy forwarded, one line per request: "GET http://127.0.0.1:…/int.der". */
const proxied: string[] = [];
const refused: string[] = [];

/** Forwards one request to `target` (127.0.0.1 only) and streams the answer back. */
function forward(req: IncomingMessage, body: Buffer, target: URL): Promise<{ status: number; type: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { 'content-length': body.length };
    if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
    const out = httpRequest(target, { method: req.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 502, type: String(res.headers['content-type'] ?? 'application/octet-stream'), body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    out.on('error', reject);
    out.setTimeout(5000, () => out.destroy(new Error(`no answer from ${target.href} within 5 s`)));
    out.end(body);
  });
}

/**
 * The CSP refusing a fetch of `url`, as the page sees it: the securitypolicyviolation report (harness.ts) and
 * Chromium's console line for the same refused fetch. Nothing else is accepted.
 */
const cspBlocked = (url: string) => (x: string) =>
  x === `console error: CSP violation: connect-src blocked ${url} at ` ||
  x === `console error: Fetch API cannot load ${url}. Refused to connect because it violates the document's Content Security Policy.`;

const regexpOf = (s: string) => new RegExp(s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));

describe('Outlook task pane: online checks through a proxy on the add-in\'s own origin', { skip }, () => {
  let browser: Browser;
  let server: TestServer;
  let o: OnlinePki;
  let policy: Record<string, unknown> = {};
  const opened: OpenedPage[] = [];
  const messages = new Map<string, SimItem>();
  const figures: string[] = [];
  const caHits = () => [...o.http.hits.values()].reduce((a, b) => a + b, 0);

  /** Opens the pane over message `name` with `policyJson` served, checks the verdict word and status phrase. */
  const open = async (policyJson: Record<string, unknown>, name: string, verdict: 'trusted' | 'untrusted') => {
    policy = policyJson;
    const p = await openPage(browser, server, 'taskpane.html', messages.get(name));
    opened.push(p);
    const status = p.page.locator('[data-verdict]');
    await status.waitFor({ timeout: 30_000 });
    const all = await p.page.locator('#verdict').innerText();
    assert.equal(await status.getAttribute('data-verdict'), verdict, all);
    assert.ok((await status.innerText()).includes(VERDICT_PHRASE[verdict]));
    const codes = await p.page.locator('.sv-reason').evaluateAll((els) => els.map((e) => e.getAttribute('data-code')));
    return { p, all, codes };
  };
  /** Screenshot, no request off loopback, no console error or CSP violation other than `allowed`, no serious axe finding. */
  const checkClean = async (p: OpenedPage, name: string, allowed: (problem: string) => boolean = () => false) => {
    await screenshot(p.page, name);
    assert.deepEqual(p.offLoopback, [], 'requests left loopback');
    assert.deepEqual(p.problems.filter((x) => !allowed(x)), [], 'console errors or CSP violations');
    assert.deepEqual(await seriousA11yViolations(p.page), [], 'serious accessibility violations');
  };

  before(async () => {
    ensureBuilt();
    [o, server, browser] = await Promise.all([makeOnlinePki(), startServer(), launchChromium()]);
    server.routes.set('/policy.json', (_req, res) => json(res, 200, policy));
    // The administrator's reverse-proxy path on the add-in's origin. Forwards to loopback only: a proxy that
    // fetches any URL it is given would be an open relay.
    // Both forms the fetcher makes: /ca-proxy?url=<encoded> and /ca-proxy/<encoded> (the README's nginx form).
    const caProxy: Route = async (req, res, body) => {
      const u = new URL(req.url ?? '/', server.origin);
      let raw = '';
      let target: URL | undefined;
      try {
        raw = u.pathname === '/ca-proxy' ? (u.searchParams.get('url') ?? '') : decodeURIComponent(u.pathname.slice('/ca-proxy/'.length));
        target = new URL(raw);
      } catch {
        /* refused below */
      }
      if (!target || target.protocol !== 'http:' || target.hostname !== '127.0.0.1' || (req.method !== 'GET' && req.method !== 'POST')) {
        refused.push(`${req.method} ${raw}`);
        res.writeHead(403, { 'content-type': 'text/plain' }).end('not a loopback CA URL');
        return;
      }
      proxied.push(`${req.method} ${target.href}`);
      const r = await forward(req, body, target).catch(() => ({ status: 502, type: 'text/plain', body: Buffer.from('CA server unreachable') }));
      res.writeHead(r.status, { 'content-type': r.type, 'content-length': r.body.length }).end(r.body);
    };
    server.routes.set('/ca-proxy', caProxy);
    server.routes.set('/ca-proxy/', caProxy);
    // The audit receiver on the add-in's origin (a reverse-proxy path to the organisation's collector).
    server.routes.set('/audit-in', (req, res, body) => {
      if (req.method !== 'POST') return json(res, 405, {});
      received.push(...((JSON.parse(body.toString('utf8')) as { events: Record<string, unknown>[] }).events ?? []));
      res.writeHead(204).end();
    });
    const sign = async (k: 'good' | 'revoked', who: string, subject: string, chain?: []) => {
      const s = await smimeSign({
        signer: o.leaves[k].issued,
        content: textEntity(`Hello from ${who}.`),
        chain,
        headers: { from: `${who} <${who.toLowerCase()}@example.com>`, to: 'bob@example.com', subject, messageId: `<${subject.replace(/\W+/g, '-')}@example.com>` },
      });
      return { id: subject, subject, from: `${who.toLowerCase()}@example.com`, fromName: who, b64: s.bytes.toString('base64') };
    };
    // chain: [] — Alice's client left out the intermediate; her certificate names it at /int.der (AIA caIssuers).
    messages.set('aia', await sign('good', 'Alice', 'Intermediate left out', []));
    messages.set('revoked', await sign('revoked', 'Bob', 'Revoked signer'));
  });

  after(async () => {
    console.log(`# Outlook online checks: ${figures.join('; ')}`);
    for (const p of opened) await p.context.close().catch(() => undefined);
    await browser?.close();
    await server?.close();
    await o?.close();
  });

  const received: Record<string, unknown>[] = [];
  // The CA servers are on 127.0.0.1: the admin policy allows private targets (off by default, issue 10 item 15).
  const base = () => ({ anchors: [o.pki.root.certPem], bundledRoots: false, online: true, allowPrivateTargets: true });
  const viaProxy = (form = '?url={url}') => ({ ...base(), proxyUrl: `${server.origin}/ca-proxy${form}` });

  test('(a) same-origin proxy: the missing intermediate is fetched through it, trusted', async () => {
    const before = proxied.length;
    const { p, all, codes } = await open(viaProxy(), 'aia', 'trusted');
    assert.ok(codes.includes('aia-fetched'), codes.join(', '));
    assert.match(all, regexpOf(`The certificate of 'Fixture Online CA', which the signer left out, was fetched from ${o.http.url('/int.der')}`));
    const mine = proxied.slice(before);
    assert.ok(mine.includes(`GET ${o.http.url('/int.der')}`), `through the proxy: ${mine.join(', ')}`);
    assert.ok(mine.some((l) => l.startsWith(`POST ${o.responder.url}`)), `OCSP through the proxy: ${mine.join(', ')}`);
    assert.ok((o.http.hits.get('/int.der') ?? 0) > 0, 'the CA server answered');
    assert.deepEqual(refused, []);
    await checkClean(p, 'online-proxy-trusted');
    figures.push(`same-origin proxy → AIA fetched, trusted (${mine.length} proxied requests)`);
  });

  test('(a) same-origin proxy, target in the path: a signer the OCSP responder says is revoked is not trusted, with the reason', async () => {
    const before = proxied.length;
    const { p, all, codes } = await open(viaProxy('/{url}'), 'revoked', 'untrusted');
    assert.ok(codes.includes('cert-revoked'), codes.join(', '));
    assert.match(all, /The OCSP responder says 'Bob' was revoked on 2025-01-01 \(reason: key compromise\)\./);
    assert.ok(proxied.slice(before).some((l) => l.startsWith(`POST ${o.responder.url}`)), 'OCSP went through the proxy');
    await checkClean(p, 'online-proxy-revoked');
    figures.push('same-origin proxy → OCSP revoked, untrusted');
  });

  test('(b) online without a proxy: not trusted, the pane says a proxy on its own origin is needed; the CSP blocked the request', async () => {
    const proxiedBefore = proxied.length;
    const hitsBefore = caHits();
    const { p, all, codes } = await open(base(), 'aia', 'untrusted');
    assert.ok(codes.includes('missing-intermediate'), codes.join(', '));
    assert.match(all, /did not include the certificate of 'CN=Fixture Online CA, O=Fixture PKI'/);
    assert.match(
      all,
      regexpOf(
        `The missing certificate could not be fetched: could not reach 127.0.0.1:${o.http.port} (Failed to fetch): the Outlook task pane can reach CA servers only through a proxy on the add-in's own origin, set as proxyUrl in policy.json.`,
      ),
    );
    assert.equal(caHits(), hitsBefore, 'the CA server saw no request');
    assert.equal(proxied.length, proxiedBefore);
    // Exactly the CSP's refusal of the CA server, nothing else.
    const blocked = cspBlocked(o.http.url('/int.der'));
    assert.ok(p.problems.some(blocked), `the CSP blocked the CA request: ${p.problems.join(' | ')}`);
    await checkClean(p, 'online-no-proxy', blocked);
    figures.push('online, no proxy → untrusted (incomplete chain), CSP blocked, 0 CA requests');
  });

  test('(d) online checks turned on by the user in Settings: the proxy the administrator set is used, trusted', async () => {
    const { proxyUrl, anchors, bundledRoots, allowPrivateTargets } = viaProxy();
    const before = proxied.length;
    const { p } = await open({ anchors, bundledRoots, proxyUrl, allowPrivateTargets }, 'aia', 'untrusted');
    assert.equal(proxied.length, before, 'offline until the user turns online checks on');
    await p.page.getByRole('button', { name: 'Settings' }).click();
    const online = p.page.getByLabel('Check online:');
    assert.equal(await online.isChecked(), false);
    assert.equal(await online.isDisabled(), false, 'policy.json does not decide it');
    assert.match(await p.page.locator('#policy-online-note').innerText(), /only through a proxy your administrator runs on the add-in's own site\. Your administrator has set one\./);
    await online.check();
    await p.page.locator('[data-verdict="trusted"]').waitFor({ timeout: 30_000 });
    assert.match(await p.page.locator('#settings-status').innerText(), /^Online checks are on\.$/);
    assert.ok(proxied.slice(before).includes(`GET ${o.http.url('/int.der')}`), 'the intermediate came through the proxy');
    await checkClean(p, 'online-user-setting');
    figures.push('user turns online on in Settings → proxy used, trusted');
  });

  test('(c) a proxy on another origin: not used, and the pane says why', async () => {
    const hitsBefore = caHits();
    const { p } = await open({ ...base(), proxyUrl: 'https://ca-proxy.example/fetch?url={url}' }, 'aia', 'untrusted');
    const sentence = `The proxy for online checks (proxyUrl in policy.json) is on https://ca-proxy.example, but this add-in is served from ${server.origin} and its Content Security Policy lets the task pane connect only to its own origin, so the proxy is not used: serve it from a path on ${server.origin} instead.`;
    const notes = await p.page.locator('.sv-note').allInnerTexts();
    assert.ok(notes.includes(sentence), `notes: ${notes.join(' | ')}`);
    assert.ok(await p.page.getByText(sentence).isVisible(), 'the sentence is shown');
    assert.equal(caHits(), hitsBefore, 'the CA server saw no request');
    const blocked = cspBlocked(o.http.url('/int.der'));
    assert.ok(p.problems.some(blocked), `the CSP blocked the CA request: ${p.problems.join(' | ')}`);
    await checkClean(p, 'online-proxy-other-origin', blocked);
    figures.push('proxy on another origin → set aside, said in the pane');
  });

  test('audit forwarding to the add-in\'s own origin: the check\'s event arrives at the endpoint', async () => {
    const before = received.length;
    const { p } = await open({ ...viaProxy(), audit: { endpoint: `${server.origin}/audit-in`, batchSize: 1 } }, 'aia', 'trusted');
    for (let i = 0; i < 100 && received.length === before; i++) await new Promise((r) => setTimeout(r, 100));
    const ev = received[received.length - 1];
    assert.ok(ev, 'an event reached the endpoint');
    assert.deepEqual([ev.op, ev.verdict, ev.host], ['verify', 'trusted', 'outlook'], JSON.stringify(ev));
    assert.deepEqual(ev.from, ['alice@example.com']);
    await checkClean(p, 'online-audit-forwarded');
    figures.push('audit endpoint on the own origin → forwarded');
  });

  test('audit forwarding to another origin: the pane keeps its log locally and says why', async () => {
    const before = received.length;
    const { p } = await open({ ...viaProxy(), audit: { endpoint: 'https://siem.example/ingest' } }, 'aia', 'trusted');
    const sentence = `The audit forwarding endpoint (audit.endpoint in policy.json) is on https://siem.example, but this add-in is served from ${server.origin} and its Content Security Policy lets the task pane connect only to its own origin, so the pane keeps its audit log locally and forwards nothing: serve it from a path on ${server.origin} instead.`;
    const notes = await p.page.locator('.sv-note').allInnerTexts();
    assert.ok(notes.includes(sentence), `notes: ${notes.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(received.length, before);
    // Nothing was even attempted: no CSP violation for the collector, and nothing off loopback.
    await checkClean(p, 'online-audit-other-origin');
    figures.push('audit endpoint on another origin → local only, said in the pane');
  });
});

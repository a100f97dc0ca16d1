/**
 * Issue 10, item 13: an administrator's policy fails closed, never open. One misspelt field used to make both
 * hosts drop the whole admin policy, so the user's (weaker) settings applied; a policy.json the Outlook pane could
 * not fetch counted as "no policy"; an admin-set audit.endpoint left audit.enabled to the user; and keys named
 * after Object.prototype members passed validation as if they were fields.
 */
import 'fake-indexeddb/auto';
import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { loadAdminPolicy, loadTrust, withheldWhileUnavailable } from '../../addin-outlook/trust';
import { saveUserPolicy as saveOutlookUserPolicy } from '../../addin-outlook/settings-store';
import type { StorageArea } from '../../addin-thunderbird/messenger';
import { USER_POLICY_KEY, loadPolicy } from '../../addin-thunderbird/policy-store';
import { parsePolicyJson, resolvePolicy, validatePolicy } from '../../src/policy/index';
import { VERDICT_PHRASE, reason, warningsOf, type Verdict } from '../../src/verdict';

function area(data: Record<string, unknown> | 'reject'): StorageArea {
  return {
    async get(keys) {
      if (data === 'reject') throw new Error('Managed storage manifest not found');
      if (keys === null || keys === undefined) return { ...data };
      const ks = Array.isArray(keys) ? keys : [keys];
      return Object.fromEntries(ks.filter((k) => k in data).map((k) => [k, data[k]]));
    },
    async set(items) {
      if (data !== 'reject') Object.assign(data, items);
    },
    async remove() {},
  };
}

/** The user's weaker settings every test tries to sneak past a broken admin policy. */
const WEAK_USER = { revocation: 'off', allowSha1: true, senderMatch: 'warn', audit: { enabled: false } } as const;

test('admin policy fails open (Thunderbird): one misspelt field no longer drops the admin policy and lets user settings apply', async () => {
  const admin = { revocation: 'hard', onlien: true, algorithms: { minRsaBits: 3072 } };
  const p = await loadPolicy(area({ [USER_POLICY_KEY]: { ...WEAK_USER } }), area(admin));
  assert.equal(p.adminInvalid, true);
  // The admin's valid fields stay in force …
  assert.equal(p.resolved.policy.revocation, 'hard');
  assert.equal(p.resolved.policy.algorithms.minRsaBits, 3072);
  // … the misspelt one is named …
  assert.deepEqual(p.problems, ['administrator policy.onlien: unknown field']);
  // … and no weaker user setting gets through: everything else is locked at its default.
  assert.equal(p.resolved.policy.allowSha1, false);
  assert.equal(p.resolved.policy.senderMatch, 'require');
  assert.equal(p.resolved.policy.audit.enabled, true);
  assert.equal(p.resolved.sources.allowSha1, 'admin');
  assert.ok(p.resolved.overridden.includes('allowSha1'));
});

test('admin policy fails open: an invalid admin value is locked at the default, never the user\'s weaker value', () => {
  const v = validatePolicy({ revocation: 'sometimes', bundledRoots: false, anchors: ['not a certificate'] }, 'policy.json');
  assert.equal(v.ok, false);
  assert.ok(!v.ok && v.errors.some((e) => e.startsWith('policy.json.revocation: must be one of')));
  assert.ok(!v.ok && v.errors.some((e) => e.startsWith('policy.json.anchors[0]:')));
  assert.equal(v.policy.bundledRoots, false, 'the valid field is kept');
  const r = resolvePolicy({ admin: v.policy, user: { revocation: 'off', anchors: [] }, adminInvalid: true });
  assert.equal(r.policy.revocation, 'soft');
  assert.equal(r.sources.revocation, 'admin');
  assert.equal(r.policy.bundledRoots, false);
  // A JSON syntax error: no admin field at all, still no user settings.
  const broken = parsePolicyJson('{"revocation": "hard",', 'policy.json');
  assert.equal(broken.ok, false);
  assert.equal(resolvePolicy({ admin: broken.policy, user: { ...WEAK_USER }, adminInvalid: true }).policy.allowSha1, false);
});

test('admin policy fails open: user anchors are set aside while the admin policy is invalid, user intermediates still help', async () => {
  const { bundledRootList } = await import('../../src/trust/roots/bundled');
  const pem = (b64: string) => `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  const [R1, R2] = bundledRootList().map((x) => pem(x.der));
  const r = resolvePolicy({ admin: { revocation: 'hard' }, user: { anchors: [R1], intermediates: [R2] }, adminInvalid: true });
  assert.deepEqual(r.policy.anchors, []);
  assert.deepEqual(r.policy.intermediates, [R2]);
  assert.ok(r.overridden.includes('anchors'));
});

test('an admin-set audit.endpoint locks audit.enabled too', () => {
  const admin = validatePolicy({ audit: { endpoint: 'https://siem.example/ingest' } }, 'admin');
  assert.ok(admin.ok);
  const r = resolvePolicy({ admin: admin.policy, user: { audit: { enabled: false } } });
  assert.equal(r.policy.audit.enabled, true);
  assert.equal(r.sources['audit.enabled'], 'admin');
  assert.ok(r.overridden.includes('audit.enabled'));
  // Without an admin endpoint the user still decides.
  assert.equal(resolvePolicy({ admin: {}, user: { audit: { enabled: false } } }).policy.audit.enabled, false);
});

test('policy keys named after Object.prototype members are rejected', () => {
  for (const [text, path] of [
    ['{"constructor": true}', 'constructor'],
    ['{"toString": "x"}', 'toString'],
    ['{"hasOwnProperty": 1}', 'hasOwnProperty'],
    ['{"__proto__": {"allowSha1": true}}', '__proto__'],
    ['{"audit": {"valueOf": 1}}', 'audit.valueOf'],
    ['{"algorithms": {"__proto__": {"minRsaBits": 512}}}', 'algorithms.__proto__'],
  ] as const) {
    const v = parsePolicyJson(text, 'policy');
    assert.equal(v.ok, false, text);
    assert.ok(!v.ok && v.errors.some((e) => e.startsWith(`policy.${path}: not allowed`)), `${text}: ${!v.ok && v.errors.join('; ')}`);
    const r = resolvePolicy({ admin: v.policy, adminInvalid: true });
    assert.equal(r.policy.allowSha1, false);
    assert.equal(r.policy.algorithms.minRsaBits, 2048);
    assert.equal(({} as Record<string, unknown>).allowSha1, undefined, 'Object.prototype untouched');
  }
});

// ---- Outlook: policy.json served over loopback HTTP, the user's settings in (fake) IndexedDB.
let server: Server;
let base = '';
let reply: { status: number; body: string } = { status: 404, body: '' };

before(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith('/policy.json')) res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/taskpane.html`;
  await saveOutlookUserPolicy({ ...WEAK_USER });
});
after(() => new Promise<void>((r) => server.close(() => r())));

test('admin policy fails open (Outlook): a policy.json with one misspelt field keeps its valid fields and sets user settings aside', async () => {
  reply = { status: 200, body: JSON.stringify({ revocation: 'hard', sendrMatch: 'warn' }) };
  const t = await loadTrust(base);
  assert.equal(t.adminPolicy, 'invalid');
  assert.equal(t.resolved.policy.revocation, 'hard');
  assert.equal(t.resolved.policy.allowSha1, false);
  assert.equal(t.resolved.policy.senderMatch, 'require');
  assert.equal(t.problems.length, 1);
  assert.match(t.problems[0], /policy\.json\.sendrMatch: unknown field/);
  assert.match(t.problems[0], /your own settings are set aside/);
});

test('Outlook: a policy.json fetch error other than 404 means "admin policy unavailable", and no trusted verdict until it loads', async () => {
  reply = { status: 503, body: 'busy' };
  const t = await loadTrust(base);
  assert.equal(t.adminPolicy, 'unavailable');
  assert.match(t.problems[0], /could not be loaded \(HTTP 503\)/);
  assert.equal(t.resolved.policy.allowSha1, false, 'user settings set aside meanwhile');
  const reasons = [reason('chain-trusted', 'ok', 'chain ok')];
  const trusted = { verdict: 'trusted', summary: VERDICT_PHRASE.trusted, reasons, warnings: warningsOf(reasons) } as unknown as Verdict;
  const shown = withheldWhileUnavailable(trusted, t);
  assert.equal(shown.verdict, 'untrusted');
  assert.equal(shown.reasons[0].code, 'policy-unavailable');
  assert.match(shown.summary, /^Signed, but not trusted: Your administrator's policy could not be loaded/);
  // A network failure is "unavailable" too; only 404 is "no policy".
  const down = await loadAdminPolicy('http://127.0.0.1:1/taskpane.html');
  assert.equal(down.state, 'unavailable');
  reply = { status: 404, body: '' };
  const none = await loadTrust(base);
  assert.equal(none.adminPolicy, 'none');
  assert.equal(none.resolved.policy.allowSha1, true, 'no admin policy: the user decides');
  assert.equal(withheldWhileUnavailable(trusted, none), trusted);
});

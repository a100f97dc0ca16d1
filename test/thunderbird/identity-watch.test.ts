/**
 * Thunderbird's expiry reminders (issue 13): a notification when an identity comes within the policy's warning
 * period, again at 7 days, once when expired; never twice for the same reminder (kept in storage); an
 * identity.health audit event on each change of state, with the finding codes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, test } from 'node:test';
import { defaultPolicy, importPkcs12, type AuditEvent, type Identity } from '../../src/index';
import { IDENTITY_ALERTS_KEY, IdentityWatch } from '../../addin-thunderbird/identity-watch';
import { makePki, type Pki } from '../support/pki';

const DAY = 86_400_000;
const END = new Date('2026-07-01T00:00:00Z');
let pki: Pki;
let identity: Identity;
before(async () => {
  pki = await makePki();
  const me = await pki.issue({ name: 'Watch Me', email: 'me@example.com', end: END });
  const r = await importPkcs12(new Uint8Array(readFileSync(await me.makeP12('pw'))), 'pw');
  assert.ok(r.ok);
  identity = r.identity;
});

function harness() {
  const store: Record<string, unknown> = {};
  const notes: { id: string; title: string; message: string }[] = [];
  const events: AuditEvent[] = [];
  let now = new Date(END.getTime() - 40 * DAY);
  const watch = new IdentityWatch({
    identities: async () => [identity],
    storage: { get: async (k) => ({ [k]: store[k] }), set: async (v) => void Object.assign(store, v) },
    notify: async (id, title, message) => void notes.push({ id, title, message }),
    record: async (e) => void events.push(e),
    log: () => undefined,
    now: () => now,
  });
  return { watch, notes, events, store, at: (daysBeforeEnd: number) => (now = new Date(END.getTime() - daysBeforeEnd * DAY + 3600_000)) };
}

test('reminders at the warning period, at 7 days and on expiry, each once; an audit event per change of state', async () => {
  const policy = { ...defaultPolicy(), anchors: [pki.root.certPem], bundledRoots: false };
  const h = harness();
  h.at(40);
  await h.watch.run(policy);
  assert.equal(h.notes.length, 0, 'nothing 40 days before');
  assert.equal(h.events.length, 1);
  assert.equal(h.events[0].event, 'identity.health');
  assert.equal(h.events[0].verdict, 'ok');

  h.at(20);
  await h.watch.run(policy);
  assert.equal(h.notes.length, 1);
  assert.match(h.notes[0].message, /Watch Me <me@example\.com> expires on 2026-07-01, in 19 days/);
  assert.equal(h.events.at(-1)?.verdict, 'expiring');
  assert.ok(h.events.at(-1)?.reasons.includes('expires-soon'));
  await h.watch.run(policy);
  assert.equal(h.notes.length, 1, 'not again on the next check (or after a restart: it is in storage)');
  assert.equal(h.events.length, 2, 'no audit event without a change of state');

  h.at(5);
  await h.watch.run(policy);
  assert.equal(h.notes.length, 2);
  assert.match(h.notes[1].message, /in 4 days/);

  h.at(-2);
  await h.watch.run(policy);
  assert.equal(h.notes.length, 3);
  assert.equal(h.notes[2].title, 'S/MIME certificate expired');
  assert.equal(h.events.at(-1)?.verdict, 'expired');
  await h.watch.run(policy);
  assert.equal(h.notes.length, 3);
  assert.deepEqual(Object.keys(h.store[IDENTITY_ALERTS_KEY] as object), [identity.id]);
});

test('an identity first seen 3 days before its end gets one notification (the 7-day one), not two', async () => {
  const h = harness();
  h.at(3);
  await h.watch.run({ ...defaultPolicy(), anchors: [pki.root.certPem], bundledRoots: false });
  assert.equal(h.notes.length, 1);
  assert.match(h.notes[0].message, /in 2 days/);
  h.at(2);
  await h.watch.run({ ...defaultPolicy(), anchors: [pki.root.certPem], bundledRoots: false });
  assert.equal(h.notes.length, 1);
});

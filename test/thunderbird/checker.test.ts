// The add-on's read-side logic with a fake host: caching, shared in-flight checks, stale results, size bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VERDICT_PHRASE, verifyMessage, type Verdict } from '../../src/index';
import { actionStateFor } from '../../addin-thunderbird/action-state';
import { Checker } from '../../addin-thunderbird/checker';
import type { HostAdapter } from '../../addin-thunderbird/host';
import type { ActionState } from '../../addin-thunderbird/action-state';
import type { MessageHeader } from '../../addin-thunderbird/messenger';

const PLAIN = new TextEncoder().encode('From: a@example.com\r\nSubject: x\r\n\r\nhello\r\n');

class FakeHost implements HostAdapter {
  reads = 0;
  states: { tabId: number; s: ActionState }[] = [];
  displayed = new Map<number, MessageHeader[]>();
  constructor(private readonly raw: Uint8Array = PLAIN) {}
  async readRaw(): Promise<Uint8Array> {
    this.reads++;
    return this.raw;
  }
  async displayedMessages(tabId: number): Promise<MessageHeader[]> {
    return this.displayed.get(tabId) ?? [];
  }
  async showState(tabId: number, s: ActionState): Promise<void> {
    this.states.push({ tabId, s });
  }
}

const msg = (id: number, size = PLAIN.length): MessageHeader => ({ id, size, subject: 's', author: 'a', headerMessageId: `m${id}` });
const check = async (raw: Uint8Array) => ({ verdict: await verifyMessage(raw) });

test('a displayed message gets "checking" then its verdict; re-opening uses the cache', async () => {
  const host = new FakeHost();
  const c = new Checker(host, check);
  await c.onDisplayed(1, [msg(7)]);
  assert.deepEqual(host.states.map((x) => x.s.label), ['Checking…', VERDICT_PHRASE.unsigned]);
  assert.ok(host.states[1].s.title.startsWith(VERDICT_PHRASE.unsigned));
  await c.onDisplayed(2, [msg(7)]);
  assert.equal(host.reads, 1, 'read once');
  assert.equal(host.states.at(-1)!.s.label, VERDICT_PHRASE.unsigned);
  assert.equal(host.states.filter((x) => x.tabId === 2).length, 1, 'no checking state for a cached verdict');
});

test('the same message in two tabs at once is checked once; a tab that moved on keeps its own state', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const host = new FakeHost();
  const slow = async (raw: Uint8Array) => {
    await gate;
    return check(raw);
  };
  const c = new Checker(host, slow);
  const a = c.onDisplayed(1, [msg(9)]);
  const b = c.onDisplayed(2, [msg(9)]);
  const moved = c.onDisplayed(1, [msg(10)]);
  release();
  await Promise.all([a, b, moved]);
  assert.equal(host.reads, 2, 'messages 9 and 10 read once each');
  const tab1 = host.states.filter((x) => x.tabId === 1).map((x) => x.s.label);
  assert.equal(tab1.filter((l) => l === VERDICT_PHRASE.unsigned).length, 1, 'only message 10 verdict shown in tab 1');
});

test('several messages selected: no verdict, a hint instead', async () => {
  const host = new FakeHost();
  await new Checker(host, check).onDisplayed(1, [msg(1), msg(2)]);
  assert.match(host.states[0].s.title, /select one message/);
  assert.equal(host.reads, 0);
});

test('a message above the size bound is not read; the verdict says why', async () => {
  const host = new FakeHost();
  const c = new Checker(host, check, { maxBytes: 1000 });
  await c.onDisplayed(1, [msg(3, 5000)]);
  assert.equal(host.reads, 0);
  const last = host.states.at(-1)!.s;
  assert.ok(last.title.startsWith(VERDICT_PHRASE.error));
  assert.match(last.title, /larger than/);
});

test('invalidate() forgets verdicts (trust settings changed)', async () => {
  const host = new FakeHost();
  const c = new Checker(host, check);
  await c.onDisplayed(1, [msg(4)]);
  c.invalidate();
  await c.onDisplayed(1, [msg(4)]);
  assert.equal(host.reads, 2);
});

test('forTab: the popup gets the verdict of the one displayed message', async () => {
  const host = new FakeHost();
  host.displayed.set(5, [msg(11)]);
  const r = await new Checker(host, check).forTab(5);
  assert.equal(r.state, 'done');
  if (r.state === 'done') assert.equal(r.result.verdict.verdict, 'unsigned');
  host.displayed.set(6, []);
  assert.equal((await new Checker(host, check).forTab(6)).state, 'none');
});

test('action state: title starts with the phrase; mismatch and partial coverage are named', () => {
  const base = { summary: 'Signed by a@example.com', reasons: [], warnings: [], signers: [], layers: [], from: [], outsideSignature: [], encrypted: false, decrypted: false, checkedAt: '' };
  const v = { ...base, verdict: 'untrusted', signature: 'valid', trust: 'trusted', sender: 'mismatch', coverage: 'partial' } as Verdict;
  const s = actionStateFor(v);
  assert.ok(s.title.startsWith(VERDICT_PHRASE.untrusted));
  assert.match(s.title, /sender is not the signer/);
  assert.match(s.title, /Only part of this message is signed/);
  assert.equal(s.badge, '!');
  assert.equal(s.label, VERDICT_PHRASE.untrusted);
});

test('recheck (Verify again) reads the message anew and updates the button', async () => {
  const host = new FakeHost();
  host.displayed.set(1, [msg(21)]);
  const c = new Checker(host, check);
  await c.onDisplayed(1, [msg(21)]);
  const r = await c.recheck(1);
  assert.equal(r.state, 'done');
  assert.equal(host.reads, 2);
  assert.equal(host.states.at(-1)!.s.label, VERDICT_PHRASE.unsigned);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindSender } from '../src/sender';

const eve = ['eve@bigcorporation.de'];
const h = (from: string[], extra: { sender?: string[]; replyTo?: string[] } = {}) => ({
  from,
  sender: extra.sender ?? [],
  replyTo: extra.replyTo ?? [],
});

test('From equal to the certificate address matches, case-insensitively', () => {
  const b = bindSender(h(['Eve <EVE@BigCorporation.de>']), eve);
  assert.equal(b.status, 'match');
  assert.deepEqual(b.fromAddresses, ['eve@bigcorporation.de']);
});

test('From another address is a mismatch naming both', () => {
  const b = bindSender(h(['The Manager <manager@bigcorporation.de>']), eve);
  assert.equal(b.status, 'mismatch');
  assert.match(b.reasons[0].message, /manager@bigcorporation\.de.*eve@bigcorporation\.de/);
});

test('a display name that is another address is a mismatch (display-name trick)', () => {
  const b = bindSender(h(['manager@bigcorporation.de <eve@bigcorporation.de>']), eve);
  assert.equal(b.status, 'mismatch');
  assert.equal(b.reasons[0].code, 'display-name-deceptive');
});

test('two From headers, or two mailboxes in one, are a mismatch', () => {
  assert.equal(bindSender(h(['eve@bigcorporation.de', 'manager@bigcorporation.de']), eve).status, 'mismatch');
  assert.equal(bindSender(h(['eve@bigcorporation.de, manager@bigcorporation.de']), eve).reasons[0].code, 'multiple-from');
});

test('no From, an empty From, or a name only: mismatch with no-from', () => {
  for (const from of [[], [''], ['The Manager']]) {
    const b = bindSender(h(from), eve);
    assert.equal(b.status, 'mismatch', JSON.stringify(from));
    assert.equal(b.reasons[0].code, 'no-from');
  }
});

test('Reply-To elsewhere keeps the match but warns', () => {
  const b = bindSender(h(['The Manager <eve@bigcorporation.de>'], { replyTo: ['manager@bigcorporation.de'] }), eve);
  assert.equal(b.status, 'match');
  assert.deepEqual(
    b.reasons.filter((r) => r.severity === 'warning').map((r) => r.code),
    ['reply-to-differs'],
  );
});

test('a Sender who is neither From nor the signer makes a mismatch (Outlook shows "Sender on behalf of From")', () => {
  const b = bindSender(h(['The Manager <eve@bigcorporation.de>'], { sender: ['manager@bigcorporation.de'] }), eve);
  assert.equal(b.status, 'mismatch');
  assert.equal(b.reasons[0].code, 'sender-header-mismatch');
  assert.match(b.reasons[0].message, /manager@bigcorporation\.de on behalf of eve@bigcorporation\.de/);
  // Sender equal to From, or another address of the signer: fine.
  assert.equal(bindSender(h(['eve@bigcorporation.de'], { sender: ['Eve <EVE@bigcorporation.de>'] }), eve).status, 'match');
  assert.equal(bindSender(h(['eve@bigcorporation.de'], { sender: ['eve@b.de'] }), [...eve, 'eve@b.de']).status, 'match');
  // A Sender that is not one well-formed mailbox, or two Sender headers: mismatch.
  for (const sender of [['a@b.de, c@d.de'], ['eve@bigcorporation.de', 'eve@bigcorporation.de'], ['The Manager']]) {
    assert.equal(bindSender(h(['eve@bigcorporation.de'], { sender }), eve).status, 'mismatch', JSON.stringify(sender));
  }
});

test('a certificate without e-mail address: sender unknown', () => {
  assert.equal(bindSender(h(['eve@bigcorporation.de']), []).status, 'unknown');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addressesOf, parseAddressList } from '../../src/mime/address';
import { parseMime } from '../../src/mime/parse';
import { corpus } from '../support/corpus';

const one = (v: string) => {
  const l = parseAddressList(v);
  assert.equal(l.addresses.length, 1, `one address in ${v}: ${JSON.stringify(l)}`);
  return l.addresses[0];
};

test('plain, angle and quoted forms; addresses are lower-cased', () => {
  assert.deepEqual(one('Alice@Example.COM'), {
    address: 'alice@example.com',
    asciiAddress: 'alice@example.com',
    displayNameLooksLikeAddress: false,
    comments: [],
    defects: [],
    notes: [],
  });
  const a = one('Alice Liddell <Alice@Example.com>');
  assert.equal(a.name, 'Alice Liddell');
  assert.equal(a.address, 'alice@example.com');
  assert.equal(one('"Liddell, Alice" <a@x.org>').name, 'Liddell, Alice');
  assert.equal(one('"quoted \\"inner\\"" <a@x.org>').name, 'quoted "inner"');
  assert.equal(one('<a@x.org>').name, undefined);
  assert.equal(one('"a b"@x.org').address, '"a b"@x.org');
  assert.equal(one('"ab"@x.org').address, 'ab@x.org');
  assert.equal(one('a@[192.0.2.1]').address, 'a@[192.0.2.1]');
});

test('comments: ignored inside addresses, used as the name in the old "addr (Name)" form', () => {
  assert.equal(one('a@x.org (Alice)').name, 'Alice');
  const c = one('Alice (the boss) <a(comment)@x.org>');
  assert.equal(c.address, 'a@x.org');
  assert.equal(c.name, 'Alice');
});

test('RFC 2047 display names are decoded; adjacent words join without the space between them', () => {
  assert.equal(one('=?UTF-8?B?SsO8cmdlbg==?= <j@x.de>').name, 'Jürgen');
  assert.equal(one('=?iso-8859-1?Q?J=FCrgen?= =?iso-8859-1?Q?_M=FCller?= <j@x.de>').name, 'Jürgen Müller');
  assert.equal(one('=?windows-1252?Q?=80uro?= <e@x.de>').name, '€uro');
  const q = one('"=?utf-8?q?manager@bigcorporation.de?=" <eve@bigcorporation.de>');
  assert.equal(q.name, 'manager@bigcorporation.de');
  assert.ok(q.displayNameLooksLikeAddress);
  assert.match(q.notes.join(), /encoded word inside quotes/);
  assert.equal(q.nameAddress, 'manager@bigcorporation.de');
});

test('display names that look like addresses are flagged (Johnny, you are fired: ID attacks)', () => {
  const a = one('manager@bigcorporation.de <eve@bigcorporation.de>');
  assert.equal(a.name, 'manager@bigcorporation.de');
  assert.equal(a.address, 'eve@bigcorporation.de');
  assert.ok(a.displayNameLooksLikeAddress);
  assert.match(a.defects.join(), /unquoted "@"/);
  const b = one('manager@bigcorporation.de                 . <eve@bigcorporation.de>');
  assert.equal(b.name, 'manager@bigcorporation.de .');
  assert.ok(b.displayNameLooksLikeAddress);
  assert.ok(one('"manager@bigcorporation.de" <eve@bigcorporation.de>').displayNameLooksLikeAddress);
  assert.ok(one('"manager\uff20bigcorporation.de" <eve@bigcorporation.de>').displayNameLooksLikeAddress);
  assert.ok(!one('The Manager <manager@bigcorporation.de>').displayNameLooksLikeAddress);
});

test('several mailboxes in one header, groups, empty groups, obsolete routes and list syntax', () => {
  const two = parseAddressList('The Manager <eve@b.de>, The Manager <manager@b.de>');
  assert.deepEqual(two.addresses.map((m) => m.address), ['eve@b.de', 'manager@b.de']);
  const g = parseAddressList('Team: a@x.org, B <b@x.org>; c@y.org, undisclosed-recipients:;');
  assert.deepEqual(g.addresses.map((m) => [m.address, m.group]), [['a@x.org', 'Team'], ['b@x.org', 'Team'], ['c@y.org', undefined]]);
  assert.deepEqual(g.groups.map((x) => [x.name, x.members.length]), [['Team', 2], ['undisclosed-recipients', 0]]);
  assert.deepEqual(g.defects, []);
  const r = one('Joe <@relay.example,@other.example:joe@x.org>');
  assert.equal(r.address, 'joe@x.org');
  assert.match(r.defects.join(), /source route/);
  assert.equal(parseAddressList(',, a@x.org ,,').addresses.length, 1);
});

test('entries without an address are reported, not invented', () => {
  const n = parseAddressList('The Manager');
  assert.equal(n.addresses.length, 0);
  assert.match(n.defects.join(), /no valid address/);
  assert.deepEqual(parseAddressList('').addresses, []);
  assert.equal(parseAddressList('<>').addresses.length, 0);
  assert.equal(parseAddressList('a@b@c').addresses.length, 0);
  assert.equal(parseAddressList(undefined).addresses.length, 0);
  const unclosed = parseAddressList('A <a@x.org');
  assert.equal(unclosed.addresses[0].address, 'a@x.org');
  assert.match(unclosed.addresses[0].defects.join(), /not closed/);
});

test('control and invisible characters (NUL, bidi overrides) are flagged', () => {
  const nul = one('manager@b.de\u0000 <eve@b.de>');
  assert.match(nul.defects.join(), /control or invisible/);
  const bidi = one('=?utf-8?q?=E2=80=AEed=2Enoitaroprocgib=40reganam?= <eve@b.de>');
  assert.match(bidi.defects.join(), /control or invisible/);
});

test('addressesOf counts headers (two From headers is an attack the caller must see)', () => {
  const r = parseMime(new TextEncoder().encode('From: a@x.org\nFrom: b@x.org\n\n'));
  assert.ok(r.ok);
  const f = addressesOf(r.root, 'from');
  assert.equal(f.headerCount, 2);
  assert.deepEqual(f.addresses.map((m) => m.address), ['a@x.org', 'b@x.org']);
});

test('Johnny, you are fired 04-id: every From/Sender/Reply-To parses truthfully', (t) => {
  const c = corpus('johnny-you-are-fired');
  if (c.dir === undefined) return t.skip(c.skip);
  const base = join(c.dir, '04-id');
  const seen: Record<string, string> = {};
  for (const sub of readdirSync(base).filter((n) => !n.includes('.'))) {
    for (const f of readdirSync(join(base, sub)).filter((n) => n.endsWith('.eml'))) {
      const r = parseMime(new Uint8Array(readFileSync(join(base, sub, f))));
      assert.ok(r.ok, f);
      const from = addressesOf(r.root, 'from');
      const sender = addressesOf(r.root, 'sender');
      seen[f] = [
        `${from.headerCount}:${from.addresses.map((m) => `${m.name ?? ''}<${m.address}>${m.displayNameLooksLikeAddress ? '!' : ''}`).join(',')}`,
        sender.addresses.map((m) => m.address).join(','),
      ].join('|');
    }
  }
  assert.deepEqual(seen, {
    'i1-from-unequals-signer-smime.eml': '1:<manager@bigcorporation.de>|',
    'i2-from-contains-signer-smime.eml': '1:The Manager<eve@bigcorporation.de>|',
    'i2-from-is-empty-smime.eml': '1:|',
    'i2-from-is-nonexistent-smime.eml': '0:|',
    'i2-from-is-only-a-name-smime.eml': '1:|',
    'i2-from-is-sender-signer-a-smime.eml': '1:manager@bigcorporation.de<eve@bigcorporation.de>!|',
    'i2-from-is-sender-signer-b-smime.eml': '1:manager@bigcorporation.de .<eve@bigcorporation.de>!|',
    'i2-from-is-signer-sender-a-smime.eml': '1:eve@bigcorporation.de<manager@bigcorporation.de>!|',
    'i2-from-is-signer-sender-b-smime.eml': '1:eve@bigcorporation.de .<manager@bigcorporation.de>!|',
    'i3-from-is-sender-sender-signer-smime.eml': '1:The Manager<eve@bigcorporation.de>,The Manager<manager@bigcorporation.de>|',
    'i3-from-is-sender-signer-sender-smime.eml': '1:The Manager<manager@bigcorporation.de>,The Manager<eve@bigcorporation.de>|',
    'i3-from-sender-others-signer-smime.eml': '1:<manager@bigcorporation.de>|eve@bigcorporation.de',
    'i3-from-signer-others-sender-smime.eml': '1:The Manager<eve@bigcorporation.de>|manager@bigcorporation.de',
    'i3-from1-sender-from2-signer-smime.eml': '2:<manager@bigcorporation.de>,<eve@bigcorporation.de>|',
    'i3-from1-signer-from2-sender-smime.eml': '2:<eve@bigcorporation.de>,<manager@bigcorporation.de>|',
  });
});

test('text after an angle address, comments holding an address, NUL in the middle of an address', () => {
  const t = one('"Manager" <manager@bigcorporation.de>@evil.example');
  assert.equal(t.address, 'manager@bigcorporation.de');
  assert.match(t.defects.join(), /Text after an address/);
  const c = one('eve@evil.example (manager@bigcorporation.de)');
  assert.equal(c.address, 'eve@evil.example');
  assert.ok(c.displayNameLooksLikeAddress);
  const nul = parseAddressList('manager@bigcorporation.de\u0000eve@evil.example');
  assert.equal(nul.addresses.length, 0);
  assert.match(nul.defects.join(), /more than one @/);
  const enc = parseAddressList('=?utf-8?q?manager=40bigcorporation.de?=');
  assert.equal(enc.addresses.length, 0);
});

test('internationalised domains: the IDNA ASCII form for comparison with certificates, and a look-alike warning', () => {
  const m = one('Bücher <info@BÜCHER.de>');
  assert.equal(m.address, 'info@bücher.de');
  assert.equal(m.asciiAddress, 'info@xn--bcher-kva.de');
  assert.match(m.notes.join(), /internationalised/);
  assert.deepEqual(m.defects, []); // a note, not a defect: internationalised mail is valid mail
  const cyrillic = one('manager@bigcorpor\u0430tion.de'); // Cyrillic a
  assert.notEqual(cyrillic.asciiAddress, 'manager@bigcorporation.de');
  assert.match(cyrillic.asciiAddress, /@xn--/);
  const sneaky = one('a@b\u00fc%41.de'); // URL parsing would turn %41 into "a": refused, not converted
  assert.equal(sneaky.asciiAddress, sneaky.address);
  assert.match(sneaky.defects.join(), /not valid/);
  assert.equal(one('a@[192.0.2.1]').asciiAddress, 'a@[192.0.2.1]');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stripMozillaPrefix } from '../../src/mime/mozilla';
import { parseMime } from '../../src/mime/parse';
import { getHeader } from '../../src/mime/headers';

const enc = new TextEncoder();
const dec = new TextDecoder();

test('strips the mbox From line and X-Mozilla-* lines that getRaw prepends, without copying', () => {
  const original = 'From: a@example.com\r\nSubject: s\r\n\r\nbody\r\n';
  const raw = enc.encode(
    'From - Tue Nov 25 20:00:00 2026\nX-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n' +
      `X-Mozilla-Keys: ${' '.repeat(80)}\n${original}`,
  );
  const out = stripMozillaPrefix(raw);
  assert.equal(dec.decode(out), original);
  assert.equal(out.buffer, raw.buffer);
  const r = parseMime(out);
  assert.ok(r.ok && getHeader(r.root, 'from') === 'a@example.com' && r.root.start === 0);
});

test('only the X-Mozilla lines (no From line), CRLF variant', () => {
  const out = stripMozillaPrefix(enc.encode('X-Mozilla-Status: 0001\r\nX-Mozilla-Status2: 00000000\r\nSubject: s\r\n\r\n'));
  assert.equal(dec.decode(out), 'Subject: s\r\n\r\n');
});

test('a message without the prefix comes back unchanged (same object)', () => {
  const raw = enc.encode('From: a@example.com\n\nx');
  assert.equal(stripMozillaPrefix(raw), raw);
  const later = enc.encode('Subject: s\nX-Mozilla-Status: 0001\n\nx');
  assert.equal(stripMozillaPrefix(later), later); // only a prefix at the very top is Thunderbird's
  assert.equal(stripMozillaPrefix(new Uint8Array(0)).length, 0);
});

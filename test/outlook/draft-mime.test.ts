/**
 * addin-outlook/compose/draft-mime.ts: a draft becomes a well-formed message (encoded words, RFC 2231 file
 * names, base64 attachments, multipart structure), bad drafts are refused in words, and the message the core
 * signs from it is accepted by `openssl cms -verify` with the attachment intact.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importPkcs12, signMessage } from '../../src/index';
import { type Draft, DraftError, buildDraftMime, encodeWords } from '../../addin-outlook/compose/draft-mime';
import { deterministicBytes } from '../support/messages';
import { makePki, opensslVerify } from '../support/pki';

let seed = 1;
const random = (n: number) => Uint8Array.from({ length: n }, () => (seed = (seed * 1103515245 + 12345) & 0xff));
const opts = { date: new Date(Date.UTC(2026, 10, 25, 20, 0, 0)), random };

const draft = (over: Partial<Draft> = {}): Draft => ({
  from: { name: 'Alice Example', address: 'alice@example.com' },
  to: [{ name: 'Bob', address: 'bob@example.com' }],
  cc: [{ name: 'Zoë Ünal', address: 'zoe@example.com' }],
  subject: 'Grüße — quarterly figures',
  text: 'Hello Bob,\nsee the attachment.\n',
  html: '<p>Hello Bob,<br>see the attachment.</p>',
  attachments: [{ name: 'zahlen-ä.bin', contentType: 'application/octet-stream', bytes: deterministicBytes(5000, 3) }],
  ...over,
});

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');

test('structure: mixed(alternative(text, html), attachment), encoded words, RFC 2231 names, CRLF only', () => {
  const m = latin1(buildDraftMime(draft(), opts));
  assert.match(m, /^From: "Alice Example" <alice@example\.com>\r\n/);
  assert.match(m, /\r\nCc: =\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <zoe@example\.com>\r\n/);
  const subj = /\r\nSubject: ((?:.|\r\n )+)\r\n/.exec(m)?.[1] ?? '';
  const decoded = [...subj.matchAll(/=\?UTF-8\?B\?([^?]+)\?=/g)].map((x) => Buffer.from(x[1], 'base64').toString('utf8')).join('');
  assert.equal(decoded, 'Grüße — quarterly figures');
  assert.match(m, /\r\nDate: Wed, 25 Nov 2026 20:00:00 \+0000\r\n/);
  assert.match(m, /\r\nMIME-Version: 1\.0\r\nContent-Type: multipart\/mixed; boundary="=_smime_[0-9a-f]{24}"\r\n/);
  assert.match(m, /Content-Type: multipart\/alternative;/);
  assert.match(m, /Content-Type: text\/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nHello Bob,\r\nsee the attachment\.\r\n/);
  assert.match(m, /filename\*=UTF-8''zahlen-%C3%A4\.bin/);
  assert.doesNotMatch(m.replace(/\r\n/g, ''), /\n|\r/, 'no bare CR or LF');
  for (const line of m.split('\r\n')) assert.ok(line.length <= 998, 'line length within RFC 5322');
});

test('text-only draft is a single text/plain part', () => {
  const m = latin1(buildDraftMime(draft({ html: undefined, attachments: [] }), opts));
  assert.match(m, /\r\nMIME-Version: 1\.0\r\nContent-Type: text\/plain; charset=utf-8\r\n/);
  assert.doesNotMatch(m, /multipart/);
});

test('bad drafts are refused in words', () => {
  assert.throws(() => buildDraftMime(draft({ to: [], cc: [] }), opts), (e) => e instanceof DraftError && /no recipients/.test(e.message));
  assert.throws(() => buildDraftMime(draft({ to: [{ address: 'bob@example.com>\r\nBcc: x@evil.test' }] }), opts), DraftError);
  assert.throws(() => buildDraftMime(draft({ to: [{ address: 'not an address' }] }), opts), DraftError);
});

test('header injection through names and subjects is neutralised', () => {
  const m = latin1(buildDraftMime(draft({ subject: 'hi\r\nBcc: evil@example.net', to: [{ name: 'Bob"\r\nBcc: x', address: 'bob@example.com' }] }), opts));
  assert.doesNotMatch(m, /\r\nBcc:/);
});

test('encoded words stay within 75 characters and split on whole characters', () => {
  const s = 'é'.repeat(100);
  const w = encodeWords(s).split('\r\n ');
  assert.ok(w.length > 1);
  for (const word of w) assert.ok(word.length <= 75, word);
  assert.equal(w.map((x) => Buffer.from(/\?B\?([^?]+)\?=/.exec(x)![1], 'base64').toString('utf8')).join(''), s);
});

test('signed by the core, accepted by openssl cms -verify, attachment intact', async () => {
  const pki = await makePki();
  const alice = await pki.issue({ name: 'Alice Example', email: 'alice@example.com' });
  const p12 = await alice.makeP12('pw');
  const id = await importPkcs12(new Uint8Array(readFileSync(p12)), 'pw');
  assert.ok(id.ok);
  const d = draft();
  const signed = await signMessage(buildDraftMime(d, opts), id.identity);
  assert.ok(signed.ok, signed.ok ? '' : signed.error.message);
  const file = join(pki.dir, 'draft-signed.eml');
  writeFileSync(file, signed.message);
  const v = await opensslVerify(file, { CAfile: pki.root.certPath });
  assert.ok(v.ok, v.stderr);
  const content = v.content.toString('latin1');
  const b64 = Buffer.from(d.attachments[0].bytes).toString('base64');
  assert.ok(content.replace(/\r\n/g, '').includes(b64), 'attachment bytes inside the signed content');
});

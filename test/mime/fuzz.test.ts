// Fuzz: thousands of mutated messages from a seeded PRNG through every MIME entry point. Each must return
// (no exception escapes), quickly (CPU-time bounds per message and in total), with consistent offsets.
// Deterministic: the seed is printed; rerun one with MIME_FUZZ_SEED=<seed> node scripts/run-tests.mjs fuzz.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseMime, walkEntities } from '../../src/mime/parse';
import { stripMozillaPrefix } from '../../src/mime/mozilla';
import { splitSigned } from '../../src/mime/split-signed';
import { toCanonicalCrlf } from '../../src/mime/canonical';
import { decodeOpaque, smimeType } from '../../src/mime/opaque';
import { bodyText, decodeBody } from '../../src/mime/transfer';
import { contentDisposition, decodeHeaderValue, getHeader } from '../../src/mime/headers';
import { addressesOf } from '../../src/mime/address';
import { SHARED } from '../support/corpus';
import type { MimeEntity } from '../../src/mime/types';
import { concatBytes as concat, prng } from '../support/messages';

const SEED = Number(process.env.MIME_FUZZ_SEED ?? 0x5eed2026) >>> 0;
const COUNT = Number(process.env.MIME_FUZZ_COUNT ?? 3500);
const PER_MESSAGE_MS = 200;
const TOTAL_CPU_MS = 30_000; // CPU in the MIME code for all cases (the generator and machine load excluded)


const enc = new TextEncoder();
const crlf = (s: string): string => s.replace(/\r?\n/g, '\r\n');

const SIG_B64 = 'MIAGCSqGSIb3DQEHAqCAMIACAQExDzANBglghkgBZQMEAgEFADALBgkqhkiG9w0BBwGggDAA\r\nMQA=';

const TEMPLATES: string[] = [
  crlf(`From: "Alice" <alice@example.com>, =?utf-8?q?B=C3=B6b?= <bob@example.com>
Sender: x@example.com
Subject: =?iso-8859-1?q?h=E9llo?=
MIME-Version: 1.0
Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="----B1"

This is an S/MIME signed message

------B1
Content-Type: multipart/mixed; boundary="----B1x"

------B1x
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

caf=C3=A9 =
soft break
------B1x
Content-Type: message/rfc822

From: inner@example.com
Content-Type: multipart/alternative; boundary=alt

--alt
Content-Type: text/plain

inner
--alt
Content-Type: text/html

<p>inner</p>
--alt--
------B1x--

------B1
Content-Type: application/pkcs7-signature; name="smime.p7s"
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename*=utf-8''sm%C3%AFme.p7s

${SIG_B64}
------B1--
`),
  `From: a@b.c\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m\nContent-Transfer-Encoding: base64\n\n${SIG_B64}\n`,
  `Content-Type: multipart/digest; boundary=d\n\n--d\n\nSubject: one\n\n1\n--d\n\nSubject: two\n\n2\n--d--\n`,
  'no headers at all\njust text\n',
  'Subject: folded\n  header\n\tagain\nContent-Type: text/plain; charset*0*=utf-8\'\'%E2%82; charset*1*=%AC\n\nbody',
];

function corpusSamples(): Uint8Array[] {
  const dirs = ['thunderbird/mailnews/test/data/smime', 'johnny-you-are-fired/03-mime', 'nist-pkits/smime'];
  const out: Uint8Array[] = [];
  for (const d of dirs) {
    const dir = join(SHARED, 'corpus', d);
    try {
      const walk = (p: string): string[] =>
        readdirSync(p).flatMap((n) => (statSync(join(p, n)).isDirectory() ? walk(join(p, n)) : n.endsWith('.eml') ? [join(p, n)] : []));
      for (const f of walk(dir).slice(0, 6)) out.push(new Uint8Array(readFileSync(f)));
    } catch {
      console.log(`# fuzz: corpus ${d} not present, synthetic templates only`);
    }
  }
  return out;
}


/** Positions worth cutting at: line starts, '--' runs, colons, CRs, blank lines. */
function interesting(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < b.length && out.length < 2000; i++) {
    const c = b[i];
    if (c === 0x0a || c === 0x0d || c === 0x3a || (c === 0x2d && b[i + 1] === 0x2d) || c === 0x3b || c === 0x3d) out.push(i);
  }
  return out;
}

function deepNesting(levels: number, closed: boolean): Uint8Array {
  let head = '';
  let tail = '';
  for (let i = 0; i < levels; i++) {
    head += `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n`;
    if (closed) tail = `\r\n--n${i}--\r\n` + tail;
  }
  return enc.encode(head + 'Content-Type: text/plain\r\n\r\nleaf' + tail);
}

function deepRfc822(levels: number): Uint8Array {
  return enc.encode('Content-Type: message/rfc822\n\n'.repeat(levels) + 'Subject: bottom\n\nx');
}

// The big shapes are built once: the cost under test is the parser's, not the generator's.
const DEEP_OPEN = deepNesting(10_000, false);
const DEEP_CLOSED = deepNesting(10_000, true);
const DEEP_RFC822 = deepRfc822(10_000);
const HUGE_1M = enc.encode(`X-Huge: ${'a'.repeat(1_000_000)}\r\n`);
const HUGE_1M1 = enc.encode(`X-Huge: ${'a'.repeat(1_100_000)}\r\n`);

type Mutator = (b: Uint8Array, r: () => number) => Uint8Array;
const pick = <T,>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: () => number, n: number): number => Math.floor(r() * n);

function boundaryLines(b: Uint8Array): [number, number][] {
  const lines: [number, number][] = [];
  let start = 0;
  for (let i = 0; i <= b.length; i++) {
    if (i === b.length || b[i] === 0x0a) {
      if (b[start] === 0x2d && b[start + 1] === 0x2d) lines.push([start, Math.min(b.length, i + 1)]);
      start = i + 1;
    }
  }
  return lines;
}

const MUTATORS: [string, Mutator][] = [
  ['truncate-anywhere', (b, r) => b.subarray(0, int(r, b.length + 1))],
  ['truncate-interesting', (b, r) => { const p = interesting(b); return b.subarray(0, p.length ? pick(r, p) + int(r, 3) : 0); }],
  ['bit-flips', (b, r) => { const c = b.slice(); for (let k = 1 + int(r, 8); k > 0 && c.length; k--) c[int(r, c.length)] ^= 1 << int(r, 8); return c; }],
  ['byte-garbage', (b, r) => { const c = b.slice(); for (let k = 1 + int(r, 20); k > 0 && c.length; k--) c[int(r, c.length)] = pick(r, [0, 0x0a, 0x0d, 0x2d, 0x3a, 0x3b, 0x22, 0x3d, 0x20, 0xff, 0x80]); return c; }],
  ['remove-boundary', (b, r) => { const l = boundaryLines(b); if (!l.length) return b; const [s, e] = pick(r, l); return concat(b.subarray(0, s), b.subarray(e)); }],
  ['duplicate-boundary', (b, r) => { const l = boundaryLines(b); if (!l.length) return b; const [s, e] = pick(r, l); const at = int(r, b.length); return concat(b.subarray(0, at), enc.encode('\n'), b.subarray(s, e), b.subarray(at)); }],
  ['close-to-open', (b, r) => { const l = boundaryLines(b); if (!l.length) return b; const [s, e] = pick(r, l); const line = new TextDecoder().decode(b.subarray(s, e)); return concat(b.subarray(0, s), enc.encode(line.includes('--\n') || line.includes('--\r\n') ? line.replace(/--(\r?\n)$/, '$1') : line.replace(/(\r?\n)$/, '--$1')), b.subarray(e)); }],
  ['boundary-param-games', (b, r) => { const s = new TextDecoder('latin1').decode(b); return enc.encode(s.replace(/boundary="?([^";\r\n]*)"?/i, (_m, v: string) => pick(r, [`boundary=""`, `boundary="${v.slice(0, -1)}"`, `boundary="${v}x"`, `boundary=${v} (c)`, 'boundary', `boundary*0="${v.slice(0, 2)}"; boundary*1="${v.slice(2)}"`, `boundary="${'-'.repeat(500)}"`]))); }],
  ['line-ending-swap', (b, r) => { const s = new TextDecoder('latin1').decode(b); return enc.encode(r() < 0.5 ? s.replace(/\r\n/g, '\n') : s.replace(/\r?\n/g, '\r\n').replace(/\r\n/g, () => pick(r, ['\r\n', '\n', '\r', '\n\r']))); }],
  ['insert-nul-and-controls', (b, r) => { const at = int(r, b.length + 1); return concat(b.subarray(0, at), Uint8Array.of(pick(r, [0, 0x1b, 0x7f, 0x0b])), b.subarray(at)); }],
  ['huge-header-line', (b, r) => concat(r() < 0.5 ? HUGE_1M : HUGE_1M1, b)],
  ['many-headers', (b) => concat(enc.encode('X-H: v\n'.repeat(1200)), b)],
  ['no-blank-line', (b) => { const s = new TextDecoder('latin1').decode(b); return enc.encode(s.replace(/\r?\n\r?\n/, '\n')); }],
  ['deep-nesting-10k', (_b, r) => (r() < 0.5 ? DEEP_OPEN : DEEP_CLOSED)],
  ['deep-nesting-near-limit', (_b, r) => deepNesting(28 + int(r, 8), r() < 0.5)],
  ['deep-rfc822', (_b, r) => (r() < 0.5 ? DEEP_RFC822 : deepRfc822(30 + int(r, 5)))],
  ['many-parts', (_b, r) => enc.encode('Content-Type: multipart/mixed; boundary=b\n\n' + '--b\n\nx\n'.repeat(1 + int(r, 3000)))],
  ['dash-lines', (_b, r) => enc.encode('Content-Type: multipart/mixed; boundary=-\n\n' + '---\n--\n-- \n----\n'.repeat(1 + int(r, 5000)))],
  ['splice-two', (b, r) => { const t = enc.encode(pick(r, TEMPLATES)); const a = int(r, b.length + 1); return concat(b.subarray(0, a), t.subarray(int(r, t.length + 1))); }],
  ['mozilla-prefix', (b) => concat(enc.encode('From - x\nX-Mozilla-Status: 0001\nX-Mozilla-Status2: 0\nX-Mozilla-Keys: \n'), b)],
  ['random-bytes', (_b, r) => Uint8Array.from({ length: int(r, 4000) }, () => int(r, 256))],
];

function checkOffsets(root: MimeEntity): void {
  for (const e of walkEntities(root)) {
    assert.ok(0 <= e.start && e.start <= e.headerEnd && e.headerEnd <= e.bodyStart && e.bodyStart <= e.end && e.end <= e.source.length, `offsets of part ${e.path}`);
    let prev = e.bodyStart;
    for (const c of e.children) {
      assert.ok(c.start >= prev && c.end <= e.end, `child ${c.path} inside ${e.path}`);
      prev = c.end;
    }
    for (const r of [e.preamble, e.epilogue]) if (r) assert.ok(e.bodyStart <= r.start && r.start <= r.end && r.end <= e.end);
  }
}

/** Runs every entry point a caller would, on every entity. */
function exercise(raw: Uint8Array): void {
  const stripped = stripMozillaPrefix(raw);
  const r = parseMime(stripped);
  if (!r.ok) {
    assert.ok(r.error.message.length > 0 && !r.error.message.includes('\n'), 'one-line error');
    return;
  }
  checkOffsets(r.root);
  for (const h of ['from', 'sender', 'reply-to']) addressesOf(r.root, h);
  decodeHeaderValue(getHeader(r.root, 'subject'));
  for (const e of walkEntities(r.root)) {
    if (e.contentType.mediaType === 'multipart/signed') {
      const s = splitSigned(e);
      if (s.ok) toCanonicalCrlf(s.signedBytes);
    }
    if (smimeType(e)) decodeOpaque(e);
    contentDisposition(e);
    if (e.children.length === 0 && e.end - e.bodyStart < 1_000_000) {
      decodeBody(e);
      bodyText(e);
    }
  }
}

test(`fuzz: ${COUNT} mutated messages, seed ${SEED}`, () => {
  console.log(`# MIME fuzz seed ${SEED} (set MIME_FUZZ_SEED to reproduce), ${COUNT} cases`);
  const r = prng(SEED).float;
  const bases = [...TEMPLATES.map((t) => enc.encode(t)), ...corpusSamples()];
  const perMutator = new Map<string, { n: number; ms: number; failed: number }>();
  const t0 = performance.now();
  let slowest = { ms: 0, what: '' };
  let cpu = 0;
  for (let i = 0; i < COUNT; i++) {
    const base = pick(r, bases);
    let msg = base;
    const names: string[] = [];
    for (let k = 1 + int(r, 3); k > 0; k--) {
      const [name, m] = pick(r, MUTATORS);
      names.push(name);
      msg = m(msg, r);
    }
    const what = `case ${i} (${names.join('+')}, ${msg.length} bytes)`;
    // CPU time, not wall time: the bound is about algorithmic cost, and the test machine is shared.
    const s = process.cpuUsage();
    try {
      exercise(msg);
    } catch (e) {
      assert.fail(`${what} threw: ${(e as Error).stack ?? e}`);
    }
    const used = process.cpuUsage(s);
    const ms = (used.user + used.system) / 1000;
    cpu += ms;
    if (ms > slowest.ms) slowest = { ms, what };
    assert.ok(ms < PER_MESSAGE_MS, `${what} took ${ms.toFixed(1)} ms`);
    for (const n of names) {
      const st = perMutator.get(n) ?? { n: 0, ms: 0, failed: 0 };
      st.n++;
      st.ms += ms;
      perMutator.set(n, st);
    }
  }
  const total = performance.now() - t0;
  console.log(`# fuzz total ${total.toFixed(0)} ms (${cpu.toFixed(0)} ms CPU in the MIME code); slowest ${slowest.ms.toFixed(1)} ms: ${slowest.what}`);
  assert.ok(cpu < TOTAL_CPU_MS, `the MIME code used ${cpu.toFixed(0)} ms CPU in total`);
  assert.equal(perMutator.size, MUTATORS.length, 'every mutator ran');
});

test('hostile shapes named in the brief: outcome and message for each', () => {
  const deep = parseMime(deepNesting(10_000, true));
  assert.ok(!deep.ok && deep.error.code === 'limit-exceeded', 'nesting bomb');
  const rfc = parseMime(deepRfc822(10_000));
  assert.ok(!rfc.ok && rfc.error.code === 'limit-exceeded', 'message/rfc822 bomb');
  const huge = parseMime(enc.encode(`Subject: ${'a'.repeat(1_100_000)}\r\n\r\nx`));
  assert.ok(!huge.ok && /larger than/.test(huge.error.message), 'huge header');
  const noBlank = parseMime(enc.encode('Subject: a\r\nFrom: b@c.d'));
  assert.ok(noBlank.ok && noBlank.root.defects.length === 1, 'no blank line is a defect');
  const cut = parseMime(enc.encode(TEMPLATES[0].slice(0, 900)));
  assert.ok(cut.ok && cut.root.defects.some((d) => /no close delimiter/.test(d)), 'truncated multipart is a defect');
});

test('long hostile header values stay linear (no regex backtracking blow-up)', () => {
  const n = 400_000;
  const cases: [string, string][] = [
    ['white space run inside a value', `Subject: a${' '.repeat(n)}b\r\n\r\n`],
    ['unclosed comments in Content-Transfer-Encoding', `Content-Transfer-Encoding: ${'('.repeat(n)}\r\n\r\n`],
    ['unclosed comments in Content-Type', `Content-Type: text/plain; a=${'('.repeat(n)}\r\n\r\n`],
    ['long display name run before an at sign', `From: ${'a'.repeat(n)} @ <x@y.z>\r\n\r\n`],
    ['many addresses with comments', `From: ${'a@b.c (n), '.repeat(n / 12)}\r\n\r\n`],
    ['many unclosed domain literals', `From: ${'[a'.repeat(n / 2)}\r\n\r\n`],
    ['many encoded-word starts', `Subject: ${'=?x?B?'.repeat(n / 6)}\r\n\r\n`],
    ['many RFC 2231 sections', `Content-Type: text/plain; ${Array.from({ length: 20000 }, (_, i) => `n*${i}*=%41`).join('; ')}\r\n\r\n`],
    ['PEM signature without END', `Content-Type: application/pkcs7-mime; smime-type=signed-data\r\nContent-Transfer-Encoding: 7bit\r\n\r\n-----BEGIN PKCS7-----\r\n${'A'.repeat(n)}`],
  ];
  for (const [what, msg] of cases) {
    const s = process.cpuUsage();
    exercise(enc.encode(msg));
    const u = process.cpuUsage(s);
    const ms = (u.user + u.system) / 1000;
    assert.ok(ms < 500, `${what}: ${ms.toFixed(0)} ms CPU`);
  }
});

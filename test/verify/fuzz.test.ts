/**
 * Mutation fuzzing of verifyMessage: thousands of damaged variants of real OpenSSL-signed messages (truncations,
 * bit flips, byte insertions/deletions, boundary and header games, base64 damage, deep nesting). Every one must
 * come back as a well-formed Verdict within a time bound; no exception may escape; a message whose signed bytes
 * were changed must never be `trusted`.
 *
 * Deterministic: a seeded PRNG (FUZZ_SEED, default 20240115) drives every choice; a failure names the seed, base
 * and mutation so it can be replayed. FUZZ_ITERATIONS (default 2000) sets the count.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { loadCertificates, verifyMessage, type Verdict } from '../../src/index';
import { multipartEntity, prng, textEntity, toLfOnly, wrapInUnsignedMixed, CRLF } from '../support/messages';
import { makePki, smimeSign } from '../support/pki';

const SEED = Number(process.env.FUZZ_SEED ?? 20240115);
const ITERATIONS = Number(process.env.FUZZ_ITERATIONS ?? 2000);
/** Per message. Generous: the machine is shared; a hang or a super-linear blow-up is far above it. */
const TIME_BOUND_MS = Number(process.env.FUZZ_TIME_BOUND_MS ?? 3000);

const VERDICTS = new Set(['trusted', 'untrusted', 'invalid', 'unsigned', 'error']);
const SIGNATURES = new Set(['valid', 'invalid', 'unknown-signer', 'unsupported', 'absent']);
const TRUSTS = new Set(['trusted', 'untrusted', 'expired', 'not-yet-valid', 'revoked', 'wrong-usage', 'incomplete-chain', 'unknown']);
const SENDERS = new Set(['match', 'mismatch', 'unknown']);
const COVERAGES = new Set(['full', 'partial', 'none']);

function assertWellFormed(v: Verdict, where: string): void {
  const got = JSON.stringify({ verdict: v?.verdict, signature: v?.signature, trust: v?.trust, sender: v?.sender, coverage: v?.coverage });
  assert.ok(v && typeof v === 'object', `${where}: a Verdict object`);
  assert.ok(VERDICTS.has(v.verdict), `${where}: verdict ${got}`);
  assert.ok(SIGNATURES.has(v.signature), `${where}: signature ${got}`);
  assert.ok(TRUSTS.has(v.trust), `${where}: trust ${got}`);
  assert.ok(SENDERS.has(v.sender), `${where}: sender ${got}`);
  assert.ok(COVERAGES.has(v.coverage), `${where}: coverage ${got}`);
  assert.ok(Array.isArray(v.reasons) && v.reasons.every((r) => typeof r.code === 'string' && typeof r.message === 'string'), `${where}: reasons`);
  assert.ok(Array.isArray(v.warnings) && Array.isArray(v.signers) && Array.isArray(v.layers), `${where}: arrays`);
  assert.equal(typeof v.summary, 'string', `${where}: summary`);
  if (v.verdict === 'trusted') {
    assert.ok(v.signature === 'valid' && v.trust === 'trusted' && v.sender === 'match' && v.coverage === 'full', `${where}: trusted but ${got}`);
  }
  if (v.verdict === 'error') assert.ok((v as { error?: { code?: string } }).error?.code, `${where}: error verdict names its code`);
  JSON.stringify(v); // survives serialisation (the CLI prints it, hosts post it)
}

interface Base {
  name: string;
  bytes: Buffer;
  /** [start, end) of bytes covered by the signature, when they lie in the clear (multipart/signed). */
  signed?: [number, number];
}

interface Mutant {
  what: string;
  bytes: Buffer;
  /** The signed bytes were certainly changed: must not be trusted. */
  touchesSigned: boolean;
}

/** Where the first part of a multipart/signed lies (the signed entity), by its boundary. */
function signedRegion(b: Buffer): [number, number] | undefined {
  const t = b.toString('latin1');
  const m = /boundary="?([^";\r\n]+)"?/i.exec(t);
  if (!m || !/multipart\/signed/i.test(t)) return undefined;
  const delim = `${CRLF}--${m[1]}`;
  const first = t.indexOf(`--${m[1]}${CRLF}`);
  if (first < 0) return undefined;
  const start = first + m[1].length + 4;
  const end = t.indexOf(delim, start);
  return end < 0 ? undefined : [start, end];
}

function mutate(base: Base, r: ReturnType<typeof prng>): Mutant {
  const b = base.bytes;
  const t = b.toString('latin1');
  const region = base.signed;
  const inRegion = (pos: number) => !!region && pos >= region[0] && pos < region[1];
  const pick = r.int(14);
  switch (pick) {
    case 0: {
      const at = r.int(b.length);
      return { what: `truncate at ${at}`, bytes: b.subarray(0, at), touchesSigned: false };
    }
    case 1:
    case 2: {
      const at = region && r.int(2) === 0 ? region[0] + r.int(region[1] - region[0]) : r.int(b.length);
      const bit = r.int(8);
      const c = Buffer.from(b);
      c[at] ^= 1 << bit;
      return { what: `flip bit ${bit} at ${at}`, bytes: c, touchesSigned: inRegion(at) };
    }
    case 3: {
      const c = Buffer.from(b);
      const k = 1 + r.int(32);
      for (let i = 0; i < k; i++) c[r.int(c.length)] = r.int(256);
      return { what: `${k} random bytes`, bytes: c, touchesSigned: false };
    }
    case 4: {
      const at = r.int(b.length);
      const len = 1 + r.int(64);
      const ins = Buffer.from(Array.from({ length: len }, () => r.int(256)));
      return { what: `insert ${len} at ${at}`, bytes: Buffer.concat([b.subarray(0, at), ins, b.subarray(at)]), touchesSigned: false };
    }
    case 5: {
      const at = r.int(b.length);
      const len = 1 + r.int(256);
      return { what: `delete ${len} at ${at}`, bytes: Buffer.concat([b.subarray(0, at), b.subarray(at + len)]), touchesSigned: false };
    }
    case 6: {
      // boundary games: rename, empty, overlong, quoted oddly, or a second boundary parameter
      const m = /boundary="?([^";\r\n]+)"?/i.exec(t);
      if (!m) return mutateHeader(t, r);
      const games = [
        () => t.replace(m[0], 'boundary="other"'),
        () => t.replace(m[0], 'boundary=""'),
        () => t.replace(m[0], `boundary="${'x'.repeat(5000)}"`),
        () => t.replace(m[0], `${m[0]}; boundary="second"`),
        () => t.replace(m[0], `boundary=${m[1]}`),
        () => t.split(`--${m[1]}--`).join(''), // no close delimiter
        () => t.replace(`--${m[1]}${CRLF}`, `--${m[1]}${CRLF}--${m[1]}${CRLF}`), // empty first part
        () => t.split(`--${m[1]}`).join(`--${m[1]} \t`), // transport padding
        () => t.replace(/(This is an S\/MIME signed message)/, `--${m[1]}--${CRLF}$1`), // early close
        () => t.replace(`--${m[1]}--`, `--${m[1]}${CRLF}${CRLF}--${m[1]}--`), // third, empty part
      ];
      const g = r.int(games.length);
      return { what: `boundary game ${g}`, bytes: Buffer.from(games[g](), 'latin1'), touchesSigned: false };
    }
    case 7:
      return mutateHeader(t, r);
    case 8: {
      // base64 damage in the last base64 block (the signature or the opaque body)
      const lines = t.split(CRLF);
      const idx = lines.map((l, i) => (/^[A-Za-z0-9+/=]{40,}$/.test(l) ? i : -1)).filter((i) => i >= 0);
      if (idx.length === 0) return mutateHeader(t, r);
      const i = idx[r.int(idx.length)];
      const kinds = ['drop line', 'garbage', 'cut', 'padding', 'dup line'];
      const k = r.int(kinds.length);
      if (k === 0) lines.splice(i, 1);
      else if (k === 1) lines[i] = lines[i].slice(0, 10) + '!@#$%^&*' + lines[i].slice(18);
      else if (k === 2) lines.splice(i, lines.length);
      else if (k === 3) lines[i] = lines[i].slice(0, 20) + '====' + lines[i].slice(24);
      else lines.splice(i, 0, lines[i]);
      return { what: `base64 ${kinds[k]} at line ${i}`, bytes: Buffer.from(lines.join(CRLF), 'latin1'), touchesSigned: false };
    }
    case 9: {
      const depth = [2, 10, 100, 1000, 5000][r.int(5)];
      return { what: `nested ${depth} deep in multipart/mixed`, bytes: nest(b, depth), touchesSigned: false };
    }
    case 10: {
      const depth = [2, 50, 500][r.int(3)];
      return { what: `nested ${depth} deep in message/rfc822`, bytes: nestRfc822(b, depth), touchesSigned: false };
    }
    case 11:
      return { what: 'LF-only', bytes: toLfOnly(b), touchesSigned: false };
    case 12: {
      const c = Buffer.from(t.replace(/\r\n/g, () => (r.int(4) === 0 ? '\n' : '\r\n')), 'latin1');
      return { what: 'mixed line ends', bytes: c, touchesSigned: false };
    }
    default: {
      const cut = region ? region[0] + r.int(region[1] - region[0]) : r.int(b.length);
      return { what: `truncate inside signed part at ${cut}`, bytes: b.subarray(0, cut), touchesSigned: !!region };
    }
  }
}

function mutateHeader(t: string, r: ReturnType<typeof prng>): Mutant {
  const games = [
    () => t.replace(/^Content-Type:[^\r\n]*\r\n/im, ''),
    () => t.replace(/^(Content-Type:[^\r\n]*\r\n)/im, '$1$1'),
    () => t.replace(/^From:[^\r\n]*\r\n/im, ''),
    () => t.replace(/^(From:[^\r\n]*\r\n)/im, '$1From: other@example.net\r\n'),
    () => t.replace(/^Content-Type:/im, `X-Long: ${'a'.repeat(200_000)}\r\nContent-Type:`),
    () => t.replace(/protocol="[^"]*"/i, 'protocol="application/x-unknown"'),
    () => t.replace(/micalg=[^;\r\n]*/i, 'micalg=md2'),
    () => t.replace(/\r\n\r\n/, '\r\n'), // header/body separator lost
    () => t.replace(/^(Content-Type:)/im, `${'X-H: y\r\n'.repeat(20_000)}$1`),
    () => t.replace(/^Content-Type:\s*/im, 'Content-Type:\r\n\t'),
  ];
  const g = r.int(games.length);
  return { what: `header game ${g}`, bytes: Buffer.from(games[g](), 'latin1'), touchesSigned: false };
}

function splitTop(b: Buffer): { top: string; entity: Buffer } {
  const t = b.toString('latin1');
  const end = t.indexOf('\r\n\r\n');
  const head = t.slice(0, end + 2).split(/\r\n(?![ \t])/).filter(Boolean);
  const top = head.filter((h) => !/^content-/i.test(h) && !/^mime-version/i.test(h));
  const ent = head.filter((h) => /^content-/i.test(h));
  return { top: top.map((h) => h + CRLF).join(''), entity: Buffer.concat([Buffer.from(ent.map((h) => h + CRLF).join('') + CRLF, 'latin1'), b.subarray(end + 4)]) };
}

/** `depth` multipart/mixed levels around the signed entity, built in one pass (linear in the output). */
function nest(b: Buffer, depth: number): Buffer {
  const { top, entity } = splitTop(b);
  const open: string[] = [];
  const close: string[] = [];
  for (let i = depth - 1; i >= 0; i--) {
    open.push(`Content-Type: multipart/mixed; boundary="nest-${i}"\r\n\r\n--nest-${i}\r\n`);
    close.push(`\r\n--nest-${i}--\r\n`);
  }
  return Buffer.concat([
    Buffer.from(top + 'MIME-Version: 1.0\r\n' + open.join(''), 'latin1'),
    entity,
    Buffer.from(close.reverse().join(''), 'latin1'),
  ]);
}

function nestRfc822(b: Buffer, depth: number): Buffer {
  const heads: string[] = [];
  for (let i = 0; i < depth; i++) {
    heads.push(`From: fwd${i}@example.org\r\nSubject: Fwd\r\nMIME-Version: 1.0\r\nContent-Type: message/rfc822\r\n\r\n`);
  }
  return Buffer.concat([Buffer.from(heads.join(''), 'latin1'), b]);
}

test(`fuzz: ${ITERATIONS} mutated signed messages, seed ${SEED}: a well-formed Verdict each, within ${TIME_BOUND_MS} ms, none thrown`, async () => {
  const pki = await makePki();
  const alice = await pki.issue({ name: 'Alice', email: 'alice@example.com' });
  const eve = await pki.issue({ name: 'Eve', email: 'eve@example.com', keyType: 'ec-p256' });
  const headers = (from: string) => ({ from, to: 'bob@example.org', subject: 'fuzz' });
  const body = multipartEntity([textEntity('Hello Bob,\nthe figures are attached.\n'), textEntity('a,b\n1,2\n', 'text/csv')]);
  const bases: Base[] = [];
  const detached = await smimeSign({ signer: alice, content: body, headers: headers('alice@example.com') });
  bases.push({ name: 'multipart/signed RSA', bytes: detached.bytes, signed: signedRegion(detached.bytes) });
  const ec = await smimeSign({ signer: eve, content: textEntity('short'), headers: headers('eve@example.com') });
  bases.push({ name: 'multipart/signed ECDSA', bytes: ec.bytes, signed: signedRegion(ec.bytes) });
  const opaque = await smimeSign({ signer: alice, content: body, opaque: true, headers: headers('alice@example.com') });
  bases.push({ name: 'opaque signed-data', bytes: opaque.bytes });
  bases.push({ name: 'wrapped in mixed', bytes: wrapInUnsignedMixed(detached.bytes, { prependText: 'hi' }) });
  assert.ok(bases[0].signed && bases[1].signed, 'signed regions found');

  const anchors = loadCertificates(readFileSync(pki.root.certPath)).certs;
  const at = new Date(Date.UTC(2025, 0, 1));
  // The unmutated bases are sane first (guards against a fuzz run over messages that never verified).
  for (const base of bases) {
    const v = await verifyMessage(new Uint8Array(base.bytes), { anchors, at });
    assertWellFormed(v, base.name);
    const expected = base.name === 'wrapped in mixed' ? 'untrusted' : 'trusted';
    assert.equal(v.verdict, expected, `${base.name} unmutated: ${JSON.stringify(v.reasons.map((x) => x.code))}`);
  }

  const r = prng(SEED);
  let slowest = { ms: 0, what: '' };
  const seen = new Map<string, number>();
  for (let i = 0; i < ITERATIONS; i++) {
    const base = bases[r.int(bases.length)];
    const m = mutate(base, r);
    const where = `seed ${SEED} #${i} ${base.name}: ${m.what}`;
    const t0 = performance.now();
    let v: Verdict;
    try {
      v = await verifyMessage(new Uint8Array(m.bytes), { anchors, at });
    } catch (e) {
      assert.fail(`${where}: threw ${e instanceof Error ? e.stack : String(e)}`);
    }
    const ms = performance.now() - t0;
    if (ms > slowest.ms) slowest = { ms, what: where };
    assert.ok(ms < TIME_BOUND_MS, `${where}: took ${ms.toFixed(0)} ms`);
    assertWellFormed(v, where);
    if (m.touchesSigned) assert.notEqual(v.verdict, 'trusted', `${where}: signed bytes changed but trusted`);
    seen.set(v.verdict, (seen.get(v.verdict) ?? 0) + 1);
  }
  console.log(`# fuzz: verdicts ${JSON.stringify(Object.fromEntries(seen))}; slowest ${slowest.ms.toFixed(1)} ms (${slowest.what})`);
});

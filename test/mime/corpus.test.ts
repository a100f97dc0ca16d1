// Every message of the public corpora through the MIME layer, and an independent check of the signed bytes:
// OpenSSL must verify our (signed part, signature) pair exactly when it verifies the whole .eml with its own
// MIME parser. That proves the part boundaries (RFC 2046 CRLF rule, LF-only files) are where OpenSSL puts them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseMime, walkEntities } from '../../src/mime/parse';
import { stripMozillaPrefix } from '../../src/mime/mozilla';
import { splitSigned } from '../../src/mime/split-signed';
import { toCanonicalCrlf } from '../../src/mime/canonical';
import { outerSequence } from '../../src/mime/der';
import { decodeOpaque, smimeType } from '../../src/mime/opaque';
import { SHARED } from '../support/corpus';
import type { MimeEntity } from '../../src/mime/types';

const CORPORA = ['nist-pkits', 'thunderbird', 'johnny-you-are-fired', 'rfc9216-examples-cms'];

function emls(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? emls(p) : n.endsWith('.eml') ? [p] : [];
  });
}

const base = join(SHARED, 'corpus');
const present = CORPORA.filter((c) => {
  try {
    return statSync(join(base, c, 'expected.json')).isFile();
  } catch {
    console.log(`# SKIP corpus ${c} not found under ${base}`);
    return false;
  }
});
const files = present.flatMap((c) => emls(join(base, c)));

function load(f: string): MimeEntity {
  const r = parseMime(stripMozillaPrefix(new Uint8Array(readFileSync(f))));
  assert.ok(r.ok, `${f}: ${r.ok ? '' : r.error.message}`);
  return r.root;
}

test('every corpus .eml parses; every S/MIME multipart/signed splits into signed part + DER signature', (t) => {
  if (files.length === 0) return t.skip('no corpora present');
  let signed = 0;
  let opaque = 0;
  const notSmime: string[] = [];
  for (const f of files) {
    const root = load(f);
    for (const e of walkEntities(root)) {
      if (e.contentType.mediaType === 'multipart/signed') {
        const s = splitSigned(e);
        if (!s.ok && s.error.code === 'wrong-protocol') {
          notSmime.push(relative(base, f));
          continue;
        }
        assert.ok(s.ok, `${f} part ${e.path}: ${s.ok ? '' : s.error.message}`);
        assert.equal(e.children.length, 2);
        assert.equal(s.signedBytes.byteOffset - e.source.byteOffset, e.children[0].start);
        const seq = outerSequence(s.signatureDer);
        assert.ok(seq.ok, `${f}: signature is not a SEQUENCE`);
        signed++;
      }
      if (smimeType(e)) {
        const d = decodeOpaque(e);
        assert.ok(d.ok, `${f} part ${e.path}: ${d.ok ? '' : d.error.message}`);
        opaque++;
      }
    }
  }
  console.log(`# ${files.length} messages, ${signed} multipart/signed layers, ${opaque} pkcs7-mime parts, ${notSmime.length} PGP`);
  assert.ok(notSmime.every((f) => f.includes('pgp')), notSmime.join());
  assert.ok(files.length >= 300 && signed >= 250, 'corpora incomplete');
});

test('NIST PKITS messages are LF-only around the signed part (why the CRLF candidate exists)', (t) => {
  const pkits = files.filter((f) => f.includes('nist-pkits'));
  if (pkits.length === 0) return t.skip('PKITS corpus not present');
  for (const f of pkits) {
    const root = load(f);
    const hdr = root.source.subarray(0, root.bodyStart);
    assert.ok(!hdr.includes(0x0d), `${f}: CR in the top-level header block`);
    assert.equal(root.contentType.mediaType, 'multipart/signed');
  }
});

test('OpenSSL agrees: our split verifies exactly when OpenSSL verifies the whole message', (t) => {
  if (spawnSync('openssl', ['version']).status !== 0) return t.skip('openssl not installed');
  // PKITS' 224 messages share one layout: every 8th keeps the check meaningful at a fraction of the spawns.
  const signedFiles = files.filter(
    (f, i) => load(f).contentType.mediaType === 'multipart/signed' && (!f.includes('nist-pkits') || i % 8 === 0),
  );
  if (signedFiles.length === 0) return t.skip('no corpora present');
  const dir = mkdtempSync(join(tmpdir(), 'mime-corpus-'));
  try {
    const verify = (args: string[]): boolean =>
      spawnSync('openssl', ['cms', '-verify', '-noverify', '-out', '/dev/null', ...args], { stdio: 'ignore' }).status === 0;
    let agree = 0;
    const disagree: string[] = [];
    for (const f of signedFiles) {
      const s = splitSigned(load(f));
      if (!s.ok) continue; // PGP: checked above
      const whole = verify(['-in', f]);
      writeFileSync(join(dir, 'sig.der'), s.signatureDer);
      writeFileSync(join(dir, 'exact'), s.signedBytes);
      writeFileSync(join(dir, 'crlf'), toCanonicalCrlf(s.signedBytes));
      const ours = ['exact', 'crlf'].some((c) =>
        verify(['-binary', '-inform', 'DER', '-in', join(dir, 'sig.der'), '-content', join(dir, c)]),
      );
      if (ours === whole) agree++;
      else disagree.push(`${relative(base, f)}: openssl ${whole}, ours ${ours}`);
    }
    console.log(`# OpenSSL agreement on ${agree}/${agree + disagree.length} multipart/signed messages`);
    assert.deepEqual(disagree, []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Python's email package, an independent parser, walks the same tree (paths and media types) and finds the same
// leaf bodies (Python's compat32 payloads have LF line ends, so both sides are compared with CRLF as LF). The one
// known difference is deliberate: a message that stops right after a delimiter line gets no empty extra part here.
const PY_TREE = `
import email, sys, json
def walk(p, path):
    res = []
    if p.is_multipart():
        res.append([path, p.get_content_type(), None])
        for i, c in enumerate(p.get_payload()):
            res += walk(c, path if p.get_content_type() in ('message/rfc822', 'message/global') else (path + '.' if path else '') + str(i + 1))
    else:
        body = p.get_payload()
        res.append([path, p.get_content_type(), body.encode('latin1', 'surrogateescape').decode('latin1') if isinstance(body, str) else None])
    return res
print(json.dumps({f: walk(email.message_from_binary_file(open(f, 'rb')), '') for f in sys.argv[1:]}))
`;

test("Python's email package finds the same MIME tree and leaf bodies in every corpus message", (t) => {
  if (files.length === 0) return t.skip('no corpora present');
  const py = spawnSync('python3', ['-c', PY_TREE, ...files], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (py.error || py.status !== 0) return t.skip(`python3 not usable: ${py.error?.message ?? py.stderr.slice(0, 200)}`);
  const theirs = JSON.parse(py.stdout) as Record<string, [string, string, string | null][]>;
  const lf = (s: string | null): string | null => (s === null ? null : s.replace(/\r\n/g, '\n'));
  const differ: string[] = [];
  let leaves = 0;
  for (const f of files) {
    const ours = [...walkEntities(load(f))].map((e) => [
      e.path,
      e.contentType.mediaType,
      e.children.length || e.contentType.type === 'multipart' ? null : lf(Buffer.from(e.source.subarray(e.bodyStart, e.end)).toString('latin1')),
    ]);
    let expected = theirs[f].map(([p, ty, b]) => [p, ty, lf(b)]);
    if (f.endsWith('smime/data/multipart-alternative.eml')) expected = expected.slice(0, -1); // see above
    leaves += ours.filter((x) => x[2] !== null).length;
    if (JSON.stringify(ours) !== JSON.stringify(expected)) {
      differ.push(`${relative(base, f)}: ${JSON.stringify(ours.map((x) => x.slice(0, 2)))}`);
    }
  }
  console.log(`# Python email agrees on ${files.length - differ.length}/${files.length} trees (${leaves} leaf bodies byte-compared)`);
  assert.deepEqual(differ, []);
});

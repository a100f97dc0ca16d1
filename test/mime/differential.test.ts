// Differential test: mutated multipart messages through our parser and Python's email package (an independent
// implementation, when python3 is present). Both must find the same tree (paths and media types). Seeded and
// printed like the fuzz test. Documented, deliberate differences are excluded case by case:
// - a message that stops right after a delimiter line: Python adds an empty part, we do not (parse.ts);
// - text after a quoted boundary (boundary="b" x, also by folding): we keep "b" with a defect, Python loses it;
// - a delimiter line directly followed by the close delimiter: we end the multipart there, Python reads the
//   close delimiter as another separator and goes on into the epilogue;
// - an invalid media type ("multipart/", "text/plain junk"): Python reports it as written, we use RFC 2045's
//   default (text/plain) as §5.2 says;
// - message/* types other than rfc822 and global (message/partial, a truncated "message/rfc82"): Python parses
//   a message inside any of them, RFC 2046 only inside rfc822 (and RFC 6532 global).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseMime, walkEntities } from '../../src/mime/parse';
import { SHARED } from '../support/corpus';

const KNOWN = /nothing after it|text after the quoted value|followed directly by the close delimiter|invalid Content-Type/;

const SEED = Number(process.env.MIME_DIFF_SEED ?? 20261125) >>> 0;
const COUNT = 400;

const PY_SHAPE = `
import email, sys, json
def walk(p, path):
    res = [[path, p.get_content_type()]]
    if p.is_multipart():
        for i, c in enumerate(p.get_payload()):
            res += walk(c, path if p.get_content_type() in ('message/rfc822', 'message/global') else (path + '.' if path else '') + str(i + 1))
    return res
print(json.dumps([walk(email.message_from_bytes(open(f, 'rb').read()), '') for f in sys.argv[1:]]))
`;

const NESTED = `Content-Type: multipart/mixed; boundary="o"

pre
--o
Content-Type: multipart/alternative; boundary="oo"

--oo

a
--oo
Content-Type: text/html

b
--oo--
--o
Content-Type: message/rfc822

Subject: x
Content-Type: multipart/mixed; boundary=o2

--o2

y
--o2--
--o--
epilogue
`;

test(`differential: ${COUNT} mutated messages, our tree = Python email's tree (seed ${SEED})`, (t) => {
  if (spawnSync('python3', ['-c', 'import email'], { stdio: 'ignore' }).status !== 0) return t.skip('python3 not installed');
  let a = SEED;
  const r = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = a;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(r() * n);
  const bases = [NESTED, NESTED.replace(/\n/g, '\r\n')];
  const dir = join(SHARED, 'corpus', 'thunderbird', 'mailnews', 'test', 'data', 'smime');
  try {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.eml')).slice(0, 12)) bases.push(readFileSync(join(dir, f), 'latin1'));
  } catch {
    console.log('# differential: Thunderbird corpus not present, synthetic messages only');
  }
  const delimiterLine = (ls: string[]): number => {
    const from = int(ls.length);
    const i = ls.findIndex((l, k) => k >= from && l.startsWith('--'));
    return i >= 0 ? i : ls.findIndex((l) => l.startsWith('--'));
  };
  const lines = (f: (ls: string[]) => void) => (s: string): string => {
    const ls = s.split('\n');
    f(ls);
    return ls.join('\n');
  };
  const mutators: ((s: string) => string)[] = [
    (s) => s.slice(0, int(s.length)),
    lines((ls) => { const i = delimiterLine(ls); if (i >= 0) ls.splice(i, 1); }),
    lines((ls) => { const i = delimiterLine(ls); if (i >= 0) ls.splice(int(ls.length), 0, ls[i]); }),
    lines((ls) => { const i = delimiterLine(ls); if (i >= 0) ls[i] = ls[i].replace(/(\r?)$/, '--$1'); }),
    lines((ls) => { const i = delimiterLine(ls); if (i >= 0) ls[i] = ls[i].replace(/(\r?)$/, ' \t$1'); }),
    lines((ls) => { const i = delimiterLine(ls); if (i >= 0) ls[i] = ls[i].replace(/(\r?)$/, 'x$1'); }),
    lines((ls) => ls.splice(int(ls.length), 1)),
    lines((ls) => ls.splice(int(ls.length), 0, '')),
    lines((ls) => ls.splice(int(ls.length), 0, ' folded')),
    (s) => s.replace(/\r\n/g, '\n'),
    (s) => s.replace(/boundary="?([^";\r\n]*)"?/i, (_m, v: string) => pick([`boundary=${v}`, `boundary = "${v}"`, `BOUNDARY="${v}"`])),
    (s) => s.replace(/Content-Type:/i, 'Content-Type: text/plain\nContent-Type:'),
  ];
  const pick = <T,>(xs: T[]): T => xs[int(xs.length)];
  const tmp = mkdtempSync(join(tmpdir(), 'mime-diff-'));
  try {
    const files: string[] = [];
    for (let i = 0; i < COUNT; i++) {
      let s = pick(bases);
      for (let k = 1 + int(3); k > 0; k--) s = pick(mutators)(s);
      const f = join(tmp, `${i}.eml`);
      writeFileSync(f, Buffer.from(s, 'latin1'));
      files.push(f);
    }
    const py = spawnSync('python3', ['-c', PY_SHAPE, ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(py.status, 0, py.stderr);
    const theirs = JSON.parse(py.stdout) as [string, string][][];
    const differ: string[] = [];
    let compared = 0;
    files.forEach((f, i) => {
      const res = parseMime(new Uint8Array(readFileSync(f)));
      assert.ok(res.ok, `${f}: ${res.ok ? '' : res.error.message}`);
      const all = [...walkEntities(res.root)];
      if (all.some((e) => e.defects.some((d) => KNOWN.test(d)) || (e.contentType.type === 'message' && e.children.length === 0))) {
        return; // a documented difference, see the top of this file
      }
      compared++;
      const ours = all.map((e) => [e.path, e.contentType.mediaType]);
      if (JSON.stringify(ours) !== JSON.stringify(theirs[i])) {
        { differ.push(`case ${i}: ours ${JSON.stringify(ours)} python ${JSON.stringify(theirs[i])}`); if (process.env.KEEP) writeFileSync(`/tmp/diffcase-${i}.eml`, readFileSync(f)); }
      }
    });
    console.log(`# differential seed ${SEED}: ${compared - differ.length}/${compared} trees agree (${COUNT - compared} documented exclusions)`);
    assert.deepEqual(differ, []);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

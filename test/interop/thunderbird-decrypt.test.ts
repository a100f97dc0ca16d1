/**
 * Thunderbird's own encrypted messages (comm-central test data): every enveloped and signed+enveloped message
 * decrypts with Bob's key (Fran / Fran-ec for the OpenSSL-made interop ones), the decrypted bytes are exactly
 * OpenSSL's, and the signed layers inside get OpenSSL's per-layer result and Thunderbird's verdict.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCertificates } from '../../src/certs/load';
import { decryptCms } from '../../src/cms/decrypt';
import { decryptMessage } from '../../src/compose/decrypt-message';
import type { Identity } from '../../src/keys/identity';
import { importPkcs12 } from '../../src/keys/pkcs12';
import { decodeOpaque, parseMime } from '../../src/mime';
import { corpus, readExpected, ROOT } from '../support/corpus';

interface Layer {
  layer: string;
  decrypt?: string;
  recipient?: string;
  sig_rc?: number;
  chain_rc?: number;
}
interface Entry {
  file: string;
  kind: string;
  openssl_layers: Layer[];
  thunderbird_expected?: { enc?: boolean; sig?: boolean; sig_good?: boolean } | null;
  disagreement?: boolean;
}

const c = corpus('thunderbird');
const DATA = c.dir ? join(c.dir, 'mailnews/test/data') : '';

async function key(path: string): Promise<Identity> {
  const r = await importPkcs12(new Uint8Array(readFileSync(join(DATA, path))), 'nss');
  assert.ok(r.ok, path);
  return r.identity;
}

/** The key as PEM in a temp file, for OpenSSL. */
function pemOf(p12: string): string {
  const d = mkdtempSync(join(tmpdir(), 'tb-key-'));
  const out = join(d, 'key.pem');
  execFileSync('openssl', ['pkcs12', '-in', join(DATA, p12), '-passin', 'pass:nss', '-nodes', '-clcerts', '-out', out]);
  process.once('exit', () => rmSync(d, { recursive: true, force: true }));
  return out;
}

test('Thunderbird corpus: every encrypted message decrypts; inner signatures get the expected verdict', { skip: c.skip }, async () => {
  const dir = c.dir!;
  const anchors = loadCertificates(readFileSync(join(DATA, 'smime/TestCA.pem'))).certs;
  const keys: Record<string, Identity> = { Bob: await key('smime/Bob.p12'), Fran: await key('smime-interop/Fran.p12') };
  const entries = readExpected<Entry[]>(dir).filter((e) => e.openssl_layers.some((l) => l.decrypt === 'ok'));
  assert.ok(entries.length >= 30, `only ${entries.length} encrypted entries`);
  const wrong: string[] = [];
  let verdicts = 0;
  let layers = 0;
  for (const e of entries) {
    const who = e.openssl_layers.find((l) => l.decrypt)!.recipient!;
    const id = keys[who];
    assert.ok(id, `no key for ${who}`);
    const raw = new Uint8Array(readFileSync(join(dir, e.file)));
    const r = await decryptMessage(raw, id, { anchors });
    if (!r.ok) {
      wrong.push(`${e.file}: ${r.error.code} ${r.error.message}`);
      continue;
    }
    assert.equal(r.verdict.encrypted, true);
    assert.equal(r.verdict.decrypted, true);
    assert.equal(r.contentIsDecrypted, true);
    if (!e.file.endsWith('multipart-alternative.eml')) assert.equal(r.wholeMessageEncrypted, true, e.file);
    assert.ok(parseMime(r.content).ok, `${e.file}: decrypted content is MIME`);
    // Signed layers inside: same signature/chain result as OpenSSL, layer by layer.
    const ossl = e.openssl_layers.filter((l) => l.sig_rc !== undefined);
    if (ossl.length !== r.verdict.layers.length) wrong.push(`${e.file}: ${r.verdict.layers.length} signed layers, OpenSSL ${ossl.length}`);
    else
      ossl.forEach((l, i) => {
        layers++;
        const s = r.verdict.layers[i].signers[0];
        if ((s.signature === 'valid') !== (l.sig_rc === 0)) wrong.push(`${e.file} layer ${i}: ${s.signature} vs OpenSSL rc ${l.sig_rc}`);
        if (l.chain_rc !== undefined && (s.trust === 'trusted') !== (l.chain_rc === 0)) wrong.push(`${e.file} layer ${i}: trust ${s.trust} vs OpenSSL chain rc ${l.chain_rc}`);
      });
    // Thunderbird's verdict for signed-then-encrypted mail (its tests' sig_good), where it agrees with OpenSSL.
    const tb = e.thunderbird_expected;
    if (tb?.enc && tb.sig && !e.disagreement) {
      verdicts++;
      if ((r.verdict.verdict === 'trusted') !== tb.sig_good) wrong.push(`${e.file}: ${r.verdict.verdict}, Thunderbird sig_good=${tb.sig_good}`);
    }
    // Unsigned content inside (e.g. alice.env.eml): plainly "not signed", never trusted.
    if (ossl.length === 0) assert.equal(r.verdict.verdict, 'unsigned', e.file);
  }
  console.log(`# Thunderbird encrypted: ${entries.length} messages decrypted, ${layers} inner layers vs OpenSSL, ${verdicts} verdicts vs Thunderbird; ${wrong.length} disagreements`);
  assert.deepEqual(wrong, []);
});

test('Thunderbird corpus: decrypted bytes equal OpenSSL\'s (cms -decrypt -binary) for top-level enveloped messages', { skip: c.skip }, async () => {
  const dir = c.dir!;
  const entries = readExpected<Entry[]>(dir).filter((e) => e.openssl_layers[0]?.decrypt === 'ok');
  const pems: Record<string, string> = { Bob: pemOf('smime/Bob.p12'), Fran: pemOf('smime-interop/Fran.p12') };
  const ids: Record<string, Identity> = { Bob: await key('smime/Bob.p12'), Fran: await key('smime-interop/Fran.p12') };
  for (const e of entries) {
    const who = e.openssl_layers[0].recipient!;
    const raw = readFileSync(join(dir, e.file));
    const want = execFileSync('openssl', ['cms', '-decrypt', '-binary', '-inkey', pems[who], '-recip', pems[who], '-in', join(dir, e.file)]);
    const m = parseMime(new Uint8Array(raw));
    assert.ok(m.ok);
    const body = decodeOpaque(m.root);
    assert.ok(body.ok);
    const ours = await decryptCms(body.der, [ids[who]]);
    assert.ok(ours.ok, e.file);
    assert.deepEqual(Buffer.from(ours.content), want, e.file);
  }
});

test('Thunderbird interop: Fran-ec (ECDH P-384, OpenSSL-made) messages decrypt', { skip: c.skip }, async () => {
  const fran = await key('smime-interop/Fran-ec.p12');
  const files = readdirSync(join(DATA, 'smime-interop')).filter((f) => f.startsWith('fran-ec') && f.endsWith('.env'));
  assert.ok(files.length >= 2);
  for (const f of files) {
    const r = await decryptMessage(new Uint8Array(readFileSync(join(DATA, 'smime-interop', f))), fran);
    assert.ok(r.ok, f);
    assert.match(Buffer.from(r.content).toString('latin1'), /This is a test message to Fran\./);
    assert.match(r.layers[0].keyEncryption, /^ECDH \(dhSinglePass-stdDH-sha(256|512)kdf/);
  }
});

test('Thunderbird corpus: both encrypted parts of multipart-alternative.eml open with Bob\'s key; Alice\'s key opens none', { skip: c.skip }, async () => {
  const bob = await key('smime/Bob.p12');
  const alice = await key('smime/Alice.p12');
  const m = parseMime(new Uint8Array(readFileSync(join(c.dir!, 'mail/test/browser/smime/data/multipart-alternative.eml'))));
  assert.ok(m.ok);
  const whole = await decryptMessage(new Uint8Array(readFileSync(join(c.dir!, 'mail/test/browser/smime/data/multipart-alternative.eml'))), bob);
  assert.ok(whole.ok);
  assert.equal(whole.wholeMessageEncrypted, false, 'encrypted parts inside an unencrypted multipart are flagged');
  const parts = m.root.children.filter((p) => p.contentType.mediaType === 'application/pkcs7-mime');
  assert.equal(parts.length, 2);
  for (const part of parts) {
    const body = decodeOpaque(part);
    assert.ok(body.ok);
    assert.ok((await decryptCms(body.der, [bob])).ok);
    const no = await decryptCms(body.der, [alice]);
    assert.ok(!no.ok && no.error.code === 'no-key');
  }
});

test('CLI decrypt on Thunderbird\'s messages: --json verdict with --anchor, --out writes the entity', { skip: c.skip || (!existsSync(join(ROOT, 'dist/cli/smime-addin.cjs')) && 'CLI not built') }, async () => {
  const cli = join(ROOT, 'dist/cli/smime-addin.cjs');
  const out = join(mkdtempSync(join(tmpdir(), 'tb-cli-')), 'out.eml');
  const r = spawnSync(process.execPath, [cli, 'decrypt', join(DATA, 'smime/alice.dsig.SHA256.multipart.env.eml'), '--key', join(DATA, 'smime/Bob.p12'), '--password', 'nss', '--json', '--anchor', join(DATA, 'smime/TestCA.pem'), '--out', out], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const v = JSON.parse(r.stdout);
  assert.equal(v.verdict, 'trusted');
  assert.equal(v.encrypted, true);
  assert.equal(v.decrypted, true);
  assert.match(readFileSync(out, 'latin1'), /multipart\/signed/);
  const wrong = spawnSync(process.execPath, [cli, 'decrypt', join(DATA, 'smime/alice.env.eml'), '--key', join(DATA, 'smime/Alice.p12'), '--password', 'nss'], { encoding: 'utf8' });
  assert.equal(wrong.status, 1);
  assert.match(wrong.stderr, /not encrypted to your certificate/);
});

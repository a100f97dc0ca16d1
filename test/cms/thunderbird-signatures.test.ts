/**
 * Thunderbird's (NSS-made) S/MIME test messages, signature level only: the outermost signed layer of every
 * message whose outermost layer is signed must verify exactly when OpenSSL's `cms -verify -noverify` did
 * (expected.json, `openssl_layers[0].sig_rc`). Chains, nesting and encryption are other modules' tests.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifySignedData } from '../../src/cms/verify';
import type { CmsVerifyResult } from '../../src/cms/types';
import { decodeOpaque, parseMime, splitSigned, stripMozillaPrefix, toCanonicalCrlf } from '../../src/mime/index';
import { corpus, readExpected } from '../support/corpus';

interface Entry {
  file: string;
  kind: string;
  openssl_layers?: { layer: string; sig_rc?: number; sig_err?: string }[];
  note?: string;
}

const c = corpus('thunderbird');

type Outcome = CmsVerifyResult | { ok: false; error: { code: string; message: string } };

async function outermost(raw: Uint8Array, layer: string): Promise<Outcome> {
  const parsed = parseMime(stripMozillaPrefix(raw));
  if (!parsed.ok) return parsed;
  if (layer === 'multipart-signed') {
    const s = splitSigned(parsed.root);
    if (!s.ok) return s;
    const content = s.signedBytes;
    return verifySignedData(s.signatureDer, { detachedContent: content, canonicalContent: () => toCanonicalCrlf(content) });
  }
  const o = decodeOpaque(parsed.root);
  if (!o.ok) return o;
  return verifySignedData(o.der, {});
}

test('Thunderbird corpus: outermost signature valid exactly when OpenSSL says so', { skip: c.skip || false }, async () => {
  const dir = c.dir!;
  const entries = readExpected<Entry[]>(dir).filter((e) => {
    const l = e.openssl_layers?.[0];
    return l && (l.layer === 'multipart-signed' || l.layer === 'opaque-signed') && typeof l.sig_rc === 'number';
  });
  assert.ok(entries.length >= 60, `entries: ${entries.length}`);
  let valid = 0;
  for (const e of entries) {
    const layer = e.openssl_layers![0];
    const r = await outermost(new Uint8Array(readFileSync(join(dir, e.file))), layer.layer);
    const what = `${e.file}: ${JSON.stringify(r.ok ? r.signers.map((s) => s.reasons.map((x) => x.code)) : r.error)}`;
    if (layer.sig_rc === 0) {
      assert.ok(r.ok && r.signature === 'valid', what);
      valid++;
    } else {
      assert.ok(!r.ok || r.signature !== 'valid', what);
    }
    if (/mismatch-econtent/.test(e.file)) {
      assert.ok(r.ok && r.reasons.some((x) => x.code === 'econtent-confusion'), what);
    }
    if (r.ok && /SHA1/.test(e.file) && r.signature === 'valid') {
      assert.ok(r.signers.every((s) => s.neverTrusted === true), `${e.file}: SHA-1 is never trusted by default`);
    }
  }
  console.log(`# thunderbird: ${entries.length} outermost signed layers, ${valid} valid, ${entries.length - valid} not`);
  assert.ok(valid >= 40, `valid: ${valid}`);
});

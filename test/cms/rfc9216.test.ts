/**
 * The RFC 9216 / draft-ireland-examples-cms SignedData examples verify as expected.json says
 * (RSA PKCS#1 v1.5, RSASSA-PSS, Ed25519 encapsulated and detached, two signers with certificates out of band).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadCertificates } from '../../src/certs/load';
import { verifySignedData } from '../../src/cms/verify';
import { corpus, readExpected } from '../support/corpus';

interface Entry {
  file: string;
  pem: string;
  kind: string;
  signature: string;
}

const c = corpus('rfc9216-examples-cms');
/** The sample text of draft-ireland-examples-cms (the detached example's content is not in the repository). */
const SAMPLE = new TextEncoder().encode('This is some sample content.');

test('RFC 9216 SignedData examples verify as expected.json says', { skip: c.skip || false }, async () => {
  const dir = c.dir!;
  const entries = readExpected<Entry[]>(dir).filter((e) => e.kind.startsWith('signed'));
  assert.equal(entries.length, 5);
  const certs = ['lamps-alice.crt', 'lamps-carlos.crt'].flatMap(
    (f) => loadCertificates(new Uint8Array(readFileSync(join(dir, 'certs-and-keys', f)))).certs,
  );
  assert.equal(certs.length, 2);
  for (const e of entries) {
    for (const file of [e.file, e.pem]) {
      let bytes: Uint8Array = new Uint8Array(readFileSync(join(dir, file)));
      if (file.endsWith('.pem')) bytes = pemBody(bytes);
      const detached = /detached/i.test(e.kind);
      const r = await verifySignedData(bytes, {
        detachedContent: detached ? SAMPLE : undefined,
        extraCertificates: /NoCerts/.test(file) ? certs : undefined,
      });
      assert.ok(r.ok, `${file}: ${!r.ok && r.error.message}`);
      assert.equal(r.signature, e.signature, `${file}: ${JSON.stringify(r.signers.map((s) => s.reasons))}`);
      for (const s of r.signers) assert.equal(s.signature, 'valid', file);
      if (!detached) assert.equal(new TextDecoder().decode(r.eContent), 'This is some sample content.');
      if (/Ed25519|Carlos/.test(file) && !/Alice/.test(file)) {
        assert.deepEqual(
          r.signers.map((s) => [s.signatureAlgorithm, s.digestAlgorithm]),
          [['Ed25519', 'SHA-512']],
        );
      }
      if (/RSAPSS/.test(file)) assert.equal(r.signers[0].signatureAlgorithm, 'RSA-PSS');
      if (/AliceAndCarlos/.test(file)) {
        assert.equal(r.signers.length, 2);
        assert.deepEqual(r.reasons.map((x) => [x.code, x.severity]), [['multiple-signer-infos', 'info']]);
      }
    }
  }
});

test('RFC 9216 examples: changed content and a missing certificate are reported', { skip: c.skip || false }, async () => {
  const dir = c.dir!;
  const detached = new Uint8Array(readFileSync(join(dir, 'binary-files', 'signedByCarlosDetached.p7m')));
  const changed = await verifySignedData(detached, { detachedContent: new TextEncoder().encode('This is some sample content!') });
  assert.ok(changed.ok);
  assert.equal(changed.signature, 'invalid');
  // This example has no signed attributes: Ed25519 signs the content itself, so the signature fails.
  assert.deepEqual(changed.signers[0].reasons.map((r) => r.code), ['signature-invalid']);
  const noCerts = new Uint8Array(readFileSync(join(dir, 'binary-files', 'signedByAliceAndCarlosNoCerts.p7m')));
  const r = await verifySignedData(noCerts, {});
  assert.ok(r.ok);
  assert.equal(r.signature, 'unknown-signer');
  assert.deepEqual(r.signers.map((s) => s.signature), ['unknown-signer', 'unknown-signer']);
});

function pemBody(bytes: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(bytes);
  const m = /-----BEGIN [^-]+-----([\s\S]*?)-----END/.exec(text);
  assert.ok(m, 'PEM block');
  return new Uint8Array(Buffer.from(m[1].replace(/\s+/g, ''), 'base64'));
}

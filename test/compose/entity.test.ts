/** Building outgoing entities from parts: canonical, parseable, and signable (OpenSSL verifies). */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildEntity } from '../../src/compose/entity';
import { decryptMessage } from '../../src/compose/decrypt-message';
import { encryptMessage } from '../../src/compose/encrypt-message';
import { signMessage } from '../../src/compose/sign-message';
import { importPkcs12 } from '../../src/keys/pkcs12';
import { decodeBody, filenameOf, parseMime, walkEntities } from '../../src/mime';
import { makePki, opensslVerify } from '../support/pki';

const pdf = new Uint8Array(randomBytes(5000));
const parts = {
  multipart: 'mixed' as const,
  parts: [
    {
      multipart: 'alternative' as const,
      parts: [
        { contentType: 'text/plain', body: 'Hello\nplain ascii\n' },
        { contentType: 'text/html', body: '<p>Grüße aus Köln</p>\n' },
      ],
    },
    { contentType: 'application/pdf', body: pdf, filename: 'Bericht März.pdf' },
  ],
};

test('buildEntity: CRLF, 7-bit on the wire, decodes back to the parts; RFC 2231 file name', () => {
  const e = buildEntity(parts);
  const text = Buffer.from(e).toString('latin1');
  assert.ok(!/[^\r]\n/.test(text), 'only CRLF');
  assert.ok(!/[\x80-\xff]/.test(text), '7-bit');
  assert.match(text, /filename\*=utf-8''Bericht%20M%C3%A4rz\.pdf/);
  const m = parseMime(e);
  assert.ok(m.ok);
  const leaves = [...walkEntities(m.root)].filter((x) => x.children.length === 0);
  assert.equal(leaves.length, 3);
  assert.equal(Buffer.from(decodeBody(leaves[0])).toString('utf8'), 'Hello\r\nplain ascii\r\n');
  assert.equal(Buffer.from(decodeBody(leaves[1])).toString('utf8'), '<p>Grüße aus Köln</p>\r\n');
  assert.deepEqual(decodeBody(leaves[2]), pdf);
  assert.equal(filenameOf(leaves[2]), 'Bericht März.pdf');
});

test('signMessage and encryptMessage take parts; OpenSSL verifies, we decrypt', async () => {
  const pki = await makePki();
  const alice = await pki.issue({ name: 'Parts Alice', email: 'parts@example.com' });
  const r = await importPkcs12(new Uint8Array(readFileSync(await alice.makeP12('pw'))), 'pw');
  assert.ok(r.ok);
  const signed = await signMessage(parts, r.identity, { opaque: false });
  assert.ok(signed.ok);
  const f = join(pki.dir, 'parts-signed.eml');
  writeFileSync(f, signed.message);
  assert.ok((await opensslVerify(f, { CAfile: pki.root.certPath })).ok);
  const enc = await encryptMessage(parts, [], { sender: r.identity, sign: true });
  assert.ok(enc.ok);
  const d = await decryptMessage(enc.message, r.identity);
  assert.ok(d.ok);
  assert.equal(d.verdict.signature, 'valid');
});

/**
 * Header protection (RFC 9788) on what we send, checked with OpenSSL: every combination of signed / encrypted /
 * signed+encrypted × header protection on/off × header confidentiality baseline/none is verified and decrypted by
 * `openssl cms`, and the payload OpenSSL hands back has the RFC's structure (compare
 * ../shared/corpus/rfc9788/smime-signed-enc-complex-hp-baseline-legacy.eml and smime-multipart-hp.eml): the message
 * fields inside with hp="clear"/"cipher" on the payload's root, HP-Outer records equal to the outer fields, "[...]"
 * outside under baseline and the real Subject in a legacy display element in the text and the HTML. Our own
 * verifier reads every combination back: header protection on gives `headerProtection.protected: true` with the
 * real Subject and nothing `changed`; off gives `protected: false`. And two of the RFC's own Appendix C vectors
 * (../shared/corpus/rfc9788: C.2.1 signed-only, C.3.2 signed+encrypted hcp_baseline with legacy display) rebuilt
 * from their protected fields and text with the RFC 9216 keys come out field for field and byte for byte of text
 * as the RFC prints them.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildMessage, decryptMessage, encryptMessage, importPkcs12, loadCertificates, signMessage, verifyMessage, type Identity } from '../../src/index';
import { bodyText, decodeHeaderValue, getHeader, getHeaders, parseMime, walkEntities, type MimeEntity } from '../../src/mime/index';
import { ROOT, corpus } from '../support/corpus';
import { makePki, opensslDecrypt, opensslVerify, runOpenssl } from '../support/pki';

const SUBJECT = 'Grüße — quarterly figures';
const setup = (async () => {
  const pki = await makePki();
  const alice = await pki.issue({ name: 'Alice Example', email: 'alice@example.com' });
  const bob = await pki.issue({ name: 'Bob Example', email: 'bob@example.com' });
  const id = await importPkcs12(new Uint8Array(readFileSync(await alice.makeP12('pw'))), 'pw');
  assert.ok(id.ok);
  const bobId = await importPkcs12(new Uint8Array(readFileSync(await bob.makeP12('pw'))), 'pw');
  assert.ok(bobId.ok);
  const anchors = loadCertificates(readFileSync(pki.root.certPath)).certs;
  const built = buildMessage({
    from: { name: 'Alice Example', address: 'alice@example.com' },
    to: [{ name: 'Bob Example', address: 'bob@example.com' }],
    cc: [{ name: 'Zoë', address: 'zoe@example.com' }],
    subject: SUBJECT,
    text: 'Hello Bob,\nthe figures are attached.\n',
    html: '<html><body><p>Hello Bob,<br>the figures are attached.</p></body></html>',
    attachments: [{ name: 'figures.csv', contentType: 'text/csv', bytes: new TextEncoder().encode('q,value\r\n1,42\r\n') }],
  });
  assert.ok(built.ok);
  return { pki, alice, bob, identity: id.identity as Identity, bobIdentity: bobId.identity as Identity, anchors, message: built.message };
})();

const parsed = (b: Uint8Array | Buffer): MimeEntity => {
  const p = parseMime(new Uint8Array(b));
  assert.ok(p.ok);
  return p.root;
};
const leaves = (e: MimeEntity) => [...walkEntities(e)].filter((x) => x.children.length === 0);
const OUTER_FIELDS = ['From', 'To', 'Cc', 'Subject', 'Date', 'Message-ID'];

type Op = 'sign' | 'encrypt' | 'sign+encrypt';
for (const op of ['sign', 'encrypt', 'sign+encrypt'] as Op[]) {
  for (const hp of [true, false]) {
    for (const hcp of ['baseline', 'none'] as const) {
      const name = `${op}, header protection ${hp ? 'on' : 'off'}, ${hcp}`;
      test(`OpenSSL verifies/decrypts ours with RFC 9788 structure: ${name}`, async () => {
        const { pki, bob, identity, bobIdentity, anchors, message } = await setup;
        const opts = { headerProtection: hp, headerConfidentiality: hcp };
        const r =
          op === 'sign'
            ? await signMessage(message, identity, opts)
            : await encryptMessage(message, [new Uint8Array(readFileSync(bob.certDerPath))], { ...opts, sender: identity, sign: op === 'sign+encrypt' });
        assert.ok(r.ok, r.ok ? '' : r.error.message);
        const file = join(pki.dir, `hp-${name.replace(/\W+/g, '-')}.eml`);
        writeFileSync(file, r.message);
        const outer = parsed(r.message);
        let payloadBytes: Buffer;
        if (op === 'sign') {
          const v = await opensslVerify(file, { CAfile: pki.root.certPath });
          assert.ok(v.ok, v.stderr);
          payloadBytes = v.content;
        } else {
          const d = await opensslDecrypt(file, { recipient: bob });
          assert.ok(d.ok, d.stderr);
          payloadBytes = d.content;
          if (op === 'sign+encrypt') {
            const inner = `${file}.signed.eml`;
            writeFileSync(inner, d.content);
            const v = await opensslVerify(inner, { CAfile: pki.root.certPath });
            assert.ok(v.ok, v.stderr);
            payloadBytes = v.content;
          }
        }
        const payload = parsed(payloadBytes);
        const encrypted = op !== 'sign';
        // Read back by our own verifier, as a recipient's add-on would.
        const back = encrypted ? await decryptMessage(r.message, bobIdentity, { anchors }) : { ok: true as const, verdict: await verifyMessage(r.message, { anchors }) };
        assert.ok(back.ok);
        const v = back.verdict;
        assert.equal(v.verdict, op === 'encrypt' ? 'unsigned' : 'trusted', v.summary);
        // Encrypted without a signature, anyone could have written the fields (RFC 9788 leaves encrypted-only mail out of
        // scope): the verifier reads them but does not call them protected.
        assert.equal(v.headerProtection?.protected, hp && op !== 'encrypt', JSON.stringify(v.headerProtection));
        assert.deepEqual(v.headerProtection?.changed, [], JSON.stringify(v.headerProtection?.changed));
        if (hp) {
          assert.equal(v.headerProtection?.mode, encrypted ? 'cipher' : 'clear');
          assert.equal(v.headerProtection?.headers.subject, SUBJECT);
          assert.equal(v.headerProtection?.legacyDisplay.length, encrypted && hcp === 'baseline' ? 2 : 0);
        }
        const hidden = hp && encrypted && hcp === 'baseline';
        assert.equal(decodeHeaderValue(getHeader(outer, 'subject')), hidden ? '[...]' : SUBJECT);
        if (!hp) {
          assert.equal(payload.contentType.params.hp, undefined);
          assert.equal(getHeader(payload, 'subject'), undefined);
          assert.ok(leaves(payload).every((e) => e.contentType.params['hp-legacy-display'] === undefined));
          return;
        }
        assert.equal(payload.contentType.params.hp, encrypted ? 'cipher' : 'clear');
        assert.equal(decodeHeaderValue(getHeader(payload, 'subject')), SUBJECT);
        for (const f of OUTER_FIELDS.filter((x) => x !== 'Subject')) assert.equal(getHeader(payload, f), getHeader(outer, f), f);
        const records = getHeaders(payload, 'hp-outer');
        if (!encrypted) assert.equal(records.length, 0);
        else {
          // Each record is a field that went outside, with the value it has there (RFC 9788 §2.2).
          assert.deepEqual(
            records.map((x) => x.split(':')[0]),
            OUTER_FIELDS,
          );
          for (const x of records) {
            const [field] = x.split(':');
            assert.equal(x.slice(field.length + 2), getHeader(outer, field), field);
          }
        }
        const [text, html, csv] = leaves(payload);
        assert.equal(csv.contentType.params['hp-legacy-display'], undefined, 'an attachment is never a main body part');
        assert.equal(bodyText(csv), 'q,value\r\n1,42\r\n');
        if (hidden) {
          assert.equal(text.contentType.params['hp-legacy-display'], '1');
          assert.equal(html.contentType.params['hp-legacy-display'], '1');
          assert.ok(bodyText(text).startsWith(`Subject: ${SUBJECT}\r\n\r\nHello Bob,`), bodyText(text));
          assert.match(bodyText(html), new RegExp(`<body>\\r\\n<div class="header-protection-legacy-display">\\r\\n<pre>Subject: ${SUBJECT}</pre></div>`));
        } else {
          assert.equal(text.contentType.params['hp-legacy-display'], undefined);
          assert.ok(bodyText(text).startsWith('Hello Bob,'));
        }
      });
    }
  }
}

test('opaque signed (signedData) gets hp="clear" too, and OpenSSL verifies it', async () => {
  const { pki, identity, message } = await setup;
  const r = await signMessage(message, identity, { opaque: true });
  assert.ok(r.ok);
  const file = join(pki.dir, 'hp-opaque.eml');
  writeFileSync(file, r.message);
  const v = await opensslVerify(file, { CAfile: pki.root.certPath });
  assert.ok(v.ok, v.stderr);
  const payload = parsed(v.content);
  assert.equal(payload.contentType.params.hp, 'clear');
  assert.equal(decodeHeaderValue(getHeader(payload, 'subject')), SUBJECT);
});


const CLI = join(ROOT, 'dist/cli/smime-addin.cjs');
test('CLI encrypt --sign: "[...]" outside by default, the real Subject with --header-confidentiality none, none of it with --no-header-protection', { skip: !existsSync(CLI) && 'CLI not built (npm run build)' }, async () => {
  const { pki, alice, bob, message } = await setup;
  const p12 = await alice.makeP12('pw');
  const inFile = join(pki.dir, 'hp-cli-in.eml');
  writeFileSync(inFile, message);
  for (const [extra, outerSubject, hp] of [
    [[], '[...]', 'cipher'],
    [['--header-confidentiality', 'none'], SUBJECT, 'cipher'],
    [['--no-header-protection'], SUBJECT, undefined],
  ] as const) {
    const out = join(pki.dir, `hp-cli-${extra.join('')}.eml`);
    const r = spawnSync(process.execPath, [CLI, 'encrypt', inFile, '--to', bob.certPath, '--key', p12, '--password', 'pw', '--sign', '--out', out, ...extra], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(decodeHeaderValue(getHeader(parsed(readFileSync(out)), 'subject')), outerSubject);
    const d = await opensslDecrypt(out, { recipient: bob });
    assert.ok(d.ok, d.stderr);
    const inner = `${out}.signed.eml`;
    writeFileSync(inner, d.content);
    const v = await opensslVerify(inner, { CAfile: pki.root.certPath });
    assert.ok(v.ok, v.stderr);
    assert.equal(parsed(v.content).contentType.params.hp, hp);
  }
  const signed = spawnSync(process.execPath, [CLI, 'sign', inFile, '--key', p12, '--password', 'pw'], { encoding: 'latin1' });
  assert.equal(signed.status, 0, signed.stderr);
  const file = join(pki.dir, 'hp-cli-signed.eml');
  writeFileSync(file, Buffer.from(signed.stdout, 'latin1'));
  const v = await opensslVerify(file, { CAfile: pki.root.certPath });
  assert.equal(parsed(v.content).contentType.params.hp, 'clear');
});

const rfc = corpus('rfc9788');
for (const [vectorName, encrypted] of [
  ['smime-one-part-hp', false],
  ['smime-signed-enc-hp-baseline-legacy', true],
] as const) {
  test(`RFC 9788 vector ${vectorName} rebuilt by us: the same protected fields, HP-Outer records, hp/hp-legacy-display and text`, { skip: rfc.skip }, async () => {
    const dir = rfc.dir!;
    const keys = join(dir, '..', 'rfc9216-examples-cms', 'certs-and-keys');
    const anchor = join(dir, 'trust-anchor', 'Sample_LAMPS_RSA_Certification_Authority.pem');
    const { pki } = await setup;
    // A message as OpenSSL opens it (Bob's key when encrypted, then the signature against the RFC 9216 sample CA).
    const open = async (file: string) => {
      let signed = file;
      if (encrypted) {
        const d = await runOpenssl(['cms', '-decrypt', '-in', file, '-recip', join(keys, 'lamps-bob.encrypt.crt'), '-inkey', join(keys, 'lamps-bob.decrypt.p8.pem')]);
        assert.equal(d.code, 0, d.stderr);
        signed = `${file}.signed.eml`;
        writeFileSync(signed, d.stdout);
      }
      const v = await opensslVerify(signed, { CAfile: anchor });
      assert.ok(v.ok, v.stderr);
      return parsed(v.content);
    };
    const vectorFile = join(dir, `${vectorName}.eml`);
    const vector = await open(vectorFile);
    // The same message as its composer had it before protection: the vector's protected fields outside, its text
    // without the legacy display element.
    const fields = vector.headers.filter((h) => h.key !== 'hp-outer' && !h.key.startsWith('content-') && h.key !== 'mime-version');
    const text = bodyText(vector);
    const blank = /\r?\n\r?\n/.exec(text)!;
    const plain = encrypted ? text.slice(blank.index + blank[0].length) : text;
    const input = new TextEncoder().encode(
      [...fields.map((h) => `${h.name}: ${h.value}`), 'MIME-Version: 1.0', 'Content-Type: text/plain; charset="utf-8"', 'Content-Transfer-Encoding: 7bit', '', plain.replace(/\r?\n/g, '\r\n')].join('\r\n'),
    );
    // Signed with Alice's RFC 9216 key, opaque signedData (inside envelopedData to Bob when encrypted), as the vectors.
    const p12 = join(pki.dir, 'lamps-alice.p12');
    const x = await runOpenssl(['pkcs12', '-export', '-in', join(keys, 'lamps-alice.crt'), '-inkey', join(keys, 'lamps-alice.p8.pem'), '-passout', 'pass:pw', '-out', p12]);
    assert.equal(x.code, 0, x.stderr);
    const alice = await importPkcs12(new Uint8Array(readFileSync(p12)), 'pw');
    assert.ok(alice.ok);
    const bobCert = loadCertificates(readFileSync(join(keys, 'lamps-bob.encrypt.crt'))).certs[0];
    const r = encrypted
      ? await encryptMessage(input, [new Uint8Array(bobCert.toSchema().toBER())], { sign: true, opaque: true, sender: alice.identity })
      : await signMessage(input, alice.identity, { opaque: true });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const oursFile = join(pki.dir, `ours-${vectorName}.eml`);
    writeFileSync(oursFile, r.message);
    const ours = await open(oursFile);
    // Outside: the vector's outer fields (Subject "[...]" when encrypted).
    const outerOf = (e: MimeEntity) => e.headers.filter((h) => !h.key.startsWith('content-') && h.key !== 'mime-version').map((h) => `${h.name}: ${h.value}`);
    assert.deepEqual(outerOf(parsed(r.message)), outerOf(parsed(readFileSync(vectorFile))));
    // Inside: the same protected fields, HP-Outer records, parameters and text (legacy display element included).
    assert.deepEqual(getHeaders(ours, 'hp-outer'), getHeaders(vector, 'hp-outer'));
    for (const h of fields) assert.equal(getHeader(ours, h.key), h.value, h.name);
    assert.equal(ours.contentType.params.hp, vector.contentType.params.hp);
    assert.equal(ours.contentType.params['hp-legacy-display'], vector.contentType.params['hp-legacy-display']);
    assert.equal(bodyText(ours).replace(/\r\n/g, '\n'), text.replace(/\r\n/g, '\n'));
    console.log(`# RFC 9788 ${vectorName}: our payload matches the vector (${fields.length} protected fields, ${getHeaders(ours, 'hp-outer').length} HP-Outer records)`);
  });
}

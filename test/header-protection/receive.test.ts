/**
 * Header protection on receipt (RFC 9788), over messages OpenSSL signs and encrypts at test time
 * (test/support/hp-fixtures.ts): every receive case of issue 11. Tests are named after the bug they prevent.
 * OpenSSL still verifies every signed fixture, changed outer headers or not: a signature over the body alone
 * says nothing about them, which is the point.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { applyPolicyToVerdict, bodyText, decryptMessage, defaultPolicy, parseMime, stripLegacyDisplay, verifyMessage, walkEntities, type Verdict } from '../../src/index';
import { multipartEntity, textEntity } from '../support/messages';
import {
  ALICE,
  CHANGED_SUBJECT,
  SIGNED_SUBJECT,
  baselineOuter,
  changeOuter,
  encrypted,
  legacyDisplayAlternative,
  makeHpWorld,
  messageFields,
  payload,
  signed,
  signedEntity,
  type HpWorld,
} from '../support/hp-fixtures';
import { opensslVerify } from '../support/pki';

const worldP = makeHpWorld();

async function check(w: HpWorld, bytes: Buffer, decrypt = false): Promise<Verdict> {
  return verifyMessage(new Uint8Array(bytes), { anchors: w.anchors, decrypt: decrypt ? w.decrypt : undefined });
}
const codes = (v: Verdict): string[] => v.reasons.map((r) => r.code);

async function opensslAccepts(w: HpWorld, bytes: Buffer, name: string): Promise<void> {
  const p = join(w.pki.dir, `${name}.eml`);
  writeFileSync(p, bytes);
  const r = await opensslVerify(p, { CAfile: w.pki.root.certPath });
  assert.ok(r.ok, `OpenSSL verifies ${name}: ${r.stderr}`);
}

test('protected headers that match the outer ones: trusted, nothing changed, the signed values reported', async () => {
  const w = await worldP;
  const fields = messageFields(w);
  const msg = await signed(w, payload({ hp: 'clear', fields }), fields);
  await opensslAccepts(w, msg, 'hp-clear-matching');
  const v = await check(w, msg);
  assert.equal(v.verdict, 'trusted', v.summary);
  const hp = v.headerProtection!;
  assert.deepEqual({ protected: hp.protected, mode: hp.mode, changed: hp.changed, legacyDisplay: hp.legacyDisplay }, { protected: true, mode: 'clear', changed: [], legacyDisplay: [] });
  assert.deepEqual({ ...hp.headers }, {
    from: `Alice Sender <${ALICE}>`,
    to: 'Bob Reader <bob@hp.example>',
    subject: SIGNED_SUBJECT,
    date: 'Mon, 15 Jan 2024 10:30:00 +0000',
    'message-id': '<hp-fixture-1@hp.example>',
  });
  assert.equal(hp.fieldStatus.subject, 'signed-only');
  assert.equal(v.reasons.find((r) => r.code === 'headers-protected')?.message, 'The signature covers the Subject, From, To and Date as well as the body.');
  // Opaque signed-data reads the same.
  const opaque = await check(w, await signed(w, payload({ hp: 'clear', fields }), fields, { opaque: true }));
  assert.equal(opaque.verdict, 'trusted');
  assert.equal(opaque.headerProtection!.mode, 'clear');
});

test('a Subject changed after signing is not shown under a green badge, and the warning names both values', async () => {
  const w = await worldP;
  const fields = messageFields(w);
  const msg = changeOuter(await signed(w, payload({ hp: 'clear', fields }), fields), 'Subject', CHANGED_SUBJECT);
  await opensslAccepts(w, msg, 'hp-subject-changed');
  const v = await check(w, msg);
  assert.equal(v.verdict, 'untrusted', v.summary);
  assert.deepEqual([v.signature, v.trust, v.sender, v.coverage], ['valid', 'trusted', 'match', 'full']);
  assert.deepEqual(v.headerProtection!.changed, [{ field: 'subject', outer: CHANGED_SUBJECT, protected: SIGNED_SUBJECT }]);
  assert.equal(v.headerProtection!.headers.subject, SIGNED_SUBJECT);
  const warn = v.warnings.find((x) => x.code === 'header-changed');
  assert.equal(warn?.message, "The Subject was changed after signing: it was signed as 'Quarterly figures', and now reads 'Urgent: new bank details'.");
  assert.match(v.summary, /not trusted: The Subject was changed after signing/);
  assert.ok(!codes(v).includes('headers-protected'));
});

test('a To, Cc or Date changed, or a Reply-To added, after signing keeps the verdict from trusted; a thread field only warns', async () => {
  const w = await worldP;
  const fields = messageFields(w, SIGNED_SUBJECT, [['Cc', 'Carol <carol@hp.example>']]);
  const base = await signed(w, payload({ hp: 'clear', fields }), fields);
  const cases: [string, string | null, string][] = [
    ['To', 'Mallory <mallory@evil.example>', "The To was changed after signing: it was signed as 'Bob Reader <bob@hp.example>', and now reads 'Mallory <mallory@evil.example>'."],
    ['Cc', null, "The Cc was removed after signing: it was signed as 'Carol <carol@hp.example>'."],
    ['Date', 'Tue, 16 Jan 2024 09:00:00 +0000', "The Date was changed after signing: it was signed as 'Mon, 15 Jan 2024 10:30:00 +0000', and now reads 'Tue, 16 Jan 2024 09:00:00 +0000'."],
    ['Reply-To', 'payments@evil.example', "A Reply-To was added after signing: it reads 'payments@evil.example', and the signature does not cover it."],
  ];
  for (const [field, value, sentence] of cases) {
    const v = await check(w, changeOuter(base, field, value));
    assert.equal(v.verdict, 'untrusted', `${field}: ${v.summary}`);
    assert.deepEqual(v.warnings.filter((x) => x.code === 'header-changed').map((x) => x.message), [sentence]);
  }
  // The same instant written in another zone, or refolded, is not a change.
  const sameInstant = await check(w, changeOuter(base, 'Date', 'Mon, 15 Jan 2024 11:30:00 +0100'));
  assert.equal(sameInstant.verdict, 'trusted', sameInstant.summary);
  const refolded = await check(w, changeOuter(base, 'To', '"Bob Reader"\r\n <bob@HP.example>'));
  assert.equal(refolded.verdict, 'trusted', refolded.summary);
  const thread = await check(w, changeOuter(base, 'Message-ID', '<other@relay.example>'));
  assert.equal(thread.verdict, 'trusted', thread.summary);
  assert.deepEqual(thread.warnings.map((x) => x.code), ['header-changed']);
});

test('a From changed after signing is never trusted, even when the protected From is the signer', async () => {
  const w = await worldP;
  const fields = messageFields(w);
  const good = await signed(w, payload({ hp: 'clear', fields }), fields);
  // The address changed: the mail program shows Eve as the sender of Alice's signed words.
  const eve = await check(w, changeOuter(good, 'From', 'Eve <eve@evil.example>'));
  assert.equal(eve.verdict, 'untrusted');
  assert.equal(eve.sender, 'mismatch');
  assert.deepEqual(eve.from, [ALICE], 'the sender binding used the protected From');
  const r = eve.reasons.find((x) => x.code === 'header-from-changed');
  assert.equal(r?.severity, 'error');
  assert.match(r!.message, /^The From was changed after signing: it was signed as 'Alice Sender <alice@hp\.example>', and now reads 'Eve <eve@evil\.example>'\./);
  // Only the display name changed (the address still the signer's): before header protection this was green.
  const renamed = await check(w, changeOuter(good, 'From', `Bank Security Team <${ALICE}>`));
  assert.equal(renamed.verdict, 'untrusted');
  assert.ok(codes(renamed).includes('header-from-changed'));
  await opensslAccepts(w, changeOuter(good, 'From', 'Eve <eve@evil.example>'), 'hp-from-changed');
});

test('hp="cipher": "[...]" outside and the real Subject inside is expected, not a change', async () => {
  const w = await worldP;
  const fields = messageFields(w);
  const outer = baselineOuter(fields);
  const inner = await signedEntity(w, payload({ hp: 'cipher', fields, hpOuter: outer }));
  const msg = await encrypted(w, inner, outer);
  const v = await check(w, msg, true);
  assert.equal(v.verdict, 'trusted', v.summary);
  const hp = v.headerProtection!;
  assert.equal(hp.mode, 'cipher');
  assert.deepEqual(hp.changed, []);
  assert.equal(hp.headers.subject, SIGNED_SUBJECT);
  assert.equal(hp.fieldStatus.subject, 'signed-and-encrypted');
  assert.equal(hp.fieldStatus.from, 'signed-only');
  assert.equal(v.subject, '[...]', 'verdict.subject stays the outer one');
  // Without the key: no payload, no header protection (RFC 9788 §4.7), the reader sees "[...]".
  const locked = await check(w, msg);
  assert.equal(locked.verdict, 'error');
  assert.equal(locked.headerProtection!.mode, null);
});

test('an outer field that no longer matches its HP-Outer record was changed in transit', async () => {
  const w = await worldP;
  const fields = messageFields(w);
  const outer = baselineOuter(fields);
  const msg = await encrypted(w, await signedEntity(w, payload({ hp: 'cipher', fields, hpOuter: outer })), outer);
  const v = await check(w, changeOuter(msg, 'Subject', CHANGED_SUBJECT), true);
  assert.equal(v.verdict, 'untrusted', v.summary);
  assert.deepEqual(v.headerProtection!.changed, [{ field: 'subject', outer: CHANGED_SUBJECT, protected: SIGNED_SUBJECT, recordedOuter: '[...]' }]);
  assert.equal(
    v.warnings.find((x) => x.code === 'header-changed')?.message,
    "The Subject was changed in transit: the sender put '[...]' outside the encryption, and it now reads 'Urgent: new bank details'. It was signed as 'Quarterly figures'.",
  );
  // A field the sender kept inside (no record) that turns up outside was added in transit.
  const withKeywords = messageFields(w, SIGNED_SUBJECT, [['Keywords', 'merger']]);
  const kwOuter = baselineOuter(withKeywords);
  const kw = await encrypted(w, await signedEntity(w, payload({ hp: 'cipher', fields: withKeywords, hpOuter: kwOuter })), kwOuter);
  assert.equal((await check(w, kw, true)).verdict, 'trusted');
  const added = await check(w, changeOuter(kw, 'Cc', 'leak@evil.example'), true);
  assert.equal(added.verdict, 'untrusted');
  assert.match(added.warnings[0].message, /^A Cc was added in transit: it reads 'leak@evil\.example', and the sender put none outside the encryption\.$/);
});

test('legacy display elements are found in the payload and hidden from the body a host shows', async () => {
  const w = await worldP;
  const fields = messageFields(w);
  const outer = baselineOuter(fields);
  const entity = payload({ hp: 'cipher', fields, hpOuter: outer, entity: legacyDisplayAlternative(SIGNED_SUBJECT) });
  const msg = await encrypted(w, await signedEntity(w, entity), outer);
  const r = await decryptMessage(new Uint8Array(msg), w.bobIdentity, { anchors: w.anchors });
  assert.ok(r.ok);
  assert.equal(r.verdict.verdict, 'trusted', r.verdict.summary);
  assert.deepEqual(r.verdict.headerProtection!.legacyDisplay, ['1', '2']);
  const parsed = parseMime(r.body!);
  assert.ok(parsed.ok);
  const shown = [...walkEntities(parsed.root)].filter((e) => r.verdict.headerProtection!.legacyDisplay.includes(e.path)).map((e) => stripLegacyDisplay(e, bodyText(e)));
  assert.equal(shown[0], 'The figures are in the attachment.');
  assert.ok(!shown[1].includes('Subject:') && shown[1].includes('<p>The figures are in the attachment.</p>'), shown[1]);
  // Signed only: the marker means nothing without encryption (§4.5.3.1), nothing is hidden.
  const signedOnly = await check(w, await signed(w, payload({ hp: 'clear', fields, entity: legacyDisplayAlternative(SIGNED_SUBJECT) }), fields));
  assert.deepEqual(signedOnly.headerProtection!.legacyDisplay, []);
});

test('the RFC 8551 message/rfc822 wrapping is read, and the verdict says it is the legacy form', async () => {
  const w = await worldP;
  const fields = messageFields(w);
  const inner = Buffer.concat([Buffer.from(fields.map(([k, v]) => `${k}: ${v}\r\n`).join('') + 'MIME-Version: 1.0\r\n', 'utf8'), textEntity('Wrapped the old way.')]);
  const wrapper = Buffer.concat([Buffer.from('Content-Type: message/rfc822\r\n\r\n', 'latin1'), inner]);
  const msg = await signed(w, wrapper, fields);
  await opensslAccepts(w, msg, 'hp-rfc8551');
  const v = await check(w, msg);
  assert.equal(v.verdict, 'trusted', v.summary);
  assert.equal(v.headerProtection!.mode, 'legacy-wrapped');
  assert.equal(v.headerProtection!.headers.subject, SIGNED_SUBJECT);
  assert.match(v.reasons.find((r) => r.code === 'headers-protected')!.message, /older RFC 8551 form/);
  const changed = await check(w, changeOuter(msg, 'Subject', CHANGED_SUBJECT));
  assert.equal(changed.verdict, 'untrusted');
  assert.deepEqual(changed.headerProtection!.changed.map((c) => c.field), ['subject']);
});

test('protected headers on an inner part or an inner layer do not count: only the payload root does', async () => {
  const w = await worldP;
  const fields = messageFields(w);
  // 1. An attached message inside the payload declares hp="clear" with another Subject.
  const attached = Buffer.from(`Subject: ${CHANGED_SUBJECT}\r\nFrom: ${ALICE}\r\nContent-Type: text/plain; hp="clear"\r\n\r\nForwarded.\r\n`, 'utf8');
  const mixed = multipartEntity([textEntity('See the forwarded message.'), Buffer.concat([Buffer.from('Content-Type: message/rfc822\r\n\r\n', 'latin1'), attached])]);
  const v1 = await check(w, await signed(w, mixed, fields));
  assert.equal(v1.verdict, 'trusted', v1.summary);
  assert.equal(v1.headerProtection!.mode, null);
  assert.ok(codes(v1).includes('headers-unprotected'));
  // 2. A body part (not the root) carries hp and a Subject.
  const part = Buffer.from(`Content-Type: text/plain; hp="clear"\r\nSubject: ${CHANGED_SUBJECT}\r\n\r\nText.\r\n`, 'utf8');
  const v2 = await check(w, await signed(w, multipartEntity([part]), fields));
  assert.equal(v2.headerProtection!.mode, null);
  // 3. The signed layer inside the encryption carries hp and a Subject; the payload under it does not.
  const layer = await signedEntity(w, textEntity('No header protection here.'), { opaque: true });
  const tagged = Buffer.from(layer.toString('latin1').replace(/^Content-Type: application\/pkcs7-mime;/m, `Subject: ${CHANGED_SUBJECT}\r\nContent-Type: application/pkcs7-mime; hp="clear";`), 'latin1');
  const v3 = await check(w, await encrypted(w, tagged, fields), true);
  assert.equal(v3.verdict, 'trusted', v3.summary);
  assert.equal(v3.headerProtection!.mode, null);
  // 4. Two signatures: the payload is what is left after both, and its header protection counts.
  const twice = await signed(w, await signedEntity(w, payload({ hp: 'clear', fields })), fields);
  const v4 = await check(w, changeOuter(twice, 'Subject', CHANGED_SUBJECT));
  assert.equal(v4.headerProtection!.mode, 'clear');
  assert.deepEqual(v4.headerProtection!.changed.map((c) => c.field), ['subject']);
});

test('signed mail without header protection says which visible fields the signature does not cover', async () => {
  const w = await worldP;
  const fields = messageFields(w, SIGNED_SUBJECT, [['Cc', 'carol@hp.example']]);
  const v = await check(w, await signed(w, textEntity('Plain signed mail.'), fields));
  assert.equal(v.verdict, 'trusted');
  assert.deepEqual(v.headerProtection, { protected: false, mode: null, headers: {}, changed: [], legacyDisplay: [], fieldStatus: {}, hpOuter: {}, addresses: {} });
  const r = v.reasons.find((x) => x.code === 'headers-unprotected');
  assert.equal(r?.severity, 'info');
  assert.equal(r?.message, 'The signature covers the body, not the Subject, To, Cc or Date.');
});

test('hp="cipher" without a signature: the hidden Subject is shown, but nothing vouches for it', async () => {
  const w = await worldP;
  const fields = messageFields(w);
  const outer = baselineOuter(fields);
  const v = await check(w, await encrypted(w, payload({ hp: 'cipher', fields, hpOuter: outer }), outer), true);
  assert.equal(v.verdict, 'unsigned');
  const hp = v.headerProtection!;
  assert.equal(hp.protected, false);
  assert.equal(hp.mode, 'cipher');
  assert.equal(hp.headers.subject, SIGNED_SUBJECT);
  assert.equal(hp.fieldStatus.subject, 'encrypted-only');
  assert.deepEqual(hp.changed, []);
});

// ---- hostile -----------------------------------------------------------------------------------------------------

test('a protected header block with 10,000 fields ends in a bounded verdict, not a hang', async () => {
  const w = await worldP;
  const many: [string, string][] = Array.from({ length: 10_000 }, (_, i) => [`X-Filler-${i}`, `value ${i}`]);
  const fields = messageFields(w, SIGNED_SUBJECT, many);
  const top = messageFields(w);
  for (const opaque of [false, true]) {
    const msg = await signed(w, payload({ hp: 'clear', fields }), top, { opaque });
    const t0 = performance.now();
    const v = await check(w, msg);
    const ms = performance.now() - t0;
    assert.ok(ms < 5000, `${ms} ms`);
    assert.notEqual(v.verdict, 'trusted');
    assert.ok(codes(v).includes('limit-exceeded'), JSON.stringify(codes(v)));
  }
  // Just under the parser's limit (1000 header lines), every field is read and compared, still quickly.
  const under: [string, string][] = Array.from({ length: 990 }, (_, i) => [`X-Filler-${i}`, `value ${i}`]);
  const msg = await signed(w, payload({ hp: 'clear', fields: messageFields(w, SIGNED_SUBJECT, under) }), top);
  const t0 = performance.now();
  const v = await check(w, msg);
  const ms = performance.now() - t0;
  assert.ok(ms < 5000, `${ms} ms`);
  assert.equal(v.verdict, 'trusted', v.summary);
  assert.equal(Object.keys(v.headerProtection!.headers).length, 995);
});

test('a huge folded protected value is compared whole but shown cut, in bounded time', async () => {
  const w = await worldP;
  // 4000 folded lines of 200 characters: 800 KB in one Subject, under the 1 MiB header block limit.
  const huge = Array.from({ length: 4000 }, (_, i) => `word${i} `.padEnd(199, 'x')).join('\r\n ');
  const fields = messageFields(w, huge);
  const msg = await signed(w, payload({ hp: 'clear', fields }), messageFields(w, huge));
  const t0 = performance.now();
  const same = await check(w, msg);
  const changed = await check(w, changeOuter(msg, 'Subject', `${huge}y`));
  const ms = performance.now() - t0;
  assert.ok(ms < 8000, `${ms} ms for two checks`);
  assert.equal(same.verdict, 'trusted', same.summary);
  assert.match(same.headerProtection!.headers.subject, /… \(\d+ more characters\)$/);
  assert.ok(same.headerProtection!.headers.subject.length < 2100);
  assert.equal(changed.verdict, 'untrusted');
  const warn = changed.warnings.find((x) => x.code === 'header-changed')!;
  assert.ok(warn.message.length < 600, `reason sentence stays short: ${warn.message.length}`);
});

test('encoded words that decode to control or bidi characters are shown as visible text', async () => {
  const w = await worldP;
  // "Invoice" + RIGHT-TO-LEFT OVERRIDE + "fdp.exe" + CR LF + "Bcc: x" hidden in an RFC 2047 word.
  const evil = `=?utf-8?B?${Buffer.from('Invoice\u202Efdp.exe\r\nBcc: x', 'utf8').toString('base64')}?=`;
  const fields = messageFields(w, evil);
  // Inside the payload only, a field whose name carries a right-to-left override (not a valid field name).
  const inner = payload({ hp: 'clear', fields: [...fields, ['X-Note\u202Egnp', 'odd name']] });
  const msg = changeOuter(await signed(w, inner, fields), 'Subject', `=?utf-8?B?${Buffer.from('Pay \u2066now\u2069', 'utf8').toString('base64')}?=`);
  const v = await check(w, msg);
  const hp = v.headerProtection!;
  assert.equal(hp.headers.subject, 'Invoice\\u{202E}fdp.exe\\0d\\0aBcc: x');
  assert.ok(Object.keys(hp.headers).every((k) => /^[\x21-\x7e]+$/.test(k)), `only RFC 5322 field names as keys: ${Object.keys(hp.headers).join(', ')}`);
  assert.ok(!/[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/.test(JSON.stringify(hp).replace(/\\[nrt"\\]/g, '')), JSON.stringify(hp));
  const warn = v.warnings.find((x) => x.code === 'header-changed')!;
  assert.ok(!/[\u0000-\u001f\u202a-\u202e\u2066-\u2069]/.test(warn.message), warn.message);
  assert.match(warn.message, /now reads 'Pay \\u\{2066\}now\\u\{2069\}'/);
});

test('senderMatch "warn" cannot forgive a header changed after signing (bug: warn turned a changed Subject trusted)', async () => {
  const w = await worldP;
  // Signed by Alice, but From names another address (a sender mismatch the policy may forgive) ...
  const fields: [string, string][] = messageFields(w).map(([k, v]) => [k, k === 'From' ? 'Carol <carol@hp.example>' : v]);
  const base = await signed(w, payload({ hp: 'clear', fields }), fields);
  const warn = { ...defaultPolicy(), senderMatch: 'warn' as const };
  const forgiven = applyPolicyToVerdict(await check(w, base), warn);
  assert.equal(forgiven.verdict, 'trusted', 'the mismatch alone is forgiven under "warn"');
  // ... and the Subject changed after signing: "warn" forgives the mismatch, never the changed Subject.
  const v = applyPolicyToVerdict(await check(w, changeOuter(base, 'Subject', CHANGED_SUBJECT)), warn);
  assert.equal(v.verdict, 'untrusted', v.summary);
  assert.ok(v.warnings.some((x) => x.code === 'header-changed'));
});

/**
 * Replying to and forwarding a message with header protection (RFC 9788 §6, §4.4.4): the draft's Subject and
 * recipients come from the protected header, and what the referenced message kept inside its encryption is never
 * sent in the clear. Over the RFC's own vectors and OpenSSL fixtures; tests are named after the bug they prevent.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  answersObscuredSubject,
  dropQuotedLegacyDisplay,
  quoteProbe,
  quotesText,
  buildMessage,
  decryptMessage,
  encryptMessage,
  outerSubjectOnWire,
  parseMime,
  planResponse,
  stripReplyPrefixes,
  verifyMessage,
  wouldReveal,
  bodyText,
  walkEntities,
  type Verdict,
} from '../../src/index';
import { ALICE, BOB, SIGNED_SUBJECT, baselineOuter, changeOuter, encrypted, makeHpWorld, messageFields, payload, signed, signedEntity, type HpWorld } from '../support/hp-fixtures';
import { loadVectors, readVector, vectorsSkip } from '../support/rfc9788';

const worldP = makeHpWorld();

/** The outer header fields of a message as a host reads them (lower-case name → values). */
function outerOf(bytes: Uint8Array | Buffer): Record<string, string[]> {
  const p = parseMime(new Uint8Array(bytes));
  assert.ok(p.ok);
  const out: Record<string, string[]> = {};
  for (const h of p.root.headers) (out[h.key] ??= []).push(h.value);
  return out;
}

async function encryptedFixture(w: HpWorld, subject = SIGNED_SUBJECT): Promise<Buffer> {
  const fields = messageFields(w, subject);
  const outer = baselineOuter(fields);
  return encrypted(w, await signedEntity(w, payload({ hp: 'cipher', fields, hpOuter: outer })), outer);
}

async function read(w: HpWorld, bytes: Buffer): Promise<Verdict> {
  return verifyMessage(new Uint8Array(bytes), { anchors: w.anchors, decrypt: w.decrypt });
}

test('a reply to an encrypted message starts from "Re: [...]" (the obscured outer Subject): RFC 9788 vector C.3.1 gets "Re: <protected Subject>"', { skip: vectorsSkip || undefined }, async () => {
  const v = await loadVectors();
  for (const file of ['smime-signed-enc-hp-baseline.eml', 'smime-signed-enc-hp-baseline-legacy.eml']) {
    const raw = readVector(v, file);
    const r = await decryptMessage(raw, v.bob, { anchors: v.anchors });
    assert.ok(r.ok, file);
    const subject = file.replace('.eml', '');
    const plan = planResponse({
      hp: r.verdict.headerProtection,
      decrypted: r.verdict.decrypted === true,
      kind: 'reply',
      outer: outerOf(raw),
      draft: { subject: 'Re: [...]', to: ['Alice <alice@smime.example>'], cc: [] },
      self: ['bob@smime.example'],
    });
    assert.equal(plan.subject, `Re: ${subject}`, file);
    assert.equal(plan.to, undefined, `${file}: the recipients Thunderbird chose are the protected ones`);
    assert.deepEqual(plan.referenceHcp, [{ field: 'subject', value: `Re: ${subject}`, outer: 'Re: [...]' }], file);
    assert.deepEqual(plan.confidential, [{ field: 'subject', value: subject }], file);
  }
});

test('a reply to "Re: Quarterly figures" kept inside the encryption is not "Re: Re: …"; a forward gets "Fwd: <protected Subject>"', async () => {
  const w = await worldP;
  const msg = await encryptedFixture(w, `RE: ${SIGNED_SUBJECT}`);
  const verdict = await read(w, msg);
  assert.equal(verdict.headerProtection?.headers.subject, `RE: ${SIGNED_SUBJECT}`);
  const base = { hp: verdict.headerProtection, decrypted: true, outer: outerOf(msg), self: [BOB] };
  const reply = planResponse({ ...base, kind: 'reply', draft: { subject: 'Re: [...]', to: [`Alice Sender <${ALICE}>`], cc: [] } });
  assert.equal(reply.subject, `Re: ${SIGNED_SUBJECT}`);
  const fwd = planResponse({ ...base, kind: 'forward', draft: { subject: 'Fwd: [...]', to: [], cc: [] } });
  assert.equal(fwd.subject, `Fwd: RE: ${SIGNED_SUBJECT}`);
  assert.equal(fwd.to, undefined, 'a forward has no recipients to correct');
  // A Subject the user already changed is theirs: nothing is proposed.
  assert.equal(planResponse({ ...base, kind: 'reply', draft: { subject: 'About the numbers', to: [], cc: [] } }).subject, undefined);
  assert.equal(stripReplyPrefixes('Re: RE:Re[2]:  x'), 'x');
  assert.equal(stripReplyPrefixes('Regarding: x'), 'Regarding: x');
  assert.equal(stripReplyPrefixes('Re[]: x'), 'Re[]: x');
  // What Outlook's own reply makes of an obscured Subject (its compose pane cannot reach the protected one).
  for (const s of ['RE: [...]', 'FW: [...]', 'Fwd: Re: [...]', '[...]']) assert.equal(answersObscuredSubject(s), true, s);
  for (const s of ['RE: [...] and more', 'Re: Quarterly figures', '']) assert.equal(answersObscuredSubject(s), false, s);
});

test('a Cc or From added outside the encryption (RFC 9788 §6.2) gets the reply: recipients come from the protected header', async () => {
  const w = await worldP;
  const msg = await encryptedFixture(w);
  // Mallory replays Alice's message to Bob with herself in Cc (outside the encryption, where she can write).
  const withCc = changeOuter(msg, 'Cc', 'Mallory <mallory@evil.example>');
  const v1 = await read(w, withCc);
  // The reader was warned too (the Cc is not what the sender put outside), but a reply must not depend on that.
  assert.ok(v1.headerProtection!.changed.some((c) => c.field === 'cc'), JSON.stringify(v1.headerProtection!.changed));
  const plan = planResponse({
    hp: v1.headerProtection,
    decrypted: true,
    kind: 'reply',
    outer: outerOf(withCc),
    // Reply all, as Thunderbird fills it from the outer header; the identity's automatic Cc (not in any header) stays.
    draft: { subject: 'Re: [...]', to: [`Alice Sender <${ALICE}>`], cc: ['Mallory <mallory@evil.example>', 'archive@hp.example'] },
    self: [BOB],
  });
  assert.deepEqual(plan.dropped, ['Mallory <mallory@evil.example>']);
  assert.deepEqual(plan.to, [`Alice Sender <${ALICE}>`]);
  assert.deepEqual(plan.cc, ['archive@hp.example']);
  // Eve puts her own From (and a Reply-To) outside: the reply goes to the protected From.
  const withFrom = changeOuter(changeOuter(msg, 'From', 'Eve <eve@evil.example>'), 'Reply-To', 'eve@evil.example');
  const v2 = await read(w, withFrom);
  const plan2 = planResponse({
    hp: v2.headerProtection,
    decrypted: true,
    kind: 'reply',
    outer: outerOf(withFrom),
    draft: { subject: 'Re: [...]', to: ['eve@evil.example'], cc: [] },
    self: [BOB],
  });
  assert.deepEqual(plan2.dropped, ['eve@evil.example']);
  assert.deepEqual(plan2.added, [ALICE]);
  assert.deepEqual(plan2.to, [ALICE]);
});

test('a signed-only message whose signature failed is answered as the host proposed (its inner header vouches for nothing)', async () => {
  const w = await worldP;
  const fields = messageFields(w);
  const good = await signed(w, payload({ hp: 'clear', fields }), fields);
  const s = good.toString('latin1');
  const tampered = Buffer.from(s.replace('Please find the figures', 'Please find the FIGURES'), 'latin1');
  const v = await read(w, tampered);
  assert.equal(v.signature, 'invalid');
  const plan = planResponse({
    hp: v.headerProtection,
    decrypted: false,
    kind: 'reply',
    outer: outerOf(tampered),
    draft: { subject: 'Re: Other', to: ['x@evil.example'], cc: [] },
    self: [BOB],
  });
  assert.deepEqual(plan, { dropped: [], added: [], referenceHcp: [], confidential: [] });
});

test('a reply sent under hcp_no_confidentiality revealed the Subject the referenced message kept inside: the reference HCP sends "Re: [...]" outside (RFC 9788 Appendix D.2.2)', async () => {
  const w = await worldP;
  const msg = await encryptedFixture(w);
  const v = await read(w, msg);
  const plan = planResponse({ hp: v.headerProtection, decrypted: true, kind: 'reply', outer: outerOf(msg), draft: { subject: 'Re: [...]', to: [`Alice <${ALICE}>`], cc: [] }, self: [BOB] });
  const subject = plan.subject!;
  const built = buildMessage({ from: { address: BOB }, to: [{ name: 'Alice', address: ALICE }], cc: [], subject, text: 'Agreed.\r\n', attachments: [] });
  assert.ok(built.ok);
  const opts = { headerProtection: true, headerConfidentiality: 'none' as const, referenceHcp: plan.referenceHcp };
  const enc = await encryptMessage(built.message, [new Uint8Array(w.alice.certDer)], { ...opts, sender: w.bobIdentity, sign: true });
  assert.ok(enc.ok);
  const wire = Buffer.from(enc.message).toString('latin1');
  assert.match(wire, /^Subject: Re: \[\.\.\.\]\r$/m, 'outside: "Re: [...]"');
  assert.doesNotMatch(wire, /Quarterly figures/);
  const back = await decryptMessage(enc.message, w.bobIdentity, { anchors: w.anchors });
  assert.ok(back.ok);
  const hp = back.verdict.headerProtection!;
  assert.equal(hp.headers.subject, `Re: ${SIGNED_SUBJECT}`, 'inside: the real Subject');
  assert.equal(hp.hpOuter.subject, 'Re: [...]');
  assert.equal(hp.fieldStatus.subject, 'signed-and-encrypted');
  assert.deepEqual(hp.changed, []);
  // The legacy display element carries the real Subject for readers that do not know RFC 9788.
  const inner = parseMime(back.body!);
  assert.ok(inner.ok);
  const text = [...walkEntities(inner.root)].find((e) => e.contentType.mediaType === 'text/plain')!;
  assert.match(bodyText(text), /^Subject: Re: Quarterly figures\r\n\r\nAgreed\./);
  // The policy's own HCP comes first (§6.1): under baseline the Subject is "[...]" whatever the reference says.
  assert.equal(outerSubjectOnWire(subject, true, { headerConfidentiality: 'baseline', referenceHcp: plan.referenceHcp }), '[...]');
  assert.equal(outerSubjectOnWire(subject, true, opts), 'Re: [...]');
  // Nothing to hide from: the reply goes out encrypted.
  assert.equal(wouldReveal(plan, outerSubjectOnWire(subject, true, opts)), undefined);
  // Sent unencrypted, or with header protection off, the Subject would be outside: a host must not send it so.
  assert.equal(wouldReveal(plan, outerSubjectOnWire(subject, false, opts)), SIGNED_SUBJECT);
  assert.equal(wouldReveal(plan, outerSubjectOnWire(subject, true, { headerProtection: false })), SIGNED_SUBJECT);
  assert.equal(wouldReveal(plan, `RE:   ${SIGNED_SUBJECT} `), SIGNED_SUBJECT);
  // A Subject the user rewrote is theirs to send (RFC 9788 Appendix D.2.2).
  assert.equal(wouldReveal(plan, `${SIGNED_SUBJECT} ASAP`), undefined);
});

test('an unencrypted reply quoting an encrypted message was not recognised, and a draft quote kept the legacy display element: quoteProbe/quotesText find the quote, dropQuotedLegacyDisplay removes "> Subject: …"', () => {
  const text = 'Hi Alice,\r\n\r\nThe numbers are final: 4.2 million & rising.\r\n\r\nBob\r\n';
  const probe = quoteProbe(text);
  assert.equal(probe, 'The numbers are final: 4.2 million & rising.');
  assert.equal(quotesText('On Monday, Bob wrote:\n> Hi Alice,\n>\n> The numbers are final: 4.2 million & rising.\n', probe), true);
  assert.equal(quotesText('<blockquote><p>The numbers are final:   4.2 million &amp; rising.</p></blockquote>', probe), true, 'HTML, entities and wrapped spaces');
  assert.equal(quotesText('Hi Alice, thanks.', probe), false);
  assert.equal(quoteProbe('Hi Bob,\nThanks\n'), undefined, 'no line distinctive enough: nothing to recognise');
  const draft = 'On 12/7/26, Bob wrote:\n> Subject: Budget 2027: final numbers\n>\n> The numbers are final.\n\nAlice\n';
  assert.equal(dropQuotedLegacyDisplay(draft, [['subject', 'Budget 2027: final numbers']]), 'On 12/7/26, Bob wrote:\n> The numbers are final.\n\nAlice\n');
  // Not the sender's legacy display element (another Subject, or no quoted blank line after it): left as it is.
  assert.equal(dropQuotedLegacyDisplay(draft, [['subject', 'Other']]), undefined);
  assert.equal(dropQuotedLegacyDisplay('> Subject: Budget 2027: final numbers\n> more\n', [['subject', 'Budget 2027: final numbers']]), undefined);
});

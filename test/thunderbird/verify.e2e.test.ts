/**
 * End to end in real Thunderbird: the built add-on side-loaded into a fresh profile; for a message of each
 * verdict class, import it into a local folder (so getRaw returns Thunderbird's X-Mozilla-* lines in front of
 * the original bytes), open it in a tab, and check what the user sees: the action's badge and title, and the
 * popup's text and data-verdict. A screenshot of the message with the popup open goes to
 * test-artifacts/thunderbird/<case>.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERDICT_PHRASE, type VerdictWord } from '../../src/index';
import { Thunderbird, sleep } from './harness';
import { makePki, smimeEncrypt, smimeSign, type IssuedCert, type Pki } from '../support/pki';
import { textEntity, wrapInUnsignedMixed } from '../support/messages';
import {
  ADDON_ID,
  addPemInOptions,
  closePageTabs,
  closePopup,
  importP12InOptions,
  importP12IntoThunderbird,
  inPage,
  openOptions,
  openPopup,
  screenshotWindowOf,
  screenshotWithPopup,
  settledButton,
} from './ui-probe';
import { artifactsDir, builtXpi, thunderbirdOrSkip } from './support';

const P12_PASSWORD = 'alice-secret';

interface Case {
  name: string;
  eml: Buffer;
  verdict: VerdictWord;
  badge: string;
  /** Words the action's title must contain besides the verdict phrase. */
  titleIncludes?: string[];
  /** Words the popup must show (beyond the verdict phrase). */
  popupIncludes?: string[];
}

/** The messages, one per verdict class, made with OpenSSL at test time (test/support/pki.ts). */
interface Made {
  cases: Case[];
  anchorPem: string;
  pki: Pki;
  p12: string;
  /** Encrypted to Carol, whose key only the add-on has. */
  carolP12: string;
  forCarol: Buffer;
}

async function makeCases(): Promise<Made> {
  const pki = await makePki();
  const alice = await pki.issue({ name: 'Alice Example', email: 'alice@example.com' });
  const expired = await pki.issue({
    name: 'Old Alice',
    email: 'old@example.com',
    start: new Date(Date.UTC(2020, 0, 1)),
    end: new Date(Date.UTC(2021, 0, 1)),
  });
  // A second, unrelated PKI whose root the profile does not trust (different key type: different keys).
  const other = await makePki({ keyType: 'ec-p256' });
  const mallory = await other.issue({ name: 'Mallory', email: 'mallory@example.com' });

  const signed = async (signer: IssuedCert, from: string, subject: string, text: string) =>
    (
      await smimeSign({
        signer,
        content: textEntity(text),
        headers: { from, to: 'bob@example.com', subject, messageId: `<${subject.replace(/\W+/g, '-')}@example.com>` },
      })
    ).bytes;

  const trusted = await signed(alice, 'Alice Example <alice@example.com>', 'Signed and trusted', 'The quarterly numbers are attached.');
  const tamperedSrc = await signed(alice, 'Alice Example <alice@example.com>', 'Tampered in transit', 'Please pay invoice 1001 to account 12345.');
  const tampered = Buffer.from(tamperedSrc.toString('latin1').replace('account 12345', 'account 99999'), 'latin1');
  assert.notDeepEqual(tampered, tamperedSrc);
  const partialSrc = await signed(alice, 'Alice Example <alice@example.com>', 'Partially signed', 'This part is signed.');
  const partial = wrapInUnsignedMixed(partialSrc, { prependText: 'URGENT: wire 10,000 EUR today. (not signed)' });

  const cases: Case[] = [
    { name: 'trusted', eml: trusted, verdict: 'trusted', badge: '✓', popupIncludes: ['alice@example.com'] },
    { name: 'tampered', eml: tampered, verdict: 'invalid', badge: '✗' },
    {
      name: 'untrusted-root',
      eml: await signed(mallory, 'Mallory <mallory@example.com>', 'Signed by an unknown CA', 'Trust me.'),
      verdict: 'untrusted',
      badge: '!',
      popupIncludes: ['mallory@example.com'],
    },
    {
      name: 'expired',
      eml: await signed(expired, 'Old Alice <old@example.com>', 'Signed with an expired certificate', 'Old news.'),
      verdict: 'untrusted',
      badge: '!',
      popupIncludes: ['expired'],
    },
    {
      name: 'sender-mismatch',
      eml: await signed(alice, 'The CEO <ceo@example.com>', 'Sender is not the signer', 'Please buy gift cards.'),
      verdict: 'untrusted',
      badge: '!',
      titleIncludes: ['The sender is not the signer'],
      popupIncludes: ['ceo@example.com'],
    },
    {
      name: 'partially-signed',
      eml: partial,
      verdict: 'untrusted',
      badge: '!',
      titleIncludes: ['Only part of this message is signed'],
    },
    { name: 'unsigned', eml: plainMessage(), verdict: 'unsigned', badge: '', popupIncludes: ['not signed'] },
    {
      // Thunderbird can decrypt it too (the key is in its certificate store as well), so it displays the
      // message; the add-on opens the encrypted original with the key imported in its options page.
      name: 'encrypted',
      eml: (
        await smimeEncrypt({
          recipients: [alice],
          content: textEntity('The launch date is 3 March.'),
          headers: { from: 'Bob <bob@example.com>', to: 'alice@example.com', subject: 'Encrypted for Alice', messageId: '<enc-1@example.com>' },
        })
      ).bytes,
      verdict: 'unsigned',
      badge: '',
      titleIncludes: ['Encrypted; decrypted with your key'],
      popupIncludes: ['decrypted with your key', 'The launch date is 3 March.'],
    },
  ];
  const carol = await pki.issue({ name: 'Carol Example', email: 'carol@example.com' });
  const forCarol = (
    await smimeEncrypt({
      recipients: [carol],
      content: textEntity('Only Carol can read this: the vault code is 4711.'),
      headers: { from: 'Bob <bob@example.com>', to: 'carol@example.com', subject: 'For Carol only', messageId: '<carol-1@example.com>' },
    })
  ).bytes;
  return {
    cases,
    anchorPem: pki.root.certPem,
    pki,
    p12: await alice.makeP12(P12_PASSWORD),
    carolP12: await carol.makeP12(P12_PASSWORD),
    forCarol,
  };
}

function plainMessage(): Buffer {
  return Buffer.from(
    [
      'From: Bob Example <bob@example.com>',
      'To: alice@example.com',
      'Subject: An ordinary unsigned message',
      'Date: Mon, 15 Jan 2024 10:30:00 +0000',
      'Message-ID: <unsigned-1@example.com>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Hello Alice, nothing signed here.',
      '',
    ].join('\r\n'),
  );
}

const env = thunderbirdOrSkip();

describe('Thunderbird: the verdict on the toolbar and in the popup', { skip: env.skip || undefined }, () => {
  let tb: Thunderbird;
  let cases: Case[] = [];
  const files = new Map<string, Uint8Array>();
  let made: Made;

  before(async () => {
    made = await makeCases();
    cases = made.cases;
    for (const c of cases) files.set(`${c.name}.eml`, c.eml);
    files.set('for-carol.eml', made.forCarol);
    tb = await Thunderbird.launch(env.bin!, { addons: [{ id: ADDON_ID, xpi: await builtXpi() }], files });
    // The user trusts the test PKI's root: added through the options page, as a user would.
    await openOptions(tb.marionette);
    const st = await addPemInOptions(tb.marionette, 'anchor', made.anchorPem);
    assert.match(st, /Added 1 certificate/);
    // Alice's key: in the add-on (options page) and in Thunderbird's own store.
    assert.match(await importP12InOptions(tb.marionette, readFileSync(made.p12), P12_PASSWORD), /Imported the certificate/);
    assert.equal(await importP12IntoThunderbird(tb.marionette, made.p12, P12_PASSWORD), 0);
    // Carol's key: in the add-on only.
    assert.match(await importP12InOptions(tb.marionette, readFileSync(made.carolP12), P12_PASSWORD), /Imported the certificate/);
    await closePageTabs(tb.marionette, '/options.html');
  });
  after(async () => {
    await tb?.stop();
  });

  test('every verdict class: badge, title and popup', async (t) => {
    for (const c of cases) {
      await t.test(`${c.name}: "${VERDICT_PHRASE[c.verdict]}"`, () => checkCase(tb, c));
    }
  });

  test('every check is in the audit log (options page), without content', async () => {
    await openOptions(tb.marionette);
    const a = await inPage<{ count: string; jsonl: string }>(
      tb.marionette,
      '/options.html',
      `const link = doc.getElementById("audit-export");
       const jsonl = link.href.startsWith("blob:") ? await (await win.fetch(link.href)).text() : "";
       return { count: doc.getElementById("audit-count").textContent, jsonl };`,
    );
    await closePageTabs(tb.marionette, '/options.html');
    const events = a.jsonl.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
    assert.ok(events.length >= cases.length, `${a.count}: ${events.length} events for ${cases.length} messages`);
    const verdicts = new Set(events.map((e: { verdict: string }) => e.verdict));
    for (const w of ['trusted', 'invalid', 'untrusted', 'unsigned']) assert.ok(verdicts.has(w), `an audit event with ${w}`);
    assert.ok(events.some((e: { op: string }) => e.op === 'decrypt'), 'the decrypted message is a decrypt event');
    assert.doesNotMatch(a.jsonl, /quarterly numbers|launch date/i, 'no message content in the audit log');
  });

  test('encrypted to a key only the add-on holds: Thunderbird cannot show it, the add-on opens a reader', async () => {
    const { id } = await tb.driver('import', { file: 'for-carol.eml' });
    await tb.driver('select', { messageId: id });
    const suffix = `popup.html?message=${id}`;
    let text = '';
    for (let i = 0; i < 100 && !text; i++) {
      text = await inPage<string>(tb.marionette, suffix, 'return doc.body.dataset.ready ? doc.body.innerText : "";').catch(() => '');
      if (!text) await sleep(100);
    }
    writeFileSync(join(artifactsDir(), 'encrypted-reader.png'), await screenshotWindowOf(tb.marionette, suffix));
    assert.match(text, /Only Carol can read this: the vault code is 4711\./);
    assert.match(text, /Thunderbird could not decrypt this message; this add-on did/);
    assert.match(text, new RegExp(VERDICT_PHRASE.unsigned));
  });
});

async function checkCase(tb: Thunderbird, c: Case): Promise<void> {
  const { id, subject } = await tb.driver('import', { file: `${c.name}.eml` });
  const { tabId } = await tb.driver('open', { messageId: id });
  try {
    const button = await settledButton(tb.marionette, 20000, subject);
    assert.ok(
      button.title.startsWith(VERDICT_PHRASE[c.verdict]),
      `title "${button.title}" should start with "${VERDICT_PHRASE[c.verdict]}"`,
    );
    for (const w of c.titleIncludes ?? []) assert.ok(button.title.includes(w), `title "${button.title}" mentions "${w}"`);
    assert.equal(button.badge, c.badge, `badge of ${c.name}`);
    const popup = await openPopup(tb.marionette);
    writeFileSync(join(artifactsDir(), `${c.name}.png`), await screenshotWithPopup(tb.marionette));
    assert.equal(popup.verdict, c.verdict, `popup data-verdict; popup text: ${popup.text}`);
    assert.ok(popup.text.includes(VERDICT_PHRASE[c.verdict]), `popup shows the phrase: ${popup.text}`);
    for (const w of c.popupIncludes ?? []) {
      assert.ok(popup.text.toLowerCase().includes(w.toLowerCase()), `popup mentions "${w}": ${popup.text}`);
    }
    await closePopup(tb.marionette);
  } finally {
    await tb.driver('closeTab', { tabId });
  }
}

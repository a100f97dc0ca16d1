/**
 * End to end in real Thunderbird: the built add-on side-loaded into a fresh profile; for a message of each
 * verdict class, import it into a local folder (so getRaw returns Thunderbird's X-Mozilla-* lines in front of
 * the original bytes), open it in a tab, and check what the user sees: the action's badge and title, and the
 * popup's text and data-verdict. A screenshot of the message with the popup open goes to
 * test-artifacts/thunderbird/<case>.png. Then the options page: the audit log of those checks (filtered, exported
 * as JSON Lines and CSV) and the intermediate remembered from the trusted message (listed, and once forgotten no
 * longer completing a message that leaves it out): test-artifacts/thunderbird/options-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERDICT_PHRASE, type VerdictWord } from '../../src/index';
import { Thunderbird, sleep } from './harness';
import { makePki, smimeEncrypt, smimeSign, type IssuedCert, type Pki } from '../support/pki';
import { textEntity, wrapInUnsignedMixed } from '../support/messages';
import * as hp from '../support/hp-fixtures';
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
  /** Words the popup must not show. */
  popupExcludes?: string[];
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
  /** Alice's signature without the intermediate: trusted only while the add-on remembers it. */
  bare: Buffer;
  /** Another of Alice's messages, with the intermediate. */
  full: Buffer;
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

  // RFC 9788 header protection: Alice signs her Subject; a relay changes it. And Alice's encrypted message with
  // "[...]" outside, the real Subject inside and a legacy display element (the reader of this profile is Alice).
  const aliceP12 = await alice.makeP12(P12_PASSWORD);
  const w = await hp.makeHpWorld({ pki, alice, bob: alice, bobP12Path: aliceP12, password: P12_PASSWORD });
  const hpFields = hp.messageFields(w);
  const cipherFields = hp.messageFields(w, hp.SIGNED_SUBJECT, [], '<hp-cipher-1@example.com>');
  const hpOuter = hp.baselineOuter(cipherFields);
  const hpCipherEntity = hp.payload({ hp: 'cipher', fields: cipherFields, hpOuter, entity: hp.legacyDisplayAlternative(hp.SIGNED_SUBJECT) });

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
    {
      // Issue 10, item 6: Alice's encrypted message with someone's unencrypted text put before it. Thunderbird shows
      // both together; the add-on says only part was encrypted and shows the encrypted part alone.
      name: 'partly-encrypted',
      eml: wrapInUnsignedMixed(
        (
          await smimeEncrypt({
            recipients: [alice],
            content: textEntity('The code word is plover.'),
            headers: { from: 'Bob <bob@example.com>', to: 'alice@example.com', subject: 'Partly encrypted for Alice', messageId: '<enc-partial-1@example.com>' },
          })
        ).bytes,
        { prependText: 'URGENT: the encrypted part below confirms the new account. Wire 10,000 EUR today.' },
      ),
      verdict: 'unsigned',
      badge: '!',
      titleIncludes: ['Only part of this message was encrypted'],
      popupIncludes: ['Warning: only part of this message was encrypted', 'a text/plain part before the encrypted part', 'Decrypted text of the encrypted part', 'Only this part of the message was encrypted', 'The code word is plover.'],
      popupExcludes: ['Wire 10,000 EUR', 'This message was encrypted and has been decrypted'],
    },
    {
      name: 'hp-subject-changed',
      eml: hp.changeOuter(await hp.signed(w, hp.payload({ hp: 'clear', fields: hpFields }), hpFields), 'Subject', hp.CHANGED_SUBJECT),
      verdict: 'untrusted',
      badge: '!',
      titleIncludes: ['The Subject was changed after signing'],
      popupIncludes: ['Signed headers', hp.SIGNED_SUBJECT, `your mail program shows “${hp.CHANGED_SUBJECT}”`, 'a header was changed after signing'],
    },
    {
      name: 'hp-cipher',
      eml: await hp.encrypted(w, await hp.signedEntity(w, hpCipherEntity), hpOuter),
      verdict: 'trusted',
      badge: '✓',
      popupIncludes: [hp.SIGNED_SUBJECT, 'kept inside the encryption', 'The figures are in the attachment.'],
      popupExcludes: [`Subject: ${hp.SIGNED_SUBJECT}`],
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
    p12: aliceP12,
    carolP12: await carol.makeP12(P12_PASSWORD),
    forCarol,
    full: await signed(alice, 'Alice Example <alice@example.com>', 'Signed again with the full chain', 'Here is the full chain again.'),
    bare: (
      await smimeSign({
        signer: alice,
        chain: [],
        content: textEntity('Signed, but my certificate came without its issuer.'),
        headers: { from: 'Alice Example <alice@example.com>', to: 'bob@example.com', subject: 'Signed without the intermediate', messageId: '<bare-1@example.com>' },
      })
    ).bytes,
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
  /** The cases' messages as imported (by case name). */
  const imported = new Map<string, number>();
  /** The second full-chain message, once imported. */
  let fullChain: { id: number; subject: string } | undefined;

  before(async () => {
    made = await makeCases();
    cases = made.cases;
    for (const c of cases) files.set(`${c.name}.eml`, c.eml);
    files.set('for-carol.eml', made.forCarol);
    files.set('bare.eml', made.bare);
    files.set('full.eml', made.full);
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
      await t.test(`${c.name}: "${VERDICT_PHRASE[c.verdict]}"`, async () => {
        imported.set(c.name, await checkCase(tb, c));
      });
    }
  });

  test('sender match "warn" in the options page: the sender-mismatch message is trusted, the mismatch still named; back to "require"', async () => {
    const id = imported.get('sender-mismatch');
    assert.ok(id !== undefined);
    const msg = { id, subject: 'Sender is not the signer' };
    await openOptions(tb.marionette);
    assert.match(await chooseInOptions(tb, 'policy-senderMatch', 'warn'), /not the signer is now a warning only/);
    await screenshotOptionsAt(tb, 'h-policy', 'options-checking.png');
    await closePageTabs(tb.marionette, '/options.html');
    const warned = await verdictOf(tb, msg);
    assert.ok(warned.title.startsWith(VERDICT_PHRASE.trusted), warned.title);
    assert.ok(warned.title.includes('The sender is not the signer'), warned.title);

    await openOptions(tb.marionette);
    assert.match(await chooseInOptions(tb, 'policy-senderMatch', 'require'), /now means not trusted/);
    await closePageTabs(tb.marionette, '/options.html');
    const required = await verdictOf(tb, msg);
    assert.ok(required.title.startsWith(VERDICT_PHRASE.untrusted), required.title);
  });

  test('Your setup (options page): an identity that expires in 10 days is shown with its warning; the background reminds once', async () => {
    const soon = await made.pki.issue({ name: 'Dana Soon', email: 'dana@example.com', end: new Date(Date.now() + 10 * 86_400_000 + 3_600_000) });
    await openOptions(tb.marionette);
    assert.match(await importP12InOptions(tb.marionette, readFileSync(await soon.makeP12(P12_PASSWORD)), P12_PASSWORD), /Imported the certificate/);
    const setup = await inPage<{ text: string; states: string[] }>(tb.marionette, '/options.html', `${WAIT_FOR}
      const entries = () => [...doc.querySelectorAll("#setup [data-identity-health]")];
      await waitFor(() => entries().length >= 3 && entries().some((e) => /Dana Soon/.test(e.textContent)));
      return { text: doc.getElementById("setup").innerText, states: entries().map((e) => e.getAttribute("data-identity-health")) };`);
    assert.match(setup.text, /Your setup/);
    assert.match(setup.text, /Warning: 'Dana Soon' \(SHA-256 [0-9A-F:]+…\) expires on \d{4}-\d\d-\d\d, in 10 days/);
    assert.match(setup.text, /Alice Example[\s\S]*Everything is in order/);
    assert.ok(setup.states.includes('warning') && setup.states.includes('ok'), setup.states.join());
    await screenshotOptionsAt(tb, 'setup', 'options-setup.png');
    await closePageTabs(tb.marionette, '/options.html');
    // The background's reminder (a Thunderbird notification), once.
    const reminded = () => tb.log.filter((l) => /smime-addin: identity [0-9A-F]{16}.*: 10 days left, reminder shown/.test(l));
    for (let i = 0; i < 100 && reminded().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(reminded().length, 1, tb.log.filter((l) => /identity|notification|audit:/.test(l)).slice(-10).join('\n'));
  });

  test('every check is in the audit log (options page): shown, filtered, exported as JSON Lines and CSV, without content', async () => {
    await openOptions(tb.marionette);
    const count = await inPage<string>(tb.marionette, '/options.html', `${WAIT_FOR}
      await waitFor(() => /kept/.test(doc.getElementById("audit-count").textContent));
      return doc.getElementById("audit-count").textContent;`);
    const kept = Number(/^(\d+) events? kept/.exec(count)?.[1]);
    assert.ok(kept >= cases.length, `${count} (for ${cases.length} messages)`);

    const invalid = await auditFilter(tb, 'invalid', '');
    assert.ok(invalid.length >= 1 && invalid.every((l) => l.includes('· invalid ·')), `verdict filter: ${invalid.join(' | ')}`);
    const fromMallory = await auditFilter(tb, '', 'MALLORY@');
    assert.ok(fromMallory.length >= 1 && fromMallory.every((l) => l.includes('mallory@example.com')), `sender filter: ${fromMallory.join(' | ')}`);
    assert.ok(fromMallory.length < kept, 'the sender filter narrows the list');
    const csv = (await auditExport(tb, 'csv')).trimEnd().split('\r\n');
    // The first columns as they always were; the SIEM columns (event, severity, rule, …) follow.
    assert.ok(csv[0].startsWith('time,op,host,verdict,messageId,from,signer,recipients,reasons,id'), csv[0]);
    assert.equal(csv.length - 1, fromMallory.length, 'the CSV holds the filtered events');
    assert.ok(csv.slice(1).every((l) => /,thunderbird,untrusted,.*mallory@example\.com/.test(l)), csv.join('\n'));

    const untrusted = await auditFilter(tb, 'untrusted', '');
    const jsonlUntrusted = parseJsonl(await auditExport(tb, 'jsonl'));
    assert.equal(jsonlUntrusted.length, untrusted.length, 'the JSON Lines export holds the filtered events');
    assert.ok(jsonlUntrusted.length >= 4 && jsonlUntrusted.every((e) => e.verdict === 'untrusted'));

    const all = await auditFilter(tb, '', '');
    assert.equal(all.length, Math.min(kept, 20), 'no filter: the newest 20');
    const jsonl = await auditExport(tb, 'jsonl');
    const events = parseJsonl(jsonl);
    assert.equal(events.length, kept, 'the unfiltered export holds every event');
    const verdicts = new Set(events.map((e) => e.verdict));
    for (const w of ['trusted', 'invalid', 'untrusted', 'unsigned']) assert.ok(verdicts.has(w), `an audit event with ${w}`);
    assert.ok(events.some((e) => e.op === 'decrypt'), 'the decrypted message is a decrypt event');
    assert.ok(events.every((e) => e.host === 'thunderbird'));
    assert.doesNotMatch(jsonl, /quarterly numbers|launch date/i, 'no message content in the audit log');
    await screenshotOptionsAt(tb, 'audit', 'options-audit.png');

    // The summary (ui/audit-report.ts, drawn in the background's numbers): two weeks of earlier events are put in
    // the add-on's log (the options page shares the background's IndexedDB), and the page is opened again.
    const seeded = await inPage<number>(tb.marionette, '/options.html', `
      const day = 86400000, now = Date.now(), rows = [];
      const verdicts = ['trusted', 'trusted', 'untrusted', 'trusted', 'invalid', 'trusted', 'unsigned'];
      for (let d = 13; d >= 1; d--) for (let k = 0; k < 1 + ((d * 3) % 6); k++) {
        const verdict = verdicts[(d + k) % verdicts.length];
        rows.push({ id: 'seed-' + d + '-' + k, time: new Date(now - d * day + k * 60000).toISOString(), event: 'message.verified',
          severity: verdict === 'invalid' ? 'error' : verdict === 'untrusted' ? 'warning' : 'info', op: 'verify', host: 'thunderbird',
          from: [k % 2 ? 'colleague@contoso.example' : 'partner@fabrikam.example'], verdict, reasons: [verdict === 'trusted' ? 'chain-trusted' : 'untrusted-root'],
          signerCert: { subject: 'CN=x', issuer: k % 2 ? 'CN=Contoso Mail CA' : 'CN=Fabrikam Issuing CA', serial: '01', notBefore: '2026-01-01T00:00:00Z', notAfter: '2027-01-01T00:00:00Z' } });
      }
      rows.push({ id: 'seed-block', time: new Date(now - 3 * day).toISOString(), event: 'send.blocked', severity: 'warning', op: 'policy', host: 'thunderbird',
        from: ['me@contoso.example'], verdict: 'block', action: 'block', rule: 'outbound.requireEncryptionTo', recipientDomains: ['law.example'], reasons: [] });
      const db = await new Promise((resolve, reject) => { const r = win.indexedDB.open('smime-audit'); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
      const tx = db.transaction('events', 'readwrite');
      for (const row of rows) tx.objectStore('events').add(row);
      await new Promise((r) => (tx.oncomplete = r));
      db.close();
      return rows.length - 1;`);
    await closePageTabs(tb.marionette, '/options.html');
    await openOptions(tb.marionette);
    const summary = await inPage<{ totals: string; days: number; bars: number; rules: string; domains: string; cas: string; svgStyle: number }>(tb.marionette, '/options.html', `${WAIT_FOR}
      await waitFor(() => /received message/.test(doc.getElementById("audit-totals")?.textContent ?? ""));
      return { totals: doc.getElementById("audit-totals").textContent,
               days: doc.querySelectorAll("#audit-chart .ar-day").length,
               bars: [...doc.querySelectorAll("#audit-chart .ar-bar")].reduce((n, r) => n + Number(r.dataset.count), 0),
               rules: doc.getElementById("audit-report-rules").textContent,
               domains: doc.getElementById("audit-report-domains").textContent,
               cas: doc.getElementById("audit-report-cas").textContent,
               svgStyle: doc.querySelectorAll("#audit-summary [style]").length };`);
    const messages = Number(/^(\d+) received messages? checked/.exec(summary.totals)?.[1]);
    assert.equal(messages, seeded + events.filter((e) => e.op === 'verify' || e.op === 'decrypt').length, summary.totals);
    assert.equal(summary.bars, messages, 'the bars add up to the messages counted');
    assert.ok(summary.days >= 14, `a bar slot per day: ${summary.days}`);
    assert.match(summary.totals, /1 send blocked/);
    assert.match(summary.rules, /1\s*outbound\.requireEncryptionTo/);
    assert.match(summary.domains, /contoso\.example/);
    assert.match(summary.cas, /Contoso Mail CA/);
    assert.equal(summary.svgStyle, 0, 'no style attributes (the CSP allows none)');
    await screenshotOptionsAt(tb, 'audit-summary', 'options-audit-summary.png');
    await closePageTabs(tb.marionette, '/options.html');
    console.log(`# Thunderbird options audit summary: ${summary.totals} ${summary.days} days charted, bars total ${summary.bars}`);
    console.log(`# Thunderbird options page audit log: ${kept} events; ${invalid.length} invalid, ${fromMallory.length} from mallory, ${untrusted.length} untrusted; exports JSONL ${events.length} lines, CSV ${csv.length - 1} rows`);
  });

  test('an intermediate remembered from a trusted message is listed; forgotten, it no longer completes a chain', async () => {
    // The "trusted" case above carried Alice's full chain: its intermediate is remembered.
    await openOptions(tb.marionette);
    let remembered = await rememberedList(tb);
    assert.equal(remembered.length, 1, remembered.join(' | '));
    assert.match(remembered[0], /Fixture Intermediate CA/);
    assert.match(remembered[0], /issued by .*Fixture Root CA/);
    assert.match(remembered[0], /valid until \d{4}-\d\d-\d\d · SHA-256 [0-9A-F:]+…/);
    await screenshotOptionsAt(tb, 'h-inter', 'options-intermediates.png');
    await closePageTabs(tb.marionette, '/options.html');

    const bare = await tb.driver('import', { file: 'bare.eml' });
    const before = await verdictOf(tb, bare);
    assert.ok(before.title.startsWith(VERDICT_PHRASE.trusted), `with the remembered intermediate: ${before.title}`);

    // The full-chain message stays open in a tab while its intermediate is forgotten: nothing may check it again and
    // so remember the intermediate at once (the race Outlook's settings had).
    const trustedId = imported.get('trusted');
    assert.ok(trustedId !== undefined);
    const { tabId: openTab } = await tb.driver('open', { messageId: trustedId });
    await settledButton(tb.marionette, 20000, 'Signed and trusted');
    await openOptions(tb.marionette);
    const st = await inPage<string>(tb.marionette, '/options.html', `${WAIT_FOR}
      const li = [...doc.querySelectorAll("#remembered-intermediates li")].find((l) => /Fixture Intermediate CA/.test(l.textContent));
      li.querySelector("button").click();
      const st = doc.getElementById("remembered-status");
      await waitFor(() => st.textContent);
      return st.textContent;`);
    assert.match(st, /forgotten/);
    assert.deepEqual(await rememberedList(tb), ['None.']);
    await sleep(1000); // time for a re-check, were one started, to remember again (checked below)
    await tb.driver('closeTab', { tabId: openTab });
    await closePageTabs(tb.marionette, '/options.html');

    const after = await verdictOf(tb, bare);
    assert.ok(after.title.startsWith(VERDICT_PHRASE.untrusted), `forgotten, the chain is incomplete again: ${after.title}`);
    assert.equal(after.badge, '!');
    await openOptions(tb.marionette);
    assert.deepEqual(await rememberedList(tb), ['None.'], 'forgetting re-checked nothing that would remember it again');
    await closePageTabs(tb.marionette, '/options.html');

    // Seen again in a full chain, it is remembered again; "forget all" empties the list.
    const full = await tb.driver('import', { file: 'full.eml' });
    fullChain = full;
    assert.ok((await verdictOf(tb, full)).title.startsWith(VERDICT_PHRASE.trusted));
    await openOptions(tb.marionette);
    assert.equal((await rememberedList(tb)).length, 1);
    assert.match(await clickForStatus(tb, 'forget-intermediates', 'remembered-status'), /All remembered intermediates were forgotten/);
    assert.deepEqual(await rememberedList(tb), ['None.']);
    await closePageTabs(tb.marionette, '/options.html');
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

  test('"remove everything" on the options page empties the remembered intermediates too', async () => {
    assert.ok(fullChain, 'the previous test imported the full-chain message');
    // Forgotten above, and the verdicts dropped: showing the full chain again remembers it again.
    assert.ok((await verdictOf(tb, fullChain)).title.startsWith(VERDICT_PHRASE.trusted));
    await openOptions(tb.marionette);
    assert.equal((await rememberedList(tb)).length, 1);
    assert.match(await clickForStatus(tb, 'remove-all', 'remove-status'), /Everything this add-on stored has been removed/);
    await closePageTabs(tb.marionette, '/options.html');
    // A fresh page asks the background again: its memory, not only storage, is empty.
    await openOptions(tb.marionette);
    assert.deepEqual(await rememberedList(tb), ['None.']);
    await closePageTabs(tb.marionette, '/options.html');
  });
});

/** Page code: `waitFor(pred)` polls until pred() is truthy (5 s at most). */
const WAIT_FOR = `const waitFor = async (pred) => { for (let i = 0; i < 200 && !pred(); i++) await new Promise((r) => win.setTimeout(r, 25)); return pred(); };`;

/** Sets the audit view's filters as a user would and returns the listed events' lines once they match. */
async function auditFilter(tb: Thunderbird, verdict: string, from: string): Promise<string[]> {
  return inPage<string[]>(tb.marionette, '/options.html', `${WAIT_FOR}
    const [verdict, from] = ${JSON.stringify([verdict, from])};
    const sel = doc.getElementById("audit-verdict");
    sel.value = verdict;
    sel.dispatchEvent(new win.Event("change"));
    const box = doc.getElementById("audit-from");
    box.value = from;
    box.dispatchEvent(new win.Event("input"));
    // The view marks the list busy from the change until the matching events are drawn.
    const list = doc.querySelector('[data-list="audit"]');
    await waitFor(() => !list.hasAttribute("aria-busy"));
    return [...list.querySelectorAll("li")].map((li) => li.textContent);`);
}

/**
 * Clicks the audit view's export button and returns the file's text: the download link the view creates is
 * caught on its way (its click is cancelled, so no download dialog) and its blob read.
 */
async function auditExport(tb: Thunderbird, format: 'jsonl' | 'csv'): Promise<string> {
  return inPage<string>(tb.marionette, '/options.html', `
    const href = await new Promise((resolve) => {
      const on = (e) => {
        const a = e.target;
        if (!a || !a.download) return;
        e.preventDefault();
        doc.removeEventListener("click", on, true);
        resolve({ href: a.href, name: a.download });
      };
      doc.addEventListener("click", on, true);
      doc.getElementById(${JSON.stringify(`audit-export-${format}`)}).click();
    });
    if (href.name !== ${JSON.stringify(`smime-audit.${format}`)}) throw new Error("download named " + href.name);
    return await (await win.fetch(href.href)).text();`);
}

function parseJsonl(text: string): Array<{ verdict: string; op: string; host?: string }> {
  return text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** Clicks a button of the options page and returns the status line it then fills. */
async function clickForStatus(tb: Thunderbird, button: string, statusId: string): Promise<string> {
  return inPage<string>(tb.marionette, '/options.html', `${WAIT_FOR}
    const st = doc.getElementById(${JSON.stringify(statusId)});
    st.textContent = "";
    doc.getElementById(${JSON.stringify(button)}).click();
    await waitFor(() => st.textContent);
    return st.textContent;`);
}

/** Chooses `value` in the options page's select `id` (a policy choice) and returns the status line it leads to. */
async function chooseInOptions(tb: Thunderbird, id: string, value: string): Promise<string> {
  return inPage<string>(tb.marionette, '/options.html', `${WAIT_FOR}
    const [id, value] = ${JSON.stringify([id, value])};
    await waitFor(() => doc.body.dataset.ready);
    const st = doc.getElementById("online-status");
    st.textContent = "";
    const sel = doc.getElementById(id);
    sel.value = value;
    sel.dispatchEvent(new win.Event("change"));
    await waitFor(() => st.textContent);
    return st.textContent;`);
}

/** The lines of the options page's list of remembered intermediates, once it has been drawn. */
async function rememberedList(tb: Thunderbird): Promise<string[]> {
  return inPage<string[]>(tb.marionette, '/options.html', `${WAIT_FOR}
    const items = () => [...doc.querySelectorAll("#remembered-intermediates li")];
    await waitFor(() => items().length);
    return items().map((li) => li.innerText.replace(/\\s+/g, " ").trim());`);
}

/** Scrolls the options page to an element and saves a screenshot of what is then in view. */
async function screenshotOptionsAt(tb: Thunderbird, id: string, file: string): Promise<void> {
  await inPage(tb.marionette, '/options.html', `doc.getElementById(${JSON.stringify(id)}).scrollIntoView(); await new Promise((r) => win.setTimeout(r, 200)); return true;`);
  writeFileSync(join(artifactsDir(), file), await screenshotWindowOf(tb.marionette, '/options.html'));
}

/** Opens a message in a tab and returns the action button's settled state. */
async function verdictOf(tb: Thunderbird, msg: { id: number; subject: string }) {
  const { tabId } = await tb.driver('open', { messageId: msg.id });
  try {
    return await settledButton(tb.marionette, 20000, msg.subject);
  } finally {
    await tb.driver('closeTab', { tabId });
  }
}

/** Checks one case in a tab of its own; returns the imported message's id. */
async function checkCase(tb: Thunderbird, c: Case): Promise<number> {
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
    for (const w of c.popupExcludes ?? []) assert.ok(!popup.text.includes(w), `popup does not show "${w}": ${popup.text}`);
    await closePopup(tb.marionette);
    return id;
  } finally {
    await tb.driver('closeTab', { tabId });
  }
}

/**
 * The organisation's inbound rule in real Thunderbird: 200 messages imported into a folder as new mail (the New flag
 * set, as a delivery does) reach the add-on through messages.onNewMailReceived without anyone opening them. Under an
 * administrator policy (managed storage) with inbound.requireSignedFrom ["corp.example"] and action "quarantine":
 * unsigned and forged mail "from" corp.example and invalid signatures are tagged and moved to the policy's folder
 * (created by the add-on); genuine signed corp mail and mail from elsewhere stay untouched; no message is lost or
 * duplicated (Message-IDs before and after); a quarantined message opened later shows its cached verdict.
 * Figure: time per message (import to the last action), printed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { makePki, smimeSign } from '../support/pki';
import { buildMessage, textEntity } from '../support/messages';
import { Thunderbird, sleep, smtpPrefs, waitFor } from './harness';
import { ADDON_ID, composeButton, composeWindowCount, settledButton } from './ui-probe';
import { builtXpi, thunderbirdOrSkip } from './support';

const env = thunderbirdOrSkip();
const N = 200;

type Kind = 'corp-unsigned' | 'corp-forged' | 'corp-good' | 'outside-invalid' | 'outside';
const KIND_OF = (i: number): Kind => (i % 5 === 0 ? 'corp-unsigned' : i % 10 === 1 ? 'corp-forged' : i % 10 === 3 ? 'corp-good' : i % 20 === 7 ? 'outside-invalid' : 'outside');
const VIOLATION: Record<Kind, boolean> = { 'corp-unsigned': true, 'corp-forged': true, 'corp-good': false, 'outside-invalid': true, outside: false };

/** A copy of a message with another Message-ID (headers outside the signature, so it stays valid). */
function withMessageId(m: Buffer, id: string): Buffer {
  return Buffer.from(m.toString('latin1').replace(/^Message-ID: .*$/m, `Message-ID: ${id}`), 'latin1');
}

describe('Thunderbird: new mail checked as it arrives, violations tagged and quarantined', { skip: env.skip || undefined }, () => {
  let tb: Thunderbird;
  const files = new Map<string, Uint8Array>();
  const kinds = new Map<string, Kind>();

  before(async () => {
    const pki = await makePki();
    const ceo = await pki.issue({ name: 'CEO', email: 'ceo@corp.example' });
    const eve = await pki.issue({ name: 'Eve', email: 'eve@attacker.example' });
    const partner = await pki.issue({ name: 'Partner', email: 'p@partner.example' });
    const body = textEntity('Please wire 40,000 EUR today.\r\n');
    const h = (from: string) => ({ from, to: 'bob@corp.example', subject: 'Payment', messageId: '<x@x>' });
    const good = (await smimeSign({ content: body, signer: ceo, headers: h('CEO <ceo@corp.example>') })).bytes;
    const forged = (await smimeSign({ content: body, signer: eve, headers: h('CEO <ceo@corp.example>') })).bytes;
    const partnerSigned = (await smimeSign({ content: body, signer: partner, headers: h('p@partner.example') })).bytes;
    const invalid = Buffer.from(partnerSigned.toString('latin1').replace('40,000', '90,000'), 'latin1');
    for (let i = 0; i < N; i++) {
      const kind = KIND_OF(i);
      const id = `<enforce-${i}@e2e.test>`;
      const bytes =
        kind === 'corp-unsigned'
          ? buildMessage({ ...h('CEO <ceo@corp.example>'), messageId: id }, body)
          : kind === 'corp-forged'
            ? withMessageId(forged, id)
            : kind === 'corp-good'
              ? withMessageId(good, id)
              : kind === 'outside-invalid'
                ? withMessageId(invalid, id)
                : buildMessage({ ...h(`friend${i}@elsewhere.example`), messageId: id }, textEntity(`Hello ${i}\r\n`));
      files.set(`m${i}.eml`, bytes);
      kinds.set(id, kind);
    }
    const manifest = {
      name: ADDON_ID,
      description: 'smime-addin enforcement policy for the e2e test',
      type: 'storage',
      data: {
        anchors: [pki.root.certPem],
        bundledRoots: false,
        inbound: { requireSignedFrom: ['corp.example'], action: 'quarantine', quarantineFolder: 'Quarantine', tagName: 'S/MIME violation' },
        outbound: { requireEncryptionTo: ['lawfirm.example'] },
      },
    };
    tb = await Thunderbird.launch(env.bin!, {
      addons: [{ id: ADDON_ID, xpi: await builtXpi() }],
      files,
      homeFiles: { [`.mozilla/managed-storage/${ADDON_ID}.json`]: JSON.stringify(manifest) },
      // A sending identity; its SMTP port is closed: nothing in these tests may reach it.
      extraPrefs: smtpPrefs(9, 'alice@corp.example'),
      timeoutMs: 90_000,
    });
  });
  after(async () => {
    await tb?.stop();
  });

  test(`${N} messages imported as new mail: violations tagged and quarantined, the rest untouched, none lost or duplicated`, async () => {
    const expected = [...kinds.values()].filter((k) => VIOLATION[k]).length;
    const t0 = Date.now();
    const imported = await tb.driver<{ ids: number[]; ms: number }>('importNew', { files: [...files.keys()], folder: 'Incoming' }, 180_000);
    assert.equal(imported.ids.length, N);
    // The add-on logs a summary each time its queue runs dry; wait for the one that has seen every message.
    const summary = await waitFor(async () => tb.log.find((l) => new RegExp(`new mail: ${N} checked`).test(l)), 180_000, 250);
    const t1 = Date.now();
    assert.ok(summary, `no summary for ${N} messages:\n${tb.log.filter((l) => l.includes('new mail')).slice(-5).join('\n')}`);
    const incoming = await tb.driver<{ messageId: string; tags: string[] }[]>('folderMessages', { folder: 'Incoming' });
    const quarantined = await tb.driver<{ id: number; messageId: string; tags: string[] }[]>('folderMessages', { folder: 'Quarantine' });
    const tags = await tb.driver<{ key: string; tag: string }[]>('tagsList');
    const key = tags.find((t) => t.tag === 'S/MIME violation')?.key;
    assert.ok(key, 'the policy tag exists');
    // Counted before (what was imported) and after (both folders): every Message-ID exactly once.
    const after = [...incoming, ...quarantined].map((m) => `<${m.messageId}>`).sort();
    assert.equal(after.length, N, `${incoming.length} + ${quarantined.length}`);
    assert.deepEqual(after, [...kinds.keys()].sort());
    assert.equal(quarantined.length, expected);
    for (const m of quarantined) {
      assert.ok(VIOLATION[kinds.get(`<${m.messageId}>`)!], `${m.messageId} quarantined but not a violation`);
      assert.ok(m.tags.includes(key!), `${m.messageId} not tagged`);
    }
    for (const m of incoming) {
      assert.ok(!VIOLATION[kinds.get(`<${m.messageId}>`)!], `${m.messageId} left in place`);
      assert.deepEqual(m.tags, [], `${m.messageId} tagged`);
    }
    const perMessage = (t1 - t0) / N;
    console.log(
      `# enforcement e2e: ${N} new messages (${expected} violations) imported in ${imported.ms} ms; checked, tagged and moved ` +
        `${t1 - t0} ms after the import began: ${perMessage.toFixed(1)} ms per message. Add-on: ${summary!.replace(/^.*smime-addin: /, '')}`,
    );

    // Opened later: the verdict is there at once (cached; the move kept it).
    const forged = quarantined.find((m) => kinds.get(`<${m.messageId}>`) === 'corp-forged')!;
    const { tabId } = await tb.driver('open', { messageId: forged.id });
    try {
      const b = await settledButton(tb.marionette, 20000, 'Payment');
      assert.match(b.title, /requires mail from corp\.example to be signed and trusted/);
      const line = tb.log.filter((l) => l.includes(`message ${forged.id}:`)).at(-1) ?? '';
      assert.match(line, /cached/, line);
    } finally {
      await tb.driver('closeTab', { tabId });
    }
  });

  test('send: outbound.requireEncryptionTo with no certificate for the recipient blocks the send, naming rule and recipient; the draft stays', async () => {
    const ids = await tb.driver('identities');
    const id = ids.find((i: { email: string }) => i.email === 'alice@corp.example');
    const { tabId } = await tb.driver('compose', { identityId: id.id, to: ['Counsel <counsel@lawfirm.example>'], subject: 'Settlement', plainTextBody: 'Our offer.', isPlainText: true });
    await tb.driver('send', { tabId });
    const btn = await waitFor(async () => {
      const b = await composeButton(tb.marionette);
      return b?.badge === '!' ? b : null;
    }, 15_000);
    assert.match(btn?.title ?? '', /requires this message to be encrypted \(rule outbound\.requireEncryptionTo\), and there is no usable certificate for counsel@lawfirm\.example \(rule outbound\.onMissingCertificate\)/);
    await sleep(300);
    assert.equal(await composeWindowCount(tb.marionette), 1, 'the compose window is still open');
    assert.match((await tb.driver('composeDetails', { tabId })).plainTextBody, /Our offer\./);
    assert.ok(tb.log.some((l) => /send refused for alice@corp\.example/.test(l)));
    await tb.driver('closeTab', { tabId }).catch(() => undefined);
  });
});

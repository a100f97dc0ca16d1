/**
 * End to end in real Thunderbird: the built add-on side-loaded into a fresh profile; for a message of each
 * verdict class, import it into a local folder (so getRaw returns Thunderbird's X-Mozilla-* lines in front of
 * the original bytes), open it in a tab, and check what the user sees: the action's badge and title, and the
 * popup's text and data-verdict. A screenshot of the message with the popup open goes to
 * test-artifacts/thunderbird/<case>.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERDICT_PHRASE, type VerdictWord } from '../../src/index';
import { Thunderbird } from './harness';
import { ADDON_ID, closePopup, openPopup, screenshotWithPopup, settledButton } from './ui-probe';
import { artifactsDir, builtXpi, thunderbirdOrSkip } from './support';

const CRLF = '\r\n';
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
    ].join(CRLF),
  );
}

interface Case {
  name: string;
  eml: () => Promise<Buffer> | Buffer;
  verdict: VerdictWord;
  badge: string;
  /** Extra words the popup must show (beyond the verdict phrase). */
  popupIncludes?: string[];
}

const CASES: Case[] = [{ name: 'unsigned', eml: plainMessage, verdict: 'unsigned', badge: '', popupIncludes: ['not signed'] }];

const env = thunderbirdOrSkip();

describe('Thunderbird: the verdict on the toolbar and in the popup', { skip: env.skip || undefined }, () => {
  let tb: Thunderbird;
  const files = new Map<string, Uint8Array>();

  before(async () => {
    for (const c of CASES) files.set(`${c.name}.eml`, await c.eml());
    tb = await Thunderbird.launch(env.bin!, { addons: [{ id: ADDON_ID, xpi: builtXpi() }], files });
  });
  after(async () => {
    await tb?.stop();
  });

  for (const c of CASES) {
    test(`${c.name}: badge, title and popup say "${VERDICT_PHRASE[c.verdict]}"`, async () => {
      const { id } = await tb.driver('import', { file: `${c.name}.eml` });
      const { tabId } = await tb.driver('open', { messageId: id });
      try {
        const button = await settledButton(tb.marionette);
        assert.ok(
          button.title.startsWith(VERDICT_PHRASE[c.verdict]),
          `title "${button.title}" should start with "${VERDICT_PHRASE[c.verdict]}"`,
        );
        assert.equal(button.badge, c.badge, `badge of ${c.name}`);
        const popup = await openPopup(tb.marionette);
        assert.equal(popup.verdict, c.verdict, `popup data-verdict; popup text: ${popup.text}`);
        assert.ok(popup.text.includes(VERDICT_PHRASE[c.verdict]), `popup shows the phrase: ${popup.text}`);
        for (const w of c.popupIncludes ?? []) {
          assert.ok(popup.text.toLowerCase().includes(w.toLowerCase()), `popup mentions "${w}": ${popup.text}`);
        }
        writeFileSync(join(artifactsDir(), `${c.name}.png`), await screenshotWithPopup(tb.marionette));
        await closePopup(tb.marionette);
      } finally {
        await tb.driver('closeTab', { tabId });
      }
    });
  }
});

/**
 * Administrator-enforced settings, end to end: the policy reaches the add-on as managed storage. In production it
 * comes from policies.json ("3rdparty" → "Extensions" → the add-on id); Thunderbird also reads managed storage from a
 * "storage" native manifest, $HOME/.mozilla/managed-storage/<id>.json on Linux, which a test can write into its
 * throw-away HOME without touching the machine. Both end in the same storage.managed the add-on reads.
 * Checked: the administrator's anchor makes a message trusted without the user adding anything, and the options
 * page shows the administrator's settings locked, and says the audit log is off when the policy turns it off.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VERDICT_PHRASE } from '../../src/index';
import { makePki, smimeSign, type Pki } from '../support/pki';
import { textEntity } from '../support/messages';
import { Thunderbird } from './harness';
import { ADDON_ID, closePageTabs, inPage, openOptions, settledButton } from './ui-probe';
import { builtXpi, thunderbirdOrSkip } from './support';

const env = thunderbirdOrSkip();

describe('Thunderbird: administrator policy (managed storage) wins over user settings', { skip: env.skip || undefined }, () => {
  let tb: Thunderbird;
  let pki: Pki;
  let signed: Buffer;

  before(async () => {
    pki = await makePki();
    const alice = await pki.issue({ name: 'Alice Example', email: 'alice@example.com' });
    signed = (
      await smimeSign({
        signer: alice,
        content: textEntity('Signed under the company root.'),
        headers: { from: 'Alice Example <alice@example.com>', to: 'bob@example.com', subject: 'Company mail', messageId: '<company-1@example.com>' },
      })
    ).bytes;
    const manifest = {
      name: ADDON_ID,
      description: 'smime-addin policy for the e2e test',
      type: 'storage',
      data: { anchors: [pki.root.certPem], senderMatch: 'require', revocation: 'soft', userAnchors: false, audit: { enabled: false } },
    };
    tb = await Thunderbird.launch(env.bin!, {
      addons: [{ id: ADDON_ID, xpi: await builtXpi() }],
      files: new Map([['company.eml', signed]]),
      homeFiles: { [`.mozilla/managed-storage/${ADDON_ID}.json`]: JSON.stringify(manifest) },
    });
  });
  after(async () => {
    await tb?.stop();
  });

  test("the administrator's anchor is trusted without any user setting", async () => {
    const { id, subject } = await tb.driver('import', { file: 'company.eml' });
    const { tabId } = await tb.driver('open', { messageId: id });
    try {
      const b = await settledButton(tb.marionette, 20000, subject);
      assert.ok(b.title.startsWith(VERDICT_PHRASE.trusted), b.title);
    } finally {
      await tb.driver('closeTab', { tabId });
    }
  });

  test('the options page shows the enforced settings locked', async () => {
    await openOptions(tb.marionette);
    const r = await inPage<{ anchors: string; senderDisabled: boolean; revocationDisabled: boolean; sha1Disabled: boolean; audit: string }>(
      tb.marionette,
      '/options.html',
      `return { anchors: doc.getElementById("anchors").textContent,
                senderDisabled: doc.getElementById("policy-senderMatch").disabled,
                revocationDisabled: doc.getElementById("policy-revocation").disabled,
                sha1Disabled: doc.getElementById("policy-allowSha1").disabled,
                audit: doc.getElementById("audit").innerText };`,
    );
    await closePageTabs(tb.marionette, '/options.html');
    assert.match(r.anchors, /Fixture Root CA/);
    assert.match(r.anchors, /Set by your administrator/);
    assert.equal(r.senderDisabled, true);
    assert.equal(r.revocationDisabled, true);
    assert.equal(r.sha1Disabled, false, 'what the administrator did not set stays the user\'s');
    assert.match(r.audit, /Audit log\s+Off \(your policy keeps no audit log\)\./);
    assert.doesNotMatch(r.audit, /Export/, 'nothing to filter or export');
  });
});

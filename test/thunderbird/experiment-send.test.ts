/**
 * Issue 10, item 18: the smimeSend Experiment (privileged, parent process) is not an open relay. It used to take
 * an identity, arbitrary envelope recipients and arbitrary bytes, so any add-on page with an injection bug could
 * send any mail as the user to anyone. Now it takes a compose tab id plus the bytes (and an envelope that must be
 * that tab's recipients), reads identity and recipients from the compose window itself, and refuses the rest.
 *
 * The real implementation.js runs here in a `vm` context with stand-ins for Thunderbird's privileged modules (the
 * compose window, the header parser, the outgoing server); test/thunderbird/send.e2e.test.ts runs it in real
 * Thunderbird.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import vm from 'node:vm';
import { ROOT } from '../support/corpus';

interface Addr {
  email: string;
  name: string;
}
/** A small stand-in for nsIMsgHeaderParser: "Name <a@b>, c@d" → address objects. */
function parse(value: string): Addr[] {
  return value
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const m = /<([^<>]*)>/.exec(p);
      return { email: (m ? m[1] : p).trim(), name: '' };
    });
}

interface Sent {
  recipients: string[];
  bytes: Uint8Array;
  messageId: string;
}

function loadExperiment() {
  const sent: Sent[] = [];
  const files = new Map<string, Uint8Array>();
  const identity = { key: 'id1', email: 'alice@example.com', fccFolderURI: '', doFcc: false };
  const composeWindow = {
    fields: { from: 'Alice <alice@example.com>', to: 'Bob <bob@example.com>', cc: 'dave@example.com', bcc: 'Carol <carol@example.com>' },
    getCurrentIdentityKey: () => 'id1',
    GetComposeDetails() {
      return this.fields;
    },
  };
  const tabs = new Map<number, { type: string; nativeTab: unknown }>([
    [7, { type: 'messageCompose', nativeTab: composeWindow }],
    [3, { type: 'mail', nativeTab: {} }],
  ]);
  const server = {
    sendMailMessage(file: { path: string }, to: Addr[], bcc: Addr[], _id: unknown, _sender: string, _pw: null, _st: null, _dsn: boolean, messageId: string, listener: { onSendStop(u: string, code: number): void }) {
      sent.push({ recipients: [...to, ...bcc].map((a) => a.email), bytes: files.get(file.path)!, messageId });
      listener.onSendStop('smtp://x', 0);
    },
  };
  const MailServices = {
    headerParser: { parseDecodedHeader: parse, parseEncodedHeaderW: parse },
    accounts: { getIdentity: (k: string) => (k === 'id1' ? identity : null) },
    outgoingServer: { getServerByIdentity: () => server },
  };
  class ExtensionAPI {}
  const sandbox: Record<string, unknown> = {
    ChromeUtils: {
      importESModule: (url: string) => (url.includes('ExtensionCommon') ? { ExtensionCommon: { ExtensionAPI } } : { MailServices }),
      generateQI: () => () => undefined,
    },
    Components: { interfaces: { nsMsgMessageFlags: { Read: 1 } }, isSuccessCode: (c: number) => c === 0 },
    IOUtils: {
      createUniqueFile: async () => `/tmp/out-${files.size}.eml`,
      write: async (p: string, b: Uint8Array) => void files.set(p, b),
      getFile: async (p: string) => ({ path: p }),
      remove: async () => undefined,
    },
    PathUtils: { tempDir: '/tmp' },
  };
  vm.createContext(sandbox);
  vm.runInContext(readFileSync(join(ROOT, 'addin-thunderbird', 'experiments', 'smimeSend', 'implementation.js'), 'utf8'), sandbox);
  const Api = sandbox.smimeSend as new () => { getAPI(ctx: unknown): { smimeSend: { sendRaw(tabId: unknown, raw: unknown, opts: unknown): Promise<{ ok: boolean; error?: string }> } } };
  const context = {
    extension: {
      tabManager: {
        get(id: number) {
          const t = tabs.get(id);
          if (!t) throw new Error(`Invalid tab ID: ${id}`);
          return t;
        },
      },
    },
  };
  return { api: new Api().getAPI(context).smimeSend, sent, composeWindow };
}

function message(headers: string[]): string {
  return [...headers, 'MIME-Version: 1.0', 'Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name="smime.p7m"', 'Content-Transfer-Encoding: base64', '', 'MIAGCSqGSIb3DQEHA6CAMIACAQAx', ''].join('\r\n');
}
const GOOD = message(['From: Alice <alice@example.com>', 'To: Bob <bob@example.com>', 'Cc: dave@example.com', 'Subject: hi', 'Message-ID: <m1@example.com>']);

test('the Experiment API is not an open relay: only a compose tab id plus the bytes, envelope checked against that tab\'s recipients', async () => {
  const { api, sent } = loadExperiment();
  // The draft to its own recipients, and a Bcc copy to the Bcc recipient alone: sent.
  const plain = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown; // objects from the vm's realm
  assert.deepEqual(plain(await api.sendRaw(7, GOOD, { recipients: ['Bob <bob@example.com>', 'dave@example.com'], saveCopy: false })), { ok: true, copied: false });
  assert.deepEqual(plain(await api.sendRaw(7, GOOD, { recipients: ['carol@example.com'], saveCopy: false })), { ok: true, copied: false });
  assert.deepEqual(plain(sent.map((s) => s.recipients)), [['bob@example.com', 'dave@example.com'], ['carol@example.com']]);
  assert.equal(sent[0].messageId, 'm1@example.com');
  assert.equal(Buffer.from(sent[0].bytes).toString('latin1'), GOOD, 'byte for byte');

  const refused: [unknown, unknown, unknown, RegExp][] = [
    // Not a compose tab, no tab, not a tab id.
    [3, GOOD, { recipients: ['bob@example.com'] }, /tab 3 is not a compose tab/],
    [99, GOOD, { recipients: ['bob@example.com'] }, /tab 99 is not a compose tab/],
    ['7', GOOD, { recipients: ['bob@example.com'] }, /is not a compose tab/],
    // An envelope recipient the user did not address.
    [7, GOOD, { recipients: ['bob@example.com', 'eve@evil.example'] }, /eve@evil\.example is not a recipient of this compose window/],
    [7, GOOD, { recipients: [] }, /no recipients/],
    [7, GOOD, { recipients: ['bob@example.com, eve@evil.example'] }, /not distinct addresses/],
    // Bytes that are not this draft's S/MIME message.
    [7, GOOD.replace('application/pkcs7-mime', 'text/plain'), { recipients: ['bob@example.com'] }, /only S\/MIME messages/],
    [7, GOOD.replace('From: Alice <alice@example.com>', 'From: CEO <ceo@example.com>'), { recipients: ['bob@example.com'] }, /From is not the compose window's From/],
    [7, GOOD.replace('Cc: dave@example.com', 'Cc: dave@example.com\r\nBcc: carol@example.com'), { recipients: ['bob@example.com'] }, /must not carry a Bcc header/],
    [7, GOOD.replace('Cc: dave@example.com', 'Cc: carol@example.com'), { recipients: ['bob@example.com'] }, /To\/Cc names carol@example\.com/],
    [7, 'no header at all', { recipients: ['bob@example.com'] }, /no readable header/],
    [7, '', { recipients: ['bob@example.com'] }, /missing or too large/],
  ];
  for (const [tabId, raw, opts, why] of refused) {
    const r = await api.sendRaw(tabId, raw, opts);
    assert.equal(r.ok, false, String(why));
    assert.match(r.error ?? '', why);
    assert.doesNotMatch(r.error ?? '', /\n/, 'one line');
  }
  assert.equal(sent.length, 2, 'nothing refused reached the outgoing server');
});

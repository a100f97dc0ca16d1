/**
 * Sending through the add-on, end to end: real Thunderbird with an identity whose outgoing server is an SMTP
 * server on 127.0.0.1 run by this test; the user's PKCS#12 imported through the options page; a message written
 * in a compose window, "Sign" chosen in the compose action's popup, Send pressed. What reaches the SMTP server
 * must be a real multipart/signed message that `openssl cms -verify` accepts against the test root, with the
 * text the user wrote. A send that cannot be protected must leave the compose window (the draft) open.
 * Header protection (RFC 9788, on by default): the signed part carries the Subject under hp="clear"; encrypted mail
 * arrives with "Subject: [...]" and the real Subject inside (hp="cipher", a legacy display element at the top of the
 * text). Thunderbird's own S/MIME (NSS) then opens what we sent: signature valid, decrypted, and its reader shows
 * the real Subject through the legacy display element (screenshot); our add-on reads the real Subject back.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { makePki, opensslDecrypt, opensslVerify, runOpenssl, type IssuedCert, type Pki } from '../support/pki';
import { Thunderbird, smtpPrefs, sleep, waitFor } from './harness';
import {
  ADDON_ID,
  addPemInOptions,
  closeComposePopup,
  closePageTabs,
  composeButton,
  composeWindowCount,
  importP12InOptions,
  importP12IntoThunderbird,
  inPage,
  openComposePopup,
  openOptions,
  openPopup,
  screenshotWindowOf,
  screenshotWithPopup,
  settledButton,
} from './ui-probe';
import { artifactsDir, builtXpi, thunderbirdOrSkip } from './support';
import { readFileSync, readdirSync } from 'node:fs';
import { createPrivateKey } from 'node:crypto';
import { parseMime, getHeader, bodyText, walkEntities } from '../../src/mime/index';
import { buildMessage, decryptMessage, encryptMessage, importPkcs12, loadCertificates, verifyMessage } from '../../src/index';
import { changeOuter } from '../support/hp-fixtures';

interface Received {
  from: string;
  to: string[];
  raw: Buffer;
}

function startSmtp(): Promise<{ server: SMTPServer; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        cb();
      });
    },
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const a = server.server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0, received });
    });
  });
}

const env = thunderbirdOrSkip();

describe('Thunderbird: sign and send through the add-on', { skip: env.skip || undefined }, () => {
  let tb: Thunderbird;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let pki: Pki;
  let alice: IssuedCert;
  let bob: IssuedCert;
  let carol: IssuedCert;
  let dave: IssuedCert;
  /** What the tests above sent, for Thunderbird's own S/MIME to open. */
  const sent: { signed?: Buffer; encrypted?: Buffer } = {};
  /** The encrypted message from Bob the reply tests answer (its Thunderbird id), and its protected Subject. */
  let incomingId: number | undefined;
  const real = 'Budget 2027: final numbers';

  before(async () => {
    pki = await makePki();
    alice = await pki.issue({ name: 'Alice Sender', email: 'alice@example.com' });
    bob = await pki.issue({ name: 'Bob Recipient', email: 'bob@example.com' });
    carol = await pki.issue({ name: 'Carol Blind', email: 'carol@example.com' });
    dave = await pki.issue({ name: 'Dave Blind', email: 'dave@example.com' });
    smtp = await startSmtp();
    tb = await Thunderbird.launch(env.bin!, {
      addons: [{ id: ADDON_ID, xpi: await builtXpi() }],
      extraPrefs: smtpPrefs(smtp.port, 'alice@example.com'),
    });
    await openOptions(tb.marionette);
    const st = await importP12InOptions(tb.marionette, readFileSync(await alice.makeP12('correct horse')), 'correct horse');
    assert.match(st, /Imported the certificate for alice@example.com/);
    await closePageTabs(tb.marionette, '/options.html');
  });
  after(async () => {
    // The add-on's own log lines (and errors) help when a send fails.
    for (const l of tb?.log ?? []) if (/smime-addin|smimeSend|Error|error/.test(l)) console.log(`# tb: ${l.slice(0, 400)}`);
    await tb?.stop();
    await new Promise<void>((r) => (smtp ? smtp.server.close(() => r()) : r()));
  });

  async function compose(subject: string, body: string, extra: { bcc?: string[] } = {}): Promise<number> {
    const ids = await tb.driver('identities');
    const id = ids.find((i: { email: string }) => i.email === 'alice@example.com');
    assert.ok(id, `the test identity exists: ${JSON.stringify(ids)}`);
    const { tabId } = await tb.driver('compose', {
      identityId: id.id,
      to: ['Bob <bob@example.com>'],
      ...extra,
      subject,
      plainTextBody: body,
      isPlainText: true,
    });
    return tabId;
  }

  async function choose(sign: boolean, encrypt: boolean): Promise<void> {
    await openComposePopup(tb.marionette);
    const saved = await inPage<string>(
      tb.marionette,
      '/compose.html',
      `const s = doc.getElementById("sign"), e = doc.getElementById("encrypt");
       if (s.checked !== ${sign}) s.click();
       if (e.checked !== ${encrypt}) e.click();
       for (let i = 0; i < 200 && doc.body.dataset.saved === undefined; i++) await new Promise((r) => win.setTimeout(r, 25));
       return doc.body.dataset.saved;`,
    );
    assert.equal(saved, `${sign ? 'sign' : ''}${encrypt ? '+encrypt' : ''}`);
    await closeComposePopup(tb.marionette);
  }

  /** Sends with encryption off: nothing may reach the server, and the compose button says why (`why`). */
  async function refusedWithoutEncryption(tabId: number, why: RegExp): Promise<void> {
    const before = smtp.received.length;
    await choose(true, false);
    await tb.driver('send', { tabId });
    await sleep(1500);
    assert.equal(smtp.received.length, before, 'nothing was sent unencrypted');
    const btn = await composeButton(tb.marionette);
    assert.equal(btn?.badge, '!');
    assert.match(btn?.title ?? '', why, btn?.title);
  }

  test('Sign: what arrives is multipart/signed and openssl cms -verify accepts it', async () => {
    const before = smtp.received.length;
    const body = 'Hello Bob,\nthe numbers are final.\n— Alice';
    const tabId = await compose('Signed through the add-on', body);
    await choose(true, false);
    await tb.driver('send', { tabId });
    for (let i = 0; i < 150 && smtp.received.length === before; i++) await sleep(100);
    assert.equal(smtp.received.length, before + 1, 'one message reached the SMTP server');
    const got = smtp.received[smtp.received.length - 1];
    assert.deepEqual(got.to, ['bob@example.com']);
    assert.equal(got.from, 'alice@example.com');
    const path = join(artifactsDir(), 'sent-signed.eml');
    writeFileSync(path, got.raw);
    const head = got.raw.toString('latin1').split('\r\n\r\n')[0];
    assert.match(head, /^Content-Type: multipart\/signed; protocol="application\/pkcs7-signature"/im);
    assert.match(head, /^Subject: Signed through the add-on$/m);
    const v = await opensslVerify(path, { CAfile: pki.root.certPath });
    assert.ok(v.ok, `openssl cms -verify: ${v.stderr}`);
    assert.match(v.content.toString('utf8'), /the numbers are final\./);
    // Header protection: the signed part carries the message's fields (RFC 9788 hp="clear").
    const signedPart = parseMime(new Uint8Array(v.content));
    assert.ok(signedPart.ok);
    assert.equal(signedPart.root.contentType.params.hp, 'clear');
    assert.equal(getHeader(signedPart.root, 'subject'), 'Signed through the add-on');
    sent.signed = got.raw;
    // The compose window closes after a successful send.
    for (let i = 0; i < 50 && (await composeWindowCount(tb.marionette)) > 0; i++) await sleep(100);
    assert.equal(await composeWindowCount(tb.marionette), 0);
  });

  test('Encrypt without the recipient\'s certificate: nothing is sent, the draft stays open and says why', async () => {
    const before = smtp.received.length;
    const tabId = await compose('Must not leave unencrypted', 'Secret plans.');
    await choose(false, true);
    await tb.driver('send', { tabId });
    await sleep(1500);
    assert.equal(smtp.received.length, before, 'nothing reached the SMTP server');
    assert.equal(await composeWindowCount(tb.marionette), 1, 'the compose window is still open');
    const details = await tb.driver('composeDetails', { tabId });
    assert.match(details.plainTextBody, /Secret plans\./, 'the text is unchanged');
    const btn = await composeButton(tb.marionette);
    assert.equal(btn?.badge, '!');
    assert.match(btn?.title ?? '', /^Not sent: no certificate known for bob@example\.com/);
    await tb.driver('closeTab', { tabId }).catch(() => undefined);
    for (let i = 0; i < 50 && (await composeWindowCount(tb.marionette)) > 0; i++) await sleep(100);
  });

  test('Sign + encrypt: arrives as application/pkcs7-mime; openssl cms -decrypt, then -verify, give the text', async () => {
    // Bob's certificate, added through the options page as a user would.
    await openOptions(tb.marionette);
    assert.match(await addPemInOptions(tb.marionette, 'recip', bob.certPem), /Added 1 certificate/);
    await closePageTabs(tb.marionette, '/options.html');

    const before = smtp.received.length;
    const tabId = await compose('Encrypted through the add-on', 'The launch is on 3 March.\nKeep it quiet.');
    await choose(true, true);
    // The compose popup says what header protection will do to this message.
    await openComposePopup(tb.marionette);
    const note = await inPage<string>(tb.marionette, '/compose.html', `
      for (let i = 0; i < 200 && doc.getElementById("header-note").hidden; i++) await new Promise((r) => win.setTimeout(r, 25));
      return doc.getElementById("header-note").textContent;`);
    assert.equal(note, 'Header protection: mail servers see the Subject as "[...]"; recipients see the real one.');
    writeFileSync(join(artifactsDir(), 'compose-popup-header-protection.png'), await screenshotWindowOf(tb.marionette, '/compose.html'));
    await closeComposePopup(tb.marionette);
    await tb.driver('send', { tabId });
    for (let i = 0; i < 150 && smtp.received.length === before; i++) await sleep(100);
    assert.equal(smtp.received.length, before + 1, 'one message reached the SMTP server');
    const got = smtp.received[smtp.received.length - 1];
    const path = join(artifactsDir(), 'sent-encrypted.eml');
    writeFileSync(path, got.raw);
    const head = got.raw.toString('latin1').split('\r\n\r\n')[0];
    assert.match(head, /^Content-Type: application\/pkcs7-mime; smime-type=enveloped-data/im);
    // Header protection, hcp_baseline: relays see "[...]", not the Subject.
    assert.match(head, /^Subject: \[\.\.\.\]$/m);
    assert.doesNotMatch(got.raw.toString('latin1'), /Encrypted through the add-on/, 'the Subject is not on the wire');
    assert.doesNotMatch(got.raw.toString('latin1'), /launch is on 3 March/, 'no plaintext on the wire');
    const dec = await opensslDecrypt(path, { recipient: bob });
    assert.ok(dec.ok, `openssl cms -decrypt: ${dec.stderr}`);
    const inner = join(artifactsDir(), 'sent-encrypted.inner.eml');
    writeFileSync(inner, dec.content);
    assert.match(dec.content.toString('latin1'), /^Content-Type: multipart\/signed/im, 'signed inside the encryption');
    const v = await opensslVerify(inner, { CAfile: pki.root.certPath });
    assert.ok(v.ok, `openssl cms -verify of the decrypted content: ${v.stderr}`);
    assert.match(v.content.toString('utf8'), /The launch is on 3 March\./);
    const payload = parseMime(new Uint8Array(v.content));
    assert.ok(payload.ok);
    assert.equal(payload.root.contentType.params.hp, 'cipher');
    assert.equal(getHeader(payload.root, 'subject'), 'Encrypted through the add-on');
    assert.ok(getHeader(payload.root, 'hp-outer'), 'HP-Outer records what went outside');
    const text = [...walkEntities(payload.root)].find((e) => e.contentType.mediaType === 'text/plain')!;
    assert.equal(text.contentType.params['hp-legacy-display'], '1');
    assert.ok(bodyText(text).startsWith('Subject: Encrypted through the add-on\r\n\r\nThe launch is on 3 March.'), bodyText(text));
    // The sender can read their own copy: Alice is a recipient too.
    assert.ok((await opensslDecrypt(path, { recipient: alice })).ok, 'the sender is a recipient as well');
    sent.encrypted = got.raw;
  });

  test('a reply to an encrypted message started from "Re: [...]" (its obscured outer Subject) and from the outer recipients: it gets "Re: <protected Subject>", the protected recipients, encryption, and goes out with "[...]" outside (RFC 9788 §6)', async () => {
    // Bob writes to Alice, signed and encrypted with header protection (hcp_baseline: "[...]" outside); on the way
    // Mallory adds herself as Cc outside the encryption (§6.2). Only the add-on has Alice's key at this point.
    const bobP12 = await importPkcs12(new Uint8Array(readFileSync(await bob.makeP12('bob pw'))), 'bob pw');
    assert.ok(bobP12.ok);
    const built = buildMessage(
      { from: { name: 'Bob Recipient', address: 'bob@example.com' }, to: [{ name: 'Alice Sender', address: 'alice@example.com' }], cc: [], subject: real, text: 'The numbers are final: 4.2 million.\r\n', attachments: [] },
      { date: new Date(), random: (n) => crypto.getRandomValues(new Uint8Array(n)) },
    );
    assert.ok(built.ok);
    const enc = await encryptMessage(built.message, [new Uint8Array(alice.certDer)], { sender: bobP12.identity, sign: true });
    assert.ok(enc.ok);
    const incoming = changeOuter(Buffer.from(enc.message), 'Cc', 'Mallory <mallory@evil.example>');
    assert.match(incoming.toString('latin1'), /^Subject: \[\.\.\.\]\r$/m);
    tb.files.set('hp-incoming.eml', new Uint8Array(incoming));
    const { id, subject } = await tb.driver('import', { file: 'hp-incoming.eml' });
    assert.equal(subject, '[...]', 'the folder list shows the outer Subject');
    incomingId = id;

    const { tabId } = await tb.driver('reply', { messageId: id, replyType: 'replyToAll' });
    let details: { subject?: string; to?: string[]; cc?: string[] } = {};
    const fixed = await waitFor(async () => {
      details = await tb.driver('composeDetails', { tabId });
      return details.subject === `Re: ${real}` && !JSON.stringify(details).includes('mallory');
    }, 20000);
    assert.ok(fixed, `the reply's Subject and recipients: ${JSON.stringify({ subject: details.subject, to: details.to, cc: details.cc })}`);
    assert.ok([...(details.to ?? []), ...(details.cc ?? [])].some((r) => r.includes('bob@example.com')), JSON.stringify(details));
    // The reply to an encrypted message is encrypted by default (the compose action's popup says so).
    await openComposePopup(tb.marionette);
    const boxes = await inPage<{ sign: boolean; encrypt: boolean; note: string }>(tb.marionette, '/compose.html', `
      return { sign: doc.getElementById("sign").checked, encrypt: doc.getElementById("encrypt").checked, note: doc.body.innerText };`);
    assert.equal(boxes.encrypt, true, `encrypt is on for a reply to an encrypted message: ${JSON.stringify(boxes)}`);
    writeFileSync(join(artifactsDir(), 'thunderbird-reply-protected-subject.png'), await screenshotWithPopup(tb.marionette, 'msgcompose'));
    await closeComposePopup(tb.marionette);

    // Sent without encryption, the reply would put the protected Subject on the wire: refused, draft kept.
    await refusedWithoutEncryption(tabId, /would show the Subject of the encrypted message you are replying to \('Budget 2027: final numbers'\) to mail servers/);

    const before = smtp.received.length;
    await choose(true, true);
    await tb.driver('send', { tabId });
    for (let i = 0; i < 150 && smtp.received.length === before; i++) await sleep(100);
    assert.equal(smtp.received.length, before + 1, 'the encrypted reply was sent');
    const got = smtp.received[smtp.received.length - 1];
    assert.deepEqual(got.to, ['bob@example.com'], 'Mallory, named only outside the encryption, gets nothing');
    const wire = got.raw.toString('latin1');
    const head = wire.split('\r\n\r\n')[0];
    assert.match(head, /^Subject: \[\.\.\.\]$/m, 'outside: "[...]" again');
    assert.doesNotMatch(wire, /Budget 2027|mallory/i, 'neither the Subject nor Mallory on the wire');
    assert.match(head, /^In-Reply-To: <[^>]+>$/m);
    const path = join(artifactsDir(), 'sent-reply-encrypted.eml');
    writeFileSync(path, got.raw);
    const dec = await opensslDecrypt(path, { recipient: bob });
    assert.ok(dec.ok, dec.stderr);
    writeFileSync(`${path}.inner.eml`, dec.content);
    const v = await opensslVerify(`${path}.inner.eml`, { CAfile: pki.root.certPath });
    assert.ok(v.ok, v.stderr);
    const payloadPart = parseMime(new Uint8Array(v.content));
    assert.ok(payloadPart.ok);
    assert.equal(payloadPart.root.contentType.params.hp, 'cipher');
    assert.equal(getHeader(payloadPart.root, 'subject'), `Re: ${real}`, 'inside: the real Subject, protected');
    const originalId = /^Message-ID: (<[^>]+>)\r$/im.exec(incoming.toString('latin1'))?.[1];
    assert.ok(originalId);
    assert.equal(getHeader(payloadPart.root, 'in-reply-to'), originalId, 'it threads under the message replied to');
    for (let i = 0; i < 50 && (await composeWindowCount(tb.marionette)) > 0; i++) await sleep(100);
  });

  test("Thunderbird's own S/MIME opens what we sent: signature valid, decrypted, the real Subject shown by the legacy display element; the add-on reads the real Subject back", async () => {
    assert.ok(sent.signed && sent.encrypted, 'the two tests above sent their messages');
    // Thunderbird's own store (NSS): the test root trusted for e-mail, Alice's key (she is a recipient of her own mail).
    const rootB64 = pki.root.certPem.replace(/-----[^-]+-----|\s+/g, '');
    const trusted = await tb.marionette.chrome(
      `const [b64] = arguments;
       const db = Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
       try { db.addCertFromBase64(b64, "C,C,C"); } catch (e) {}
       const cert = db.constructX509FromBase64(b64);
       db.setCertTrust(cert, Ci.nsIX509Cert.CA_CERT, Ci.nsIX509CertDB.TRUSTED_EMAIL);
       return db.isCertTrusted(cert, Ci.nsIX509Cert.CA_CERT, Ci.nsIX509CertDB.TRUSTED_EMAIL);`,
      [rootB64],
    );
    assert.equal(trusted, true, 'the test root is trusted in NSS');
    assert.equal(await importP12IntoThunderbird(tb.marionette, await alice.makeP12('nss pw'), 'nss pw'), 0);
    // The add-on trusts the same root, as a user would add it in the options page.
    await openOptions(tb.marionette);
    assert.match(await addPemInOptions(tb.marionette, 'anchor', pki.root.certPem), /Added 1 certificate/);
    await closePageTabs(tb.marionette, '/options.html');

    const aliceP12 = await importPkcs12(new Uint8Array(readFileSync(await alice.makeP12('core pw'))), 'core pw');
    assert.ok(aliceP12.ok);
    const aliceId = aliceP12.identity;
    const anchors = loadCertificates(readFileSync(pki.root.certPath)).certs;
    for (const [name, raw, encrypted] of [
      ['hp-signed.eml', sent.signed, false],
      ['hp-encrypted.eml', sent.encrypted, true],
    ] as const) {
      tb.files.set(name, new Uint8Array(raw));
      const { id, subject } = await tb.driver('import', { file: name });
      assert.equal(subject, encrypted ? '[...]' : 'Signed through the add-on', 'the folder list shows the outer Subject');
      const { tabId } = await tb.driver('open', { messageId: id });
      // Thunderbird's own S/MIME result in the message header (about:message: gSignatureStatus / gEncryptionStatus,
      // 0 = nsICMSMessageErrors.SUCCESS) and the text its reader shows.
      let last: unknown;
      const own = await waitFor(async () => {
        const r = (last = await tb.marionette.chrome(`
          const w = Services.wm.getMostRecentWindow("mail:3pane");
          const about = w.document.getElementById("tabmail").currentTabInfo.chromeBrowser.contentWindow;
          const body = about.getMessagePaneBrowser().contentDocument.body;
          return { sig: about.gSignatureStatus, enc: about.gEncryptionStatus,
                   signedIcon: about.document.getElementById("signedHdrIcon").getAttribute("src") || "",
                   encryptedIcon: about.document.getElementById("encryptedHdrIcon").getAttribute("src") || "",
                   text: body ? body.innerText : "" };`));
        return r && r.sig === 0 && (!encrypted || r.enc === 0) && /launch|numbers/.test(r.text) ? r : undefined;
      }, 20000);
      assert.ok(own, `Thunderbird's own S/MIME status: ${JSON.stringify(last)}`);
      assert.match(own.signedIcon, /message-signed-ok\.svg$/, JSON.stringify(own));
      if (encrypted) {
        assert.match(own.encryptedIcon, /message-encrypted-ok\.svg$/, JSON.stringify(own));
        // Thunderbird does not know RFC 9788: the legacy display element is how its reader sees the real Subject.
        assert.match(own.text, /^\s*Subject: Encrypted through the add-on\s+The launch is on 3 March\./, own.text);
      }
      // Our add-on: trusted, with the headers covered by the signature; the core reads the real Subject back.
      const btn = await settledButton(tb.marionette, 20000);
      assert.match(btn.title, /^Signed and trusted/, btn.title);
      const popup = await openPopup(tb.marionette);
      assert.match(popup.text, /The signature covers the Subject, From, To and Date as well as the body\./, popup.text);
      const back = encrypted
        ? await decryptMessage(new Uint8Array(raw), aliceId, { anchors })
        : { ok: true as const, verdict: await verifyMessage(new Uint8Array(raw), { anchors }) };
      assert.ok(back.ok);
      assert.equal(back.verdict.headerProtection?.protected, true);
      assert.equal(back.verdict.headerProtection?.mode, encrypted ? 'cipher' : 'clear');
      assert.equal(back.verdict.headerProtection?.headers.subject, encrypted ? 'Encrypted through the add-on' : 'Signed through the add-on');
      assert.deepEqual(back.verdict.headerProtection?.changed, []);
      writeFileSync(join(artifactsDir(), `thunderbird-own-smime-${encrypted ? 'encrypted' : 'signed'}-hp.png`), await screenshotWithPopup(tb.marionette));
      await tb.driver('closeTab', { tabId });
    }
  });

  test('where Thunderbird decrypts too, its reply quoted the legacy display element ("> Subject: …") and could send the quoted text unencrypted: the quote drops it, and an unencrypted send of the quote is refused (RFC 9788 §4.5.3, §6.1)', async () => {
    // Alice's key is in Thunderbird's own store now (the test above): Thunderbird decrypts Bob's message and quotes it.
    assert.ok(incomingId !== undefined, 'the reply test above imported the message');
    const { tabId } = await tb.driver('reply', { messageId: incomingId, replyType: 'replyToSender' });
    let d: { subject?: string; plainTextBody?: string } = {};
    const ready = await waitFor(async () => {
      d = await tb.driver('composeDetails', { tabId });
      return d.subject === `Re: ${real}` && /> The numbers are final: 4\.2 million\./.test(d.plainTextBody ?? '');
    }, 20000);
    assert.ok(ready, `the draft: ${JSON.stringify(d)}`);
    assert.doesNotMatch(d.plainTextBody ?? '', /Subject: Budget 2027/, `the legacy display element is not quoted: ${JSON.stringify(d.plainTextBody)}`);
    writeFileSync(join(artifactsDir(), 'thunderbird-reply-quote-without-legacy-display.png'), await screenshotWithPopup(tb.marionette, 'msgcompose'));
    // The user rewrites the Subject (theirs to send) and turns encryption off: the quoted text still must not leave in the clear.
    await tb.driver('setDetails', { tabId, details: { subject: 'Our numbers' } });
    await refusedWithoutEncryption(tabId, /this reply quotes the encrypted message you are replying to/);
    await tb.driver('closeTab', { tabId }).catch(() => undefined);
    for (let i = 0; i < 50 && (await composeWindowCount(tb.marionette)) > 0; i++) await sleep(100);
  });

  test('Bcc: each Bcc recipient gets a separately encrypted copy; the To/Cc copy does not name them', async () => {
    // Bob's certificate is in the directory from the test before; add the two Bcc recipients'.
    await openOptions(tb.marionette);
    assert.match(await addPemInOptions(tb.marionette, 'recip', carol.certPem + dave.certPem), /Added 2 certificates/);
    await closePageTabs(tb.marionette, '/options.html');

    const before = smtp.received.length;
    const tabId = await compose('Blind copies', 'Budget draft attached in spirit.', { bcc: ['Carol <carol@example.com>', 'dave@example.com'] });
    await choose(true, true);
    await tb.driver('send', { tabId });
    for (let i = 0; i < 200 && smtp.received.length < before + 3; i++) await sleep(100);
    const got = smtp.received.slice(before);
    assert.equal(got.length, 3, 'three messages: one to To/Cc, one per Bcc recipient');
    assert.deepEqual(got.map((g) => g.to), [['bob@example.com'], ['carol@example.com'], ['dave@example.com']], 'each envelope names only its own recipients');

    const recipientsOf = async (path: string) => {
      const r = await runOpenssl(['cms', '-cmsout', '-print', '-in', path, '-inform', 'SMIME']);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.toString('latin1');
    };
    // `openssl cms -print` writes a serial number in decimal, or in hex (0x…) when it is large.
    const serialIn = (printed: string, c: IssuedCert) => {
      const n = BigInt(`0x${c.serial}`);
      return new RegExp(`serialNumber: (${n}|0x0*${n.toString(16)})\\s*$`, 'im').test(printed);
    };
    const paths = got.map((g, i) => {
      const path = join(artifactsDir(), `sent-bcc-${i}.eml`);
      writeFileSync(path, g.raw);
      const head = g.raw.toString('latin1').split('\r\n\r\n')[0];
      assert.doesNotMatch(head, /^Bcc:/im, 'no Bcc header on the wire');
      assert.match(head, /^To: "?Bob"? <bob@example\.com>$/m, "every copy shows the same To");
      assert.doesNotMatch(g.raw.toString('latin1'), /Budget draft/, 'no plaintext on the wire');
      return path;
    });
    // The To/Cc copy: its RecipientInfos name Bob and Alice, never a Bcc recipient.
    const main = await recipientsOf(paths[0]);
    assert.equal((main.match(/d\.ktri:/g) ?? []).length, 2, 'two RecipientInfos: Bob and the sender');
    assert.ok(serialIn(main, bob) && serialIn(main, alice), 'Bob and Alice are named');
    assert.ok(!serialIn(main, carol) && !serialIn(main, dave), 'no Bcc recipient is named in the To/Cc copy');
    assert.ok((await opensslDecrypt(paths[0], { recipient: bob })).ok);
    assert.equal((await opensslDecrypt(paths[0], { recipient: carol })).ok, false, 'Carol cannot open the To/Cc copy');
    // Each Bcc copy: decryptable by its Bcc recipient (and the sender), naming nobody else.
    for (const [path, who, other] of [[paths[1], carol, dave], [paths[2], dave, carol]] as const) {
      const printed = await recipientsOf(path);
      assert.equal((printed.match(/d\.ktri:/g) ?? []).length, 2, `${who.name}: two RecipientInfos`);
      assert.ok(!serialIn(printed, other) && !serialIn(printed, bob), `${who.name}'s copy names neither Bob nor the other Bcc recipient`);
      const dec = await opensslDecrypt(path, { recipient: who });
      assert.ok(dec.ok, `openssl cms -decrypt as ${who.name}: ${dec.stderr}`);
      const inner = `${path}.inner.eml`;
      writeFileSync(inner, dec.content);
      const v = await opensslVerify(inner, { CAfile: pki.root.certPath });
      assert.ok(v.ok, `signed by Alice: ${v.stderr}`);
      assert.match(v.content.toString('utf8'), /Budget draft attached in spirit\./);
      assert.doesNotMatch(dec.content.toString('latin1'), /^Bcc:/im);
    }
    console.log(`# Bcc: ${got.length} messages on the wire; To/Cc copy RecipientInfos: Bob + Alice; each Bcc copy: its recipient + Alice`);
  });

  test('keys at rest: a key imported with a passphrase leaves no private key bytes in the Thunderbird profile', async () => {
    // Alice was imported without a passphrase (before()): her prime IS in the profile's storage, which shows the
    // scan can find key material, and is what the options page now says plainly. Dave's key goes in under a passphrase.
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
    const prime = (c: IssuedCert) => Buffer.from((createPrivateKey(c.keyPem).export({ format: 'jwk' }) as { p: string }).p, 'base64url').subarray(0, 32);
    const inProfile = (needle: Buffer) => files(join(tb.profile, 'storage')).filter((f) => readFileSync(f).includes(needle));

    await openOptions(tb.marionette);
    const st = await importP12InOptions(tb.marionette, readFileSync(await dave.makeP12('pw')), 'pw', 'a passphrase for tests');
    assert.match(st, /Imported the certificate for dave@example\.com, stored encrypted under your passphrase/);
    const protection = await inPage<string>(tb.marionette, '/options.html', 'return doc.getElementById("keys-protection").textContent;');
    assert.match(protection, /protected by your passphrase and unlocked until Thunderbird quits/);
    writeFileSync(join(artifactsDir(), 'options-keys-passphrase.png'), await screenshotWindowOf(tb.marionette, '/options.html'));
    await closePageTabs(tb.marionette, '/options.html');
    await sleep(1500); // let IndexedDB write through to its files

    const alicePrime = inProfile(prime(alice));
    assert.ok(alicePrime.length > 0, 'the key stored without a passphrase is readable from the profile (what the page warns about)');
    assert.deepEqual(inProfile(prime(dave)), [], 'no file of the profile holds the prime of the key stored under the passphrase');
    console.log(`# Thunderbird profile: alice (no passphrase) prime found in ${alicePrime.map((f) => f.slice(tb.profile.length)).join(', ')}; dave (passphrase) prime in no file`);
  });
});

/**
 * Issue 10, "the same classes will have siblings": spoofing siblings of items 1-7 and 17, found by attacking the
 * current main the way the issue's review did. Each test is named after the bug it prevents and was red before
 * its fix. The attacker holds a cheap, publicly trusted certificate for eve@evil.example and controls headers,
 * MIME structure, certificate bag and sizes; the question is always whether the reader could see a sender or
 * content the green "Signed and trusted" does not vouch for.
 *
 * What Thunderbird shows for each shape was measured in real Thunderbird 153 (header pane and message list),
 * not guessed: the comments name what it showed. Fixtures are made at test time with OpenSSL.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as pkijs from 'pkijs';
import { verifyMessage, type Verdict, type VerifyOptions } from '../../src/index';
import { parseMime, getHeaders, splitSigned, stripMozillaPrefix } from '../../src/mime/index';
import { bareCrOutsideSignature, delimiterLookAlike } from '../../src/coverage';
import { lookAlikeDomain } from '../../src/mime/look-alike';
import { bindSender } from '../../src/sender';
import { textEntity } from '../support/messages';
import { makePki, smimeSign, type IssuedCert, type Pki } from '../support/pki';

const AT = new Date(Date.UTC(2030, 0, 1));
let pki: Pki;
let eve: IssuedCert;
/** eve's multipart/signed as OpenSSL writes it: "MIME-Version" and "Content-Type" lines, blank line, body. */
let signedByEve: string;
before(async () => {
  pki = await makePki();
  eve = await pki.issue({ name: 'Eve', email: 'eve@evil.example' });
  signedByEve = (await smimeSign({ signer: eve, content: textEntity('Please wire the money today.\r\n'), headers: false })).bytes.toString('latin1');
});

const certOf = (c: IssuedCert) => pkijs.Certificate.fromBER(new Uint8Array(c.certDer));
const opts = (extra: Partial<VerifyOptions> = {}): VerifyOptions => ({ anchors: [certOf(pki.root)], at: AT, ...extra });
const codes = (v: Verdict) => v.reasons.map((r) => r.code);
const brief = (v: Verdict) => `${v.verdict} ${v.trust} ${v.sender}: ${v.reasons.map((r) => `${r.code} ${r.message}`).join(' | ')}`;
const latin1 = (s: string) => Buffer.from(s, 'latin1');
const utf8AsLatin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

/** Top header lines (CRLF), From first. */
function top(from: string, subject = 'Wire'): string {
  return `From: ${from}\r\nTo: bob@example.test\r\nSubject: ${subject}\r\nDate: Mon, 15 Jan 2024 10:30:00 +0000\r\nMessage-ID: <sibling@example.test>\r\n`;
}

/** eve's signed message split where OpenSSL's header ends: [its header lines, its body]. */
function parts(): { ct: string; body: string; boundary: string } {
  const end = signedByEve.indexOf('\r\n\r\n');
  const head = signedByEve.slice(0, end);
  const boundary = /boundary="([^"]+)"/.exec(head)![1];
  return { ct: head.slice(head.indexOf('Content-Type:')), body: signedByEve.slice(end + 4), boundary };
}

// ---- a CR that does not end a line ------------------------------------------------------------------------------

test('a bare CR outside the signed bytes makes Thunderbird split a line we do not: never trusted', async () => {
  const { ct, body, boundary } = parts();
  const cases: Array<[string, string]> = [
    // Thunderbird shows From: ceo@corp.example (header pane and message list); we saw only eve's From.
    ['hidden From', `X-Note: x\rFrom: ceo@corp.example\r\n${top('eve@evil.example')}MIME-Version: 1.0\r\n${ct}\r\n\r\n${body}`],
    // Thunderbird renders the body as this HTML (first Content-Type), the signed part is not shown.
    ['hidden Content-Type', `${top('eve@evil.example')}X-Note: x\rContent-Type: text/html\r\n${ct}\r\n\r\n<b>Wire to IBAN XX</b><div hidden>\r\n${body}`],
    // "\r\r\n" ends Thunderbird's header block: it shows the rest, preamble included, as plain text and no From.
    ['header block ended early', `${top('eve@evil.example')}X-Note: x\r\r\nMIME-Version: 1.0\r\n${ct}\r\n\r\nWire to IBAN XX\r\n\r\n${body}`],
    // A delimiter after a CR in the preamble: Thunderbird finds other parts (it showed an empty body).
    ['preamble delimiter', `${top('eve@evil.example')}MIME-Version: 1.0\r\n${ct}\r\n\r\nx\r--${boundary}\r\nContent-Type: text/plain\r\n\r\nWire to IBAN XX\r\n${body.slice(body.indexOf(`--${boundary}\r\n`))}`],
    // In the signature part (outside the signed bytes too).
    ['signature part', `${top('eve@evil.example')}MIME-Version: 1.0\r\n${ct}\r\n\r\n${body.replace(/(application\/(?:x-)?pkcs7-signature[^\r]*)\r\n/, '$1\rContent-Type: text/plain\r\n')}`],
  ];
  for (const [name, msg] of cases) {
    const v = await verifyMessage(latin1(msg), opts());
    assert.notEqual(v.verdict, 'trusted', `${name}: ${brief(v)}`);
    assert.ok(codes(v).includes('bare-carriage-return'), `${name}: ${brief(v)}`);
  }
});

test("a bare CR in a line that looks like Thunderbird's X-Mozilla-Status is not stripped with it", async () => {
  const { ct, body } = parts();
  // Thunderbird showed From: ceo@corp.example for this message; stripping the whole line hid the CR from the check.
  const msg = latin1(`X-Mozilla-Status: 0001\rFrom: ceo@corp.example\r\n${top('eve@evil.example')}MIME-Version: 1.0\r\n${ct}\r\n\r\n${body}`);
  assert.equal(stripMozillaPrefix(msg).length, msg.length);
  const v = await verifyMessage(msg, opts());
  assert.notEqual(v.verdict, 'trusted', brief(v));
  // Thunderbird's own prefix (LF lines) is still stripped.
  const own = latin1(`From - Mon Jan 15 10:30:00 2024\nX-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n${top('eve@evil.example')}MIME-Version: 1.0\r\n${ct}\r\n\r\n${body}`);
  assert.equal((await verifyMessage(own, opts())).verdict, 'trusted');
});

test('a bare CR inside the signed content is covered by the signature: no false alarm', async () => {
  const m = await smimeSign({ signer: eve, content: textEntity('Line one\rstill line one for us\r\n'), headers: false });
  const v = await verifyMessage(Buffer.concat([latin1(top('eve@evil.example')), m.bytes]), opts());
  assert.equal(v.verdict, 'trusted', brief(v));
});

test('a bare CR around an inner signature counts for that layer, even inside an outer signed part', async () => {
  // eve signs a multipart/signed of her own whose header hides a Content-Type behind a CR: the inner layer's
  // structure is outside the inner signature (eve's outer signature covers it, but the inner one vouches for what
  // a mail program shows of the inner layer).
  const { ct, body } = parts();
  const inner = latin1(`X-Note: x\rContent-Type: text/html\r\n${ct}\r\n\r\n${body}`);
  const outer = await smimeSign({ signer: eve, content: inner, headers: false, binary: true });
  const v = await verifyMessage(Buffer.concat([latin1(top('eve@evil.example')), outer.bytes]), opts());
  assert.notEqual(v.verdict, 'trusted', brief(v));
  assert.ok(codes(v).includes('bare-carriage-return'), brief(v));
});

test('the bare-CR check is linear: at the 64 MiB message limit it takes a fraction of a second (bound 5 s under load)', async () => {
  // Worst case: an epilogue of CRLF lines (every CR is looked at) up to the limit, a CR and a delimiter at its end.
  const { ct, body, boundary } = parts();
  const head = latin1(`${top('eve@evil.example')}MIME-Version: 1.0\r\n${ct}\r\n\r\n${body}`);
  const tail = latin1(`\r--${boundary}--`);
  const junk = Buffer.alloc(64 * 1024 * 1024 - head.length - tail.length - 1024, 0x0a);
  for (let i = 0; i + 1 < junk.length; i += 2) junk[i] = 0x0d;
  const msg = Buffer.concat([head, junk, tail]);
  const p = parseMime(msg);
  assert.ok(p.ok);
  const split = splitSigned(p.root);
  assert.ok(split.ok);
  let t0 = performance.now();
  assert.equal(bareCrOutsideSignature(p.root, split), 'after the signed part');
  const scanMs = performance.now() - t0;
  assert.ok(scanMs < 5000, `scan took ${scanMs.toFixed(0)} ms`);
  // The whole check on 16 MiB of that shape: refused, in seconds.
  const small = Buffer.concat([head, junk.subarray(junk.length - 16 * 1024 * 1024), tail]);
  t0 = performance.now();
  const v = await verifyMessage(small, opts());
  const ms = performance.now() - t0;
  assert.notEqual(v.verdict, 'trusted', brief(v));
  assert.ok(codes(v).includes('bare-carriage-return'), brief(v));
  assert.ok(ms < 20000, `check took ${ms.toFixed(0)} ms`);
});

test('outside header blocks only a CR before the delimiter counts: a raw-DER signature may hold any byte, no alarm', () => {
  // A signature sent with Content-Transfer-Encoding: binary is raw DER; a CR in it says nothing about lines. What
  // a program that starts lines at a CR would misread there is a delimiter of this multipart.
  const { ct, body, boundary } = parts();
  const judge = (tail: string) => {
    const p = parseMime(latin1(`${top('eve@evil.example')}MIME-Version: 1.0\r\n${ct}\r\n\r\n${body}${tail}`));
    assert.ok(p.ok);
    const split = splitSigned(p.root);
    assert.ok(split.ok);
    return bareCrOutsideSignature(p.root, split);
  };
  assert.equal(judge('\r\x30\x82junk\r\n'), undefined);
  assert.equal(judge(`x\r--${boundary}\r\n`), 'after the signed part');
});

test('a line Thunderbird takes for a delimiter and we do not (boundary with trailing space, "--b" + vertical tab) is never trusted', async () => {
  // Measured in Thunderbird 153: each of these gave it other parts than the ones checked (it showed an empty body
  // under our green badge); the line in the preamble carries text the signature does not cover.
  const { ct, body, boundary } = parts();
  const noB = ct.replace(/;\s*boundary="[^"]+"/, '');
  const evil = (line: string) => `${line}\r\nContent-Type: text/plain\r\n\r\nWire to IBAN XX\r\n`;
  const cases: Array<[string, string]> = [
    ['vertical tab', `${ct}\r\n\r\n${evil(`--${boundary}\x0b`)}${body}`],
    ['form feed', `${ct}\r\n\r\n${evil(`--${boundary}\x0c`)}${body}`],
    ['trailing space in the boundary', `${noB}; boundary="${boundary} "\r\n\r\n${evil(`--${boundary}`)}${body.split(`--${boundary}`).join(`--${boundary} `)}`],
  ];
  for (const [name, rest] of cases) {
    const v = await verifyMessage(latin1(`${top('eve@evil.example')}MIME-Version: 1.0\r\n${rest}`), opts());
    assert.notEqual(v.verdict, 'trusted', `${name}: ${brief(v)}`);
    assert.ok(codes(v).includes('ambiguous-delimiter'), `${name}: ${brief(v)}`);
  }
  // Linear at the 64 MiB limit: an epilogue made only of padded delimiter-like lines (each one looked at).
  const head = latin1(`${top('eve@evil.example')}MIME-Version: 1.0\r\n${ct}\r\n\r\n${body}`);
  const line = latin1(`--${boundary} \t\r\n`);
  const big = Buffer.concat([head, Buffer.alloc(64 * 1024 * 1024 - head.length - 1024).fill(line)]);
  const p = parseMime(big);
  assert.ok(p.ok);
  const split = splitSigned(p.root);
  assert.ok(split.ok);
  const t0 = performance.now();
  assert.equal(delimiterLookAlike(p.root, split), undefined);
  const ms = performance.now() - t0;
  assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
  // Transport padding RFC 2046 allows (space, tab) is a delimiter for both: no alarm.
  const padded = body.split(`--${boundary}\r\n`).join(`--${boundary} \t\r\n`);
  const ok = await verifyMessage(latin1(`${top('eve@evil.example')}MIME-Version: 1.0\r\n${ct}\r\n\r\n${padded}`), opts());
  assert.equal(ok.verdict, 'trusted', brief(ok));
});

// ---- comments in From ---------------------------------------------------------------------------------------------

test('Thunderbird shows comments in From as part of the name: an address in one is a deceptive display name', async () => {
  const { ct, body } = parts();
  const froms = [
    // Thunderbird's header pane: "The CEO (ceo@corp.example) <eve@evil.example>"
    'The CEO (ceo@corp.example) <eve@evil.example>',
    // "(ceo@corp.example) <eve@evil.example>"
    '<eve@evil.example> (ceo@corp.example)',
    '"Eve" <eve@evil.example> (ceo\uff20corp.example)',
    'The CEO (=?utf-8?q?ceo=40corp.example?=) <eve@evil.example>',
    // Thunderbird drops a comment inside the angle brackets; other programs may not.
    '<eve(ceo@corp.example)@evil.example>',
  ];
  for (const from of froms) {
    const b = bindSender({ from: [from], sender: [], replyTo: [] }, ['eve@evil.example']);
    assert.equal(b.status, 'mismatch', `${from}: ${JSON.stringify(b.reasons)}`);
    const v = await verifyMessage(Buffer.from(`${top(from)}MIME-Version: 1.0\r\n${ct}\r\n\r\n${body}`, 'utf8'), opts());
    assert.notEqual(v.verdict, 'trusted', `${from}: ${brief(v)}`);
    assert.ok(codes(v).includes('display-name-deceptive') || codes(v).includes('from-malformed'), `${from}: ${brief(v)}`);
  }
  // Comments without an address stay fine (no false alarm): "Eve (Sales) <eve@evil.example>".
  for (const from of ['Eve (Sales) <eve@evil.example>', 'eve@evil.example (Eve Example)', '<eve@evil.example> (Eve)']) {
    const v = await verifyMessage(latin1(`${top(from)}MIME-Version: 1.0\r\n${ct}\r\n\r\n${body}`), opts());
    assert.equal(v.verdict, 'trusted', `${from}: ${brief(v)}`);
  }
  // Header protection (RFC 9788): eve signed "The CEO <eve@evil.example>"; the outer From adds the comment. The
  // mail program shows the outer one, so the From counts as changed after signing.
  const inner = `Content-Type: text/plain; charset=utf-8; hp="clear"\r\nFrom: The CEO <eve@evil.example>\r\nTo: bob@example.test\r\nSubject: Wire\r\nDate: Mon, 15 Jan 2024 10:30:00 +0000\r\nMessage-ID: <sibling@example.test>\r\n\r\nPlease wire the money today.\r\n`;
  const hp = await smimeSign({ signer: eve, content: inner, headers: false });
  const clean = await verifyMessage(Buffer.concat([latin1(top('The CEO <eve@evil.example>')), hp.bytes]), opts());
  assert.equal(clean.verdict, 'trusted', brief(clean));
  const v = await verifyMessage(Buffer.concat([latin1(top('The CEO (ceo@corp.example) <eve@evil.example>')), hp.bytes]), opts());
  assert.notEqual(v.verdict, 'trusted', brief(v));
  assert.ok(codes(v).includes('header-from-changed'), brief(v));
});

test('an encoded word we cannot decode (UTF-7, a space inside) in the From name is never trusted: Thunderbird decodes it', async () => {
  const { ct, body } = parts();
  const utf7 = Buffer.from('ceo+AEA-corp.example').toString('base64');
  // Thunderbird 153's author for each: "ceo@corp.example" <eve@evil.example>.
  for (const from of [
    '=?utf-7?q?ceo+AEA-corp.example?= <eve@evil.example>',
    `=?utf-7?b?${utf7}?= <eve@evil.example>`,
    '=?utf-8?q?ceo=40corp.example ?= <eve@evil.example>',
    '<eve@evil.example> (=?utf-7?q?ceo+AEA-corp.example?=)',
  ]) {
    const v = await verifyMessage(latin1(`${top(from)}MIME-Version: 1.0\r\n${ct}\r\n\r\n${body}`), opts());
    assert.notEqual(v.verdict, 'trusted', `${from}: ${brief(v)}`);
    assert.ok(codes(v).includes('from-malformed'), `${from}: ${brief(v)}`);
  }
  // Encoded words in known character sets are decoded and judged as usual.
  const ok = await verifyMessage(latin1(`${top('=?iso-8859-1?q?J=FCrgen?= <eve@evil.example>')}MIME-Version: 1.0\r\n${ct}\r\n\r\n${body}`), opts());
  assert.equal(ok.verdict, 'trusted', brief(ok));
});

// ---- 8-bit header fields -------------------------------------------------------------------------------------------

test('one bad byte elsewhere in the header block does not change how the From reads (fields decode one by one)', async () => {
  const { ct, body } = parts();
  // The From is valid UTF-8 with a FULLWIDTH COMMERCIAL AT in the name; the Subject has a byte that is not UTF-8.
  // Thunderbird decodes each field on its own and shows "ceo＠corp.example <eve@evil.example>"; reading the whole
  // block as Latin-1 turned the at sign into "ï¼\u00a0" and the name looked harmless.
  const msg = latin1(`${top(utf8AsLatin1('"ceo\uff20corp.example" <eve@evil.example>'), 'bad \xff byte')}MIME-Version: 1.0\r\n${ct}\r\n\r\n${body}`);
  const v = await verifyMessage(msg, opts());
  assert.notEqual(v.verdict, 'trusted', brief(v));
  assert.ok(codes(v).includes('display-name-deceptive'), brief(v));
  // The parser: each field is UTF-8 when its own bytes are, Latin-1 otherwise.
  const p = parseMime(latin1(`From: ${utf8AsLatin1('J\u00fcrgen <j@example.test>')}\r\nSubject: M\xfcller\r\n\r\n`));
  assert.ok(p.ok);
  assert.equal(getHeaders(p.root, 'from')[0], 'J\u00fcrgen <j@example.test>');
  assert.equal(getHeaders(p.root, 'subject')[0], 'M\u00fcller');
});

test('field-by-field decoding stays linear: a 1 MiB header block of 8-bit fields parses in well under a second', () => {
  const line = `X-Filler: ${utf8AsLatin1('\u00e9'.repeat(30))}\xff\r\n`;
  const block = line.repeat(Math.floor((1024 * 1024 - 100) / line.length));
  const t0 = performance.now();
  const p = parseMime(latin1(`${block}From: eve@evil.example\r\n\r\nbody`), { maxHeaders: 100000 });
  const ms = performance.now() - t0;
  assert.ok(p.ok);
  assert.ok(ms < 2000, `took ${ms.toFixed(0)} ms`);
});

// ---- quoted local parts ------------------------------------------------------------------------------------------

test('a quoted local part that holds another address is not a sender the signature can vouch for', async () => {
  // A public CA validates the mailbox "ceo@corp.example"@evil.example by mail to it; Thunderbird shows it as
  // "ceo@corp.example"@evil.example, and a narrow column as "ceo@corp.example"@ev…
  // subjectAltName as DER: OpenSSL's config syntax drops the quotes of email:"…"@….
  const name = Buffer.from('"ceo@corp.example"@evil.example', 'latin1');
  const san = Buffer.concat([Buffer.from([0x30, name.length + 2, 0x81, name.length]), name]).toString('hex');
  const quoted = await pki.issue({ name: 'Quoted', extraExt: `2.5.29.17 = DER:${san}` });
  const m = await smimeSign({ signer: quoted, content: textEntity('Please wire the money today.\r\n'), headers: { from: '"ceo@corp.example"@evil.example', to: 'bob@example.test' } });
  const v = await verifyMessage(m.bytes, opts());
  assert.notEqual(v.verdict, 'trusted', brief(v));
  assert.ok(codes(v).includes('from-malformed'), brief(v));
  // A FULLWIDTH COMMERCIAL AT in an internationalised local part (SmtpUTF8Mailbox) reads the same way.
  const fw = 'ceo\uff20corp.example@evil.example';
  assert.equal(bindSender({ from: [fw], sender: [], replyTo: [] }, [fw]).status, 'mismatch');
  // An ordinary quoted local part without an at sign is still compared as before.
  assert.equal(bindSender({ from: ['"eve.x"@evil.example'], sender: [], replyTo: [] }, ['eve.x@evil.example']).status, 'match');
});


// ---- the host's own reading of the From ---------------------------------------------------------------------------

test("the sender the host shows must be one of the signer's addresses, whatever our own reading of the From", async () => {
  // Thunderbird's author and Outlook's item.from come from the host's own header parser. Wherever it reads the
  // header differently from us (the bare CR above was one such way), the reader sees the host's sender.
  const { ct, body } = parts();
  const msg = latin1(`${top('eve@evil.example')}MIME-Version: 1.0\r\n${ct}\r\n\r\n${body}`);
  const v = await verifyMessage(msg, opts({ displayedFrom: ['ceo@corp.example'] }));
  assert.notEqual(v.verdict, 'trusted', brief(v));
  assert.equal(v.sender, 'mismatch');
  assert.match(v.reasons[0].message, /shows the sender as ceo@corp\.example/, brief(v));
  // The same address in another case, no host reading, or a host value without an address: trusted.
  for (const displayedFrom of [['EVE@Evil.Example'], [], ['/o=ExchangeLabs/ou=Exchange Administrative Group/cn=Recipients/cn=eve']]) {
    const w = await verifyMessage(msg, opts({ displayedFrom }));
    assert.equal(w.verdict, 'trusted', `${JSON.stringify(displayedFrom)}: ${brief(w)}`);
  }
  // An internationalised domain the host shows in Unicode, the certificate holding its ASCII form: trusted.
  const idn = await pki.issue({ name: 'Buecher', email: 'eve@xn--bcher-kva.example' });
  const m = await smimeSign({ signer: idn, content: textEntity('Hallo.\r\n'), headers: { from: 'eve@b\u00fccher.example', to: 'bob@example.test' } });
  const u = await verifyMessage(m.bytes, opts({ displayedFrom: ['eve@b\u00fccher.example'] }));
  assert.equal(u.verdict, 'trusted', brief(u));
});

// ---- look-alike domains --------------------------------------------------------------------------------------------

test('a look-alike domain in From (Cyrillic or Greek letters passing for Latin) is never trusted, though a CA signed it', async () => {
  // The attacker registers the look-alike domain and gets a mailbox certificate for it (its ASCII form, as CAs write
  // it). Thunderbird 153 shows each of these From addresses in Unicode in its header pane, indistinguishable from
  // ceo@corp.example / ceo@ace.example.
  const ascii = (d: string) => new URL(`http://${d}/`).hostname;
  for (const domain of ['\u0441orp.example', 'c\u03bfrp.example', '\u0430\u0441\u0435.example']) {
    const cert = await pki.issue({ name: `Look-alike ${ascii(domain)}`, email: `ceo@${ascii(domain)}` });
    const m = await smimeSign({ signer: cert, content: textEntity('Please wire the money today.\r\n'), headers: { from: `The CEO <ceo@${domain}>`, to: 'bob@example.test' } });
    const v = await verifyMessage(m.bytes, opts());
    assert.notEqual(v.verdict, 'trusted', `${domain}: ${brief(v)}`);
    assert.ok(codes(v).includes('from-malformed'), `${domain}: ${brief(v)}`);
    assert.match(v.reasons[0].message, /look-alike/, brief(v));
  }
  // Internationalised domains in one script stay trusted: Latin (bücher.example), Cyrillic under a Cyrillic TLD
  // (пример.рф), Latin with Han (例えtest.jp).
  for (const domain of ['b\u00fccher.example', '\u043f\u0440\u0438\u043c\u0435\u0440.\u0440\u0444', '\u4f8b\u3048test.jp']) {
    const cert = await pki.issue({ name: `IDN ${ascii(domain)}`, email: `info@${ascii(domain)}` });
    const m = await smimeSign({ signer: cert, content: textEntity('Hello.\r\n'), headers: { from: `info@${domain}`, to: 'bob@example.test' } });
    const v = await verifyMessage(m.bytes, opts());
    assert.equal(v.verdict, 'trusted', `${domain}: ${brief(v)}`);
  }
});

test('the look-alike check is linear: a 16 KiB internationalised domain (the From clip) is judged in milliseconds', () => {
  // Real domains are at most 253 characters (longer ones fail IDNA first); the check itself is timed at the clip.
  const domain = `${'c\u0441'.repeat(4000)}.${'\u0430'.repeat(8000)}.example`;
  let t0 = performance.now();
  assert.match(lookAlikeDomain(domain) ?? '', /mixes Latin and Cyrillic/);
  assert.ok(performance.now() - t0 < 1000, `took ${(performance.now() - t0).toFixed(0)} ms`);
  t0 = performance.now();
  const b = bindSender({ from: [`ceo@${domain}`], sender: [], replyTo: [] }, ['ceo@x.example']);
  assert.equal(b.status, 'mismatch');
  assert.ok(performance.now() - t0 < 1000, `took ${(performance.now() - t0).toFixed(0)} ms`);
});

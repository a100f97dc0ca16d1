// No false alarms (issue 10, item 20's rule): valid mail made the ways real clients and OpenSSL make it must be
// `valid` and `trusted` here, and `openssl cms -verify` must accept the same bytes (so the fixture really is valid
// mail, not a shape only we accept). Each shape is one test; a shape that was a false alarm is named after the bug.
// Fixtures are made at test time (test/support/pki.ts); OpenSSL runs a few at a time before the tests look at them.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as pkijs from 'pkijs';
import { loadCertificates, loadCrls } from '../../src/certs/load';
import { makeDecryptor } from '../../src/compose/decrypt-message';
import { MemoryDirectoryStorage, RecipientDirectory } from '../../src/keys/directory';
import type { Identity } from '../../src/keys/identity';
import { importPkcs12 } from '../../src/keys/pkcs12';
import type { Verdict } from '../../src/verdict';
import { verifyMessage, type VerifyOptions } from '../../src/verify-message';
import { attachmentEntity, deterministicBytes, headerBlock, multipartEntity, textEntity, toLfOnly, type HeaderFields } from '../support/messages';
import {
  makePki,
  openssl,
  opensslDecrypt,
  opensslVerify,
  runOpenssl,
  smimeEncrypt,
  smimeSign,
  type IssueOptions,
  type IssuedCert,
  type OpensslVerifyOptions,
  type Pki,
  type SignOptions,
} from '../support/pki';

// ---------------------------------------------------------------------------------------------------------------
// the people and PKIs

interface World {
  pki: Pki;
  /** An unrelated PKI (other keys, other names), for foreign certificates in the bag and cross-certification. */
  other: Pki;
  alice: IssuedCert;
  carol: IssuedCert;
  bob: IssuedCert;
  bobId: Identity;
  /** Certificates for the chain and certificate-profile shapes (made in before(), one `openssl ca` per CA at a time). */
  c: Record<string, IssuedCert>;
  /** CRLs (DER), made in before() too: `openssl ca -gencrl` on one CA database must not run twice at once. */
  crl: Record<string, Buffer>;
}
let w: World;

const certs = (c: IssuedCert | IssuedCert[]) => (Array.isArray(c) ? c : [c]).flatMap((x) => loadCertificates(readFileSync(x.certPath)).certs);

// ---------------------------------------------------------------------------------------------------------------
// a shape: how to make the message, how OpenSSL checks it, and what we must say

interface Made {
  bytes: Buffer;
  /** Options for our check besides the anchor (intermediates, allowSha1, at, decrypt, …). */
  ours?: VerifyOptions;
  /** Our anchors; default the main PKI's root. */
  anchors?: pkijs.Certificate[];
  /** OpenSSL's check of the same bytes; default `cms -verify` with the main root as CAfile. */
  openssl?: (path: string) => Promise<{ ok: boolean; stderr: string }>;
}

interface Shape {
  group: 'sign' | 'mime' | 'encrypt' | 'chain' | 'profile' | 'sender';
  name: string;
  make(): Promise<Made>;
  /** What we must say; default valid + trusted. */
  expect?: (v: Verdict) => void;
}

const FROM = () => ({ from: `Alice <${w.alice.emails[0]}>`, to: w.bob.emails[0], subject: 'Quarterly figures' });

/** The signed content most shapes use: text and an attachment in a multipart/mixed, CRLF. */
const CONTENT = () =>
  multipartEntity([
    textEntity('Hello Bob,\r\nthe figures are attached.\r\n-- \r\nAlice'),
    attachmentEntity({ filename: 'figures.bin', data: deterministicBytes(700, 7) }),
  ]);

async function sign(o: Partial<SignOptions> & { headers?: HeaderFields | false } = {}): Promise<Buffer> {
  const m = await smimeSign({ signer: w.alice, content: CONTENT(), headers: FROM(), ...o });
  return m.bytes;
}

/** Edit the message text (latin1, so bytes survive). */
const edit = (b: Buffer, f: (s: string) => string) => Buffer.from(f(b.toString('latin1')), 'latin1');

/**
 * A MIME form OpenSSL's reader does not know (RFC 2231 parameter continuations, base64 lines over 76 characters)
 * around the same signed bytes and SignedData: OpenSSL checks the message before the change.
 */
function sameCmsAs(original: Buffer, change: (m: Buffer) => Buffer): Made {
  return {
    bytes: change(original),
    openssl: async (p) => {
      writeFileSync(`${p}.original.eml`, original);
      return opensslVerify(`${p}.original.eml`, { CAfile: w.pki.root.certPath });
    },
  };
}

/** The multipart/signed boundary OpenSSL chose. */
const boundaryOf = (b: Buffer) => /boundary="([^"]+)"/.exec(b.toString('latin1'))![1];

const rootOf = (pki: Pki) => certs(pki.root);

const SHAPES: Shape[] = [];
const shape = (s: Shape) => SHAPES.push(s);

// --- openssl cms -sign options ----------------------------------------------------------------------------------
shape({ group: 'sign', name: 'openssl cms -sign, detached (baseline)', make: async () => ({ bytes: await sign() }) });
shape({ group: 'sign', name: 'openssl cms -sign -nodetach (opaque)', make: async () => ({ bytes: await sign({ opaque: true }) }) });
shape({ group: 'sign', name: '-stream, detached (BER indefinite lengths)', make: async () => ({ bytes: await sign({ opensslArgs: ['-stream'] }) }) });
shape({ group: 'sign', name: '-stream -nodetach (BER indefinite, constructed eContent)', make: async () => ({ bytes: await sign({ opaque: true, opensslArgs: ['-stream'] }) }) });
shape({ group: 'sign', name: '-keyid (SignerIdentifier is the subjectKeyIdentifier)', make: async () => ({ bytes: await sign({ opensslArgs: ['-keyid'] }) }) });
shape({ group: 'sign', name: '-keyid -nodetach', make: async () => ({ bytes: await sign({ opaque: true, opensslArgs: ['-keyid'] }) }) });
shape({
  group: 'sign',
  name: '-nocerts, the signer and intermediate supplied by the host (directory / --cert)',
  make: async () => ({
    bytes: await sign({ nocerts: true }),
    ours: { intermediates: certs([w.alice, w.pki.intermediate]) },
    openssl: (p) => verifyWithSignerFile(p, [w.alice, w.pki.intermediate]),
  }),
});
shape({
  group: 'sign',
  name: '-nocerts -keyid, the signer supplied by the host',
  make: async () => ({
    bytes: await sign({ nocerts: true, opensslArgs: ['-keyid'] }),
    ours: { intermediates: certs([w.alice, w.pki.intermediate]) },
    openssl: (p) => verifyWithSignerFile(p, [w.alice, w.pki.intermediate]),
  }),
});
shape({ group: 'sign', name: '-nosmimecap', make: async () => ({ bytes: await sign({ opensslArgs: ['-nosmimecap'] }) }) });
shape({ group: 'sign', name: '-noattr (no signed attributes)', make: async () => ({ bytes: await sign({ noattr: true }) }) });
shape({ group: 'sign', name: '-noattr -nodetach', make: async () => ({ bytes: await sign({ noattr: true, opaque: true }) }) });
shape({
  group: 'sign',
  name: '-nodetach -binary with binary content (Content-Transfer-Encoding: binary)',
  make: async () => ({
    bytes: await sign({
      opaque: true,
      binary: true,
      content: Buffer.concat([
        Buffer.from('Content-Type: application/octet-stream; name="raw.bin"\r\nContent-Transfer-Encoding: binary\r\n\r\n'),
        deterministicBytes(1500, 3),
      ]),
    }),
  }),
});
shape({
  group: 'sign',
  name: '-binary with LF-only text, stored LF-only',
  make: async () => ({
    bytes: toLfOnly(await sign({ binary: true, content: 'Content-Type: text/plain; charset=us-ascii\n\nLine one\nLine two\n' })),
    openssl: (p) => opensslVerify(p, { CAfile: w.pki.root.certPath, binary: true }),
  }),
});
shape({
  group: 'sign',
  name: '-certfile with unrelated certificates (another PKI, same-named CAs) in the bag',
  make: async () => ({ bytes: await sign({ chain: [w.other.intermediate, w.other.root, w.pki.intermediate, w.bob] }) }),
});
shape({
  group: 'sign',
  name: '-certfile with the root itself, root first',
  make: async () => ({ bytes: await sign({ chain: [w.pki.root, w.pki.intermediate] }) }),
});
shape({ group: 'sign', name: '-md sha1 under a policy that allows SHA-1', make: async () => ({ bytes: await sign({ md: 'sha1' }), ours: { allowSha1: true } }) });
shape({ group: 'sign', name: '-md sha384 / sha512 (ECDSA signer P-256)', make: async () => ({ bytes: await sign({ signer: w.carol, md: 'sha512', headers: { ...FROM(), from: w.carol.emails[0] } }) }) });
shape({ group: 'sign', name: 'two -signer (RSA and ECDSA), From is the first', make: async () => ({ bytes: await sign({ extraSigners: [w.carol] }) }) });
shape({ group: 'sign', name: 'two -signer, From is the second signer', make: async () => ({ bytes: await sign({ extraSigners: [w.carol], headers: { ...FROM(), from: 'Carol <carol@example.com>' } }) }) });
shape({ group: 'sign', name: 'ECDSA with SHA-1 under a policy that allows SHA-1', make: async () => ({ bytes: await sign({ signer: w.carol, md: 'sha1', headers: { ...FROM(), from: w.carol.emails[0] } }), ours: { allowSha1: true } }) });
shape({ group: 'sign', name: 'ECDSA P-256 with SHA-224 is checked (was: "an algorithm that cannot be checked here"; RSA with SHA-224 was)', make: async () => ({ bytes: await sign({ signer: w.carol, md: 'sha224', headers: { ...FROM(), from: w.carol.emails[0] } }) }) });
shape({ group: 'sign', name: 'two -signer -nodetach', make: async () => ({ bytes: await sign({ extraSigners: [w.carol], opaque: true }) }) });
shape({
  group: 'sign',
  name: '-resign adds a second signer to a detached message',
  make: async () => ({ bytes: await resign(await sign(), w.carol) }),
});
shape({
  group: 'sign',
  name: '-resign adds a second signer to an opaque message',
  make: async () => ({ bytes: await resign(await sign({ opaque: true }), w.carol) }),
});
shape({ group: 'sign', name: 'RSASSA-PSS', make: async () => ({ bytes: await sign({ pss: true }) }) });
shape({ group: 'sign', name: 'RSASSA-PSS, salt length max', make: async () => ({ bytes: await sign({ pss: true, opensslArgs: ['-keyopt', 'rsa_pss_saltlen:max'] }) }) });
shape({ group: 'sign', name: 'RSASSA-PSS, salt length 0', make: async () => ({ bytes: await sign({ pss: true, opensslArgs: ['-keyopt', 'rsa_pss_saltlen:0'] }) }) });
shape({ group: 'sign', name: 'RSASSA-PSS SHA-512 with MGF1-SHA-256', make: async () => ({ bytes: await sign({ pss: true, md: 'sha512', opensslArgs: ['-keyopt', 'rsa_mgf1_md:sha256'] }) }) });

// --- MIME shapes of real clients -------------------------------------------------------------------------------
shape({ group: 'mime', name: 'stored LF-only (Thunderbird mbox, Maildir), detached', make: async () => ({ bytes: toLfOnly(await sign()) }) });
shape({ group: 'mime', name: 'stored LF-only, opaque', make: async () => ({ bytes: toLfOnly(await sign({ opaque: true })) }) });
shape({
  group: 'mime',
  name: 'stored LF-only with an mbox From_ line and X-Mozilla-Status',
  make: async () => {
    const m = toLfOnly(await sign());
    return {
      bytes: Buffer.concat([Buffer.from('From - Mon Jan 15 10:30:00 2024\nX-Mozilla-Status: 0001\nX-Mozilla-Status2: 00000000\n'), m]),
      openssl: (p) => {
        writeFileSync(p, m);
        return opensslVerify(p, { CAfile: w.pki.root.certPath });
      },
    };
  },
});
shape({
  group: 'mime',
  name: '8bit UTF-8 text part',
  make: async () => ({
    bytes: await sign({ content: Buffer.from('Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nGrüße aus Köln – naïve café\r\n', 'utf8') }),
  }),
});
shape({
  group: 'mime',
  name: 'quoted-printable text part with soft line breaks',
  make: async () => ({
    bytes: await sign({
      content: Buffer.from(
        'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe, this line is long enough that it is broken with a soft li=\r\nne break =3D fine.\r\n',
      ),
    }),
  }),
});
shape({
  group: 'mime',
  name: 'legacy application/x-pkcs7-signature (protocol and part)',
  make: async () => ({ bytes: edit(await sign(), (s) => s.replaceAll('application/pkcs7-signature', 'application/x-pkcs7-signature')) }),
});
shape({
  group: 'mime',
  name: 'legacy application/x-pkcs7-mime opaque',
  make: async () => ({ bytes: edit(await sign({ opaque: true }), (s) => s.replace('application/pkcs7-mime', 'application/x-pkcs7-mime')) }),
});
shape({
  group: 'mime',
  name: 'opaque without smime-type (application/pkcs7-mime; name=smime.p7m, as older clients send)',
  make: async () => ({ bytes: edit(await sign({ opaque: true }), (s) => s.replace(/Content-Type: application\/pkcs7-mime;[^\r\n]*/, 'Content-Type: application/pkcs7-mime; name="smime.p7m"')) }),
});
shape({
  group: 'mime',
  name: 'opaque labelled application/octet-stream with a .p7m file name (RFC 8551 §3.2.2)',
  make: async () => sameCmsAs(await sign({ opaque: true }), (m) => edit(m, (s) => s.replace(/Content-Type: application\/pkcs7-mime;[^\r\n]*/, 'Content-Type: application/octet-stream; name="smime.p7m"'))),
});
shape({
  group: 'mime',
  name: 'detached signature part labelled application/octet-stream with a .p7s file name (RFC 8551 §3.2.2)',
  make: async () => sameCmsAs(await sign(), (m) => edit(m, (s) => s.replace('Content-Type: application/pkcs7-signature; name="smime.p7s"', 'Content-Type: application/octet-stream; name="smime.p7s"'))),
});
shape({ group: 'mime', name: 'micalg missing', make: async () => ({ bytes: edit(await sign(), (s) => s.replace(/ micalg="sha-256";/, '')) }) });
shape({ group: 'mime', name: 'micalg upper case (SHA-256)', make: async () => ({ bytes: edit(await sign(), (s) => s.replace('micalg="sha-256"', 'micalg="SHA-256"')) }) });
shape({ group: 'mime', name: 'micalg listing several (sha-256,sha-1)', make: async () => ({ bytes: edit(await sign(), (s) => s.replace('micalg="sha-256"', 'micalg="sha-256,sha-1"')) }) });
shape({ group: 'mime', name: 'micalg unquoted', make: async () => ({ bytes: edit(await sign(), (s) => s.replace('micalg="sha-256"', 'micalg=sha-256')) }) });
shape({ group: 'mime', name: 'micalg naming another digest (sha1 for a SHA-256 signature)', make: async () => ({ bytes: edit(await sign(), (s) => s.replace('micalg="sha-256"', 'micalg=sha1')) }) });
shape({
  group: 'mime',
  name: 'protocol unquoted',
  make: async () => ({ bytes: edit(await sign(), (s) => s.replace('protocol="application/pkcs7-signature"', 'protocol=application/pkcs7-signature')) }),
});
shape({
  group: 'mime',
  name: "boundary with odd but legal characters ('()+_,-./:=? and a space)",
  make: async () => {
    const m = await sign();
    const b = boundaryOf(m);
    return { bytes: edit(m, (s) => s.replaceAll(b, "a'(b)+_c,-./:=? d")) };
  },
});
shape({
  group: 'mime',
  name: 'transport padding: trailing whitespace on boundary lines',
  make: async () => {
    const m = await sign();
    const b = boundaryOf(m);
    return { bytes: edit(m, (s) => s.replaceAll(`--${b}\r\n`, `--${b} \t \r\n`).replace(`--${b}--\r\n`, `--${b}--  \r\n`)) };
  },
});
shape({
  group: 'mime',
  name: 'preamble and epilogue text',
  make: async () => {
    const m = await sign();
    const b = boundaryOf(m);
    return {
      bytes: edit(m, (s) =>
        s.replace('This is an S/MIME signed message', 'This is a multi-part message in MIME format.\r\nYour mail reader cannot show it.').replace(
          `--${b}--\r\n`,
          `--${b}--\r\n\r\nThis is the epilogue.\r\nIt is ignored.\r\n`,
        ),
      ),
    };
  },
});
shape({
  group: 'mime',
  name: 'long folded headers (Content-Type over three lines, long Subject and To)',
  make: async () => {
    const m = await sign({
      headers: { ...FROM(), to: `"Bob Example" <${w.bob.emails[0]}>,\r\n "Dave Example" <dave@example.com>,\r\n eve@example.org`, subject: 'A very long subject line that a client folds\r\n over two lines' },
    });
    return { bytes: edit(m, (s) => s.replace(/Content-Type: multipart\/signed; protocol="([^"]+)"; micalg="([^"]+)"; boundary=/, 'Content-Type: multipart/signed;\r\n\tprotocol="$1";\r\n\tmicalg="$2";\r\n\tboundary=')) };
  },
});
shape({
  group: 'mime',
  name: "Outlook's opaque style: smime-type=signed-data; name=smime.p7m unquoted",
  make: async () => ({
    bytes: edit(await sign({ opaque: true }), (s) =>
      s
        .replace(/Content-Type: application\/pkcs7-mime;[^\r\n]*/, 'Content-Type: application/pkcs7-mime; smime-type=signed-data;\r\n\tname=smime.p7m')
        .replace(/Content-Disposition: [^\r\n]*/, 'Content-Disposition: attachment; filename=smime.p7m'),
    ),
  }),
});

// --- encryption ---------------------------------------------------------------------------------------------------
const decryptAsBob = () => ({ decrypt: makeDecryptor(w.bobId) });
/** OpenSSL decrypts as Bob and verifies the signed message inside. */
const osslDecryptThenVerify = async (p: string) => {
  const d = await opensslDecrypt(p, { recipient: w.bob });
  if (!d.ok) return d;
  writeFileSync(`${p}.inner.eml`, d.content);
  return opensslVerify(`${p}.inner.eml`, { CAfile: w.pki.root.certPath });
};
async function signedThenEncrypted(o: { cipher?: 'aes-256-cbc' | 'aes-128-gcm' | 'aes-256-gcm'; oaep?: boolean; opaque?: boolean }): Promise<Made> {
  const inner = await sign({ headers: false, opaque: o.opaque });
  const m = await smimeEncrypt({
    content: inner,
    recipients: [o.oaep ? { cert: w.bob, oaep: true, oaepDigest: 'sha256' } : w.bob],
    cipher: o.cipher ?? 'aes-256-cbc',
    headers: FROM(),
  });
  return { bytes: m.bytes, ours: decryptAsBob(), openssl: osslDecryptThenVerify };
}
shape({ group: 'encrypt', name: 'signed then encrypted (AES-256-CBC, RSA PKCS#1 v1.5)', make: () => signedThenEncrypted({}) });
shape({ group: 'encrypt', name: 'opaque-signed then encrypted', make: () => signedThenEncrypted({ opaque: true }) });
shape({ group: 'encrypt', name: 'signed then encrypted, RSA-OAEP (SHA-256) key transport', make: () => signedThenEncrypted({ oaep: true }) });
shape({ group: 'encrypt', name: 'signed then encrypted, AES-GCM (AuthEnvelopedData)', make: () => signedThenEncrypted({ cipher: 'aes-256-gcm' }) });
shape({ group: 'encrypt', name: 'signed then encrypted, AES-128-GCM with RSA-OAEP', make: () => signedThenEncrypted({ cipher: 'aes-128-gcm', oaep: true }) });
shape({
  group: 'encrypt',
  name: 'encrypted then signed (detached)',
  make: async () => {
    const enc = await smimeEncrypt({ content: textEntity('Encrypted first, then signed.'), recipients: [w.bob], headers: false });
    return { bytes: await sign({ content: enc.bytes }), ours: decryptAsBob() };
  },
});
shape({
  group: 'encrypt',
  name: 'encrypted then signed (opaque)',
  make: async () => {
    const enc = await smimeEncrypt({ content: textEntity('Encrypted first, then signed.'), recipients: [w.bob], headers: false });
    return { bytes: await sign({ content: enc.bytes, opaque: true }), ours: decryptAsBob() };
  },
});
shape({
  group: 'encrypt',
  name: 'signed then encrypted, stored LF-only',
  make: async () => {
    const m = await signedThenEncrypted({});
    return { ...m, bytes: toLfOnly(m.bytes) };
  },
});

// --- chains ---------------------------------------------------------------------------------------------------
shape({
  group: 'chain',
  name: 'intermediate missing from the bag, remembered from an earlier message',
  make: async () => ({
    bytes: await sign({ chain: [] }),
    ours: { intermediates: certs(w.pki.intermediate) },
    openssl: (p) => opensslVerify(p, { CAfile: w.pki.root.certPath, certfile: w.pki.intermediate.certPath }),
  }),
});


// --- chains -----------------------------------------------------------------------------------------------------
const utc = (y: number, m = 1, d = 1, h = 0, min = 0) => new Date(Date.UTC(y, m - 1, d, h, min));
const INT_SUBJECT = '/O=Fixture PKI/CN=Fixture Intermediate CA';
const NEW_ROOT_SUBJECT = '/O=Fixture PKI/CN=New Root CA 2026';

/** Every certificate the chain and profile shapes use, made one CA database step at a time. */
async function makeCertificates(pki: Pki): Promise<Record<string, IssuedCert>> {
  // Issued in parallel, except through one CA's `openssl ca` database (its index and serial files): issue() goes
  // through a queue per issuing CA, and a certificate waits for its issuer.
  const queues = new Map<unknown, Promise<unknown>>();
  type Queued = Omit<IssueOptions, 'issuer'> & { issuer?: IssuedCert | Promise<IssuedCert> };
  const issue = async (o: Queued): Promise<IssuedCert> => {
    const issuer = o.issuer ? await o.issuer : o.ca ? pki.root : pki.intermediate;
    const lane = o.selfSigned ? o : issuer;
    const prev = queues.get(lane) ?? Promise.resolve();
    const next = prev.then(() => pki.issue({ ...o, issuer }), () => pki.issue({ ...o, issuer }));
    queues.set(lane, next);
    return next;
  };
  const c: Record<string, Promise<IssuedCert>> = {};
  const I = pki.intermediate;
  // The same intermediate (subject and key) as certified before, expired since 2020: CAs re-issue their certificates.
  c.oldInt = issue({ name: 'Fixture Intermediate CA', subject: INT_SUBJECT, ca: true, pathLen: 0, keyOf: I, issuer: pki.root, start: utc(2015), end: utc(2020) });
  // A second root, and a cross-certificate of it from the main root; and the intermediate cross-certified by it.
  c.newRoot = issue({ name: 'New Root CA 2026', subject: NEW_ROOT_SUBJECT, ca: true, selfSigned: true, start: utc(2020), end: utc(2045) });
  c.crossRoot = issue({ name: 'New Root CA 2026', subject: NEW_ROOT_SUBJECT, ca: true, keyOf: await c.newRoot, issuer: pki.root });
  c.newInt = issue({ name: 'New Issuing CA', ca: true, pathLen: 0, issuer: c.newRoot });
  c.dave = issue({ name: 'Dave', email: 'dave@example.com', issuer: c.newInt });
  c.crossInt = issue({ name: 'Fixture Intermediate CA', subject: INT_SUBJECT, ca: true, pathLen: 0, keyOf: I, issuer: c.newRoot });
  // The intermediate re-issued with its name in PrintableString / other case / other spacing; leaves issued by each.
  c.intPrintable = issue({ name: 'Fixture Intermediate CA', subject: INT_SUBJECT, nameEncoding: 'printable', ca: true, pathLen: 0, keyOf: I, issuer: pki.root });
  c.intUpper = issue({ name: 'Fixture Intermediate CA', subject: '/O=FIXTURE PKI/CN=FIXTURE INTERMEDIATE CA', ca: true, pathLen: 0, keyOf: I, issuer: pki.root });
  c.intSpaced = issue({ name: 'Fixture Intermediate CA', subject: '/O=Fixture  PKI/CN=Fixture   Intermediate CA', ca: true, pathLen: 0, keyOf: I, issuer: pki.root });
  c.frank = issue({ name: 'Frank', email: 'frank@example.com', issuer: c.intPrintable });
  c.fiona = issue({ name: 'Fiona', email: 'fiona@example.com', issuer: c.intUpper });
  c.felix = issue({ name: 'Felix', email: 'felix@example.com', issuer: c.intSpaced });
  // Non-ASCII CA names: the leaf's issuer field in T61String (Latin-1) or BMPString, the CA's subject in UTF8String.
  const KOELN = '/O=Fixture PKI/CN=Zertifizierungsstelle Köln';
  const LODZ = '/O=Fixture PKI/CN=Centrum Certyfikacji Łódź';
  c.koeln = issue({ name: 'Koeln CA', subject: KOELN, nameEncoding: 'utf8', ca: true, pathLen: 0 });
  c.koelnT61 = issue({ name: 'Koeln CA', subject: KOELN, nameEncoding: 'printable', ca: true, pathLen: 0, keyOf: await c.koeln });
  c.tina = issue({ name: 'Tina', email: 'tina@example.com', issuer: c.koelnT61 });
  c.lodz = issue({ name: 'Lodz CA', subject: LODZ, nameEncoding: 'utf8', ca: true, pathLen: 0 });
  c.lodzBmp = issue({ name: 'Lodz CA', subject: LODZ, nameEncoding: 'printable', ca: true, pathLen: 0, keyOf: await c.lodz });
  c.bea = issue({ name: 'Bea', email: 'bea@example.com', issuer: c.lodzBmp });
  // Critical extensions a CA or leaf may carry.
  c.policyCa = issue({
    name: 'Policy CA',
    ca: true,
    pathLen: 0,
    issuer: pki.root,
    extraExt: 'certificatePolicies = 2.5.29.32.0\npolicyConstraints = critical, requireExplicitPolicy:0\ninhibitAnyPolicy = critical, 0',
  });
  c.grace = issue({ name: 'Grace', email: 'grace@example.com', issuer: c.policyCa, extraExt: 'certificatePolicies = critical, 1.3.6.1.4.1.55555.1.1' });
  c.ncCa = issue({ name: 'Constrained CA', ca: true, pathLen: 0, issuer: pki.root, extraExt: 'nameConstraints = critical, permitted;email:example.com, permitted;email:.example.com, permitted;dirName:nc_dir\n[ nc_dir ]\nO = Fixture PKI' });
  c.henry = issue({ name: 'Henry', email: 'henry@example.com', issuer: c.ncCa });
  // Leaf profiles.
  c.ivy = issue({ name: 'Ivy', subject: '/', extraExt: 'subjectAltName = critical, email:ivy@example.com' });
  c.noEku = issue({ name: 'Nina', email: 'nina@example.com', eku: null });
  c.anyEku = issue({ name: 'Andy', email: 'andy@example.com', eku: ['anyExtendedKeyUsage'] });
  c.nonRep = issue({ name: 'Nora', email: 'nora@example.com', keyUsage: ['nonRepudiation'] });
  c.subjEmail = issue({ name: 'Sam', subject: '/O=Fixture PKI/CN=Sam/emailAddress=sam@example.com' });
  c.upperSan = issue({ name: 'Uma', email: 'Uma.Upper@Example.COM' });
  c.jack = issue({ name: 'Jack', email: 'jack@example.com', start: utc(2024), end: utc(2025) });
  c.rsa3072 = issue({ name: 'Rita', email: 'rita@example.com', keyType: 'rsa3072' });
  c.p521 = issue({ name: 'Pia', email: 'pia@example.com', keyType: 'ec-p521' });
  c.p384 = issue({ name: 'Paul', email: 'paul@example.com', keyType: 'ec-p384' });
  // Brainpool (RFC 5639): a leaf under the NIST-curve CA, and a chain of Brainpool CAs.
  c.bpLeaf = issue({ name: 'Bruno', email: 'bruno@example.com', keyType: 'ec-bp256' });
  c.bpCa = issue({ name: 'Brainpool CA', ca: true, pathLen: 0, issuer: pki.root, keyType: 'ec-bp384' });
  c.bpLeaf512 = issue({ name: 'Berta', email: 'berta@example.com', keyType: 'ec-bp512', issuer: c.bpCa });
  // Internationalised addresses: an IDN domain in A-label form (RFC 8398), and an SmtpUTF8Mailbox (RFC 9598).
  c.idn = issue({ name: 'Björn', email: 'bjoern@xn--bcher-kva.example' });
  // FORMAT:UTF8 (in a section, where commas do not split the value): without it OpenSSL reads the value as Latin-1.
  c.eai = issue({ name: 'Li', extraExt: 'subjectAltName = @eai_san\n[ eai_san ]\notherName.1 = 1.3.6.1.5.5.7.8.9;FORMAT:UTF8,UTF8:李@example.com' });
  // The intermediate re-keyed: same name, a new key; a leaf still issued under the old key.
  c.rekeyedInt = issue({ name: 'Fixture Intermediate CA', subject: INT_SUBJECT, ca: true, pathLen: 0, issuer: pki.root });
  c.kim = issue({ name: 'Kim', email: 'kim@example.com', issuer: c.rekeyedInt });
  // Older CA profile: authorityKeyIdentifier by issuer name and serial only, no keyIdentifier.
  c.akiIssuer = issue({ name: 'Otto', email: 'otto@example.com', extraExt: 'authorityKeyIdentifier = issuer:always' });
  // A version 1 root (no extensions at all), as many long-lived roots are, with an intermediate and a leaf.
  c.v1Root = v1Root(pki);
  c.v1Int = issue({ name: 'Old Issuing CA', ca: true, pathLen: 0, issuer: c.v1Root, extraExt: 'authorityKeyIdentifier = issuer:always' });
  c.victor = issue({ name: 'Victor', email: 'victor@example.com', issuer: c.v1Int });
  // Roots whose self-signatures use SHA-1 or MD5 (many long-lived roots still do; an anchor's self-signature vouches
  // for nothing), with SHA-256 certificates below them.
  c.sha1Root = issue({ name: 'SHA-1 Root CA', ca: true, selfSigned: true, md: 'sha1', start: utc(2006), end: utc(2031, 11, 10) });
  c.sha1Int = issue({ name: 'Below SHA-1 Root CA', ca: true, pathLen: 0, issuer: c.sha1Root });
  c.walt = issue({ name: 'Walt', email: 'walt@example.com', issuer: c.sha1Int });
  // Validity in GeneralizedTime: past 2049, and RFC 5280's "no well-defined expiration" 99991231235959Z.
  c.longRoot = issue({ name: 'Long Root CA', ca: true, selfSigned: true, start: utc(2020), end: new Date(Date.UTC(9999, 11, 31, 23, 59, 59)) });
  c.longInt = issue({ name: 'Long Issuing CA', ca: true, pathLen: 0, issuer: c.longRoot, end: utc(2060) });
  c.lena = issue({ name: 'Lena', email: 'lena@example.com', issuer: c.longInt, end: utc(2055) });
  // A CA certificate without keyUsage (RFC 5280 6.1.4 (n) checks keyCertSign only when the extension is there).
  c.noKuCa = issue({ name: 'No Key Usage CA', ca: true, pathLen: 0, issuer: pki.root, keyUsage: null });
  c.nadia = issue({ name: 'Nadia', email: 'nadia@example.com', issuer: c.noKuCa });
  // Name constraints on DNS names only: e-mail addresses are not constrained by them.
  c.dnsNcCa = issue({ name: 'DNS Constrained CA', ca: true, pathLen: 0, issuer: pki.root, extraExt: 'nameConstraints = critical, permitted;DNS:example.com, excluded;DNS:bad.example.com' });
  c.dina = issue({ name: 'Dina', email: 'dina@example.com', issuer: c.dnsNcCa });
  // Critical policyMappings (RFC 5280 4.2.1.5: SHOULD be critical).
  c.mapCa = issue({
    name: 'Mapping CA',
    ca: true,
    pathLen: 0,
    issuer: pki.root,
    extraExt: 'certificatePolicies = 1.3.6.1.4.1.55555.2.1\npolicyMappings = critical, 1.3.6.1.4.1.55555.2.1:1.3.6.1.4.1.55555.3.1',
  });
  c.mona = issue({ name: 'Mona', email: 'mona@example.com', issuer: c.mapCa, extraExt: 'certificatePolicies = 1.3.6.1.4.1.55555.3.1' });
  // CRLs with issuingDistributionPoint (critical): the CA's for users only, the root's (an ARL) for CAs only; the
  // leaf points at its CRL. And a version 1 CRL (no extensions) of an old CA.
  c.idpCa = issue({ name: 'IDP CA', ca: true, pathLen: 0, issuer: pki.root, extraExt: 'crlDistributionPoints = URI:http://crl.example.com/root.crl' });
  c.ida = issue({ name: 'Ida', email: 'ida@example.com', issuer: c.idpCa, extraExt: 'crlDistributionPoints = URI:http://crl.example.com/idp-ca.crl' });
  c.revokedNeighbour = issue({ name: 'Ron', email: 'ron@example.com', issuer: c.idpCa });
  const done: Record<string, IssuedCert> = {};
  for (const [k, v] of Object.entries(c)) done[k] = await v;
  await pki.revoke(done.revokedNeighbour, { reason: 'keyCompromise', at: utc(2024, 3, 1) });
  return done;
}

/** A version 1 self-signed root (`openssl x509 -req -signkey` without extensions), as an IssuedCert that can issue. */
async function v1Root(pki: Pki): Promise<IssuedCert> {
  const base = join(pki.dir, 'v1-root');
  const keyPath = `${base}.key.pem`;
  const certPath = `${base}.pem`;
  await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', keyPath]);
  const cnf = `${base}.cnf`;
  writeFileSync(cnf, '[ req ]\ndistinguished_name = dn\n[ dn ]\n');
  await openssl(['req', '-new', '-key', keyPath, '-subj', '/O=Old Trust/CN=Old Root CA', '-config', cnf, '-out', `${base}.csr`]);
  await openssl(['x509', '-req', '-in', `${base}.csr`, '-signkey', keyPath, '-days', '9000', '-set_serial', '4242', '-out', certPath]);
  const certPem = readFileSync(certPath, 'utf8');
  const certDer = Buffer.from(certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  writeFileSync(`${base}.der`, certDer);
  return {
    name: 'Old Root CA', emails: [], keyType: 'ec-p256', serial: '1092', certPem, certDer, keyPem: readFileSync(keyPath, 'utf8'),
    certPath, keyPath, certDerPath: `${base}.der`, isCA: true, selfSigned: true, chain: [], chainPaths: [], chainBundlePath: '',
    makeP12: () => Promise.reject(new Error('not for a v1 root')), dir: pki.dir,
  };
}

const as = (who: () => IssuedCert, o: Partial<SignOptions> = {}) => async () =>
  sign({ signer: who(), headers: { ...FROM(), from: who().emails[0] }, ...o });

shape({
  group: 'chain',
  name: 'an expired old certificate of the intermediate (same name and key) beside the current one, old first',
  make: async () => ({ bytes: await sign({ chain: [w.c.oldInt, w.pki.intermediate] }) }),
});
shape({
  group: 'chain',
  name: 'a cross-certificate of the intermediate in the bag; anchor: the main root',
  make: async () => ({
    bytes: await sign({ chain: [w.c.crossInt, w.pki.intermediate] }),
    // The bag is a DER SET OF, sorted by encoding: when the cross-certificate sorts first, `cms -verify` takes it
    // and does not try the other 'Fixture Intermediate CA' (about every other run). The path on its own:
    openssl: (p) => opensslSignatureAndPath(p, { signer: w.alice, untrusted: [w.pki.intermediate], anchor: w.pki.root }),
  }),
});
shape({
  group: 'chain',
  name: 'a cross-certificate of the intermediate in the bag; anchor: the other root (path through the cross-certificate)',
  make: async () => ({
    bytes: await sign({ chain: [w.pki.intermediate, w.c.crossInt] }),
    anchors: certs(w.c.newRoot),
    // `cms -verify` takes the first 'Fixture Intermediate CA' of the bag and does not try the second.
    openssl: (p) => opensslSignatureAndPath(p, { signer: w.alice, untrusted: [w.c.crossInt], anchor: w.c.newRoot }),
  }),
});
shape({
  group: 'chain',
  name: 'a cross-signed root: leaf → issuing CA → new root cross-certified by the trusted root',
  make: async () => ({ bytes: await as(() => w.c.dave, { chain: [w.c.newInt, w.c.crossRoot] })() }),
});
shape({
  group: 'chain',
  name: 'a cross-signed root with the new self-signed root also in the bag',
  make: async () => ({
    bytes: await as(() => w.c.dave, { chain: [w.c.newInt, w.c.newRoot, w.c.crossRoot] })(),
    // `cms -verify` stops at the self-signed root in the bag ("self-signed certificate in certificate chain").
    openssl: (p) => opensslSignatureAndPath(p, { signer: w.c.dave, untrusted: [w.c.newInt, w.c.crossRoot], anchor: w.pki.root }),
  }),
});
shape({
  group: 'chain',
  name: 'revocation hard: a cross-signed root with the new self-signed root in the bag, every CA\'s CRL at hand',
  make: async () => ({
    bytes: await as(() => w.c.dave, { chain: [w.c.newInt, w.c.newRoot, w.c.crossRoot] })(),
    ours: { revocation: 'hard', crls: [w.crl.root, w.crl.newRoot, w.crl.newInt].flatMap(crlsOf) },
    openssl: (p) => opensslSignatureAndPath(p, { signer: w.c.dave, untrusted: [w.c.newInt, w.c.crossRoot], anchor: w.pki.root, crls: [w.crl.root, w.crl.newRoot, w.crl.newInt] }),
  }),
});
shape({
  group: 'chain',
  name: "leaf's issuer in PrintableString, the CA's subject in UTF8String",
  make: async () => ({ bytes: await as(() => w.c.frank, { chain: [w.pki.intermediate] })() }),
});
shape({
  group: 'chain',
  name: "leaf's issuer in UTF8String, the CA's subject in PrintableString",
  make: async () => ({ bytes: await sign({ chain: [w.c.intPrintable] }) }),
});
shape({
  group: 'chain',
  name: "leaf's issuer in T61String (Latin-1 'ö'), the CA's subject in UTF8String",
  make: async () => ({ bytes: await as(() => w.c.tina, { chain: [w.c.koeln] })() }),
});
shape({
  group: 'chain',
  name: "leaf's issuer in BMPString ('Łódź'), the CA's subject in UTF8String",
  make: async () => ({ bytes: await as(() => w.c.bea, { chain: [w.c.lodz] })() }),
});
shape({
  group: 'chain',
  name: "leaf's issuer in upper case, the CA's subject in mixed case",
  make: async () => ({ bytes: await as(() => w.c.fiona, { chain: [w.pki.intermediate] })() }),
});
shape({
  group: 'chain',
  name: "leaf's issuer with runs of spaces, the CA's subject with single spaces",
  make: async () => ({ bytes: await as(() => w.c.felix, { chain: [w.pki.intermediate] })() }),
});
shape({
  group: 'chain',
  name: 'critical policyConstraints (requireExplicitPolicy 0) and inhibitAnyPolicy on the CA, critical certificatePolicies on the leaf',
  make: async () => ({ bytes: await as(() => w.c.grace)() }),
});
shape({
  group: 'chain',
  name: 'critical nameConstraints (email and directory name) on the CA',
  make: async () => ({ bytes: await as(() => w.c.henry)() }),
});
shape({
  group: 'chain',
  name: "revocation soft: only the issuing CA's CRL at hand (item 20)",
  make: async () => {
    const crlPath = join(w.pki.dir, `int-crl-${++bundleCounter}.der`);
    writeFileSync(crlPath, w.crl.int);
    return {
      bytes: await sign(),
      ours: { crls: crlsOf(w.crl.int) },
      openssl: (p) => opensslVerify(p, { CAfile: w.pki.root.certPath, crl: crlPath }),
    };
  },
});
shape({
  group: 'chain',
  name: 'revocation soft: the CRLs of both CAs at hand',
  make: async () => ({ bytes: await sign(), ours: { crls: [...crlsOf(w.crl.int), ...crlsOf(w.crl.root)] } }),
});

// --- certificate profiles ---------------------------------------------------------------------------------------
shape({ group: 'profile', name: 'empty subject, critical subjectAltName (RFC 5280 4.2.1.6)', make: async () => ({ bytes: await sign({ signer: w.c.ivy, headers: { ...FROM(), from: 'ivy@example.com' } }) }) });
shape({ group: 'profile', name: 'no extendedKeyUsage (any use)', make: async () => ({ bytes: await as(() => w.c.noEku)() }) });
shape({
  group: 'profile',
  name: 'extendedKeyUsage anyExtendedKeyUsage (RFC 8550 4.4.4 accepts it)',
  make: async () => ({
    bytes: await as(() => w.c.anyEku)(),
    // OpenSSL's smimesign purpose wants emailProtection itself; its path check with purpose "any" is what RFC 8550 asks.
    openssl: (p) => opensslSignatureAndPath(p, { signer: w.c.anyEku, untrusted: [w.pki.intermediate], anchor: w.pki.root, purpose: 'any' }),
  }),
});
shape({ group: 'profile', name: 'keyUsage nonRepudiation only (RFC 8550 4.4.2)', make: async () => ({ bytes: await as(() => w.c.nonRep)() }) });
shape({ group: 'profile', name: 'address only as emailAddress in the subject (no subjectAltName)', make: async () => ({ bytes: await sign({ signer: w.c.subjEmail, headers: { ...FROM(), from: 'sam@example.com' } }) }) });
shape({ group: 'profile', name: 'RSA 3072 signer under ECDSA CAs', make: async () => ({ bytes: await as(() => w.c.rsa3072)() }) });
shape({
  group: 'profile',
  name: 'an old message: signed while the certificate was valid, checked at the signing time (--at)',
  make: async () => ({
    bytes: await as(() => w.c.jack, { signingTime: utc(2024, 6, 1) })(),
    ours: { at: utc(2024, 6, 1, 0, 5) },
    openssl: (p) => opensslVerify(p, { CAfile: w.pki.root.certPath, attime: utc(2024, 6, 1, 0, 5) }),
  }),
});
shape({
  group: 'profile',
  name: "signing time a few minutes before notBefore (the signer's clock behind), checked inside the validity",
  make: async () => ({
    bytes: await as(() => w.c.jack, { signingTime: utc(2023, 12, 31, 23, 56) })(),
    ours: { at: utc(2024, 1, 2) },
    openssl: (p) => opensslVerify(p, { CAfile: w.pki.root.certPath, attime: utc(2024, 1, 2) }),
  }),
  expect: trustedWithSigningTimeWarning,
});
shape({
  group: 'profile',
  name: 'signing time a few minutes after notAfter, checked inside the validity',
  make: async () => ({
    bytes: await as(() => w.c.jack, { signingTime: utc(2025, 1, 1, 0, 4) })(),
    ours: { at: utc(2024, 12, 31) },
    openssl: (p) => opensslVerify(p, { CAfile: w.pki.root.certPath, attime: utc(2024, 12, 31) }),
  }),
  expect: trustedWithSigningTimeWarning,
});

/**
 * The signing time is the signer's own clock, vouched for by nobody; the certificate is checked at the check time
 * (now, or --at). A signing time outside the certificate's validity while the check time is inside it is a clock
 * off by some minutes, not an attack (an attacker gains nothing by moving it): trusted, with a warning that says so
 * (docs/users.md, "Signing time").
 */
function trustedWithSigningTimeWarning(v: Verdict): void {
  assert.equal(v.verdict, 'trusted', v.summary);
  const r = v.reasons.find((x) => x.code === 'signing-time-outside-validity');
  assert.ok(r, v.reasons.map((x) => x.code).join(', '));
  assert.equal(r.severity, 'warning');
  assert.match(r.message, /claims to be signed on 20\d\d-\d\d-\d\d, when the signer's certificate was not valid/);
}

// --- sender binding -------------------------------------------------------------------------------------------
const fromIs = (from: string, extra?: Array<[string, string]>) => async () => ({ bytes: await sign({ headers: { ...FROM(), from, extra } }) });
shape({ group: 'sender', name: 'From in other case than the certificate (ALICE@EXAMPLE.COM)', make: fromIs('"Alice" <ALICE@EXAMPLE.COM>') });
shape({ group: 'sender', name: 'certificate address in mixed case, From in lower case', make: async () => ({ bytes: await sign({ signer: w.c.upperSan, headers: { ...FROM(), from: 'uma.upper@example.com' } }) }) });
shape({ group: 'sender', name: 'From with a comment: alice@example.com (Alice)', make: fromIs('alice@example.com (Alice Example)') });
shape({ group: 'sender', name: 'From with an encoded-word display name', make: fromIs('=?utf-8?q?Al=C3=AFce_Example?= <alice@example.com>') });
shape({ group: 'sender', name: 'From with a quoted display name holding a comma', make: fromIs('"Example, Alice" <alice@example.com>') });
shape({ group: 'sender', name: 'From folded over two lines', make: fromIs('"Alice Example"\r\n <alice@example.com>') });
shape({ group: 'sender', name: 'Sender equal to From, Reply-To a list address', make: fromIs('Alice <alice@example.com>', [['Sender', 'alice@example.com'], ['Reply-To', 'team@example.com']]) });

// --- more chains and revocation ------------------------------------------------------------------------------
shape({
  group: 'chain',
  name: 'the intermediate re-keyed (same name, new key) beside the old one; the leaf issued under the old key',
  make: async () => ({ bytes: await as(() => w.c.kim, { chain: [w.pki.intermediate, w.c.rekeyedInt] })() }),
});
shape({
  group: 'chain',
  name: 'authorityKeyIdentifier by issuer name and serial only (older CAs)',
  make: async () => ({ bytes: await as(() => w.c.akiIssuer)() }),
});
shape({
  group: 'chain',
  name: 'a version 1 root (no extensions) as the anchor',
  make: async () => ({
    bytes: await as(() => w.c.victor)(),
    anchors: certs(w.c.v1Root),
    openssl: (p) => opensslVerify(p, { CAfile: w.c.v1Root.certPath }),
  }),
});
const crlCase = (o: { mode: 'soft' | 'hard'; crls: () => Promise<Buffer[]>; embed?: boolean }) => async (): Promise<Made> => {
  const crls = await o.crls();
  const bytes = o.embed ? await signWithCrls(crls) : await sign();
  return { bytes, ours: { revocation: o.mode, ...(o.embed ? {} : { crls: crls.flatMap(crlsOf) }) } };
};
async function makeCrls(): Promise<Record<string, Buffer>> {
  const { pki, other, c } = w;
  const crl: Record<string, Buffer> = {};
  crl.int = (await pki.crl({ issuer: 'intermediate' })).der;
  crl.root = (await pki.crl({ issuer: 'root' })).der;
  crl.intOld = (await pki.crl({ issuer: 'intermediate', thisUpdate: utc(2023, 1, 1), nextUpdate: utc(2023, 2, 1) })).der;
  crl.otherInt = (await other.crl({ issuer: 'intermediate' })).der;
  crl.newRoot = (await pki.crl({ issuer: c.newRoot })).der;
  crl.newInt = (await pki.crl({ issuer: c.newInt })).der;
  crl.idpCa = await crlWithExtensions(c.idpCa, 'issuingDistributionPoint = critical, @idp\n[ idp ]\nfullname = URI:http://crl.example.com/idp-ca.crl\nonlyuser = TRUE');
  crl.idpRoot = await crlWithExtensions(pki.root, 'issuingDistributionPoint = critical, @idp\n[ idp ]\nfullname = URI:http://crl.example.com/root.crl\nonlyCA = TRUE');
  crl.v1Int = await crlWithExtensions(c.v1Int, null);
  crl.v1Root = await crlWithExtensions(c.v1Root, null);
  return crl;
}

/**
 * A CRL of `ca` with these crl_extensions (null: none, a version 1 CRL), from an `openssl ca` database of its own
 * (the fixture factory's databases add an authorityKeyIdentifier to every CRL). Revoked entries are copied from the
 * Pki's database of the CA when it has one.
 */
async function crlWithExtensions(ca: IssuedCert, ext: string | null): Promise<Buffer> {
  const d = join(w.pki.dir, `crl-db-${++bundleCounter}`);
  mkdirSync(d, { recursive: true });
  // The Pki keeps each CA's database in ca/<slug of its name>-<serial>/ (test/support/pki.ts dbFor).
  const own = join(w.pki.dir, 'ca', `${ca.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}-${ca.serial}`, 'index.txt');
  writeFileSync(join(d, 'index.txt'), existsSync(own) ? readFileSync(own) : '');
  writeFileSync(join(d, 'crlnumber'), '10\n');
  writeFileSync(
    join(d, 'openssl.cnf'),
    `[ ca ]\ndefault_ca = d\n[ d ]\ndatabase = ${d}/index.txt\ncrlnumber = ${d}/crlnumber\ndefault_md = sha256\n${ext ? 'crl_extensions = crl_ext\n' : ''}default_crl_days = 30\n` +
      (ext ? `[ crl_ext ]\n${ext}\n` : ''),
  );
  const pem = join(d, 'crl.pem');
  await openssl(['ca', '-gencrl', '-config', join(d, 'openssl.cnf'), '-cert', ca.certPath, '-keyfile', ca.keyPath, '-out', pem, '-crl_lastupdate', '20240101000000Z', '-crl_nextupdate', '20390101000000Z']);
  return openssl(['crl', '-in', pem, '-outform', 'DER']);
}
const intCrl = async () => w.crl.int;
const rootCrl = async () => w.crl.root;
shape({ group: 'chain', name: "revocation soft: the issuing CA's CRL carried in the message (SignedData crls)", make: crlCase({ mode: 'soft', crls: async () => [await intCrl()], embed: true }) });
shape({ group: 'chain', name: 'revocation hard: the CRLs of both CAs carried in the message', make: crlCase({ mode: 'hard', crls: async () => [await intCrl(), await rootCrl()], embed: true }) });
shape({ group: 'chain', name: 'revocation hard: the CRLs of both CAs at hand', make: crlCase({ mode: 'hard', crls: async () => [await intCrl(), await rootCrl()] }) });
shape({
  group: 'chain',
  name: 'revocation hard: both CRLs and the CRL of an unrelated CA with the same name',
  make: crlCase({ mode: 'hard', crls: async () => [w.crl.otherInt, w.crl.int, w.crl.root] }),
});
shape({
  group: 'chain',
  name: 'revocation hard: both current CRLs and an older, expired CRL of the intermediate',
  make: crlCase({
    mode: 'hard',
    crls: async () => [w.crl.intOld, w.crl.int, w.crl.root],
  }),
});
shape({
  group: 'chain',
  name: "revocation soft: the intermediate's CRL is stale (nextUpdate passed): a warning, not an alarm",
  make: crlCase({ mode: 'soft', crls: async () => [w.crl.intOld] }),
});
const crlShape = (name: string, who: () => IssuedCert, anchor: () => IssuedCert, crls: () => Buffer[], mode: 'soft' | 'hard' = 'hard') =>
  shape({
    group: 'chain',
    name,
    make: async () => {
      const list = crls();
      const bundlePath = join(w.pki.dir, `crls-${++bundleCounter}.pem`);
      writeFileSync(bundlePath, list.map(crlPem).join(''));
      return {
        bytes: await as(who)(),
        anchors: certs(anchor()),
        ours: { revocation: mode, crls: list.flatMap(crlsOf) },
        // -crl_check_all: OpenSSL checks every certificate of the chain against the CRLs, as hard mode does.
        openssl: async (p) => {
          const ca = join(w.pki.dir, `ca-crl-${++bundleCounter}.pem`);
          writeFileSync(ca, anchor().certPem + readFileSync(bundlePath, 'utf8'));
          const r = await runOpenssl(['cms', '-verify', '-in', p, '-CAfile', ca, '-crl_check_all', '-extended_crl', '-out', '/dev/null']);
          return { ok: r.code === 0 && r.stderr.includes('Verification successful'), stderr: r.stderr };
        },
      };
    },
  });
shape({
  group: 'chain',
  name: 'revocation hard: CRLs with a critical issuingDistributionPoint (users only / CAs only), a revoked neighbour listed',
  make: async () => ({
    bytes: await as(() => w.c.ida)(),
    ours: { revocation: 'hard', crls: [w.crl.idpCa, w.crl.idpRoot].flatMap(crlsOf) },
    // With -crl_check_all OpenSSL 3.0 also looks for a CRL covering the self-signed root and takes the root's
    // CRL, whose distribution point the root does not name, as "different CRL scope". Each level on its own:
    openssl: async (p) => {
      const leaf = await opensslSignatureAndPath(p, { signer: w.c.ida, untrusted: [w.c.idpCa], anchor: w.pki.root, crls: [w.crl.idpCa], crlCheck: 'leaf' });
      if (!leaf.ok) return leaf;
      return opensslSignatureAndPath(p, { signer: w.c.idpCa, untrusted: [], anchor: w.pki.root, crls: [w.crl.idpRoot], crlCheck: 'leaf', purpose: 'any' });
    },
  }),
});
crlShape('revocation hard: version 1 CRLs (no extensions) under a version 1 root', () => w.c.victor, () => w.c.v1Root, () => [w.crl.v1Int, w.crl.v1Root]);

// --- more signers ------------------------------------------------------------------------------------------------
shape({ group: 'profile', name: 'ECDSA P-521 signer, SHA-512', make: async () => ({ bytes: await as(() => w.c.p521, { md: 'sha512' })() }) });
shape({ group: 'profile', name: 'ECDSA P-384 signer, SHA-384, opaque', make: async () => ({ bytes: await as(() => w.c.p384, { md: 'sha384', opaque: true })() }) });
shape({ group: 'profile', name: 'RSA signer, SHA-224', make: async () => ({ bytes: await sign({ md: 'sha224' }) }) });
shape({
  group: 'profile',
  name: 'a brainpoolP256r1 signer is checked (was: "an algorithm that cannot be checked here", never trusted)',
  make: async () => ({ bytes: await as(() => w.c.bpLeaf)() }),
});
shape({
  group: 'profile',
  name: 'a Brainpool chain (brainpoolP384r1 CA, brainpoolP512r1 signer, SHA-512, opaque) is checked (was: "cannot be checked here")',
  make: async () => ({ bytes: await as(() => w.c.bpLeaf512, { md: 'sha512', opaque: true })() }),
});
shape({ group: 'sender', name: 'IDN domain: certificate in A-labels, From in UTF-8 (RFC 6532 header)', make: async () => ({ bytes: await sign({ signer: w.c.idn, headers: { ...FROM(), from: 'Björn <bjoern@bücher.example>' } }) }) });
shape({ group: 'sender', name: 'IDN domain: certificate and From both in A-labels', make: async () => ({ bytes: await sign({ signer: w.c.idn, headers: { ...FROM(), from: 'bjoern@xn--bcher-kva.example' } }) }) });
shape({ group: 'sender', name: 'SmtpUTF8Mailbox certificate, UTF-8 From (RFC 9598)', make: async () => ({ bytes: await sign({ signer: w.c.eai, headers: { ...FROM(), from: '李 <李@example.com>' } }) }) });

// --- more MIME ---------------------------------------------------------------------------------------------------
shape({
  group: 'mime',
  name: 'media types and parameter names in odd case (Multipart/Signed; Protocol=; BOUNDARY=)',
  make: async () => ({
    bytes: edit(await sign(), (s) =>
      s.replace('Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg="sha-256"; boundary=', 'Content-Type: Multipart/Signed; Protocol="Application/PKCS7-Signature"; MicAlg="SHA-256"; BOUNDARY=')
        .replace('Content-Type: application/pkcs7-signature; name="smime.p7s"', 'Content-Type: Application/PKCS7-Signature; Name="smime.p7s"')
        .replace('Content-Type: Application/PKCS7-Signature; Name="smime.p7s"\r\nContent-Transfer-Encoding: base64', 'Content-Type: Application/PKCS7-Signature; Name="smime.p7s"\r\nContent-Transfer-Encoding: BASE64'),
    ),
  }),
});
shape({
  group: 'mime',
  name: 'header names in lower case, no space after the colon',
  make: async () => ({ bytes: edit(await sign(), (s) => s.replace('MIME-Version: 1.0', 'mime-version:1.0').replace('Content-Type: multipart/signed;', 'content-type:multipart/signed;')) }),
});
shape({
  group: 'mime',
  name: 'signature part base64 in one long line',
  make: async () => sameCmsAs(await sign(), (m) =>
    edit(m, (s) => s.replace(/(Content-Disposition: attachment; filename="smime.p7s"\r\n\r\n)([A-Za-z0-9+/=\r\n]+?)(\r\n\r\n--)/, (_m, a: string, b: string, c: string) => a + b.replace(/\r\n/g, '') + c)),
  ),
});
shape({
  group: 'mime',
  name: 'signature part without Content-Disposition and name (only the media type)',
  make: async () => ({ bytes: edit(await sign(), (s) => s.replace('Content-Type: application/pkcs7-signature; name="smime.p7s"', 'Content-Type: application/pkcs7-signature').replace(/Content-Disposition: attachment; filename="smime.p7s"\r\n/, '')) }),
});
shape({
  group: 'mime',
  name: 'boundary parameter in RFC 2231 continuations (boundary*0, boundary*1)',
  make: async () => sameCmsAs(await sign(), (m) => {
    const b = boundaryOf(m);
    return edit(m, (s) => s.replace(`boundary="${b}"`, `boundary*0="${b.slice(0, 10)}";\r\n boundary*1="${b.slice(10)}"`));
  }),
});
shape({
  group: 'mime',
  name: 'signed first part with no header fields (a default text/plain entity)',
  make: async () => ({ bytes: await sign({ content: '\r\nJust text, no header fields.\r\n' }) }),
});
shape({
  group: 'mime',
  name: 'signed text without a line break at its end (the delimiter\'s CRLF is not part of it)',
  make: async () => ({ bytes: await sign({ content: 'Content-Type: text/plain; charset=us-ascii\r\n\r\nno line break at the end' }) }),
});
shape({
  group: 'mime',
  name: 'signed text ending in blank lines',
  make: async () => ({ bytes: await sign({ content: 'Content-Type: text/plain; charset=us-ascii\r\n\r\ntext\r\n\r\n\r\n' }) }),
});
shape({
  group: 'mime',
  name: 'raw UTF-8 (RFC 6532) Subject and display name in the outer header',
  make: async () => ({ bytes: await sign({ headers: { ...FROM(), from: 'Alïce Exämple <alice@example.com>', subject: 'Grüße und Küsse' } }) }),
});
shape({
  group: 'mime',
  name: 'opaque signed-data with Content-Transfer-Encoding: binary (raw DER)',
  make: async () => {
    const der = await smimeSign({ signer: w.alice, content: CONTENT(), opaque: true, outform: 'der' });
    return {
      bytes: Buffer.concat([
        Buffer.from(headerBlock(FROM()) + 'MIME-Version: 1.0\r\nContent-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"\r\nContent-Transfer-Encoding: binary\r\n\r\n', 'latin1'),
        der.bytes,
      ]),
      openssl: async (p) => {
        writeFileSync(`${p}.der`, der.bytes);
        return opensslVerify(`${p}.der`, { CAfile: w.pki.root.certPath, inform: 'der' });
      },
    };
  },
});
shape({
  group: 'encrypt',
  name: 'encrypted to two recipients, ours second; recipient identified by subjectKeyIdentifier (-keyid)',
  make: async () => {
    const inner = await sign({ headers: false });
    const enc = await runEncrypt(inner, ['-keyid', '-recip', w.carol.certPath, '-recip', w.bob.certPath]);
    return { bytes: enc, ours: decryptAsBob(), openssl: osslDecryptThenVerify };
  },
});

shape({
  group: 'chain',
  name: 'a root whose self-signature uses SHA-1, SHA-256 below it',
  make: async () => ({ bytes: await as(() => w.c.walt)(), anchors: certs(w.c.sha1Root), openssl: (p) => opensslVerify(p, { CAfile: w.c.sha1Root.certPath }) }),
});
shape({
  group: 'chain',
  name: 'validity in GeneralizedTime: a root to 99991231235959Z, CA and leaf past 2049',
  make: async () => ({ bytes: await as(() => w.c.lena)(), anchors: certs(w.c.longRoot), openssl: (p) => opensslVerify(p, { CAfile: w.c.longRoot.certPath }) }),
});
shape({ group: 'chain', name: 'a CA certificate without keyUsage', make: async () => ({ bytes: await as(() => w.c.nadia)() }) });
shape({ group: 'chain', name: 'name constraints on DNS names only; the signer has an e-mail address', make: async () => ({ bytes: await as(() => w.c.dina)() }) });
shape({ group: 'chain', name: 'critical policyMappings on the CA', make: async () => ({ bytes: await as(() => w.c.mona)() }) });
shape({ group: 'sign', name: '-cades (ESS signingCertificateV2)', make: async () => ({ bytes: await sign({ opensslArgs: ['-cades'] }) }) });
shape({ group: 'sign', name: '-cades -nodetach', make: async () => ({ bytes: await sign({ opaque: true, opensslArgs: ['-cades'] }) }) });
shape({ group: 'sign', name: '-receipt_request_all (ESS receipt request)', make: async () => ({ bytes: await sign({ opensslArgs: ['-receipt_request_all', '-receipt_request_to', 'alice@example.com'] }) }) });
shape({
  group: 'sign',
  name: 'SignerInfo signatureAlgorithm sha256WithRSAEncryption instead of rsaEncryption (Windows, Java)',
  make: async () => {
    const m = await sign();
    return { bytes: resignatureAlgorithm(m), openssl: async (p) => (writeFileSync(p, resignatureAlgorithm(m)), opensslVerify(p, { CAfile: w.pki.root.certPath })) };
  },
});
shape({
  group: 'sign',
  name: 'unsigned attributes on the SignerInfo (a timestamp-token-like and an unknown one)',
  make: async () => ({
    bytes: await signDetachedEdited((der) =>
      addUnsignedAttributes(der, [
        // id-aa-timeStampToken with a placeholder ContentInfo, and a private attribute: both outside the signature.
        attribute('1.2.840.113549.1.9.16.2.14', wrap(0x30, Buffer.concat([derOidBytes('1.2.840.113549.1.7.2'), wrap(0xa0, wrap(0x30, Buffer.alloc(0)))]))),
        attribute('1.3.6.1.4.1.55555.9.1', wrap(0x04, Buffer.from('unsigned note'))),
      ]),
    ),
  }),
});
shape({
  group: 'encrypt',
  name: 'triple wrap: signed, encrypted, signed (RFC 2634)',
  make: async () => {
    const inner = await sign({ headers: false });
    const enc = await smimeEncrypt({ content: inner, recipients: [w.bob], headers: false });
    return { bytes: await sign({ content: enc.bytes, opaque: true }), ours: decryptAsBob(), openssl: (p) => opensslVerify(p, { CAfile: w.pki.root.certPath }) };
  },
});

// ---------------------------------------------------------------------------------------------------------------
// helpers that need the world

/** The SignerInfo's rsaEncryption OID (the last one in the SignedData; the certificates' come before) as sha256WithRSAEncryption. */
function resignatureAlgorithm(m: Buffer): Buffer {
  const s = m.toString('latin1');
  const start = s.indexOf('Content-Disposition: attachment; filename="smime.p7s"');
  const b64Start = s.indexOf('\r\n\r\n', start) + 4;
  const b64End = s.indexOf('\r\n\r\n', b64Start);
  const der = Buffer.from(s.slice(b64Start, b64End).replace(/\s/g, ''), 'base64');
  const rsa = Buffer.from('06092a864886f70d010101', 'hex');
  const at = der.lastIndexOf(rsa);
  der[at + rsa.length - 1] = 0x0b;
  return Buffer.from(s.slice(0, b64Start) + (der.toString('base64').match(/.{1,64}/g) ?? []).join('\r\n') + s.slice(b64End), 'latin1');
}

/** `openssl cms -encrypt` with free options (AES-256-CBC), as a message from Alice to Bob. */
async function runEncrypt(content: Buffer, args: string[]): Promise<Buffer> {
  const inPath = join(w.pki.dir, `enc-in-${++bundleCounter}.eml`);
  writeFileSync(inPath, content);
  const out = await openssl(['cms', '-encrypt', '-in', inPath, '-outform', 'SMIME', '-aes-256-cbc', '-crlfeol', ...args]);
  return Buffer.concat([Buffer.from(headerBlock(FROM()), 'latin1'), Buffer.from(out.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1')]);
}

/** A detached signed message whose SignedData carries these CRLs in its crls field (outside the signature). */
const signWithCrls = (crls: Buffer[]) => signDetachedEdited((der) => insertCrls(der, crls));

/** A detached signed message (openssl cms -sign -outform DER) whose ContentInfo `edit` changed outside the signature. */
async function signDetachedEdited(edit: (contentInfo: Buffer) => Buffer): Promise<Buffer> {
  const content = CONTENT();
  const der = edit((await smimeSign({ signer: w.alice, content, outform: 'der' })).bytes);
  const b = 'edited-signature-boundary-0001';
  return Buffer.concat([
    Buffer.from(headerBlock(FROM()) + `MIME-Version: 1.0\r\nContent-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=sha-256; boundary="${b}"\r\n\r\n--${b}\r\n`, 'latin1'),
    content,
    Buffer.from(`\r\n--${b}\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\nContent-Transfer-Encoding: base64\r\n\r\n${(der.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n')}\r\n--${b}--\r\n`, 'latin1'),
  ]);
}

// DER, definite lengths only (what `-outform DER` without -stream writes).
function tlvAt(b: Buffer, at: number): { tag: number; start: number; end: number } {
  let len = b[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i];
    start += n;
  }
  return { tag: b[at], start, end: start + len };
}
function children(b: Buffer, start: number, end: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = start; at < end; ) {
    const t = tlvAt(b, at);
    out.push(b.subarray(at, t.end));
    at = t.end;
  }
  return out;
}
function wrap(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), body]);
}
/** The SignedData's fields inside a ContentInfo, and a function that puts changed fields back. */
function signedDataFields(contentInfo: Buffer): { parts: Buffer[]; rebuild: (parts: Buffer[]) => Buffer } {
  const ci = tlvAt(contentInfo, 0);
  const [oid, explicit] = children(contentInfo, ci.start, ci.end);
  const ex = tlvAt(explicit, 0);
  const sd = tlvAt(explicit, ex.start);
  return {
    parts: children(explicit, sd.start, sd.end),
    rebuild: (parts) => wrap(0x30, Buffer.concat([oid, wrap(0xa0, wrap(0x30, Buffer.concat(parts)))])),
  };
}

/** Unsigned attributes ([1]) appended to the first SignerInfo: outside what is signed (RFC 5652 §5.3). */
function addUnsignedAttributes(contentInfo: Buffer, attrs: Buffer[]): Buffer {
  const { parts, rebuild } = signedDataFields(contentInfo);
  const set = parts[parts.length - 1];
  const st = tlvAt(set, 0);
  const [first, ...rest] = children(set, st.start, st.end);
  const fi = tlvAt(first, 0);
  const withAttrs = wrap(0x30, Buffer.concat([first.subarray(fi.start, fi.end), wrap(0xa1, Buffer.concat(attrs))]));
  return rebuild([...parts.slice(0, -1), wrap(0x31, Buffer.concat([withAttrs, ...rest]))]);
}
const derOidBytes = (dotted: string) => {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return wrap(0x06, Buffer.from(out));
};
/** Attribute ::= SEQUENCE { attrType OID, attrValues SET OF ANY } */
const attribute = (oid: string, ...values: Buffer[]) => wrap(0x30, Buffer.concat([derOidBytes(oid), wrap(0x31, Buffer.concat(values))]));

/** ContentInfo(SignedData) with `crls` put into SignedData's [1] crls field. */
function insertCrls(contentInfo: Buffer, crls: Buffer[]): Buffer {
  const { parts, rebuild } = signedDataFields(contentInfo);
  const at = parts.length - 1; // signerInfos, the last field; crls [1] go just before it
  return rebuild([...parts.slice(0, at), wrap(0xa1, Buffer.concat(crls)), ...parts.slice(at)]);
}

function crlsOf(der: Buffer): pkijs.CertificateRevocationList[] {
  const r = loadCrls(new Uint8Array(der));
  return r.crls;
}

let bundleCounter = 0;
function bundle(cs: IssuedCert[]): string {
  const p = join(w.pki.dir, `bundle-${++bundleCounter}.pem`);
  writeFileSync(p, cs.map((c) => c.certPem).join(''));
  return p;
}

/**
 * `cms -verify` for a message without certificates: OpenSSL 3.0 finds the signer only through -certfile, and builds
 * the chain only from its CAfile (see opensslVerify), so the certificates go to both.
 */
async function verifyWithSignerFile(path: string, cs: IssuedCert[]): Promise<{ ok: boolean; stderr: string }> {
  const b = bundle(cs);
  const ca = bundle([w.pki.root, ...cs]);
  const r = await runOpenssl(['cms', '-verify', '-in', path, '-inform', 'SMIME', '-certfile', b, '-CAfile', ca, '-purpose', 'any', '-out', '/dev/null']);
  return { ok: r.code === 0 && r.stderr.includes('Verification successful'), stderr: r.stderr };
}

/**
 * For shapes whose chain `cms -verify` cannot build (OpenSSL 3.0 does not backtrack past a self-signed certificate
 * in the bag, nor to a second issuer of the same name) or whose purpose it reads more narrowly than RFC 8550: the
 * signature with `cms -verify -noverify`, and the path we expect with `openssl verify -untrusted`.
 */
async function opensslSignatureAndPath(
  path: string,
  o: { signer: IssuedCert; untrusted: IssuedCert[]; anchor: IssuedCert; purpose?: string; crls?: Buffer[]; crlCheck?: 'leaf' | 'all' },
): Promise<{ ok: boolean; stderr: string }> {
  const sig = await opensslVerify(path, { noverify: true });
  if (!sig.ok) return sig;
  const args = ['verify', '-CAfile', o.anchor.certPath, '-purpose', o.purpose ?? 'smimesign'];
  if (o.untrusted.length) args.push('-untrusted', bundle(o.untrusted));
  if (o.crls) {
    const crlPath = join(w.pki.dir, `path-crls-${++bundleCounter}.pem`);
    writeFileSync(crlPath, o.crls.map(crlPem).join(''));
    args.push('-CRLfile', crlPath, o.crlCheck === 'leaf' ? '-crl_check' : '-crl_check_all', '-extended_crl');
  }
  const r = await runOpenssl([...args, o.signer.certPath]);
  return { ok: r.code === 0 && r.stdout.toString().includes(': OK'), stderr: r.stderr + r.stdout.toString() };
}
const crlPem = (d: Buffer) => `-----BEGIN X509 CRL-----\n${(d.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END X509 CRL-----\n`;

/** `openssl cms -resign`: add a SignerInfo by `signer` to a signed message (headers kept). */
async function resign(message: Buffer, signer: IssuedCert): Promise<Buffer> {
  const s = message.toString('latin1');
  const cut = s.indexOf('MIME-Version:');
  const head = s.slice(0, cut);
  const inPath = join(w.pki.dir, `resign-in-${++bundleCounter}.eml`);
  const outPath = `${inPath}.out.eml`;
  writeFileSync(inPath, Buffer.from(s.slice(cut), 'latin1'));
  await openssl(['cms', '-resign', '-in', inPath, '-inform', 'SMIME', '-out', outPath, '-outform', 'SMIME', '-signer', signer.certPath, '-inkey', signer.keyPath, '-md', 'sha256', '-crlfeol']);
  const out = readFileSync(outPath).toString('latin1').replace(/\r?\n/g, '\r\n');
  return Buffer.from(head + out, 'latin1');
}

// ---------------------------------------------------------------------------------------------------------------
// run

interface Outcome {
  made?: Made;
  path?: string;
  ours?: Verdict;
  openssl?: { ok: boolean; stderr: string };
  error?: unknown;
}
const outcomes = new Map<Shape, Outcome>();

async function pool<T>(items: T[], n: number, f: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (next < items.length) await f(items[next++]); }));
}

before(async () => {
  const t0 = performance.now();
  // ECDSA P-256 keys by default (RSA key generation dominated the run); RSA for Alice, Bob and the unrelated PKI.
  const [pki, other] = await Promise.all([makePki({ keyType: 'ec-p256' }), makePki()]);
  const alice = await pki.issue({ name: 'Alice', email: 'alice@example.com', keyType: 'rsa2048' });
  const carol = await pki.issue({ name: 'Carol', email: 'carol@example.com' });
  const bob = await pki.issue({ name: 'Bob', email: 'bob@example.com', keyType: 'rsa2048' });
  const p12 = await importPkcs12(new Uint8Array(readFileSync(await bob.makeP12('pw'))), 'pw');
  assert.ok(p12.ok);
  w = { pki, other, alice, carol, bob, bobId: p12.identity, c: await makeCertificates(pki), crl: {} };
  w.crl = await makeCrls();
  const tSetup = performance.now();
  await pool(SHAPES, 3, async (s) => {
    const o: Outcome = {};
    outcomes.set(s, o);
    try {
      o.made = await s.make();
      o.path = join(pki.dir, `shape-${SHAPES.indexOf(s)}.eml`);
      writeFileSync(o.path, o.made.bytes);
      o.openssl = await (o.made.openssl ?? ((p: string) => opensslVerify(p, { CAfile: w.pki.root.certPath })))(o.path);
    } catch (e) {
      o.error = e;
    }
  });
  const tMade = performance.now();
  for (const s of SHAPES) {
    const o = outcomes.get(s)!;
    if (o.made) o.ours = await verifyMessage(o.made.bytes, { anchors: o.made.anchors ?? rootOf(w.pki), ...o.made.ours });
  }
  const bad = SHAPES.filter((s) => {
    const o = outcomes.get(s)!;
    return !o.ours || o.ours.verdict !== 'trusted' || !o.openssl?.ok;
  });
  console.log(`# no false alarms: ${SHAPES.length} shapes, ${SHAPES.length - bad.length} trusted here and accepted by OpenSSL; ${((performance.now() - t0) / 1000).toFixed(1)} s (certificates and CRLs ${((tSetup - t0) / 1000).toFixed(1)} s, messages and OpenSSL's checks ${((tMade - tSetup) / 1000).toFixed(1)} s, ours ${((performance.now() - tMade) / 1000).toFixed(1)} s)`);
  for (const g of ['sign', 'mime', 'encrypt', 'chain', 'profile', 'sender'] as const) {
    const gs = SHAPES.filter((s) => s.group === g);
    console.log(`#   ${g}: ${gs.length} shapes, ${gs.filter((s) => !bad.includes(s)).length} fine`);
  }
});

for (const s of SHAPES) {
  test(`${s.group}: ${s.name}`, () => {
    const o = outcomes.get(s)!;
    if (o.error) throw o.error;
    const v = o.ours!;
    assert.ok(o.openssl?.ok, `OpenSSL refuses the fixture (${o.path}): ${o.openssl?.stderr}`);
    if (s.expect) return s.expect(v);
    assert.equal(v.signature, 'valid', `${o.path}: ${v.summary}\n${v.reasons.map((r) => `${r.code}: ${r.message}`).join('\n')}`);
    assert.equal(v.verdict, 'trusted', `${o.path}: ${v.summary}\n${v.reasons.map((r) => `${r.code}: ${r.message}`).join('\n')}`);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// false alarms found, one test each (named after the bug)

test('a message signed with -nocerts by a correspondent whose certificate is in the recipient directory is trusted (was: "the signer\'s certificate is not included")', async () => {
  // RFC 8551 §2.4.2 lets a sender leave certificates out when the recipient has them; mail clients then take the
  // signer's certificate from the certificates they collected from earlier signed mail (our recipient directory).
  const directory = new RecipientDirectory(new MemoryDirectoryStorage());
  const anchors = rootOf(w.pki);
  const earlier = await sign();
  const first = await verifyMessage(earlier, { anchors });
  assert.equal(first.verdict, 'trusted', first.summary);
  assert.equal((await directory.addFromVerifiedMessage(earlier, first)).length, 1);

  const bare = await sign({ nocerts: true });
  const opts = { anchors, intermediates: certs(w.pki.intermediate) };
  const without = await verifyMessage(bare, opts);
  assert.equal(without.signature, 'unknown-signer', 'without the directory there is nothing to check the signature with');
  const v = await verifyMessage(bare, { ...opts, correspondentCertificates: () => directory.certificates() });
  assert.equal(v.signature, 'valid', v.summary);
  assert.equal(v.verdict, 'trusted', v.summary);
  assert.equal(v.signers[0]?.certificate?.emails[0], 'alice@example.com');

  // Only a certificate the directory does not know as revoked helps: one marked revoked is not offered.
  const [entry] = await directory.all();
  await directory.markRevoked(entry.sha256);
  const marked = await verifyMessage(bare, { ...opts, correspondentCertificates: () => directory.certificates() });
  assert.notEqual(marked.verdict, 'trusted', marked.summary);
  // And a directory certificate is only a candidate: one that does not chain to an anchor stays untrusted.
  const elsewhere = await verifyMessage(bare, { anchors: rootOf(w.other), intermediates: certs(w.pki.intermediate), correspondentCertificates: () => certs(w.alice) });
  assert.equal(elsewhere.signature, 'valid', elsewhere.summary);
  assert.notEqual(elsewhere.verdict, 'trusted', elsewhere.summary);
});

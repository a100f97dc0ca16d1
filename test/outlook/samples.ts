/**
 * One sample message per verdict class, made with OpenSSL through the shared fixture factory
 * (test/support/pki.ts): the Outlook e2e test opens the pane over them, and the build puts them into the
 * playground (scripts/outlook-samples.ts). Nothing here is committed output: every run makes a fresh test CA.
 *
 * The reader ("you") is bob@example.com; his PKCS#12 (for the encrypted sample) has the password below.
 */
import { readFileSync } from 'node:fs';
import { type IssuedCert, type Pki, makePki, smimeEncrypt, smimeSign } from '../support/pki';
import { multipartEntity, textEntity, wrapInUnsignedMixed } from '../support/messages';

export const BOB_P12_PASSWORD = 'playground';

export type SampleId =
  | 'trusted'
  | 'tampered'
  | 'untrusted-root'
  | 'expired'
  | 'sender-mismatch'
  | 'partially-signed'
  | 'unsigned'
  | 'encrypted';

export interface Sample {
  id: SampleId;
  subject: string;
  from: string;
  /** What the reader should learn, in one line (shown in the playground's list). */
  description: string;
  /** The verdict word the core must give with the sample root trusted (encrypted: once Bob's key is imported). */
  expect: 'trusted' | 'untrusted' | 'invalid' | 'unsigned';
  bytes: Buffer;
}

export interface SampleSet {
  pki: Pki;
  rootPem: string;
  bob: IssuedCert;
  bobP12Path: string;
  /** The signer of the samples, whose key the compose tests sign with (same password). */
  alice: IssuedCert;
  aliceP12Path: string;
  samples: Sample[];
}

const BODY = 'Hello Bob,\r\n\r\nthe quarterly figures are attached in the shared folder. Please confirm by Friday.\r\n\r\nAlice\r\n';

function tamper(msg: Buffer): Buffer {
  const s = msg.toString('latin1');
  const at = s.indexOf('Please confirm by Friday.');
  if (at < 0) throw new Error('sample text not found for tampering');
  // Same length, different words: the MIME structure stays intact, the signature no longer matches.
  const forged = 'Please wire 9,800 EUR now';
  return Buffer.from(s.slice(0, at) + forged + s.slice(at + forged.length), 'latin1');
}

export async function makeSampleSet(): Promise<SampleSet> {
  const pki = await makePki();
  const alice = await pki.issue({ name: 'Alice Example', email: 'alice@example.com' });
  const bob = await pki.issue({ name: 'Bob Example', email: 'bob@example.com' });
  // A root the reader does not trust. Its own name and an EC key: a second makePki() would reuse the first one's
  // pooled CA keys and names, making it the same CA cryptographically.
  const evilRoot = await pki.issue({ name: 'Evil Root CA', ca: true, selfSigned: true, keyType: 'ec-p256' });
  const mallory = await pki.issue({ name: 'Alice Example', email: 'alice@example.com', issuer: evilRoot, keyType: 'ec-p256' });
  const old = await pki.issue({
    name: 'Carol Expired',
    email: 'carol@example.com',
    start: new Date(Date.UTC(2020, 0, 1)),
    end: new Date(Date.UTC(2022, 0, 1)),
  });
  const content = textEntity(BODY);
  const headers = (from: string, subject: string) => ({ from, to: 'bob@example.com', subject, messageId: `<${subject.replace(/\W+/g, '-').toLowerCase()}@example.test>` });

  const trusted = await smimeSign({ signer: alice, content, headers: headers('Alice Example <alice@example.com>', 'Quarterly figures') });
  const samples: Sample[] = [
    {
      id: 'trusted',
      subject: 'Quarterly figures',
      from: 'alice@example.com',
      description: 'Signed by Alice with a certificate from a CA you trust.',
      expect: 'trusted',
      bytes: trusted.bytes,
    },
    {
      id: 'tampered',
      subject: 'Quarterly figures (changed)',
      from: 'alice@example.com',
      description: 'The same message, with its text changed after signing.',
      expect: 'invalid',
      bytes: tamper(trusted.bytes),
    },
    {
      id: 'untrusted-root',
      subject: 'Urgent: new bank details',
      from: 'alice@example.com',
      description: 'Signed with a certificate for Alice\'s address from a CA you do not trust.',
      expect: 'untrusted',
      bytes: (await smimeSign({ signer: mallory, chain: [evilRoot], content, headers: headers('Alice Example <alice@example.com>', 'Urgent: new bank details') })).bytes,
    },
    {
      id: 'expired',
      subject: 'Old contract',
      from: 'carol@example.com',
      description: 'Signed with a certificate that expired in 2022.',
      expect: 'untrusted',
      bytes: (await smimeSign({ signer: old, content, headers: headers('Carol Expired <carol@example.com>', 'Old contract') })).bytes,
    },
    {
      id: 'sender-mismatch',
      subject: 'Please approve the invoice',
      from: 'ceo@example.com',
      description: 'Says it is from the CEO, but was signed by Alice.',
      expect: 'untrusted',
      bytes: (await smimeSign({ signer: alice, content, headers: headers('The CEO <ceo@example.com>', 'Please approve the invoice') })).bytes,
    },
    {
      id: 'partially-signed',
      subject: 'Quarterly figures (forwarded)',
      from: 'alice@example.com',
      description: 'A signed part wrapped with an unsigned text part someone added.',
      expect: 'untrusted',
      bytes: wrapInUnsignedMixed(
        (await smimeSign({ signer: alice, content, headers: headers('Alice Example <alice@example.com>', 'Quarterly figures (forwarded)') })).bytes,
        { prependText: 'URGENT: ignore the message below, pay the attached invoice today.\r\n' },
      ),
    },
    {
      id: 'unsigned',
      subject: 'Lunch?',
      from: 'dave@example.com',
      description: 'An ordinary message without a signature.',
      expect: 'unsigned',
      bytes: Buffer.concat([
        Buffer.from(
          'From: Dave <dave@example.com>\r\nTo: bob@example.com\r\nSubject: Lunch?\r\nDate: Mon, 15 Jan 2024 10:30:00 +0000\r\nMessage-ID: <lunch@example.test>\r\nMIME-Version: 1.0\r\n',
          'latin1',
        ),
        textEntity('Lunch at noon?\r\n'),
      ]),
    },
  ];

  // Encrypted: Alice signs, then encrypts to Bob (and herself); Bob needs his key to read it.
  const signedInner = await smimeSign({ signer: alice, content: multipartEntity([content]), headers: false });
  const encrypted = await smimeEncrypt({
    content: signedInner.bytes,
    recipients: [bob, alice],
    headers: headers('Alice Example <alice@example.com>', 'Salary review (encrypted)'),
  });
  samples.push({
    id: 'encrypted',
    subject: 'Salary review (encrypted)',
    from: 'alice@example.com',
    description: 'Signed and encrypted to Bob: import Bob\'s key in Settings to read it.',
    expect: 'trusted',
    bytes: encrypted.bytes,
  });

  const bobP12Path = await bob.makeP12(BOB_P12_PASSWORD, { friendlyName: 'Bob Example' });
  const aliceP12Path = await alice.makeP12(BOB_P12_PASSWORD, { friendlyName: 'Alice Example' });
  return { pki, rootPem: readFileSync(pki.root.certPath, 'utf8'), bob, bobP12Path, alice, aliceP12Path, samples };
}

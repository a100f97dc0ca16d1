/**
 * encryptMessage: a message in, a complete encrypted RFC 5322 message out (application/pkcs7-mime;
 * smime-type=enveloped-data, or authEnveloped-data for AES-GCM), optionally signed first (sign-then-encrypt, the
 * order RFC 8551 §3.7 recommends and Thunderbird and Outlook use: the signature is hidden inside the encryption).
 *
 * The sender is always a recipient too when known, so the copy in Sent stays readable. With header protection
 * (the default; RFC 9788, compose/protect-headers.ts) the message fields are copied inside under `hp="cipher"`,
 * and the header confidentiality policy decides what relays see outside: 'baseline' puts `Subject: [...]` there
 * and the real Subject in a legacy display element at the top of the body; 'none' leaves the fields as they are.
 * Without it the fields stay outside only, unprotected (RFC 8551 §3.1).
 */
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { createEnvelopedData, type ContentCipher, type RecipientSpec } from '../cms/encrypt';
import type { Identity, SignHash } from '../keys/identity';
import { canonicalEntity } from './canonical';
import { assemblePkcs7 } from './envelope';
import { buildEntity, type OutgoingPart } from './entity';
import { splitMessage } from './headers';
import { protectHeaders, type HeaderProtectionOptions } from './protect-headers';
import { signEntity } from './sign-message';
import { hex } from '../keys/bytes';

export interface EncryptMessageOptions extends HeaderProtectionOptions {
  /** The sender: added as a recipient (always), and the signer when `sign` is set. */
  sender?: Identity;
  /** Sign with the sender's key first (multipart/signed inside the encryption, or opaque with `opaque`). */
  sign?: boolean;
  opaque?: boolean;
  digest?: SignHash;
  pss?: boolean;
  cipher?: ContentCipher;
  /** RSA key transport for every RSA recipient (default 'rsa-pkcs1'). */
  keyTransport?: 'rsa-pkcs1' | 'rsa-oaep';
  crypto?: CryptoEngine;
}

export type EncryptMessageResult =
  | { ok: true; message: Uint8Array }
  | { ok: false; error: { code: 'unsupported-algorithm' | 'no-recipient' | 'no-key' | 'malformed-mime'; message: string } };

function recipientSpec(r: Uint8Array | RecipientSpec, keyTransport: EncryptMessageOptions['keyTransport']): RecipientSpec {
  return r instanceof Uint8Array ? { certificate: r, keyTransport } : { keyTransport, ...r };
}

export async function encryptMessage(
  mime: Uint8Array | OutgoingPart,
  recipients: (Uint8Array | RecipientSpec)[],
  options: EncryptMessageOptions = {},
): Promise<EncryptMessageResult> {
  const crypto = options.crypto ?? defaultCrypto();
  const split = splitMessage(mime instanceof Uint8Array ? mime : buildEntity(mime));
  const { invalid } = split;
  if (invalid.length) return { ok: false, error: { code: 'malformed-mime', message: `The message has a header line that is not a field: "${invalid[0].slice(0, 60)}".` } };
  const { outer, inner } = options.headerProtection === false ? split : protectHeaders(split.outer, split.inner, 'cipher', options.headerConfidentiality, options.referenceHcp);
  let content: Uint8Array;
  if (options.sign) {
    if (!options.sender) return { ok: false, error: { code: 'no-key', message: 'Signing needs the sender\'s key.' } };
    const signed = await signEntity([], inner, options.sender, {
      opaque: options.opaque,
      digest: options.digest,
      pss: options.pss,
      crypto,
    });
    if (!signed.ok) return signed;
    content = signed.message;
  } else {
    content = canonicalEntity(inner);
  }
  const specs = recipients.map((r) => recipientSpec(r, options.keyTransport));
  if (options.sender) specs.push({ certificate: options.sender.certificate, keyTransport: options.keyTransport });
  const unique = dedupe(specs);
  const env = await createEnvelopedData(content, unique, { cipher: options.cipher, crypto });
  if (!env.ok) return env;
  const type = env.kind === 'auth-enveloped' ? 'authEnveloped-data' : 'enveloped-data';
  return { ok: true, message: assemblePkcs7(outer, type, env.der) };
}

/** The same certificate twice (sender also in To) needs one RecipientInfo. */
function dedupe(specs: RecipientSpec[]): RecipientSpec[] {
  const seen = new Set<string>();
  return specs.filter((s) => {
    const der = s.certificate instanceof Uint8Array ? s.certificate : new Uint8Array(s.certificate.toSchema().toBER());
    const key = hex(der);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * signMessage: a message (or a body entity) in, a complete signed RFC 5322 message out.
 *
 * - multipart/signed (default; RFC 8551 §3.5.3): readable by clients without S/MIME; or opaque
 *   application/pkcs7-mime; smime-type=signed-data (§3.5.2) with `opaque: true`.
 * - The body is brought to canonical form first (compose/canonical.ts) and those exact bytes are signed and sent.
 * - The message fields (From, To, Subject, Date, Message-ID …) stay outside; the Content-* fields go inside, and
 *   with header protection (the default; RFC 9788, compose/protect-headers.ts) copies of the message fields too,
 *   under `hp="clear"`, so the reader can check the Subject, From and To it sees against the signed ones.
 */
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { createSignedData } from '../cms/sign';
import { MICALG } from '../cms/oids';
import type { Identity, SignHash } from '../keys/identity';
import { base64Lines } from './base64';
import { canonicalEntity } from './canonical';
import { assemble, assemblePkcs7, randomBoundary } from './envelope';
import { buildEntity, type OutgoingPart } from './entity';
import { splitMessage, type HeaderLine } from './headers';
import { protectHeaders, type HeaderProtectionOptions } from './protect-headers';

export interface SignMessageOptions extends HeaderProtectionOptions {
  opaque?: boolean;
  digest?: SignHash;
  pss?: boolean;
  signingTime?: Date;
  crypto?: CryptoEngine;
}

export type SignMessageResult =
  | { ok: true; message: Uint8Array }
  | { ok: false; error: { code: 'unsupported-algorithm' | 'no-key' | 'malformed-mime'; message: string } };

const enc = new TextEncoder();

/** Signs the canonical body entity; returns outer fields-less pieces for reuse by sign-then-encrypt. */
export async function signEntity(
  outer: HeaderLine[],
  entity: Uint8Array,
  identity: Identity,
  options: SignMessageOptions = {},
): Promise<SignMessageResult> {
  const crypto = options.crypto ?? defaultCrypto();
  const content = canonicalEntity(entity);
  const digest = options.digest ?? 'SHA-256';
  const signed = await createSignedData(content, identity, {
    digest,
    pss: options.pss,
    encapsulate: options.opaque,
    signingTime: options.signingTime,
    crypto,
  });
  if (!signed.ok) return signed;
  if (options.opaque) {
    return { ok: true, message: assemblePkcs7(outer, 'signed-data', signed.der) };
  }
  const boundary = randomBoundary(crypto);
  const body = [
    enc.encode(`This is a cryptographically signed message in MIME format.\r\n\r\n--${boundary}\r\n`),
    content,
    // The CRLF before the delimiter belongs to the delimiter (RFC 2046 §5.1.1), not to the signed content.
    enc.encode(
      `\r\n--${boundary}\r\n` +
        'Content-Type: application/pkcs7-signature; name="smime.p7s"\r\n' +
        'Content-Transfer-Encoding: base64\r\n' +
        'Content-Disposition: attachment; filename="smime.p7s"\r\n' +
        'Content-Description: S/MIME Cryptographic Signature\r\n\r\n',
    ),
    base64Lines(signed.der),
    enc.encode(`\r\n--${boundary}--\r\n`),
  ];
  const ct = `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg=${MICALG[digest]}; boundary="${boundary}"`;
  return { ok: true, message: assemble(outer, [ct], body) };
}

/**
 * Signs a whole message. `mime` is the raw message (RFC 5322 fields + body), a bare MIME entity, or parts to build
 * one (compose/entity.ts); without message fields the result has none either (the host adds them).
 */
export async function signMessage(
  mime: Uint8Array | OutgoingPart,
  identity: Identity,
  options: SignMessageOptions = {},
): Promise<SignMessageResult> {
  const { outer, inner, invalid } = splitMessage(mime instanceof Uint8Array ? mime : buildEntity(mime));
  if (invalid.length) return { ok: false, error: { code: 'malformed-mime', message: `The message has a header line that is not a field: "${invalid[0].slice(0, 60)}".` } };
  // headerConfidentiality is for encrypted mail only: a signed-only message hides nothing (RFC 9788 §5.2.1).
  const hp = options.headerProtection === false ? { outer, inner } : protectHeaders(outer, inner, 'clear');
  return signEntity(hp.outer, hp.inner, identity, options);
}

/**
 * decryptMessage: an encrypted message in; out the verdict for what was inside (verifyMessage, which unwraps any
 * nesting: signed → encrypted → signed), the decrypted MIME entity, and the flag that it is decrypted content.
 *
 * EFAIL rule (the hosts must follow it): content that came out of decryption is shown as plain text or as
 * sanitised HTML with NO remote content (no images, styles, frames or links loaded from the network), and never in
 * one HTML document together with parts that were not inside the same encryption. Otherwise a sender can wrap a
 * captured ciphertext so the reader's client sends the plaintext to them (Poddebniak et al., USENIX Security 2018).
 * `contentIsDecrypted: true` marks such content; `display: 'no-remote-content'` names the rule.
 *
 * makeDecryptor gives the same decryption as a `VerifyOptions.decrypt` hook for hosts that call verifyMessage.
 */
import { decryptCms, type DecryptResult } from '../cms/decrypt';
import type { CryptoEngine } from '../crypto';
import { findSmimeEntity } from '../coverage';
import { parseMime, stripMozillaPrefix } from '../mime';
import type { Identity } from '../keys/identity';
import type { KeyStore } from '../keys/keystore';
import type { ReasonCode, Verdict } from '../verdict';
import { verifyMessageAndBody, type Decryptor, type VerifyOptions } from '../verify-message';

export type IdentitySource = Identity | Identity[] | KeyStore;

async function identitiesOf(source: IdentitySource): Promise<Identity[]> {
  if (Array.isArray(source)) return source;
  if ('identities' in source && typeof source.identities === 'function') return source.identities();
  return [source as Identity];
}

/** A VerifyOptions.decrypt hook over the user's identities. */
export function makeDecryptor(source: IdentitySource, options: { crypto?: CryptoEngine; onDecrypted?: (r: Extract<DecryptResult, { ok: true }>) => void } = {}): Decryptor {
  return async (cms: Uint8Array) => {
    const ids = await identitiesOf(source);
    const r = await decryptCms(cms, ids, { crypto: options.crypto });
    if (!r.ok) return { ok: false, error: { code: r.error.code as ReasonCode, message: r.error.message } };
    options.onDecrypted?.(r);
    return { ok: true, content: r.content };
  };
}

export interface DecryptedLayer {
  kind: 'enveloped' | 'auth-enveloped';
  contentCipher: string;
  keyEncryption: string;
  recipient: string;
}

export type DecryptMessageResult =
  | {
      ok: true;
      /** Verdict of the content inside (encrypted: true, decrypted: true). */
      verdict: Verdict;
      /** The decrypted MIME entity of the innermost encryption layer. */
      content: Uint8Array;
      /**
       * What a reader is shown as the message: the cryptographic payload once every layer (signatures inside the
       * encryption too) is unwrapped, or its message/rfc822 child in the RFC 8551 legacy form. Absent when the
       * payload could not be reached (a broken inner layer): then `content` is all there is.
       * verdict.headerProtection.legacyDisplay paths are relative to it.
       */
      body?: Uint8Array;
      contentIsDecrypted: true;
      display: 'no-remote-content';
      layers: DecryptedLayer[];
      /**
       * False when the encrypted part sits inside an unencrypted multipart (other parts beside it). Such a message
       * is a known EFAIL / decryption-oracle shape: hosts show the decrypted part on its own, never merged with
       * the unencrypted parts, and say that the message is only partly encrypted.
       */
      wholeMessageEncrypted: boolean;
    }
  | {
      ok: false;
      error: { code: ReasonCode | 'not-encrypted'; message: string };
      /** The verdict anyway (e.g. an outer signature that could be checked). */
      verdict: Verdict;
    };

export async function decryptMessage(
  raw: Uint8Array,
  source: IdentitySource,
  verifyOptions: VerifyOptions = {},
): Promise<DecryptMessageResult> {
  const layers: DecryptedLayer[] = [];
  let content: Uint8Array | undefined;
  const decrypt = makeDecryptor(source, {
    crypto: verifyOptions.crypto,
    onDecrypted: (r) => {
      layers.push({ kind: r.kind, contentCipher: r.contentCipher, keyEncryption: r.keyEncryption, recipient: r.recipient });
      content = r.content;
    },
  });
  const { verdict, body } = await verifyMessageAndBody(raw, { ...verifyOptions, decrypt });
  if (content && verdict.decrypted) {
    return { ok: true, verdict, content, body, contentIsDecrypted: true, display: 'no-remote-content', layers, wholeMessageEncrypted: verdict.outsideEncryption === undefined };
  }
  if (verdict.verdict === 'error' && verdict.encrypted) return { ok: false, error: verdict.error, verdict };
  const err = verdict.reasons.find((r) => r.code === 'decrypt-failed' || r.code === 'no-key' || r.code === 'unsupported-algorithm');
  if (verdict.encrypted && err) return { ok: false, error: { code: err.code, message: err.message }, verdict };
  return { ok: false, error: { code: 'not-encrypted', message: 'This message is not encrypted.' }, verdict };
}

/**
 * Message digests over a byte view, without copying the content first.
 *
 * SHA-1/SHA-2 go to WebCrypto (through the crypto engine); MD5 and SHA-224 are not in WebCrypto, so they use
 * @noble/hashes (audited, pure JS, already a dependency of pkijs). MD5 only exists to *report* old signatures
 * correctly (valid but weak), never to make anything trusted.
 */
import { md5 } from '@noble/hashes/legacy';
import { sha224 } from '@noble/hashes/sha2';
import type { CryptoEngine } from '../crypto';
import { WEBCRYPTO_DIGESTS, type DigestName } from './algorithms';

export async function digest(name: DigestName, data: Uint8Array, crypto: CryptoEngine): Promise<Uint8Array> {
  if (WEBCRYPTO_DIGESTS.has(name)) {
    // A Uint8Array view is a BufferSource: WebCrypto reads the view's range, no slice needed.
    return new Uint8Array(await crypto.subtle.digest(name, data as Uint8Array<ArrayBuffer>));
  }
  if (name === 'MD5') return md5(data);
  if (name === 'SHA-224') return sha224(data);
  // Exhaustive over DigestName; reaching here is a programmer error.
  throw new Error(`digest: no implementation for ${name as string}`);
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

export function toHex(bytes: Uint8Array, sep = ''): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0 && sep) out += sep;
    out += bytes[i].toString(16).padStart(2, '0').toUpperCase();
  }
  return out;
}

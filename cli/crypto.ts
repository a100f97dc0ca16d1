/**
 * The CLI's crypto engine: the platform's WebCrypto, except that SHA-1/SHA-2 digests are computed by node:crypto
 * over the caller's bytes where they lie. WebCrypto's digest() copies its input before hashing it on a worker
 * thread: for an 11 MB message that is an 11 MB copy and a thread round trip per hash (~10 ms of a CLI verify);
 * createHash().update() reads the view in place. Same algorithms, same results; the core stays on the
 * CryptoEngine interface (src/crypto.ts) and knows nothing of this.
 */
import { createHash } from 'node:crypto';
import * as pkijs from 'pkijs';
import type { CryptoEngine } from '../src/crypto';

const NODE_HASH: Record<string, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

let engine: CryptoEngine | undefined;

export function cliCrypto(): CryptoEngine {
  if (engine) return engine;
  const platform = globalThis.crypto;
  const real = platform.subtle;
  // SubtleCrypto's methods check their receiver: each one is bound to the real object.
  const subtle = {} as Record<string, unknown>;
  for (const k of ['encrypt', 'decrypt', 'sign', 'verify', 'digest', 'generateKey', 'deriveKey', 'deriveBits', 'importKey', 'exportKey', 'wrapKey', 'unwrapKey'] as const) {
    subtle[k] = (real[k] as (...a: unknown[]) => unknown).bind(real);
  }
  subtle.digest = async (algorithm: AlgorithmIdentifier, data: BufferSource): Promise<ArrayBuffer> => {
    const name = NODE_HASH[(typeof algorithm === 'string' ? algorithm : algorithm.name).toUpperCase()];
    if (!name) return real.digest(algorithm, data);
    const view = ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : new Uint8Array(data);
    const out = createHash(name).update(view).digest();
    return out.buffer.slice(out.byteOffset, out.byteOffset + out.byteLength) as ArrayBuffer;
  };
  const crypto = {
    subtle: subtle as unknown as SubtleCrypto,
    getRandomValues: platform.getRandomValues.bind(platform),
    randomUUID: platform.randomUUID.bind(platform),
  } as Crypto;
  engine = new pkijs.CryptoEngine({ name: 'node', crypto });
  return engine;
}

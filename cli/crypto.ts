/**
 * The CLI's crypto engine: the platform's WebCrypto, except that SHA-1/SHA-2 digests are computed by node:crypto
 * over the caller's bytes where they lie. WebCrypto's digest() copies its input before hashing it on a worker
 * thread: for an 11 MB message that is an 11 MB copy and a thread round trip per hash (~10 ms of a CLI verify);
 * createHash().update() reads the view in place. Same algorithms, same results; the core stays on the
 * CryptoEngine interface (src/crypto.ts) and knows nothing of this.
 *
 * RSA PKCS #1 v1.5 decryption goes to node:crypto's privateDecrypt (OpenSSL, constant time, with implicit
 * rejection) where this Node allows it: Node refuses RSA_PKCS1_PADDING for private decryption (CVE-2023-46809,
 * the Marvin attack) unless its OpenSSL does implicit rejection, which OpenSSL does from 3.2. Node 20 bundles
 * OpenSSL 3.0, so there the core's blinded BigInt implementation (src/cms/rsa-pkcs1.ts) is used; a Node built
 * against OpenSSL 3.2 or later uses OpenSSL's. Probed once, at the first decryption, with a throwaway key.
 */
import { constants, createHash, createPrivateKey, generateKeyPairSync, privateDecrypt, publicEncrypt } from 'node:crypto';
import * as pkijs from 'pkijs';
import type { CryptoEngine } from '../src/crypto';
import type { NativeRsaPkcs1 } from '../src/cms/rsa-pkcs1';

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
  const e = new pkijs.CryptoEngine({ name: 'node', crypto }) as CryptoEngine & NativeRsaPkcs1;
  // Probed at the first decryption, not here: most runs decrypt nothing.
  e.rsaPkcs1DecryptNative = (pkcs8, c) => (nodeHasImplicitRejection() ? nodePkcs1Decrypt(pkcs8, c) : undefined);
  engine = e;
  return engine;
}

let implicitRejection: boolean | undefined;

/** Whether privateDecrypt accepts RSA_PKCS1_PADDING here (it does only with OpenSSL's implicit rejection). */
export function nodeHasImplicitRejection(): boolean {
  if (implicitRejection !== undefined) return implicitRejection;
  try {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const c = publicEncrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.from('probe'));
    implicitRejection = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, c).toString() === 'probe';
  } catch {
    implicitRejection = false;
  }
  return implicitRejection;
}

function nodePkcs1Decrypt(pkcs8: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined {
  const key = createPrivateKey({ key: Buffer.from(pkcs8.buffer, pkcs8.byteOffset, pkcs8.byteLength), format: 'der', type: 'pkcs8' });
  return new Uint8Array(privateDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, ciphertext));
}

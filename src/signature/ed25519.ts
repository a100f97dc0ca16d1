/** Ed25519 (RFC 8032; RFC 8419 in CMS, RFC 8410 in X.509) through WebCrypto, where the runtime has it. */
import type { CryptoEngine } from '../crypto';
import { OID } from '../cms/algorithms';
import { errorText } from '../cms/errors';
import { keyMismatch, spkiBytes } from './key';
import type { Buf, SignatureCheck, SignatureInput } from './types';

export async function verifyEd25519(input: SignatureInput, crypto: CryptoEngine): Promise<SignatureCheck> {
  const scheme = 'Ed25519' as const;
  if (input.publicKey.algorithm.algorithmId !== OID.ed25519) return keyMismatch(scheme, input.publicKey);
  let key: CryptoKey;
  try {
    key = await crypto.subtle.importKey('spki', spkiBytes(input.publicKey), { name: 'Ed25519' }, false, ['verify']);
  } catch (e) {
    const name = (e as { name?: string })?.name;
    // Runtimes without Ed25519 in WebCrypto say NotSupportedError (or TypeError for an unknown name).
    if (name === 'NotSupportedError' || e instanceof TypeError) {
      return { status: 'unsupported', scheme, detail: 'Ed25519 is not available in this runtime' };
    }
    return { status: 'invalid', scheme, detail: `the Ed25519 public key could not be used: ${errorText(e)}` };
  }
  const ok = await crypto.subtle.verify({ name: 'Ed25519' }, key, input.signature as Buf, input.data as Buf);
  return { status: ok ? 'valid' : 'invalid', scheme, hash: 'SHA-512' };
}

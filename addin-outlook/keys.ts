/**
 * The user's private keys for decrypting, from the key store of src/keys (IndexedDB, non-extractable keys).
 * Until the key store is available to the add-in there is no decryptor, and encrypted messages get the core's
 * "encrypted, no key" verdict.
 */
import type { Decryptor } from '../src/index';

export async function keyDecryptor(): Promise<Decryptor | undefined> {
  return undefined;
}

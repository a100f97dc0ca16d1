/**
 * How the read pane opens encrypted messages: the core's decryptor over the identities in the key store
 * (identities.ts). Without an imported key there is no decryptor, and the core's verdict says the message is
 * encrypted and no key was available.
 */
import type { Decryptor } from '../src/index';
import { makeDecryptor } from '../src/index';
import { keyStore, listIdentities } from './identities';

/** `onDecrypted` receives each decrypted MIME entity (innermost last), for showing it as plain text. */
export async function keyDecryptor(onDecrypted?: (content: Uint8Array) => void): Promise<Decryptor | undefined> {
  if ((await listIdentities()).length === 0) return undefined;
  return makeDecryptor(keyStore, { onDecrypted: onDecrypted ? (r) => onDecrypted(r.content) : undefined });
}

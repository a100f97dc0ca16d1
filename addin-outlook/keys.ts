/**
 * How the read pane opens encrypted messages: the core's decryptor over the identities in the key store
 * (identities.ts). Without an imported key there is no decryptor, and the core's verdict says the message is
 * encrypted and no key was available.
 */
import type { Decryptor } from '../src/index';
import { makeDecryptor } from '../src/index';
import { keyStore, listIdentities } from './identities';

export async function keyDecryptor(): Promise<Decryptor | undefined> {
  return (await listIdentities()).length ? makeDecryptor(keyStore) : undefined;
}

/**
 * The user's identities (certificate, chain, non-extractable private keys) for the Outlook add-in: the core's
 * IndexedDB key store (src/keys/idb-keystore.ts) in the add-in's origin. One instance for the page.
 */
import type { Identity } from '../src/index';
import { IdbKeyStore } from '../src/index';

export const keyStore = new IdbKeyStore();

export async function listIdentities(): Promise<Identity[]> {
  try {
    return await keyStore.identities();
  } catch {
    return []; // storage unavailable (e.g. blocked in a private window): no keys, said where keys are needed
  }
}

export function saveIdentity(identity: Identity): Promise<void> {
  return keyStore.put(identity);
}

export function removeIdentity(id: string): Promise<void> {
  return keyStore.delete(id);
}

/** The identity whose certificate names this address. */
export function identityFor(identities: Identity[], email: string): Identity | undefined {
  const e = email.trim().toLowerCase();
  return identities.find((i) => i.emails.includes(e));
}

/**
 * The user's identities (certificate, chain, private key) for the Outlook add-in: the core's key store with an
 * optional passphrase (src/keys/protected-keystore.ts) in IndexedDB of the add-in's origin. One instance per pane:
 * keys unlocked with the passphrase live in this pane's memory only, for this pane session.
 */
import type { Identity, Policy } from '../src/index';
import { ProtectedKeyStore } from '../src/index';

/** The administrator's `keys.requirePassphrase`, as last loaded with the policy (trust.ts sets it). */
let passphraseRequired = false;

export function setKeyPolicy(policy: Pick<Policy, 'keys'>): void {
  passphraseRequired = policy.keys.requirePassphrase;
}

export function keyPolicyRequiresPassphrase(): boolean {
  return passphraseRequired;
}

export const keyStore = new ProtectedKeyStore({}, () => passphraseRequired);

export async function listIdentities(): Promise<Identity[]> {
  try {
    return await keyStore.identities();
  } catch {
    return []; // storage unavailable (e.g. blocked in a private window): no keys, said where keys are needed
  }
}

export function removeIdentity(id: string): Promise<void> {
  return keyStore.delete(id);
}

/** The identity whose certificate names this address. */
export function identityFor(identities: Identity[], email: string): Identity | undefined {
  const e = email.trim().toLowerCase();
  return identities.find((i) => i.emails.includes(e));
}

/** A note for the pane when stored keys are locked (or unusable under the policy), else undefined. */
export async function lockedKeysNote(): Promise<string | undefined> {
  try {
    const stored = await keyStore.stored();
    if (stored.some((s) => s.locked)) return 'Your stored keys are locked: open Settings and enter your passphrase to sign and to read encrypted mail.';
    if (stored.some((s) => s.disallowed)) return 'Your administrator requires a passphrase for stored keys: import your key again in Settings with a passphrase.';
  } catch {
    // storage unavailable: nothing to say here
  }
  return undefined;
}

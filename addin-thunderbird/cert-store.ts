/**
 * The add-on's stores, over the core's: the user's identities in the key store with an optional passphrase
 * (src/keys/protected-keystore.ts; each page has its own instance, and the background's holds the keys unlocked
 * for the session) and other people's certificates in the recipient directory (src/keys/directory.ts,
 * IndexedDB too), which is filled by hand in the options page and from the signers of trusted signed messages.
 * Trust anchors and intermediates are part of the policy (policy-store.ts) instead. Plus PEM helpers.
 */
import type * as pkijs from 'pkijs';
import { IdbDirectoryStorage, ProtectedKeyStore, RecipientDirectory, loadCertificates, type Policy } from '../src/index';

/** The administrator's `keys.requirePassphrase`, as last loaded with the policy. */
let passphraseRequired = false;
export function setKeyPolicy(policy: Pick<Policy, 'keys'>): void {
  passphraseRequired = policy.keys.requirePassphrase;
}
export const keyStore = new ProtectedKeyStore({}, () => passphraseRequired);
export const directory = new RecipientDirectory(new IdbDirectoryStorage());

export function derToPem(der: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < der.length; i++) bin += String.fromCharCode(der[i]);
  const b64 = btoa(bin).replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}

export function certDer(cert: pkijs.Certificate): Uint8Array {
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

/** Reads PEM/DER/PKCS#7 bytes into certificates; `error` says what could not be read. */
export function readCertificates(bytes: Uint8Array): { ders: Uint8Array[]; pems: string[]; error?: string } {
  const r = loadCertificates(bytes);
  const ders = r.certs.map(certDer);
  return { ders, pems: ders.map(derToPem), error: r.error };
}

/** Removes every identity (keys included) and the passphrase. */
export async function removeAllIdentities(): Promise<void> {
  await keyStore.removeAll();
}

export async function removeAllRecipients(): Promise<void> {
  for (const e of await directory.all()) await directory.remove(e.sha256);
}

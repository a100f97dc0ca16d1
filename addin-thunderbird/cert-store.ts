/**
 * The add-on's stores, over the core's: the user's identities in the IndexedDB KeyStore (non-extractable keys,
 * src/keys/idb-keystore.ts) and other people's certificates in the recipient directory (src/keys/directory.ts,
 * IndexedDB too), which is filled by hand in the options page and from the signers of trusted signed messages.
 * Trust anchors and intermediates are part of the policy (policy-store.ts) instead. Plus PEM helpers.
 */
import type * as pkijs from 'pkijs';
import { IdbDirectoryStorage, IdbKeyStore, RecipientDirectory, loadCertificates } from '../src/index';

export const keyStore = new IdbKeyStore();
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

/** Removes every identity (keys included). */
export async function removeAllIdentities(): Promise<void> {
  for (const i of await keyStore.list()) await keyStore.delete(i.id);
}

export async function removeAllRecipients(): Promise<void> {
  for (const e of await directory.all()) await directory.remove(e.sha256);
}

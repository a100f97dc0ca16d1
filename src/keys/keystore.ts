/**
 * Where identities live. Hosts use the store with an optional passphrase (keys/protected-keystore.ts) over
 * IndexedDB; without the passphrase, keys are stored as structured-cloned non-extractable CryptoKeys, which the
 * profile's files reveal (see keys/idb-keystore.ts). The CLI and tests use the memory store and read the .p12 per call.
 */
import type { Identity } from './identity';

/** What a settings page lists, without touching keys. */
export interface IdentitySummary {
  id: string;
  emails: string[];
  /** Key kind, e.g. "RSA 2048", "EC P-256". */
  key: string;
}

export interface KeyStore {
  /** Every identity (for decryption: the message says which certificate it was encrypted to). */
  identities(): Promise<Identity[]>;
  get(id: string): Promise<Identity | undefined>;
  /** Identities whose certificate carries `address` (lower-cased compare), for signing as that sender. */
  forAddress(address: string): Promise<Identity[]>;
  put(identity: Identity): Promise<void>;
  delete(id: string): Promise<void>;
  list(): Promise<IdentitySummary[]>;
}

export function summarize(identity: Identity): IdentitySummary {
  const k = identity.keys;
  return {
    id: identity.id,
    emails: identity.emails,
    key: k.kind === 'rsa' ? `RSA ${k.modulusBits ?? ''}`.trim() : `EC ${k.namedCurve ?? ''}`.trim(),
  };
}

export function hasAddress(identity: Identity, address: string): boolean {
  const a = address.trim().toLowerCase();
  return identity.emails.includes(a);
}

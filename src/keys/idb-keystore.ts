/**
 * Identities in IndexedDB as they are: an Identity is structured-cloneable, so IndexedDB keeps the non-extractable
 * CryptoKey objects themselves. Limit, stated plainly: "non-extractable" binds scripts only; the browser serialises
 * a CryptoKey WITH its key material, so the private key is readable from the profile's files, and the sealed RSA
 * copy (keys/identity.ts) sits beside its own AES key. This is the unprotected layer of the hosts' store;
 * keys/protected-keystore.ts adds the passphrase that keeps key material out of storage.
 * Uses globalThis.indexedDB (Outlook task pane, Thunderbird background page); no DOM.
 */
import type { Identity } from './identity';
import { DB, run, type IdbOptions } from './idb';
import { hasAddress, summarize, type IdentitySummary, type KeyStore } from './keystore';

export class IdbKeyStore implements KeyStore {
  constructor(private readonly options: IdbOptions = {}) {}

  identities(): Promise<Identity[]> {
    return run(this.options, DB.identities, 'readonly', (s) => s.getAll() as IDBRequest<Identity[]>);
  }

  async get(id: string): Promise<Identity | undefined> {
    return (await run(this.options, DB.identities, 'readonly', (s) => s.get(id) as IDBRequest<Identity | undefined>)) ?? undefined;
  }

  async forAddress(address: string): Promise<Identity[]> {
    return (await this.identities()).filter((i) => hasAddress(i, address));
  }

  async put(identity: Identity): Promise<void> {
    await run(this.options, DB.identities, 'readwrite', (s) => s.put(identity));
  }

  async delete(id: string): Promise<void> {
    await run(this.options, DB.identities, 'readwrite', (s) => s.delete(id));
  }

  async list(): Promise<IdentitySummary[]> {
    return (await this.identities()).map(summarize);
  }
}

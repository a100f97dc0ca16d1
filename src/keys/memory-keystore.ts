/** An in-memory KeyStore: the CLI (which imports the .p12 for each call) and tests. Nothing is persisted. */
import type { Identity } from './identity';
import { hasAddress, summarize, type IdentitySummary, type KeyStore } from './keystore';

export class MemoryKeyStore implements KeyStore {
  private readonly byId = new Map<string, Identity>();

  constructor(identities: Identity[] = []) {
    for (const i of identities) this.byId.set(i.id, i);
  }

  async identities(): Promise<Identity[]> {
    return [...this.byId.values()];
  }

  async get(id: string): Promise<Identity | undefined> {
    return this.byId.get(id);
  }

  async forAddress(address: string): Promise<Identity[]> {
    return [...this.byId.values()].filter((i) => hasAddress(i, address));
  }

  async put(identity: Identity): Promise<void> {
    this.byId.set(identity.id, identity);
  }

  async delete(id: string): Promise<void> {
    this.byId.delete(id);
  }

  async list(): Promise<IdentitySummary[]> {
    return [...this.byId.values()].map(summarize);
  }
}

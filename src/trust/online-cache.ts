/**
 * A cache for online trust answers (OCSP responses, CRLs, AIA certificates), each kept for as long as it is
 * valid (OCSP/CRL nextUpdate) and no longer. The caller owns the cache object and passes it in, so a host keeps
 * one per session and tests start empty. Bounded: past maxEntries the entry that expires first goes.
 * Failures are not cached: the next verification tries again.
 */
export interface TrustCache {
  get<T>(key: string, now: Date): T | undefined;
  set(key: string, value: unknown, expires: Date): void;
}

export class MemoryTrustCache implements TrustCache {
  private readonly entries = new Map<string, { value: unknown; expires: number }>();

  constructor(private readonly maxEntries = 1000) {}

  get<T>(key: string, now: Date): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expires <= now.getTime()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value as T;
  }

  set(key: string, value: unknown, expires: Date): void {
    this.entries.delete(key);
    while (this.entries.size >= this.maxEntries) {
      let first: string | undefined;
      let min = Infinity;
      for (const [k, e] of this.entries) if (e.expires < min) (min = e.expires), (first = k);
      if (first === undefined) break;
      this.entries.delete(first);
    }
    this.entries.set(key, { value, expires: expires.getTime() });
  }

  get size(): number {
    return this.entries.size;
  }
}

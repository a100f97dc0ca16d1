/**
 * Verdicts per Thunderbird message id, so re-opening a message is instant. Bounded (least recently used goes
 * first): a verdict is a few KB, and a session can show thousands of messages. Cleared when trust settings
 * change, because a verdict depends on them.
 */
export class VerdictCache<V> {
  private readonly map = new Map<number, V>();
  constructor(private readonly max = 500) {}

  get(id: number): V | undefined {
    const v = this.map.get(id);
    if (v !== undefined) {
      // Re-insert: Map keeps insertion order, so the first key is the least recently used.
      this.map.delete(id);
      this.map.set(id, v);
    }
    return v;
  }

  set(id: number, v: V): void {
    this.map.delete(id);
    this.map.set(id, v);
    while (this.map.size > this.max) {
      const oldest = this.map.keys().next().value as number;
      this.map.delete(oldest);
    }
  }

  delete(id: number): void {
    this.map.delete(id);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

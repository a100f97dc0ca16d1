/**
 * The intermediates remembered from trusted messages (src/trust/intermediate-memory.ts) as the background page
 * keeps them: one memory, saved to storage.local after every change and reloaded when the check is rebuilt (so
 * the options page's "remove everything", which clears storage.local, empties it too). The options page lists
 * and forgets them through runtime messages (protocol.ts), which change this very memory: a check that runs
 * afterwards no longer sees a forgotten certificate.
 */
import { IntermediateMemory } from '../src/index';
import type { StorageArea } from './messenger';

/** storage.local key: the saved list (base64 DER of public certificates). */
export const INTERMEDIATES_KEY = 'rememberedIntermediates';

export class RememberedIntermediates {
  private memory = new IntermediateMemory();

  constructor(
    private readonly area: Pick<StorageArea, 'get' | 'set'>,
    private readonly log: (line: string) => void,
  ) {}

  /** Reads the saved list again (a damaged list starts empty: IntermediateMemory.fromSaved drops bad entries). */
  async reload(): Promise<void> {
    this.memory = IntermediateMemory.fromSaved((await this.area.get(INTERMEDIATES_KEY))[INTERMEDIATES_KEY]);
  }

  certificates(): ReturnType<IntermediateMemory['certificates']> {
    return this.memory.certificates();
  }

  /** verifyMessage's `rememberIntermediates`: saves when something new was remembered, without holding up the check. */
  readonly remember = (cas: Parameters<IntermediateMemory['remember']>[0]): void => {
    if (this.memory.remember(cas)) this.save().catch((e: unknown) => this.log(`intermediates: ${String(e)}`));
  };

  /** The remembered certificates as saved (base64 DER), oldest first; an entry names one for `forget`. */
  saved(): string[] {
    return this.memory.toSaved();
  }

  /** Forgets one (by its saved form) or, without an argument, all; saved before it resolves. */
  async forget(saved?: string): Promise<boolean> {
    const changed = saved === undefined ? this.memory.size > 0 : this.memory.forget(saved);
    if (saved === undefined) this.memory.clear();
    if (changed) await this.save();
    return changed;
  }

  private save(): Promise<void> {
    return this.area.set({ [INTERMEDIATES_KEY]: this.memory.toSaved() });
  }
}

/**
 * Intermediates remembered from verified messages (src/trust/intermediate-memory.ts), kept in the pane's
 * localStorage: they are public certificates, and a later message that leaves one out stays trusted.
 */
import { IntermediateMemory } from '../src/index';

const KEY = 'smime-addin.rememberedIntermediates';

function load(): IntermediateMemory {
  try {
    return IntermediateMemory.fromSaved(JSON.parse(globalThis.localStorage?.getItem(KEY) ?? '[]'));
  } catch {
    return new IntermediateMemory(); // storage blocked or corrupt: start empty, never fail a check
  }
}

export const intermediateMemory = load();

export function rememberIntermediates(cas: Parameters<IntermediateMemory['remember']>[0]): void {
  if (!intermediateMemory.remember(cas)) return;
  try {
    globalThis.localStorage?.setItem(KEY, JSON.stringify(intermediateMemory.toSaved()));
  } catch {
    // Storage full or blocked: remembered for this session only.
  }
}

/** Forgets the remembered intermediates (Settings → What is stored). */
export function forgetIntermediates(): void {
  intermediateMemory.clear();
  try {
    globalThis.localStorage?.removeItem(KEY);
  } catch {
    // Storage blocked: nothing was saved either.
  }
}

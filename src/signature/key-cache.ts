/**
 * Imported verification keys, kept per public key object and engine: a CA's key checks the certificate of every
 * correspondent it issued, and the certificate objects of anchors and of known correspondents live on (the
 * certificate cache, cms/certificate-set.ts), so the key is imported once, not for every message (~0.3 ms and a
 * WebCrypto round trip each). Public keys only, imported non-extractable for 'verify'. A failed import is not
 * kept: the next call tries again and fails the same way.
 */
import type * as pkijs from 'pkijs';
import type { CryptoEngine } from '../crypto';
import { unmetered } from './limits';
import type { Buf } from './types';

const KEYS = new WeakMap<CryptoEngine, WeakMap<pkijs.PublicKeyInfo, Map<string, Promise<CryptoKey>>>>();

export function importVerifyKey(
  crypto: CryptoEngine,
  spki: pkijs.PublicKeyInfo,
  algorithm: RsaHashedImportParams | EcKeyImportParams,
  der: () => Buf,
): Promise<CryptoKey> {
  // A message's engine carries its budget (limits.ts); imported keys outlive the message, so key by the engine itself.
  const engine = unmetered(crypto);
  let byKey = KEYS.get(engine);
  if (!byKey) KEYS.set(engine, (byKey = new WeakMap()));
  let byAlg = byKey.get(spki);
  if (!byAlg) byKey.set(spki, (byAlg = new Map()));
  const id = JSON.stringify(algorithm);
  let p = byAlg.get(id);
  if (!p) {
    p = engine.subtle.importKey('spki', der(), algorithm, false, ['verify']);
    byAlg.set(id, p);
    const forget = byAlg;
    p.catch(() => forget.delete(id));
  }
  return p;
}

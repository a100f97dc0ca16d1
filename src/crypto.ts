/**
 * The crypto engine is a parameter with a default, as PKI.js' `SignedData.verify(params, crypto = getCrypto())`
 * does, so the same code runs in Node 20 (globalThis.crypto), a browser task pane and a Thunderbird
 * background page. Nothing in the core reaches for `window.crypto` or `require('crypto')` directly.
 */
import * as pkijs from 'pkijs';

export type CryptoEngine = pkijs.ICryptoEngine;

let cached: CryptoEngine | undefined;

/** The default engine: PKI.js' CryptoEngine over the platform's WebCrypto. */
export function defaultCrypto(): CryptoEngine {
  if (cached) return cached;
  const c = (globalThis as { crypto?: Crypto }).crypto;
  if (!c || !c.subtle) {
    // A programmer error (wrong runtime), not a bad message: throwing is right here.
    throw new Error('WebCrypto (globalThis.crypto.subtle) is not available in this runtime');
  }
  cached = new pkijs.CryptoEngine({ name: 'webcrypto', crypto: c });
  pkijs.setEngine('webcrypto', cached);
  return cached;
}

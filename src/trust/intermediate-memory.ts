/**
 * Intermediates remembered from verified messages, as mail clients do: a signer who once sent their full chain is
 * still trusted when a later message leaves the intermediate out. Only CA certificates from chains that validated
 * as trusted are remembered, so a message cannot plant certificates; and an intermediate never makes anything
 * trusted by itself (the path must still reach an anchor and validate in full).
 *
 * Storage-agnostic: a host loads the saved list (`fromSaved`) and saves `toSaved()` after `remember` reports a
 * change (Thunderbird: storage.local; Outlook: the pane's local storage). Certificates are public data.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { certificateDer } from '../certs/der';

/** Enough for every CA a person's correspondents use; the oldest remembered go first. */
export const MAX_REMEMBERED = 300;

function toBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return btoa(s);
}

function fromBase64(s: string): Uint8Array | undefined {
  try {
    const bin = atob(s);
    const out = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  } catch {
    return undefined;
  }
}

export class IntermediateMemory {
  private readonly byDer = new Map<string, pkijs.Certificate>();

  constructor(private readonly max = MAX_REMEMBERED) {}

  /** Restores a saved list (base64 DER strings); entries that do not parse are dropped. */
  static fromSaved(saved: unknown, max = MAX_REMEMBERED): IntermediateMemory {
    const m = new IntermediateMemory(max);
    if (!Array.isArray(saved)) return m;
    for (const s of saved.slice(-max)) {
      if (typeof s !== 'string') continue;
      const der = fromBase64(s);
      const asn = der && asn1js.fromBER(der);
      if (!asn || asn.offset === -1) continue;
      try {
        m.byDer.set(s, new pkijs.Certificate({ schema: asn.result }));
      } catch {
        // Not a certificate: ignored.
      }
    }
    return m;
  }

  /** Adds CA certificates from a trusted chain; true when anything new was remembered (time to save). */
  remember(certs: pkijs.Certificate[]): boolean {
    let changed = false;
    for (const c of certs) {
      const key = toBase64(certificateDer(c));
      if (this.byDer.has(key)) {
        // Most recently seen goes last, so the oldest is dropped first.
        this.byDer.delete(key);
        this.byDer.set(key, c);
        continue;
      }
      this.byDer.set(key, c);
      changed = true;
      while (this.byDer.size > this.max) this.byDer.delete(this.byDer.keys().next().value as string);
    }
    return changed;
  }

  certificates(): pkijs.Certificate[] {
    return [...this.byDer.values()];
  }

  toSaved(): string[] {
    return [...this.byDer.keys()];
  }

  /** Forgets one certificate, named by its saved form (an entry of `toSaved()`); true when it was there. */
  forget(saved: string): boolean {
    return this.byDer.delete(saved);
  }

  /** Forgets everything (a settings page's "remove"). */
  clear(): void {
    this.byDer.clear();
  }

  get size(): number {
    return this.byDer.size;
  }
}

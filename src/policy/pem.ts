/**
 * PEM certificates as policy carries them (`anchors`, `intermediates`: arrays of PEM strings). One string may
 * hold several CERTIFICATE blocks. Parsing is src/certs/load.ts'; this only insists on PEM certificates (the
 * policy is JSON text) and bounds the size: 64 KiB per string, 50 certificates per string.
 */
import type * as pkijs from 'pkijs';
import { loadCertificates } from '../certs/load';

export const MAX_PEM_CHARS = 65_536;
const MAX_BLOCKS = 50;

export type PemResult = { ok: true; certs: pkijs.Certificate[] } | { ok: false; problem: string };

export function parsePemCertificates(text: string): PemResult {
  if (text.length > MAX_PEM_CHARS) return { ok: false, problem: `longer than ${MAX_PEM_CHARS} characters` };
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    return { ok: false, problem: 'not a PEM certificate (no BEGIN CERTIFICATE block)' };
  }
  const r = loadCertificates(new TextEncoder().encode(text));
  if (r.error) return { ok: false, problem: r.error };
  if (r.certs.length > MAX_BLOCKS) return { ok: false, problem: `more than ${MAX_BLOCKS} certificates in one entry` };
  return { ok: true, certs: r.certs };
}

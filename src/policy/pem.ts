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

/**
 * Any certificate file a user or admin picks (PEM, DER, PKCS#7 .p7b/.p7c bundle) as the PEM strings policy's
 * `anchors` / `intermediates` hold, one string per certificate. `error` says what could not be read.
 */
export function certificatesAsPem(bytes: Uint8Array): { pem: string[]; error?: string } {
  const r = loadCertificates(bytes);
  const pem = r.certs.map((c) => derToPem(new Uint8Array(c.toSchema().toBER())));
  return r.error ? { pem, error: r.error } : { pem };
}

export function derToPem(der: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < der.length; i += 8192) bin += String.fromCharCode(...der.subarray(i, i + 8192));
  const b64 = btoa(bin);
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{64}/g, '$&\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

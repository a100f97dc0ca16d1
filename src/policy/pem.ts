/**
 * PEM certificates as policy carries them (`anchors`, `intermediates`: arrays of PEM strings). One string may
 * hold several CERTIFICATE blocks. Bounded: at most 64 KiB per string and 50 blocks per string.
 * Limit: PEM only — DER and PKCS#7 bundles are loaded by the hosts/CLI through src/certs/, not in policy JSON.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { base64ToBytes } from '../trust/roots/bundled';

export const MAX_PEM_CHARS = 65_536;
const MAX_BLOCKS = 50;

export type PemResult = { ok: true; certs: pkijs.Certificate[] } | { ok: false; problem: string };

export function parsePemCertificates(text: string): PemResult {
  if (text.length > MAX_PEM_CHARS) return { ok: false, problem: `longer than ${MAX_PEM_CHARS} characters` };
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (blocks.length === 0) return { ok: false, problem: 'not a PEM certificate (no BEGIN CERTIFICATE block)' };
  if (blocks.length > MAX_BLOCKS) return { ok: false, problem: `more than ${MAX_BLOCKS} certificates in one entry` };
  const certs: pkijs.Certificate[] = [];
  for (const [i, m] of blocks.entries()) {
    const b64 = m[1].replace(/\s+/g, '');
    const where = blocks.length > 1 ? ` (certificate ${i + 1})` : '';
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return { ok: false, problem: `invalid base64 in PEM${where}` };
    try {
      const asn = asn1js.fromBER(base64ToBytes(b64));
      if (asn.offset === -1) return { ok: false, problem: `not DER${where}` };
      certs.push(new pkijs.Certificate({ schema: asn.result }));
    } catch {
      return { ok: false, problem: `not an X.509 certificate${where}` };
    }
  }
  return { ok: true, certs };
}

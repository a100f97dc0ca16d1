/**
 * Certificates the user keeps: other people's certificates to encrypt to ("recipient certificates"), stored as
 * PEM in storage.local. Trust anchors and intermediates are part of the policy (policy-store.ts) instead.
 */
import type * as pkijs from 'pkijs';
import { certificateEmails, loadCertificates } from '../src/index';
import type { StorageArea } from './messenger';

export const RECIPIENTS_KEY = 'recipientCerts';
const MAX_RECIPIENT_CERTS = 2000;

export function derToPem(der: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < der.length; i++) bin += String.fromCharCode(der[i]);
  const b64 = btoa(bin).replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}

export function certDer(cert: pkijs.Certificate): Uint8Array {
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

/** Reads PEM/DER/PKCS#7 bytes into one PEM per certificate; `error` says what could not be read. */
export function toPemList(bytes: Uint8Array): { pems: string[]; error?: string } {
  const r = loadCertificates(bytes);
  return { pems: r.certs.map((c) => derToPem(certDer(c))), error: r.error };
}

export async function recipientPems(local: StorageArea): Promise<string[]> {
  const v = (await local.get(RECIPIENTS_KEY))[RECIPIENTS_KEY];
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

export async function addRecipientPems(local: StorageArea, pems: string[]): Promise<void> {
  const have = await recipientPems(local);
  const seen = new Set(have.map((p) => p.replace(/\s+/g, '')));
  for (const p of pems) if (!seen.has(p.replace(/\s+/g, ''))) have.push(p);
  await local.set({ [RECIPIENTS_KEY]: have.slice(-MAX_RECIPIENT_CERTS) });
}

export async function removeRecipientPem(local: StorageArea, pem: string): Promise<void> {
  const key = pem.replace(/\s+/g, '');
  await local.set({ [RECIPIENTS_KEY]: (await recipientPems(local)).filter((p) => p.replace(/\s+/g, '') !== key) });
}

/** The certificate(s) for one address among the stored ones (newest last). */
export function certsForEmail(pems: string[], email: string): Uint8Array[] {
  const e = email.toLowerCase();
  const out: Uint8Array[] = [];
  for (const pem of pems) {
    for (const c of loadCertificates(new TextEncoder().encode(pem)).certs) {
      if (certificateEmails(c).includes(e)) out.push(certDer(c));
    }
  }
  return out;
}

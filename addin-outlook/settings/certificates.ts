/**
 * Certificates the user adds in settings (trust anchors, intermediates): read with the core's loader (PEM, DER,
 * PKCS#7 .p7b) and kept as PEM strings, the form src/policy stores them in; and a short label for the list.
 */
import type * as pkijs from 'pkijs';
import { certificateDetails, loadCertificates, parsePemCertificates } from '../../src/index';
import { bytesToBase64 } from '../base64';

/** A certificate file bigger than this is not a certificate file. */
export const MAX_CERT_FILE_BYTES = 1024 * 1024;

export type CertFileResult = { ok: true; pems: string[]; warning?: string } | { ok: false; problem: string };

export function certToPem(cert: pkijs.Certificate): string {
  const der = new Uint8Array(cert.toSchema(false).toBER(false));
  const lines = bytesToBase64(der).match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

export function readCertificateFile(bytes: Uint8Array): CertFileResult {
  if (bytes.length > MAX_CERT_FILE_BYTES) return { ok: false, problem: 'The file is too large to be a certificate file.' };
  const r = loadCertificates(bytes);
  if (r.certs.length === 0) return { ok: false, problem: `No certificate could be read: ${r.error ?? 'unknown format'}.` };
  return { ok: true, pems: r.certs.map(certToPem), warning: r.error };
}

export interface CertLabel {
  name: string;
  sha256: string;
  notAfter: string;
}

export async function labelPem(pem: string): Promise<CertLabel> {
  const r = parsePemCertificates(pem);
  if (!r.ok || !r.certs[0]) return { name: '(unreadable certificate)', sha256: '', notAfter: '' };
  const d = await certificateDetails(r.certs[0]);
  return { name: d.commonName, sha256: d.sha256, notAfter: d.notAfter };
}

/** Same certificate whatever the PEM line wrapping. */
export function samePem(a: string, b: string): boolean {
  return a.replace(/\s+/g, '') === b.replace(/\s+/g, '');
}

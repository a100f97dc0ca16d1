/**
 * The RFC 9788 Appendix C test vectors (../shared/corpus/rfc9788) with what reading them needs: the RFC 9216
 * sample root as the trust anchor and Bob's decryption key (RFC 9216 sample keys), turned into a PKCS#12 by
 * OpenSSL at test time and imported as the user's identity.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as pkijs from 'pkijs';
import { importPkcs12, loadCertificates } from '../../src/index';
import type { Identity } from '../../src/index';
import { corpus, readExpected } from './corpus';
import { openssl } from './pki';

export interface VectorEntry {
  file: string;
  rfc_section: string;
  kind: 'none' | 'signed' | 'signed+encrypted';
  header_protection: string | null;
  hp: 'clear' | 'cipher' | null;
  hcp: string | null;
  legacy_display: boolean;
  expected: {
    protected_headers?: Record<string, string>;
    displayed_headers: Record<string, string>;
    header_field_status: Record<string, string>;
    hp_outer?: string[];
    outer_header_differences: { field: string; outer: string; protected: string }[];
    legacy_display_parts?: { content_type: string; legacy_display_element: string; first_line_after_removal?: string }[];
    hide_legacy_display: boolean;
  };
}

export interface Vectors {
  dir: string;
  entries: VectorEntry[];
  anchors: pkijs.Certificate[];
  /** Bob (RFC 9216), the recipient every encrypted vector can be opened by. */
  bob: Identity;
}

export const vectorsCorpus = corpus('rfc9788');
const keysCorpus = corpus('rfc9216-examples-cms');
export const vectorsSkip: string | false = vectorsCorpus.skip || keysCorpus.skip || false;

export async function loadVectors(): Promise<Vectors> {
  const dir = vectorsCorpus.dir!;
  const keys = join(keysCorpus.dir!, 'certs-and-keys');
  const anchors = loadCertificates(new Uint8Array(readFileSync(join(dir, 'trust-anchor', 'Sample_LAMPS_RSA_Certification_Authority.pem')))).certs;
  const tmp = mkdtempSync(join(tmpdir(), 'rfc9788-'));
  const p12 = join(tmp, 'bob.p12');
  await openssl(['pkcs12', '-export', '-inkey', join(keys, 'lamps-bob.decrypt.p8.pem'), '-in', join(keys, 'lamps-bob.encrypt.crt'), '-passout', 'pass:bob', '-out', p12, '-certpbe', 'AES-256-CBC', '-keypbe', 'AES-256-CBC', '-macalg', 'sha256']);
  const r = await importPkcs12(new Uint8Array(readFileSync(p12)), 'bob');
  if (!r.ok) throw new Error(`Bob's PKCS#12: ${r.error.message}`);
  return { dir, entries: readExpected<VectorEntry[]>(dir), anchors, bob: r.identity };
}

export function readVector(v: Vectors, file: string): Uint8Array {
  return new Uint8Array(readFileSync(join(v.dir, file)));
}

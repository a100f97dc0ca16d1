/**
 * The recipient directory: other people's certificates, to encrypt to them. Filled as mail clients do, from the
 * signer certificates of verified signed messages (RFC 8551 §2.5.3: a signed message is how a correspondent's
 * certificate and SMIMEEncryptionKeyPreference arrive), and by manual import. Looked up by e-mail address.
 *
 * `lookup` offers only certificates usable now: inside their validity, not marked revoked, carrying the address,
 * with keyUsage allowing key transport (RSA) or key agreement (EC) when a keyUsage is present, and
 * emailProtection (or anyExtendedKeyUsage) when an extendedKeyUsage is present. Newest first.
 * Storage is pluggable: memory (CLI, tests) or IndexedDB (hosts).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { certificateEmails } from '../certs/details';
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { decodeOpaque, isOpaqueSigned, parseMime, splitSigned, walkEntities } from '../mime';
import type { Verdict } from '../verdict';
import { buf } from './bytes';
import { fingerprint } from './identity';
import { DB, run, type IdbOptions } from './idb';

export interface DirectoryEntry {
  /** SHA-256 of the DER, upper-case hex without separators. */
  sha256: string;
  der: Uint8Array;
  emails: string[];
  notBefore: string;
  notAfter: string;
  source: 'signed-message' | 'manual';
  addedAt: string;
  /** Set by markRevoked (e.g. when a verification found the certificate revoked). */
  revoked?: boolean;
}

export interface DirectoryStorage {
  all(): Promise<DirectoryEntry[]>;
  put(entry: DirectoryEntry): Promise<void>;
  delete(sha256: string): Promise<void>;
}

export class MemoryDirectoryStorage implements DirectoryStorage {
  private readonly map = new Map<string, DirectoryEntry>();
  async all() {
    return [...this.map.values()];
  }
  async put(e: DirectoryEntry) {
    this.map.set(e.sha256, e);
  }
  async delete(sha256: string) {
    this.map.delete(sha256);
  }
}

export class IdbDirectoryStorage implements DirectoryStorage {
  constructor(private readonly options: IdbOptions = {}) {}
  all() {
    return run(this.options, DB.certificates, 'readonly', (s) => s.getAll() as IDBRequest<DirectoryEntry[]>);
  }
  async put(e: DirectoryEntry) {
    await run(this.options, DB.certificates, 'readwrite', (s) => s.put(e));
  }
  async delete(sha256: string) {
    await run(this.options, DB.certificates, 'readwrite', (s) => s.delete(sha256));
  }
}

export type AddResult =
  | { ok: true; entry: DirectoryEntry }
  | { ok: false; reason: 'malformed' | 'no-email' | 'not-for-encryption'; message: string };

const KU_KEY_ENCIPHERMENT = 2; // bit 2
const KU_KEY_AGREEMENT = 4; // bit 4
const EKU_EMAIL = '1.3.6.1.5.5.7.3.4';
const EKU_ANY = '2.5.29.37.0';

function keyUsageBits(cert: pkijs.Certificate): number | undefined {
  const ext = cert.extensions?.find((e) => e.extnID === '2.5.29.15');
  if (!ext) return undefined;
  const bs = ext.parsedValue as asn1js.BitString | undefined;
  const v = bs?.valueBlock.valueHexView;
  if (!v || v.length === 0) return 0;
  // Bit n of the BIT STRING is bit (7 - n % 8) of byte n / 8.
  let bits = 0;
  for (let n = 0; n < Math.min(9, v.length * 8); n++) if (v[n >> 3] & (0x80 >> (n & 7))) bits |= 1 << n;
  return bits;
}

/** Can we encrypt to this certificate at all (key type and usage)? */
export function usableForEncryption(cert: pkijs.Certificate): boolean {
  const alg = cert.subjectPublicKeyInfo.algorithm.algorithmId;
  const ku = keyUsageBits(cert);
  if (alg === '1.2.840.113549.1.1.1') {
    if (ku !== undefined && !(ku & (1 << KU_KEY_ENCIPHERMENT))) return false;
  } else if (alg === '1.2.840.10045.2.1') {
    if (ku !== undefined && !(ku & (1 << KU_KEY_AGREEMENT))) return false;
  } else return false;
  const eku = cert.extensions?.find((e) => e.extnID === '2.5.29.37')?.parsedValue as pkijs.ExtKeyUsage | undefined;
  if (eku && !eku.keyPurposes.some((p) => p === EKU_EMAIL || p === EKU_ANY)) return false;
  return true;
}

export class RecipientDirectory {
  private readonly crypto: CryptoEngine;

  constructor(
    private readonly storage: DirectoryStorage = new MemoryDirectoryStorage(),
    crypto?: CryptoEngine,
  ) {
    this.crypto = crypto ?? defaultCrypto();
  }

  /** Adds (or refreshes) a certificate. Revocation marks survive re-adding. */
  async add(der: Uint8Array, source: DirectoryEntry['source'] = 'manual'): Promise<AddResult> {
    let cert: pkijs.Certificate;
    try {
      cert = pkijs.Certificate.fromBER(buf(der));
    } catch {
      return { ok: false, reason: 'malformed', message: 'This is not an X.509 certificate.' };
    }
    const emails = certificateEmails(cert);
    if (emails.length === 0) return { ok: false, reason: 'no-email', message: 'The certificate names no e-mail address.' };
    if (!usableForEncryption(cert)) {
      return { ok: false, reason: 'not-for-encryption', message: 'The certificate does not allow encryption (key type or key usage).' };
    }
    const sha256 = await fingerprint(der, this.crypto);
    const old = (await this.storage.all()).find((e) => e.sha256 === sha256);
    const entry: DirectoryEntry = {
      sha256,
      der: new Uint8Array(der),
      emails,
      notBefore: cert.notBefore.value.toISOString(),
      notAfter: cert.notAfter.value.toISOString(),
      source: old?.source === 'manual' ? 'manual' : source,
      addedAt: old?.addedAt ?? new Date().toISOString(),
      ...(old?.revoked ? { revoked: true } : {}),
    };
    await this.storage.put(entry);
    return { ok: true, entry };
  }

  /**
   * Collects signer certificates from a message that verifyMessage checked: only signers whose signature is valid
   * and whose chain is trusted (an untrusted or revoked certificate is not remembered), only from the signed
   * layers the verdict reports. `raw` is the message as verified (for encrypted mail: decryptMessage's content).
   */
  async addFromVerifiedMessage(raw: Uint8Array, verdict: Verdict): Promise<DirectoryEntry[]> {
    const wanted = new Set<string>();
    for (const layer of verdict.layers) {
      for (const s of layer.signers) {
        if (s.signature === 'valid' && s.trust === 'trusted' && s.certificate) wanted.add(s.certificate.sha256.replace(/:/g, ''));
      }
    }
    if (wanted.size === 0) return [];
    const added: DirectoryEntry[] = [];
    for (const der of signedDataCertificates(raw)) {
      const fp = await fingerprint(der, this.crypto);
      if (!wanted.has(fp)) continue;
      const r = await this.add(der, 'signed-message');
      if (r.ok) added.push(r.entry);
    }
    return added;
  }

  async markRevoked(sha256: string): Promise<void> {
    const e = (await this.storage.all()).find((x) => x.sha256 === sha256);
    if (e) await this.storage.put({ ...e, revoked: true });
  }

  async remove(sha256: string): Promise<void> {
    await this.storage.delete(sha256);
  }

  async all(): Promise<DirectoryEntry[]> {
    return this.storage.all();
  }

  /**
   * Every certificate of the directory not marked revoked, parsed, for verifyMessage's correspondentCertificates
   * (finding the signer of a message that left its certificate out). A marked one is left out: offered again, it
   * could be trusted whenever its revocation is not at hand.
   */
  async certificates(): Promise<pkijs.Certificate[]> {
    const out: pkijs.Certificate[] = [];
    for (const e of await this.storage.all()) {
      if (e.revoked) continue;
      try {
        out.push(pkijs.Certificate.fromBER(buf(e.der)));
      } catch {
        // A damaged entry helps nobody find a signer.
      }
    }
    return out;
  }

  /** Certificates to encrypt to `address` at time `at`: valid, not revoked; newest first. */
  async lookup(address: string, at: Date = new Date()): Promise<DirectoryEntry[]> {
    const a = address.trim().toLowerCase();
    const t = at.getTime();
    return (await this.storage.all())
      .filter((e) => e.emails.includes(a) && !e.revoked && Date.parse(e.notBefore) <= t && t <= Date.parse(e.notAfter))
      .sort((x, y) => Date.parse(y.notBefore) - Date.parse(x.notBefore));
  }
}

/** DER of every certificate carried in the SignedData layers of a message (bounded by the MIME parser). */
function signedDataCertificates(raw: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  const visit = (bytes: Uint8Array, depth: number) => {
    if (depth > 4) return;
    const m = parseMime(bytes);
    if (!m.ok) return;
    for (const e of walkEntities(m.root)) {
      let der: Uint8Array | undefined;
      if (e.contentType.mediaType === 'multipart/signed') {
        const s = splitSigned(e);
        if (s.ok) der = s.signatureDer;
      } else if (isOpaqueSigned(e)) {
        const o = decodeOpaque(e);
        if (o.ok) der = o.der;
      }
      if (!der) continue;
      try {
        const ci = pkijs.ContentInfo.fromBER(buf(der));
        const sd = new pkijs.SignedData({ schema: ci.content });
        for (const c of sd.certificates ?? []) if (c instanceof pkijs.Certificate) out.push(new Uint8Array(c.toSchema().toBER()));
        const inner = sd.encapContentInfo.eContent;
        if (inner) visit(new Uint8Array(inner.getValue()), depth + 1);
      } catch {
        // not a SignedData we can read: nothing to collect from it
      }
    }
  };
  visit(raw, 0);
  return out;
}

/**
 * The hosts' key store, with an optional passphrase (what users of Thunderbird's Primary Password expect).
 *
 * Why: a "non-extractable" CryptoKey is non-extractable for scripts only. IndexedDB serialises it WITH its key
 * material, so the private key can be read from the browser profile (Chromium's LevelDB files, Thunderbird's
 * extension IndexedDB) by anyone who can read the profile; the sealed PKCS#8 for PKCS#1 v1.5 decryption sits
 * beside its own AES key and adds nothing at rest.
 *
 * With a passphrase, an identity is stored as its certificate, chain and addresses plus the PKCS#8 private key
 * encrypted with AES-256-GCM under a key derived from the passphrase (PBKDF2-HMAC-SHA-256, 600,000 iterations,
 * OWASP's 2023 figure, 16-byte random salt; the identity id is the GCM additional data, so records cannot be
 * swapped). No CryptoKey and no key byte is stored. `unlock(passphrase)` once after the host starts turns the
 * wrapped keys into non-extractable CryptoKeys held in memory only (Thunderbird: the background page; Outlook: the
 * pane's session). A wrong passphrase fails the GCM check of a verifier record: one sentence, nothing unlocked.
 * PBKDF2 rather than a memory-hard KDF because WebCrypto has it natively in both hosts (600,000 iterations take
 * about half a second there); scrypt in script would be far slower for the same cost to an attacker.
 *
 * Without a passphrase identities are stored as before (CryptoKeys in IndexedDB), protected only by the host's
 * profile and the operating-system account; the hosts say so. An administrator can require the passphrase
 * (policy `keys.requirePassphrase`): imports without one are refused and unprotected identities are not used.
 */
import type { CryptoEngine } from '../crypto';
import { defaultCrypto } from '../crypto';
import { bs } from './bytes';
import { type Identity, type PrivateKeys, importPrivateKey, wipe } from './identity';
import { DB, run, type IdbOptions } from './idb';
import { hasAddress, summarize, type IdentitySummary, type KeyStore } from './keystore';
import { importPkcs12, type Pkcs12Result } from './pkcs12';

export const PASSPHRASE_ITERATIONS = 600_000;
/** Passphrases shorter than this are refused (the KDF slows guessing; it cannot save a 4-character secret). */
export const MIN_PASSPHRASE_LENGTH = 8;
const VAULT_ID = '#vault';
const CHECK = new TextEncoder().encode('smime-addin key vault v1');

interface VaultRecord {
  id: typeof VAULT_ID;
  kdf: { name: 'PBKDF2'; hash: 'SHA-256'; iterations: number; salt: Uint8Array };
  check: { iv: Uint8Array; data: Uint8Array };
}

/** An identity as stored under the passphrase: public parts, and the PKCS#8 encrypted. */
interface WrappedRecord {
  id: string;
  certificate: Uint8Array;
  chain: Uint8Array[];
  emails: string[];
  keys: Pick<PrivateKeys, 'kind' | 'namedCurve' | 'modulusBits'>;
  wrapped: { v: 1; iv: Uint8Array; data: Uint8Array };
}

type StoredRecord = Identity | WrappedRecord | VaultRecord;

export type KeyProtection = 'passphrase' | 'profile';

export interface StoredIdentitySummary extends IdentitySummary {
  emails: string[];
  certificate: Uint8Array;
  chain: Uint8Array[];
  /** 'passphrase': wrapped under the passphrase; 'profile': protected only by the host profile / OS account. */
  protection: KeyProtection;
  /** Wrapped and not unlocked in this session. */
  locked: boolean;
  /** Not used because the administrator requires a passphrase and this key has none. */
  disallowed: boolean;
}

export type UnlockResult = { ok: true; unlocked: number } | { ok: false; message: string };

export interface ProtectedImportOptions {
  /** The passphrase for stored keys: creates it when none is set, must match the one set otherwise. */
  passphrase?: string;
}

const isVault = (r: StoredRecord): r is VaultRecord => r.id === VAULT_ID;
const isWrapped = (r: StoredRecord): r is WrappedRecord => !isVault(r) && 'wrapped' in r && !!(r as WrappedRecord).wrapped;

export const WRONG_PASSPHRASE = 'Wrong passphrase for your stored keys.';

/**
 * Bounds on the vault's key-derivation settings as read back from storage. Anyone who can write the profile can
 * change them: an iteration count of 2^31 made every unlock run PBKDF2 for about an hour with the host's page
 * blocked, and a count that is not a number threw out of unlock. We only ever write PASSPHRASE_ITERATIONS; the
 * range leaves room to raise it in a later version.
 */
export const MIN_VAULT_ITERATIONS = 100_000;
export const MAX_VAULT_ITERATIONS = 10_000_000;

/** What is wrong with a stored vault record's settings, or undefined. */
function vaultProblem(v: VaultRecord): string | undefined {
  const k = v.kdf as Partial<VaultRecord['kdf']> | undefined;
  if (!k || k.name !== 'PBKDF2' || k.hash !== 'SHA-256') return 'unknown key derivation';
  if (typeof k.iterations !== 'number' || !Number.isSafeInteger(k.iterations) || k.iterations < MIN_VAULT_ITERATIONS || k.iterations > MAX_VAULT_ITERATIONS) {
    return `iteration count ${String(k.iterations).slice(0, 20)} outside ${MIN_VAULT_ITERATIONS.toLocaleString('en-US')}-${MAX_VAULT_ITERATIONS.toLocaleString('en-US')}`;
  }
  if (!(k.salt instanceof Uint8Array) || k.salt.length < 8 || k.salt.length > 64) return 'bad salt';
  if (!v.check || !(v.check.iv instanceof Uint8Array) || !(v.check.data instanceof Uint8Array)) return 'no check record';
  return undefined;
}

export class ProtectedKeyStore implements KeyStore {
  /** The key-encryption key while unlocked (non-extractable, memory only). */
  private kek: CryptoKey | undefined;
  /** Unwrapped identities by id, memory only. */
  private readonly unlocked = new Map<string, Identity>();

  constructor(
    private readonly options: IdbOptions & { crypto?: CryptoEngine } = {},
    /** Whether the administrator requires a passphrase (read on every use, so a policy change applies at once). */
    private readonly requirePassphrase: () => boolean = () => false,
  ) {}

  private get crypto(): CryptoEngine {
    return this.options.crypto ?? defaultCrypto();
  }

  private get subtle(): SubtleCrypto {
    return (this.crypto.subtle ?? this.crypto) as SubtleCrypto;
  }

  private records(): Promise<StoredRecord[]> {
    return run(this.options, DB.identities, 'readonly', (s) => s.getAll() as IDBRequest<StoredRecord[]>);
  }

  private async vault(): Promise<VaultRecord | undefined> {
    return (await run(this.options, DB.identities, 'readonly', (s) => s.get(VAULT_ID) as IDBRequest<VaultRecord | undefined>)) ?? undefined;
  }

  async hasPassphrase(): Promise<boolean> {
    return (await this.vault()) !== undefined;
  }

  isUnlocked(): boolean {
    return this.kek !== undefined;
  }

  private async deriveKek(passphrase: string, kdf: VaultRecord['kdf']): Promise<CryptoKey> {
    const material = await this.subtle.importKey('raw', bs(new TextEncoder().encode(passphrase)), 'PBKDF2', false, ['deriveKey']);
    return this.subtle.deriveKey(
      { name: 'PBKDF2', hash: kdf.hash, iterations: kdf.iterations, salt: bs(kdf.salt) },
      material,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
  }

  private async seal(kek: CryptoKey, plain: Uint8Array, aad: string): Promise<{ iv: Uint8Array; data: Uint8Array }> {
    const iv = this.crypto.getRandomValues(new Uint8Array(12)) as Uint8Array<ArrayBuffer>;
    const data = new Uint8Array(await this.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: bs(new TextEncoder().encode(aad)) }, kek, bs(plain)));
    return { iv, data };
  }

  private async open(kek: CryptoKey, sealed: { iv: Uint8Array; data: Uint8Array }, aad: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(
        await this.subtle.decrypt({ name: 'AES-GCM', iv: bs(sealed.iv), additionalData: bs(new TextEncoder().encode(aad)) }, kek, bs(sealed.data)),
      );
    } catch {
      return undefined; // GCM tag mismatch: wrong key or altered record
    }
  }

  /**
   * Unlocks the stored keys for this session. Sets the passphrase first when none is set and `create` is true.
   * Wrong passphrase → { ok: false } with one sentence; nothing changes.
   */
  async unlock(passphrase: string, create = false): Promise<UnlockResult> {
    let vault = await this.vault();
    if (!vault) {
      if (!create) return { ok: false, message: 'No passphrase is set for your stored keys.' };
      if (passphrase.length < MIN_PASSPHRASE_LENGTH) return { ok: false, message: `Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters.` };
      const salt = this.crypto.getRandomValues(new Uint8Array(16)) as Uint8Array;
      const kdf = { name: 'PBKDF2' as const, hash: 'SHA-256' as const, iterations: PASSPHRASE_ITERATIONS, salt };
      const kek = await this.deriveKek(passphrase, kdf);
      vault = { id: VAULT_ID, kdf, check: await this.seal(kek, CHECK, VAULT_ID) };
      const record = vault;
      await run(this.options, DB.identities, 'readwrite', (s) => s.put(record));
      this.kek = kek;
      return { ok: true, unlocked: 0 };
    }
    const damaged = vaultProblem(vault);
    if (damaged) return { ok: false, message: `The stored key vault is damaged (${damaged}); your keys cannot be unlocked.` };
    const kek = await this.deriveKek(passphrase, vault.kdf);
    const check = await this.open(kek, vault.check, VAULT_ID);
    if (!check) return { ok: false, message: WRONG_PASSPHRASE };
    this.kek = kek;
    let n = 0;
    for (const r of await this.records()) {
      if (!isWrapped(r) || this.unlocked.has(r.id)) continue;
      const identity = await this.unwrap(kek, r);
      if (identity) {
        this.unlocked.set(r.id, identity);
        n++;
      }
    }
    return { ok: true, unlocked: n };
  }

  /** Forgets the unlocked keys (they stay stored, wrapped). */
  lock(): void {
    this.kek = undefined;
    this.unlocked.clear();
  }

  private async unwrap(kek: CryptoKey, r: WrappedRecord): Promise<Identity | undefined> {
    const pkcs8 = await this.open(kek, r.wrapped, r.id);
    if (!pkcs8) return undefined;
    const imported = await importPrivateKey(pkcs8, this.crypto); // wipes pkcs8
    if (!imported.ok) return undefined;
    return { id: r.id, certificate: r.certificate, chain: r.chain, emails: r.emails, keys: imported.keys };
  }

  /**
   * Imports a .p12 and stores it: under the passphrase when one is set (unlocking with `passphrase` first when
   * locked) or given (which sets it), else unprotected, unless the administrator requires a passphrase.
   */
  async importPkcs12(bytes: Uint8Array, password: string, opts: ProtectedImportOptions = {}): Promise<Pkcs12Result> {
    const refuse = (message: string): Pkcs12Result => ({ ok: false, error: { code: 'unsupported', message } });
    const hasVault = await this.hasPassphrase();
    const given = opts.passphrase ?? '';
    if (hasVault && !this.kek) {
      if (!given) return refuse('Your stored keys are protected by a passphrase: enter it to import another key.');
      const u = await this.unlock(given);
      if (!u.ok) return refuse(u.message);
    } else if (hasVault && given) {
      const u = await this.unlock(given);
      if (!u.ok) return refuse(u.message);
    } else if (!hasVault && !given && this.requirePassphrase()) {
      return refuse('Your administrator requires a passphrase for stored keys: choose one to import this key.');
    } else if (!hasVault && given) {
      if (given.length < MIN_PASSPHRASE_LENGTH) return refuse(`Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters.`);
    }

    let pkcs8: Uint8Array | undefined;
    const r = await importPkcs12(bytes, password, this.crypto, { onPrivateKey: (k) => (pkcs8 = k) });
    try {
      if (!r.ok) return r;
      if (!hasVault && !given) {
        await this.put(r.identity);
        return r;
      }
      if (!hasVault) {
        const u = await this.unlock(given, true);
        if (!u.ok) return refuse(u.message);
      }
      const kek = this.kek!;
      const { identity } = r;
      const record: WrappedRecord = {
        id: identity.id,
        certificate: identity.certificate,
        chain: identity.chain,
        emails: identity.emails,
        keys: { kind: identity.keys.kind, namedCurve: identity.keys.namedCurve, modulusBits: identity.keys.modulusBits },
        wrapped: { v: 1, ...(await this.seal(kek, pkcs8!, identity.id)) },
      };
      await run(this.options, DB.identities, 'readwrite', (s) => s.put(record));
      this.unlocked.set(identity.id, identity);
      return r;
    } finally {
      wipe(pkcs8);
    }
  }

  // ---- KeyStore: the identities usable now (unprotected ones unless a passphrase is required, unlocked ones).

  async identities(): Promise<Identity[]> {
    const required = this.requirePassphrase();
    const out: Identity[] = [];
    for (const r of await this.records()) {
      if (isVault(r)) continue;
      if (isWrapped(r)) {
        const u = this.unlocked.get(r.id);
        if (u) out.push(u);
      } else if (!required) out.push(r);
    }
    return out;
  }

  async get(id: string): Promise<Identity | undefined> {
    return (await this.identities()).find((i) => i.id === id);
  }

  async forAddress(address: string): Promise<Identity[]> {
    return (await this.identities()).filter((i) => hasAddress(i, address));
  }

  /** Stores an identity unprotected (CryptoKeys in IndexedDB). Imports go through importPkcs12 instead. */
  async put(identity: Identity): Promise<void> {
    if (identity.id === VAULT_ID) throw new Error('reserved identity id');
    await run(this.options, DB.identities, 'readwrite', (s) => s.put(identity));
  }

  /** Removes one identity; removing the last one forgets the passphrase too (the way out of a forgotten one). */
  async delete(id: string): Promise<void> {
    if (id === VAULT_ID) return;
    this.unlocked.delete(id);
    await run(this.options, DB.identities, 'readwrite', (s) => s.delete(id));
    if ((await this.records()).every(isVault)) await this.removeAll();
  }

  async list(): Promise<IdentitySummary[]> {
    return (await this.stored()).map(({ id, emails, key }) => ({ id, emails, key }));
  }

  /** Every stored identity with how it is protected and whether it can be used now (for settings pages). */
  async stored(): Promise<StoredIdentitySummary[]> {
    const required = this.requirePassphrase();
    return (await this.records())
      .filter((r): r is Identity | WrappedRecord => !isVault(r))
      .map((r) => {
        const wrapped = isWrapped(r);
        return {
          ...summarize(r as Identity),
          certificate: r.certificate,
          chain: r.chain,
          protection: wrapped ? 'passphrase' : 'profile',
          locked: wrapped && !this.unlocked.has(r.id),
          disallowed: !wrapped && required,
        };
      });
  }

  /** Removes every identity and the passphrase. */
  async removeAll(): Promise<void> {
    this.lock();
    await run(this.options, DB.identities, 'readwrite', (s) => s.clear());
  }
}

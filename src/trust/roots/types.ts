/** One bundled root: DER in base64 plus what a settings page shows without parsing it. */
export interface BundledRoot {
  name: string;
  /** SHA-256 fingerprint, hex with colons, upper-case. */
  sha256: string;
  notAfter: string; // ISO 8601
  der: string; // base64
  /**
   * NSS' CKA_NSS_EMAIL_DISTRUST_AFTER for this root (ISO 8601), when Mozilla set one: e-mail certificates it vouches
   * for whose notBefore is later are not trusted (how Mozilla winds a CA down without breaking older mail).
   */
  emailDistrustAfter?: string;
}

/** Where the bundled set came from (recorded by scripts/gen-roots.mjs). */
export interface BundledRootsMeta {
  source: string;
  nssPackage: string;
  /** NSS builtins module version (libnssckbi "Library Version"). */
  builtinsVersion: string;
  generatedAt: string;
  /** Roots carrying the S/MIME 'C' trust flag before expired ones were left out. */
  emailTrusted: number;
  excludedExpired: string[];
  count: number;
  /** Roots with an e-mail distrust-after date (read from the PKCS#11 module by scripts/nss-distrust.py). */
  withEmailDistrustAfter?: number;
}

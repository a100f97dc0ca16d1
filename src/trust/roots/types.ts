/** One bundled root: DER in base64 plus what a settings page shows without parsing it. */
export interface BundledRoot {
  name: string;
  /** SHA-256 fingerprint, hex with colons, upper-case. */
  sha256: string;
  notAfter: string; // ISO 8601
  der: string; // base64
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
}

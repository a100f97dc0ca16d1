/**
 * The one public entry point of the core. Hosts, the CLI and tests import from here only.
 * The core uses no host API (no DOM, no Office, no messenger/browser): see test/core-purity.test.ts.
 */
export * from './verdict';
export { defaultCrypto } from './crypto';
export type { CryptoEngine } from './crypto';
export { verifyMessage } from './verify-message';
export type { VerifyOptions, Decryptor } from './verify-message';
export * from './policy/index';
export { bundledAnchors, bundledRootList, bundledRootsMeta } from './trust/roots/bundled';
export type { BundledRoot, BundledRootsMeta } from './trust/roots/types';
export { createFetcher, FetchError } from './trust/fetcher';
export type { FetcherOptions, FetchErrorKind } from './trust/fetcher';
export { verifySignedData } from './cms/verify';
export type { CmsVerifyOptions, CmsVerifyResult, CmsSignerResult } from './cms/types';
export { loadCertificates, loadCrls, loadPkiBundle } from './certs/load';
export type { CertificateLoadResult, CrlLoadResult, PkiBundle } from './certs/load';
export { certificateDetails, certificateEmails } from './certs/details';

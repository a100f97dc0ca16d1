/**
 * The one public entry point of the core. Hosts, the CLI and tests import from here only.
 * The core uses no host API (no DOM, no Office, no messenger/browser): see test/core-purity.test.ts.
 */
export * from './verdict';
export { defaultCrypto } from './crypto';
export type { CryptoEngine } from './crypto';
export { verifyMessage, verifyMessageAndBody } from './verify-message';
// RFC 9788 header protection: hosts hide legacy display elements from the body they show (verdict.headerProtection).
export { stripLegacyDisplay, hasLegacyDisplay } from './header-protection/index';
export { planResponse, wouldReveal, stripReplyPrefixes, usableProtectedHeaders, answersObscuredSubject, quoteProbe, quotesText, dropQuotedLegacyDisplay } from './header-protection/respond';
export type { ResponseInput, ResponsePlan, ReferenceHcpEntry } from './header-protection/respond';
export type { VerifyOptions, Decryptor } from './verify-message';
export { PublicKeyBudget, MAX_PUBLIC_KEY_OPERATIONS, MAX_RSA_MODULUS_BITS } from './signature/limits';
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
// MIME reading for hosts that show decrypted content as plain text (EFAIL rule, see decryptMessage).
export { parseMime, walkEntities, bodyText, contentDisposition } from './mime';
export type { MimeEntity } from './mime/types';
// Sign, encrypt, decrypt and keys (issue 3).
export { importPkcs12 } from './keys/pkcs12';
export type { Pkcs12Result, Pkcs12ErrorCode, Pkcs12Options } from './keys/pkcs12';
export type { Identity, PrivateKeys, SignHash } from './keys/identity';
export { signMessage } from './compose/sign-message';
export type { SignMessageOptions, SignMessageResult } from './compose/sign-message';
export { encryptMessage } from './compose/encrypt-message';
export { protectHeaders, headerProtectionOptions, headerProtectionNote, outerSubjectOnWire, HEADER_CONFIDENTIALITY } from './compose/protect-headers';
export type { HeaderConfidentiality, HeaderProtectionOptions } from './compose/protect-headers';
export type { EncryptMessageOptions, EncryptMessageResult } from './compose/encrypt-message';
export { decryptMessage, makeDecryptor } from './compose/decrypt-message';
export type { DecryptMessageResult, DecryptedLayer, IdentitySource } from './compose/decrypt-message';
export { createSignedData } from './cms/sign';
export { createEnvelopedData, CONTENT_CIPHERS, DEFAULT_CIPHER } from './cms/encrypt';
export type { ContentCipher, RecipientSpec } from './cms/encrypt';
export { decryptCms } from './cms/decrypt';
export type { DecryptResult, DecryptErrorCode } from './cms/decrypt';
export type { KeyStore, IdentitySummary } from './keys/keystore';
export { MemoryKeyStore } from './keys/memory-keystore';
export { IdbKeyStore } from './keys/idb-keystore';
export { ProtectedKeyStore, PASSPHRASE_ITERATIONS, MIN_PASSPHRASE_LENGTH, WRONG_PASSPHRASE } from './keys/protected-keystore';
export type { StoredIdentitySummary, KeyProtection, UnlockResult, ProtectedImportOptions } from './keys/protected-keystore';
export type { IdbOptions } from './keys/idb';
export { RecipientDirectory, MemoryDirectoryStorage, IdbDirectoryStorage, usableForEncryption } from './keys/directory';
export type { DirectoryEntry, DirectoryStorage, AddResult } from './keys/directory';
export * from './audit/index';
export { buildEntity } from './compose/entity';
export type { OutgoingPart } from './compose/entity';
export { IntermediateMemory } from './trust/intermediate-memory';
// Setup health (issue 13): a certificate chain checked for a purpose, before a message shows its problems.
export * from './health/index';
// The outgoing message both hosts build from what the user wrote (before signMessage / encryptMessage).
export { buildMessage, mailboxesOf, encodeWords, validAddress, rfc5322Date, MAX_MESSAGE_BYTES, MAX_ATTACHMENTS } from './compose/build-message';
export type { OutgoingMessage, MessageAddress, MessageAttachment, BuildMessageOptions, BuildMessageResult, BuildMessageErrorCode } from './compose/build-message';

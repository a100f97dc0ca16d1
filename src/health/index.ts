export { checkCertificateHealth, findingLabel, validityFinding } from './check';
export type { HealthOptions } from './check';
export { baselineFindings, brProfile, BR_VERSION, LEGACY_SUNSET } from './baseline';
export type { HealthCode, HealthFinding, HealthPurpose, HealthReport, HealthSeverity } from './types';
export { identityHealth, healthState, auditEventForHealth } from './identity';
export type { StoredIdentityCerts } from './identity';
export { aboutSigner } from './correspondent';

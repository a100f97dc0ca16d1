/** Policy: one schema, validated, merged by precedence (admin > user > defaults), turned into options. */
export * from './schema';
export { validatePolicy, parsePolicyJson } from './validate';
export type { PolicyValidation } from './validate';
export { resolvePolicy } from './merge';
export type { FieldSource, PolicyLayers, ResolvedPolicy } from './merge';
export { policyToVerifyOptions, applyPolicyToVerdict, policyReasonsForSigner, keyBits } from './verify-options';
export type { PolicyDeps } from './verify-options';
export { parsePemCertificates, certificatesAsPem, derToPem } from './pem';
export { DomainSet, MAX_DOMAINS, domainOf, normalizeDomain, parseDomainEntry } from './domains';
export { applyInboundRule, evaluateInbound, inboundRules, inboundViolation, needsInboundAction, addressesOfHeader } from './inbound';
export type { InboundRules, InboundOutcome } from './inbound';
export { decideOutbound, outboundRules, recipientDomains } from './outbound';
export type { OutboundDecision, OutboundFinding, OutboundInput, OutboundRule, OutboundRules } from './outbound';
export { ownCertificateProblem } from './own-certificate';

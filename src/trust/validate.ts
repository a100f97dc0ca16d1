/**
 * RFC 5280 §6.1 basic path validation of one candidate path, without revocation (crl.ts does that, once a
 * path is structurally sound). Inputs per §6.1.1: the trust anchor's name and key only (the anchor
 * certificate's own extensions are not constraints, as in RFC 5280 and OpenSSL), the time `at`, and the
 * fixed policy inputs of policies.ts.
 *
 * Every problem on the path is collected (not only the first), so the headline can be the most serious
 * one and the user sees all of them.
 */
import type { CryptoEngine } from '../crypto';
import type { CandidatePath } from './build';
import {
  KNOWN_CERT_EXTENSIONS,
  KU,
  OID,
  basicConstraints,
  describeDate,
  extKeyUsage,
  keyUsage,
  type CertInfo,
} from './cert-info';
import { NameConstraintState } from './name-constraints';
import { nameEquals } from './names';
import { PolicyState } from './policies';
import { problem, type Problem } from './problems';
import { nextWorkingKey, verifyCertSignature, type WorkingKey } from './signature';

/** What the end certificate is for: signing mail, or signing CRLs (when validating a CRL issuer). */
export type Purpose = 'email' | 'crl-signer' | 'any';

export interface PathCheckOptions {
  at: Date;
  allowSha1: boolean;
  /** See ChainOptions.minRsaBits. */
  minRsaBits?: number;
  requireEmailProtection: boolean;
  purpose: Purpose;
}

export interface PathOutcome {
  problems: Problem[];
  /** Whether every certificate signature on the path verified (paths with a bad one rank last). */
  signaturesOk: boolean;
  /** The working key per certificate: keys[i] verifies certs[i] (from its issuer); for CRL checks. */
  issuerKeys: WorkingKey[];
}

function who(cert: CertInfo, isLeaf: boolean): string {
  return isLeaf ? `The signer's certificate ('${cert.label}')` : `The certificate '${cert.label}'`;
}

/** Validity at `at`, leaf usage and critical extensions: the checks a certificate needs on its own. */
export function checkValidity(cert: CertInfo, at: Date, isLeaf: boolean): Problem[] {
  if (at.getTime() > cert.notAfter.getTime()) {
    return [problem('cert-expired', 'expired', `${who(cert, isLeaf)} expired on ${describeDate(cert.notAfter)}.`)];
  }
  if (at.getTime() < cert.notBefore.getTime()) {
    return [problem('cert-not-yet-valid', 'not-yet-valid', `${who(cert, isLeaf)} is not valid until ${describeDate(cert.notBefore)}.`)];
  }
  return [];
}

export function checkCriticalExtensions(cert: CertInfo, isLeaf: boolean): Problem[] {
  const out: Problem[] = [];
  for (const e of cert.extensions) {
    if (e.critical && !KNOWN_CERT_EXTENSIONS.has(e.extnID)) {
      out.push(problem('unknown-critical-extension', 'untrusted', `${who(cert, isLeaf)} has a critical extension (${e.extnID}) this checker does not understand, so it must be refused.`));
    }
  }
  if (cert.malformed.length > 0) {
    out.push(problem('unknown-critical-extension', 'untrusted', `${who(cert, isLeaf)} has an extension that cannot be read (${cert.malformed.join(', ')}).`));
  }
  if (cert.duplicated.length > 0) {
    out.push(problem('invalid-ca', 'untrusted', `${who(cert, isLeaf)} repeats an extension (${cert.duplicated.join(', ')}), which is not allowed.`));
  }
  return out;
}

export function checkLeafUsage(cert: CertInfo, opts: PathCheckOptions): Problem[] {
  const out: Problem[] = [];
  const ku = keyUsage(cert);
  if (opts.purpose === 'email') {
    if (ku && !ku(KU.digitalSignature) && !ku(KU.nonRepudiation)) {
      out.push(problem('wrong-key-usage', 'wrong-usage', `The signer's certificate ('${cert.label}') is not allowed to make digital signatures (its key usage excludes it).`));
    }
    const eku = extKeyUsage(cert);
    if (opts.requireEmailProtection && eku && !eku.includes(OID.emailProtection) && !eku.includes(OID.anyExtendedKeyUsage)) {
      out.push(problem('wrong-extended-key-usage', 'wrong-usage', `The signer's certificate ('${cert.label}') is not issued for e-mail protection (its extended key usage excludes it).`));
    }
  } else if (opts.purpose === 'crl-signer') {
    if (ku && !ku(KU.cRLSign)) {
      out.push(problem('wrong-key-usage', 'untrusted', `The certificate '${cert.label}' signed a revocation list but is not allowed to (its key usage lacks cRLSign).`));
    }
  }
  return out;
}

export async function validatePath(path: CandidatePath, opts: PathCheckOptions, crypto: CryptoEngine): Promise<PathOutcome> {
  const problems: Problem[] = [];
  let signaturesOk = true;
  const certs = path.certs.slice().reverse(); // anchor side first, as §6.1 counts
  const n = certs.length;
  const issuerKeys: WorkingKey[] = new Array(n);

  let workingKey: WorkingKey = { spki: path.anchor.cert.subjectPublicKeyInfo };
  workingKey = nextWorkingKey(path.anchor.cert.subjectPublicKeyInfo, workingKey);
  let workingIssuer = path.anchor.subject;
  let maxPathLength = n;
  const policy = new PolicyState(n);
  const names = new NameConstraintState();

  for (let idx = 0; idx < n; idx++) {
    const i = idx + 1;
    const cert = certs[idx];
    const isLeaf = i === n;
    issuerKeys[n - 1 - idx] = workingKey;

    // §6.1.3 (a): signature, validity, issuer name chaining.
    const sig = await verifyCertSignature(crypto, cert.cert, workingKey, opts.allowSha1, opts.minRsaBits);
    if (!sig.ok) {
      signaturesOk = false;
      const why =
        sig.why === 'weak'
          ? `is signed with ${sig.algorithm}, which is too weak to trust`
          : sig.why === 'unsupported'
            ? `is signed with ${sig.algorithm}, which this checker cannot verify`
            : 'has a signature that does not verify with its issuer\'s key';
      problems.push(problem('bad-cert-signature', 'untrusted', `${who(cert, isLeaf)} ${why}.`));
    }
    problems.push(...checkValidity(cert, opts.at, isLeaf));
    if (!nameEquals(cert.issuer, workingIssuer)) {
      problems.push(problem('bad-cert-signature', 'untrusted', `${who(cert, isLeaf)} names an issuer ('${cert.issuer.display}') that is not the certificate above it.`));
    }

    // §6.1.3 (b)-(c): name constraints (self-issued intermediates are exempt).
    if (!cert.selfIssued || isLeaf) {
      const nc = names.check(cert);
      if (nc) problems.push(problem('name-constraints-violated', 'untrusted', nc));
    }

    // §6.1.3 (d)-(f): policies.
    const pr = policy.processCertificate(cert, i);
    if (!pr.ok) problems.push(problem('policy-violation', 'untrusted', pr.message));

    problems.push(...checkCriticalExtensions(cert, isLeaf));

    if (isLeaf) break;

    // §6.1.4: prepare for certificate i+1.
    const pm = policy.prepareNext(cert, i);
    if (!pm.ok) problems.push(problem('policy-violation', 'untrusted', pm.message));
    workingIssuer = cert.subject;
    workingKey = nextWorkingKey(cert.cert.subjectPublicKeyInfo, workingKey);
    const ncErr = names.add(cert);
    if (ncErr) problems.push(problem('name-constraints-violated', 'untrusted', ncErr));

    const bc = basicConstraints(cert);
    if (cert.version !== 2 || !bc || !bc.cA) {
      problems.push(problem('invalid-ca', 'untrusted', `The certificate '${cert.label}' issued another certificate but is not a certificate authority.`));
    }
    if (!cert.selfIssued) {
      if (maxPathLength <= 0) {
        problems.push(problem('path-length-exceeded', 'untrusted', `The chain is longer than '${cert.label}' or a CA above it allows.`));
      }
      maxPathLength--;
    }
    if (bc?.pathLen !== undefined && bc.pathLen < maxPathLength) maxPathLength = bc.pathLen;
    // EKU chaining (not in RFC 5280, but what NSS, Windows and OpenSSL's smimesign purpose do, and what
    // "technically constrained" sub-CAs rely on): a CA restricted by EKU must allow e-mail protection.
    const caEku = extKeyUsage(cert);
    if (opts.purpose === 'email' && opts.requireEmailProtection && caEku && !caEku.includes(OID.emailProtection) && !caEku.includes(OID.anyExtendedKeyUsage)) {
      problems.push(problem('wrong-extended-key-usage', 'wrong-usage', `The certificate authority '${cert.label}' is restricted to other uses than e-mail (its extended key usage excludes e-mail protection).`));
    }
    const ku = keyUsage(cert);
    if (ku && !ku(KU.keyCertSign)) {
      problems.push(problem('invalid-ca', 'untrusted', `The certificate '${cert.label}' is not allowed to sign certificates (its key usage lacks keyCertSign).`));
    }
  }

  if (n > 0) {
    const leaf = certs[n - 1];
    // §6.1.5: wrap-up.
    const wu = policy.wrapUp(leaf);
    if (!wu.ok) problems.push(problem('policy-violation', 'untrusted', wu.message));
    problems.push(...checkLeafUsage(leaf, opts));
  }
  return { problems: dedupe(problems), signaturesOk, issuerKeys };
}

function dedupe(ps: Problem[]): Problem[] {
  const seen = new Set<string>();
  return ps.filter((p) => (seen.has(p.message) ? false : (seen.add(p.message), true)));
}

/**
 * validateChain: is the signer's certificate vouched for by a trust anchor at time `at`?
 *
 * Steps, one module each: build candidate paths (build.ts), validate each per RFC 5280 §6.1 (validate.ts
 * with policies.ts and name-constraints.ts), check revocation from CRLs (crl.ts) on a structurally sound
 * path, and explain the outcome in one plain sentence per problem. The first path that validates wins;
 * otherwise the most plausible failing path (all signatures good, fewest problems) is reported.
 *
 * A missing intermediate certificate is its own outcome ('incomplete-chain'): it is almost always a
 * sender's configuration mistake, never by itself a sign of an attack.
 */
import type * as pkijs from 'pkijs';
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { reason, type Reason, type TrustStatus } from '../verdict';
import { buildPaths, type CandidatePath } from './build';
import { certInfo, type CertInfo } from './cert-info';
import { crlInfo, type CrlInfo } from './crl-info';
import { RevocationChecker, declaresItselfCrlIssuer, type RevocationCheck } from './crl';
import { problem, rank, worst, type Problem } from './problems';
import { verifyCertSignature, type WorkingKey } from './signature';
import type { ChainOptions, ChainResult } from './types';
import { checkLeafUsage, checkValidity, validatePath, type PathCheckOptions, type Purpose } from './validate';

/** How deep CRL-signer validation may recurse (a CRL signer's CRL signer's …). */
const MAX_SIGNER_DEPTH = 3;

interface Env {
  opts: ChainOptions;
  crypto: CryptoEngine;
  anchors: CertInfo[];
  intermediates: CertInfo[];
  crls: CrlInfo[];
  /** CRL-signer validations done, by certificate key. */
  signerResults: Map<string, Promise<boolean>>;
  checker?: RevocationChecker;
}

function uniq(list: CertInfo[]): CertInfo[] {
  const seen = new Set<string>();
  return list.filter((c) => (seen.has(c.key) ? false : (seen.add(c.key), true)));
}

function safe<T, R>(items: T[], f: (x: T) => R): R[] {
  const out: R[] = [];
  for (const x of items) {
    try {
      out.push(f(x));
    } catch {
      // A certificate or CRL pkijs parsed but we cannot read further is ignored, not fatal.
    }
  }
  return out;
}

/** Problems that still allow a revocation check to be meaningful (the path itself is sound). */
const SOUND = new Set(['cert-expired', 'cert-not-yet-valid', 'wrong-key-usage', 'wrong-extended-key-usage']);

interface PathResult {
  path: CandidatePath;
  problems: Problem[];
  signaturesOk: boolean;
  revocation: ChainResult['revocation'];
  notes: Reason[];
}

/**
 * What is known about one certificate of the path (issue 10, item 20): a CRL or OCSP answer that covers it decides
 * it ('good' / 'revoked'); 'none' = no information at all (no CRL in scope, no online answer source); 'unusable' =
 * information exists but cannot be used (a stale, badly signed or unreadable CRL, an OCSP answer that does not
 * verify, a responder that cannot be reached, lists that do not cover every reason); 'unreadable' = a CRL was
 * retrieved (at hand or fetched) but cannot be read: that fails closed in every mode but 'off' (item 11), since a
 * CRL too large or too odd for us must not become a way to keep a revoked certificate trusted.
 */
type CertRevocation = { status: 'good' | 'revoked' | 'none' | 'unusable' | 'unreadable'; detail: string; source: 'crl' | 'ocsp' };

/**
 * The revocation modes, per certificate of the path (leaf first): a revoked certificate is never trusted; 'hard'
 * refuses any certificate whose status is not established; 'soft' keeps the chain trusted and says what is missing —
 * a note for a certificate nobody published anything about (most mail, offline by default), a warning for
 * information that exists but could not be used (that is a check that failed, possibly on purpose).
 */
async function checkRevocationOnPath(
  env: Env,
  path: CandidatePath,
  issuerKeys: WorkingKey[],
): Promise<{ problems: Problem[]; revocation: ChainResult['revocation']; notes: Reason[] }> {
  const mode = env.opts.revocation ?? 'soft';
  if (mode === 'off' || path.certs.length === 0) {
    return {
      problems: [],
      revocation: { status: 'not-checked', detail: 'Revocation checking is turned off.' },
      notes: path.certs.length === 0 ? [] : [reason('revocation-not-checked', 'info', 'Revocation was not checked (turned off).')],
    };
  }
  const problems: Problem[] = [];
  const notes: Reason[] = [];
  const results: CertRevocation[] = [];
  for (let k = 0; k < path.certs.length; k++) {
    const cert = path.certs[k];
    const issuer = path.certs[k + 1] ?? path.anchor;
    const issuerIsAnchor = k + 1 >= path.certs.length;
    const fromCrl: RevocationCheck = await env.checker!.check(cert, issuer, issuerIsAnchor, issuerKeys[k]);
    let answer: CertRevocation =
      fromCrl.status === 'unknown'
        ? { status: fromCrl.unreadable ? 'unreadable' : fromCrl.noCrl ? 'none' : 'unusable', detail: fromCrl.detail, source: 'crl' }
        : { status: fromCrl.status, detail: fromCrl.detail, source: 'crl' };
    if (answer.status !== 'good' && answer.status !== 'revoked' && env.opts.onlineRevocation) {
      try {
        const online = await env.opts.onlineRevocation(cert.cert, issuer.cert, env.opts.at);
        if (online && online.status !== 'unknown') answer = { status: online.status, detail: online.detail, source: online.source };
        else if (online?.unreadable) answer = { status: 'unreadable', detail: online.detail, source: online.source };
        // An online failure (unreachable, unusable answer) is information that exists but could not be used; an
        // unusable CRL at hand stays the more specific explanation.
        else if (online && answer.status === 'none' && !online.noInfo) answer = { status: 'unusable', detail: online.detail, source: online.source };
      } catch {
        // The online module failed: the offline answer stands.
      }
    }
    if (answer.status === 'revoked') problems.push(problem('cert-revoked', 'revoked', answer.detail));
    if (answer.status === 'unreadable') {
      problems.push(problem('revocation-unknown', 'untrusted', `${answer.detail} A revocation list that was retrieved but cannot be read is not skipped, so the chain is not trusted.`));
    }
    results.push(answer);
  }
  const revoked = results.find((r) => r.status === 'revoked');
  const unusable = results.filter((r) => r.status === 'unusable' || r.status === 'unreadable');
  const none = results.filter((r) => r.status === 'none');
  const decided = results.filter((r) => r.status === 'good');
  const source = decided.some((r) => r.source === 'ocsp') ? 'ocsp' : 'crl';
  let revocation: ChainResult['revocation'];
  if (revoked) revocation = { status: 'revoked', source: revoked.source, detail: revoked.detail };
  else if (unusable.length + none.length === 0) {
    revocation = { status: 'good', source, detail: results[0].detail };
    // Said as a confirmation, so a reader sees that revocation was checked, not only when it could not be.
    const above = results.length - 1;
    const rest = above === 0 ? '' : above === 1 ? ' The CA certificate above it is not revoked either.' : ` The ${above} CA certificates above it are not revoked either.`;
    notes.push(reason('revocation-good', 'ok', `${results[0].detail}${rest}`));
  } else {
    const first = (unusable[0] ?? none[0])!;
    revocation = decided.length > 0 ? { status: 'unknown', source, detail: first.detail } : { status: 'unknown', detail: first.detail };
    if (results.some((r) => r.status === 'unreadable')) {
      // Already a problem above.
    } else if (mode === 'hard') {
      problems.push(problem('revocation-unknown', 'untrusted', `${first.detail} Revocation checking is required, so the chain is not trusted.`));
    } else {
      if (results[0].status === 'good') notes.push(reason('revocation-good', 'ok', results[0].detail));
      // A check that was possible and failed: a soft failure, said loudly.
      for (const u of unusable.slice(0, 1)) notes.push(reason('revocation-unknown', 'warning', `${u.detail} Whether it has been revoked is not known.`));
      // Nothing published (most mail carries no CRL, and online checks are off by default for privacy): a note,
      // not a warning on every trusted message (which would teach people to ignore warnings), still saying
      // plainly what was not checked and why.
      if (none.length > 0) {
        const why = env.opts.onlineRevocation
          ? ''
          : env.opts.offlineBecause
            ? `: ${env.opts.offlineBecause}`
            : ', because online checks are off; turn them on to check it';
        const more = none.length > 1 ? ` (${none.length - 1} more certificate${none.length > 2 ? 's' : ''} of the chain likewise)` : '';
        notes.push(reason('revocation-not-checked', 'info', `${none[0].detail}${more} Revocation was not checked${why}.`));
      }
    }
  }
  return { problems, revocation, notes };
}

/**
 * Mozilla's per-root "e-mail distrust after" date (NSS CKA_NSS_EMAIL_DISTRUST_AFTER), as Thunderbird applies it: a
 * signer certificate issued (notBefore) after the date is not trusted through that root, while older ones still
 * are. It judges the issuance date, not the time of checking, so old mail stays readable as trusted.
 */
function checkDistrustAfter(env: Env, path: CandidatePath, opts: PathCheckOptions): Problem[] {
  if (opts.purpose !== 'email' || path.certs.length === 0 || !env.opts.emailDistrustAfter) return [];
  const after = env.opts.emailDistrustAfter(path.anchor.cert);
  const leaf = path.certs[0];
  if (!after || leaf.notBefore.getTime() <= after.getTime()) return [];
  return [
    problem(
      'root-distrusted',
      'untrusted',
      `The signer's certificate ('${leaf.label}') was issued on ${leaf.notBefore.toISOString().slice(0, 10)}, after ` +
        `Mozilla stopped trusting '${path.anchor.label}' for e-mail certificates issued from ${after.toISOString().slice(0, 10)} on.`,
    ),
  ];
}

async function evaluatePath(env: Env, path: CandidatePath, opts: PathCheckOptions): Promise<PathResult> {
  if (path.certs.length === 0) {
    // The signer's certificate is itself a trust anchor: it is trusted directly; its dates and usage
    // still apply.
    const a = path.anchor;
    const problems = [...checkValidity(a, opts.at, true), ...checkLeafUsage(a, opts)];
    return { path, problems, signaturesOk: true, revocation: { status: 'not-checked', detail: 'The certificate is itself trusted directly.' }, notes: [] };
  }
  const out = await validatePath(path, opts, env.crypto);
  // RFC 5280 treats an anchor as name + key only; OpenSSL and NSS also refuse an anchor certificate
  // outside its validity period, and so do we (a root past its end date is no longer maintained).
  let problems = [...out.problems, ...checkValidity(path.anchor, opts.at, false), ...checkDistrustAfter(env, path, opts)];
  let revocation: ChainResult['revocation'] = { status: 'not-checked', detail: 'The chain did not validate, so revocation was not checked.' };
  let notes: Reason[] = [];
  if (problems.every((p) => SOUND.has(p.code))) {
    const r = await checkRevocationOnPath(env, path, out.issuerKeys);
    problems = [...r.problems, ...problems];
    revocation = r.revocation;
    notes = r.notes;
  }
  return { path, problems, signaturesOk: out.signaturesOk, revocation, notes };
}

function better(a: PathResult, b: PathResult): boolean {
  if (a.signaturesOk !== b.signaturesOk) return a.signaturesOk;
  // A path whose most serious problem is a softer one (e.g. expiry) explains more than a broken one.
  const ra = Math.min(...a.problems.map(rank));
  const rb = Math.min(...b.problems.map(rank));
  if (ra !== rb) return ra > rb;
  return a.problems.length < b.problems.length;
}

async function runChain(leaf: CertInfo, env: Env, purpose: Purpose, depth: number): Promise<ChainResult & { best?: PathResult }> {
  const opts = env.opts;
  const checkOpts: PathCheckOptions = {
    at: opts.at,
    allowSha1: opts.allowSha1 ?? false,
    minRsaBits: opts.minRsaBits,
    requireEmailProtection: opts.requireEmailProtection ?? true,
    purpose,
  };
  const intermediates = env.intermediates.filter((c) => c.key !== leaf.key);
  const built = buildPaths(leaf, intermediates, env.anchors, opts.at);

  let best: PathResult | undefined;
  for (const path of built.paths) {
    const r = await evaluatePath(env, path, checkOpts);
    if (r.problems.length === 0) {
      const chain = [...path.certs, path.anchor].map((c) => c.cert);
      const reasons = [
        reason('chain-trusted', 'ok', `The signer's certificate ('${leaf.label}') is vouched for by '${path.anchor.label}', which you trust.`),
        ...r.notes,
      ];
      return { trust: 'trusted', chain, reasons, revocation: r.revocation, best: r };
    }
    if (!best || better(r, best)) best = r;
  }

  // A path reached an anchor only by name (its signature fails) while the certificates at hand lead to a
  // different, self-signed root: the honest explanation is that root, not a forged signature.
  const partialTop = built.longestPartial[built.longestPartial.length - 1];
  const imposterRoot =
    best &&
    !best.signaturesOk &&
    built.longestPartial.length > 1 &&
    partialTop.selfIssued &&
    (await verifyCertSignature(env.crypto, partialTop.cert, { spki: partialTop.cert.subjectPublicKeyInfo }, true)).ok;

  if (best && !imposterRoot) {
    const head = worst(best.problems)!;
    const rest = best.problems.filter((p) => p !== head);
    const reasons = [reason(head.code, 'error', head.message), ...rest.map((p) => reason(p.code, 'warning', p.message)), ...best.notes];
    const chain = [...best.path.certs, best.path.anchor].map((c) => c.cert);
    return { trust: head.trust, chain, reasons, revocation: best.revocation, best };
  }

  // No path reaches an anchor: explain where the chain stops.
  const partial = built.longestPartial;
  const top = partial[partial.length - 1];
  const extra = checkValidity(leaf, opts.at, true).map((p) => reason(p.code, 'warning', p.message));
  const notChecked: ChainResult['revocation'] = { status: 'not-checked', detail: 'No trusted chain was found, so revocation was not checked.' };
  let trust: TrustStatus;
  let head: Reason;
  if (top.selfIssued) {
    const own = await verifyCertSignature(env.crypto, top.cert, { spki: top.cert.subjectPublicKeyInfo }, true);
    if (partial.length === 1 && own.ok) {
      trust = 'untrusted';
      head = reason('self-signed', 'error', `The signer's certificate ('${leaf.label}') is self-signed: it vouches for itself, and nobody you trust vouches for it.`);
    } else {
      trust = 'untrusted';
      head = reason('untrusted-root', 'error', `The chain ends at '${top.subject.display}', a certificate authority you have not chosen to trust.`);
    }
  } else {
    trust = 'incomplete-chain';
    head = reason(
      'missing-intermediate',
      'error',
      `The signer did not include the certificate of '${top.issuer.display}'; this is usually a sender's configuration mistake, not an attack.`,
    );
  }
  return { trust, chain: partial.map((c) => c.cert), reasons: [head, ...extra], revocation: notChecked };
}

/**
 * Validate the path from `leaf` to one of `opts.anchors`. Never throws for bad certificates or CRLs;
 * throws only for programmer errors (e.g. no WebCrypto).
 */
export async function validateChain(leaf: pkijs.Certificate, opts: ChainOptions, crypto: CryptoEngine = defaultCrypto()): Promise<ChainResult> {
  try {
    return await validateChainUnguarded(leaf, opts, crypto);
  } catch (e) {
    // A certificate pkijs accepted but that breaks a later step must not crash the verdict: it cannot
    // be trusted, and the reason says that the check itself failed.
    const why = e instanceof Error ? e.message : String(e);
    return {
      trust: 'unknown',
      chain: [leaf],
      reasons: [reason('internal-error', 'error', `The certificate chain could not be checked (${why.slice(0, 200)}).`)],
      revocation: { status: 'not-checked', detail: 'The chain could not be checked.' },
    };
  }
}

async function validateChainUnguarded(leaf: pkijs.Certificate, opts: ChainOptions, crypto: CryptoEngine): Promise<ChainResult> {
  const leafInfo = certInfo(leaf);
  const intermediates = uniq(safe(opts.intermediates, certInfo));
  const crls = safe(opts.crls, crlInfo);
  const looked = opts.anchorLookup
    ? [leafInfo, ...intermediates].map((c) => c.issuer).concat(crls.map((c) => c.issuer)).flatMap((n) => opts.anchorLookup!(n))
    : [];
  const anchors = uniq(safe([...opts.anchors, ...looked], certInfo));
  const env: Env = { opts, crypto, anchors, intermediates, crls, signerResults: new Map() };
  const mkChecker = (depth: number): RevocationChecker =>
    new RevocationChecker({
      crls,
      at: opts.at,
      allowSha1: opts.allowSha1 ?? false,
      minRsaBits: opts.minRsaBits,
      useDeltas: opts.useDeltaCrls ?? true,
      pool: intermediates,
      anchors,
      crypto,
      validateCrlSigner: (cert, forCert) => validateSigner(cert, forCert, depth + 1),
    });
  const inProgress = new Set<string>();
  const validateSigner = async (cert: CertInfo, forCert: CertInfo, depth: number): Promise<boolean> => {
    if (depth > MAX_SIGNER_DEPTH) return false;
    // A cycle: the signer's validation is under way further up. Only one case is accepted: a CRL signer
    // whose own status is on a CRL it signed itself AND whose certificate says so (its CA named it as
    // cRLIssuer in its cRLDistributionPoints; PKITS 4.14.30). Its path has passed every other check by
    // then. Otherwise a stolen CRL-signing key could vouch for itself; any other cycle vouches for no one.
    if (inProgress.has(cert.key)) return cert.key === forCert.key && declaresItselfCrlIssuer(cert);
    const done = env.signerResults.get(cert.key);
    if (done) return done;
    inProgress.add(cert.key);
    try {
      const p = runChain(cert, { ...env, checker: mkChecker(depth) }, 'crl-signer', depth).then((r) => r.trust === 'trusted');
      const ok = await p;
      env.signerResults.set(cert.key, Promise.resolve(ok));
      return ok;
    } finally {
      inProgress.delete(cert.key);
    }
  };
  env.checker = mkChecker(0);
  const result = await runChain(leafInfo, env, 'email', 0);
  const { best: _best, ...out } = result;
  void _best;
  return out;
}

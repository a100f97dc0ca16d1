/**
 * verifyMessage: the raw RFC 5322 bytes of a received message in, a Verdict out. Never throws for a bad
 * message. This is the orchestration only: MIME (mime/), CMS (cms/), trust (trust/), sender binding (sender.ts)
 * and coverage (coverage.ts) are modules of their own.
 *
 * How a message is read:
 * 1. Parse the MIME tree over the original bytes (Thunderbird's X-Mozilla-* folder lines are skipped).
 * 2. Find the S/MIME layer the reader sees: the root itself (multipart/signed, opaque signed-data, enveloped), or,
 *    when the root is an ordinary multipart, a signed entity somewhere inside it. The latter is "partially
 *    signed": the reader sees content the signature does not cover (MIME wrapping attacks M1-M4).
 * 3. Unwrap layers (signed inside signed, signed inside encrypted, …) up to a depth limit, verifying each.
 * 4. Bind the signer to From, and decide one word.
 */
import type * as pkijs from 'pkijs';
import type { CryptoEngine } from './crypto';
import { defaultCrypto } from './crypto';
import { verifySignedData } from './cms/verify';
import { OID as CMS_OID } from './cms/algorithms';
import { certificateDetails, certificateEmails } from './certs/details';
import { bareCrOutsideSignature, delimiterLookAlike, describeOutside, findSmimeEntity, smimeKind } from './coverage';
import type { SmimeKind } from './coverage';
import { decodeHeaderValue, decodeOpaque, getHeaders, parseMime, splitSigned, stripMozillaPrefix, toCanonicalCrlf } from './mime';
import type { MimeEntity } from './mime/types';
import { assessHeaderProtection } from './header-protection/index';
import { identifyPayload } from './header-protection/payload';
import { applyInboundRule, type InboundRules } from './policy/inbound';
import { notMailReason } from './mime/mail-shape';
import { bindSender } from './sender';
import type { SenderBinding } from './sender';
import { limitFetches } from './trust/fetcher';
import { validateChainOnline } from './trust/online';
import { certInfo, isCA as isCaInfo } from './trust/cert-info';
import { visibleStrings } from './trust/names';
import { leafWorkingKey, sameDsaParams } from './signature/key';
import { PublicKeyBudget, budgetExceededDetail, withPublicKeyBudget } from './signature/limits';
import type { DsaParams } from './signature/types';
import type { AnchorLookup, RevocationMode, TrustFetcher } from './trust/types';
import type {
  CoverageStatus,
  LayerReport,
  Reason,
  ReasonCode,
  SignatureStatus,
  SignerReport,
  TrustStatus,
  Verdict,
  VerdictWord,
} from './verdict';
import { VERDICT_PHRASE, noHeaderProtection, reason, warningsOf } from './verdict';

/**
 * Decrypts the DER of an EnvelopedData / AuthEnvelopedData with the user's key (made by the keys module).
 * verifyMessage calls it for application/pkcs7-mime enveloped layers and verifies what is inside; without it an
 * encrypted message gets a verdict that says it is encrypted and no key was available.
 */
export type Decryptor = (
  cms: Uint8Array,
) => Promise<{ ok: true; content: Uint8Array } | { ok: false; error: { code: ReasonCode; message: string } }>;

export interface VerifyOptions {
  /** How to open encrypted layers; absent = report them as encrypted, unreadable. */
  decrypt?: Decryptor;
  /** Trust anchors (roots). Parse PEM/DER/PKCS#7 with certs/load.ts. */
  anchors?: pkijs.Certificate[];
  /** Anchors looked up by name on demand (the bundled roots; see trust/types.ts AnchorLookup). */
  anchorLookup?: AnchorLookup;
  /** Per-anchor e-mail distrust-after dates (the bundled roots'; see trust/types.ts ChainOptions). */
  emailDistrustAfter?: (anchor: pkijs.Certificate) => Date | undefined;
  /** Extra intermediates (caller-supplied, or remembered from earlier messages). */
  intermediates?: pkijs.Certificate[];
  /**
   * Called with the intermediate CA certificates of every chain that validated as trusted, so a host can remember
   * them for later messages that leave them out (trust/intermediate-memory.ts).
   */
  rememberIntermediates?: (cas: pkijs.Certificate[]) => void;
  /**
   * Certificates of known correspondents (the hosts pass their recipient directory's), asked for only when a
   * signature's certificate is not in the message: RFC 8551 §2.4.2 lets a sender leave certificates out when the
   * recipient already has them, and a mail client then finds the signer among those it collected. They only help
   * find the signer's certificate; its chain is validated like any other.
   */
  correspondentCertificates?: () => Promise<pkijs.Certificate[]> | pkijs.Certificate[];
  /** Extra CRLs. */
  crls?: pkijs.CertificateRevocationList[];
  /** Check validity at this time instead of now (old messages). */
  at?: Date;
  /** Accept SHA-1 signatures as trustworthy (policy; default false, as Thunderbird). */
  allowSha1?: boolean;
  /**
   * RSA keys shorter than this are never trusted, at every level: the signer's, its CAs', CRL and OCSP signers'
   * (policy algorithms.minRsaBits; default 2048).
   */
  minRsaBits?: number;
  /** Revocation checking: 'soft' by default. */
  revocation?: RevocationMode;
  /** Network for AIA/OCSP/CRL-DP; undefined = offline (default). */
  fetcher?: TrustFetcher;
  crypto?: CryptoEngine;
  /**
   * The organisation's inbound rule (policy/inbound.ts; policyToVerifyOptions sets it from inbound.*): mail from
   * these domains must be signed and trusted, or the verdict names the violation and is never trusted.
   */
  inbound?: InboundRules;
  /**
   * The From address(es) the host displays for this message (Thunderbird's author, Outlook's item.from): sender
   * binding requires it to be one of the signer's addresses too (sender.ts), and the inbound rule reads it.
   */
  displayedFrom?: string[];
  /**
   * The public-key operations this check may spend (signature/limits.ts; default: a fresh budget of
   * MAX_PUBLIC_KEY_OPERATIONS). A host that checks one message twice (the Outlook pane, with more roots the second
   * time) passes the same budget to both, so the second check is bounded by what the first left.
   */
  publicKeyBudget?: PublicKeyBudget;
}

/**
 * Layers deeper than this are not unwrapped. Real mail has at most three (signed, encrypted, signed); the limit
 * exists so that a hostile message cannot make us decrypt or verify without end. It is not configurable: a falsy
 * value must never turn it off.
 */
const MAX_LAYERS = 8;

/** Network requests one message may cause (AIA, OCSP, CRL together); cached answers do not count. */
const MAX_FETCHES_PER_MESSAGE = 8;

interface Context {
  opts: VerifyOptions;
  crypto: CryptoEngine;
  at: Date;
  layers: LayerReport[];
  reasons: Reason[];
  encrypted: boolean;
  decrypted: boolean;
  /** Certificates of every signer seen (for the sender binding). */
  signerCerts: { report: SignerReport; cert?: pkijs.Certificate; layer: LayerReport }[];
  /** A digest too weak to ever call the message trusted (MD5; SHA-1 unless policy allows it). */
  neverTrusted: boolean;
  /** The network for this message: the caller's fetcher, bounded to MAX_FETCHES_PER_MESSAGE requests. */
  fetcher?: TrustFetcher;
  /** Why nothing is fetched for the layers from here on (decrypted content no verified signature encloses). */
  fetchWithheld?: string;
  /** A problem that stops unwrapping (malformed inner content, no key). */
  stop?: { code: ReasonCode; message: string; word: 'invalid' | 'error' };
  /** The cryptographic payload: what is left once every layer is unwrapped (RFC 9788's header protection reads it). */
  payload?: MimeEntity;
  /** Structure a mail program may read differently from this check (coverage.ts bareCrOutsideSignature): never trusted. */
  ambiguous?: Reason;
}

export async function verifyMessage(raw: Uint8Array, options: VerifyOptions = {}): Promise<Verdict> {
  return (await verifyMessageAndBody(raw, options)).verdict;
}

/**
 * verifyMessage, plus the bytes a reader should be shown as the message body: the cryptographic payload (RFC 9788
 * §4.5), or its message/rfc822 child in the RFC 8551 legacy form (§4.10.2), when the whole message is one
 * cryptographic envelope. verdict.headerProtection.legacyDisplay paths are relative to it. For hosts that show
 * decrypted text (decryptMessage returns the same as `body`).
 */
export async function verifyMessageAndBody(raw: Uint8Array, options: VerifyOptions = {}): Promise<{ verdict: Verdict; body?: Uint8Array }> {
  const at = options.at ?? new Date();
  let verdict: Verdict;
  const out: { body?: Uint8Array } = {};
  try {
    verdict = await verifyInner(raw, options, at, out);
  } catch (e) {
    // Not expected: every module returns results for bad input. If one throws anyway, the reader still gets a
    // verdict that names the problem rather than a broken pane.
    const message = `Internal error while checking this message: ${e instanceof Error ? e.message : String(e)}`;
    verdict = errorVerdict(at, 'internal-error', message, {});
  }
  return { verdict: visibleSentences(applyInboundRule(verdict, options.inbound, options.displayedFrom)), body: out.body };
}

/**
 * Every string of a verdict may be message or certificate text (sentences quoting names, From and Sender values,
 * certificate addresses and names, the Subject, file names, parser errors): on the one way out, control and bidi
 * characters are written out visibly in all of them (trust/names.ts visibleStrings; idempotent). Issue 10, item 17:
 * a line break in a certificate address faked "✓ … which you trust" lines in the CLI.
 */
function visibleSentences(v: Verdict): Verdict {
  return visibleStrings(v);
}

async function verifyInner(raw: Uint8Array, opts: VerifyOptions, at: Date, out: { body?: Uint8Array }): Promise<Verdict> {
  const body = stripMozillaPrefix(raw);
  const notMail = notMailReason(body);
  if (notMail) return errorVerdict(at, 'not-mail', notMail, {});
  const parsed = parseMime(body);
  if (!parsed.ok) return errorVerdict(at, parsed.error.code, parsed.error.message, {});
  const root = parsed.root;
  const headers = topHeaders(root);

  const budget = opts.publicKeyBudget ?? new PublicKeyBudget();
  const ctx: Context = {
    opts,
    // Every signature check of this message spends from one budget (signature/limits.ts).
    crypto: withPublicKeyBudget(opts.crypto ?? defaultCrypto(), budget),
    at,
    layers: [],
    reasons: [],
    encrypted: false,
    decrypted: false,
    signerCerts: [],
    neverTrusted: false,
    fetcher: opts.fetcher ? limitFetches(opts.fetcher, MAX_FETCHES_PER_MESSAGE) : undefined,
  };

  // Which S/MIME entity does the reader see, and does it cover the whole message?
  const found = findSmimeEntity(root);
  let coverage: CoverageStatus = 'none';
  const outside: string[] = [];
  let outsideEncryption: string[] | undefined;
  if (found) {
    if (found.entity === root) coverage = 'full';
    else {
      coverage = 'partial';
      outside.push(...describeOutside(root, found.entity));
    }
    await unwrap(found.entity, found.kind, ctx, 0);
    // Issue 10, item 6: an encrypted part among unencrypted ones (an EFAIL / decryption-oracle shape, or text an
    // attacker put around a captured ciphertext) is not "an encrypted message": the verdict says so.
    if (coverage === 'partial' && (found.kind === 'enveloped' || found.kind === 'auth-enveloped')) {
      outsideEncryption = describeOutside(root, found.entity, 'encrypted');
    }
    if (ctx.payload && coverage === 'full') {
      const b = identifyPayload(ctx.payload).bodyRoot;
      out.body = b.source.subarray(b.start, b.end);
    }
  }

  if (ctx.layers.length === 0 && !ctx.encrypted) {
    if (ctx.stop) return errorVerdict(at, ctx.stop.code, ctx.stop.message, headers);
    return unsignedVerdict(at, headers);
  }
  if (ctx.layers.length === 0 && ctx.encrypted && !ctx.decrypted && ctx.stop) {
    return errorVerdict(at, ctx.stop.code, ctx.stop.message, headers, true);
  }
  if (ctx.layers.length === 0) {
    // Decrypted, nothing signed inside.
    const v = unsignedVerdict(at, headers);
    v.encrypted = true;
    v.decrypted = true;
    v.headerProtection = assessHeaderProtection({
      outer: root,
      payload: coverage === 'full' ? ctx.payload : undefined,
      encrypted: true,
      signed: false,
      signatureValid: false,
    }).headerProtection;
    v.reasons.unshift(encryptedReason(outsideEncryption));
    if (outsideEncryption) {
      v.coverage = 'partial';
      v.outsideEncryption = outsideEncryption;
      v.reasons.unshift(partlyEncryptedReason(outsideEncryption));
    }
    if (ctx.stop) v.reasons.push(reason(ctx.stop.code, 'error', ctx.stop.message));
    v.warnings = warningsOf(v.reasons);
    return v;
  }

  const all = ctx.layers.flatMap((l) => l.signers);
  const signature = worstSignature(all.map((s) => s.signature));
  const trust = worstTrust(all.map((s) => s.trust));

  // RFC 9788: the payload's own header block, when it declares header protection, holds the headers the signer
  // vouched for; the outer ones are compared with them (src/header-protection/).
  const hp = assessHeaderProtection({
    outer: root,
    payload: coverage === 'full' ? ctx.payload : undefined,
    encrypted: ctx.decrypted,
    signed: true,
    signatureValid: signature === 'valid',
  });

  // Sender binding: one of the signers must be the From address (the protected From when there is one). With
  // nested signatures the author is usually the innermost signer and an outer one a gateway or notary, so a match
  // on any layer counts; the layer that matched is the one whose signers the verdict shows.
  const senderHeaders = { ...(hp.senderHeaders ?? headers.raw), displayed: ctx.opts.displayedFrom };
  let binding: SenderBinding | undefined;
  let shown = ctx.layers[0];
  for (const s of ctx.signerCerts) {
    if (!s.cert) continue;
    const b = bindSender(senderHeaders, certificateEmails(s.cert));
    if (!binding || (b.status === 'match' && binding.status !== 'match')) {
      binding = b;
      shown = s.layer;
    }
  }
  // A From changed after signing is what the reader's mail program shows: for the reader, the sender is not the signer.
  const sender = hp.fromChanged ? 'mismatch' : (binding?.status ?? 'unknown');

  const reasons: Reason[] = [];
  if (ctx.encrypted) reasons.push(encryptedReason(outsideEncryption));
  if (outsideEncryption) reasons.push(partlyEncryptedReason(outsideEncryption));
  reasons.push(...ctx.reasons);
  if (ctx.ambiguous) reasons.push(ctx.ambiguous);
  if (ctx.stop) reasons.push(reason(ctx.stop.code, 'error', ctx.stop.message));
  for (const l of ctx.layers) for (const s of l.signers) reasons.push(...s.reasons);
  // With the From changed after signing, "the sender is the signer" holds only for the signed From the reader does not see.
  if (binding) reasons.push(...binding.reasons.filter((r) => !(hp.fromChanged && r.code === 'sender-match')));
  reasons.push(...hp.reasons);
  // Checks left undone for the budget: the result cannot be trusted, and the reader is told why.
  const overBudget = budget.exceeded;
  if (overBudget) reasons.push(reason('limit-exceeded', 'error', `Not every signature could be checked: ${budgetExceededDetail(budget.limit)}, so the message cannot be trusted.`));
  if (coverage === 'partial') {
    reasons.push(
      reason(
        'partially-signed',
        'error',
        `Only part of this message is signed. Not covered by the signature: ${outside.join('; ') || 'other parts of the message'}.`,
      ),
    );
  } else if (coverage === 'full') {
    reasons.push(reason('coverage-full', 'ok', 'The signature covers the whole message.'));
  }

  const weak = ctx.neverTrusted;
  let word: VerdictWord;
  if (signature === 'invalid' || ctx.stop?.word === 'invalid') word = 'invalid';
  else if (
    signature === 'valid' &&
    trust === 'trusted' &&
    sender === 'match' &&
    coverage === 'full' &&
    !weak &&
    !ctx.stop &&
    !ctx.ambiguous &&
    !hp.fromChanged &&
    !hp.trustBlocked &&
    !overBudget
  )
    word = 'trusted';
  else word = 'untrusted';

  const ordered = orderReasons(dedupe(reasons));
  const verdict: Verdict = {
    verdict: word as 'trusted' | 'untrusted' | 'invalid',
    signature,
    trust,
    sender,
    coverage,
    reasons: ordered,
    warnings: warningsOf(ordered),
    signers: shown.signers,
    layers: ctx.layers,
    from: binding?.fromAddresses ?? headers.fromAddresses,
    senderHeader: binding?.senderAddress,
    subject: headers.subject,
    messageId: headers.messageId,
    outsideSignature: outside,
    ...(outsideEncryption ? { outsideEncryption } : {}),
    encrypted: ctx.encrypted,
    decrypted: ctx.decrypted,
    checkedAt: at.toISOString(),
    summary: '',
    headerProtection: hp.headerProtection,
  };
  verdict.summary = summarize(verdict);
  return verdict;
}

/** Verify (or decrypt) one layer, then look inside it for the next. */
async function unwrap(entity: MimeEntity, kind: SmimeKind, ctx: Context, depth: number): Promise<void> {
  if (depth >= MAX_LAYERS) {
    ctx.stop = {
      code: 'limit-exceeded',
      message: `The message nests more than ${MAX_LAYERS} signed or encrypted layers; the inner ones were not checked.`,
      word: 'invalid',
    };
    return;
  }
  let inner: Uint8Array | undefined;
  if (kind === 'multipart-signed') {
    const split = splitSigned(entity);
    if (!split.ok) {
      // A multipart/signed that is not well formed proves nothing: invalid, with the parser's words.
      const code: ReasonCode = split.error.code === 'malformed-cms' || split.error.code === 'truncated' ? split.error.code : 'malformed-mime';
      ctx.layers.push(badLayer(entity, kind, code, split.error.message));
      return;
    }
    noteBareCr(ctx, entity, split);
    const lookAlike = ctx.ambiguous ? undefined : delimiterLookAlike(entity, split);
    if (lookAlike) {
      ctx.ambiguous = reason(
        'ambiguous-delimiter',
        'error',
        `The signed message has a line that Thunderbird takes for a part boundary and this check does not (${lookAlike}${entity.path ? ` of part ${entity.path}` : ''}), so a mail program may show other parts than the ones checked.`,
      );
    }
    const signed = split.signedBytes;
    const layer = await verifyLayer(entity, kind, split.signatureDer, ctx, {
      detachedContent: signed,
      canonicalContent: () => toCanonicalCrlf(signed),
    });
    if (!layer) return;
    // Nested: the signed part may itself be signed (or encrypted).
    const next = smimeKind(split.signedPart);
    if (next) await unwrap(split.signedPart, next, ctx, depth + 1);
    else ctx.payload = split.signedPart;
    return;
  }
  noteBareCr(ctx, entity);
  if (kind === 'opaque-signed') {
    const body = decodeOpaque(entity);
    if (!body.ok) {
      ctx.layers.push(badLayer(entity, kind, body.error.code, body.error.message));
      return;
    }
    const res = await verifyLayer(entity, kind, body.der, ctx, {});
    if (!res?.eContent) return;
    inner = res.eContent;
  } else {
    ctx.encrypted = true;
    if (!ctx.opts.decrypt) {
      ctx.stop = {
        code: 'no-key',
        message: 'This message is encrypted, and no key to open it is available here. Import your certificate and key (.p12) to read it.',
        word: 'error',
      };
      return;
    }
    const body = decodeOpaque(entity);
    if (!body.ok) {
      ctx.stop = { code: body.error.code, message: `The encrypted part is unreadable: ${body.error.message}`, word: 'error' };
      return;
    }
    const res = await ctx.opts.decrypt(body.der);
    if (!res.ok) {
      ctx.stop = { code: res.error.code, message: res.error.message, word: 'error' };
      return;
    }
    ctx.decrypted = true;
    inner = res.content;
    // Anyone can encrypt to the reader, and CBC ciphertext can be altered to plant URLs (EFAIL): decrypted content no
    // verified signature encloses makes no network requests, or a fetch would tell its author that and when the
    // message was opened.
    if (!ctx.layers.some((l) => l.signers.some((x) => x.signature === 'valid'))) {
      ctx.fetchWithheld ??= 'it was decrypted from a message whose outer layer is not signed';
    }
  }
  const parsed = parseMime(inner);
  if (!parsed.ok) {
    ctx.stop = { code: parsed.error.code, message: `The ${kind === 'opaque-signed' ? 'signed' : 'decrypted'} content is not a readable message: ${parsed.error.message}`, word: 'invalid' };
    return;
  }
  const next = smimeKind(parsed.root);
  if (next) await unwrap(parsed.root, next, ctx, depth + 1);
  else ctx.payload = parsed.root;
}

/** Records the first layer with a bare CR outside what its signature covers (see coverage.ts). */
function noteBareCr(ctx: Context, layer: MimeEntity, split?: { signedPart: MimeEntity; signaturePart: MimeEntity }): void {
  if (ctx.ambiguous) return;
  const where = bareCrOutsideSignature(layer, split);
  if (!where) return;
  ctx.ambiguous = reason(
    'bare-carriage-return',
    'error',
    `The message has a carriage return that does not end a line ${where}${layer.path ? ` of part ${layer.path}` : ''}, outside what the signature covers. Mail programs such as Thunderbird start a new line there, so they may show a sender or text that this check did not see.`,
  );
}

async function verifyLayer(
  entity: MimeEntity,
  kind: 'multipart-signed' | 'opaque-signed',
  der: Uint8Array,
  ctx: Context,
  content: { detachedContent?: Uint8Array; canonicalContent?: () => Uint8Array },
): Promise<{ eContent?: Uint8Array } | undefined> {
  const check = (extra: pkijs.Certificate[] = []) =>
    verifySignedData(
      der,
      { ...content, allowSha1: ctx.opts.allowSha1, minRsaBits: ctx.opts.minRsaBits, extraCertificates: [...(ctx.opts.intermediates ?? []), ...extra] },
      ctx.crypto,
    );
  let res = await check();
  // A signer whose certificate the message left out: look among the correspondents' certificates (the directory),
  // and check again with them. Asked for only here, so ordinary messages cost nothing more.
  if (res.ok && ctx.opts.correspondentCertificates && res.signers.some((s) => !s.signerCertificate)) {
    const known = await ctx.opts.correspondentCertificates();
    if (known.length > 0) res = await check(known);
  }
  if (!res.ok) {
    ctx.layers.push(badLayer(entity, kind, res.error.code, res.error.message));
    return undefined;
  }
  const layer: LayerReport = { kind, partPath: entity.path, signers: [] };
  if (res.signers.length === 0) {
    layer.signers.push({
      signature: 'invalid',
      trust: 'unknown',
      chain: [],
      reasons: res.reasons.length > 0 ? res.reasons : [reason('no-signer-info', 'error', 'The signature block contains no signer.')],
    });
  }
  for (const s of res.signers) {
    const report: SignerReport = {
      signature: s.signature,
      trust: 'unknown',
      chain: [],
      digestAlgorithm: s.digestAlgorithm,
      signatureAlgorithm: s.signatureAlgorithm,
      signingTime: s.signingTime?.toISOString(),
      reasons: [...s.reasons],
    };
    const cert = s.signerCertificate;
    if (cert) {
      report.certificate = await certificateDetails(cert, ctx.crypto);
      const crls = [...res.crls, ...(ctx.opts.crls ?? [])];
      const withheld = s.signature !== 'valid' ? 'the signature did not verify' : ctx.fetchWithheld;
      // Without a fetcher (the default) this is exactly validateChain; with one it adds AIA and OCSP/CRL-DP.
      const chain = await validateChainOnline(
        cert,
        {
          anchors: ctx.opts.anchors ?? [],
          anchorLookup: ctx.opts.anchorLookup,
          emailDistrustAfter: ctx.opts.emailDistrustAfter,
          intermediates: [...res.certificates, ...(ctx.opts.intermediates ?? [])],
          crls,
          at: ctx.at,
          allowSha1: ctx.opts.allowSha1,
          minRsaBits: ctx.opts.minRsaBits,
          revocation: ctx.opts.revocation ?? 'soft',
          // Online checks only for a signer whose signature verified, outside unauthenticated decrypted content
          // (issue 10, item 15): otherwise anyone could make the reader fetch URLs of their choosing.
          fetcher: withheld ? undefined : ctx.fetcher,
          offlineBecause: withheld && ctx.fetcher ? `nothing was fetched online for this signer, because ${withheld}` : undefined,
        },
        ctx.crypto,
      );
      report.trust = chain.trust;
      // Issue 10, item 5: a CA certificate (basicConstraints cA=TRUE) is not an e-mail signer. Path validation
      // (RFC 5280, NIST PKITS) accepts a CA as the end of a path, so `trust` stays what the chain says; the message
      // is never trusted.
      if (isCA(cert)) {
        ctx.neverTrusted = true;
        report.reasons.push(
          reason('ca-as-signer', 'error', "The signer's certificate belongs to a certificate authority, not to a person or mailbox, so it cannot vouch for a message."),
        );
      }
      if (s.inheritedDsaParams && chain.chain.length > 1) checkInheritedDsaParams(report, s.inheritedDsaParams, chain.chain);
      if (chain.trust === 'trusted' && chain.chain.length > 2) ctx.opts.rememberIntermediates?.(chain.chain.slice(1, -1));
      report.chain = await Promise.all(chain.chain.map((c) => certificateDetails(c, ctx.crypto)));
      report.revocation = chain.revocation;
      report.reasons.push(...chain.reasons);
    }
    layer.signers.push(report);
    ctx.signerCerts.push({ report, cert, layer });
  }
  // Reasons about the SignedData as a whole (eContent confusion, several signers) belong to the first signer's
  // list so the UI shows them next to the signature they concern.
  if (res.reasons.length > 0 && res.signers.length > 0) layer.signers[0].reasons.unshift(...res.reasons);
  // The SignedData as a whole can be bad while each signer checks out (eContent confusion: a signer validly signed
  // something, but not what is displayed). For this message such a signature is as good as none.
  if (res.signature !== 'valid') {
    for (const s of layer.signers) if (s.signature === 'valid') s.signature = res.signature;
  }
  if (res.signers.some((s) => s.neverTrusted)) ctx.neverTrusted = true;
  // RFC 8551 §2.4.1: S/MIME signs id-data. A signature over another CMS content type whose bytes happen to parse as
  // MIME vouches for that other thing, not for a mail message (issue 10, item 4); its content is not unwrapped.
  if (res.eContentType !== CMS_OID.data) {
    const r = reason(
      'econtent-type-not-data',
      'error',
      `The signature is over content of type ${res.eContentType}, not over a mail message, so it does not vouch for what is shown.`,
    );
    for (const s of layer.signers) {
      s.signature = 'invalid';
      s.reasons.unshift(r);
    }
    ctx.layers.push(layer);
    return {};
  }
  ctx.layers.push(layer);
  return { eContent: res.eContent };
}

/**
 * The signer's DSA key left its parameters to its issuer, and CMS verification took them from an issuer among the
 * certificates at hand. The parameters are part of the key: the issuer on the path trust validation chose must
 * give the same ones, or the signature was checked with a key nobody vouched for. (Two issuers with one name whose
 * keys both verify the signer's certificate yet differ in parameters do not occur without a forgery; this is
 * defence in depth, not a case the fixtures can produce.)
 */
function checkInheritedDsaParams(report: SignerReport, used: DsaParams, chain: pkijs.Certificate[]): void {
  const onPath = leafWorkingKey(chain)?.dsaParams;
  // A chain that stops before any DSA certificate with parameters says nothing about them.
  if (report.signature !== 'valid' || !onPath || sameDsaParams(onPath, used)) return;
  report.signature = 'invalid';
  report.reasons = report.reasons.filter((r) => r.code !== 'signature-valid');
  report.reasons.unshift(
    reason(
      'signature-invalid',
      'error',
      "The signer's DSA key takes its parameters from its issuer, and the issuer on the certificate chain has other ones, so the signature does not check out with the signer's key.",
    ),
  );
}

function encryptedReason(outsideEncryption: string[] | undefined): Reason {
  return outsideEncryption
    ? reason('encrypted', 'info', 'Part of this message was encrypted, and that part has been decrypted.')
    : reason('encrypted', 'info', 'This message was encrypted and has been decrypted.');
}

function partlyEncryptedReason(outside: string[]): Reason {
  return reason(
    'partially-encrypted',
    'error',
    `Only part of this message was encrypted. Not encrypted, so anyone on the way could read or change it: ${outside.join('; ') || 'other parts of the message'}.`,
  );
}

function isCA(cert: pkijs.Certificate): boolean {
  try {
    return isCaInfo(certInfo(cert));
  } catch {
    return false; // a certificate path validation cannot read was not trusted either
  }
}

function badLayer(entity: MimeEntity, kind: LayerReport['kind'], code: ReasonCode, message: string): LayerReport {
  return {
    kind,
    partPath: entity.path,
    signers: [{ signature: 'invalid', trust: 'unknown', chain: [], reasons: [reason(code, 'error', message)] }],
  };
}

// ---- deciding -------------------------------------------------------------------------------------------------

const SIGNATURE_ORDER: SignatureStatus[] = ['invalid', 'unsupported', 'unknown-signer', 'valid'];
function worstSignature(list: SignatureStatus[]): SignatureStatus {
  if (list.length === 0) return 'invalid';
  return SIGNATURE_ORDER.find((s) => list.includes(s)) ?? 'invalid';
}

// The order in which a problem is reported when several signers (or layers) disagree: the one a reader must hear
// about first.
const TRUST_ORDER: TrustStatus[] = [
  'revoked',
  'wrong-usage',
  'expired',
  'not-yet-valid',
  'untrusted',
  'incomplete-chain',
  'unknown',
  'trusted',
];
function worstTrust(list: TrustStatus[]): TrustStatus {
  if (list.length === 0) return 'unknown';
  return TRUST_ORDER.find((s) => list.includes(s)) ?? 'unknown';
}

// Problems first, then what was confirmed, then notes (e.g. what was not checked by choice), so a trusted verdict reads as one.
const SEVERITY_RANK = { error: 0, warning: 1, ok: 2, info: 3 } as const;
function orderReasons(list: Reason[]): Reason[] {
  return list
    .map((r, i) => ({ r, i }))
    .sort((a, b) => SEVERITY_RANK[a.r.severity] - SEVERITY_RANK[b.r.severity] || a.i - b.i)
    .map((x) => x.r);
}
function dedupe(list: Reason[]): Reason[] {
  const seen = new Set<string>();
  return list.filter((r) => {
    const k = `${r.code}\u0000${r.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function summarize(v: Verdict): string {
  const who = v.signers[0]?.certificate;
  const name = who ? who.emails[0] ?? who.commonName : 'an unknown signer';
  switch (v.verdict) {
    case 'trusted':
      return `Signed by ${name} and trusted.`;
    case 'invalid':
      return `The signature is invalid: ${firstProblem(v) ?? 'the message was changed after it was signed or the signature is broken'}.`;
    case 'untrusted':
      return `Signed by ${name}, but not trusted: ${firstProblem(v) ?? 'see the reasons below'}.`;
    case 'unsigned':
      return 'This message is not signed.';
    case 'error':
      return v.error.message;
  }
}

function firstProblem(v: Verdict): string | undefined {
  const r = v.reasons.find((x) => x.severity === 'error') ?? v.reasons.find((x) => x.severity === 'warning');
  return r?.message.replace(/\.$/, '');
}

// ---- headers and plain verdicts -----------------------------------------------------------------------------------

interface TopHeaders {
  raw: { from: string[]; sender: string[]; replyTo: string[] };
  fromAddresses: string[];
  subject?: string;
  messageId?: string;
}

function topHeaders(root: MimeEntity): TopHeaders {
  const raw = {
    from: getHeaders(root, 'from'),
    sender: getHeaders(root, 'sender'),
    replyTo: getHeaders(root, 'reply-to'),
  };
  const subject = getHeaders(root, 'subject')[0];
  return {
    raw,
    fromAddresses: bindSender(raw, []).fromAddresses,
    subject: decodeHeaderValue(subject)?.trim(),
    messageId: getHeaders(root, 'message-id')[0]?.trim(),
  };
}

function base(at: Date, h: Partial<TopHeaders>) {
  return {
    trust: 'unknown' as const,
    sender: 'unknown' as const,
    coverage: 'none' as const,
    warnings: [],
    signers: [],
    layers: [],
    from: h.fromAddresses ?? [],
    subject: h.subject,
    messageId: h.messageId,
    outsideSignature: [],
    encrypted: false,
    decrypted: false,
    checkedAt: at.toISOString(),
    headerProtection: noHeaderProtection(),
  };
}

function unsignedVerdict(at: Date, h: TopHeaders): Verdict & { verdict: 'unsigned' } {
  return {
    ...base(at, h),
    verdict: 'unsigned',
    signature: 'absent',
    reasons: [reason('not-signed', 'info', 'This message is not signed, so nothing proves who wrote it or that it is unchanged.')],
    summary: 'This message is not signed.',
  };
}

function errorVerdict(at: Date, code: ReasonCode, message: string, h: Partial<TopHeaders>, encrypted = false): Verdict {
  const reasons = [reason(code, 'error', message)];
  return {
    ...base(at, h),
    verdict: 'error',
    signature: 'absent',
    reasons,
    warnings: warningsOf(reasons),
    encrypted,
    error: { code, message },
    summary: `${VERDICT_PHRASE.error}: ${message}`,
  };
}

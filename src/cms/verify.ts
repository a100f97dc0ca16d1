/**
 * verifySignedData: check every SignerInfo of a CMS SignedData (RFC 5652 §5.6) on its own.
 *
 * This answers only "do these bytes carry valid signatures, and by which certificates?". Whether the signer
 * is trusted (path validation), whether it is the sender, and what of the message the signature covers are
 * other modules' questions.
 *
 * Deliberately stricter than "some signature checks out":
 * - a detached signature (multipart/signed) whose SignedData also carries eContent is rejected: what the
 *   reader sees is not what was signed (eContent confusion, CVE-2018-18509, "Johnny, you are fired" C1);
 * - with several SignerInfos, the whole is valid only when each is (C2); zero SignerInfos is invalid (C3);
 * - the content-type attribute must match eContentType, not merely be present (pkijs checks presence only).
 *
 * Bad input never throws: malformed DER gives `{ ok: false }`, bad signers give per-signer reasons.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { reason, type Reason } from '../verdict';
import { OID, digestName, isWeakDigest, signatureAlgorithmInfo, type DigestName } from './algorithms';
import { decodeBer } from './ber';
import { countSignedData } from './ber-walk';
import { MAX_SIGNED_DATA_CERTIFICATES, TooManyCertificates, readCertificateSet, takeCertificateSet } from './certificate-set';
import { bytesEqual, digest } from './digest';
import { classifyParseError, errorText } from './errors';
import { checkSigningCertificate } from './ess';
import type { CmsSignerResult, CmsVerifyOptions, CmsVerifyResult } from './types';
import { inheritedDsaParams } from './signer-key';
import { DEFAULT_MIN_RSA_BITS, dsaParamsOf, isDsaKey } from '../signature/key';
import { verifySignature } from '../signature/verify';
import { sameRdn } from '../trust/names';

/** More SignerInfos than any mail needs: each costs a public-key operation, so bound them. */
export const MAX_SIGNER_INFOS = 32;
/**
 * Digest algorithms and CRLs a SignedData may list (mail has one or two digests and at most a CRL per CA of the
 * chain). Like the certificates and SignerInfos, these are counted from the BER headers before anything is decoded:
 * decoding and schema-checking thousands of entries costs seconds and hundreds of MB before a later bound applies.
 */
export const MAX_DIGEST_ALGORITHMS = 32;
export const MAX_SIGNED_DATA_CRLS = 32;
/** Nesting bound for constructed (BER) OCTET STRINGs in eContent. */
const MAX_OCTET_DEPTH = 8;

type Failure = Extract<CmsVerifyResult, { ok: false }>;

export async function verifySignedData(
  der: Uint8Array,
  opts: CmsVerifyOptions = {},
  crypto: CryptoEngine = defaultCrypto(),
): Promise<CmsVerifyResult> {
  const parsed = parseSignedData(der);
  if ('ok' in parsed) return parsed;
  const { signedData } = parsed;

  const eContentType = signedData.encapContentInfo.eContentType;
  const eContentField = signedData.encapContentInfo.eContent;
  let eContent: Uint8Array | undefined;
  if (eContentField) {
    const bytes = octets(eContentField);
    if (!bytes) return fail('malformed-cms', 'The signed content inside the signature is malformed.');
    eContent = bytes;
  }

  const certificates = (signedData.certificates ?? []).filter(
    (c): c is pkijs.Certificate => c instanceof pkijs.Certificate,
  );
  const crls = (signedData.crls ?? []).filter(
    (c): c is pkijs.CertificateRevocationList => c instanceof pkijs.CertificateRevocationList,
  );
  const candidates = [...certificates, ...(opts.extraCertificates ?? [])];
  const reasons: Reason[] = [];
  const base = { certificates, crls, eContentType, eContent };

  // eContent confusion: for a detached signature the SignedData must not carry content of its own.
  if (opts.detachedContent && eContent) {
    const r = reason(
      'econtent-confusion',
      'error',
      'The signature carries its own hidden content besides the visible message, so the visible message is not what was signed.',
    );
    reasons.push(r);
    const signers = signedData.signerInfos.map((si) => ({
      ...describeSigner(si, candidates),
      signature: 'invalid' as const,
      reasons: [r],
    }));
    return { ok: true, signature: 'invalid', signers, reasons, ...base };
  }

  let content: Uint8Array;
  if (opts.detachedContent) content = opts.detachedContent;
  else if (eContent) content = eContent;
  else return fail('malformed-cms', 'The signature is detached, but the signed content was not found.');

  const infos = signedData.signerInfos;
  if (infos.length === 0) {
    reasons.push(reason('no-signer-info', 'error', 'The signature contains no signer at all, so nothing was signed.'));
    return { ok: true, signature: 'invalid', signers: [], reasons, ...base };
  }
  if (infos.length > MAX_SIGNER_INFOS) {
    return fail('limit-exceeded', `The signature has ${infos.length} signers; at most ${MAX_SIGNER_INFOS} are checked.`);
  }

  const ctx: SignerContext = {
    opts,
    crypto,
    candidates,
    eContentType,
    content,
    canonical: opts.detachedContent && opts.canonicalContent ? lazy(opts.canonicalContent) : undefined,
    listedDigests: new Set(signedData.digestAlgorithms.map((a) => a.algorithmId)),
    digests: new Map(),
  };
  const signers: CmsSignerResult[] = [];
  for (const si of infos) signers.push(await verifySigner(si, ctx));

  const signature = overall(signers);
  if (infos.length > 1) {
    const valid = signers.filter((s) => s.signature === 'valid').length;
    reasons.push(
      signature === 'valid'
        ? reason('multiple-signer-infos', 'info', `The message has ${infos.length} signers; all signatures are valid.`)
        : reason(
            'multiple-signer-infos',
            'error',
            `The message has ${infos.length} signers and ${valid === 0 ? 'none' : `only ${valid}`} of their signatures ${valid === 1 ? 'is' : 'are'} valid, so the message as a whole is not validly signed.`,
          ),
    );
  }
  return { ok: true, signature, signers, reasons, ...base };
}

function fail(code: Failure['error']['code'], message: string): Failure {
  return { ok: false, error: { code, message } };
}

function parseSignedData(der: Uint8Array): { signedData: pkijs.SignedData } | Failure {
  if (der.length === 0) return fail('malformed-cms', 'The signature is empty.');
  // A ContentInfo is a SEQUENCE; anything else is not CMS at all (rather than "cut off").
  if (der[0] !== 0x30) return fail('malformed-cms', 'The signature is not a CMS object.');
  // A bag of thousands of certificates, SignerInfos, digest algorithms or CRLs is refused before it is decoded.
  const counts = countSignedData(der);
  if (counts) {
    const { certificates = 0, signerInfos = 0, digestAlgorithms = 0, crls = 0 } = counts;
    if (certificates > MAX_SIGNED_DATA_CERTIFICATES) return fail('limit-exceeded', new TooManyCertificates(certificates).message);
    if (signerInfos > MAX_SIGNER_INFOS) return fail('limit-exceeded', `The signature has ${signerInfos} signers; at most ${MAX_SIGNER_INFOS} are checked.`);
    if (digestAlgorithms > MAX_DIGEST_ALGORITHMS) return fail('limit-exceeded', `The signature lists ${digestAlgorithms} digest algorithms; at most ${MAX_DIGEST_ALGORITHMS} are read.`);
    if (crls > MAX_SIGNED_DATA_CRLS) return fail('limit-exceeded', `The signature carries ${crls} revocation lists; at most ${MAX_SIGNED_DATA_CRLS} are read.`);
  }
  try {
    const asn1 = decodeBer(der);
    if (asn1.offset === -1) return { ok: false, error: classifyParseError(asn1.result.error, 'signature') };
    const contentInfo = new pkijs.ContentInfo({ schema: asn1.result });
    if (contentInfo.contentType !== OID.signedData) {
      return fail('malformed-cms', `The CMS object is not signed data (content type ${contentInfo.contentType}).`);
    }
    const certificates = takeCertificateSet(contentInfo.content);
    const signedData = new pkijs.SignedData({ schema: contentInfo.content });
    if (certificates) signedData.certificates = readCertificateSet(certificates);
    return { signedData };
  } catch (e) {
    if (e instanceof TooManyCertificates) return fail('limit-exceeded', e.message);
    return { ok: false, error: classifyParseError(e, 'signature') };
  }
}

/** The bytes of an OCTET STRING, as a view when primitive; BER constructed strings are joined (a copy). */
function octets(node: asn1js.BaseBlock, depth = 0): Uint8Array | undefined {
  if (depth > MAX_OCTET_DEPTH) return undefined;
  if (!node.idBlock.isConstructed) {
    return (node.valueBlock as unknown as { valueHexView: Uint8Array }).valueHexView;
  }
  const parts: Uint8Array[] = [];
  for (const child of (node.valueBlock as unknown as { value: asn1js.BaseBlock[] }).value) {
    if (child.idBlock.tagClass !== 1 || child.idBlock.tagNumber !== 4) return undefined;
    const p = octets(child, depth + 1);
    if (!p) return undefined;
    parts.push(p);
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function lazy<T>(make: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = make();
      done = true;
    }
    return value;
  };
}

interface SignerContext {
  opts: CmsVerifyOptions;
  crypto: CryptoEngine;
  candidates: pkijs.Certificate[];
  eContentType: string;
  content: Uint8Array;
  canonical?: () => Uint8Array;
  /** SignedData.digestAlgorithms, by OID. */
  listedDigests: Set<string>;
  /** Content digests by form and algorithm, so several signers hash the content once. */
  digests: Map<string, Promise<Uint8Array>>;
}

function contentDigest(ctx: SignerContext, form: 'as-given' | 'canonical', alg: DigestName): Promise<Uint8Array> {
  const key = `${form}:${alg}`;
  let p = ctx.digests.get(key);
  if (!p) {
    p = digest(alg, form === 'as-given' ? ctx.content : ctx.canonical!(), ctx.crypto);
    ctx.digests.set(key, p);
  }
  return p;
}

/** What can be said of a SignerInfo without checking it: certificate and algorithm names. */
function describeSigner(
  si: pkijs.SignerInfo,
  candidates: pkijs.Certificate[],
): Omit<CmsSignerResult, 'signature' | 'reasons'> {
  const info = signatureAlgorithmInfo(si.signatureAlgorithm.algorithmId);
  return {
    signerCertificate: findSignerCertificate(si, candidates),
    digestAlgorithm: digestName(si.digestAlgorithm.algorithmId) ?? si.digestAlgorithm.algorithmId,
    signatureAlgorithm: info?.scheme ?? si.signatureAlgorithm.algorithmId,
    signingTime: signingTimeOf(si),
  };
}

async function verifySigner(si: pkijs.SignerInfo, ctx: SignerContext): Promise<CmsSignerResult> {
  try {
    return await verifySignerUnguarded(si, ctx);
  } catch (e) {
    // Our checks are meant not to throw on bad input; if something still does, this signer is not valid.
    return {
      signature: 'invalid',
      reasons: [reason('internal-error', 'error', `This signature could not be checked: ${errorText(e)}.`)],
    };
  }
}

async function verifySignerUnguarded(si: pkijs.SignerInfo, ctx: SignerContext): Promise<CmsSignerResult> {
  const described = describeSigner(si, ctx.candidates);
  const reasons: Reason[] = [];
  const result = (signature: CmsSignerResult['signature'], extra: Partial<CmsSignerResult> = {}): CmsSignerResult => ({
    ...described,
    signature,
    reasons,
    ...extra,
  });

  const digestAlg = digestName(si.digestAlgorithm.algorithmId);
  if (!digestAlg) {
    reasons.push(
      reason('unsupported-algorithm', 'warning', `The digest algorithm ${si.digestAlgorithm.algorithmId} is not supported.`),
    );
    return result('unsupported');
  }
  // RFC 5652 §5.1: digestAlgorithms names the digests the signers used, so that a one-pass reader can hash the
  // content before it reaches the SignerInfos. OpenSSL and NSS set up their digests from that list and refuse a
  // signer whose algorithm is not on it; the differential test found us calling such a SignedData valid. The list
  // sits outside every signature, so an edit there is not tampering with what was signed, but a signature that the
  // reader's own client refuses must not be green here.
  if (!ctx.listedDigests.has(si.digestAlgorithm.algorithmId)) {
    reasons.push(
      reason(
        'malformed-cms',
        'error',
        `The signature is malformed: its list of digest algorithms does not include ${digestAlg}, the one its signer used.`,
      ),
    );
    return result('invalid');
  }
  const sigInfo = signatureAlgorithmInfo(si.signatureAlgorithm.algorithmId);
  if (!sigInfo || sigInfo.broken || sigInfo.scheme === 'Ed448') {
    reasons.push(
      reason(
        'unsupported-algorithm',
        'warning',
        `The signature algorithm ${sigInfo?.name ?? si.signatureAlgorithm.algorithmId} (${si.signatureAlgorithm.algorithmId}) is not supported.`,
      ),
    );
    return result('unsupported');
  }

  const cert = described.signerCertificate;
  if (!cert) {
    reasons.push(
      reason('signer-cert-missing', 'error', "The signer's certificate is not included, so the signature cannot be checked."),
    );
    return result('unknown-signer');
  }

  // What the signature value is computed over: the DER SET OF signed attributes, or the content itself.
  let forms: { form: 'as-given' | 'canonical'; data: () => Uint8Array }[];
  let contentForm: 'as-given' | 'canonical' | undefined;
  if (si.signedAttrs) {
    const attrs = checkSignedAttributes(si.signedAttrs, ctx.eContentType);
    if ('error' in attrs) {
      reasons.push(attrs.error);
      return result('invalid');
    }
    if (bytesEqual(await contentDigest(ctx, 'as-given', digestAlg), attrs.messageDigest)) contentForm = 'as-given';
    else if (ctx.canonical && bytesEqual(await contentDigest(ctx, 'canonical', digestAlg), attrs.messageDigest)) {
      contentForm = 'canonical';
    }
    if (!contentForm) {
      reasons.push(
        reason('content-digest-mismatch', 'error', 'The message was changed after it was signed: its digest does not match.'),
      );
      return result('invalid');
    }
    const ess = await checkSigningCertificate(si.signedAttrs, cert, ctx.crypto);
    if (ess.status === 'mismatch' || ess.status === 'malformed') {
      reasons.push(reason('signature-invalid', 'error', `The signature does not belong to the attached certificate: ${ess.detail}.`));
      return result('invalid', { contentForm });
    }
    // pkijs keeps the original encoding with the [0] tag already replaced by SET OF (0x31), as RFC 5652 §5.4 asks.
    const signed = new Uint8Array(si.signedAttrs.encodedValue);
    forms = [{ form: contentForm, data: () => signed }];
  } else {
    // RFC 5652 §5.3: content other than id-data must come with signed attributes (which name its type);
    // otherwise the type of what was signed is not protected and could be swapped.
    if (ctx.eContentType !== OID.data) {
      reasons.push(
        reason(
          'content-type-mismatch',
          'error',
          `The signed content is of type ${ctx.eContentType}, but the signature does not protect that type (no signed attributes).`,
        ),
      );
      return result('invalid');
    }
    forms = [{ form: 'as-given', data: () => ctx.content }];
    if (ctx.canonical) forms.push({ form: 'canonical', data: ctx.canonical });
  }

  const signatureValue = si.signature.valueBlock.valueHexView;
  const spki = cert.subjectPublicKeyInfo;
  // A DSA key may leave its domain parameters to its issuer (RFC 3279 §2.3.2).
  const dsaParams = isDsaKey(spki) && !dsaParamsOf(spki) ? await inheritedDsaParams(cert, ctx.candidates, ctx.crypto) : undefined;
  let check: Awaited<ReturnType<typeof verifySignature>> | undefined;
  for (const f of forms) {
    check = await verifySignature(
      {
        algorithm: si.signatureAlgorithm,
        fallbackDigest: digestAlg,
        publicKey: spki,
        dsaParams,
        signature: signatureValue,
        data: f.data(),
      },
      ctx.crypto,
    );
    if (check.status !== 'invalid') {
      contentForm = f.form;
      break;
    }
  }
  if (!check) throw new Error('unreachable: no content form to verify');

  const extra: Partial<CmsSignerResult> = { contentForm, rsaBits: check.rsaBits };
  if (dsaParams) extra.inheritedDsaParams = dsaParams;
  if (check.scheme) extra.signatureAlgorithm = check.scheme;
  if (check.status === 'unsupported') {
    reasons.push(
      reason(
        'unsupported-algorithm',
        'warning',
        `This signature uses an algorithm that cannot be checked here (${check.detail ?? si.signatureAlgorithm.algorithmId}).`,
      ),
    );
    return result('unsupported', extra);
  }
  if (check.status === 'invalid') {
    reasons.push(
      reason(
        'signature-invalid',
        'error',
        check.detail
          ? `The signature does not match the signer's certificate: ${check.detail}.`
          : si.signedAttrs
            ? "The signature does not match the signer's certificate."
            : 'The message was changed after it was signed, or the signature does not match the certificate.',
      ),
    );
    return result('invalid', extra);
  }

  reasons.push(reason('signature-valid', 'ok', 'The signature is valid: the message has not been changed since it was signed.'));
  // Weak digests: the content digest and the one the signature itself used.
  const weakest = [digestAlg, check.hash].find((d) => d === 'MD5') ?? [digestAlg, check.hash].find(isWeakDigest);
  if (weakest) {
    const neverTrusted = weakest === 'MD5' || !ctx.opts.allowSha1;
    extra.neverTrusted = neverTrusted;
    reasons.push(
      reason(
        'weak-digest',
        'warning',
        weakest === 'MD5'
          ? 'The signature uses MD5, which is broken: anyone could have made a message with the same signature.'
          : neverTrusted
            ? 'The signature uses SHA-1, which is no longer safe: it is not accepted as trustworthy.'
            : 'The signature uses SHA-1, which is no longer considered safe.',
      ),
    );
  }
  // Issue 10, item 3: below the minimum (policy or default) a key is never trusted; a warning here once stopped the
  // policy's own check from applying, and a 512-bit signer was trusted with minRsaBits 4096.
  const minRsaBits = Math.max(1024, ctx.opts.minRsaBits ?? DEFAULT_MIN_RSA_BITS);
  if (check.rsaBits !== undefined && check.rsaBits < minRsaBits) {
    extra.neverTrusted = true;
    reasons.push(
      reason('weak-key', 'error', `The signer's RSA key is only ${check.rsaBits} bits long; at least ${minRsaBits} bits are required.`),
    );
  }
  if (check.dsaBits !== undefined && check.dsaBits < 2048) {
    reasons.push(
      reason('weak-key', 'warning', `The signer's DSA key is only ${check.dsaBits} bits long; 2048 bits is the minimum today.`),
    );
  }
  const t = described.signingTime;
  if (t && (t < cert.notBefore.value || t > cert.notAfter.value)) {
    reasons.push(
      reason(
        'signing-time-outside-validity',
        'warning',
        `The message claims to be signed on ${t.toISOString().slice(0, 10)}, when the signer's certificate was not valid.`,
      ),
    );
  }
  return result('valid', extra);
}

/** Valid only with ≥1 signer, all valid; otherwise the worst status. */
function overall(signers: CmsSignerResult[]): CmsSignerResult['signature'] {
  if (signers.length === 0) return 'invalid';
  for (const s of ['invalid', 'unknown-signer', 'unsupported'] as const) {
    if (signers.some((x) => x.signature === s)) return s;
  }
  return 'valid';
}

/**
 * RFC 5652 §5.3/§11: content-type and message-digest must each be present exactly once with one value,
 * and the content type must equal eContentType.
 */
function checkSignedAttributes(
  attrs: pkijs.SignedAndUnsignedAttributes,
  eContentType: string,
): { messageDigest: Uint8Array } | { error: Reason } {
  const ct = attrs.attributes.filter((a) => a.type === OID.contentType);
  const md = attrs.attributes.filter((a) => a.type === OID.messageDigest);
  if (ct.length !== 1 || ct[0].values.length !== 1) {
    return {
      error: reason(
        'content-type-mismatch',
        'error',
        ct.length === 0
          ? 'The signed attributes do not say what type of content was signed.'
          : 'The signed attributes name the content type more than once.',
      ),
    };
  }
  const ctValue = ct[0].values[0];
  const signedType = ctValue instanceof asn1js.ObjectIdentifier ? ctValue.valueBlock.toString() : undefined;
  if (signedType !== eContentType) {
    return {
      error: reason(
        'content-type-mismatch',
        'error',
        `The signed content type (${signedType ?? 'unreadable'}) differs from the content actually carried (${eContentType}).`,
      ),
    };
  }
  if (md.length !== 1 || md[0].values.length !== 1 || !(md[0].values[0] instanceof asn1js.OctetString)) {
    return {
      error: reason(
        'content-digest-mismatch',
        'error',
        md.length === 0
          ? 'The signed attributes carry no digest of the message.'
          : 'The message digest in the signed attributes is malformed or repeated.',
      ),
    };
  }
  const digestValue = octets(md[0].values[0] as asn1js.OctetString);
  if (!digestValue) {
    return { error: reason('content-digest-mismatch', 'error', 'The message digest in the signed attributes is malformed.') };
  }
  return { messageDigest: digestValue };
}

function signingTimeOf(si: pkijs.SignerInfo): Date | undefined {
  const attr = si.signedAttrs?.attributes.find((a) => a.type === OID.signingTime);
  const v = attr?.values[0];
  try {
    if (v instanceof asn1js.UTCTime || v instanceof asn1js.GeneralizedTime) {
      const d = v.toDate();
      return Number.isNaN(d.getTime()) ? undefined : d;
    }
  } catch {
    // An unreadable signing time is simply not reported.
  }
  return undefined;
}

/** The certificate a SignerInfo's sid names: issuerAndSerialNumber or [0] subjectKeyIdentifier. */
export function findSignerCertificate(
  si: pkijs.SignerInfo,
  candidates: pkijs.Certificate[],
): pkijs.Certificate | undefined {
  const sid = si.sid as unknown;
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return candidates.find(
      (c) => bytesEqual(serialBytes(c.serialNumber), serialBytes(sid.serialNumber)) && sameRdn(c.issuer, sid.issuer),
    );
  }
  const block = sid as asn1js.BaseBlock | undefined;
  if (block && block.idBlock.tagClass === 3 && block.idBlock.tagNumber === 0) {
    const ski = octets(block);
    if (!ski) return undefined;
    return candidates.find((c) => {
      const ext = c.extensions?.find((e) => e.extnID === '2.5.29.14');
      const value = ext?.parsedValue as asn1js.OctetString | undefined;
      return value instanceof asn1js.OctetString && bytesEqual(value.valueBlock.valueHexView, ski);
    });
  }
  return undefined;
}

function serialBytes(i: asn1js.Integer): Uint8Array {
  return i.valueBlock.valueHexView;
}

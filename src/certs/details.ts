/**
 * CertificateDetails: what a UI shows of a certificate, as plain strings (survives JSON and structured clone).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { CURVES, OID, PUBLIC_KEY_OIDS, curveName, signatureAlgorithmName } from '../cms/algorithms';
import { digest, toHex } from '../cms/digest';
import { rsaModulusBits } from '../signature/key';
import { verifyCertSignature } from '../trust/signature';
import { certInfo } from '../trust/cert-info';
import { DN_ATTRIBUTE_NAMES, escapeDnValue, visibleText } from '../trust/names';
import type { CertificateDetails } from '../verdict';
import { certificateDer } from './der';
import { usableMailAddresses } from './mail-names';

export { certificateDer }; // callers import it from here too

const EXT_BASIC_CONSTRAINTS = '2.5.29.19';
const ATTR_CN = '2.5.4.3';


/**
 * Details per certificate object, made once: a verdict shows the signer's certificate both on its own and as the
 * first of its chain, and a host passes the same anchor objects for every message (the root's self-signature check
 * is a public-key operation). Certificates are not changed after parsing; each caller gets its own copy.
 */
const DETAILS_CACHE = new WeakMap<pkijs.Certificate, Promise<CertificateDetails>>();

export async function certificateDetails(
  cert: pkijs.Certificate,
  crypto: CryptoEngine = defaultCrypto(),
): Promise<CertificateDetails> {
  let p = DETAILS_CACHE.get(cert);
  if (!p) {
    const made = describe(cert, crypto);
    p = made.then((d) => d.details);
    DETAILS_CACHE.set(cert, p);
    // A failure (a programmer error: no WebCrypto) is not remembered, nor an answer given without the self-signature
    // check because the message's budget of public-key operations was spent (signature/limits.ts).
    made.then(
      (d) => (d.overBudget ? DETAILS_CACHE.delete(cert) : undefined),
      () => DETAILS_CACHE.delete(cert),
    );
  }
  const d = await p;
  return { ...d, emails: [...d.emails] };
}

async function describe(cert: pkijs.Certificate, crypto: CryptoEngine): Promise<{ details: CertificateDetails; overBudget: boolean }> {
  const der = certificateDer(cert);
  const emails = certificateEmails(cert);
  const cn = firstValue(cert.subject, ATTR_CN);
  const subject = formatName(cert.subject);
  const selfSigned = await isSelfSigned(cert, crypto);
  const details: CertificateDetails = {
    subject,
    // Shown as the headline: control and bidi characters written out (names.ts visibleText).
    commonName: visibleText(cn ?? emails[0] ?? subject),
    issuer: formatName(cert.issuer),
    emails,
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
    serialNumber: serialHex(cert),
    sha256: toHex(await digest('SHA-256', der, crypto), ':'),
    publicKeyAlgorithm: publicKeyDescription(cert.subjectPublicKeyInfo),
    signatureAlgorithm: signatureAlgorithmName(cert.signatureAlgorithm.algorithmId),
    isCA: isCA(cert),
    selfSigned: selfSigned.selfSigned,
  };
  return { details, overBudget: selfSigned.overBudget };
}

/**
 * The certificate's usable e-mail addresses: rfc822Name entries of subjectAltName (and SmtpUTF8Mailbox otherNames,
 * RFC 9598, for internationalised addresses), then emailAddress attributes of the subject; lower-cased, no
 * duplicates. Names that are not plausible mailboxes are left out (certs/mail-names.ts says which and why).
 */
export function certificateEmails(cert: pkijs.Certificate): string[] {
  return usableMailAddresses(cert);
}

/** A readable RFC 4514-style name: most specific first ("CN=Alice, O=Example, C=US"), special characters escaped. */
export function formatName(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => `${DN_ATTRIBUTE_NAMES[tv.type] ?? tv.type}=${escapeDnValue(attributeString(tv.value) ?? hexValue(tv.value))}`)
    .reverse()
    .join(', ');
}

function firstValue(name: pkijs.RelativeDistinguishedNames, type: string): string | undefined {
  const tv = name.typesAndValues.find((t) => t.type === type);
  return tv ? attributeString(tv.value) : undefined;
}

function attributeString(v: unknown): string | undefined {
  const block = (v as { valueBlock?: { value?: unknown } } | undefined)?.valueBlock;
  return typeof block?.value === 'string' ? block.value : undefined;
}

function hexValue(v: asn1js.AsnType): string {
  try {
    return `#${toHex(new Uint8Array(v.toBER(false))).toLowerCase()}`;
  } catch {
    return '#';
  }
}


function serialHex(cert: pkijs.Certificate): string {
  let b = cert.serialNumber.valueBlock.valueHexView;
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  b = b.subarray(i);
  return toHex(b);
}

/** "RSA 2048", "ECDSA P-256", "Ed25519", … */
export function publicKeyDescription(spki: pkijs.PublicKeyInfo): string {
  const oid = spki.algorithm.algorithmId;
  const name = PUBLIC_KEY_OIDS[oid] ?? oid;
  if (oid === OID.rsaEncryption || oid === OID.rsassaPss) {
    const bits = rsaModulusBits(spki);
    return bits ? `${name} ${bits}` : name;
  }
  if (oid === OID.ecPublicKey) {
    const p = spki.algorithm.algorithmParams as asn1js.AsnType | undefined;
    const curveOid = p instanceof asn1js.ObjectIdentifier ? p.valueBlock.toString() : '';
    return `${name} ${curveOid ? (CURVES[curveOid]?.name ?? curveName(curveOid)) : 'explicit curve'}`;
  }
  return name;
}


function isCA(cert: pkijs.Certificate): boolean {
  const bc = cert.extensions?.find((e) => e.extnID === EXT_BASIC_CONSTRAINTS)?.parsedValue;
  return bc instanceof pkijs.BasicConstraints && bc.cA === true;
}

/**
 * Self-signed: issuer equals subject and the certificate's signature verifies with its own key. When the
 * signature algorithm cannot be checked here, the name comparison alone decides.
 */
async function isSelfSigned(cert: pkijs.Certificate, crypto: CryptoEngine): Promise<{ selfSigned: boolean; overBudget: boolean }> {
  // Self-issued as path validation sees it (RFC 5280 name comparison; trust/cert-info.ts, cached per certificate),
  // which also spares pkijs' isEqual and the ICU collator its localeCompare loads (~9 ms of a CLI run).
  let selfIssued = false;
  try {
    selfIssued = certInfo(cert).selfIssued;
  } catch {
    // A certificate path validation cannot read is not described as self-signed.
  }
  if (!selfIssued) return { selfSigned: false, overBudget: false };
  // The same check, and the same cached result, as path validation's (trust/signature.ts): one public-key operation
  // per certificate, however many signers and verdict views use it. Weak and unsupported algorithms cannot be
  // checked here, so the name comparison decides for them.
  const check = await verifyCertSignature(crypto, cert, { spki: cert.subjectPublicKeyInfo }, true);
  return { selfSigned: check.ok || check.why !== 'bad', overBudget: !check.ok && !!check.overBudget };
}

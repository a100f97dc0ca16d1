/**
 * ESS signing-certificate attributes (RFC 2634 §5.4 SigningCertificate with SHA-1, RFC 5035 SigningCertificateV2):
 * the signer commits, inside the signed attributes, to the hash of its certificate. When present, the
 * certificate we verified with must be that one — otherwise someone substituted a certificate with the same
 * key (or the same issuer and serial) but different contents, e.g. other e-mail addresses.
 * Only the first ESSCertID names the signer's certificate; the others (CA certificates) are not checked here.
 */
import * as asn1js from 'asn1js';
import type * as pkijs from 'pkijs';
import type { CryptoEngine } from '../crypto';
import { certificateDer } from '../certs/der';
import { digestName, type DigestName } from './algorithms';
import { bytesEqual, digest } from './digest';

export const OID_SIGNING_CERTIFICATE = '1.2.840.113549.1.9.16.2.12';
export const OID_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';

export type EssCheck = { status: 'absent' } | { status: 'match' } | { status: 'mismatch' | 'malformed' | 'unsupported'; detail: string };

export async function checkSigningCertificate(
  attrs: pkijs.SignedAndUnsignedAttributes,
  cert: pkijs.Certificate,
  crypto: CryptoEngine,
): Promise<EssCheck> {
  const v2 = attrs.attributes.filter((a) => a.type === OID_SIGNING_CERTIFICATE_V2);
  const v1 = attrs.attributes.filter((a) => a.type === OID_SIGNING_CERTIFICATE);
  if (v2.length + v1.length === 0) return { status: 'absent' };
  if (v2.length > 1 || v1.length > 1) return { status: 'malformed', detail: 'the signing-certificate attribute is repeated' };
  const checks: { value: unknown; v2: boolean }[] = [
    ...v2.map((a) => ({ value: a.values[0], v2: true })),
    ...v1.map((a) => ({ value: a.values[0], v2: false })),
  ];
  const der = certificateDer(cert);
  for (const c of checks) {
    const first = firstCertId(c.value);
    if (!first) return { status: 'malformed', detail: 'the signing-certificate attribute cannot be read' };
    let alg: DigestName | undefined = 'SHA-1';
    let hashNode: asn1js.AsnType | undefined = first[0];
    if (c.v2) {
      // ESSCertIDv2: hashAlgorithm DEFAULT sha256 comes first only when present (a SEQUENCE, not the OCTET STRING).
      alg = 'SHA-256';
      if (first[0] instanceof asn1js.Sequence) {
        const oid = first[0].valueBlock.value[0];
        alg = oid instanceof asn1js.ObjectIdentifier ? digestName(oid.valueBlock.toString()) : undefined;
        hashNode = first[1];
        if (!alg) return { status: 'unsupported', detail: 'the signing-certificate attribute uses an unknown hash' };
      }
    }
    if (!(hashNode instanceof asn1js.OctetString)) return { status: 'malformed', detail: 'the certificate hash is missing' };
    const want = hashNode.valueBlock.valueHexView;
    const have = await digest(alg, der, crypto);
    if (!bytesEqual(want, have)) {
      return { status: 'mismatch', detail: 'the signature was made for a different certificate than the one attached' };
    }
  }
  return { status: 'match' };
}

/** The elements of the first ESSCertID(v2) in SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF …, … }. */
function firstCertId(value: unknown): asn1js.AsnType[] | undefined {
  if (!(value instanceof asn1js.Sequence)) return undefined;
  const certs = value.valueBlock.value[0];
  if (!(certs instanceof asn1js.Sequence)) return undefined;
  const first = certs.valueBlock.value[0];
  if (!(first instanceof asn1js.Sequence) || first.valueBlock.value.length === 0) return undefined;
  return first.valueBlock.value;
}

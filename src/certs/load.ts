/**
 * Load certificates and CRLs from what users and servers hand over: PEM (any number of blocks), raw DER
 * (one or several objects back to back), and PKCS#7 / CMS certs-only bundles (.p7b/.p7c, PEM or DER).
 *
 * Never throws for bad input: what could be read is returned, and `error` names what could not.
 * Private keys and other PEM blocks in the same file are skipped without complaint (a .pem holding key
 * and certificate is common).
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCrlDer } from '../trust/crl-der';
import { OID } from '../cms/algorithms';
import { decodeBer } from '../cms/ber';
import { errorText } from '../cms/errors';
import { looksLikePem, parsePem } from './pem';

export interface CertificateLoadResult {
  certs: pkijs.Certificate[];
  /** What could not be read, in one line; absent when everything was read. */
  error?: string;
}

export interface CrlLoadResult {
  crls: pkijs.CertificateRevocationList[];
  error?: string;
}

export interface PkiBundle {
  certs: pkijs.Certificate[];
  crls: pkijs.CertificateRevocationList[];
  errors: string[];
}

/** Bound on objects read from one input. */
export const MAX_OBJECTS = 5000;

export function loadCertificates(bytes: Uint8Array, maxObjects = MAX_OBJECTS): CertificateLoadResult {
  const b = loadPkiBundle(bytes, maxObjects);
  const errors = [...b.errors];
  if (b.certs.length === 0 && errors.length === 0) {
    errors.push(b.crls.length > 0 ? 'the data holds CRLs but no certificate' : 'no certificate found in the data');
  }
  return errors.length ? { certs: b.certs, error: joinErrors(errors) } : { certs: b.certs };
}

export function loadCrls(bytes: Uint8Array): CrlLoadResult {
  const b = loadPkiBundle(bytes);
  const errors = [...b.errors];
  if (b.crls.length === 0 && errors.length === 0) {
    errors.push(b.certs.length > 0 ? 'the data holds certificates but no CRL' : 'no CRL found in the data');
  }
  return errors.length ? { crls: b.crls, error: joinErrors(errors) } : { crls: b.crls };
}

/** Certificates and CRLs together, e.g. from a .p7b that carries both. */
export function loadPkiBundle(bytes: Uint8Array, maxObjects = MAX_OBJECTS): PkiBundle {
  const out: PkiBundle = { certs: [], crls: [], errors: [] };
  if (bytes.length === 0) {
    out.errors.push('the data is empty');
    return out;
  }
  if (looksLikePem(bytes)) {
    const blocks = parsePem(bytes, maxObjects);
    if (blocks.length === 0) out.errors.push('the PEM text has no complete BEGIN/END block');
    if (blocks.length > maxObjects) out.errors.push(`more than ${maxObjects} PEM blocks: the rest was not read`);
    blocks.slice(0, maxObjects).forEach((block, i) => {
      const where = `PEM block ${i + 1} (${block.label})`;
      if (!block.der) {
        out.errors.push(`${where}: ${block.error ?? 'unreadable'}`);
        return;
      }
      switch (block.label) {
        case 'CERTIFICATE':
        case 'X509 CERTIFICATE':
        case 'TRUSTED CERTIFICATE': // OpenSSL's: the certificate followed by trust settings, read the first object
          addOne(block.der, 'certificate', where, out, true);
          break;
        case 'X509 CRL':
          addOne(block.der, 'crl', where, out, true);
          break;
        case 'PKCS7':
        case 'CMS':
        case 'PKCS #7 SIGNED DATA':
          addOne(block.der, 'bundle', where, out, false);
          break;
        default:
          break; // keys, requests, parameters: not ours to read
      }
    });
    return out;
  }
  readDer(bytes, out, maxObjects);
  return out;
}

function joinErrors(errors: string[]): string {
  const shown = errors.slice(0, 3).join('; ');
  return errors.length > 3 ? `${shown}; and ${errors.length - 3} more problems` : shown;
}

type Kind = 'certificate' | 'crl' | 'bundle' | 'any';

/** DER input: one or more top-level objects back to back. */
function readDer(bytes: Uint8Array, out: PkiBundle, maxObjects: number): void {
  let offset = 0;
  let n = 0;
  while (offset < bytes.length && n < maxObjects) {
    const view = bytes.subarray(offset);
    const where = n === 0 && offset === 0 ? 'the data' : `object ${n + 1} (at byte ${offset})`;
    // CRLs first, read without a node per entry (trust/crl-der.ts): a large CA's CRL exceeds the BER node bound.
    const crl = parseCrlDer(view);
    if (crl.ok) {
      out.crls.push(crl.crl);
      offset += crl.length;
      n++;
      continue;
    }
    const asn1 = decodeBer(view);
    if (asn1.offset === -1) {
      const e = asn1.result.error;
      out.errors.push(
        `${where} is not DER/PEM${/end of input/i.test(e) ? ' (it is cut off)' : ''}: ${e || 'unreadable'}`,
      );
      return;
    }
    addParsed(asn1.result, 'any', where, out);
    offset += asn1.offset;
    n++;
  }
  if (n >= maxObjects && offset < bytes.length) out.errors.push(`more than ${maxObjects} objects: the rest was not read`);
}

function addOne(der: Uint8Array, kind: Kind, where: string, out: PkiBundle, allowTrailing: boolean): void {
  if (kind === 'crl') {
    const crl = parseCrlDer(der);
    if (crl.ok && (allowTrailing || crl.length === der.length)) {
      out.crls.push(crl.crl);
      return;
    }
  }
  const asn1 = decodeBer(der);
  if (asn1.offset === -1) {
    out.errors.push(`${where}: not valid DER (${asn1.result.error || 'unreadable'})`);
    return;
  }
  if (!allowTrailing && asn1.offset !== der.length) {
    out.errors.push(`${where}: unexpected data after the object`);
    return;
  }
  addParsed(asn1.result, kind, where, out);
}

function addParsed(node: asn1js.AsnType, kind: Kind, where: string, out: PkiBundle): void {
  if (kind === 'bundle' || (kind === 'any' && isContentInfo(node))) {
    addBundle(node, where, out);
    return;
  }
  if (kind === 'certificate' || kind === 'any') {
    try {
      out.certs.push(new pkijs.Certificate({ schema: node }));
      return;
    } catch (e) {
      if (kind === 'certificate') {
        out.errors.push(`${where}: not a certificate (${errorText(e)})`);
        return;
      }
    }
  }
  try {
    out.crls.push(new pkijs.CertificateRevocationList({ schema: node }));
  } catch (e) {
    out.errors.push(
      kind === 'crl' ? `${where}: not a CRL (${errorText(e)})` : `${where}: neither a certificate, a CRL nor a PKCS#7 bundle`,
    );
  }
}

function isContentInfo(node: asn1js.AsnType): boolean {
  if (!(node instanceof asn1js.Sequence)) return false;
  const first = node.valueBlock.value[0];
  return first instanceof asn1js.ObjectIdentifier;
}

function addBundle(node: asn1js.AsnType, where: string, out: PkiBundle): void {
  let signed: pkijs.SignedData;
  try {
    const ci = new pkijs.ContentInfo({ schema: node });
    if (ci.contentType !== OID.signedData) {
      out.errors.push(`${where}: a PKCS#7 object of type ${ci.contentType}, not a certificate bundle`);
      return;
    }
    signed = new pkijs.SignedData({ schema: ci.content });
  } catch (e) {
    out.errors.push(`${where}: not a readable PKCS#7 bundle (${errorText(e)})`);
    return;
  }
  for (const c of signed.certificates ?? []) if (c instanceof pkijs.Certificate) out.certs.push(c);
  for (const c of signed.crls ?? []) if (c instanceof pkijs.CertificateRevocationList) out.crls.push(c);
}

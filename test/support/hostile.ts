/**
 * Hostile fixtures built at test time from OpenSSL-made messages (issue 10 items 8 and 10): keys and certificate
 * bags no CA would issue, crafted as DER here because OpenSSL cannot make them (a 4-million-bit RSA key) or
 * would take minutes. Shared by the limit tests, the fuzz suite and scripts/hostile-figures.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { base64Lines, concatBytes, deterministicBytes } from './messages';

const RSA_ENCRYPTION = '1.2.840.113549.1.1.1';

function ab(u: Uint8Array): ArrayBuffer {
  return u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;
}

/** An RSA SubjectPublicKeyInfo with a modulus of `bytes` bytes (top bit set, odd) and e = 65537. */
export function hugeRsaSpki(bytes: number, seed = 7): pkijs.PublicKeyInfo {
  const n = new Uint8Array(bytes + 1);
  n.set(deterministicBytes(bytes, seed), 1);
  n[1] |= 0xc0;
  n[bytes] |= 1;
  const rsa = new asn1js.Sequence({
    value: [new asn1js.Integer({ valueHex: ab(n) }), new asn1js.Integer({ value: 65537 })],
  });
  return new pkijs.PublicKeyInfo({
    algorithm: new pkijs.AlgorithmIdentifier({ algorithmId: RSA_ENCRYPTION, algorithmParams: new asn1js.Null() }),
    subjectPublicKey: new asn1js.BitString({ valueHex: rsa.toBER(false) }),
  });
}

/** A certificate re-encoded with another key (its own signature no longer checks out, as for any forgery). */
export function withKey(certDer: Uint8Array, spki: pkijs.PublicKeyInfo): Uint8Array {
  const cert = pkijs.Certificate.fromBER(ab(certDer));
  cert.subjectPublicKeyInfo = spki;
  return new Uint8Array(cert.toSchema(true).toBER(false));
}

export interface SignedDataEdit {
  /** Replace the certificates (DER each). */
  certificates?: Uint8Array[];
  /** Replace the first SignerInfo's signature value. */
  signature?: Uint8Array;
  /** Repeat the first SignerInfo this many times in all. */
  signers?: number;
}

/** Rewrites a DER ContentInfo(SignedData) made by `openssl cms -sign -outform DER`. */
export function editSignedData(der: Uint8Array, edit: SignedDataEdit): Uint8Array {
  const ci = pkijs.ContentInfo.fromBER(ab(der));
  const sd = new pkijs.SignedData({ schema: ci.content });
  if (edit.signature) sd.signerInfos[0].signature = new asn1js.OctetString({ valueHex: ab(edit.signature) });
  if (edit.signers) sd.signerInfos = Array.from({ length: edit.signers }, () => sd.signerInfos[0]);
  const schema = sd.toSchema(true) as asn1js.Sequence;
  // Each field encoded on its own; the certificates go in as the given bytes (thousands of them would take pkijs
  // minutes to re-encode).
  const fields = schema.valueBlock.value
    .filter((el) => !(edit.certificates && el.idBlock.tagClass === 3 && el.idBlock.tagNumber === 0))
    .map((el) => new Uint8Array(el.toBER(false)));
  // version, digestAlgorithms, encapContentInfo, then certificates [0] (any bytes: they need not parse).
  if (edit.certificates) fields.splice(3, 0, tlv(0xa0, concatBytes(...edit.certificates)));
  const oid = new Uint8Array(new asn1js.ObjectIdentifier({ value: ci.contentType }).toBER(false));
  return tlv(0x30, concatBytes(oid, tlv(0xa0, tlv(0x30, concatBytes(...fields)))));
}

/**
 * Rewrites a DER ContentInfo(EnvelopedData) so that its RecipientInfos are `count` copies of its first
 * KeyTransRecipientInfo, copy i with a bogus encrypted key (`keyBytes` long, seeded by i): the reader's certificate
 * named over and over, as anyone can do with a public certificate. Encoded as bytes (pkijs takes seconds for
 * thousands of entries).
 */
export function withBogusRecipients(der: Uint8Array, count: number, keyBytes = 256): Uint8Array {
  const ci = pkijs.ContentInfo.fromBER(ab(der));
  const ed = new pkijs.EnvelopedData({ schema: ci.content });
  const k = ed.recipientInfos[0].value as pkijs.KeyTransRecipientInfo;
  const head = concatBytes(
    new Uint8Array(new asn1js.Integer({ value: k.version }).toBER(false)),
    new Uint8Array((k.rid as pkijs.IssuerAndSerialNumber).toSchema().toBER(false)),
    new Uint8Array(k.keyEncryptionAlgorithm.toSchema().toBER(false)),
  );
  const entries = Array.from({ length: count }, (_, i) => tlv(0x30, concatBytes(head, tlv(0x04, deterministicBytes(keyBytes, i + 1)))));
  const fields = (ed.toSchema() as asn1js.Sequence).valueBlock.value.map((el) =>
    el instanceof asn1js.Set && el.idBlock.tagClass === 1 ? tlv(0x31, concatBytes(...entries)) : new Uint8Array(el.toBER(false)),
  );
  const oid = new Uint8Array(new asn1js.ObjectIdentifier({ value: ci.contentType }).toBER(false));
  return tlv(0x30, concatBytes(oid, tlv(0xa0, tlv(0x30, concatBytes(...fields)))));
}

/**
 * A certificate no CA signed (eight zero bytes of ECDSA signature, an empty key), read back from its DER as a
 * message's certificates are: for chains whose shape is the attack (policy trees, name constraints), since a failing
 * certificate signature does not stop the other checks of a path.
 */
export function unsignedCertificate(o: { subject: string | pkijs.RelativeDistinguishedNames; issuer: string | pkijs.RelativeDistinguishedNames; extensions: pkijs.Extension[] }): pkijs.Certificate {
  const dn = (n: string | pkijs.RelativeDistinguishedNames) =>
    typeof n === 'string' ? new pkijs.RelativeDistinguishedNames({ typesAndValues: [new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: n }) })] }) : n;
  const c = new pkijs.Certificate();
  c.version = 2;
  c.serialNumber = new asn1js.Integer({ value: 1 });
  c.subject = dn(o.subject);
  c.issuer = dn(o.issuer);
  c.extensions = o.extensions;
  c.signature = new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.10045.4.3.2' });
  c.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.10045.4.3.2' });
  c.signatureValue = new asn1js.BitString({ valueHex: new ArrayBuffer(8) });
  c.subjectPublicKeyInfo = new pkijs.PublicKeyInfo();
  c.notBefore.value = new Date(Date.UTC(2024, 0, 1));
  c.notAfter.value = new Date(Date.UTC(2034, 0, 1));
  return pkijs.Certificate.fromBER(c.toSchema(true).toBER(false));
}

/** A DER tag-length-value with a definite length. */
function tlv(tag: number, value: Uint8Array): Uint8Array<ArrayBuffer> {
  const len: number[] = [];
  if (value.length < 0x80) len.push(value.length);
  else {
    for (let n = value.length; n > 0; n = Math.floor(n / 256)) len.unshift(n & 0xff);
    len.unshift(0x80 | len.length);
  }
  return concatBytes(new Uint8Array([tag, ...len]), value) as Uint8Array<ArrayBuffer>;
}

/** An opaque signed message (application/pkcs7-mime) around a DER SignedData. */
export function opaqueMessage(der: Uint8Array, from: string): Buffer {
  return Buffer.from(
    [
      `From: ${from}`,
      'To: bob@example.test',
      'Subject: hostile fixture',
      'MIME-Version: 1.0',
      'Content-Type: application/pkcs7-mime; smime-type=signed-data; name=smime.p7m',
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(der),
    ].join('\r\n'),
    'latin1',
  );
}

/** A signature value below a modulus made by hugeRsaSpki (same length, smaller top byte). */
export function signatureFor(bytes: number, seed = 11): Uint8Array {
  const s = new Uint8Array(deterministicBytes(bytes, seed));
  s[0] = 0x40;
  return s;
}

/**
 * `count` small distinct certificates (~260 bytes each: P-256 key, short names), as a certificate bag attack uses:
 * none is anyone's issuer, each costs the reader a full certificate object. One template is encoded; the copies
 * differ in serial number and name (patched in place: pkijs would take seconds to encode thousands).
 */
export function tinyCertificates(count: number, spkiDer: Uint8Array): Uint8Array[] {
  const c = new pkijs.Certificate();
  c.version = 2;
  c.serialNumber = new asn1js.Integer({ valueHex: ab(new Uint8Array([0x7a, 0x7a, 0x7a, 0x7a])) });
  const name = new pkijs.RelativeDistinguishedNames({
    typesAndValues: [new pkijs.AttributeTypeAndValue({ type: '2.5.4.3', value: new asn1js.Utf8String({ value: 'bag ######' }) })],
  });
  c.issuer = name;
  c.subject = name;
  c.notBefore.value = new Date(Date.UTC(2024, 0, 1));
  c.notAfter.value = new Date(Date.UTC(2034, 0, 1));
  c.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(ab(spkiDer));
  c.signature = new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.10045.4.3.2' });
  c.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: '1.2.840.10045.4.3.2' });
  c.signatureValue = new asn1js.BitString({ valueHex: ab(deterministicBytes(70, 3)) });
  const template = new Uint8Array(c.toSchema(true).toBER(false));
  const find = (needle: Uint8Array, from = 0) => {
    for (let i = from; i <= template.length - needle.length; i++) if (needle.every((b, k) => template[i + k] === b)) return i;
    throw new Error('marker not found');
  };
  const serialAt = find(new Uint8Array([0x7a, 0x7a, 0x7a, 0x7a]));
  const marker = new TextEncoder().encode('######');
  const names = [find(marker), find(marker, find(marker) + 1)];
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const d = template.slice();
    d[serialAt] = 0x10 | ((i >>> 24) & 0x0f);
    d[serialAt + 1] = (i >>> 16) & 0xff;
    d[serialAt + 2] = (i >>> 8) & 0xff;
    d[serialAt + 3] = i & 0xff;
    const digits = new TextEncoder().encode(String(i).padStart(6, '0'));
    for (const at of names) d.set(digits, at);
    out.push(d);
  }
  return out;
}

/**
 * ECDH key agreement for CMS (RFC 5753 §3.1, SEC 1 §3.6.1): the ANSI X9.63 KDF over the shared secret Z with
 * ECC-CMS-SharedInfo, which binds the derived key-encryption key to the key-wrap algorithm and its length.
 */
import * as asn1js from 'asn1js';
import type { CryptoEngine } from '../crypto';
import { bs, buf, concat } from '../keys/bytes';
import { OID } from './oids';

export type KdfHash = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** dhSinglePass-stdDH-sha*kdf-scheme OIDs → KDF hash. (sha224 is not in WebCrypto: unsupported.) */
export const STD_DH_KDF: Record<string, KdfHash> = {
  [OID.dhStdSha1Kdf]: 'SHA-1',
  [OID.dhStdSha256Kdf]: 'SHA-256',
  [OID.dhStdSha384Kdf]: 'SHA-384',
  [OID.dhStdSha512Kdf]: 'SHA-512',
};
export const STD_DH_OID: Record<KdfHash, string> = {
  'SHA-1': OID.dhStdSha1Kdf,
  'SHA-256': OID.dhStdSha256Kdf,
  'SHA-384': OID.dhStdSha384Kdf,
  'SHA-512': OID.dhStdSha512Kdf,
};

export const AES_WRAP_BITS: Record<string, number> = {
  [OID.aes128Wrap]: 128,
  [OID.aes192Wrap]: 192,
  [OID.aes256Wrap]: 256,
};
export const AES_WRAP_OID: Record<number, string> = { 128: OID.aes128Wrap, 192: OID.aes192Wrap, 256: OID.aes256Wrap };

/** DER of ECC-CMS-SharedInfo { keyInfo, entityUInfo [0] OPTIONAL, suppPubInfo [2] }. */
export function sharedInfo(wrapOid: string, keyBits: number, ukm?: Uint8Array): Uint8Array {
  const supp = new Uint8Array(4);
  new DataView(supp.buffer).setUint32(0, keyBits);
  const value: asn1js.AsnType[] = [new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: wrapOid })] })];
  if (ukm) {
    value.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 0 }, value: [new asn1js.OctetString({ valueHex: buf(ukm) })] }));
  }
  value.push(new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 2 }, value: [new asn1js.OctetString({ valueHex: buf(supp) })] }));
  return new Uint8Array(new asn1js.Sequence({ value }).toBER());
}

/** X9.63 KDF: K = H(Z ‖ counter ‖ SharedInfo) for counter = 1, 2, … truncated to `bytes`. */
export async function x963Kdf(hash: KdfHash, z: Uint8Array, info: Uint8Array, bytes: number, crypto: CryptoEngine): Promise<Uint8Array> {
  const subtle = crypto.subtle ?? crypto;
  const parts: Uint8Array[] = [];
  let have = 0;
  for (let counter = 1; have < bytes; counter++) {
    const c = new Uint8Array(4);
    new DataView(c.buffer).setUint32(0, counter);
    const block = concat([z, c, info]);
    parts.push(new Uint8Array(await subtle.digest(hash, bs(block))));
    block.fill(0);
    have += parts[parts.length - 1].length;
  }
  const out = concat(parts).slice(0, bytes);
  for (const p of parts) p.fill(0);
  return out;
}

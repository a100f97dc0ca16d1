/** A certificate's DER from pkijs' parsed form. */
import type * as pkijs from 'pkijs';
import { TAG, derEncode } from '../cms/der';

/**
 * The certificate's DER: the original TBS bytes with the signature algorithm and value around them, which is the
 * original DER. Written directly: pkijs' toSchema(false) re-parses the whole TBS with asn1js only to encode it
 * again (~0.3 ms a certificate warm, several ms cold), and fingerprints and path building need this for every
 * certificate of every message.
 */
export function certificateDer(cert: pkijs.Certificate): Uint8Array {
  if (cert.tbsView.byteLength === 0) return new Uint8Array(cert.toSchema(false).toBER(false));
  return derEncode({
    tag: TAG.sequence,
    children: [
      cert.tbsView,
      new Uint8Array(cert.signatureAlgorithm.toSchema().toBER(false)),
      new Uint8Array(cert.signatureValue.toBER(false)),
    ],
  });
}

/**
 * DSA signatures (FIPS 186-4 §4.7) in BigInt: WebCrypto has no DSA, yet old hierarchies (NIST PKITS among them)
 * sign certificates, CRLs and messages with it. Domain parameters come from the key, or are inherited from the
 * issuer when the key omits them (RFC 3279 §2.3.2); the caller passes those.
 *
 * Public data only, so constant time does not matter. Sizes are bounded before any exponentiation (p up to
 * 4096 bits, q up to 512), and the parameters are checked for the structure every real DSA group has
 * (q < p, g and y of order q), so a crafted key cannot make a signature check out by degenerate arithmetic.
 */
import * as asn1js from 'asn1js';
import type { CryptoEngine } from '../crypto';
import type { DigestName } from '../cms/algorithms';
import { digest } from '../cms/digest';
import { bytesToBigInt, modInverse, modPow } from '../bigint';
import { dsaParamsOf, isDsaKey, keyMismatch, unsignedInteger } from './key';
import type { DsaParams, SignatureCheck, SignatureInput } from './types';

const MAX_P_BITS = 4096;
const MAX_Q_BITS = 512;

export async function verifyDsa(
  input: SignatureInput,
  hash: DigestName | undefined,
  crypto: CryptoEngine,
): Promise<SignatureCheck> {
  const scheme = 'DSA' as const;
  if (!isDsaKey(input.publicKey)) return keyMismatch(scheme, input.publicKey);
  if (!hash) return { status: 'unsupported', scheme, detail: 'no digest algorithm given for the DSA signature' };
  const params = dsaParamsOf(input.publicKey) ?? input.dsaParams;
  if (!params) {
    return { status: 'unsupported', scheme, hash, detail: "the DSA key has no domain parameters and its issuer's were not found" };
  }
  const dsaBits = params.p.toString(2).length;
  const invalid = (detail?: string): SignatureCheck => ({ status: 'invalid', scheme, hash, dsaBits, detail });
  const parsedKey = asn1js.fromBER(input.publicKey.subjectPublicKey.valueBlock.valueHexView);
  const y = parsedKey.offset === -1 ? undefined : unsignedInteger(parsedKey.result);
  if (y === undefined) return invalid('the DSA public key is malformed');
  const why = unusableParams(params, y);
  if (why) return invalid(why);
  const rs = dsaSigValue(input.signature);
  if (!rs) return invalid('the DSA signature value is malformed');
  const ok = dsaVerify(params, y, rs.r, rs.s, await digest(hash, input.data, crypto));
  return ok ? { status: 'valid', scheme, hash, dsaBits } : invalid();
}

/** Why these parameters and key cannot be a DSA key, or undefined when they can. */
function unusableParams({ p, q, g }: DsaParams, y: bigint): string | undefined {
  const pBits = p.toString(2).length;
  const qBits = q.toString(2).length;
  if (pBits > MAX_P_BITS || qBits > MAX_Q_BITS) return `the DSA parameters are too large (${pBits}/${qBits} bits)`;
  if (q < 2n || q >= p || (p - 1n) % q !== 0n) return 'the DSA parameters are malformed (q does not divide p - 1)';
  if (g <= 1n || g >= p || modPow(g, q, p) !== 1n) return 'the DSA parameters are malformed (g)';
  if (y <= 1n || y >= p || modPow(y, q, p) !== 1n) return 'the DSA public key is not in the group of its parameters';
  return undefined;
}

/** Dss-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }, exactly, nothing after it. */
export function dsaSigValue(sig: Uint8Array): { r: bigint; s: bigint } | undefined {
  const parsed = asn1js.fromBER(sig);
  if (parsed.offset !== sig.length) return undefined;
  const seq = parsed.result;
  if (!(seq instanceof asn1js.Sequence) || seq.valueBlock.value.length !== 2) return undefined;
  const [r, s] = seq.valueBlock.value.map(unsignedInteger);
  return r === undefined || s === undefined ? undefined : { r, s };
}

/** FIPS 186-4 §4.7 with z = the leftmost min(N, outlen) bits of the digest. */
function dsaVerify({ p, q, g }: DsaParams, y: bigint, r: bigint, s: bigint, h: Uint8Array): boolean {
  if (r <= 0n || r >= q || s <= 0n || s >= q) return false;
  const qBits = q.toString(2).length;
  const take = Math.min(h.length, Math.ceil(qBits / 8));
  let z = bytesToBigInt(h.subarray(0, take));
  const extra = take * 8 - qBits;
  if (extra > 0) z >>= BigInt(extra);
  const w = modInverse(s, q);
  if (w === undefined) return false;
  const u1 = (z * w) % q;
  const u2 = (r * w) % q;
  return ((modPow(g, u1, p) * modPow(y, u2, p)) % p) % q === r;
}

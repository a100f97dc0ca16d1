/**
 * ECDSA for what WebCrypto does not offer, so that valid mail OpenSSL verifies is not "an algorithm that cannot be
 * checked here" (never trusted):
 * - the Brainpool curves (RFC 5639): European CAs issue S/MIME certificates on them (German public administration
 *   and health care among others);
 * - SHA-224 on the NIST curves (ecdsa-with-SHA224; WebCrypto has no SHA-224). RSA with SHA-224 already had its
 *   BigInt path (rsa.ts).
 *
 * Verification only (nothing secret is computed), with @noble/curves' audited short-Weierstrass arithmetic: the
 * public key is checked to lie on the curve when it is decoded, r and s to lie in [1, n-1], and a digest longer
 * than the group order is truncated as ECDSA prescribes (bits2int). The curve parameters below are RFC 5639's;
 * test/signature/brainpool.test.ts compares them with OpenSSL's `ecparam -param_enc explicit`.
 *
 * Cost: one verification takes a few milliseconds (256-bit curves) to ~40 ms (brainpoolP512r1, P-521) of BigInt
 * arithmetic on an idle machine, against well under a millisecond in WebCrypto. So it is charged by size against the
 * message's public-key budget (signature/limits.ts): jsEcdsaCost operations, one of them already spent by the
 * dispatcher; a message can make at most 16 checks on the largest curves (~0.7 s), not 64.
 */
import { ecdsa, weierstrassN } from '@noble/curves/abstract/weierstrass';
import { p256, p384, p521 } from '@noble/curves/nist';
import { sha256 } from '@noble/hashes/sha2';

export type BrainpoolCurve = 'brainpoolP256r1' | 'brainpoolP384r1' | 'brainpoolP512r1';
export type JsCurve = BrainpoolCurve | 'P-256' | 'P-384' | 'P-521';

/** RFC 5639 §3.4, §3.6, §3.7 (the "r1" curves; the twisted "t1" ones are not used for certificates). */
export const BRAINPOOL_PARAMS: Record<BrainpoolCurve, { p: bigint; a: bigint; b: bigint; Gx: bigint; Gy: bigint; n: bigint }> = {
  brainpoolP256r1: {
    p: 0xa9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377n,
    a: 0x7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9n,
    b: 0x26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6n,
    Gx: 0x8bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262n,
    Gy: 0x547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997n,
    n: 0xa9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7n,
  },
  brainpoolP384r1: {
    p: 0x8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b412b1da197fb71123acd3a729901d1a71874700133107ec53n,
    a: 0x7bc382c63d8c150c3c72080ace05afa0c2bea28e4fb22787139165efba91f90f8aa5814a503ad4eb04a8c7dd22ce2826n,
    b: 0x4a8c7dd22ce28268b39b55416f0447c2fb77de107dcd2a62e880ea53eeb62d57cb4390295dbc9943ab78696fa504c11n,
    Gx: 0x1d1c64f068cf45ffa2a63a81b7c13f6b8847a3e77ef14fe3db7fcafe0cbd10e8e826e03436d646aaef87b2e247d4af1en,
    Gy: 0x8abe1d7520f9c2a45cb1eb8e95cfd55262b70b29feec5864e19c054ff99129280e4646217791811142820341263c5315n,
    n: 0x8cb91e82a3386d280f5d6f7e50e641df152f7109ed5456b31f166e6cac0425a7cf3ab6af6b7fc3103b883202e9046565n,
  },
  brainpoolP512r1: {
    p: 0xaadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca703308717d4d9b009bc66842aecda12ae6a380e62881ff2f2d82c68528aa6056583a48f3n,
    a: 0x7830a3318b603b89e2327145ac234cc594cbdd8d3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94can,
    b: 0x3df91610a83441caea9863bc2ded5d5aa8253aa10a2ef1c98b9ac8b57f1117a72bf2c7b9e7c1ac4d77fc94cadc083e67984050b75ebae5dd2809bd638016f723n,
    Gx: 0x81aee4bdd82ed9645a21322e9c4c6a9385ed9f70b5d916c1b43b62eef4d0098eff3b1f78e2d0d48d50d1687b93b97d5f7c6d5047406a5e688b352209bcb9f822n,
    Gy: 0x7dde385d566332ecc0eabfa9cf7822fdf209f70024a57b1aa000c55b881f8111b2dcde494a5f485e5bca4bd88a2763aed1ca2b2fa8f0540678cd1e0f3ad80892n,
    n: 0xaadd9db8dbe9c48b3fd4e6ae33c9fc07cb308db3b3c9d20ed6639cca70330870553e5c414ca92619418661197fac10471db1d381085ddaddb58796829ca90069n,
  },
};

export const BRAINPOOL_OIDS: Record<string, BrainpoolCurve> = {
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
  '1.3.36.3.3.2.8.1.1.11': 'brainpoolP384r1',
  '1.3.36.3.3.2.8.1.1.13': 'brainpoolP512r1',
};

type Verifier = Pick<ReturnType<typeof ecdsa>, 'verify'>;
const verifiers = new Map<JsCurve, Verifier>([
  ['P-256', p256],
  ['P-384', p384],
  ['P-521', p521],
]);

function verifierFor(curve: JsCurve): Verifier {
  let v = verifiers.get(curve);
  if (!v) {
    const c = BRAINPOOL_PARAMS[curve as BrainpoolCurve];
    const Point = weierstrassN<bigint>({ ...c, h: 1n });
    // The hash only matters for signing (nonce generation); verification is given the digest itself.
    v = ecdsa(Point, sha256);
    verifiers.set(curve, v);
  }
  return v;
}

/** Budget operations one verification on `curve` counts as: 1 up to 256 bits, 2 up to 384, 4 above. */
export function jsEcdsaCost(curve: JsCurve): number {
  return curve.endsWith('256r1') || curve === 'P-256' ? 1 : curve.endsWith('384r1') || curve === 'P-384' ? 2 : 4;
}

/** Byte length of a coordinate / of r and s on a Brainpool curve. */
export function brainpoolSize(curve: BrainpoolCurve): number {
  return (BRAINPOOL_PARAMS[curve].p.toString(16).length + 1) >> 1;
}

/**
 * Whether `rawSignature` (r||s, each the curve's size in bytes) is a valid ECDSA signature of `digest` under the
 * point `publicKey` (the SubjectPublicKeyInfo's bits: 04||x||y, or a compressed form). A key not on the curve, or r
 * or s out of range, is simply not valid.
 */
export function verifyEcdsaJs(curve: JsCurve, digest: Uint8Array, rawSignature: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    return verifierFor(curve).verify(rawSignature, digest, publicKey, { prehash: false, lowS: false, format: 'compact' });
  } catch {
    return false;
  }
}

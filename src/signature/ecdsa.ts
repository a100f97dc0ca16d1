/**
 * ECDSA on the NIST curves through WebCrypto, which wants r||s where X.509 and CMS carry DER; what WebCrypto lacks
 * (the Brainpool curves, SHA-224) through ecdsa-js.ts.
 */
import * as asn1js from 'asn1js';
import type { CryptoEngine } from '../crypto';
import { CURVES, OID, WEBCRYPTO_DIGESTS, curveName, type DigestName } from '../cms/algorithms';
import { digest } from '../cms/digest';
import { BRAINPOOL_OIDS, brainpoolSize, jsEcdsaCost, verifyEcdsaJs, type JsCurve } from './ecdsa-js';
import { budgetExceededDetail, publicKeyBudgetOf } from './limits';
import { keyMismatch, spkiBytes, stripZeros } from './key';
import { importVerifyKey } from './key-cache';
import type { Buf, SignatureCheck, SignatureInput } from './types';

export async function verifyEcdsa(
  input: SignatureInput,
  hash: DigestName | undefined,
  crypto: CryptoEngine,
): Promise<SignatureCheck> {
  const scheme = 'ECDSA' as const;
  if (input.publicKey.algorithm.algorithmId !== OID.ecPublicKey) return keyMismatch(scheme, input.publicKey);
  const params = input.publicKey.algorithm.algorithmParams as asn1js.AsnType | undefined;
  const curveOid = params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : '';
  const brainpool = BRAINPOOL_OIDS[curveOid];
  if (brainpool) {
    if (!hash) return { status: 'unsupported', scheme, detail: 'ECDSA with no digest' };
    const spent = chargeJs(brainpool, crypto);
    if (spent) return spent;
    const raw = ecdsaDerToRaw(input.signature, brainpoolSize(brainpool));
    if (!raw) return { status: 'invalid', scheme, hash, detail: 'the ECDSA signature value is malformed' };
    const point = input.publicKey.subjectPublicKey.valueBlock.valueHexView;
    const ok = verifyEcdsaJs(brainpool, await digest(hash, input.data, crypto), raw, point);
    return { status: ok ? 'valid' : 'invalid', scheme, hash };
  }
  const curve = CURVES[curveOid];
  if (!curve) return { status: 'unsupported', scheme, detail: `ECDSA on curve ${curveName(curveOid) || 'with explicit parameters'}` };
  if (!hash || hash === 'MD5') return { status: 'unsupported', scheme, detail: `ECDSA with ${hash ?? 'no digest'}` };
  const raw = ecdsaDerToRaw(input.signature, curve.size);
  if (!raw) return { status: 'invalid', scheme, hash, detail: 'the ECDSA signature value is malformed' };
  if (!WEBCRYPTO_DIGESTS.has(hash)) {
    // SHA-224 (ecdsa-with-SHA224): WebCrypto has no such digest.
    const spent = chargeJs(curve.name, crypto);
    if (spent) return spent;
    const ok = verifyEcdsaJs(curve.name, await digest(hash, input.data, crypto), raw, input.publicKey.subjectPublicKey.valueBlock.valueHexView);
    return { status: ok ? 'valid' : 'invalid', scheme, hash };
  }
  const key = await importVerifyKey(crypto, input.publicKey, { name: 'ECDSA', namedCurve: curve.name }, () => spkiBytes(input.publicKey));
  const ok = await crypto.subtle.verify({ name: 'ECDSA', hash }, key, raw as Buf, input.data as Buf);
  return { status: ok ? 'valid' : 'invalid', scheme, hash };
}

/**
 * The JavaScript arithmetic costs more than WebCrypto's (ecdsa-js.ts): charge the rest of its weight against the
 * message's budget (the dispatcher took one operation); a check the budget cannot pay for is not done.
 */
function chargeJs(curve: JsCurve, crypto: CryptoEngine): SignatureCheck | undefined {
  const budget = publicKeyBudgetOf(crypto);
  if (!budget) return undefined;
  for (let i = 1; i < jsEcdsaCost(curve); i++) {
    if (!budget.take()) return { status: 'unsupported', scheme: 'ECDSA', detail: budgetExceededDetail(budget.limit), overBudget: true };
  }
  return undefined;
}

/** Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } → r||s, each left-padded to the curve size. */
export function ecdsaDerToRaw(sig: Uint8Array, size: number): Uint8Array | undefined {
  const parsed = asn1js.fromBER(sig);
  if (parsed.offset !== sig.length) return undefined;
  const seq = parsed.result;
  if (!(seq instanceof asn1js.Sequence) || seq.valueBlock.value.length !== 2) return undefined;
  const out = new Uint8Array(size * 2);
  for (let i = 0; i < 2; i++) {
    const int = seq.valueBlock.value[i];
    if (!(int instanceof asn1js.Integer)) return undefined;
    const v = stripZeros(int.valueBlock.valueHexView);
    if (v.length > size) return undefined;
    out.set(v, size * (i + 1) - v.length);
  }
  return out;
}

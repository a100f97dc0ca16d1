/**
 * PKCS#12 (.p12/.pfx) import: the user's certificate, chain and private key, protected by a password.
 *
 * Handles what real exports use:
 * - PBES2 (PBKDF2 + AES-CBC, or 3DES) — OpenSSL 3's default and NSS/Thunderbird since 2023;
 * - pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd2-KeyTripleDES-CBC, pbeWithSHAAnd128/40BitRC2-CBC — older
 *   Windows, Thunderbird and `openssl pkcs12 -legacy` exports (3DES and RC2 in keys/des.ts, keys/rc2.ts);
 * - the password MAC (HMAC with the PKCS#12 KDF, SHA-1/256/384/512), checked before anything is decrypted, so a
 *   wrong password is reported as such and never as a parse error.
 * Limits: public-key (not password) integrity and privacy modes and PBMAC1 (RFC 9579) are reported unsupported.
 * The private key becomes non-extractable WebCrypto keys (keys/identity.ts); decrypted PKCS#8 bytes are wiped.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { decodeBer, integerValue } from '../cms/ber';
import { defaultCrypto, type CryptoEngine } from '../crypto';
import { bs, buf } from './bytes';
import { tripleDesCbcDecrypt } from './des';
import { certificateEmails } from '../certs/details';
import {
  fingerprint,
  importPrivateKey,
  wipe,
  type Identity,
} from './identity';
import { bmpPassword, pkcs12Kdf, PKCS12_IV, PKCS12_KEY, PKCS12_MAC } from './pkcs12-kdf';
import { rc2CbcDecrypt } from './rc2';
import type { ShaName } from './sha';

export type Pkcs12ErrorCode = 'wrong-password' | 'malformed' | 'unsupported' | 'no-key' | 'no-certificate';

export type Pkcs12Result =
  | { ok: true; identity: Identity }
  | { ok: false; error: { code: Pkcs12ErrorCode; message: string } };

export interface Pkcs12Options {
  /** Keep the sealed RSA key needed to read RSAES-PKCS1-v1_5 encrypted mail (default true). */
  keepRsaForPkcs1Decrypt?: boolean;
  /**
   * Receives a copy of the PKCS#8 private key before it is turned into non-extractable keys, for a store that
   * wraps it under the user's passphrase (keys/protected-keystore.ts). The copy is the callee's to wipe.
   */
  onPrivateKey?: (pkcs8: Uint8Array) => void;
}

/**
 * Bounds against hostile files: size, iteration count per derivation, and the derivation work of the whole file.
 * Real exports: OpenSSL 2,048 by default (the same count for the MAC), NSS 2,000-600,000, Windows 2,000, Java
 * 10,000-100,000; `openssl pkcs12 -iter 10000000` is the most anyone asks for. One derivation at the limit takes
 * seconds (PBKDF2 natively; the PKCS#12 KDF of the MAC and legacy ciphers in script, ~2-3.5 µs per hash), and a
 * file may hold any number of encrypted bags, each with its own count: a 1 MiB file of bags at 10,000,000 would
 * cost hours. So the iterations of all derivations of a file are also added up (counting a derivation's output
 * blocks) and the file is refused once the sum exceeds what two derivations at the limit need.
 */
const MAX_BYTES = 1 << 20;
export const MAX_PBKDF2_ITERATIONS = 10_000_000;
export const MAX_PKCS12_KDF_ITERATIONS = 1_000_000;
export const MAX_PBKDF2_WORK = 2 * MAX_PBKDF2_ITERATIONS + 5_000_000;
export const MAX_PKCS12_KDF_WORK = 3 * MAX_PKCS12_KDF_ITERATIONS;

/** The derivation work spent on one file so far (iterations × output blocks), against the bounds above. */
class KdfBudget {
  private pbkdf2 = 0;
  private pkcs12 = 0;
  /** A dry run only adds up what the file declares (declaredWork); nothing is derived. */
  constructor(readonly dryRun = false) {}
  spend(kind: 'pbkdf2' | 'pkcs12', iterations: number, blocks: number): void {
    const total = (this[kind] += iterations * blocks);
    const max = kind === 'pbkdf2' ? MAX_PBKDF2_WORK : MAX_PKCS12_KDF_WORK;
    if (total > max) {
      throw new LimitFailure('unsupported', `The key file asks for more key-derivation work than this program allows (its iteration counts add up to over ${max.toLocaleString('en-US')}).`);
    }
  }
}

function tooManyIterations(iterations: number, max: number): Pkcs12Failure {
  return new LimitFailure('unsupported', `The key file asks for ${iterations.toLocaleString('en-US')} iterations; this program allows at most ${max.toLocaleString('en-US')}.`);
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  encryptedData: '1.2.840.113549.1.7.6',
  keyBag: '1.2.840.113549.1.12.10.1.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  localKeyId: '1.2.840.113549.1.9.21',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  desEde3Cbc: '1.2.840.113549.3.7',
};

const HASH_BYTES: Record<ShaName, number> = { 'SHA-1': 20, 'SHA-256': 32, 'SHA-384': 48, 'SHA-512': 64 };
const HMAC_PRF: Record<string, ShaName> = {
  '1.2.840.113549.2.7': 'SHA-1',
  '1.2.840.113549.2.9': 'SHA-256',
  '1.2.840.113549.2.10': 'SHA-384',
  '1.2.840.113549.2.11': 'SHA-512',
};
const DIGESTS: Record<string, ShaName> = {
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};
const AES_CBC: Record<string, number> = {
  '2.16.840.1.101.3.4.1.2': 16,
  '2.16.840.1.101.3.4.1.22': 24,
  '2.16.840.1.101.3.4.1.42': 32,
};
/** pkcs-12PbeIds: cipher and key length (bytes) or RC2 effective bits. */
const LEGACY_PBE: Record<string, { cipher: '3des' | 'rc2'; keyLen: number; rc2Bits?: number; name: string }> = {
  '1.2.840.113549.1.12.1.3': { cipher: '3des', keyLen: 24, name: 'pbeWithSHAAnd3-KeyTripleDES-CBC' },
  '1.2.840.113549.1.12.1.4': { cipher: '3des', keyLen: 16, name: 'pbeWithSHAAnd2-KeyTripleDES-CBC' },
  '1.2.840.113549.1.12.1.5': { cipher: 'rc2', keyLen: 16, rc2Bits: 128, name: 'pbeWithSHAAnd128BitRC2-CBC' },
  '1.2.840.113549.1.12.1.6': { cipher: 'rc2', keyLen: 5, rc2Bits: 40, name: 'pbeWithSHAAnd40BitRC2-CBC' },
};

class Pkcs12Failure extends Error {
  constructor(
    readonly code: Pkcs12ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Over one of the work bounds (the dry run of declaredWork stops at these only). */
class LimitFailure extends Pkcs12Failure {}

function octets(x: unknown): Uint8Array {
  if (x instanceof asn1js.OctetString) return new Uint8Array(x.getValue());
  throw new Pkcs12Failure('malformed', 'The key file is damaged (an expected OCTET STRING is missing).');
}

function intValue(x: unknown, what: string): number {
  const v = integerValue(x);
  if (v !== undefined && v > 0) return v;
  throw new Pkcs12Failure('malformed', `The key file is damaged (bad ${what}).`);
}

const WRONG_PASSWORD = 'Wrong password for this key file.';

/** Removes PKCS#7 padding, or reports the wrong password (the usual cause of bad padding). */
function unpad(p: Uint8Array, block: number): Uint8Array {
  const n = p[p.length - 1];
  if (p.length === 0 || n < 1 || n > block || n > p.length) throw new Pkcs12Failure('wrong-password', WRONG_PASSWORD);
  for (let i = p.length - n; i < p.length; i++) if (p[i] !== n) throw new Pkcs12Failure('wrong-password', WRONG_PASSWORD);
  return p.subarray(0, p.length - n);
}

/** Decrypts one password-protected blob (shrouded key bag or encrypted safe contents). */
async function pbeDecrypt(
  alg: pkijs.AlgorithmIdentifier,
  data: Uint8Array,
  password: string,
  crypto: CryptoEngine,
  budget: KdfBudget,
): Promise<Uint8Array> {
  const subtle = crypto.subtle ?? crypto;
  const legacy = LEGACY_PBE[alg.algorithmId];
  if (legacy) {
    const params = alg.algorithmParams;
    if (!(params instanceof asn1js.Sequence) || params.valueBlock.value.length < 2) {
      throw new Pkcs12Failure('malformed', `The key file is damaged (bad ${legacy.name} parameters).`);
    }
    const salt = octets(params.valueBlock.value[0]);
    const iterations = intValue(params.valueBlock.value[1], 'iteration count');
    if (iterations > MAX_PKCS12_KDF_ITERATIONS) throw tooManyIterations(iterations, MAX_PKCS12_KDF_ITERATIONS);
    budget.spend('pkcs12', iterations, Math.ceil(legacy.keyLen / 20) + 1); // SHA-1 blocks for the key, one for the IV
    if (budget.dryRun) return new Uint8Array(0);
    const pw = bmpPassword(password);
    const key = pkcs12Kdf('SHA-1', pw, salt, PKCS12_KEY, iterations, legacy.keyLen);
    const iv = pkcs12Kdf('SHA-1', pw, salt, PKCS12_IV, iterations, 8);
    wipe(pw);
    if (data.length === 0 || data.length % 8 !== 0) throw new Pkcs12Failure('malformed', 'The key file is damaged (bad ciphertext length).');
    const padded = legacy.cipher === '3des' ? tripleDesCbcDecrypt(key, iv, data) : rc2CbcDecrypt(key, legacy.rc2Bits!, iv, data);
    wipe(key);
    return unpad(padded, 8);
  }
  if (alg.algorithmId === OID.pbes2) {
    let pbes2: pkijs.PBES2Params;
    try {
      pbes2 = new pkijs.PBES2Params({ schema: alg.algorithmParams });
    } catch {
      throw new Pkcs12Failure('malformed', 'The key file is damaged (bad PBES2 parameters).');
    }
    if (pbes2.keyDerivationFunc.algorithmId !== OID.pbkdf2) {
      throw new Pkcs12Failure('unsupported', `The key file uses a key derivation this program does not support (${pbes2.keyDerivationFunc.algorithmId}).`);
    }
    const kdf = new pkijs.PBKDF2Params({ schema: pbes2.keyDerivationFunc.algorithmParams });
    const salt = octets(kdf.salt);
    // PBKDF2-params ::= SEQUENCE { salt, iterationCount INTEGER, … }: read from the encoding (see integerValue).
    const kdfParams = pbes2.keyDerivationFunc.algorithmParams;
    const iterations = intValue(kdfParams instanceof asn1js.Sequence ? kdfParams.valueBlock.value[1] : undefined, 'PBKDF2 iteration count');
    if (iterations > MAX_PBKDF2_ITERATIONS) throw tooManyIterations(iterations, MAX_PBKDF2_ITERATIONS);
    const prfOid = kdf.prf?.algorithmId ?? '1.2.840.113549.2.7';
    const prf = HMAC_PRF[prfOid];
    if (!prf) throw new Pkcs12Failure('unsupported', `The key file uses a PBKDF2 hash this program does not support (${prfOid}).`);
    const scheme = pbes2.encryptionScheme;
    const aesLen = AES_CBC[scheme.algorithmId];
    const keyLen = aesLen ?? (scheme.algorithmId === OID.desEde3Cbc ? 24 : 0);
    if (!keyLen) throw new Pkcs12Failure('unsupported', `The key file uses a cipher this program does not support (${scheme.algorithmId}).`);
    budget.spend('pbkdf2', iterations, Math.ceil(keyLen / HASH_BYTES[prf]));
    if (budget.dryRun) return new Uint8Array(0);
    const iv = octets(scheme.algorithmParams);
    const base = await subtle.importKey('raw', new TextEncoder().encode(password), 'PBKDF2', false, ['deriveBits']);
    const keyBytes = new Uint8Array(
      await subtle.deriveBits({ name: 'PBKDF2', salt: bs(salt), iterations, hash: prf }, base, keyLen * 8),
    );
    if (aesLen) {
      const key = await subtle.importKey('raw', bs(keyBytes), 'AES-CBC', false, ['decrypt']);
      wipe(keyBytes);
      try {
        return new Uint8Array(await subtle.decrypt({ name: 'AES-CBC', iv: bs(iv) }, key, bs(data)));
      } catch {
        // WebCrypto rejects bad padding: with a MAC already checked this means a wrong or damaged password.
        throw new Pkcs12Failure('wrong-password', WRONG_PASSWORD);
      }
    }
    if (iv.length !== 8 || data.length === 0 || data.length % 8 !== 0) throw new Pkcs12Failure('malformed', 'The key file is damaged (bad 3DES parameters).');
    const padded = tripleDesCbcDecrypt(keyBytes, iv, data);
    wipe(keyBytes);
    return unpad(padded, 8);
  }
  throw new Pkcs12Failure('unsupported', `The key file uses an encryption this program does not support (${alg.algorithmId}).`);
}

/** The password MAC over the authenticated safe (RFC 7292 §5 / appendix B). */
/**
 * MacData ::= SEQUENCE { mac DigestInfo, macSalt OCTET STRING, iterations INTEGER DEFAULT 1 }, the last field of
 * the PFX. Its iteration count is read from the encoding: pkijs takes asn1js' valueDec, 0 from 2^23 on, so a file
 * made with `openssl pkcs12 -iter 10000000` was checked with one iteration and reported as a wrong password.
 */
function macIterations(pfxBytes: Uint8Array): number {
  const pfx = decodeBer(pfxBytes).result;
  const macData = pfx instanceof asn1js.Sequence ? pfx.valueBlock.value[2] : undefined;
  const field = macData instanceof asn1js.Sequence ? macData.valueBlock.value[2] : undefined;
  return field === undefined ? 1 : intValue(field, 'MAC iteration count');
}

async function checkMac(pfx: pkijs.PFX, pfxBytes: Uint8Array, content: Uint8Array, password: string, crypto: CryptoEngine, budget: KdfBudget): Promise<void> {
  const mac = pfx.macData;
  if (!mac) return;
  const hash = DIGESTS[mac.mac.digestAlgorithm.algorithmId];
  if (!hash) throw new Pkcs12Failure('unsupported', `The key file's integrity check uses an algorithm this program does not support (${mac.mac.digestAlgorithm.algorithmId}).`);
  const iterations = macIterations(pfxBytes);
  if (iterations > MAX_PKCS12_KDF_ITERATIONS) throw tooManyIterations(iterations, MAX_PKCS12_KDF_ITERATIONS);
  if (budget.dryRun) return budget.spend('pkcs12', iterations, password === '' ? 2 : 1);
  const salt = new Uint8Array(mac.macSalt.valueBlock.valueHexView);
  const expected = new Uint8Array(mac.mac.digest.valueBlock.valueHexView);
  const subtle = crypto.subtle ?? crypto;
  const hlen = HASH_BYTES[hash];
  // OpenSSL and NSS treat an empty password as either the empty BMPString or no bytes at all: try both.
  const candidates = password === '' ? [bmpPassword(''), new Uint8Array(0)] : [bmpPassword(password)];
  for (const pw of candidates) {
    budget.spend('pkcs12', iterations, 1);
    const k = pkcs12Kdf(hash, pw, salt, PKCS12_MAC, iterations, hlen);
    wipe(pw);
    const key = await subtle.importKey('raw', bs(k), { name: 'HMAC', hash }, false, ['verify']);
    wipe(k);
    if (await subtle.verify('HMAC', key, bs(expected), bs(content))) return;
  }
  throw new Pkcs12Failure('wrong-password', WRONG_PASSWORD);
}

/**
 * Spends on a dry-run budget the derivations visible without a password: each encrypted content and each shrouded
 * key outside one. (Shrouded keys inside encrypted contents are counted by the real budget as they are reached.)
 */
async function declaredWork(authSafe: pkijs.AuthenticatedSafe, crypto: CryptoEngine, budget: KdfBudget): Promise<void> {
  for (const ci of authSafe.safeContents) {
    try {
      if (ci.contentType === OID.encryptedData) {
        // Read from a copy: pkijs rewrites the implicit tags of the schema it is given, and the real pass reads it again.
        const copy = asn1js.fromBER((ci.content as asn1js.AsnType).toBER(false)).result;
        const alg = new pkijs.EncryptedData({ schema: copy }).encryptedContentInfo.contentEncryptionAlgorithm;
        await pbeDecrypt(alg, new Uint8Array(0), '', crypto, budget);
      } else if (ci.contentType === OID.data) {
        for (const bag of pkijs.SafeContents.fromBER(buf(octets(ci.content))).safeBags) {
          if (bag.bagId === OID.shroudedKeyBag) await pbeDecrypt((bag.bagValue as pkijs.PKCS8ShroudedKeyBag).encryptionAlgorithm, new Uint8Array(0), '', crypto, budget);
        }
      }
    } catch (e) {
      if (e instanceof LimitFailure) throw e;
      // Anything damaged is reported by the real pass, in its place.
    }
  }
}

interface Bag {
  localKeyId?: string;
}

function localKeyId(bag: pkijs.SafeBag): string | undefined {
  for (const a of bag.bagAttributes ?? []) {
    if (a.type === OID.localKeyId && a.values[0] instanceof asn1js.OctetString) {
      return Array.from(new Uint8Array(a.values[0].getValue()), (b) => b.toString(16).padStart(2, '0')).join('');
    }
  }
  return undefined;
}

/** Reads a .p12/.pfx. Never throws for a bad file or password: the result says what is wrong. */
export async function importPkcs12(
  bytes: Uint8Array,
  password: string,
  crypto: CryptoEngine = defaultCrypto(),
  options: Pkcs12Options = {},
): Promise<Pkcs12Result> {
  const keys: { pkcs8: Uint8Array; id?: string }[] = [];
  try {
    if (bytes.length > MAX_BYTES) throw new Pkcs12Failure('malformed', 'The key file is too large to be a PKCS#12 file.');
    let pfx: pkijs.PFX;
    try {
      pfx = pkijs.PFX.fromBER(buf(bytes));
    } catch {
      throw new Pkcs12Failure('malformed', 'This is not a PKCS#12 (.p12/.pfx) file, or it is damaged.');
    }
    if (pfx.authSafe.contentType !== OID.data) {
      throw new Pkcs12Failure('unsupported', 'The key file uses public-key integrity protection, which this program does not support.');
    }
    const authSafeBytes = octets(pfx.authSafe.content);
    let authSafe: pkijs.AuthenticatedSafe | undefined;
    try {
      authSafe = pkijs.AuthenticatedSafe.fromBER(buf(authSafeBytes));
    } catch {
      // Reported after the MAC check: with a wrong password that is the more useful sentence.
    }
    // A file that declares more derivation work than allowed is refused before the first derivation.
    const declared = new KdfBudget(true);
    await checkMac(pfx, bytes, authSafeBytes, password, crypto, declared);
    if (authSafe) await declaredWork(authSafe, crypto, declared);
    const budget = new KdfBudget();
    await checkMac(pfx, bytes, authSafeBytes, password, crypto, budget);
    if (!authSafe) throw new Pkcs12Failure('malformed', 'The key file is damaged (its contents cannot be read).');
    const certs: (Bag & { der: Uint8Array; cert: pkijs.Certificate })[] = [];

    const readSafeContents = async (der: Uint8Array) => {
      let sc: pkijs.SafeContents;
      try {
        sc = pkijs.SafeContents.fromBER(buf(der));
      } catch {
        // Undecodable after decryption without a MAC: the password is the likely cause.
        throw new Pkcs12Failure(pfx.macData ? 'malformed' : 'wrong-password', pfx.macData ? 'The key file is damaged (a bag cannot be read).' : WRONG_PASSWORD);
      }
      for (const bag of sc.safeBags) {
        const id = localKeyId(bag);
        if (bag.bagId === OID.shroudedKeyBag) {
          const v = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
          const pkcs8 = await pbeDecrypt(v.encryptionAlgorithm, new Uint8Array(v.encryptedData.getValue()), password, crypto, budget);
          keys.push({ pkcs8, id });
        } else if (bag.bagId === OID.keyBag) {
          keys.push({ pkcs8: new Uint8Array((bag.bagValue as pkijs.PrivateKeyInfo).toSchema().toBER()), id });
        } else if (bag.bagId === OID.certBag) {
          const v = bag.bagValue as pkijs.CertBag;
          if (v.certId === OID.x509Certificate && v.parsedValue instanceof pkijs.Certificate) {
            const der = new Uint8Array((v.certValue as asn1js.OctetString).getValue());
            certs.push({ der, cert: v.parsedValue, localKeyId: id });
          }
        }
      }
    };

    for (const ci of authSafe.safeContents) {
      if (ci.contentType === OID.data) {
        await readSafeContents(octets(ci.content));
      } else if (ci.contentType === OID.encryptedData) {
        const ed = new pkijs.EncryptedData({ schema: ci.content });
        const eci = ed.encryptedContentInfo;
        if (!eci.encryptedContent) continue;
        const plain = await pbeDecrypt(eci.contentEncryptionAlgorithm, new Uint8Array(eci.getEncryptedContent()), password, crypto, budget);
        await readSafeContents(plain);
      } else {
        throw new Pkcs12Failure('unsupported', 'The key file uses public-key privacy protection, which this program does not support.');
      }
    }

    if (keys.length === 0) throw new Pkcs12Failure('no-key', 'The key file holds no private key (only certificates).');
    if (certs.length === 0) throw new Pkcs12Failure('no-certificate', 'The key file holds a private key but no certificate.');
    const key = keys[0];
    // The leaf: the certificate with the key's localKeyId, else the one that is not a CA.
    const leaf =
      certs.find((c) => key.id !== undefined && c.localKeyId === key.id) ??
      certs.find((c) => !isCA(c.cert)) ??
      certs[0];
    options.onPrivateKey?.(key.pkcs8.slice());
    const imported = await importPrivateKey(key.pkcs8, crypto, options.keepRsaForPkcs1Decrypt ?? true);
    if (!imported.ok) throw new Pkcs12Failure('unsupported', imported.message);
    const chain = orderChain(leaf.cert, certs.filter((c) => c !== leaf));
    return {
      ok: true,
      identity: {
        id: await fingerprint(leaf.der, crypto),
        certificate: leaf.der,
        chain,
        emails: certificateEmails(leaf.cert),
        keys: imported.keys,
      },
    };
  } catch (e) {
    if (e instanceof Pkcs12Failure) return { ok: false, error: { code: e.code, message: e.message } };
    return { ok: false, error: { code: 'malformed', message: `The key file could not be read (${e instanceof Error ? e.message : String(e)}).` } };
  } finally {
    for (const k of keys) wipe(k.pkcs8);
  }
}

function isCA(c: pkijs.Certificate): boolean {
  const bc = c.extensions?.find((e) => e.extnID === '2.5.29.19')?.parsedValue as pkijs.BasicConstraints | undefined;
  return !!bc?.cA;
}

function sameName(a: pkijs.RelativeDistinguishedNames, b: pkijs.RelativeDistinguishedNames): boolean {
  return a.isEqual(b);
}

/** Issuer chain from the leaf upwards, using the bag's certificates, stopping before a self-signed root. */
function orderChain(leaf: pkijs.Certificate, others: { der: Uint8Array; cert: pkijs.Certificate }[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let cur = leaf;
  const used = new Set<number>();
  for (let depth = 0; depth < 10; depth++) {
    if (sameName(cur.issuer, cur.subject)) break;
    const i = others.findIndex((o, j) => !used.has(j) && sameName(o.cert.subject, cur.issuer));
    if (i < 0) break;
    used.add(i);
    const next = others[i];
    if (sameName(next.cert.issuer, next.cert.subject)) break; // the root stays out of `certificates`
    out.push(next.der);
    cur = next.cert;
  }
  return out;
}

/**
 * The one signature verifier (src/signature/) against OpenSSL-made signatures, an independent implementation:
 * for every algorithm, OpenSSL's `dgst -verify` and ours agree on the genuine signature, on changed data and on a
 * changed signature. DSA (which WebCrypto lacks) gets the malformed inputs too: each gives a result, none throws.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from '../../src/cms/algorithms';
import { modInverse, modPow } from '../../src/bigint';
import { dsaParamsOf } from '../../src/signature/key';
import { signatureDigest, verifySignature, type SignatureCheck, type SignatureInput } from '../../src/signature/verify';
import { openssl, runOpenssl } from '../support/pki';

const dir = mkdtempSync(join(tmpdir(), 'sigverify-'));
const DATA = Buffer.from('The signed bytes: a TBSCertificate, a CRL or a SET OF signed attributes.\n');
writeFileSync(join(dir, 'data'), DATA);

const SIG_OID = {
  'dsa-sha1': '1.2.840.10040.4.3',
  'dsa-sha224': '2.16.840.1.101.3.4.3.1',
  'dsa-sha256': '2.16.840.1.101.3.4.3.2',
  'dsa-sha512': '2.16.840.1.101.3.4.3.4',
  'rsa-sha256': '1.2.840.113549.1.1.11',
  'rsa-sha224': '1.2.840.113549.1.1.14',
  'rsa-sha1': '1.2.840.113549.1.1.5',
  'ecdsa-sha256': '1.2.840.10045.4.3.2',
  ed25519: OID.ed25519,
} as const;

interface Key {
  name: string;
  pem: string;
  spki: pkijs.PublicKeyInfo;
}

const keys = new Map<string, Promise<Key>>();
function key(name: string, gen: () => Promise<string[]>): Promise<Key> {
  let k = keys.get(name);
  if (!k) {
    k = (async () => {
      const pem = join(dir, `${name}.key`);
      await openssl([...(await gen()), '-out', pem]);
      const der = await openssl(['pkey', '-in', pem, '-pubout', '-outform', 'DER']);
      return { name, pem, spki: pkijs.PublicKeyInfo.fromBER(new Uint8Array(der)) };
    })();
    keys.set(name, k);
  }
  return k;
}

/** DSA 1024/160 (as NIST PKITS) or 2048/256: parameters first, then a key in that group. */
function dsaKey(bits: 1024 | 2048): Promise<Key> {
  return key(`dsa${bits}`, async () => {
    const params = join(dir, `dsa${bits}.params`);
    const q = bits === 1024 ? '160' : '256';
    await openssl(['genpkey', '-genparam', '-algorithm', 'DSA', '-pkeyopt', `dsa_paramgen_bits:${bits}`, '-pkeyopt', `dsa_paramgen_q_bits:${q}`, '-out', params]);
    return ['genpkey', '-paramfile', params];
  });
}
const rsaKey = () => key('rsa2048', async () => ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048']);
const ecKey = () => key('p256', async () => ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
const edKey = () => key('ed25519', async () => ['genpkey', '-algorithm', 'ED25519']);

/** OpenSSL's signature over `data` (DER r,s for DSA/ECDSA, as X.509 and CMS carry them). */
async function opensslSign(k: Key, md: string | undefined, data = DATA): Promise<Uint8Array> {
  writeFileSync(join(dir, 'in'), data);
  const args = md
    ? ['dgst', `-${md}`, '-sign', k.pem, join(dir, 'in')]
    : ['pkeyutl', '-sign', '-rawin', '-inkey', k.pem, '-in', join(dir, 'in')];
  return new Uint8Array(await openssl(args));
}

/** OpenSSL's own verdict on a signature (the other way round). */
async function opensslVerifies(k: Key, md: string | undefined, sig: Uint8Array, data: Uint8Array): Promise<boolean> {
  const pub = join(dir, `${k.name}.pub`);
  writeFileSync(pub, `-----BEGIN PUBLIC KEY-----\n${Buffer.from(k.spki.toSchema().toBER()).toString('base64')}\n-----END PUBLIC KEY-----\n`);
  writeFileSync(join(dir, 'vin'), data);
  writeFileSync(join(dir, 'vsig'), sig);
  const args = md
    ? ['dgst', `-${md}`, '-verify', pub, '-signature', join(dir, 'vsig'), join(dir, 'vin')]
    : ['pkeyutl', '-verify', '-rawin', '-pubin', '-inkey', pub, '-sigfile', join(dir, 'vsig'), '-in', join(dir, 'vin')];
  return (await runOpenssl(args)).code === 0;
}

const alg = (oid: string, params?: asn1js.AsnType) => new pkijs.AlgorithmIdentifier({ algorithmId: oid, algorithmParams: params });

function input(k: Key, oid: string, signature: Uint8Array, data: Uint8Array = DATA, extra: Partial<SignatureInput> = {}): SignatureInput {
  return { algorithm: alg(oid), publicKey: k.spki, signature, data, ...extra };
}

/** The genuine signature, the data changed, the signature changed: OpenSSL and we must say the same each time. */
async function agreeWithOpenssl(k: Key, md: string | undefined, oid: string): Promise<SignatureCheck> {
  const sig = await opensslSign(k, md);
  const changedData = Buffer.concat([DATA, Buffer.from('!')]);
  const changedSig = sig.slice();
  changedSig[changedSig.length - 3] ^= 0x01;
  const cases: [string, Uint8Array, Uint8Array, boolean][] = [
    ['genuine', sig, DATA, true],
    ['changed data', sig, changedData, false],
    ['changed signature', changedSig, DATA, false],
  ];
  let first: SignatureCheck | undefined;
  for (const [what, s, d, expected] of cases) {
    const ours = await verifySignature(input(k, oid, s, d));
    const theirs = await opensslVerifies(k, md, s, d);
    assert.equal(theirs, expected, `${k.name}/${md}: OpenSSL on the ${what} signature`);
    assert.equal(ours.status, expected ? 'valid' : 'invalid', `${k.name}/${md}: ours on the ${what} signature (${ours.detail})`);
    first ??= ours;
  }
  return first!;
}

test('DSA 2048/256: SHA-256, SHA-224 (not in WebCrypto), SHA-1 (shorter than q) and SHA-512 (truncated to q) agree with OpenSSL', async () => {
  const k = await dsaKey(2048);
  for (const [md, oid, hash] of [
    ['sha256', SIG_OID['dsa-sha256'], 'SHA-256'],
    ['sha224', SIG_OID['dsa-sha224'], 'SHA-224'],
    ['sha1', SIG_OID['dsa-sha1'], 'SHA-1'],
    ['sha512', SIG_OID['dsa-sha512'], 'SHA-512'],
  ] as const) {
    const r = await agreeWithOpenssl(k, md, oid);
    assert.equal(r.scheme, 'DSA');
    assert.equal(r.hash, hash);
    assert.equal(r.dsaBits, 2048);
  }
});

test('DSA 1024/160 with SHA-256 (digest longer than q) agrees with OpenSSL and reports the key size', async () => {
  const k = await dsaKey(1024);
  const r = await agreeWithOpenssl(k, 'sha256', SIG_OID['dsa-sha256']);
  assert.equal(r.dsaBits, 1024);
});

test('id-dsa as the signature algorithm takes the digest from the caller (CMS digestAlgorithm)', async () => {
  const k = await dsaKey(2048);
  const sig = await opensslSign(k, 'sha256');
  assert.equal((await verifySignature(input(k, OID.dsa, sig, DATA, { fallbackDigest: 'SHA-256' }))).status, 'valid');
  assert.equal((await verifySignature(input(k, OID.dsa, sig))).status, 'unsupported', 'no digest named at all');
});

test('RSA PKCS #1 v1.5 (SHA-256, SHA-1, and SHA-224 in BigInt), ECDSA P-256 and Ed25519 agree with OpenSSL', async () => {
  const rsa = await rsaKey();
  assert.equal((await agreeWithOpenssl(rsa, 'sha256', SIG_OID['rsa-sha256'])).rsaBits, 2048);
  await agreeWithOpenssl(rsa, 'sha1', SIG_OID['rsa-sha1']);
  assert.equal((await agreeWithOpenssl(rsa, 'sha224', SIG_OID['rsa-sha224'])).hash, 'SHA-224');
  assert.equal((await agreeWithOpenssl(await ecKey(), 'sha256', SIG_OID['ecdsa-sha256'])).scheme, 'ECDSA');
  assert.equal((await agreeWithOpenssl(await edKey(), undefined, SIG_OID.ed25519)).scheme, 'Ed25519');
});

test('RSASSA-PSS: WebCrypto path (MGF1 = hash) and BigInt path (RFC 4055 default MGF1-SHA-1) agree with OpenSSL', async () => {
  const rsa = await rsaKey();
  const pss = (hash: string, mgfHash: string, saltLength: number) =>
    alg(
      OID.rsassaPss,
      new pkijs.RSASSAPSSParams({
        hashAlgorithm: alg(hash),
        maskGenAlgorithm: alg(OID.mgf1, alg(mgfHash).toSchema()),
        saltLength,
      }).toSchema(),
    );
  const SHA256 = '2.16.840.1.101.3.4.2.1';
  const SHA1 = '1.3.14.3.2.26';
  for (const [mgf, mgfOid] of [['sha256', SHA256], ['sha1', SHA1]] as const) {
    writeFileSync(join(dir, 'in'), DATA);
    const sig = new Uint8Array(
      await openssl(['dgst', '-sha256', '-sign', rsa.pem, '-sigopt', 'rsa_padding_mode:pss', '-sigopt', 'rsa_pss_saltlen:32', '-sigopt', `rsa_mgf1_md:${mgf}`, join(dir, 'in')]),
    );
    const algorithm = pss(SHA256, mgfOid, 32);
    assert.equal(signatureDigest(algorithm), 'SHA-256');
    assert.equal((await verifySignature({ algorithm, publicKey: rsa.spki, signature: sig, data: DATA })).status, 'valid', `MGF1-${mgf}`);
    const other = Buffer.concat([DATA, Buffer.from('x')]);
    assert.equal((await verifySignature({ algorithm, publicKey: rsa.spki, signature: sig, data: other })).status, 'invalid', `MGF1-${mgf}, changed data`);
  }
});

// ---- DSA parameters: carried, inherited, absent -------------------------------------------------------------------

/** The same DSA key with its domain parameters left out, as a certificate that inherits them carries it. */
function withoutParams(spki: pkijs.PublicKeyInfo): pkijs.PublicKeyInfo {
  return new pkijs.PublicKeyInfo({ algorithm: alg(OID.dsa), subjectPublicKey: spki.subjectPublicKey });
}

test('a DSA key without parameters verifies with inherited ones, is unsupported without, and wrong ones do not help', async () => {
  const k = await dsaKey(2048);
  const other = await dsaKey(1024);
  const sig = await opensslSign(k, 'sha256');
  const bare = withoutParams(k.spki);
  assert.equal(dsaParamsOf(bare), undefined);
  const base = { algorithm: alg(SIG_OID['dsa-sha256']), publicKey: bare, signature: sig, data: DATA };
  assert.equal((await verifySignature({ ...base, dsaParams: dsaParamsOf(k.spki) })).status, 'valid');
  const none = await verifySignature(base);
  assert.equal(none.status, 'unsupported');
  assert.match(none.detail!, /no domain parameters/);
  assert.equal((await verifySignature({ ...base, dsaParams: dsaParamsOf(other.spki) })).status, 'invalid', "another group's parameters");
  // The key's own parameters win over anything inherited (RFC 5280 §6.1.4 (f)).
  assert.equal((await verifySignature({ ...input(k, SIG_OID['dsa-sha256'], sig), dsaParams: dsaParamsOf(other.spki) })).status, 'valid');
});

// ---- malformed input: a result, never an exception ----------------------------------------------------------------

const int = (v: Uint8Array | number[]) => new asn1js.Integer({ valueHex: new Uint8Array(v) });
const der = (...values: asn1js.AsnType[]) => new Uint8Array(new asn1js.Sequence({ value: values }).toBER());
/** A non-negative INTEGER (a leading zero byte keeps it positive). */
const unsigned = (v: bigint) => {
  const hex = v.toString(16);
  return int(new Uint8Array([0, ...Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex')]));
};

test('malformed DSA signature values are invalid, not exceptions: truncated, trailing bytes, zero, q, oversized, negative, not r,s', async () => {
  const k = await dsaKey(2048);
  const q = dsaParamsOf(k.spki)!.q;
  const sig = await opensslSign(k, 'sha256');
  const rs = asn1js.fromBER(sig).result as asn1js.Sequence;
  const [r, s] = rs.valueBlock.value as asn1js.Integer[];
  const cases: [string, Uint8Array][] = [
    ['empty', new Uint8Array()],
    ['truncated', sig.subarray(0, sig.length - 5)],
    ['trailing byte', new Uint8Array([...sig, 0])],
    ['r = 0', der(int([0]), s)],
    ['s = 0', der(r, int([0]))],
    ['r = q', der(unsigned(q), s)],
    ['s = q + 5', der(r, unsigned(q + 5n))],
    ['oversized r (600 bytes)', der(int(new Uint8Array(600).fill(0x42)), s)],
    ['negative s', der(r, int([0xff, 0x01]))],
    ['one integer', der(r)],
    ['three integers', der(r, s, int([1]))],
    ['OCTET STRINGs', der(new asn1js.OctetString({ valueHex: new Uint8Array(32) }), new asn1js.OctetString({ valueHex: new Uint8Array(32) }))],
    ['not DER at all', new Uint8Array([0xff, 0xff, 0xff, 0xff])],
  ];
  for (const [what, bad] of cases) {
    const res = await verifySignature(input(k, SIG_OID['dsa-sha256'], bad));
    assert.equal(res.status, 'invalid', what);
    assert.equal(res.scheme, 'DSA', what);
  }
});

test('malformed DSA keys and parameters are invalid: degenerate g, q not dividing p - 1, y outside the group, oversized p, junk key', async () => {
  const k = await dsaKey(1024);
  const sig = await opensslSign(k, 'sha1');
  const { p, q, g } = dsaParamsOf(k.spki)!;
  const withParams = (pp: bigint, qq: bigint, gg: bigint, subjectPublicKey = k.spki.subjectPublicKey) =>
    new pkijs.PublicKeyInfo({
      algorithm: alg(OID.dsa, new asn1js.Sequence({ value: [pp, qq, gg].map(unsigned) })),
      subjectPublicKey,
    });
  const bitString = (bytes: Uint8Array) => new asn1js.BitString({ valueHex: bytes });
  const cases: [string, pkijs.PublicKeyInfo][] = [
    ['g = 1 (every signature with r = 1 would pass)', withParams(p, q, 1n)],
    ['g = p - 1', withParams(p, q, p - 1n)],
    ['q not dividing p - 1', withParams(p, q + 2n, g)],
    ['oversized p (5000 bits)', withParams((1n << 5000n) + 1n, q, g)],
    ['y = 1', withParams(p, q, g, bitString(new Uint8Array(int([1]).toBER())))],
    ['y not an INTEGER', withParams(p, q, g, bitString(new Uint8Array([0x04, 0x01, 0x00])))],
  ];
  // With g = 1, v = y^(r/s) mod p mod q: r = (y^k mod p) mod q and s = r/k make a "signature" over anything.
  const parsedY = asn1js.fromBER(k.spki.subjectPublicKey.valueBlock.valueHexView).result as asn1js.Integer;
  const y = BigInt(`0x${Buffer.from(parsedY.valueBlock.valueHexView).toString('hex')}`);
  const kk = 12345n;
  const forgedR = modPow(y, kk, p) % q;
  const forgedS = (forgedR * modInverse(kk, q)!) % q;
  const forged = await verifySignature({
    algorithm: alg(SIG_OID['dsa-sha1']),
    publicKey: withParams(p, q, 1n),
    signature: der(unsigned(forgedR), unsigned(forgedS)),
    data: Buffer.from('anything at all'),
  });
  assert.equal(forged.status, 'invalid', 'the g = 1 forgery');
  assert.match(forged.detail!, /parameters are malformed \(g\)/);
  for (const [what, spki] of cases) {
    let res: SignatureCheck | undefined;
    await assert.doesNotReject(async () => {
      res = await verifySignature({ algorithm: alg(SIG_OID['dsa-sha1']), publicKey: spki, signature: sig, data: DATA });
    }, what);
    assert.equal(res!.status, 'invalid', `${what}: ${res!.detail}`);
  }
});

test('a signature algorithm and a key of another type do not fit: invalid, with the reason', async () => {
  const dsa = await dsaKey(2048);
  const rsa = await rsaKey();
  const ec = await ecKey();
  const dsaSig = await opensslSign(dsa, 'sha256');
  const rsaSig = await opensslSign(rsa, 'sha256');
  for (const [what, res] of [
    ['DSA signature, RSA key', await verifySignature(input(rsa, SIG_OID['dsa-sha256'], dsaSig))],
    ['DSA signature, EC key', await verifySignature(input(ec, SIG_OID['dsa-sha256'], dsaSig))],
    ['ECDSA signature, DSA key', await verifySignature(input(dsa, SIG_OID['ecdsa-sha256'], dsaSig))],
    ['RSA signature, DSA key', await verifySignature(input(dsa, SIG_OID['rsa-sha256'], rsaSig))],
    ['Ed25519 signature, DSA key', await verifySignature(input(dsa, SIG_OID.ed25519, dsaSig))],
  ] as const) {
    assert.equal(res.status, 'invalid', what);
    assert.match(res.detail!, /does not fit/, what);
  }
});

test('unknown and broken algorithms are unsupported, not errors', async () => {
  const rsa = await rsaKey();
  const sig = await opensslSign(rsa, 'sha256');
  assert.equal((await verifySignature(input(rsa, '1.2.3.4', sig))).status, 'unsupported');
  assert.equal((await verifySignature(input(rsa, '1.2.840.113549.1.1.2', sig))).status, 'unsupported', 'md2WithRSAEncryption');
});

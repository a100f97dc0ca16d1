// Large CRLs (issue 10, item 11): a large CA's real CRL has hundreds of thousands of entries (the fetch limit is
// 8 MiB). It used to exceed the BER node bound, become "unknown", and in soft mode a revoked signer stayed trusted.
// The CRL here is crafted as DER and signed with node:crypto by the fixture intermediate's key (openssl verifies it).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { sign as nodeSign } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pkijs from 'pkijs';
import { makePki, runOpenssl, smimeSign, type IssuedCert, type Pki } from '../support/pki';
import { loadCrls } from '../../src/certs/load';
import { verifyMessage } from '../../src/verify-message';

const AT = new Date(Date.UTC(2030, 0, 1));
let pki: Pki;
let eve: IssuedCert;
let evil: Buffer;

function tlv(tag: number, body: Uint8Array | number[]): Buffer {
  const b = Buffer.from(body as Uint8Array);
  const n = b.length;
  let head: number[];
  if (n < 0x80) head = [tag, n];
  else {
    const l: number[] = [];
    for (let x = n; x > 0; x = Math.floor(x / 256)) l.unshift(x & 0xff);
    head = [tag, 0x80 | l.length, ...l];
  }
  return Buffer.concat([Buffer.from(head), b]);
}
const seq = (...p: Buffer[]) => tlv(0x30, Buffer.concat(p));
const seqOf = (p: Buffer[]) => tlv(0x30, Buffer.concat(p));
const utc = (d: Date) => tlv(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z', 'latin1'));
const SHA256_RSA = seq(tlv(0x06, [0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b]), Buffer.from([0x05, 0x00]));
const REASON_OID = tlv(0x06, [0x55, 0x1d, 0x15]);

/**
 * A CRL of `issuer` with `count` entries (serials 0x100000 + i, every tenth with a reasonCode), plus `extra` entries
 * (e.g. the signer's serial) placed in the middle; `badEntry` appends an entry that is not a SEQUENCE (signed all the same).
 */
function bigCrl(issuer: IssuedCert, count: number, extra: Buffer[], opts: { badEntry?: boolean } = {}): Buffer {
  const cert = pkijs.Certificate.fromBER(new Uint8Array(issuer.certDer).slice().buffer as ArrayBuffer);
  const issuerName = Buffer.from(cert.subject.toSchema().toBER());
  const date = utc(new Date(Date.UTC(2029, 0, 1)));
  const reasonExt = seq(seq(REASON_OID, tlv(0x04, tlv(0x0a, [1]))));
  const entries: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    if (i === count >> 1) entries.push(...extra);
    const s = 0x100000 + i;
    const serial = tlv(0x02, [(s >> 16) & 0xff, (s >> 8) & 0xff, s & 0xff]);
    entries.push(i % 10 === 0 ? seq(serial, date, reasonExt) : seq(serial, date));
  }
  if (opts.badEntry) entries.push(tlv(0x02, [1])); // an entry that is not a SEQUENCE
  const crlNumber = seq(seq(tlv(0x06, [0x55, 0x1d, 0x14]), tlv(0x04, tlv(0x02, [7]))));
  const tbs = seq(
    tlv(0x02, [1]),
    SHA256_RSA,
    issuerName,
    utc(new Date(Date.UTC(2029, 11, 1))),
    utc(new Date(Date.UTC(2030, 5, 1))),
    seqOf(entries),
    tlv(0xa0, crlNumber),
  );
  const sig = nodeSign('sha256', tbs, issuer.keyPem);
  return seq(tbs, SHA256_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), sig])));
}

function entryFor(c: IssuedCert): Buffer {
  const serial = Buffer.from(c.serial.length % 2 ? `0${c.serial}` : c.serial, 'hex');
  const body = serial[0] & 0x80 ? Buffer.concat([Buffer.from([0]), serial]) : serial;
  return seq(tlv(0x02, body), utc(new Date(Date.UTC(2029, 5, 1))), seq(seq(REASON_OID, tlv(0x04, tlv(0x0a, [1])))));
}

before(async () => {
  pki = await makePki();
  eve = await pki.issue({ name: 'Eve Large CRL', email: 'eve@example.com' });
  evil = (await smimeSign({ signer: eve, content: 'Content-Type: text/plain\r\n\r\npay now\r\n' })).bytes;
});

function verifyWith(crlDer: Buffer) {
  const loaded = loadCrls(new Uint8Array(crlDer));
  assert.equal(loaded.error, undefined, loaded.error);
  assert.equal(loaded.crls.length, 1);
  const anchor = pkijs.Certificate.fromBER(new Uint8Array(pki.root.certDer).slice().buffer as ArrayBuffer);
  return verifyMessage(evil, { anchors: [anchor], crls: loaded.crls, at: AT });
}

test('large CRL: a 100,000-entry CRL exceeded the BER node bound, became unknown, and a revoked signer stayed trusted in soft mode', async () => {
  const der = bigCrl(pki.intermediate, 100_000, [entryFor(eve)]);
  const v = await verifyWith(der);
  assert.equal(v.trust, 'revoked', `${v.summary} ${JSON.stringify(v.reasons.map((r) => r.code))}`);
  assert.notEqual(v.verdict, 'trusted');
  assert.match(v.reasons[0].message, /revoked/);
});

test('large CRL: 300,000 entries (the 8 MiB fetch limit) — OpenSSL agrees; time and memory bounded; not listed = good', async () => {
  const der = bigCrl(pki.intermediate, 300_000, [entryFor(eve)]);
  assert.ok(der.length < 8 * 1024 * 1024, `${der.length} bytes`);
  const path = join(pki.dir, 'big.crl');
  writeFileSync(path, der);
  const o = await runOpenssl(['crl', '-inform', 'DER', '-in', path, '-CAfile', pki.intermediate.certPath, '-noout']);
  assert.equal(o.code, 0, o.stderr);
  globalThis.gc?.();
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  const v = await verifyWith(der);
  const ms = performance.now() - t0;
  const rss = process.memoryUsage().rss - rss0;
  assert.equal(v.trust, 'revoked');
  // A signer not on the list: good (the CRL is used, not set aside).
  const frank = await pki.issue({ name: 'Frank Not Listed', email: 'frank@example.com' });
  const ok = await verifyMessage((await smimeSign({ signer: frank, content: 'Content-Type: text/plain\r\n\r\nhi\r\n' })).bytes, {
    anchors: [pkijs.Certificate.fromBER(new Uint8Array(pki.root.certDer).slice().buffer as ArrayBuffer)],
    crls: loadCrls(new Uint8Array(der)).crls,
    at: AT,
  });
  assert.equal(ok.verdict, 'trusted', ok.summary);
  assert.equal(ok.signers[0].revocation?.status, 'unknown'); // the root's CRL for the intermediate is not at hand
  assert.ok(ok.reasons.some((r) => r.code === 'revocation-good'));
  console.log(`# large CRL: 300,000 entries, ${(der.length / 1048576).toFixed(1)} MiB: load + verify ${ms.toFixed(0)} ms, RSS +${(rss / 1048576).toFixed(0)} MiB`);
  // Generous for a loaded 2-core machine; a pkijs object per entry took far longer and ~1 GB.
  assert.ok(ms < 20_000, `${ms} ms`);
  assert.ok(rss < 400 * 1024 * 1024, `${rss} bytes`);
});

test('large CRL: a CRL whose entries cannot be read fails closed (not trusted), also in soft mode', async () => {
  const der = bigCrl(pki.intermediate, 1000, [], { badEntry: true });
  const v = await verifyWith(der);
  assert.notEqual(v.verdict, 'trusted', v.summary);
  assert.notEqual(v.trust, 'trusted');
  assert.ok(v.reasons.some((r) => r.code === 'revocation-unknown' && r.severity === 'error' && /cannot be read/.test(r.message)), JSON.stringify(v.reasons));
});

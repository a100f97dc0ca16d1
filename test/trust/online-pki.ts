/**
 * One loopback PKI for the online-trust tests, made with test/support/pki.ts (openssl ca): a root, an
 * intermediate, a delegated OCSP responder (`openssl ocsp`), an HTTP server for AIA certificates and CRLs,
 * and signer certificates whose AIA / CRL-DP URLs point at those servers on 127.0.0.1.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as pkijs from 'pkijs';
import { loadCertificates } from '../../src/certs/load';
import { defaultCrypto } from '../../src/crypto';
import { buildOcspRequest } from '../../src/trust/ocsp';
import { makePki, openssl, type IssuedCert, type Pki } from '../support/pki';
import { closedPort, postRaw, startHttp, startOcspResponder, type HttpFixture, type OcspResponder } from './online-servers';

export interface OnlinePki {
  pki: Pki;
  http: HttpFixture;
  responder: OcspResponder;
  /** A responder signing with a certificate that has no id-kp-OCSPSigning. */
  rogue: OcspResponder;
  deadUrl: string;
  root: pkijs.Certificate;
  /** The CA that issued the signers (its CRL-DP is the root's CRL on the HTTP server). */
  intermediate: pkijs.Certificate;
  ca: IssuedCert;
  leaves: Record<'good' | 'revoked' | 'unknown' | 'dead' | 'crlGood' | 'crlRevoked' | 'crlStale' | 'p7c' | 'noAia', { issued: IssuedCert; cert: pkijs.Certificate }>;
  close(): Promise<void>;
}

export function certOf(der: Uint8Array): pkijs.Certificate {
  const r = loadCertificates(der);
  if (r.certs.length !== 1) throw new Error(`fixture certificate does not load: ${r.error}`);
  return r.certs[0];
}

function indexOf(pki: Pki, serial: string): string {
  for (const d of readdirSync(join(pki.dir, 'ca'))) {
    const p = join(pki.dir, 'ca', d, 'index.txt');
    try {
      if (readFileSync(p, 'utf8').split('\n').some((l) => l.split('\t')[3] === serial)) return p;
    } catch {
      /* not a database */
    }
  }
  throw new Error(`no CA database lists serial ${serial}`);
}

export async function makeOnlinePki(): Promise<OnlinePki> {
  const pki = await makePki();
  const http = await startHttp();
  // The issuing CA of the signers, with a CRL distribution point of its own (the root's CRL), as real CAs have.
  const ca = await pki.issue({ name: 'Fixture Online CA', ca: true, issuer: 'root', extraExt: `crlDistributionPoints = URI:${http.url('/root.crl')}` });
  const ocspSigner = await pki.issue({ name: 'Fixture OCSP Responder', issuer: ca, eku: ['OCSPSigning'], keyUsage: ['digitalSignature'] });
  const index = indexOf(pki, ocspSigner.serial);
  const responder = await startOcspResponder({ index, ca: ca.certPath, rsigner: ocspSigner.certPath, rkey: ocspSigner.keyPath });
  const deadUrl = `http://127.0.0.1:${await closedPort()}/`;

  const aia = (ocsp: string | null, caIssuers: string | null) =>
    [ocsp && `OCSP;URI:${ocsp}`, caIssuers && `caIssuers;URI:${caIssuers}`].filter(Boolean).join(', ');
  const ext = (o: { ocsp?: string; crl?: string; ca?: string }) =>
    [
      o.ocsp || o.ca ? `authorityInfoAccess = ${aia(o.ocsp ?? null, o.ca ?? null)}` : '',
      o.crl ? `crlDistributionPoints = URI:${o.crl}` : '',
    ].filter(Boolean).join('\n');
  const std = { ocsp: responder.url, crl: http.url('/int.crl'), ca: http.url('/int.der') };
  const issue = async (name: string, e: { ocsp?: string; crl?: string; ca?: string }) => {
    const issued = await pki.issue({ name, issuer: ca, email: `${name.toLowerCase()}@example.com`, extraExt: ext(e) || undefined });
    return { issued, cert: certOf(issued.certDer) };
  };
  const leaves: OnlinePki['leaves'] = {
    good: await issue('Alice', std),
    revoked: await issue('Bob', std),
    unknown: await issue('Carol', { ocsp: responder.url, ca: http.url('/int.der') }),
    dead: await issue('Dave', { ocsp: deadUrl, crl: `${deadUrl}int.crl`, ca: `${deadUrl}int.der` }),
    crlGood: await issue('Erin', { crl: http.url('/int.crl'), ca: http.url('/int.der') }),
    crlRevoked: await issue('Frank', { crl: http.url('/int.crl') }),
    crlStale: await issue('Hank', { crl: http.url('/stale.crl') }),
    p7c: await issue('Gina', { ocsp: responder.url, ca: http.url('/int.p7c') }),
    noAia: await issue('Nora', {}),
  };
  await pki.revoke(leaves.revoked.issued, { reason: 'keyCompromise', at: new Date(Date.UTC(2025, 0, 1)) });
  await pki.revoke(leaves.crlRevoked.issued, { reason: 'keyCompromise', at: new Date(Date.UTC(2025, 0, 1)) });
  // "unknown": the responder has no record of Carol's serial.
  const lines = readFileSync(index, 'utf8').split('\n');
  writeFileSync(index, lines.filter((l) => l.split('\t')[3] !== leaves.unknown.issued.serial).join('\n'));

  // `openssl ocsp` checks the index file for changes before it waits for the next request, so the first
  // request after a change is answered from the old index: spend one throwaway request here.
  // (A request OpenSSL cannot parse gets no answer at all, so this is a real one.)
  const prime = await buildOcspRequest(certOf(ocspSigner.certDer), certOf(ca.certDer), defaultCrypto());
  await postRaw(responder.url, Buffer.from(prime.der), 'application/ocsp-request');

  const now = Date.now();
  const fresh = { thisUpdate: new Date(now - 3600_000), nextUpdate: new Date(now + 7 * 86400_000) };
  const crl = await pki.crl({ issuer: ca, ...fresh });
  const rootCrl = await pki.crl({ issuer: 'root', ...fresh });
  const stale = await pki.crl({ issuer: ca, thisUpdate: new Date(Date.UTC(2024, 0, 1)), nextUpdate: new Date(Date.UTC(2024, 1, 1)) });
  const p7c = await openssl(['crl2pkcs7', '-nocrl', '-certfile', ca.certPath, '-outform', 'DER']);
  http.routes.set('/root.crl', { body: rootCrl.der, type: 'application/pkix-crl' });
  http.routes.set('/int.der', { body: ca.certDer, type: 'application/pkix-cert' });
  http.routes.set('/int.p7c', { body: p7c, type: 'application/pkcs7-mime' });
  http.routes.set('/int.crl', { body: crl.der, type: 'application/pkix-crl' });
  http.routes.set('/stale.crl', { body: stale.der, type: 'application/pkix-crl' });
  // A CRL whose signature was tampered with (last byte of the signature flipped).
  const bad = Buffer.from(crl.der);
  bad[bad.length - 1] ^= 0x01;
  http.routes.set('/tampered.crl', { body: bad, type: 'application/pkix-crl' });

  // OCSP through a proxy that alters one digit of producedAt: well-formed DER, signature no longer valid.
  http.routes.set('/ocsp-tampered', (_req, body, res) => {
    postRaw(responder.url, body, 'application/ocsp-request').then((resp) => {
      const i = resp.indexOf(Buffer.from([0x18, 0x0f])); // GeneralizedTime, 15 bytes: producedAt
      if (i >= 0) resp[i + 2 + 13] = resp[i + 2 + 13] === 0x30 ? 0x31 : 0x30;
      res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(resp);
    }, () => res.writeHead(502).end());
  });
  // OCSP through a proxy that keeps answering with the first response it saw (a replay).
  let first: Buffer | undefined;
  http.routes.set('/ocsp-replay', (_req, body, res) => {
    const send = (b: Buffer) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(b);
    if (first) return send(first);
    postRaw(responder.url, body, 'application/ocsp-request').then((resp) => send((first = resp)), () => res.writeHead(502).end());
  });
  // A responder signing with Alice's certificate (issued by the CA, but no id-kp-OCSPSigning).
  const rogue = await startOcspResponder({ index, ca: ca.certPath, rsigner: leaves.good.issued.certPath, rkey: leaves.good.issued.keyPath });

  return {
    pki,
    http,
    responder,
    rogue,
    deadUrl,
    root: certOf(pki.root.certDer),
    intermediate: certOf(ca.certDer),
    ca,
    leaves,
    async close() {
      responder.close();
      rogue.close();
      await http.close();
      pki.cleanup();
    },
  };
}

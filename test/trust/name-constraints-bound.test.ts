/**
 * Name constraints on a hostile chain (issue 10, DoS siblings): every name of every certificate is compared with the
 * subtrees of each constraining CA above it, names × subtrees × depth, on each path the builder tries. A chain of
 * three CAs with 1,500 rfc822 subtrees each above a leaf with 1,500 addresses is sent by anyone (certificate
 * signatures are checked on the same pass and a bad one does not stop the rest). The comparisons are bounded.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as pkijs from 'pkijs';
import { certInfo } from '../../src/trust/cert-info';
import { validateChain } from '../../src/trust/chain';
import { MAX_NAME_COMPARISONS } from '../../src/trust/name-constraints';
import { unsignedCertificate } from '../support/hostile';
import { makePki } from '../support/pki';

const N = 1500;

test(`name constraints: 3 CAs with ${N} subtrees each above a leaf with ${N} addresses are refused after ${MAX_NAME_COMPARISONS.toLocaleString('en-US')} comparisons, not trusted (was every comparison: 3.2 s per path under load)`, async () => {
  const pki = await makePki();
  const root = pkijs.Certificate.fromBER(new Uint8Array(pki.root.certDer).slice().buffer as ArrayBuffer);
  const subtrees = Array.from({ length: N }, (_, i) => new pkijs.GeneralSubtree({ base: new pkijs.GeneralName({ type: 1, value: `d${i}.example` }) }));
  const constraints = new pkijs.Extension({ extnID: '2.5.29.30', critical: true, extnValue: new pkijs.NameConstraints({ permittedSubtrees: subtrees }).toSchema().toBER(false) });
  const basic = new pkijs.Extension({ extnID: '2.5.29.19', critical: true, extnValue: new pkijs.BasicConstraints({ cA: true }).toSchema().toBER(false) });
  const cas = [0, 1, 2].map((i) => unsignedCertificate({ subject: `Constrained CA ${i}`, issuer: i === 0 ? root.subject : `Constrained CA ${i - 1}`, extensions: [basic, constraints] }));
  const san = new pkijs.AltName({ altNames: Array.from({ length: N }, (_, i) => new pkijs.GeneralName({ type: 1, value: `u${i}@d${N - 1}.example` })) });
  const leaf = unsignedCertificate({ subject: 'Many Names', issuer: 'Constrained CA 2', extensions: [new pkijs.Extension({ extnID: '2.5.29.17', critical: false, extnValue: san.toSchema().toBER(false) })] });
  // Read the certificates first (as the message's decoding does): the figure is the checking, not pkijs' parsing.
  for (const c of [root, ...cas, leaf]) certInfo(c);
  const t0 = performance.now();
  const r = await validateChain(leaf, { anchors: [root], intermediates: cas, crls: [], at: new Date(Date.UTC(2030, 0, 1)) });
  const ms = performance.now() - t0;
  const said = JSON.stringify(r);
  console.log(`# 3 CAs x ${N} subtrees, leaf with ${N} addresses: ${Math.round(ms)} ms → ${r.trust}`);
  assert.notEqual(r.trust, 'trusted');
  assert.match(said, /too many names to compare/);
  assert.ok(ms < 1000, `${Math.round(ms)} ms`);
  pki.cleanup();
});

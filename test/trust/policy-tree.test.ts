/**
 * Certificate policy processing (RFC 5280 §6.1) on a hostile chain: policy mappings make the valid_policy_tree grow
 * exponentially (k policies each mapped to all k: k^depth nodes; CVE-2023-0464 in OpenSSL, RFC 9618 §1). Anyone can
 * send such a chain in a message: certificate signatures are checked on the same pass, and a bad one does not stop
 * the others. The tree is bounded; past the bound the chain is not trusted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as pkijs from 'pkijs';
import { certInfo } from '../../src/trust/cert-info';
import { MAX_POLICY_NODES, PolicyState } from '../../src/trust/policies';
import { unsignedCertificate } from '../support/hostile';

const policy = (j: number) => `1.3.6.1.4.1.55555.1.${j}`;

function ca(name: string, issuer: string, k: number, mapped: boolean): pkijs.Certificate {
  const ids = Array.from({ length: k }, (_, j) => policy(j));
  const extensions = [
    new pkijs.Extension({ extnID: '2.5.29.32', critical: false, extnValue: new pkijs.CertificatePolicies({ certificatePolicies: ids.map((policyIdentifier) => new pkijs.PolicyInformation({ policyIdentifier })) }).toSchema().toBER(false) }),
  ];
  if (mapped) {
    const mappings = ids.flatMap((a) => ids.map((b) => new pkijs.PolicyMapping({ issuerDomainPolicy: a, subjectDomainPolicy: b })));
    extensions.push(new pkijs.Extension({ extnID: '2.5.29.33', critical: false, extnValue: new pkijs.PolicyMappings({ mappings }).toSchema().toBER(false) }));
  }
  return unsignedCertificate({ subject: name, issuer, extensions });
}

/** §6.1.3-6.1.4 over the chain, as trust/validate.ts calls them; the first failure, if any. */
function process(chain: pkijs.Certificate[]): string | undefined {
  const state = new PolicyState(chain.length);
  for (let idx = 0; idx < chain.length; idx++) {
    const info = certInfo(chain[idx]);
    const r = state.processCertificate(info, idx + 1);
    if (!r.ok) return r.message;
    if (idx === chain.length - 1) break;
    const p = state.prepareNext(info, idx + 1);
    if (!p.ok) return p.message;
  }
  return undefined;
}

test(`policy mappings cannot grow the policy tree without end: 8 policies each mapped to all 8 over a 9-certificate chain (8^8 nodes) stop at ${MAX_POLICY_NODES} nodes, not trusted (was minutes and gigabytes)`, () => {
  const k = 8;
  const chain = Array.from({ length: 9 }, (_, i) => ca(`Mapped CA ${i}`, i === 0 ? 'Root' : `Mapped CA ${i - 1}`, k, i < 8));
  const t0 = performance.now();
  const problem = process(chain);
  const ms = performance.now() - t0;
  console.log(`# ${k} policies x full mappings, 9 certificates: ${Math.round(ms)} ms → ${problem}`);
  assert.ok(problem, 'refused');
  assert.match(problem, /more than 1,000/);
  assert.ok(ms < 2000, `${Math.round(ms)} ms`);
});

test('ordinary policy chains are unchanged by the bound: 5 policies over 10 certificates with one-to-one mappings', () => {
  const chain = Array.from({ length: 10 }, (_, i) => ca(`CA ${i}`, i === 0 ? 'Root' : `CA ${i - 1}`, 5, false));
  assert.equal(process(chain), undefined);
});

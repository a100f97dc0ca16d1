/**
 * Certificate policy processing, RFC 5280 §6.1.2 (a)/(d)-(j), §6.1.3 (d)-(f), §6.1.4 (a)-(b), (h)-(j) and
 * §6.1.5 (a), (b), (g): the valid_policy_tree with policy mappings, requireExplicitPolicy,
 * inhibitPolicyMapping and inhibitAnyPolicy.
 *
 * Inputs fixed by the product: initial-policy-set = {anyPolicy}, initial-explicit-policy,
 * initial-policy-mapping-inhibit and initial-any-policy-inhibit all false (an S/MIME reader has no policy
 * of its own to demand). Limit: a user-initial-policy-set other than anyPolicy (§6.1.5 (g)(iii)) is not
 * implemented.
 * Policy qualifiers are not kept: they do not change the outcome.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID, getExt, skipCount, type CertInfo } from './cert-info';

const ANY = OID.anyPolicy;

/**
 * Bound: nodes the valid_policy_tree may ever be given. With policy mappings the tree grows exponentially (k policies
 * each mapped to all k give k^depth nodes: 8 policies over 9 certificates, 16 million; CVE-2023-0464 in OpenSSL,
 * RFC 9618 §1), and anyone can send such a chain in a message, since a certificate signature that fails does not stop
 * the rest of the checks. Real chains create a few dozen nodes. Past the bound the processing stops with a failure:
 * the chain is not trusted (as OpenSSL 3.1 does).
 */
export const MAX_POLICY_NODES = 1000;

/** Unwinds the processing when the bound is reached (caught in the public methods). */
class TooManyPolicyNodes {}

interface Node {
  policy: string;
  expected: Set<string>;
  parent?: Node;
  children: Node[];
  depth: number;
}

export type PolicyFailure = { ok: false; message: string };

export class PolicyState {
  private root: Node | null;
  private explicitPolicy: number;
  private policyMapping: number;
  private inhibitAnyPolicy: number;
  /** Nodes created so far (pruned ones too: the bound is on work). */
  private created = 1;

  constructor(private readonly n: number) {
    this.root = { policy: ANY, expected: new Set([ANY]), children: [], depth: 0 };
    this.explicitPolicy = n + 1;
    this.policyMapping = n + 1;
    this.inhibitAnyPolicy = n + 1;
  }

  private level(depth: number): Node[] {
    if (!this.root) return [];
    let nodes = [this.root];
    for (let d = 0; d < depth; d++) nodes = nodes.flatMap((x) => x.children);
    return nodes;
  }

  /** Delete childless nodes above `depth`, bottom up (§6.1.3 (d)(3)). */
  private prune(depth: number): void {
    for (let d = depth - 1; d >= 0; d--) {
      for (const node of this.level(d)) {
        if (node.children.length === 0) this.remove(node);
      }
    }
  }

  private remove(node: Node): void {
    if (!node.parent) this.root = null;
    else node.parent.children = node.parent.children.filter((c) => c !== node);
  }

  private add(parent: Node, policy: string, expected: Iterable<string>): void {
    if (++this.created > MAX_POLICY_NODES) throw new TooManyPolicyNodes();
    parent.children.push({ policy, expected: new Set(expected), parent, children: [], depth: parent.depth + 1 });
  }

  private tooMany(cert: CertInfo): PolicyFailure {
    this.root = null;
    return { ok: false, message: `The certificate policies of the chain up to '${cert.label}' expand to more than ${MAX_POLICY_NODES.toLocaleString('en-US')} combinations (a known denial-of-service shape), so the chain is not checked further.` };
  }

  /** Runs one step of the processing, ending it with a failure once the tree reaches its bound. */
  private bounded(cert: CertInfo, step: () => { ok: true } | PolicyFailure): { ok: true } | PolicyFailure {
    if (this.created > MAX_POLICY_NODES) return this.tooMany(cert);
    try {
      return step();
    } catch (e) {
      if (e instanceof TooManyPolicyNodes) return this.tooMany(cert);
      throw e;
    }
  }

  /** §6.1.3 (d)-(f) for certificate i (1-based) of n. */
  processCertificate(cert: CertInfo, i: number): { ok: true } | PolicyFailure {
    return this.bounded(cert, () => this.processCertificateBounded(cert, i));
  }

  /** §6.1.4 (a), (b), (h)-(j) for a CA certificate i < n. */
  prepareNext(cert: CertInfo, i: number): { ok: true } | PolicyFailure {
    return this.bounded(cert, () => this.prepareNextBounded(cert, i));
  }

  private processCertificateBounded(cert: CertInfo, i: number): { ok: true } | PolicyFailure {
    const e = getExt(cert, OID.certificatePolicies);
    const cp = e?.parsedValue instanceof pkijs.CertificatePolicies ? e.parsedValue.certificatePolicies : undefined;
    if (e && !cp) return { ok: false, message: `The certificate policies of '${cert.label}' cannot be read.` };
    if (cp && this.root) {
      const ids = cp.map((p) => p.policyIdentifier);
      if (new Set(ids).size !== ids.length) {
        return { ok: false, message: `'${cert.label}' lists the same certificate policy twice.` };
      }
      const prev = this.level(i - 1);
      for (const p of ids) {
        if (p === ANY) continue;
        let matched = false;
        for (const node of prev) {
          if (node.expected.has(p)) {
            this.add(node, p, [p]);
            matched = true;
          }
        }
        if (!matched) {
          for (const node of prev) if (node.policy === ANY) this.add(node, p, [p]);
        }
      }
      if (ids.includes(ANY) && (this.inhibitAnyPolicy > 0 || (i < this.n && cert.selfIssued))) {
        for (const node of prev) {
          for (const exp of node.expected) {
            if (!node.children.some((c) => c.policy === exp)) this.add(node, exp, [exp]);
          }
        }
      }
      this.prune(i);
      if (this.root && this.level(i).length === 0) this.root = null;
    }
    if (!cp) this.root = null;
    if (this.explicitPolicy <= 0 && !this.root) {
      return { ok: false, message: `No certificate policy acceptable to every certificate in the chain reaches '${cert.label}', but the chain requires one.` };
    }
    return { ok: true };
  }

  private prepareNextBounded(cert: CertInfo, i: number): { ok: true } | PolicyFailure {
    const pmExt = getExt(cert, OID.policyMappings);
    if (pmExt) {
      const pm = pmExt.parsedValue instanceof pkijs.PolicyMappings ? pmExt.parsedValue.mappings : undefined;
      if (!pm) return { ok: false, message: `The policy mappings of '${cert.label}' cannot be read.` };
      if (pm.some((m) => m.issuerDomainPolicy === ANY || m.subjectDomainPolicy === ANY)) {
        return { ok: false, message: `'${cert.label}' maps a policy to or from anyPolicy, which is not allowed.` };
      }
      const map = new Map<string, Set<string>>();
      for (const m of pm) {
        if (!map.has(m.issuerDomainPolicy)) map.set(m.issuerDomainPolicy, new Set());
        map.get(m.issuerDomainPolicy)!.add(m.subjectDomainPolicy);
      }
      for (const [idp, sdps] of map) {
        const nodes = this.level(i);
        if (this.policyMapping > 0) {
          const hits = nodes.filter((x) => x.policy === idp);
          if (hits.length > 0) for (const x of hits) x.expected = new Set(sdps);
          else {
            const anyNode = nodes.find((x) => x.policy === ANY);
            if (anyNode?.parent) this.add(anyNode.parent, idp, sdps);
          }
        } else {
          for (const x of nodes.filter((y) => y.policy === idp)) this.remove(x);
          this.prune(i);
          if (this.root && this.level(i).length === 0) this.root = null;
        }
      }
    }
    // (h) counters decrement for certificates that are not self-issued.
    if (!cert.selfIssued) {
      if (this.explicitPolicy > 0) this.explicitPolicy--;
      if (this.policyMapping > 0) this.policyMapping--;
      if (this.inhibitAnyPolicy > 0) this.inhibitAnyPolicy--;
    }
    // (i) policyConstraints.
    const pcExt = getExt(cert, OID.policyConstraints);
    if (pcExt) {
      const pc = pcExt.parsedValue;
      if (!(pc instanceof pkijs.PolicyConstraints)) return { ok: false, message: `The policy constraints of '${cert.label}' cannot be read.` };
      if (pc.requireExplicitPolicy !== undefined && pc.requireExplicitPolicy < this.explicitPolicy) this.explicitPolicy = pc.requireExplicitPolicy;
      if (pc.inhibitPolicyMapping !== undefined && pc.inhibitPolicyMapping < this.policyMapping) this.policyMapping = pc.inhibitPolicyMapping;
    }
    // (j) inhibitAnyPolicy.
    const iapExt = getExt(cert, OID.inhibitAnyPolicy);
    if (iapExt) {
      const v = iapExt.parsedValue;
      const skip = v instanceof asn1js.Integer ? skipCount(v) : undefined;
      if (skip === undefined || skip < 0) return { ok: false, message: `The inhibitAnyPolicy value of '${cert.label}' cannot be read.` };
      if (skip < this.inhibitAnyPolicy) this.inhibitAnyPolicy = skip;
    }
    return { ok: true };
  }

  /** §6.1.5 (a), (b), (g) with the leaf. */
  wrapUp(leaf: CertInfo): { ok: true } | PolicyFailure {
    if (this.explicitPolicy > 0) this.explicitPolicy--;
    const pcExt = getExt(leaf, OID.policyConstraints);
    if (pcExt?.parsedValue instanceof pkijs.PolicyConstraints && pcExt.parsedValue.requireExplicitPolicy === 0) this.explicitPolicy = 0;
    // (g): with initial-policy-set = {anyPolicy} the intersection leaves the tree unchanged.
    if (this.explicitPolicy <= 0 && !this.root) {
      return { ok: false, message: 'The chain requires an explicit certificate policy, and no policy is valid for the whole chain.' };
    }
    return { ok: true };
  }

  /** The authority-constrained policies valid for the leaf (for display), or [] when none. */
  validPolicies(): string[] {
    return [...new Set(this.level(this.n).map((x) => x.policy))];
  }
}

/**
 * Certification path building (RFC 4158 in miniature): from the leaf, follow issuer names (RFC 5280 name
 * comparison) to candidate issuers among the intermediates and anchors, preferring candidates whose subject
 * key identifier matches the child's authority key identifier and that are valid at the checking time.
 * Every candidate path is returned, best first, so validation can pick the first one that validates.
 *
 * Bounds: at most MAX_DEPTH certificates below the anchor, MAX_PATHS complete paths, MAX_STEPS expansions;
 * a certificate appears at most once in a path (loops between cross-certificates end there).
 */
import { nameEquals } from './names';
import type { CertInfo } from './cert-info';

export const MAX_DEPTH = 10;
const MAX_PATHS = 32;
const MAX_STEPS = 2000;

export interface CandidatePath {
  /** Leaf first; the certificates validated against the anchor (the anchor itself is not among them). */
  certs: CertInfo[];
  anchor: CertInfo;
}

export interface BuildResult {
  paths: CandidatePath[];
  /** The longest path that reached no anchor (leaf first), for explaining what is missing. */
  longestPartial: CertInfo[];
}

function score(child: CertInfo, cand: CertInfo, at: Date): number {
  let s = 0;
  if (child.akiKeyId && cand.ski) s += child.akiKeyId === cand.ski ? 4 : -8;
  if (cand.notBefore <= at && at <= cand.notAfter) s += 2;
  return s;
}

function issuersOf(child: CertInfo, pool: CertInfo[], at: Date): CertInfo[] {
  return pool
    .filter((c) => nameEquals(c.subject, child.issuer))
    .map((c) => ({ c, s: score(child, c, at) }))
    .sort((a, b) => b.s - a.s)
    .map((x) => x.c);
}

export function buildPaths(leaf: CertInfo, intermediates: CertInfo[], anchors: CertInfo[], at: Date): BuildResult {
  const paths: CandidatePath[] = [];
  let longestPartial: CertInfo[] = [leaf];
  let steps = 0;
  const anchorKeys = new Set(anchors.map((a) => a.key));

  const walk = (path: CertInfo[]): void => {
    if (paths.length >= MAX_PATHS || ++steps > MAX_STEPS) return;
    const top = path[path.length - 1];
    // A certificate that is itself an anchor ends the path: the anchor vouches for it directly.
    if (anchorKeys.has(top.key)) {
      const anchor = anchors.find((a) => a.key === top.key)!;
      paths.push({ certs: path.slice(0, -1), anchor });
      return;
    }
    if (path.length > longestPartial.length) longestPartial = path;
    for (const a of issuersOf(top, anchors, at)) {
      if (paths.length >= MAX_PATHS) return;
      paths.push({ certs: path, anchor: a });
    }
    if (path.length >= MAX_DEPTH) return;
    for (const c of issuersOf(top, intermediates, at)) {
      if (path.some((p) => p.key === c.key) || anchorKeys.has(c.key)) continue;
      walk([...path, c]);
    }
  };
  walk([leaf]);
  return { paths, longestPartial };
}

/**
 * A minimal DER writer for the outer layers of what we produce around large content (EnvelopedData,
 * AuthEnvelopedData, opaque SignedData): lengths are computed first and everything is written into one buffer,
 * so an 11 MB ciphertext or eContent is copied once, where asn1js' toBER copies it at every nesting level.
 * Small inner pieces (recipient infos, algorithm identifiers, certificates) still come from pkijs/asn1js.
 */

/** Raw bytes (already DER), or a tag with children whose encodings are concatenated as its content. */
export type DerNode = Uint8Array | { tag: number; children: DerNode[] };

function lengthOfLength(n: number): number {
  if (n < 0x80) return 1;
  let bytes = 0;
  for (let x = n; x > 0; x = Math.floor(x / 256)) bytes++;
  return 1 + bytes;
}

function size(node: DerNode, cache: Map<DerNode, number>): number {
  if (node instanceof Uint8Array) return node.length;
  let content = 0;
  for (const c of node.children) content += size(c, cache);
  cache.set(node, content);
  return 1 + lengthOfLength(content) + content;
}

function write(node: DerNode, out: Uint8Array, o: number, cache: Map<DerNode, number>): number {
  if (node instanceof Uint8Array) {
    out.set(node, o);
    return o + node.length;
  }
  const content = cache.get(node)!;
  out[o++] = node.tag;
  if (content < 0x80) out[o++] = content;
  else {
    const n = lengthOfLength(content) - 1;
    out[o++] = 0x80 | n;
    for (let i = n - 1; i >= 0; i--) out[o++] = Math.floor(content / 256 ** i) % 256;
  }
  for (const c of node.children) o = write(c, out, o, cache);
  return o;
}

export function derEncode(node: DerNode): Uint8Array {
  const cache = new Map<DerNode, number>();
  const out = new Uint8Array(size(node, cache));
  write(node, out, 0, cache);
  return out;
}

export const TAG = {
  sequence: 0x30,
  set: 0x31,
  octetString: 0x04,
  context0: 0xa0, // [0] constructed
  context0Primitive: 0x80, // [0] IMPLICIT primitive (e.g. encryptedContent)
} as const;

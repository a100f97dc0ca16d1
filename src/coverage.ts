/**
 * Coverage: which part of the message a signature covers.
 *
 * A message is fully signed only when the S/MIME entity *is* the message (its root, or the root after unwrapping
 * encryption). A signed entity below an ordinary multipart is "partially signed": text before it, hidden HTML,
 * a multipart/related page that pulls the signed part in by reference, or extra attachments are shown to the
 * reader but not covered ("Johnny, you are fired", MIME wrapping attacks M1-M4). Such a message must never be
 * shown as signed, and the reader is told what lies outside the signature.
 *
 * Signed content inside a message/rfc822 attachment belongs to that attached (forwarded) message, not to this one,
 * so the search does not descend into it.
 */
import { filenameOf, firstBareCr, smimeType } from './mime';
import type { MimeEntity } from './mime/types';

export type SmimeKind = 'multipart-signed' | 'opaque-signed' | 'enveloped' | 'auth-enveloped';

/** The S/MIME layer an entity is, if any. certs-only and unknown smime-types are not layers. */
export function smimeKind(e: MimeEntity): SmimeKind | undefined {
  if (e.contentType.mediaType === 'multipart/signed') return 'multipart-signed';
  switch (smimeType(e)) {
    case 'signed-data':
      return 'opaque-signed';
    case 'enveloped-data':
      return 'enveloped';
    case 'authEnveloped-data':
      return 'auth-enveloped';
    default:
      return undefined;
  }
}

/**
 * Searches depth-first for the first S/MIME entity, the root first. Bounded by the parser's own depth and part
 * limits, so no limit of its own is needed here.
 */
export function findSmimeEntity(root: MimeEntity): { entity: MimeEntity; kind: SmimeKind } | undefined {
  const kind = smimeKind(root);
  if (kind) return { entity: root, kind };
  if (root.contentType.type !== 'multipart') return undefined;
  for (const child of root.children) {
    const found = findSmimeEntity(child);
    if (found) return found;
  }
  return undefined;
}

/**
 * Plain descriptions of the displayed content outside `signed` (or outside an encrypted part: `what`), for the
 * reader.
 */
export function describeOutside(root: MimeEntity, signed: MimeEntity, what: 'signed' | 'encrypted' = 'signed'): string[] {
  const out: string[] = [];
  const walk = (e: MimeEntity): void => {
    if (e === signed) return;
    if (e.contentType.type === 'multipart') {
      e.children.forEach(walk);
      return;
    }
    if (isBlank(e)) return;
    out.push(describe(e, e.start < signed.start ? 'before' : 'after', what));
  };
  walk(root);
  if (root.contentType.subtype === 'related') {
    out.push(`the outer multipart/related page decides how the ${what} part is shown, and may hide it`);
  }
  return out;
}

function describe(e: MimeEntity, where: 'before' | 'after', what: 'signed' | 'encrypted'): string {
  const name = filenameOf(e);
  const type = e.contentType.mediaType;
  if (e.contentType.mediaType === 'message/rfc822') return `an attached message${name ? ` "${name}"` : ''}`;
  if (name) return `the attachment "${name}" (${type})`;
  if (type === 'text/html') return `an HTML part ${where} the ${what} part (it can show anything, or hide the ${what} text)`;
  return `a ${type} part ${where} the ${what} part`;
}


/** A part with nothing but white space in its body adds nothing a reader can see. Stops at the first other byte. */
function isBlank(e: MimeEntity): boolean {
  for (let i = e.bodyStart; i < e.end; i++) {
    const b = e.source[i];
    if (b !== 0x20 && b !== 0x09 && b !== 0x0d && b !== 0x0a) return false;
  }
  return true;
}

/**
 * A CR that does not end a line, in the bytes of an S/MIME layer that no signature of that layer covers yet that
 * decide what a mail program shows. Thunderbird starts a new line at such a CR (measured in Thunderbird 153: a
 * "From:" or "Content-Type:" behind one is shown, "\r\r\n" ends the header block early, a delimiter behind one
 * changes the parts) while this parser does not, so the reader could see a sender or content this check never saw.
 * Where it counts:
 * - in a header block: the layer's own (the message's header for the outermost layer) and, for multipart/signed,
 *   the signature part's: any such CR;
 * - in the other bytes of a multipart/signed outside the signed part (preamble, signature part body, epilogue): a
 *   CR followed by this multipart's delimiter, which a program that starts a line there takes for a delimiter.
 *   Only that, because a signature sent with Content-Transfer-Encoding binary is raw DER, in which any byte occurs.
 * The body of an application/pkcs7-mime part is a leaf its parent does not split, so only its header counts.
 * Each layer counts on its own: an inner signature vouches for nothing its own structure shows, even when an outer
 * signature covers those bytes. Returns where, or undefined.
 */
export function bareCrOutsideSignature(layer: MimeEntity, split?: { signedPart: MimeEntity; signaturePart: MimeEntity }): string | undefined {
  const src = layer.source;
  if (firstBareCr(src, layer.start, layer.bodyStart) >= 0) return 'in the header';
  if (!split) return undefined;
  const { signedPart, signaturePart } = split;
  if (firstBareCr(src, signaturePart.start, signaturePart.bodyStart) >= 0) return 'in the header of the signature part';
  const boundary = layer.contentType.params.boundary ?? '';
  const delimiter = new TextEncoder().encode(`\r--${boundary}`);
  if (indexOfBytes(src, delimiter, layer.bodyStart, signedPart.start) >= 0) return 'before the signed part';
  if (indexOfBytes(src, delimiter, signedPart.end, layer.end) >= 0) return 'after the signed part';
  return undefined;
}

/**
 * First offset of `needle` starting in [from, to), or -1. A plain pass: the first byte is a CR, which CRLF text has
 * on every line, and a native indexOf per line costs ~30 times more than looking at each byte once.
 */
function indexOfBytes(src: Uint8Array, needle: Uint8Array, from: number, to: number): number {
  const last = Math.min(to, src.length - needle.length + 1);
  const first = needle[0];
  for (let i = from; i < last; i++) {
    if (src[i] !== first) continue;
    let k = 1;
    while (k < needle.length && src[i + k] === needle[k]) k++;
    if (k === needle.length) return i;
  }
  return -1;
}

/** White space C's isspace() strips from the end of a line; Thunderbird's delimiter test strips it (measured). */
const C_SPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);

/**
 * A line of a multipart/signed outside its signed part that Thunderbird takes for a delimiter and this parser does
 * not: "--boundary" (or "--boundary--") followed by white space such as a vertical tab or form feed, which
 * Thunderbird strips and RFC 2046's transport padding (space, tab) does not include; or any line at all when the
 * boundary itself ends in white space, which Thunderbird trims. Measured in Thunderbird 153: such a line in the
 * preamble gave it other parts than the ones checked (it showed an empty message under the green badge). Valid mail
 * has no such line (generated boundaries never occur by chance). Returns where, or undefined. Linear: one pass.
 */
export function delimiterLookAlike(layer: MimeEntity, split: { signedPart: MimeEntity }): string | undefined {
  const boundary = layer.contentType.params.boundary ?? '';
  if (boundary !== boundary.trimEnd()) return 'in its boundary parameter, which ends in white space';
  const needle = new TextEncoder().encode(`--${boundary}`);
  const src = layer.source;
  const regions: [number, number, string][] = [
    [layer.bodyStart, split.signedPart.start, 'before the signed part'],
    [split.signedPart.end, layer.end, 'after the signed part'],
  ];
  for (const [from, to, where] of regions) {
    for (let at = from; at < to; ) {
      const hit = indexOfBytes(src, needle, at, to);
      if (hit < 0) break;
      at = hit + 1;
      if (hit > 0 && src[hit - 1] !== 0x0a && src[hit - 1] !== 0x0d) continue; // not at a line start
      let i = hit + needle.length;
      if (src[i] === 0x2d && src[i + 1] === 0x2d) i += 2;
      let ours = true; // only space and tab, then CRLF or LF (or the end)
      let theirs = true; // only C white space up to the line end
      for (; i < src.length && src[i] !== 0x0a; i++) {
        const c = src[i];
        if (!C_SPACE.has(c)) theirs = ours = false;
        else if (c !== 0x20 && c !== 0x09 && !(c === 0x0d && src[i + 1] === 0x0a)) ours = false;
        if (!theirs) break;
      }
      if (theirs && !ours) return where;
    }
  }
  return undefined;
}

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

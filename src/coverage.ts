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
 * The bytes of an S/MIME layer that no signature of that layer covers, yet decide what a mail program shows: the
 * layer's header block (the message's own header for the outermost layer), a multipart/signed's preamble,
 * delimiter lines and signature part, and its epilogue; for application/pkcs7-mime the whole entity. A CR there
 * that does not end a line is read as a line end by Thunderbird (measured in Thunderbird 153: a "From:" or
 * "Content-Type:" behind one is shown, "\r\r\n" ends the header block early, a delimiter behind one changes the
 * parts) and as nothing by this parser, so the reader could see a sender or content this check never saw. Each
 * layer counts on its own: an inner signature vouches for nothing its own structure shows, even when an outer
 * signature covers those bytes. Returns a description of where, or undefined.
 */
export function bareCrOutsideSignature(layer: MimeEntity, signedPart?: MimeEntity): string | undefined {
  const ranges: [number, number][] = signedPart
    ? [
        [layer.start, signedPart.start],
        [signedPart.end, layer.end],
      ]
    : [[layer.start, layer.end]];
  for (const [from, to] of ranges) {
    const at = firstBareCr(layer.source, from, to);
    if (at < 0) continue;
    if (at < layer.headerEnd) return 'in the header';
    return signedPart && at < signedPart.start ? 'before the signed part' : signedPart ? 'after the signed part (the signature part or what follows it)' : 'in the body';
  }
  return undefined;
}

/**
 * What the reader of an encrypted message sees of its content in the pane: PLAIN TEXT only (the EFAIL rule of the
 * core's decryptMessage). The first text/plain part that is not an attachment; failing that, the text of the
 * first text/html part, read through an inert DOMParser document (no scripts run, nothing is fetched) and shown
 * as text. Attachments are named, not opened. Outlook cannot show S/MIME-encrypted mail without its own S/MIME
 * support, so this is how the user reads it.
 */
import { type MimeEntity, bodyText, contentDisposition, parseMime, stripLegacyDisplay, walkEntities } from '../../src/index';

/** Longer text is cut, with a note: the pane is not a viewer for huge documents. */
export const MAX_SHOWN_CHARS = 200_000;
/** HTML handed to DOMParser for its text, at most: markup makes text several times longer than what is shown. */
export const MAX_HTML_CHARS = 8 * MAX_SHOWN_CHARS;

export interface ReadableContent {
  text: string;
  truncated: boolean;
  attachments: string[];
}

function isAttachment(e: MimeEntity): boolean {
  const d = contentDisposition(e);
  return d.type === 'attachment' || (d.filename !== undefined && e.contentType.type !== 'text');
}

/**
 * `legacyDisplay`: part paths (verdict.headerProtection.legacyDisplay, relative to `entity` when it is the payload the
 * core returned) whose legacy display element (RFC 9788 §4.5.3) is left out: the pane shows the signed Subject itself.
 */
export function readableContent(entity: Uint8Array, parseHtml?: (html: string) => string, legacyDisplay: string[] = []): ReadableContent | undefined {
  const parsed = parseMime(entity);
  if (!parsed.ok) return undefined;
  let plain: string | undefined;
  let html: string | undefined;
  const attachments: string[] = [];
  for (const e of walkEntities(parsed.root)) {
    if (e.contentType.type === 'multipart' || e.contentType.mediaType === 'message/rfc822') continue;
    if (e.contentType.mediaType === 'application/pkcs7-signature' || e.contentType.mediaType === 'application/x-pkcs7-signature') continue;
    if (isAttachment(e)) {
      attachments.push(contentDisposition(e).filename ?? e.contentType.mediaType);
      continue;
    }
    const text = (): string => (legacyDisplay.includes(e.path) ? stripLegacyDisplay(e, bodyText(e)) : bodyText(e));
    if (e.contentType.mediaType === 'text/plain' && plain === undefined) plain = text();
    else if (e.contentType.mediaType === 'text/html' && html === undefined) html = text();
  }
  // Clipped before anything else reads it (a parser, a pattern): one message must not stall the pane.
  let text = plain?.slice(0, 2 * MAX_SHOWN_CHARS) ?? (html !== undefined && parseHtml ? parseHtml(html.slice(0, MAX_HTML_CHARS)) : undefined);
  if (text === undefined) return attachments.length ? { text: '', truncated: false, attachments } : undefined;
  const cut = (plain ?? html ?? '').length > (plain !== undefined ? 2 * MAX_SHOWN_CHARS : MAX_HTML_CHARS);
  text = text.replace(/\r\n/g, '\n');
  const truncated = cut || text.length > MAX_SHOWN_CHARS;
  return { text: truncated ? text.slice(0, MAX_SHOWN_CHARS) : text, truncated, attachments };
}

/** HTML to text without rendering it: DOMParser documents run no scripts and load no resources. */
export function htmlToText(html: string): string {
  const doc = new DOMParser().parseFromString(html, 'text/html');
  return (doc.body?.innerText ?? doc.body?.textContent ?? '').trim();
}

/**
 * The readable text of a decrypted message, for the popup. Plain text only, never HTML: decrypted content is
 * shown as text (textContent), so nothing in it can load remote content or run (the EFAIL rule in
 * src/compose/decrypt-message.ts). When the message has only HTML, its tags are stripped to text.
 */
import { bodyText, contentDisposition, parseMime, stripLegacyDisplay, walkEntities, type MimeEntity } from '../src/index';

const MAX_CHARS = 200_000;

/**
 * `legacyDisplay`: part paths (verdict.headerProtection.legacyDisplay, relative to `content` when it is the payload
 * the core returned) whose legacy display element (RFC 9788 §4.5.3) is left out: the popup shows the signed Subject.
 */
export function plainTextOf(content: Uint8Array, legacyDisplay: string[] = []): string | undefined {
  const parsed = parseMime(content);
  if (!parsed.ok) return undefined;
  let html: MimeEntity | undefined;
  const text = (e: MimeEntity): string => (legacyDisplay.includes(e.path) ? stripLegacyDisplay(e, bodyText(e)) : bodyText(e));
  for (const e of walkEntities(parsed.root)) {
    if (e.children.length) continue;
    if (contentDisposition(e).type === 'attachment') continue;
    if (e.contentType.mediaType === 'text/plain') return clip(text(e));
    if (e.contentType.mediaType === 'text/html' && !html) html = e;
  }
  if (!html) return undefined;
  // Tags out, entities left as written: this is a fallback reading, not a renderer.
  return clip(text(html).replace(/<(script|style)[\s\S]*?<\/\1>/gi, '').replace(/<[^>]*>/g, ' ').replace(/[ \t]+/g, ' '));
}

function clip(s: string): string {
  return s.length > MAX_CHARS ? `${s.slice(0, MAX_CHARS)}\n[… shortened]` : s;
}

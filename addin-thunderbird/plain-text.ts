/**
 * The readable text of a decrypted message, for the popup. Plain text only, never HTML: decrypted content is
 * shown as text (textContent), so nothing in it can load remote content or run (the EFAIL rule in
 * src/compose/decrypt-message.ts). When the message has only HTML, its tags are stripped to text.
 */
import { bodyText, contentDisposition, parseMime, walkEntities, type MimeEntity } from '../src/index';

const MAX_CHARS = 200_000;

export function plainTextOf(content: Uint8Array): string | undefined {
  const parsed = parseMime(content);
  if (!parsed.ok) return undefined;
  let html: MimeEntity | undefined;
  for (const e of walkEntities(parsed.root)) {
    if (e.children.length) continue;
    if (contentDisposition(e).type === 'attachment') continue;
    if (e.contentType.mediaType === 'text/plain') return clip(bodyText(e));
    if (e.contentType.mediaType === 'text/html' && !html) html = e;
  }
  if (!html) return undefined;
  // Tags out, entities left as written: this is a fallback reading, not a renderer.
  return clip(bodyText(html).replace(/<(script|style)[\s\S]*?<\/\1>/gi, '').replace(/<[^>]*>/g, ' ').replace(/[ \t]+/g, ' '));
}

function clip(s: string): string {
  return s.length > MAX_CHARS ? `${s.slice(0, MAX_CHARS)}\n[… shortened]` : s;
}

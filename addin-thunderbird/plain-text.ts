/**
 * The readable text of a decrypted message, for the popup. Plain text only, never HTML: decrypted content is
 * shown as text (textContent), so nothing in it can load remote content or run (the EFAIL rule in
 * src/compose/decrypt-message.ts). When the message has only HTML, its tags are stripped to text.
 *
 * The stripping is one linear scan over input clipped first (MAX_HTML_CHARS), not regular expressions: the
 * patterns used before (`<(script|style)[\s\S]*?<\/\1>`, `<[^>]*>`) retried from every '<' to the end of the
 * input, so a 400 KB message of unclosed tags blocked Thunderbird's background page for 53 s.
 */
import { bodyText, contentDisposition, parseMime, stripLegacyDisplay, walkEntities, type MimeEntity } from '../src/index';

const MAX_CHARS = 200_000;
/** HTML read for its text: markup makes text several times longer, and the text is clipped to MAX_CHARS anyway. */
export const MAX_HTML_CHARS = 8 * MAX_CHARS;

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
  return clip(htmlText(text(html).slice(0, MAX_HTML_CHARS)));
}

/**
 * Tags out (a tag becomes a space), script and style elements out with their content, runs of spaces and tabs
 * made one space; entities left as written: this is a fallback reading, not a renderer. Each character is looked
 * at a bounded number of times: every search starts where the previous one ended.
 */
export function htmlText(html: string): string {
  const lower = html.toLowerCase();
  const out: string[] = [];
  let at = 0;
  while (at < html.length) {
    const lt = html.indexOf('<', at);
    if (lt < 0) {
      out.push(html.slice(at));
      break;
    }
    out.push(html.slice(at, lt));
    const gt = html.indexOf('>', lt + 1);
    if (gt < 0) break; // an unclosed tag to the end: nothing after it is text
    const raw = rawTextElement(lower, lt);
    if (raw) {
      // The element and its content go without a trace, as before.
      const close = lower.indexOf(`</${raw}`, gt + 1);
      if (close < 0) break; // an unclosed script or style swallows the rest, as in a browser
      const closeEnd = html.indexOf('>', close);
      at = closeEnd < 0 ? html.length : closeEnd + 1;
    } else {
      out.push(' ');
      at = gt + 1;
    }
  }
  // One character class repeated, nothing nested: linear (test/regex-bounds.test.ts times it).
  return out.join('').replace(/[ \t]+/g, ' ');
}

/** 'script' or 'style' when the tag at `lt` opens one (followed by '>', '/' or whitespace). */
function rawTextElement(lower: string, lt: number): 'script' | 'style' | undefined {
  for (const name of ['script', 'style'] as const) {
    if (lower.startsWith(name, lt + 1)) {
      const next = lower.charCodeAt(lt + 1 + name.length);
      if (next === 0x3e || next === 0x2f || next === 0x20 || next === 0x09 || next === 0x0a || next === 0x0d || next === 0x0c) return name;
    }
  }
  return undefined;
}

function clip(s: string): string {
  return s.length > MAX_CHARS ? `${s.slice(0, MAX_CHARS)}\n[… shortened]` : s;
}

/**
 * Legacy display elements (RFC 9788 §2.1.2, §4.5.3): a decorative copy of the obscured Subject (and other removed
 * fields) that a composer puts at the top of the main body parts of an encrypted message, for readers whose mail
 * program does not know header protection. A reader that shows the protected headers hides it (MUST, §4.5.3).
 *
 * A part carries one when its Content-Type is text/plain or text/html with hp-legacy-display="1" and it lies in the
 * cryptographic payload of a message that was encrypted (§4.5.3.1). Parts of an attached message (message/rfc822
 * inside the payload) belong to that message and are not looked at.
 *
 * Both removals are single forward passes (indexOf), linear in the text.
 */
import type { MimeEntity } from '../mime/types';

const CLASS_NAME = 'header-protection-legacy-display';

/** Does this part declare a legacy display element? */
export function hasLegacyDisplay(e: Pick<MimeEntity, 'contentType'>): boolean {
  const ct = e.contentType;
  return (ct.mediaType === 'text/plain' || ct.mediaType === 'text/html') && (ct.params['hp-legacy-display'] ?? '').trim() === '1';
}

/**
 * Paths of the parts under `bodyRoot` that carry a legacy display element, relative to bodyRoot: "" is bodyRoot
 * itself, "1" its first part, "1.2" that part's second part; the paths MimeEntity.path gives when the body's bytes
 * (decryptMessage's `body`) are parsed on their own.
 */
export function legacyDisplayParts(bodyRoot: MimeEntity): string[] {
  const out: string[] = [];
  const base = bodyRoot.path;
  const stack: MimeEntity[] = [bodyRoot];
  while (stack.length) {
    const e = stack.pop()!;
    if (hasLegacyDisplay(e)) out.push(relativePath(base, e.path));
    // An attached message is another message: its parts are not this payload's body parts.
    if (e !== bodyRoot && e.contentType.type === 'message') continue;
    for (let i = e.children.length - 1; i >= 0; i--) stack.push(e.children[i]);
  }
  return out;
}

function relativePath(base: string, path: string): string {
  if (path === base) return '';
  return base === '' ? path : path.slice(base.length + 1);
}

/**
 * The text of a part as a reader that knows header protection shows it: without its legacy display element when
 * the part declares one (the caller decides that the message is one where that applies: verdict.headerProtection
 * .legacyDisplay names the part). Other parts' text comes back unchanged.
 */
export function stripLegacyDisplay(e: Pick<MimeEntity, 'contentType'>, text: string): string {
  if (!hasLegacyDisplay(e)) return text;
  return e.contentType.mediaType === 'text/plain' ? stripFromPlain(text) : stripFromHtml(text);
}

/**
 * text/plain (§4.5.3.2): discard the leading lines up to and including the first entirely blank line. A part with
 * no blank line at all is left whole: hiding a whole body on a malformed marker would lose the message.
 */
export function stripFromPlain(text: string): string {
  let i = 0;
  while (i <= text.length) {
    const nl = text.indexOf('\n', i);
    const end = nl < 0 ? text.length : nl;
    if (isBlank(text, i, end)) return nl < 0 ? '' : text.slice(nl + 1);
    if (nl < 0) break;
    i = nl + 1;
  }
  return text;
}

function isBlank(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s[i];
    if (c !== '\r' && c !== ' ' && c !== '\t') return false;
  }
  return true;
}

/**
 * text/html (§4.5.3.3): every <div> whose class attribute names header-protection-legacy-display is removed with
 * its content (nested divs counted). Used before the HTML is turned into text, so it only has to be right for
 * well-formed markup; anything unmatched is left as it is.
 */
export function stripFromHtml(html: string): string {
  const lower = html.toLowerCase();
  let out = '';
  let i = 0;
  for (;;) {
    const open = nextDivOpen(lower, i);
    if (open < 0) break;
    const tagEnd = lower.indexOf('>', open);
    if (tagEnd < 0) break;
    if (!namesLegacyClass(lower.slice(open, tagEnd + 1))) {
      out += html.slice(i, tagEnd + 1);
      i = tagEnd + 1;
      continue;
    }
    const after = matchingClose(lower, tagEnd + 1);
    out += html.slice(i, open);
    i = after;
  }
  return out + html.slice(i);
}

/** Index of the next "<div" that is a div tag (followed by space, '/' or '>'), or -1. */
function nextDivOpen(lower: string, from: number): number {
  for (let j = lower.indexOf('<div', from); j >= 0; j = lower.indexOf('<div', j + 4)) {
    const c = lower[j + 4];
    if (c === undefined || c === '>' || c === '/' || c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') return j;
  }
  return -1;
}

/** Index just after the </div> that closes a div whose content starts at `from` (end of text if none). */
function matchingClose(lower: string, from: number): number {
  let depth = 1;
  let k = from;
  let open = nextDivOpen(lower, k);
  while (depth > 0) {
    const close = lower.indexOf('</div', k);
    if (close < 0) return lower.length;
    if (open >= 0 && open < close) {
      depth++;
      k = open + 4;
      open = nextDivOpen(lower, k);
      continue;
    }
    depth--;
    const gt = lower.indexOf('>', close);
    k = gt < 0 ? lower.length : gt + 1;
    if (open >= 0 && open < k) open = nextDivOpen(lower, k);
  }
  return k;
}

/** Does a lower-cased start tag carry class="… header-protection-legacy-display …"? */
function namesLegacyClass(tag: string): boolean {
  if (!tag.includes(CLASS_NAME)) return false;
  let at = tag.indexOf('class');
  while (at >= 0) {
    let j = at + 5;
    const before = tag[at - 1];
    if (before === ' ' || before === '\t' || before === '\n' || before === '\r' || before === '\f' || before === '"' || before === "'") {
      while (tag[j] === ' ' || tag[j] === '\t' || tag[j] === '\n' || tag[j] === '\r') j++;
      if (tag[j] === '=') {
        j++;
        while (tag[j] === ' ' || tag[j] === '\t' || tag[j] === '\n' || tag[j] === '\r') j++;
        const q = tag[j];
        let value: string;
        if (q === '"' || q === "'") {
          const end = tag.indexOf(q, j + 1);
          value = tag.slice(j + 1, end < 0 ? tag.length : end);
        } else {
          let end = j;
          while (end < tag.length && tag[end] !== ' ' && tag[end] !== '>' && tag[end] !== '\t' && tag[end] !== '\n') end++;
          value = tag.slice(j, end);
        }
        return value.split(/[ \t\n\r\f]/).includes(CLASS_NAME);
      }
    }
    at = tag.indexOf('class', at + 5);
  }
  return false;
}

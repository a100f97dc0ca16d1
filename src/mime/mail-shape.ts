/**
 * Whether some bytes are a mail message at all (issue 10, item 22): an empty file or random bytes must be "not a
 * mail message", not "not signed" (which would suggest an ordinary unsigned mail was read). A message starts with a
 * header field (RFC 5322 §2.2: a field name of printable ASCII other than ':' followed by ':'); a leading mbox
 * "From " line and Thunderbird's X-Mozilla-* lines are skipped before this check (mozilla.ts). Bounded: only the first
 * line is looked at, at most 998 bytes (RFC 5322 §2.1.1), by a plain loop.
 */

const MAX_LINE = 998;

/** One sentence saying why `raw` is not a mail message, or undefined when it starts like one. */
export function notMailReason(raw: Uint8Array): string | undefined {
  let nonSpace = false;
  for (let i = 0; i < raw.length && !nonSpace; i++) nonSpace = raw[i] !== 0x20 && raw[i] !== 0x09 && raw[i] !== 0x0d && raw[i] !== 0x0a;
  if (!nonSpace) return 'The file is empty, so it is not a mail message.';
  const limit = Math.min(raw.length, MAX_LINE + 1);
  for (let i = 0; i < limit; i++) {
    const b = raw[i];
    if (b === 0x3a) return i > 0 ? undefined : NOT_MAIL;
    if (b < 33 || b > 126) return NOT_MAIL;
  }
  return NOT_MAIL;
}

const NOT_MAIL = 'This is not a mail message: it does not begin with a header field such as "From:".';

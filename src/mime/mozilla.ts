/**
 * Thunderbird's `messages.getRaw` returns the message as stored in the local folder: the original bytes,
 * preceded by Thunderbird's own bookkeeping lines (an mbox "From " separator and X-Mozilla-Status,
 * X-Mozilla-Status2, X-Mozilla-Keys headers, LF-terminated). They were never part of the sent message and
 * are not covered by any signature; strip them before parsing so offsets and header lists are the sender's.
 */

const MOZILLA_FIELDS = ['x-mozilla-status:', 'x-mozilla-status2:', 'x-mozilla-keys:'];

/**
 * Thunderbird writes its lines with LF (or CRLF) only. A line with a CR inside is not one of them: Thunderbird
 * reads a header behind such a CR ("X-Mozilla-Status: 1\rFrom: ceo@…" showed ceo as the sender), so it must stay
 * in the header block the check reads, where coverage.ts refuses it.
 */
function hasInnerCr(raw: Uint8Array, from: number, to: number): boolean {
  const line = raw.subarray(from, to);
  const cr = line.indexOf(0x0d);
  return cr >= 0 && cr < line.length - 2;
}

function lineStartsWith(raw: Uint8Array, at: number, lowerPrefix: string): boolean {
  if (raw.length - at < lowerPrefix.length) return false;
  for (let i = 0; i < lowerPrefix.length; i++) {
    let b = raw[at + i];
    if (b >= 0x41 && b <= 0x5a) b += 0x20;
    if (b !== lowerPrefix.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The original message bytes without Thunderbird's folder prefix: a subarray of `raw` (no copy). Only lines at
 * the very top are removed: one mbox "From " line (first line only), then any run of X-Mozilla-Status,
 * X-Mozilla-Status2 and X-Mozilla-Keys lines (with continuation lines, and LF or CRLF endings). Input without the
 * prefix is returned unchanged.
 */
export function stripMozillaPrefix(raw: Uint8Array): Uint8Array {
  let pos = 0;
  const nextLine = (from: number): number => {
    const lf = raw.indexOf(0x0a, from);
    return lf < 0 ? raw.length : lf + 1;
  };
  if (lineStartsWith(raw, 0, 'from ')) {
    // "From " (mbox separator) is case-sensitive in practice; "from: x" would be a header and is not matched.
    if (raw[0] === 0x46 && !hasInnerCr(raw, 0, nextLine(0))) pos = nextLine(0);
  }
  for (;;) {
    const field = MOZILLA_FIELDS.some((f) => lineStartsWith(raw, pos, f));
    if (!field || hasInnerCr(raw, pos, nextLine(pos))) break;
    let next = nextLine(pos);
    // X-Mozilla-Keys is padded with spaces to 80 chars so Thunderbird can rewrite it in place; no folding
    // is written, but skip continuation lines to be safe.
    while (next < raw.length && (raw[next] === 0x20 || raw[next] === 0x09) && !hasInnerCr(raw, next, nextLine(next))) next = nextLine(next);
    if (next < raw.length && (raw[next] === 0x20 || raw[next] === 0x09)) break; // a continuation with a CR: keep the field
    pos = next;
  }
  return pos === 0 ? raw : raw.subarray(pos);
}

/**
 * parseMime: RFC 5322 / RFC 2045-2046 structure over the ORIGINAL bytes. Nothing is re-serialised and no body
 * is decoded here: every entity records offsets into `source`, so a signed part is hashed exactly as sent.
 *
 * How it stays fast and safe on hostile input:
 * - Lines are found with Uint8Array.indexOf(LF) (native), and a multipart body is scanned once, line by line,
 *   for its own delimiter. A base64 attachment costs one indexOf per 77-byte line and no decoding.
 * - Each nesting level scans only its own range, and nesting is capped (maxDepth), so total work is at most
 *   maxDepth × message size; a 10,000-deep bomb stops at level maxDepth+1 with `limit-exceeded`.
 * - Every count that hostile input controls is capped: bytes, depth, parts, header lines, header bytes.
 * Accepts CRLF, bare LF and mixtures of both (Thunderbird hands over LF-only copies; PKITS is LF with CRLF
 * inside the signed part).
 */
import { headerBytes, headerText, latin1Bytes, utf8OrUndefined } from './bytes';
import { parseContentType, parseParameterizedValue } from './headers';
import type { MimeEntity, MimeHeader, MimeLimits, MimeParseResult } from './types';

export const DEFAULT_LIMITS: Readonly<Required<MimeLimits>> = Object.freeze({
  // 64 MiB: above what mail servers accept (Exchange Online 150 MB is the outlier; Gmail 25 MB, most 50 MB)
  // once base64 overhead is counted, yet small enough that a host holding the bytes twice stays within memory.
  maxBytes: 64 * 1024 * 1024,
  // 32: real mail nests 3-6 levels (signed > mixed > alternative > related, plus a forwarded message or two).
  // Each level costs one scan of its range, so depth × size bounds the work; a nesting bomb stops here.
  maxDepth: 32,
  // 2000: a message with hundreds of inline images is plausible, thousands is an attack on memory/time.
  maxParts: 2000,
  // 1000: long Received/ARC/DKIM chains reach ~100 header fields; more is an attack on the header parser.
  maxHeaders: 1000,
  // 1 MiB per header block: RFC 5322 lines are <= 998 bytes; even huge References headers stay far below.
  maxHeaderBytes: 1024 * 1024,
});

/**
 * Merges caller limits over the defaults. Only finite positive numbers count: 0, NaN, negative, Infinity or a
 * missing value mean "the default", never "no limit" (a falsy value must not switch a guard off).
 */
export function resolveLimits(limits?: Partial<MimeLimits>): Required<MimeLimits> {
  const out = { ...DEFAULT_LIMITS };
  if (limits) {
    for (const k of Object.keys(DEFAULT_LIMITS) as (keyof MimeLimits)[]) {
      const v = limits[k];
      if (typeof v === 'number' && Number.isFinite(v) && v >= 1) out[k] = Math.floor(v);
    }
  }
  return out;
}

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HT = 0x09;
const DASH = 0x2d;
const COLON = 0x3a;

type FailCode = 'malformed-mime' | 'limit-exceeded' | 'truncated';

/** Internal: unwinds the recursion when a limit is hit; never escapes parseMime. */
class ParseFailure {
  constructor(
    readonly code: FailCode,
    readonly message: string,
  ) {}
}

/** Media types whose body is itself a message, parsed as a child (RFC 2046 §5.2, RFC 6532 §3.7). */
const MESSAGE_TYPES = new Set(['message/rfc822', 'message/global']);
/** Encodings under which the bytes of an embedded message are the message itself. */
const IDENTITY_ENCODINGS = new Set(['7bit', '8bit', 'binary']);

class Parser {
  private parts = 0;
  private dash?: { at: Int32Array; count: number };

  constructor(
    private readonly src: Uint8Array,
    private readonly limits: Required<MimeLimits>,
  ) {}

  /**
   * Index of the next LF in [from, to), or -1. The native indexOf searches to the end of the whole array,
   * but every range passed here ends at the end of the source or right before a delimiter's (CR)LF, so it
   * overshoots `to` by at most two bytes: no hidden quadratic scan.
   */
  private nextLF(from: number, to: number): number {
    const i = this.src.indexOf(LF, from);
    return i < 0 || i >= to ? -1 : i;
  }

  /**
   * Every line start (ascending) that begins with "--" plus at least one more byte on the line: the only
   * places a delimiter can be. Found once per message; each multipart level then visits only the candidates
   * in its own range, so a nesting bomb costs one byte scan plus depth × candidates, not depth × bytes.
   * Memory is at most one 4-byte entry per 4 message bytes. Base64 has no '-', so an attachment costs one
   * native indexOf and no per-line work at all.
   */
  private dashLines(): { at: Int32Array; count: number } {
    if (this.dash) return this.dash;
    const src = this.src;
    let at = new Int32Array(256);
    let count = 0;
    let p = 0;
    for (;;) {
      const i = src.indexOf(DASH, p);
      if (i < 0) break;
      if (i === 0 || src[i - 1] === LF) {
        const c = src[i + 2];
        if (src[i + 1] === DASH && i + 2 < src.length && c !== LF && c !== CR) {
          if (count === at.length) {
            const grown = new Int32Array(at.length * 2);
            grown.set(at);
            at = grown;
          }
          at[count++] = i;
        }
      }
      // Skip the rest of this line: a delimiter only starts a line.
      const lf = src.indexOf(LF, i);
      if (lf < 0) break;
      p = lf + 1;
    }
    this.dash = { at, count };
    return this.dash;
  }

  /** True when [pos, lineEnd) starts like a header field: printable name chars, optional WSP, then ':'. */
  private isFieldLine(pos: number, lineEnd: number): boolean {
    const s = this.src;
    let i = pos;
    while (i < lineEnd && s[i] > SP && s[i] < 0x7f && s[i] !== COLON) i++;
    if (i === pos) return false;
    while (i < lineEnd && (s[i] === SP || s[i] === HT)) i++; // obs-optional: "Subject : x"
    return i < lineEnd && s[i] === COLON;
  }

  parseEntity(start: number, end: number, depth: number, path: string, defaultType: string): MimeEntity {
    const { src, limits } = this;
    if (depth > limits.maxDepth) {
      throw new ParseFailure(
        'limit-exceeded',
        `MIME parts are nested more than ${limits.maxDepth} levels deep (at part ${path || 'root'}).`,
      );
    }
    if (++this.parts > limits.maxParts) {
      throw new ParseFailure('limit-exceeded', `The message has more than ${limits.maxParts} MIME parts.`);
    }
    const defects: string[] = [];
    let pos = start;
    // A UTF-8 byte order mark in front of a message (an .eml saved by a text editor) is not part of a header name.
    if (depth === 0 && end - start >= 3 && src[start] === 0xef && src[start + 1] === 0xbb && src[start + 2] === 0xbf) {
      pos += 3;
      defects.push('The message starts with a UTF-8 byte order mark; it was skipped.');
    }
    // An mbox "From " separator line in front of a message is not a header (see mozilla.ts, which strips it).
    if (depth === 0 && isMboxFromLine(src, pos, end)) {
      const lf = this.nextLF(pos, end);
      pos = lf < 0 ? end : lf + 1;
      defects.push('An mbox "From " line precedes the headers; it was skipped.');
    }
    const headerStart = pos;
    let headerEnd = end;
    let bodyStart = end;
    let fields = 0;
    let leadingContinuation = false;
    for (;;) {
      if (pos >= end) {
        headerEnd = bodyStart = end;
        if (fields > 0) defects.push('The header block is not followed by a blank line.');
        break;
      }
      const lf = this.nextLF(pos, end);
      const lineEnd = lf < 0 ? end : lf;
      if (lineEnd - headerStart > limits.maxHeaderBytes) {
        throw new ParseFailure(
          'limit-exceeded',
          `The header block of part ${path || 'root'} is larger than ${limits.maxHeaderBytes} bytes.`,
        );
      }
      const contentEnd = lineEnd > pos && src[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
      if (contentEnd === pos) {
        headerEnd = pos;
        bodyStart = lf < 0 ? end : lf + 1;
        break;
      }
      const c = src[pos];
      const continuation = c === SP || c === HT;
      if (continuation && fields === 0) {
        // A continuation with nothing to continue: skipped, and the header block goes on (as Python's email
        // package does), so one indented line cannot turn a whole message into header-less text.
        if (!leadingContinuation) defects.push('The header block starts with an indented line; it was ignored.');
        leadingContinuation = true;
        pos = lf < 0 ? end : lf + 1;
        continue;
      }
      if (!continuation && !this.isFieldLine(pos, contentEnd)) {
        // Not a header line: the body starts here (a header-less part, or a missing blank line).
        headerEnd = bodyStart = pos;
        defects.push(
          fields === 0
            ? 'The part has no headers.'
            : 'A line that is not a header ends the header block without a blank line.',
        );
        break;
      }
      if (!continuation && ++fields > limits.maxHeaders) {
        throw new ParseFailure(
          'limit-exceeded',
          `Part ${path || 'root'} has more than ${limits.maxHeaders} header fields.`,
        );
      }
      pos = lf < 0 ? end : lf + 1;
    }

    const { text, utf8: blockUtf8 } = headerText(src, headerStart, headerEnd);
    const headers = splitFields(text);
    // A block that is not UTF-8 as a whole was read as Latin-1; its fields are then decoded one by one, each as
    // UTF-8 when its own bytes are (as Thunderbird does): one stray byte in the Subject must not change how the
    // From reads ("ceo＠corp.example" in UTF-8 became a harmless-looking "ceoï¼\u00a0corp.example").
    const utf8Fields = blockUtf8 ? undefined : decodeFieldsOneByOne(headers);

    const ctValues: string[] = [];
    let utf8 = blockUtf8;
    let cte: string | undefined;
    for (let k = 0; k < headers.length; k++) {
      const h = headers[k];
      if (h.key === 'content-type') {
        // The boundary's bytes are those of the field it came from (see headerBytes).
        if (ctValues.length === 0 && utf8Fields) utf8 = utf8Fields.has(k);
        ctValues.push(h.value);
      } else if (h.key === 'content-transfer-encoding' && cte === undefined) cte = h.value;
    }
    if (ctValues.length > 1) defects.push('The part has more than one Content-Type header; the first is used.');
    const ct = parseContentType(ctValues[0], defaultType);
    for (const d of ct.defects) defects.push(`Content-Type: ${d}`);
    const transferEncoding = parseParameterizedValue(cte).value || '7bit'; // token, comments removed

    const entity: MimeEntity = {
      source: src,
      start,
      headerEnd,
      bodyStart,
      end,
      headers,
      contentType: { type: ct.type, subtype: ct.subtype, mediaType: ct.mediaType, params: ct.params },
      transferEncoding,
      children: [],
      path,
      defects,
    };

    if (ct.type === 'multipart') {
      if (!IDENTITY_ENCODINGS.has(transferEncoding)) {
        defects.push(`A multipart must not have Content-Transfer-Encoding ${transferEncoding}; it was ignored.`);
      }
      this.parseMultipart(entity, depth, utf8);
    } else if (MESSAGE_TYPES.has(ct.mediaType)) {
      if (IDENTITY_ENCODINGS.has(transferEncoding)) {
        entity.children.push(this.parseEntity(bodyStart, end, depth + 1, path, 'text/plain'));
      } else {
        defects.push(`An embedded message with ${transferEncoding} encoding was not parsed.`);
      }
    }
    return entity;
  }

  /** Finds the delimiter lines of a multipart body and parses each body part as a child. */
  private parseMultipart(entity: MimeEntity, depth: number, utf8: boolean): void {
    const { src, limits } = this;
    const { bodyStart, end, defects, path } = entity;
    const boundary = entity.contentType.params.boundary;
    if (boundary === undefined || boundary === '') {
      defects.push('The multipart has no boundary parameter, so its parts cannot be found.');
      entity.preamble = { start: bodyStart, end };
      return;
    }
    if (boundary.length > 70) defects.push('The boundary is longer than the 70 characters RFC 2046 allows.');
    if (/[ \t]$/.test(boundary)) defects.push('The boundary ends in white space, which RFC 2046 forbids.');
    const bnd = headerBytes(`--${boundary}`, utf8);
    const blen = bnd.length;
    // Delimiter lines in order: where the line starts, whether it is the close delimiter, where the next part starts.
    const lines: { at: number; close: boolean; next: number }[] = [];
    let closed = false;
    const cands = this.dashLines();
    for (let c = lowerBound(cands.at, cands.count, bodyStart); c < cands.count; c++) {
      const pos = cands.at[c];
      if (pos + blen > end) break;
      let k = 2;
      while (k < blen && src[pos + k] === bnd[k]) k++;
      if (k !== blen) continue;
      const lf = this.nextLF(pos, end);
      const lineEnd = lf < 0 ? end : lf;
      let i = pos + blen;
      const contentEnd = lineEnd > pos && src[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
      let close = false;
      if (i + 1 < contentEnd && src[i] === DASH && src[i + 1] === DASH) {
        close = true;
        i += 2;
      }
      while (i < contentEnd && (src[i] === SP || src[i] === HT)) i++; // transport padding
      // Anything else after the boundary means a longer boundary (or text) that merely starts with ours.
      if (i !== contentEnd) continue;
      lines.push({ at: pos, close, next: lf < 0 ? end : lf + 1 });
      if (lines.length > limits.maxParts) {
        throw new ParseFailure('limit-exceeded', `The message has more than ${limits.maxParts} MIME parts.`);
      }
      if (close) {
        closed = true;
        break;
      }
    }
    if (lines.length === 0) {
      defects.push('The multipart boundary never appears in the body, so it has no parts.');
      entity.preamble = { start: bodyStart, end };
      return;
    }
    // RFC 2046 §5.1.1: the CRLF before a delimiter belongs to the delimiter, so a part (or the preamble)
    // ends before it. `floor` keeps an empty part from reaching back into the previous delimiter line.
    const before = (at: number, floor: number): number => {
      if (at <= floor || src[at - 1] !== LF) return at;
      return at - 1 > floor && src[at - 2] === CR ? at - 2 : at - 1;
    };
    entity.preamble = { start: bodyStart, end: before(lines[0].at, bodyStart) };
    if (lines[0].close) defects.push('The multipart has a close delimiter but no parts.');
    if (!closed) defects.push('The multipart has no close delimiter (the message may be truncated).');
    const childType = entity.contentType.subtype === 'digest' ? 'message/rfc822' : 'text/plain';
    let n = 0;
    let touching = false;
    for (let j = 0; j < lines.length; j++) {
      const d = lines[j];
      if (d.close) {
        entity.epilogue = { start: d.next, end };
        break;
      }
      const partStart = d.next;
      const partEnd = j + 1 < lines.length ? before(lines[j + 1].at, partStart) : end;
      if (j + 1 < lines.length && lines[j + 1].at === partStart) {
        // Two delimiter lines in a row: RFC 2046's grammar has no body part between them (the CRLF that would
        // start the next delimiter was the previous line's end). Python's email package and OpenSSL agree.
        if (lines[j + 1].close) defects.push('A delimiter line is followed directly by the close delimiter; no part lies between them.');
        else if (!touching) defects.push('Two delimiter lines follow each other; no part lies between them.');
        touching = true;
        continue;
      }
      if (j + 1 === lines.length && partStart >= end) {
        // The message stops right after a delimiter (close "--" missing): no part follows it, so none is made
        // up (a truncated multipart/signed must not gain an empty third part).
        defects.push('The multipart ends with a delimiter line and nothing after it.');
        break;
      }
      n++;
      const childPath = path === '' ? String(n) : `${path}.${n}`;
      entity.children.push(this.parseEntity(partStart, partEnd, depth + 1, childPath, childType));
    }
  }
}

/** First index in the sorted at[0, count) whose value is >= x. */
function lowerBound(at: Int32Array, count: number, x: number): number {
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (at[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** "From " at the start (mbox separator): "From" followed by a space, not a "From:" header. */
export function isMboxFromLine(src: Uint8Array, at: number, end: number): boolean {
  return end - at >= 5 && src[at] === 0x46 && src[at + 1] === 0x72 && src[at + 2] === 0x6f && src[at + 3] === 0x6d && src[at + 4] === SP;
}

/**
 * Trims spaces and tabs. A loop, not /[ \t]+$/: V8 runs that regex in time quadratic in a long inner run of
 * white space, and header values are up to maxHeaderBytes long.
 */
function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === SP || s.charCodeAt(a) === HT)) a++;
  while (b > a && (s.charCodeAt(b - 1) === SP || s.charCodeAt(b - 1) === HT)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * For a header block read as Latin-1 (one char per byte): every field value with 8-bit bytes that form valid UTF-8
 * is replaced by its UTF-8 reading. Returns the indexes of the fields so decoded. Each value is looked at once.
 */
function decodeFieldsOneByOne(headers: MimeHeader[]): Set<number> {
  const out = new Set<number>();
  for (let k = 0; k < headers.length; k++) {
    const h = headers[k];
    let eight = false;
    for (let i = 0; i < h.value.length && !eight; i++) eight = h.value.charCodeAt(i) > 0x7f;
    if (!eight) continue;
    const d = utf8OrUndefined(latin1Bytes(h.value));
    if (d === undefined) continue;
    h.value = d;
    out.add(k);
  }
  return out;
}

/** Splits a decoded header block into fields, unfolding continuation lines (RFC 5322 §2.2.3). */
function splitFields(text: string): MimeHeader[] {
  const headers: MimeHeader[] = [];
  if (text === '') return headers;
  const lines = text.split('\n');
  let cur: { name: string; value: string } | undefined;
  const push = (): void => {
    if (cur) {
      headers.push({ name: cur.name, key: cur.name.toLowerCase(), value: trimWsp(cur.value) });
    }
  };
  for (let raw of lines) {
    if (raw.endsWith('\r')) raw = raw.slice(0, -1);
    if (raw === '') continue;
    const c = raw.charCodeAt(0);
    if (c === SP || c === HT) {
      if (cur) cur.value += raw; // unfolding removes only the line break, the white space stays
      continue; // (an indented first line has nothing to continue: parseEntity reported it)
    }
    push();
    const colon = raw.indexOf(':');
    cur = { name: trimWsp(raw.slice(0, colon)), value: raw.slice(colon + 1) };
  }
  push();
  return headers;
}

/**
 * Parses a message. Never throws for bad input: limits give `{ok:false, error}` with a one-line message,
 * anything else that is wrong but survivable is recorded in the entities' `defects`. Input that is not MIME
 * at all (no headers) parses as a header-less text/plain root with a defect, so the caller can say "not signed".
 */
export function parseMime(raw: Uint8Array, limits?: Partial<MimeLimits>): MimeParseResult {
  if (!(raw instanceof Uint8Array)) throw new TypeError('parseMime expects a Uint8Array'); // programmer error
  const l = resolveLimits(limits);
  if (raw.length > l.maxBytes) {
    return {
      ok: false,
      error: { code: 'limit-exceeded', message: `The message is ${raw.length} bytes, more than the ${l.maxBytes} allowed.` },
    };
  }
  try {
    const root = new Parser(raw, l).parseEntity(0, raw.length, 0, '', 'text/plain');
    if (raw.length === 0) root.defects.push('The message is empty.');
    return { ok: true, root };
  } catch (e) {
    if (e instanceof ParseFailure) return { ok: false, error: { code: e.code, message: e.message } };
    throw e; // a bug in this parser: let tests and the caller's internal-error path see it
  }
}

/** Every entity of a tree, depth first, root included (message/rfc822 children too). */
export function* walkEntities(root: MimeEntity): Generator<MimeEntity> {
  const stack: MimeEntity[] = [root];
  while (stack.length) {
    const e = stack.pop()!;
    yield e;
    for (let i = e.children.length - 1; i >= 0; i--) stack.push(e.children[i]);
  }
}

/** The exact bytes of an entity (headers and body): a subarray, not a copy. */
export function entityBytes(e: MimeEntity): Uint8Array {
  return e.source.subarray(e.start, e.end);
}

/** The exact, still-encoded body bytes of an entity: a subarray, not a copy. */
export function rawBody(e: MimeEntity): Uint8Array {
  return e.source.subarray(e.bodyStart, e.end);
}

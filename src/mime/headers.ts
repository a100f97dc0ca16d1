/**
 * Header lookup and the structured headers the S/MIME core needs: Content-Type / Content-Disposition with
 * parameters (RFC 2045 quoted strings and comments, RFC 2231 continuations and charsets) and RFC 2047
 * encoded words. Everything here is tolerant: hostile values give a best-effort result plus defects, never a
 * throw. Values are bounded by the parser's header limits, and every loop here is linear in the value.
 */
import { decoderFor } from './bytes';
import type { ContentType, MimeEntity } from './types';

/** First value of a header (case-insensitive name), unfolded, RFC 2047 words NOT decoded. */
export function getHeader(entity: Pick<MimeEntity, 'headers'>, name: string): string | undefined {
  const key = name.toLowerCase();
  for (const h of entity.headers) if (h.key === key) return h.value;
  return undefined;
}

/** Every value of a header, in message order (e.g. several From headers: an identity attack to report). */
export function getHeaders(entity: Pick<MimeEntity, 'headers'>, name: string): string[] {
  const key = name.toLowerCase();
  const out: string[] = [];
  for (const h of entity.headers) if (h.key === key) out.push(h.value);
  return out;
}

export interface ParameterizedValue {
  /** The part before the first ';', lower-cased, comments removed (e.g. "multipart/signed", "attachment"). */
  value: string;
  /** Parameter names lower-cased; values unquoted, RFC 2231 continuations joined and charset-decoded. */
  params: Record<string, string>;
  defects: string[];
}

const TSPECIALS = '()<>@,;:\\"/[]?=';

function isWs(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

/** Skips whitespace and (nested) comments from i; returns the new index. */
function skipCfws(s: string, i: number): number {
  for (;;) {
    while (i < s.length && isWs(s[i])) i++;
    if (s[i] !== '(') return i;
    let depth = 0;
    for (; i < s.length; i++) {
      const c = s[i];
      if (c === '\\') i++;
      else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) {
        i++;
        break;
      }
    }
  }
}

/** Reads a quoted string starting at s[i] === '"'; returns [content, nextIndex, terminated]. */
export function readQuoted(s: string, i: number): [string, number, boolean] {
  let out = '';
  for (i++; i < s.length; i++) {
    const c = s[i];
    if (c === '\\' && i + 1 < s.length) out += s[++i];
    else if (c === '"') return [out, i + 1, true];
    else if (c !== '\r' && c !== '\n') out += c;
  }
  return [out, i, false];
}

interface RawParam {
  name: string;
  value: string;
  extended: boolean; // name*= or name*N*=: percent-encoded, maybe with charset'lang'
}

/**
 * Parses `value; name=val; name*=utf-8''%E2%82%AC; name*0="a"; name*1="b"` as sent in Content-Type and
 * Content-Disposition. Tolerates what real mail contains: unquoted values with tspecials
 * (boundary=----=_Part_1), spaces before/after '=', a trailing ';', unterminated quotes.
 */
export function parseParameterizedValue(input: string | undefined): ParameterizedValue {
  const defects: string[] = [];
  const s = input ?? '';
  let i = skipCfws(s, 0);
  let head = '';
  while (i < s.length && s[i] !== ';') {
    if (s[i] === '(') {
      i = skipCfws(s, i);
      head += ' '; // a comment separates like white space
      continue;
    }
    head += isWs(s[i]) ? ' ' : s[i];
    i++;
  }
  // White space may surround the '/' of a media type ("text / plain"), but "text/plain junk" stays two words
  // and so is no valid media type.
  const slash = head.indexOf('/');
  const value = slash < 0 ? head.trim() : `${head.slice(0, slash).trim()}/${head.slice(slash + 1).trim()}`;
  const raw: RawParam[] = [];
  while (i < s.length) {
    i++; // the ';'
    i = skipCfws(s, i);
    if (i >= s.length) break;
    let name = '';
    while (i < s.length && s[i] !== '=' && s[i] !== ';' && !isWs(s[i]) && s[i] !== '(') name += s[i++];
    i = skipCfws(s, i);
    if (s[i] !== '=') {
      if (name) defects.push(`parameter "${name.slice(0, 40)}" has no value`);
      while (i < s.length && s[i] !== ';') i++;
      continue;
    }
    i = skipCfws(s, i + 1);
    let val = '';
    if (s[i] === '"') {
      const [q, next, ok] = readQuoted(s, i);
      if (!ok) defects.push(`unterminated quoted value for parameter "${name.slice(0, 40)}"`);
      val = q;
      i = skipCfws(s, next);
      // Junk after the closing quote (name="a"b) is kept out of the value, as clients do.
      if (i < s.length && s[i] !== ';') {
        defects.push(`text after the quoted value of parameter "${name.slice(0, 40)}"`);
        while (i < s.length && s[i] !== ';') i++;
      }
    } else {
      // Unquoted: RFC 2045 says token, but tspecials such as '=' and '/' occur unquoted in real boundaries.
      const startVal = i;
      while (i < s.length && s[i] !== ';') i++;
      val = s.slice(startVal, i);
      const comment = val.search(/\s\(/);
      if (comment >= 0) val = val.slice(0, comment);
      val = val.trim();
      for (const c of val) {
        if (TSPECIALS.includes(c) || c === ' ') {
          defects.push(`unquoted special character in parameter "${name.slice(0, 40)}"`);
          break;
        }
      }
    }
    const lower = name.toLowerCase();
    if (!lower) {
      defects.push('parameter without a name');
      continue;
    }
    const extended = lower.endsWith('*');
    raw.push({ name: extended ? lower.slice(0, -1) : lower, value: val, extended });
  }
  return { value: value.toLowerCase(), params: joinRfc2231(raw, defects), defects };
}

function percentDecode(s: string, charset: string | undefined, defects: string[]): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x25 /* % */ && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else for (const b of new TextEncoder().encode(s[i])) bytes.push(b);
  }
  const d = decoderFor(charset || 'us-ascii');
  if (!d) defects.push(`unknown charset "${(charset ?? '').slice(0, 40)}" in parameter`);
  return (d ?? decoderFor('utf-8')!).decode(new Uint8Array(bytes));
}

/** RFC 2231: joins name*0, name*1*… in numeric order; decodes charset'lang'%XX values. */
function joinRfc2231(raw: RawParam[], defects: string[]): Record<string, string> {
  const params: Record<string, string> = Object.create(null) as Record<string, string>;
  const sections = new Map<string, { n: number; p: RawParam }[]>();
  const plain = new Map<string, RawParam>();
  const MAX_SECTIONS = 1000; // RFC 2231 puts no limit; more than this is an attack on the joiner.
  for (const p of raw) {
    const m = /^(.*)\*(\d{1,4})$/.exec(p.name);
    if (m) {
      const list = sections.get(m[1]) ?? [];
      if (list.length < MAX_SECTIONS) list.push({ n: Number(m[2]), p });
      sections.set(m[1], list);
    } else if (plain.has(p.name) && !plain.get(p.name)!.extended && !p.extended) {
      defects.push(`duplicate parameter "${p.name.slice(0, 40)}" (first one used)`);
    } else if (!plain.has(p.name) || (p.extended && !plain.get(p.name)!.extended)) {
      plain.set(p.name, p); // name*= (RFC 2231) wins over name= (RFC 2231 §4.1 fallback convention)
    }
  }
  for (const [name, p] of plain) {
    if (!p.extended) {
      params[name] = p.value;
      continue;
    }
    const m = /^([^']*)'[^']*'(.*)$/s.exec(p.value);
    params[name] = m ? percentDecode(m[2], m[1], defects) : percentDecode(p.value, undefined, defects);
  }
  for (const [name, list] of sections) {
    // A whole name*= beats continuations; continuations beat a plain name= (the RFC 2231 §4.1 fallback).
    if (plain.get(name)?.extended) continue;
    list.sort((a, b) => a.n - b.n);
    let charset: string | undefined;
    let out = '';
    let expected = 0;
    for (const { n, p } of list) {
      if (n !== expected) {
        defects.push(`parameter "${name.slice(0, 40)}" continuation ${expected} missing or repeated`);
        if (n < expected) continue;
      }
      expected = n + 1;
      let v = p.value;
      if (p.extended) {
        if (n === 0) {
          const m = /^([^']*)'[^']*'(.*)$/s.exec(v);
          if (m) {
            charset = m[1];
            v = m[2];
          }
        }
        out += percentDecode(v, charset, defects);
      } else out += v;
    }
    params[name] = out;
  }
  return params;
}

/**
 * Content-Type of an entity. `fallback` is the RFC 2045 default (text/plain; charset=us-ascii) or
 * message/rfc822 inside multipart/digest. A value without a '/' is treated as absent, as RFC 2045 §5.2 says.
 */
export function parseContentType(
  value: string | undefined,
  fallback = 'text/plain',
): ContentType & { defects: string[] } {
  const p = parseParameterizedValue(value);
  const defects = p.defects;
  let mediaType = p.value;
  const m = /^([!#$%&'*+\-.^_`|~0-9a-z]+)\/([!#$%&'*+\-.^_`|~0-9a-z]+)$/.exec(mediaType);
  if (value !== undefined && !m) {
    defects.push(`invalid Content-Type "${mediaType.slice(0, 60)}", using ${fallback}`);
  }
  let params = p.params;
  if (!m) {
    // RFC 2045 §5.2: an absent or invalid Content-Type means the default, parameters included.
    mediaType = fallback;
    params = Object.create(null) as Record<string, string>;
    if (fallback === 'text/plain') params.charset = 'us-ascii';
  }
  const slash = mediaType.indexOf('/');
  return { type: mediaType.slice(0, slash), subtype: mediaType.slice(slash + 1), mediaType, params, defects };
}

export interface ContentDisposition {
  /** "inline", "attachment", … lower-cased; undefined when the header is absent. */
  type?: string;
  params: Record<string, string>;
  /** From Content-Disposition filename, else Content-Type name (legacy); RFC 2047 words decoded. */
  filename?: string;
  defects: string[];
}

export function contentDisposition(entity: Pick<MimeEntity, 'headers' | 'contentType'>): ContentDisposition {
  const v = getHeader(entity, 'content-disposition');
  const p = parseParameterizedValue(v);
  // Clients (Outlook, Thunderbird) put RFC 2047 words into quoted filenames, against RFC 2047 §5: decode them.
  const name = p.params.filename ?? entity.contentType.params.name;
  return {
    type: v === undefined ? undefined : p.value,
    params: p.params,
    filename: name === undefined ? undefined : decodeEncodedWords(name),
    defects: p.defects,
  };
}

/** Filename of a part (Content-Disposition filename, else Content-Type name), or undefined. */
export function filenameOf(entity: Pick<MimeEntity, 'headers' | 'contentType'>): string | undefined {
  return contentDisposition(entity).filename;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function wordBytes(enc: string, text: string): Uint8Array {
  if (enc === 'b' || enc === 'B') {
    const out: number[] = [];
    let bits = 0;
    let acc = 0;
    for (const c of text) {
      const v = B64.indexOf(c);
      if (v < 0) continue; // '=' padding and stray characters
      acc = (acc << 6) | v;
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push((acc >> bits) & 0xff);
      }
    }
    return new Uint8Array(out);
  }
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '_') out.push(0x20);
    else if (c === '=' && /^[0-9a-fA-F]{2}$/.test(text.slice(i + 1, i + 3))) {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const code = text.charCodeAt(i);
      if (code < 0x100) out.push(code);
      else for (const b of new TextEncoder().encode(c)) out.push(b);
    }
  }
  return new Uint8Array(out);
}

// encoded-word = "=?" charset ["*" lang] "?" encoding "?" encoded-text "?=" (RFC 2047 §2, RFC 2231 §5).
const ENCODED_WORD = /=\?([^?\s*]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?\s]*)\?=/g;

/**
 * Decodes RFC 2047 encoded words in unstructured text (Subject, display names). Whitespace between two
 * adjacent encoded words is dropped (RFC 2047 §6.2); adjacent words in the same charset are joined as
 * bytes first, so a multi-byte character split across words decodes correctly. Unknown charsets leave the
 * word as written.
 */
export function decodeEncodedWords(text: string): string {
  if (!text.includes('=?')) return text;
  let out = '';
  let last = 0;
  let pending: { charset: string; bytes: Uint8Array[] } | undefined;
  const flush = (): void => {
    if (!pending) return;
    const d = decoderFor(pending.charset);
    const total = pending.bytes.reduce((n, b) => n + b.length, 0);
    const all = new Uint8Array(total);
    let o = 0;
    for (const b of pending.bytes) {
      all.set(b, o);
      o += b.length;
    }
    out += d!.decode(all);
    pending = undefined;
  };
  ENCODED_WORD.lastIndex = 0;
  for (let m = ENCODED_WORD.exec(text); m; m = ENCODED_WORD.exec(text)) {
    const between = text.slice(last, m.index);
    const charset = m[1].toLowerCase();
    const known = decoderFor(charset) !== null;
    const adjacent = pending !== undefined && /^[ \t\r\n]*$/.test(between);
    if (!known) {
      flush();
      out += between + m[0]; // left as written: the reader sees what was sent
    } else {
      if (!adjacent || pending!.charset !== charset) {
        flush();
        if (!adjacent) out += between; // whitespace between two encoded words is not displayed
      }
      pending ??= { charset, bytes: [] };
      pending.bytes.push(wordBytes(m[2], m[3]));
    }
    last = m.index + m[0].length;
  }
  flush();
  return out + text.slice(last);
}

/** An unstructured header value for display: RFC 2047 decoded. */
export function decodeHeaderValue(value: string | undefined): string | undefined {
  return value === undefined ? undefined : decodeEncodedWords(value);
}

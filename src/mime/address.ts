/**
 * RFC 5322 §3.4 address lists (From, Sender, Reply-To), parsed truthfully for sender binding.
 *
 * The caller decides match/mismatch; this module reports what the header really says, including the tricks of
 * "Johnny, you are fired" (USENIX Security 2019, §6 ID attacks): a display name that is itself an address
 * (`manager@corp <eve@corp>`), several mailboxes in one From, several From headers (see getHeaders), names
 * hidden in RFC 2047 words, control characters (NUL, bidi overrides) that clients display differently.
 * Tolerant of the obsolete syntax of RFC 5322 §4.4 (routes, phrases with dots, empty list elements).
 * Linear in the value; never throws.
 */
import { decodeEncodedWords, getHeaders } from './headers';
import { lookAlikeDomain } from './look-alike';
import type { MimeEntity } from './types';

export interface Mailbox {
  /** Display name as a reader sees it: RFC 2047 decoded, quotes removed; or an old-style "(comment)" name. */
  name?: string;
  /** The addr-spec, lower-cased ("local@domain"); local parts that need quoting keep their quotes. */
  address: string;
  /**
   * The same address with an internationalised domain in its ASCII (IDNA, "xn--") form, as certificates carry
   * it; equal to `address` when the domain is ASCII already.
   */
  asciiAddress: string;
  /** The display name contains something shaped like an e-mail address (a classic spoof). */
  displayNameLooksLikeAddress: boolean;
  /**
   * The first address-shaped run of the display name, or of any comment of the entry, lower-cased (see
   * addressInName), when there is one. Thunderbird shows comments as part of the name ("The CEO (ceo@corp) <eve@x>"
   * reads "The CEO (ceo@corp)"), so an address in a comment deceives like one in the phrase.
   */
  nameAddress?: string;
  /** The entry's comments as a reader may see them (RFC 2047 decoded), in order; empty when none. */
  comments: string[];
  /** Name of the group this mailbox was listed in, if any. */
  group?: string;
  /**
   * Problems that make this mailbox not a well-formed RFC 5322 mailbox, or that mail programs show differently
   * (control characters, unquoted '@' in the name, obsolete route or syntax, text after the address, …). Sender
   * binding refuses a From with any of them.
   */
  defects: string[];
  /** Things worth telling a reader that do not make the mailbox malformed (an internationalised domain, …). */
  notes: string[];
}

export interface AddressGroup {
  name: string;
  members: Mailbox[];
}

export interface AddressList {
  /** Every mailbox in order, group members included (each with `group` set). */
  addresses: Mailbox[];
  groups: AddressGroup[];
  /** Problems with the list: entries without an address, unterminated groups, stray text, … */
  defects: string[];
}

type Tok =
  | { t: 'word'; v: string; ws: boolean; quoted: boolean } // atom (dots allowed) or quoted-string content
  | { t: 'literal'; v: string; ws: boolean } // [domain literal], brackets included
  | { t: '<' | '>' | '@' | ',' | ':' | ';'; v: string; ws: boolean };

interface Tokens {
  toks: Tok[];
  comments: { at: number; text: string }[]; // comment text and the index of the token after it
  defects: string[];
}

const SPECIAL = new Set(['<', '>', '@', ',', ':', ';']);
// Characters a reader cannot see or that reorder text: a spoof when they appear in a name or address.
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;
const AT_SIGNS = '@\uff20\ufe6b'; // '@', FULLWIDTH and SMALL COMMERCIAL AT: all read as "at"
const NOT_ADDRESS_CHAR = ' \t\r\n<>()",;:[]' + AT_SIGNS;

const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAddressChar = (c: string): boolean => !NOT_ADDRESS_CHAR.includes(c);

/**
 * The first thing shaped like local@domain in a display name: an at sign with an address character on each side
 * (white space around the at sign allowed, as a reader would still see an address), extended over the address
 * characters on both sides; lower-cased, at signs as '@'. Deliberately loose: anything a reader would take for
 * an address counts, including ones without a TLD.
 *
 * A loop, not a regex: the pattern it replaces (`[^\s<>()",;:@]+@[^\s<>()",;:@]+`, unanchored) backtracks over
 * every start position and took 26 s on a 160,000-character From (issue 10, item 9). Each character is looked at
 * a bounded number of times: scanning resumes after the run that was examined.
 */
export function addressInName(s: string): string | undefined {
  for (let i = 0; i < s.length; i++) {
    if (!AT_SIGNS.includes(s[i])) continue;
    let l = i - 1;
    while (l >= 0 && isSpace(s[l])) l--;
    let r = i + 1;
    while (r < s.length && isSpace(s[r])) r++;
    if (l >= 0 && r < s.length && isAddressChar(s[l]) && isAddressChar(s[r])) {
      let start = l;
      while (start > 0 && isAddressChar(s[start - 1])) start--;
      let end = r + 1;
      while (end < s.length && isAddressChar(s[end])) end++;
      return `${s.slice(start, l + 1)}@${s.slice(r, end)}`.toLowerCase();
    }
    i = Math.max(i, r - 1); // the white space after this at sign has been looked at
  }
  return undefined;
}

function tokenize(s: string): Tokens {
  const toks: Tok[] = [];
  const comments: { at: number; text: string }[] = [];
  const defects: string[] = [];
  let ws = false;
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      ws = true;
      i++;
    } else if (c === '(') {
      let depth = 0;
      let text = '';
      for (; i < s.length; i++) {
        const d = s[i];
        if (d === '\\' && i + 1 < s.length) text += s[++i];
        else if (d === '(') {
          if (depth++ > 0) text += d;
        } else if (d === ')') {
          if (--depth === 0) {
            i++;
            break;
          }
          text += d;
        } else text += d;
      }
      if (depth > 0) defects.push('A comment is not closed.');
      comments.push({ at: toks.length, text });
      ws = true;
    } else if (c === '"') {
      let v = '';
      let closed = false;
      for (i++; i < s.length; i++) {
        const d = s[i];
        if (d === '\\' && i + 1 < s.length) v += s[++i];
        else if (d === '"') {
          closed = true;
          i++;
          break;
        } else if (d !== '\r' && d !== '\n') v += d;
      }
      if (!closed) defects.push('A quoted string is not closed.');
      toks.push({ t: 'word', v, ws, quoted: true });
      ws = false;
    } else if (c === '[') {
      const close = s.indexOf(']', i);
      const end = close < 0 ? s.length : close + 1;
      if (close < 0) defects.push('A domain literal is not closed.');
      toks.push({ t: 'literal', v: s.slice(i, end), ws });
      i = end;
      ws = false;
    } else if (SPECIAL.has(c)) {
      toks.push({ t: c as '<', v: c, ws });
      i++;
      ws = false;
    } else {
      const start = i;
      while (i < s.length && !' \t\r\n()"[<>@,:;'.includes(s[i])) i++;
      if (i === start) i++; // a lone ']' or '\\': keep it as a word of its own
      toks.push({ t: 'word', v: s.slice(start, i), ws, quoted: false });
      ws = false;
    }
  }
  return { toks, comments, defects };
}

/** Joins phrase tokens as displayed: one space where the header had white space, RFC 2047 decoded. */
function phraseText(toks: Tok[], notes: string[]): string {
  let raw = '';
  let quotedEncoded = false;
  for (const t of toks) {
    if (raw && t.ws) raw += ' ';
    raw += t.v;
    if (t.t === 'word' && t.quoted && /=\?[^?]+\?[bBqQ]\?/.test(t.v)) quotedEncoded = true;
  }
  const text = decodeEncodedWords(raw).trim();
  // Not allowed by RFC 2047 §5, but common in real mail, and decoded by the clients that show it: a note. What
  // the decoded name shows (an address, control characters) is judged like any other name.
  if (quotedEncoded && text !== raw.trim()) {
    notes.push('The display name has an encoded word inside quotes (decoded, as mail clients show it).');
  }
  return text;
}

const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+)*$/;

/** Builds "local@domain" from addr-spec tokens, or an error string. */
function addrSpec(toks: Tok[], defects: string[]): string | { error: string } {
  const at = toks.findIndex((t) => t.t === '@');
  if (at < 0) return { error: 'no @' };
  if (toks.slice(at + 1).some((t) => t.t === '@')) return { error: 'more than one @' };
  let local = '';
  for (const t of toks.slice(0, at)) {
    if (t.t !== 'word') return { error: `unexpected "${t.v}" in the local part` };
    if (t.quoted) local += DOT_ATOM.test(t.v) ? t.v : `"${t.v.replace(/(["\\])/g, '\\$1')}"`;
    else local += t.v;
  }
  let domain = '';
  for (const t of toks.slice(at + 1)) {
    if (t.t === 'literal') domain += t.v;
    else if (t.t === 'word' && !t.quoted) domain += t.v;
    else return { error: `unexpected "${t.v}" in the domain` };
  }
  if (!local) return { error: 'empty local part' };
  if (!domain) return { error: 'empty domain' };
  // White space and comments around the local part and the domain are allowed (CFWS of RFC 5322 §3.4.1); an
  // address put together from several words ("a . b@x", "a@x . org") is the obsolete syntax of §4.4.
  if (at > 1 || toks.length > at + 2) {
    defects.push('The address is split by white space or comments (obsolete syntax).');
  }
  if (/=\?[^?]+\?[bBqQ]\?/.test(local + domain)) defects.push('The address contains an RFC 2047 word, which is never decoded in an address.');
  if (/^\.|\.\.|\.$/.test(local) && !local.startsWith('"')) defects.push('The local part has misplaced dots.');
  // '"ceo@corp.example"@evil.example' is a mailbox at evil.example that reads as ceo@corp.example (Thunderbird shows
  // it so, a narrow column cuts the rest off); a fullwidth at sign in an internationalised local part does the same.
  for (const c of local) {
    if (AT_SIGNS.includes(c)) {
      defects.push('The local part of the address holds an at sign, so the address reads as another one.');
      break;
    }
  }
  return `${local}@${domain}`.toLowerCase();
}

/**
 * IDNA (UTS #46) ASCII form of a non-ASCII domain, through the WHATWG URL parser every host has. Refuses
 * anything URL parsing would reinterpret ('%' escapes, '/', '@', ':' …) rather than convert it.
 */
function asciiDomain(domain: string): string | undefined {
  if (/[%/\\?#@:\s\[\]]/.test(domain)) return undefined;
  try {
    const host = new URL(`http://${domain}/`).hostname;
    return /^[\x21-\x7e]+$/.test(host) ? host : undefined;
  } catch {
    return undefined;
  }
}

/**
 * An address with its domain in IDNA ASCII form (certificates carry rfc822Name domains so, RFC 9549), or
 * undefined when the domain is not a valid internationalised domain name.
 */
export function asciiFormOf(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  const domain = address.slice(at + 1);
  if (/^[\x00-\x7f]*$/.test(domain)) return address;
  const ascii = asciiDomain(domain);
  return ascii === undefined ? undefined : `${address.slice(0, at)}@${ascii}`;
}

function asciiAddress(address: string, defects: string[], notes: string[]): string {
  const ascii = asciiFormOf(address);
  if (ascii === undefined) {
    defects.push('The internationalised domain of the address is not valid.');
    return address;
  }
  if (ascii !== address) {
    const lookAlike = lookAlikeDomain(address.slice(address.lastIndexOf('@') + 1));
    if (lookAlike) defects.push(`The address could pass for another: ${lookAlike}.`);
    notes.push(`The domain is internationalised (${ascii.slice(ascii.lastIndexOf('@') + 1)}); look-alike letters from other scripts are possible.`);
  }
  return ascii;
}

function mailbox(name: string | undefined, address: string, defects: string[], notes: string[], comments: string[], group?: string): Mailbox {
  const n = name === '' ? undefined : name;
  if (n !== undefined && INVISIBLE.test(n)) defects.push('The display name contains control or invisible characters.');
  if (comments.some((c) => INVISIBLE.test(c))) defects.push('A comment in the address contains control or invisible characters.');
  // An encoded word left as written (a character set the host has no decoder for, such as UTF-7, or a word with a
  // space inside) is decoded by some mail programs anyway: Thunderbird 153 shows "=?utf-7?q?ceo+AEA-corp.example?="
  // and "=?utf-8?q?ceo=40corp.example ?=" as ceo@corp.example. What it hides cannot be judged here.
  if ((n !== undefined && n.includes('=?')) || comments.some((c) => c.includes('=?'))) {
    defects.push('The display name holds an encoded word that could not be decoded here; mail programs decode such words in their own ways, so it may show another address.');
  }
  if (INVISIBLE.test(address)) defects.push('The address contains control or invisible characters.');
  let nameAddress = n === undefined ? undefined : addressInName(n);
  for (let k = 0; nameAddress === undefined && k < comments.length; k++) nameAddress = addressInName(comments[k]);
  const m: Mailbox = {
    address,
    asciiAddress: asciiAddress(address, defects, notes),
    displayNameLooksLikeAddress: nameAddress !== undefined,
    comments,
    defects,
    notes,
  };
  if (nameAddress !== undefined) m.nameAddress = nameAddress;
  if (n !== undefined) m.name = n;
  if (group !== undefined) m.group = group;
  return m;
}

const preview = (toks: Tok[]): string =>
  toks
    .map((t) => (t.t === 'word' && t.quoted ? `"${t.v}"` : t.v))
    .join(' ')
    .slice(0, 80);

/** Parses an address-list header value (raw, with RFC 2047 words still encoded). */
export function parseAddressList(value: string | undefined): AddressList {
  const out: AddressList = { addresses: [], groups: [], defects: [] };
  if (value === undefined) return out;
  const { toks, comments, defects: tokDefects } = tokenize(value);
  out.defects.push(...tokDefects);
  let i = 0;
  let group: AddressGroup | undefined;

  // Comments are in token order; entries are visited in token order too, so one cursor finds each entry's
  // comments without rescanning (a list of many addresses and comments stays linear).
  let cc = 0;
  const commentIn = (from: number, to: number): string | undefined => {
    while (cc < comments.length && comments[cc].at <= from) cc++;
    for (let k = cc; k < comments.length && comments[k].at <= to; k++) {
      const text = comments[k].text.trim();
      if (text !== '') return decodeEncodedWords(text);
    }
    return undefined;
  };
  // Every comment of an entry (tokens [from, to]: before, inside and after its angle brackets), decoded. Entries
  // are visited in order and their ranges do not overlap, so this cursor too makes one pass over the comments.
  let ec = 0;
  const entryComments = (from: number, to: number): string[] => {
    while (ec < comments.length && comments[ec].at < from) ec++;
    const out: string[] = [];
    for (; ec < comments.length && comments[ec].at <= to; ec++) {
      const text = comments[ec].text.trim();
      if (text !== '') out.push(decodeEncodedWords(text));
    }
    return out;
  };

  while (i < toks.length) {
    const t = toks[i];
    if (t.t === ',') {
      i++;
      continue;
    }
    if (t.t === ';') {
      if (group) {
        out.groups.push(group);
        group = undefined;
      } else out.defects.push('A ";" appears outside a group.');
      i++;
      continue;
    }
    const start = i;
    const phrase: Tok[] = [];
    while (i < toks.length && !['<', ':', ',', ';'].includes(toks[i].t)) phrase.push(toks[i++]);
    const next = toks[i];
    const defects: string[] = [];
    const notes: string[] = [];
    if (next?.t === ':') {
      i++;
      const name = phraseText(phrase, notes);
      if (group) {
        out.defects.push(`Group "${name.slice(0, 40)}" is nested in group "${group.name.slice(0, 40)}".`);
        out.groups.push(group);
      }
      group = { name, members: [] };
      continue;
    }
    if (next?.t === '<') {
      i++;
      const inner: Tok[] = [];
      while (i < toks.length && toks[i].t !== '>') inner.push(toks[i++]);
      if (i >= toks.length) defects.push('An angle-bracket address is not closed with ">".');
      else i++;
      // obs-route: "@a,@b:" before the addr-spec
      const colon = inner.findIndex((x) => x.t === ':');
      let spec = inner;
      if (colon >= 0 && inner[0]?.t === '@') {
        spec = inner.slice(colon + 1);
        defects.push('The address has an obsolete source route, which was ignored.');
      }
      const trailing: Tok[] = [];
      while (i < toks.length && toks[i].t !== ',' && toks[i].t !== ';') trailing.push(toks[i++]);
      if (trailing.length) {
        const d = `Text after an address was ignored: ${preview(trailing)}`;
        out.defects.push(d);
        defects.push(d);
      }
      if (phrase.some((x) => x.t === '@' || x.t === 'literal' || x.t === '>')) {
        defects.push('The display name contains an unquoted "@" (not allowed by RFC 5322).');
      }
      const addr = addrSpec(spec, defects);
      if (typeof addr !== 'string') {
        out.defects.push(`Entry "${preview(toks.slice(start, i))}" has no valid address (${addr.error}).`);
        continue;
      }
      const name = phraseText(phrase, notes) || commentIn(start, i);
      const m = mailbox(name, addr, defects, notes, entryComments(start, i), group?.name);
      out.addresses.push(m);
      group?.members.push(m);
      continue;
    }
    // A bare addr-spec (maybe with an old-style "(Full Name)" comment), or a name without any address.
    const addr = phrase.length ? addrSpec(phrase, defects) : { error: 'empty' };
    if (typeof addr !== 'string') {
      if (phrase.length) out.defects.push(`Entry "${preview(phrase)}" has no valid address (${addr.error}).`);
      continue;
    }
    const m = mailbox(commentIn(start - 1, i), addr, defects, notes, entryComments(start, i), group?.name);
    out.addresses.push(m);
    group?.members.push(m);
  }
  if (group) {
    out.defects.push(`Group "${group.name.slice(0, 40)}" is not closed with ";".`);
    out.groups.push(group);
  }
  return out;
}

export interface HeaderAddresses extends AddressList {
  /** How many headers of that name the entity has (more than one From is an identity attack). */
  headerCount: number;
}

/** All mailboxes of every `name` header of an entity (e.g. "from"), in order. */
export function addressesOf(entity: Pick<MimeEntity, 'headers'>, name: string): HeaderAddresses {
  const values = getHeaders(entity, name);
  const out: HeaderAddresses = { addresses: [], groups: [], defects: [], headerCount: values.length };
  for (const v of values) {
    const l = parseAddressList(v);
    out.addresses.push(...l.addresses);
    out.groups.push(...l.groups);
    out.defects.push(...l.defects);
  }
  return out;
}

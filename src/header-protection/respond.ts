/**
 * Replying to and forwarding a message with header protection (RFC 9788 §6, §4.4.4).
 *
 * A host's own Reply/Forward starts the draft from the referenced message's OUTER header: for an encrypted message
 * under hcp_baseline that is "Re: [...]", and its recipients are whatever the outside names, which anyone on the way
 * could have changed (an added Cc, another Reply-To: §6.2's misdirected-reply attack). planResponse takes what the
 * host proposed and says how the draft should change, from the protected (inner) header:
 *
 * - Subject: the host's prefix ("Re: ", "Fwd: ") over the protected Subject instead of the outer one, without
 *   doubling "Re:" (the host strips the original's "Re:" before adding its own; so do we).
 * - Recipients (replies only; §4.4.4 "MUST only use the protected Header Fields"): an address the host took from the
 *   outer header that the protected header does not name anywhere is dropped; when the outer reply target
 *   (Reply-To, else From) is not the protected one, the protected target is added. Addresses that come from
 *   elsewhere (the identity's automatic Cc/Bcc) are kept. Limit: a reply-all does not add protected recipients
 *   that the outside left out (nothing leaks by omission; the user sees who is on the draft).
 * - The reference HCP (§6.1.2, ReferenceHCP): the proposed Subject, when the referenced message kept its Subject
 *   inside the encryption, maps to the host's prefix over the HP-Outer value ("Re: [...]"), so even a policy that
 *   hides nothing itself (hcp_no_confidentiality) does not reveal it (RFC 9788 Appendix D.2.2). Only fields a reply
 *   derives (the Subject here): recipients and In-Reply-To come from values the referenced message showed outside.
 * - What must never go out in the clear (§6.1): the protected Subject of a referenced message that kept it inside
 *   the encryption. wouldReveal() tells a host that its message would carry it outside (an unencrypted reply, or
 *   header protection off) so it can refuse with a sentence instead of leaking it.
 *
 * Only headers something vouches for are used: a valid signature over them, or (hp="cipher") our own decryption.
 * A signed-only message whose signature failed is answered as the host proposed (its inner header is no better
 * than the outer one).
 */
import { parseAddressList } from '../mime';
import type { HeaderProtection } from '../verdict';

/** One entry of an ephemeral, single-use header confidentiality policy (RFC 9788 §6.1.2): (field, value) → outer value, or null = leave out. */
export interface ReferenceHcpEntry {
  field: string;
  value: string;
  outer: string | null;
}

export interface ResponseInput {
  /** The referenced message's header protection (its verdict's headerProtection). */
  hp: HeaderProtection | undefined;
  /** The referenced message was decrypted (verdict.decrypted). */
  decrypted: boolean;
  /** 'reply' (any reply kind) or 'forward': recipients are only changed for replies. */
  kind: 'reply' | 'forward';
  /** The referenced message's outer header fields as the host reads them: lower-case name → values. */
  outer: Record<string, string[] | undefined>;
  /** What the host's own Reply/Forward put in the draft. */
  draft: { subject: string; to: string[]; cc: string[] };
  /** The user's own addresses (the sending identity): never added as a recipient. */
  self: string[];
}

export interface ResponsePlan {
  /** The draft's Subject as it should be, when it differs from the host's. */
  subject?: string;
  /** The draft's To / Cc as they should be, when they differ from the host's. */
  to?: string[];
  cc?: string[];
  /** Recipients dropped: only the unprotected outer header named them. */
  dropped: string[];
  /** Recipients added: the protected reply target the outside did not name. */
  added: string[];
  /** The single-use HCP for sending this response (§6.1.2). */
  referenceHcp: ReferenceHcpEntry[];
  /** Protected values the referenced message kept inside its encryption: never to be sent in the clear (§6.1). */
  confidential: { field: string; value: string }[];
}

const ADDRESS_FIELDS = ['from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'mail-followup-to', 'mail-reply-to'];

/** Lower-case addr-specs (A-label domains) of address strings ("Name <a@b>", lists): never throws. */
export function addrSpecs(values: readonly string[] | undefined): string[] {
  const out: string[] = [];
  for (const v of values ?? []) for (const m of parseAddressList(v).addresses) out.push(m.asciiAddress.toLowerCase());
  return out;
}

/** "Re: ", "RE:", "Re[2]: ", "Re:Re: " at the start, as many as there are (bounded by the length), stripped. */
export function stripReplyPrefixes(subject: string): string {
  let s = subject;
  for (;;) {
    const t = s.trimStart();
    if (t.slice(0, 2).toLowerCase() !== 're') return s;
    let i = 2;
    if (t[i] === '[') {
      let j = i + 1;
      while (j < t.length && j < i + 8 && t[j] >= '0' && t[j] <= '9') j++;
      if (j === i + 1 || t[j] !== ']') return s;
      i = j + 1;
    }
    if (t[i] !== ':') return s;
    s = t.slice(i + 1).trimStart();
  }
}

/**
 * A draft Subject a host built from an obscured one: "RE: [...]", "FW: [...]", "Fwd: Re: [...]" (the RFC 9788
 * placeholder under its reply/forward prefixes). A host that cannot reach the protected Subject says so.
 */
export function answersObscuredSubject(subject: string): boolean {
  let s = subject.trim();
  for (let n = 0; n < 32; n++) {
    const t = stripReplyPrefixes(s).trimStart();
    const lower = t.toLowerCase();
    const fw = lower.startsWith('fwd:') ? 4 : lower.startsWith('fw:') ? 3 : 0;
    const next = fw ? t.slice(fw).trimStart() : t;
    if (next === s) break;
    s = next;
  }
  return s.trim() === '[...]';
}

function isReplyPrefix(prefix: string): boolean {
  const p = prefix.trim();
  return p !== '' && stripReplyPrefixes(`${p} x`) === 'x';
}

/** The protected header is something to go by: a valid signature over it, or decrypted hp="cipher". */
export function usableProtectedHeaders(hp: HeaderProtection | undefined, decrypted: boolean): hp is HeaderProtection {
  return !!hp && hp.mode !== null && (hp.protected || (decrypted && hp.mode === 'cipher'));
}

const confidentialStatus = (s: string | undefined) => s === 'signed-and-encrypted' || s === 'encrypted-only';

export function planResponse(input: ResponseInput): ResponsePlan {
  const plan: ResponsePlan = { dropped: [], added: [], referenceHcp: [], confidential: [] };
  const { hp, draft } = input;
  if (!usableProtectedHeaders(hp, input.decrypted)) return plan;

  // Subject: the host's prefix over the protected Subject (only when the draft still has the host's proposal).
  const protectedSubject = hp.headers.subject;
  const outerSubject = (input.outer.subject?.[0] ?? '').trim();
  if (protectedSubject !== undefined && draft.subject.endsWith(outerSubject)) {
    const prefix = draft.subject.slice(0, draft.subject.length - outerSubject.length);
    const proposed = isReplyPrefix(prefix) ? `${prefix}${stripReplyPrefixes(protectedSubject)}` : `${prefix}${protectedSubject}`;
    if (proposed !== draft.subject) plan.subject = proposed;
    if (confidentialStatus(hp.fieldStatus.subject)) {
      plan.confidential.push({ field: 'subject', value: protectedSubject });
      const recorded = hp.hpOuter.subject;
      plan.referenceHcp.push({ field: 'subject', value: proposed, outer: recorded === undefined ? null : `${prefix}${recorded}` });
    }
  }

  if (input.kind !== 'reply') return plan;
  // Recipients (§4.4.4, §6.2): drop what only the outside names; reply to the protected target.
  const named = new Set(ADDRESS_FIELDS.flatMap((k) => hp.addresses[k] ?? []));
  const outside = new Set(ADDRESS_FIELDS.flatMap((k) => addrSpecs(input.outer[k])));
  const injected = (r: string) => addrSpecs([r]).some((a) => outside.has(a) && !named.has(a));
  const keep = (list: string[]) =>
    list.filter((r) => {
      if (!injected(r)) return true;
      plan.dropped.push(r);
      return false;
    });
  const to = keep(draft.to);
  const cc = keep(draft.cc);
  const self = new Set(addrSpecs(input.self));
  const target = hp.addresses['reply-to']?.length ? hp.addresses['reply-to'] : (hp.addresses.from ?? []);
  const outerTarget = new Set(addrSpecs(input.outer['reply-to']?.length ? input.outer['reply-to'] : input.outer.from));
  const present = new Set(addrSpecs([...to, ...cc]));
  const sameTarget = target.length === outerTarget.size && target.every((a) => outerTarget.has(a));
  if (!sameTarget) {
    for (const a of target) {
      if (self.has(a) || present.has(a)) continue;
      plan.added.push(a);
      to.unshift(a);
      present.add(a);
    }
  }
  if (plan.dropped.length || plan.added.length) {
    plan.to = to;
    plan.cc = cc;
  }
  return plan;
}

/** White space runs as one space, trimmed (a loop, no regular expression). */
function collapseSpaces(s: string): string {
  let out = '';
  let space = false;
  for (const ch of s) {
    if (ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n') space = out !== '';
    else {
      if (space) out += ' ';
      space = false;
      out += ch;
    }
  }
  return out;
}

/**
 * Would sending `subject` this way reveal a value the referenced message kept inside its encryption (§6.1)?
 * `outerSubject` is what goes on the wire outside any encryption (the Subject itself when the reply is not
 * encrypted or header protection is off). Compared without "Re:" prefixes, white space collapsed: a Subject the
 * user rewrote is theirs to send (as RFC 9788 Appendix D.2.2 says of an edited Subject).
 */
export function wouldReveal(plan: Pick<ResponsePlan, 'confidential'>, outerSubject: string | null): string | undefined {
  if (outerSubject === null) return undefined;
  const norm = (s: string) => collapseSpaces(stripReplyPrefixes(s));
  const out = norm(outerSubject);
  for (const c of plan.confidential) {
    if (c.field === 'subject' && norm(c.value) !== '' && norm(c.value) === out) return c.value;
  }
  return undefined;
}

/**
 * A line of a decrypted message's text by which a draft that quotes it is recognised (RFC 9788 §6.1 / RFC 9787
 * §5.4: previously encrypted content must not go out in the clear): its longest line among the first 200, at
 * least 16 characters (shorter lines, "Hi Bob,", are too common to tell a quote), at most 120. Undefined: none.
 */
export function quoteProbe(text: string | undefined): string | undefined {
  if (!text) return undefined;
  let best = '';
  let start = 0;
  for (let n = 0; n < 200 && start <= text.length; n++) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const line = collapseSpaces(text.slice(start, end));
    if (line.length > best.length) best = line;
    start = end + 1;
  }
  return best.length >= 16 ? best.slice(0, 120) : undefined;
}

/** Does a draft body (plain text, or HTML with the usual entities) contain the probe, white space collapsed? */
export function quotesText(body: string | undefined, probe: string | undefined): boolean {
  if (!body || !probe) return false;
  const flat = collapseSpaces(body);
  if (flat.includes(probe)) return true;
  const entity: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
  let html = '';
  for (const ch of probe) html += entity[ch] ?? ch;
  return flat.includes(html);
}

/**
 * A plain-text draft's quote of the referenced message without its legacy display element (RFC 9788 §4.5.3: "MUST
 * be dropped when generating a draft reply"): the first run of quoted lines "> Name: value" naming fields the
 * sender kept inside (`hidden`, e.g. [["Subject", "Budget 2027"]]), and the quoted blank line after them.
 * Undefined when the draft has no such run (nothing to drop).
 */
export function dropQuotedLegacyDisplay(body: string, hidden: [string, string][]): string | undefined {
  if (!hidden.length) return undefined;
  const wanted = new Set(hidden.map(([k, v]) => `${k.toLowerCase()}: ${collapseSpaces(v)}`));
  const lines = body.split('\n');
  const unquote = (l: string): string | undefined => {
    const t = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (!t.startsWith('>')) return undefined;
    return t.slice(t.startsWith('> ') ? 2 : 1);
  };
  const isLegacy = (l: string) => {
    const u = unquote(l);
    if (u === undefined) return false;
    const colon = u.indexOf(':');
    return colon > 0 && wanted.has(`${u.slice(0, colon).toLowerCase()}: ${collapseSpaces(u.slice(colon + 1))}`);
  };
  const first = lines.findIndex(isLegacy);
  if (first < 0) return undefined;
  let end = first;
  while (end < lines.length && isLegacy(lines[end])) end++;
  if (end >= lines.length || unquote(lines[end])?.trim() !== '') return undefined;
  lines.splice(first, end + 1 - first);
  return lines.join('\n');
}

/**
 * The shape rules of BER (X.690) that asn1js does not enforce, checked in one linear pass over the bytes before
 * asn1js decodes them.
 *
 * Why: asn1js is lenient where every mainstream S/MIME implementation (OpenSSL, NSS) refuses the input. The
 * differential test against OpenSSL (test/interop/differential.test.ts) found signatures we called valid after a
 * one-character change that OpenSSL rejects: a constructed element whose child runs past its end (asn1js reads
 * the child to its own length and carries on), an end-of-contents marker inside a definite-length SEQUENCE, a
 * zero-length BOOLEAN. None of those changed what was signed, but "valid" must not depend on which parser a
 * reader's client uses, and an attacker should not get a second reading of the same bytes. So the same bytes are
 * malformed here too.
 *
 * Rules (all of them hold for DER and for the BER that real senders stream, e.g. `openssl cms -stream`):
 * - every length fits inside its parent (definite) or the input; lengths use at most 4 bytes; 0xFF is reserved;
 * - indefinite length only on constructed elements, ended by an end-of-contents (00 00) inside the parent;
 * - end-of-contents appears only as that terminator, with length 0;
 * - BOOLEAN, INTEGER, ENUMERATED, NULL, OBJECT IDENTIFIER and REAL are primitive; BOOLEAN has 1 content byte,
 *   NULL none, INTEGER and ENUMERATED at least one; an OID is non-empty, ends a sub-identifier on its last byte and
 *   starts none with 0x80; a primitive BIT STRING has its unused-bits count (0–7, 0 when empty).
 * Not enforced (real certificates break them and NSS accepts them): minimal INTEGER encodings, DER set order,
 * minimal length forms. Content after the top element is the caller's business (cms-body.ts reports it).
 *
 * Cost: one pass, no allocation per element; the depth bound is the decoder's (MAX_BER_DEPTH), so a deep input
 * fails here before asn1js builds any object. Primitive contents (an 11 MB eContent) are skipped, not read.
 */

/** Universal tag numbers with a rule of their own. */
const EOC = 0;
const BOOLEAN = 1;
const INTEGER = 2;
const BIT_STRING = 3;
const NULL = 5;
const OID = 6;
const REAL = 9;
const ENUMERATED = 10;
const PRIMITIVE_ONLY = new Set([BOOLEAN, INTEGER, NULL, OID, REAL, ENUMERATED]);

/** One open constructed element: where its content ends (-1: indefinite, ended by EOC), and how far its
 * children may reach (its own end, or for an indefinite one its nearest definite ancestor's, or the input's). */
interface Open {
  end: number;
  limit: number;
}

/**
 * The first BER shape defect of `b` (one sentence naming the byte offset), or undefined when the top element and
 * everything inside it is well formed. Only the first element of `b` is checked.
 */
export function berShapeDefect(b: Uint8Array, maxDepth: number): string | undefined {
  const stack: Open[] = [];
  let at = 0;
  let started = false;
  for (;;) {
    // Close every definite element that ends here; nothing may run past it.
    while (stack.length > 0 && stack[stack.length - 1].end !== -1 && at >= stack[stack.length - 1].end) {
      if (at > stack[stack.length - 1].end) return `an element runs past the end of the one containing it (offset ${at})`;
      stack.pop();
    }
    if (started && stack.length === 0) return undefined;
    started = true;
    const limit = stack.length > 0 ? stack[stack.length - 1].limit : b.length;
    const start = at;
    if (at >= limit) return `the data ends inside an element (offset ${at})`;
    // Identifier: class, constructed bit, tag number (high-tag-number form: at most 4 continuation bytes).
    const id = b[at++];
    const constructed = (id & 0x20) !== 0;
    const universal = (id & 0xc0) === 0;
    let tag = id & 0x1f;
    if (tag === 0x1f) {
      tag = 0;
      let n = 0;
      for (;;) {
        if (at >= limit) return `the data ends inside a tag (offset ${start})`;
        const c = b[at++];
        if (++n > 4) return `a tag number is too long (offset ${start})`;
        tag = tag * 128 + (c & 0x7f);
        if (!(c & 0x80)) break;
      }
    }
    // Length.
    if (at >= limit) return `the data ends inside a length (offset ${start})`;
    const first = b[at++];
    let len: number;
    if (first < 0x80) len = first;
    else if (first === 0x80) len = -1;
    else {
      const n = first & 0x7f;
      if (n > 4) return `a length field is ${n === 0x7f ? 'the reserved form' : 'longer than 4 bytes'} (offset ${start})`;
      if (at + n > limit) return `the data ends inside a length (offset ${start})`;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + b[at++];
    }
    // End-of-contents: only as the terminator of an indefinite-length parent.
    if (universal && !constructed && tag === EOC) {
      if (len !== 0) return `an end-of-contents marker has content (offset ${start})`;
      const parent = stack[stack.length - 1];
      if (!parent || parent.end !== -1) return `an end-of-contents marker stands inside a definite-length element (offset ${start})`;
      stack.pop();
      if (stack.length === 0) return undefined;
      continue;
    }
    if (len === -1) {
      if (!constructed) return `a primitive element has an indefinite length (offset ${start})`;
    } else if (at + len > limit) {
      return at + len > b.length
        ? `the data ends before an element does (offset ${start}: a length exceeds the data)`
        : `an element runs past the end of the one containing it (offset ${start})`;
    }
    if (universal && PRIMITIVE_ONLY.has(tag) && constructed) return `a ${NAMES[tag]} is marked constructed (offset ${start})`;
    if (!constructed) {
      if (universal) {
        const defect = primitiveDefect(tag, b, at, len);
        if (defect) return `${defect} (offset ${start})`;
      }
      at += len;
      continue;
    }
    if (stack.length >= maxDepth) return `the data is nested more than ${maxDepth} levels deep (offset ${start})`;
    stack.push(len === -1 ? { end: -1, limit } : { end: at + len, limit: at + len });
  }
}

const NAMES: Record<number, string> = { 1: 'BOOLEAN', 2: 'INTEGER', 5: 'NULL', 6: 'OBJECT IDENTIFIER', 9: 'REAL', 10: 'ENUMERATED' };

function primitiveDefect(tag: number, b: Uint8Array, at: number, len: number): string | undefined {
  switch (tag) {
    case BOOLEAN:
      return len === 1 ? undefined : `a BOOLEAN has ${len} content bytes instead of 1`;
    case NULL:
      return len === 0 ? undefined : `a NULL has ${len} content bytes`;
    case INTEGER:
    case ENUMERATED:
      return len >= 1 ? undefined : `an ${NAMES[tag]} is empty`;
    case OID: {
      if (len === 0) return 'an OBJECT IDENTIFIER is empty';
      if (b[at + len - 1] & 0x80) return 'an OBJECT IDENTIFIER ends inside a sub-identifier';
      for (let i = at; i < at + len; i++) if (b[i] === 0x80 && (i === at || !(b[i - 1] & 0x80))) return 'an OBJECT IDENTIFIER sub-identifier starts with a padding byte';
      return undefined;
    }
    case BIT_STRING:
      if (len === 0) return 'a BIT STRING has no unused-bits byte';
      if (b[at] > 7 || (len === 1 && b[at] !== 0)) return `a BIT STRING claims ${b[at]} unused bits`;
      return undefined;
    default:
      return undefined;
  }
}

/**
 * Builders for the RFC 5322 / MIME messages tests need. Everything here is deterministic: fixed boundaries,
 * fixed dates and Message-IDs unless given, and a seeded PRNG for "random" attachment bytes.
 * Lines end in CRLF (as on the wire); use toLfOnly() for the LF-only copies mail stores keep on disk.
 * Node-only test support (Buffer), never imported by src/.
 */

export const CRLF = '\r\n';

export interface HeaderFields {
  from?: string;
  to?: string;
  subject?: string;
  /** RFC 5322 date string or a Date (formatted as RFC 5322, UTC). */
  date?: string | Date;
  messageId?: string;
  /** Further fields, in order, e.g. [['Sender', 'x@example.com'], ['Reply-To', '…']]. */
  extra?: Array<[string, string]>;
}

export const DEFAULT_DATE = new Date(Date.UTC(2024, 0, 15, 10, 30, 0));

/** "Mon, 15 Jan 2024 10:30:00 +0000" */
export function rfc5322Date(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(
    d.getUTCHours(),
  )}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** The top-level header block (without the blank line), CRLF-terminated lines. */
export function headerBlock(h: HeaderFields): string {
  const lines: string[] = [];
  if (h.from !== undefined) lines.push(`From: ${h.from}`);
  if (h.to !== undefined) lines.push(`To: ${h.to}`);
  if (h.subject !== undefined) lines.push(`Subject: ${h.subject}`);
  const date = h.date ?? DEFAULT_DATE;
  lines.push(`Date: ${typeof date === 'string' ? date : rfc5322Date(date)}`);
  lines.push(`Message-ID: ${h.messageId ?? '<fixture-1@example.test>'}`);
  for (const [k, v] of h.extra ?? []) lines.push(`${k}: ${v}`);
  return lines.map((l) => l + CRLF).join('');
}

type Bytes = Uint8Array | string;
function buf(b: Bytes): Buffer {
  return typeof b === 'string' ? Buffer.from(b, 'utf8') : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

/** Normalise any line endings to CRLF. */
export function toCrlf(b: Bytes): Buffer {
  return Buffer.from(buf(b).toString('latin1').replace(/\r?\n/g, CRLF), 'latin1');
}

/** The LF-only copy of a message (how Thunderbird's mbox / many stores keep it). */
export function toLfOnly(b: Bytes): Buffer {
  return Buffer.from(buf(b).toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
}

/** A text/plain entity (headers + body), CRLF line ends. */
export function textEntity(text: string, contentType = 'text/plain; charset=utf-8'): Buffer {
  return Buffer.concat([
    Buffer.from(`Content-Type: ${contentType}${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${CRLF}`, 'latin1'),
    toCrlf(text.endsWith('\n') ? text : text + '\n'),
  ]);
}

/** A text/html entity. */
export function htmlEntity(html: string): Buffer {
  return textEntity(html, 'text/html; charset=utf-8');
}

/** Base64 with 76-character lines, CRLF (RFC 2045). */
export function base64Lines(data: Uint8Array): string {
  const b64 = buf(data).toString('base64');
  const out: string[] = [];
  for (let i = 0; i < b64.length; i += 76) out.push(b64.slice(i, i + 76));
  return out.join(CRLF) + CRLF;
}

/** An attachment entity, base64 with 76-char lines. */
export function attachmentEntity(opts: { filename: string; data: Uint8Array; contentType?: string }): Buffer {
  const ct = opts.contentType ?? 'application/octet-stream';
  return Buffer.from(
    `Content-Type: ${ct}; name="${opts.filename}"${CRLF}` +
      `Content-Disposition: attachment; filename="${opts.filename}"${CRLF}` +
      `Content-Transfer-Encoding: base64${CRLF}${CRLF}` +
      base64Lines(opts.data),
    'latin1',
  );
}

/** A multipart entity over the given entities; the boundary is fixed (deterministic) unless given. */
export function multipartEntity(
  parts: Bytes[],
  opts: { subtype?: string; boundary?: string; preamble?: string; params?: string } = {},
): Buffer {
  const boundary = opts.boundary ?? `fixture-boundary-${opts.subtype ?? 'mixed'}-0001`;
  const chunks: Buffer[] = [
    Buffer.from(
      `Content-Type: multipart/${opts.subtype ?? 'mixed'}; boundary="${boundary}"${opts.params ?? ''}${CRLF}${CRLF}`,
      'latin1',
    ),
  ];
  if (opts.preamble) chunks.push(toCrlf(opts.preamble + '\n'));
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}${CRLF}`, 'latin1'));
    const b = buf(p);
    chunks.push(b);
    if (!b.toString('latin1').endsWith(CRLF)) chunks.push(Buffer.from(CRLF, 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--${CRLF}`, 'latin1'));
  return Buffer.concat(chunks);
}

/** A complete message: top-level headers + MIME-Version + the entity (which carries its Content-* fields). */
export function buildMessage(headers: HeaderFields, entity: Bytes): Buffer {
  const e = buf(entity);
  const hasMimeVersion = /^mime-version:/im.test(splitHeaderBody(e).header.toString('latin1'));
  return Buffer.concat([
    Buffer.from(headerBlock(headers) + (hasMimeVersion ? '' : `MIME-Version: 1.0${CRLF}`), 'latin1'),
    e,
  ]);
}

/** Split at the first empty line (CRLF or LF). `header` includes its last line end, `body` starts after the blank. */
export function splitHeaderBody(b: Bytes): { header: Buffer; body: Buffer; separator: string } {
  const s = buf(b);
  const text = s.toString('latin1');
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { header: s, body: Buffer.alloc(0), separator: '' };
  const firstEol = m[0].startsWith('\r\n') ? 2 : 1;
  return {
    header: s.subarray(0, m.index + firstEol),
    body: s.subarray(m.index + m[0].length),
    separator: m[0].slice(firstEol),
  };
}

/** Header fields of a header block, unfolded lines kept as-is (name, raw including continuation lines). */
function headerFields(header: Buffer): Array<{ name: string; raw: string }> {
  const lines = header.toString('latin1').split(/(?<=\n)/);
  const out: Array<{ name: string; raw: string }> = [];
  for (const line of lines) {
    if (/^[ \t]/.test(line) && out.length > 0) out[out.length - 1].raw += line;
    else if (line.trim() !== '') out.push({ name: line.slice(0, line.indexOf(':')).trim().toLowerCase(), raw: line });
  }
  return out;
}

/**
 * Take a complete signed message and wrap its signed entity in an UNSIGNED multipart/mixed: the message
 * fields (From, To, …) stay at the top, the entity keeps its Content-* fields. Attacker-style additions:
 * `prependText` (a text part before the signed entity), `hiddenHtml` (an HTML part after it),
 * `extraAttachment` (an attachment after it). The signed entity's bytes are untouched.
 */
export function wrapInUnsignedMixed(
  signedMessage: Bytes,
  opts: { prependText?: string; hiddenHtml?: string; extraAttachment?: { filename: string; data: Uint8Array } } = {},
): Buffer {
  const { header, body, separator } = splitHeaderBody(signedMessage);
  const fields = headerFields(header);
  const isContent = (n: string) => n.startsWith('content-');
  const top = fields.filter((f) => !isContent(f.name)).map((f) => f.raw).join('');
  const entityHeader = fields.filter((f) => isContent(f.name)).map((f) => f.raw).join('');
  const signedEntity = Buffer.concat([Buffer.from(entityHeader + separator, 'latin1'), body]);
  const parts: Bytes[] = [];
  if (opts.prependText !== undefined) parts.push(textEntity(opts.prependText));
  parts.push(signedEntity);
  if (opts.hiddenHtml !== undefined) parts.push(htmlEntity(opts.hiddenHtml));
  if (opts.extraAttachment) parts.push(attachmentEntity(opts.extraAttachment));
  const mixed = multipartEntity(parts, { boundary: 'fixture-outer-unsigned-0001' });
  const topText = /^mime-version:/im.test(top) ? top : top + `MIME-Version: 1.0${CRLF}`;
  return Buffer.concat([Buffer.from(topText, 'latin1'), mixed]);
}

/** Deterministic pseudo-random bytes (mulberry32), for attachments and fuzzing. */
export function deterministicBytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  const next = prng(seed);
  let i = 0;
  for (; i + 4 <= size; i += 4) out.writeUInt32LE(next.u32(), i);
  for (; i < size; i++) out[i] = next.u32() & 0xff;
  return out;
}

/** A small seeded PRNG (mulberry32). */
export function prng(seed: number): { u32(): number; int(maxExclusive: number): number; float(): number } {
  let a = seed >>> 0;
  const u32 = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  return { u32, int: (n) => (n <= 0 ? 0 : u32() % n), float: () => u32() / 0x100000000 };
}

/** The bytes of all parts, one after another (fuzz tests build messages from pieces). */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The entity a typical signed mail carries: a text part plus an attachment of `size` deterministic bytes. */
export function entityWithAttachment(size: number, opts: { text?: string; filename?: string; seed?: number } = {}): Buffer {
  return multipartEntity([
    textEntity(opts.text ?? 'Please find the file attached.\n'),
    attachmentEntity({ filename: opts.filename ?? 'data.bin', data: deterministicBytes(size, opts.seed ?? 7) }),
  ]);
}

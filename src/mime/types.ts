/**
 * MIME tree over the original bytes. Every entity records offsets into `source`, so a signed part can be
 * hashed exactly as it was sent (never as a decoder re-serialised it).
 */
export interface MimeHeader {
  /** Header name as written. */
  name: string;
  /** Lower-cased name, for lookups. */
  key: string;
  /** Unfolded raw value (RFC 2047 words NOT decoded; see decodeHeaderValue). */
  value: string;
}

export interface ContentType {
  type: string; // lower-case, e.g. "multipart"
  subtype: string; // lower-case, e.g. "signed"
  mediaType: string; // "multipart/signed"
  params: Record<string, string>; // keys lower-case, values unquoted (RFC 2231 joined)
}

export interface MimeEntity {
  source: Uint8Array;
  /** Offsets into source: the entity is source[start, end); body is source[bodyStart, end). */
  start: number;
  headerEnd: number; // first byte after the header block (before the blank line)
  bodyStart: number; // first byte after the blank line
  end: number;
  headers: MimeHeader[];
  contentType: ContentType;
  /** Lower-case Content-Transfer-Encoding, default "7bit". */
  transferEncoding: string;
  /** Parts of a multipart, or the one message of message/rfc822 when parsed. */
  children: MimeEntity[];
  /**
   * Part path from the root, e.g. "" (root), "1", "1.2". As in IMAP, the message inside a message/rfc822 part
   * has the same path as that part, and its own parts continue from it ("2" holds a message whose parts are
   * "2.1", "2.2"); so a path is unique among multipart children but not between a container and its message.
   */
  path: string;
  /** Bytes between the header and the first boundary, and after the close delimiter (multipart only). */
  preamble?: { start: number; end: number };
  epilogue?: { start: number; end: number };
  /** Problems tolerated while parsing (e.g. missing close delimiter). */
  defects: string[];
}

export interface MimeLimits {
  /** Largest message accepted, bytes. */
  maxBytes: number;
  /** Deepest multipart / message nesting. */
  maxDepth: number;
  /** Most entities in one message. */
  maxParts: number;
  /** Most header lines in one entity. */
  maxHeaders: number;
  /** Largest header block of one entity, bytes (additive: DEFAULT_LIMITS gives the value when absent). */
  maxHeaderBytes?: number;
}

export type MimeParseResult =
  | { ok: true; root: MimeEntity }
  | { ok: false; error: { code: 'malformed-mime' | 'limit-exceeded' | 'truncated'; message: string } };

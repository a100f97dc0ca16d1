/**
 * The two Microsoft Graph calls the add-in makes, with a token from nested app authentication:
 *   GET  /me/messages/{id}/$value  — the raw MIME of a message (fallback when getAsFileAsync is missing/refused)
 *   POST /me/sendMail              — send a complete MIME message, base64 in a text/plain body as Graph
 *                                    documents for MIME; an add-in cannot hand Outlook's own send path a
 *                                    finished S/MIME entity, so signed/encrypted mail goes out this way.
 */
import { bytesToBase64 } from './base64';
import { type TokenSource, naaTokenSource } from './auth';
import type { GraphConfig } from './config';
import { MAX_MESSAGE_BYTES } from './host';

export class GraphError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'GraphError';
  }
}

async function graphProblem(res: Response, what: string): Promise<GraphError> {
  let detail = '';
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    detail = body.error?.message ? `: ${body.error.message}` : body.error?.code ? `: ${body.error.code}` : '';
  } catch {
    /* no JSON body */
  }
  return new GraphError(res.status, `${what} failed (HTTP ${res.status})${detail}`);
}

export class GraphClient {
  private readonly tokens: TokenSource;

  constructor(
    private readonly cfg: GraphConfig,
    tokens?: TokenSource,
  ) {
    this.tokens = tokens ?? naaTokenSource(cfg);
  }

  async getMessageMime(restItemId: string): Promise<Uint8Array> {
    const token = await this.tokens(['Mail.Read']);
    const res = await fetch(`${this.cfg.baseUrl}/me/messages/${encodeURIComponent(restItemId)}/$value`, {
      headers: { authorization: `Bearer ${token}` },
      credentials: 'omit',
    });
    if (!res.ok) throw await graphProblem(res, 'Fetching the message');
    const len = Number(res.headers.get('content-length') ?? '0');
    if (len > MAX_MESSAGE_BYTES) throw new GraphError(413, 'The message is larger than 160 MB.');
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > MAX_MESSAGE_BYTES) throw new GraphError(413, 'The message is larger than 160 MB.');
    return bytes;
  }

  /** Sends a complete RFC 5322 message (headers and S/MIME body) as we built it. */
  async sendMime(mime: Uint8Array): Promise<void> {
    const token = await this.tokens(['Mail.Send']);
    const res = await fetch(`${this.cfg.baseUrl}/me/sendMail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' },
      body: bytesToBase64(mime),
      credentials: 'omit',
    });
    if (res.status !== 202 && !res.ok) throw await graphProblem(res, 'Sending through Microsoft Graph');
  }
}

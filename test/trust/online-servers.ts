/**
 * Loopback servers for the online-trust tests: a small HTTP server (AIA certificates, CRLs, replaying or
 * tampering proxies), the real `openssl ocsp` responder, and a port nothing listens on. Test support only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Route {
  body: Uint8Array;
  type?: string;
}

export interface HttpFixture {
  port: number;
  url(path: string): string;
  routes: Map<string, Route | ((req: IncomingMessage, body: Buffer, res: ServerResponse) => void)>;
  /** Requests seen, by path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startHttp(): Promise<HttpFixture> {
  const routes: HttpFixture['routes'] = new Map();
  const hits = new Map<string, number>();
  const server: Server = createServer(async (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const body = await readBody(req);
    const r = routes.get(path);
    if (!r) {
      res.writeHead(404).end();
      return;
    }
    if (typeof r === 'function') return r(req, body, res);
    res.writeHead(200, { 'content-type': r.type ?? 'application/octet-stream', 'content-length': r.body.length });
    res.end(Buffer.from(r.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (p) => `http://127.0.0.1:${port}${p}`,
    routes,
    hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** POSTs to a loopback URL and returns the answer's bytes (for proxies that alter what a responder says). */
export function postRaw(url: string, body: Buffer, contentType: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': contentType, 'content-length': body.length } }, (res) => {
      readBody(res).then(resolve, reject);
    });
    req.on('error', reject);
    // `openssl ocsp` leaves the connection open when it cannot parse a request: do not wait forever.
    req.setTimeout(5000, () => req.destroy(new Error(`no answer from ${url} within 5 s`)));
    req.end(body);
  });
}

export interface OcspResponder {
  port: number;
  url: string;
  close(): void;
}

/**
 * `openssl ocsp` as a responder on an ephemeral port (it prints "ACCEPT [::]:PORT"). OpenSSL 3 re-reads the
 * index file when it changes, so certificates issued or revoked later are answered for.
 */
export function startOcspResponder(o: {
  index: string;
  ca: string;
  rsigner: string;
  rkey: string;
  ndays?: number;
}): Promise<OcspResponder> {
  const args = ['ocsp', '-index', o.index, '-port', '0', '-rsigner', o.rsigner, '-rkey', o.rkey, '-CA', o.ca, '-ndays', String(o.ndays ?? 1)];
  const child: ChildProcess = spawn('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // Never leave a responder behind, even when a test fails before its after() hook runs.
  const killOnExit = () => void child.kill();
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /ACCEPT \S*:(\d+)/.exec(out);
      if (m) {
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        const port = Number(m[1]);
        resolve({ port, url: `http://127.0.0.1:${port}/`, close: () => void child.kill() });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`openssl ocsp exited (${code}): ${out}`)));
    child.on('error', reject);
    setTimeout(() => reject(new Error(`openssl ocsp did not start: ${out}`)), 10_000).unref();
  });
}

/** A loopback port with nothing listening (bound, then released). */
export async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

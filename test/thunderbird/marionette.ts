/**
 * A small Marionette client (protocol 3) over loopback, enough for the Thunderbird e2e tests: a session,
 * chrome-context scripts, screenshots. Messages are `len:json`; commands are `[0, id, name, params]`, replies
 * `[1, id, error, result]`.
 */
import { connect, type Socket } from 'node:net';

export class Marionette {
  private sock!: Socket;
  private buf = Buffer.alloc(0);
  private nextId = 0;
  private readonly pending = new Map<number, { res: (v: unknown) => void; rej: (e: Error) => void }>();
  private hello?: (v: unknown) => void;

  static async connect(port: number): Promise<Marionette> {
    const m = new Marionette();
    const hello = new Promise((r) => (m.hello = r));
    await new Promise<void>((resolve, reject) => {
      m.sock = connect(port, '127.0.0.1', () => resolve());
      m.sock.once('error', reject);
    });
    m.sock.on('data', (d) => m.onData(d));
    m.sock.on('close', () => {
      for (const p of m.pending.values()) p.rej(new Error('Marionette connection closed'));
      m.pending.clear();
    });
    await hello;
    await m.command('WebDriver:NewSession', { capabilities: { alwaysMatch: { acceptInsecureCerts: true } } });
    await m.command('Marionette:SetContext', { value: 'chrome' });
    return m;
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const colon = this.buf.indexOf(':');
      if (colon < 0) return;
      const len = Number(this.buf.subarray(0, colon).toString());
      if (this.buf.length < colon + 1 + len) return;
      const msg = JSON.parse(this.buf.subarray(colon + 1, colon + 1 + len).toString());
      this.buf = this.buf.subarray(colon + 1 + len);
      if (!Array.isArray(msg)) {
        this.hello?.(msg);
        continue;
      }
      const [, id, err, res] = msg as [number, number, unknown, unknown];
      const p = this.pending.get(id);
      this.pending.delete(id);
      if (!p) continue;
      if (err) p.rej(new Error(`Marionette: ${JSON.stringify(err).slice(0, 2000)}`));
      else p.res(res);
    }
  }

  command(name: string, params: Record<string, unknown> = {}): Promise<any> {
    const id = ++this.nextId;
    const s = JSON.stringify([0, id, name, params]);
    this.sock.write(`${Buffer.byteLength(s)}:${s}`);
    return new Promise((res, rej) => this.pending.set(id, { res, rej }));
  }

  /** Runs `script` (a function body; `arguments` holds args) in the chrome context; returns its value. */
  async chrome<T = any>(script: string, args: unknown[] = [], timeoutMs = 30000): Promise<T> {
    await this.command('WebDriver:SetTimeouts', { script: timeoutMs });
    const r = await this.command('WebDriver:ExecuteScript', { script, args });
    return (r && typeof r === 'object' && 'value' in r ? r.value : r) as T;
  }

  async screenshot(): Promise<Buffer> {
    const shot = await this.command('WebDriver:TakeScreenshot', { full: false });
    return Buffer.from((shot && shot.value) || shot, 'base64');
  }

  close(): void {
    this.sock.destroy();
  }
}

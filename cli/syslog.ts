/**
 * The CLI's syslog sender: a transport for the audit forwarder (src/audit/forwarder.ts), so syslog gets the same
 * persisted queue, batches and retry as the HTTPS endpoint. Message text and framing come from the core
 * (src/audit/syslog.ts); only the sockets are here.
 *
 * TCP (RFC 6587 octet counting): a batch counts as delivered only after the receiver has read it all — we send
 * the messages, half-close, and wait for the receiver to close its side, which it does after reading to our end.
 * A connection refused, reset or timed out leaves the whole batch queued for the next run (at least once: a
 * batch cut off mid-way is sent again in full, and receivers can drop repeats by the event id in MSG).
 *
 * UDP (RFC 5426): one datagram per message, best effort. A datagram lost on the way or dropped by a busy
 * receiver is not noticed; only a local error or an ICMP "port unreachable" reported on the connected socket
 * keeps the batch queued. Use TCP where every event must arrive.
 */
import { createConnection } from 'node:net';
import { createSocket } from 'node:dgram';
import { hostname } from 'node:os';
import { formatEvent, octetCounted, syslogMessage, type AuditEvent, type AuditFormat, type AuditTransport, type SyslogTarget } from '../src/audit/index';

export interface SyslogTransportOptions {
  format: AuditFormat;
  timeoutMs?: number;
  version?: string;
}

function messagesOf(batch: AuditEvent[], o: SyslogTransportOptions): string[] {
  const opts = { hostname: hostname(), procId: process.pid, version: o.version };
  return batch.map((e) => syslogMessage(e, formatEvent(e, o.format), opts));
}

function where(t: SyslogTarget): string {
  return `${t.protocol}://${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
}

function sendTcp(t: SyslogTarget, messages: string[], timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (err?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(err);
    };
    const sock = createConnection({ host: t.host, port: t.port });
    const timer = setTimeout(() => done(`no answer from ${where(t)} within ${timeoutMs} ms`), timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) => done(`could not deliver to ${where(t)}: ${e.code ?? e.message}`));
    sock.on('connect', () => {
      sock.end(messages.map(octetCounted).join(''));
    });
    // The receiver closes its side after reading everything up to our FIN: then the batch is delivered.
    sock.on('end', () => done());
    sock.resume();
  });
}

function sendUdp(t: SyslogTarget, messages: string[], timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = createSocket(t.host.includes(':') ? 'udp6' : 'udp4');
    let settled = false;
    const done = (err?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.close();
      resolve(err);
    };
    const timer = setTimeout(() => done(`could not send to ${where(t)} within ${timeoutMs} ms`), timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) => done(`could not send to ${where(t)}: ${e.code ?? e.message}`));
    sock.connect(t.port, t.host, async () => {
      for (const m of messages) {
        const err = await new Promise<Error | null>((r) => sock.send(m, (e) => r(e ?? null)));
        if (err) return done(`could not send to ${where(t)}: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
      }
      // An ICMP port-unreachable for a datagram arrives as an error shortly after; give it a moment.
      setTimeout(() => done(), 50);
    });
  });
}

export function syslogTransport(target: SyslogTarget, o: SyslogTransportOptions): AuditTransport {
  const timeoutMs = o.timeoutMs ?? 5000;
  return {
    send(batch) {
      const messages = messagesOf(batch, o);
      return target.protocol === 'tcp' ? sendTcp(target, messages, timeoutMs) : sendUdp(target, messages, timeoutMs);
    },
  };
}

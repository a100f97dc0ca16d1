/**
 * Syslog output for audit events, without the sockets (those are in cli/syslog.ts: the core runs in browsers too):
 * the policy's target ("tcp://HOST:PORT" / "udp://HOST:PORT"), one RFC 5424 message per event with the event's
 * JSON as MSG, and RFC 6587 octet-counting framing for TCP ("LEN SP MSG", so a message may contain line breaks and
 * a receiver never splits or joins messages).
 *
 * Choices, so a SIEM can parse it without guessing:
 * - Facility 13 ("log audit" in RFC 5424's table); severity from the event (SYSLOG_SEVERITY), so PRI = 104 + code.
 * - APP-NAME "smime-addin", MSGID the stable event name (e.g. "policy.violation"; at most 32 printable characters).
 * - STRUCTURED-DATA: the IANA-registered `origin` element naming the software (RFC 5424 §7.2), no private SD-IDs.
 * - MSG: the event as JSON (native or ECS per audit.format), with every non-ASCII character written as a JSON
 *   \u escape, so MSG is plain ASCII (RFC 5424 requires a BOM for UTF-8 MSG, which many receivers mishandle).
 */
import { SYSLOG_SEVERITY, type AuditEvent } from './event';

export type SyslogTarget = { protocol: 'tcp' | 'udp'; host: string; port: number };

/** Facility 13: log audit. */
export const SYSLOG_FACILITY = 13;

const MAX_TARGET = 300;

/** The policy's audit.syslog value as a target, or the problem with it (one phrase, for policy validation). */
export function parseSyslogTarget(s: string): SyslogTarget | { problem: string } {
  const bad = { problem: 'must be "tcp://HOST:PORT" or "udp://HOST:PORT"' };
  if (s.length > MAX_TARGET) return bad;
  const m = /^(tcp|udp):\/\//.exec(s);
  if (!m) return bad;
  const rest = s.slice(m[0].length);
  // [IPv6]:port, or host:port with a host of letters, digits, dots, hyphens (no user info, path or query).
  let host: string;
  let portText: string;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':') return bad;
    host = rest.slice(1, close);
    portText = rest.slice(close + 2);
    if (!/^[0-9a-fA-F:.]+$/.test(host)) return { problem: 'has an invalid IPv6 address' };
  } else {
    const colon = rest.lastIndexOf(':');
    if (colon <= 0) return { problem: 'must name a port ("tcp://HOST:PORT")' };
    host = rest.slice(0, colon);
    portText = rest.slice(colon + 1);
    if (!/^[A-Za-z0-9.-]+$/.test(host)) return { problem: `has an invalid host name ${JSON.stringify(host.slice(0, 80))}` };
  }
  if (!/^[0-9]{1,5}$/.test(portText)) return { problem: 'must name a port ("tcp://HOST:PORT")' };
  const port = Number(portText);
  if (port < 1 || port > 65535) return { problem: 'port must be between 1 and 65535' };
  return { protocol: m[1] as 'tcp' | 'udp', host, port };
}

/** JSON text with every character outside printable ASCII escaped (JSON.stringify already escapes < 0x20). */
export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A header field per RFC 5424: printable US-ASCII without spaces, bounded, "-" when empty. */
function headerField(s: string | undefined, max: number): string {
  const clean = (s ?? '').replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean || '-';
}

/** A PARAM-VALUE: '"', '\' and ']' escaped (RFC 5424 §6.3.3). */
function sdValue(s: string): string {
  return s.replace(/["\\\]]/g, (c) => `\\${c}`);
}

export interface SyslogOptions {
  /** HOSTNAME: the machine's name (the CLI passes os.hostname()). */
  hostname?: string;
  /** PROCID. */
  procId?: string | number;
  /** The `origin` element's swVersion. */
  version?: string;
}

/** One RFC 5424 message for an event; `json` is the MSG (the event in the forwarded format). */
export function syslogMessage(e: AuditEvent, json: unknown, o: SyslogOptions = {}): string {
  const pri = SYSLOG_FACILITY * 8 + SYSLOG_SEVERITY[e.severity];
  const sd = `[origin software="smime-addin"${o.version ? ` swVersion="${sdValue(o.version.slice(0, 48))}"` : ''}]`;
  const time = Number.isNaN(Date.parse(e.time)) ? '-' : new Date(e.time).toISOString();
  return `<${pri}>1 ${time} ${headerField(o.hostname, 255)} smime-addin ${headerField(o.procId === undefined ? undefined : String(o.procId), 128)} ${headerField(e.event, 32)} ${sd} ${asciiJson(json)}`;
}

/** RFC 6587 §3.4.1 octet counting: "MSG-LEN SP SYSLOG-MSG", the length in bytes. */
export function octetCounted(message: string): string {
  return `${new TextEncoder().encode(message).length} ${message}`;
}

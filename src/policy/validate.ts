/**
 * Validates one policy source (an admin policy file, user settings) against FIELDS. Every problem is one line
 * "path: problem", e.g. "policy.revocation: must be one of off, soft, hard". Unknown fields are errors, so a
 * typo in an admin's file does not silently leave a default in force. Never throws on bad input.
 *
 * An invalid source still yields its valid fields (`policy`), and for certificate lists the valid entries: an
 * administrator's policy with one typo keeps everything else it says (merge.ts then sets the user's settings
 * aside, so the typo cannot let weaker user settings through). Keys named after Object.prototype members
 * (`__proto__`, `constructor`, `toString`, …) are refused by name: looked up naively they would resolve to
 * inherited members instead of being reported as unknown.
 */
import { FIELDS, getPath, setPath, type FieldSpec, type PartialPolicy } from './schema';
import { isLoopbackHttp } from './loopback';
import { parsePemCertificates } from './pem';
import { parseSyslogTarget } from '../audit/syslog';
import { parseDomainEntry } from './domains';

export type PolicyValidation =
  | { ok: true; policy: PartialPolicy }
  /** `policy` holds the fields (and certificate-list entries) that were valid. */
  | { ok: false; errors: string[]; policy: PartialPolicy };

const MAX_ERRORS = 50;
/** Top-level keys tolerated and ignored: editors' schema hints. */
const IGNORED = new Set(['$schema', '$comment']);

/** Object.prototype's member names: never policy keys, whatever the level. */
const RESERVED: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

const isField = (path: string) => Object.prototype.hasOwnProperty.call(FIELDS, path);

const GROUPS = new Set(Object.keys(FIELDS).filter((p) => p.includes('.')).map((p) => p.split('.')[0]));

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function validatePolicy(input: unknown, label = 'policy'): PolicyValidation {
  const errors: string[] = [];
  const add = (path: string, problem: string) => {
    if (errors.length < MAX_ERRORS) errors.push(`${path ? `${label}.${path}` : label}: ${problem}`);
  };
  if (!isPlainObject(input)) {
    add('', 'must be a JSON object');
    return { ok: false, errors, policy: {} };
  }
  const unknown = (path: string, key: string) =>
    add(path, RESERVED.has(key) ? 'not allowed (the name of a built-in object member, never a policy field)' : 'unknown field');
  for (const key of Object.keys(input)) {
    if (IGNORED.has(key)) continue;
    if (GROUPS.has(key)) {
      const group = input[key];
      if (!isPlainObject(group)) {
        add(key, 'must be an object');
        continue;
      }
      for (const sub of Object.keys(group)) if (!isField(`${key}.${sub}`)) unknown(`${key}.${sub}`, sub);
    } else if (!isField(key) || RESERVED.has(key)) {
      unknown(key, key);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [path, spec] of Object.entries(FIELDS)) {
    const v = getPath(input, path);
    if (v === undefined) continue;
    if (spec.kind === 'pemList' && Array.isArray(v)) {
      // Each entry on its own: the valid certificates of a list stay in force, the bad ones are named.
      const kept: string[] = [];
      for (const [i, x] of v.entries()) {
        if (i >= spec.maxItems) {
          add(path, `has more than ${spec.maxItems} entries; the rest are ignored`);
          break;
        }
        const problem = typeof x !== 'string' ? 'must be a string' : pemProblem(x);
        if (problem) add(`${path}[${i}]`, problem);
        else kept.push(x as string);
      }
      setPath(out, path, kept);
      continue;
    }
    const problem = checkValue(spec, v);
    // Element problems of a domain list come as "[i] problem" and belong on the element's path.
    const element = problem?.startsWith('[') ? problem.indexOf('] ') : -1;
    if (problem && element > 0) add(`${path}${problem.slice(0, element + 1)}`, problem.slice(element + 2));
    else if (problem) add(path, problem);
    else setPath(out, path, Array.isArray(v) ? [...v] : v);
  }
  return errors.length ? { ok: false, errors, policy: out as PartialPolicy } : { ok: true, policy: out as PartialPolicy };
}

function pemProblem(x: string): string | undefined {
  const r = parsePemCertificates(x);
  return r.ok ? undefined : r.problem;
}

/** Parses JSON text and validates it; a syntax error is reported like any other problem. */
export function parsePolicyJson(text: string, label = 'policy'): PolicyValidation {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return { ok: false, errors: [`${label}: not valid JSON (${e instanceof Error ? e.message : String(e)})`], policy: {} };
  }
  return validatePolicy(data, label);
}

function checkValue(spec: FieldSpec, v: unknown): string | undefined {
  switch (spec.kind) {
    case 'bool':
      return typeof v === 'boolean' ? undefined : 'must be true or false';
    case 'enum':
      return typeof v === 'string' && spec.values.includes(v) ? undefined : `must be one of ${spec.values.join(', ')}`;
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v)) return 'must be an integer';
      return v < spec.min || v > spec.max ? `must be between ${spec.min} and ${spec.max}` : undefined;
    case 'enumList': {
      if (!Array.isArray(v)) return `must be an array of ${spec.values.join(', ')}`;
      const bad = v.find((x) => typeof x !== 'string' || !spec.values.includes(x));
      if (bad !== undefined) return `${JSON.stringify(bad)} is not one of ${spec.values.join(', ')}`;
      return new Set(v).size === v.length ? undefined : 'has duplicate entries';
    }
    case 'pemList':
      // Arrays are checked entry by entry in validatePolicy.
      return 'must be an array of PEM certificate strings';
    case 'url': {
      if (v === null) return undefined;
      if (typeof v !== 'string') return 'must be an https:// URL or null';
      const candidate = spec.placeholder ? v.replace('{url}', 'x') : v;
      let u: URL;
      try {
        u = new URL(candidate);
      } catch {
        return 'must be an https:// URL or null';
      }
      if (u.protocol !== 'https:' && !isLoopbackHttp(u)) return 'must be an https:// URL (plain http is not allowed)';
      if (u.username || u.password) return 'must not contain credentials';
      return undefined;
    }
    case 'path':
      if (v === null) return undefined;
      return typeof v === 'string' && v.length > 0 && v.length <= 4096 ? undefined : 'must be a file path or null';
    case 'syslog': {
      if (v === null) return undefined;
      if (typeof v !== 'string') return 'must be "tcp://HOST:PORT", "udp://HOST:PORT" or null';
      const t = parseSyslogTarget(v);
      return 'problem' in t ? t.problem : undefined;
    }
    case 'domainList': {
      if (!Array.isArray(v)) return 'must be an array of domain names';
      // Checked before any entry is parsed: a huge list costs one comparison, not a parse per entry.
      if (v.length > spec.maxItems) return `has more than ${spec.maxItems} entries`;
      const seen = new Set<string>();
      for (const [i, x] of v.entries()) {
        if (typeof x !== 'string') return `[${i}] must be a string`;
        const r = parseDomainEntry(x);
        if (!r.ok) return `[${i}] ${JSON.stringify(x.slice(0, 80))} ${r.problem}`;
        const key = `${r.wildcard ? '*.' : ''}${r.domain}`;
        if (seen.has(key)) return `[${i}] ${JSON.stringify(x.slice(0, 80))} is listed twice`;
        seen.add(key);
      }
      return undefined;
    }
    case 'name': {
      if (typeof v !== 'string' || v.trim().length === 0) return 'must be a non-empty name';
      if (v.length > spec.maxLength) return `must be at most ${spec.maxLength} characters`;
      for (const ch of v) {
        const c = ch.codePointAt(0) ?? 0;
        if (c < 0x20 || c === 0x7f || (c >= 0x80 && c <= 0x9f)) return 'must not contain control characters';
        if (spec.folder && (ch === '/' || ch === '\\')) return 'must be one folder name, without / or \\';
      }
      return undefined;
    }
  }
}

/**
 * Name constraints, RFC 5280 §4.2.1.10 and §6.1.3 (b)-(c), §6.1.4 (g).
 *
 * Instead of computing intersections of permitted subtrees, every CA's constraints are kept and a name
 * must satisfy each of them: a name is in the intersection exactly when it is in every set, and excluded
 * subtrees simply accumulate. Names checked: the subject DN, subjectAltName entries, and emailAddress
 * attributes of the subject DN (as rfc822Name, §4.2.1.10, whether or not there is a subjectAltName: sender
 * binding counts them as addresses), and id-on-SmtpUTF8Mailbox otherNames, which rfc822Name constraints govern
 * (RFC 9598 §6; see smtpUtf8Name). Supported forms: directoryName, rfc822Name (mailbox, host and ".domain"),
 * dNSName, URI (host and ".domain"), iPAddress. A constraint of another form (otherName, x400, ediParty,
 * registeredID) cannot be evaluated: a name of that form under such a constraint is refused rather than let through.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { mailNameProblem, smtpUtf8MailboxOf } from '../certs/mail-names';
import { asciiFormOf } from '../mime/address';
import { OID, getExt, subjectAltNames, type CertInfo } from './cert-info';
import { OID_EMAIL_ADDRESS, attributeValues, nameWithin, parseName, type ParsedName } from './names';

const T = { otherName: 0, rfc822: 1, dns: 2, x400: 3, dir: 4, edi: 5, uri: 6, ip: 7, rid: 8 } as const;

interface Constraint {
  from: string; // the CA's label, for messages
  permitted: pkijs.GeneralSubtree[] | undefined;
  excluded: pkijs.GeneralSubtree[];
}

/**
 * `type` is the GeneralName form the constraints of which apply: an SmtpUTF8Mailbox is checked as an rfc822Name
 * (its domain in IDNA ASCII form), and `malformed` says why it cannot be checked at all.
 */
type Name = { type: number; value: string | ParsedName | Uint8Array; shown: string; malformed?: string };

function lower(s: string): string {
  return s.toLowerCase();
}

function hostOfUri(uri: string): string | undefined {
  const m = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i.exec(uri);
  return m ? m[1] : undefined;
}

function dnsMatch(name: string, base: string): boolean {
  const n = lower(name).replace(/\.$/, '');
  const b = lower(base).replace(/\.$/, '');
  if (b === '') return true;
  if (b.startsWith('.')) return n.endsWith(b);
  return n === b || n.endsWith('.' + b);
}

function rfc822Match(addr: string, base: string): boolean {
  const at = addr.lastIndexOf('@');
  if (at < 0) return false;
  const domain = lower(addr.slice(at + 1));
  if (base.includes('@')) {
    const bat = base.lastIndexOf('@');
    return addr.slice(0, at) === base.slice(0, bat) && domain === lower(base.slice(bat + 1));
  }
  if (base.startsWith('.')) return domain.endsWith(lower(base));
  return domain === lower(base);
}

function uriMatch(uri: string, base: string): boolean {
  const host = hostOfUri(uri);
  if (host === undefined) return false;
  if (base.startsWith('.')) return lower(host).endsWith(lower(base));
  return lower(host) === lower(base);
}

function ipMatch(addr: Uint8Array, base: Uint8Array): boolean {
  if (base.length !== addr.length * 2) return false;
  for (let i = 0; i < addr.length; i++) {
    const mask = base[addr.length + i];
    if ((addr[i] & mask) !== (base[i] & mask)) return false;
  }
  return true;
}

/** Whether `name` lies in `subtree`; undefined when the subtree's form cannot be evaluated. */
function within(name: Name, subtree: pkijs.GeneralSubtree): boolean | undefined {
  const base = subtree.base;
  if (base.type !== name.type) return false;
  switch (name.type) {
    case T.dir:
      return nameWithin(name.value as ParsedName, parseName(base.value as pkijs.RelativeDistinguishedNames));
    case T.rfc822:
      return rfc822Match(name.value as string, String(base.value));
    case T.dns:
      return dnsMatch(name.value as string, String(base.value));
    case T.uri:
      return uriMatch(name.value as string, String(base.value));
    case T.ip: {
      const b = base.value instanceof asn1js.OctetString ? base.value.valueBlock.valueHexView : undefined;
      return b ? ipMatch(name.value as Uint8Array, b) : undefined;
    }
    default:
      return undefined;
  }
}

/** The names of a certificate that constraints apply to. */
function namesOf(cert: CertInfo): Name[] {
  const out: Name[] = [];
  if (cert.subject.rdns.length > 0) out.push({ type: T.dir, value: cert.subject, shown: cert.subject.display });
  for (const gn of subjectAltNames(cert)) {
    switch (gn.type) {
      case T.rfc822:
      case T.dns:
      case T.uri:
        out.push({ type: gn.type, value: String(gn.value), shown: String(gn.value) });
        break;
      case T.dir: {
        const dn = parseName(gn.value as pkijs.RelativeDistinguishedNames);
        out.push({ type: T.dir, value: dn, shown: dn.display });
        break;
      }
      case T.ip:
        if (gn.value instanceof asn1js.OctetString) {
          const v = gn.value.valueBlock.valueHexView;
          out.push({ type: T.ip, value: v, shown: Array.from(v).join('.') });
        }
        break;
      case T.otherName: {
        const mailbox = smtpUtf8MailboxOf(gn.value);
        out.push(mailbox === undefined ? { type: gn.type, value: '', shown: 'name of type 0' } : smtpUtf8Name(mailbox));
        break;
      }
      default:
        out.push({ type: gn.type, value: '', shown: `name of type ${gn.type}` });
    }
  }
  for (const email of attributeValues(cert.subject, OID_EMAIL_ADDRESS)) {
    out.push({ type: T.rfc822, value: email, shown: email });
  }
  return out;
}

/**
 * RFC 9598 §6: rfc822Name constraints apply to SmtpUTF8Mailbox names. The domain is compared in its ASCII (A-label)
 * form, as rfc822Name constraints hold it (RFC 9549); a constraint naming a whole mailbox never matches, because
 * its local part is ASCII and a valid SmtpUTF8Mailbox's is not. A malformed one (an all-ASCII local part, a bad
 * domain) cannot be checked, so a constrained chain refuses it, as OpenSSL does.
 */
function smtpUtf8Name(mailbox: string | { malformed: true }): Name {
  if (typeof mailbox !== 'string') return { type: T.rfc822, value: '', shown: 'SmtpUTF8Mailbox', malformed: 'it is not a UTF8String' };
  const problem = mailNameProblem(mailbox, 'SmtpUTF8Mailbox');
  const ascii = problem ? undefined : asciiFormOf(mailbox);
  return ascii ? { type: T.rfc822, value: ascii, shown: mailbox } : { type: T.rfc822, value: '', shown: mailbox, malformed: problem ?? 'bad domain' };
}

/**
 * Bound: name-against-subtree comparisons per path. Each name of each certificate is compared with the subtrees of
 * every constraining CA above it, so the work is names × subtrees × depth: a CA with 2,000 rfc822 subtrees and a
 * leaf with 2,000 addresses cost 1.5 s, three such CAs in a chain several seconds, and the path builder may try
 * dozens of paths. Anyone can send such a chain (a failing certificate signature does not stop the other checks).
 * Real constrained CAs list tens of subtrees and leaves a few names, far under this; past it the chain is not trusted.
 */
export const MAX_NAME_COMPARISONS = 1_000_000;

export class NameConstraintState {
  private readonly constraints: Constraint[] = [];
  private comparisons = 0;

  /** §6.1.4 (g): remember a CA's constraints. Returns a failure message when they cannot be read. */
  add(cert: CertInfo): string | undefined {
    const e = getExt(cert, OID.nameConstraints);
    if (!e) return undefined;
    const nc = e.parsedValue;
    if (!(nc instanceof pkijs.NameConstraints)) return `The name constraints of '${cert.label}' cannot be read.`;
    this.constraints.push({ from: cert.label, permitted: nc.permittedSubtrees, excluded: nc.excludedSubtrees ?? [] });
    return undefined;
  }

  /** §6.1.3 (b)-(c): a message naming the first name outside the constraints, or undefined. */
  check(cert: CertInfo): string | undefined {
    if (this.constraints.length === 0) return undefined;
    const names = namesOf(cert);
    for (const c of this.constraints) this.comparisons += names.length * ((c.permitted?.length ?? 0) + c.excluded.length);
    if (this.comparisons > MAX_NAME_COMPARISONS) {
      return `'${cert.label}' and the name constraints above it have too many names to compare (over ${MAX_NAME_COMPARISONS.toLocaleString('en-US')} comparisons), so the chain is not checked further.`;
    }
    for (const c of this.constraints) {
      for (const name of names) {
        if (name.malformed && (c.permitted ?? []).concat(c.excluded).some((s) => s.base.type === name.type)) {
          return `'${cert.label}' has an internationalised address ('${name.shown}') that the constraints of '${c.from}' cannot be checked against: ${name.malformed}.`;
        }
        // A subject DN that is empty is not checked (§6.1.3 (b)); SAN names always are.
        const permittedOfType = c.permitted?.filter((s) => s.base.type === name.type) ?? [];
        if (permittedOfType.length > 0) {
          const results = permittedOfType.map((s) => within(name, s));
          if (results.includes(undefined) && !results.includes(true)) {
            return `'${cert.label}' has a name ('${name.shown}') whose form the constraints of '${c.from}' use but this checker cannot evaluate.`;
          }
          if (!results.includes(true)) {
            return `The name '${name.shown}' in '${cert.label}' is outside the names '${c.from}' is allowed to certify.`;
          }
        }
        for (const s of c.excluded) {
          if (s.base.type !== name.type) continue;
          const r = within(name, s);
          if (r === undefined) {
            return `'${cert.label}' has a name ('${name.shown}') whose form the constraints of '${c.from}' use but this checker cannot evaluate.`;
          }
          if (r) return `The name '${name.shown}' in '${cert.label}' is in a range '${c.from}' is forbidden to certify.`;
        }
      }
    }
    return undefined;
  }
}

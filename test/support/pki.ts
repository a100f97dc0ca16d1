/**
 * Test PKI over the real `openssl` CLI (3.0): an independent implementation to check ours against.
 *
 *   const pki = await makePki();                       // root CA + intermediate CA, each with an `openssl ca` database
 *   const alice = await pki.issue({ name: 'Alice', email: 'alice@example.com' });
 *   const msg = await smimeSign({ signer: alice, content: textEntity('hi'), headers: { from: 'alice@example.com' } });
 *   const v = await opensslVerify(msg.path, { CAfile: pki.root.certPath });
 *
 * Certificates are issued with `openssl ca` (index.txt, serial, crlnumber; explicit -startdate/-enddate), so
 * serials, dates and extensions are deterministic. Only keys (and CMS signing times / boundaries OpenSSL picks)
 * vary. Keys come from a per-process pool: the n-th key of a type requested by one Pki is the n-th key of the
 * pool, so within one Pki every certificate has its own key (distinct subjectKeyIdentifiers), while further
 * Pkis in the same process reuse the already generated keys (RSA keygen dominates the run time).
 *
 * Node-only test support; never imported by src/.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { headerBlock, type HeaderFields } from './messages';

export type KeyType =
  | 'rsa512'
  | 'rsa1024'
  | 'rsa2048'
  | 'rsa3072'
  | 'rsa4096'
  | 'ec-p256'
  | 'ec-p384'
  | 'ec-p521'
  | 'ec-bp256'
  | 'ec-bp384'
  | 'ec-bp512'
  | 'ed25519';
export type Digest = 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'md5';
export type CrlReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'CACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL';

// ---------------------------------------------------------------------------------------------------------------
// running openssl

export interface RunResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Run `openssl ARGS…`; never throws for a non-zero exit (see `code`). */
export function runOpenssl(args: string[], opts: { cwd?: string; input?: Uint8Array } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'openssl',
      args,
      { cwd: opts.cwd, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
        if (err && code === -1) return reject(err);
        resolve({ code, stdout: stdout as Buffer, stderr: (stderr as Buffer).toString('utf8') });
      },
    );
    if (opts.input) child.stdin?.end(Buffer.from(opts.input));
    else child.stdin?.end();
  });
}

/** Like runOpenssl, but throws (with OpenSSL's stderr) on a non-zero exit: for fixture setup steps. */
export async function openssl(args: string[], opts: { cwd?: string; input?: Uint8Array } = {}): Promise<Buffer> {
  const r = await runOpenssl(args, opts);
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.code}):\n${r.stderr}`);
  return r.stdout;
}

// ---------------------------------------------------------------------------------------------------------------
// dates, PEM

/** YYYYMMDDHHMMSSZ, the form `openssl ca -startdate/-enddate/-crl_*update` accept. */
export function opensslTime(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** index.txt form: UTCTime before 2050, GeneralizedTime from 2050. */
function indexTime(d: Date): string {
  const t = opensslTime(d);
  return d.getUTCFullYear() < 2050 ? t.slice(2) : t;
}

export function pemToDer(pem: string): Buffer {
  const m = /-----BEGIN [^-]+-----([\s\S]*?)-----END [^-]+-----/.exec(pem);
  if (!m) throw new Error('no PEM block');
  return Buffer.from(m[1].replace(/\s+/g, ''), 'base64');
}

const utc = (y: number, m = 1, d = 1) => new Date(Date.UTC(y, m - 1, d));
/** Default validity: wide and fixed, so fixtures are deterministic and valid "now" for years. */
export const DEFAULT_VALIDITY = {
  root: { start: utc(2020), end: utc(2045) },
  intermediate: { start: utc(2020, 6), end: utc(2044) },
  leaf: { start: utc(2021), end: utc(2040) },
};

// ---------------------------------------------------------------------------------------------------------------
// key pool

/**
 * Generated keys by key space and type. Each makePki() takes a key space of its own, so two PKIs in one process never
 * share keys (a second PKI that shared the first one's root key and name would make an "untrusted root" trusted);
 * makePki({ sameKeysAs }) shares one on purpose (certificate-substitution tests).
 */
const keyPool = new Map<string, Promise<string>[]>();
let poolDir: string | undefined;
let keySpaces = 0;

function genKeyArgs(t: KeyType): string[] {
  switch (t) {
    case 'rsa512': // weak-key fixtures only (item 3 of issue 10)
    case 'rsa1024':
    case 'rsa2048':
    case 'rsa3072':
    case 'rsa4096':
      return ['-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${t.slice(3)}`];
    case 'ec-p256':
    case 'ec-p384':
    case 'ec-p521':
      return ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:P-${t.slice(4)}`, '-pkeyopt', 'ec_param_enc:named_curve'];
    case 'ec-bp256': // Brainpool (RFC 5639): European CAs' curves, which WebCrypto lacks
    case 'ec-bp384':
    case 'ec-bp512':
      return ['-algorithm', 'EC', '-pkeyopt', `ec_paramgen_curve:brainpoolP${t.slice(5)}r1`, '-pkeyopt', 'ec_param_enc:named_curve'];
    case 'ed25519':
      return ['-algorithm', 'ED25519'];
  }
}

/** The index-th key of a type in a key space (PEM, PKCS#8, unencrypted). */
function pooledKey(t: KeyType, index: number, space: number): Promise<string> {
  const poolKey = `${space}/${t}`;
  let list = keyPool.get(poolKey);
  if (!list) keyPool.set(poolKey, (list = []));
  while (list.length <= index) {
    poolDir ??= mkdtempSync(join(tmpdir(), 'smime-keypool-'));
    const out = join(poolDir, `${space}-${t}-${list.length}.pem`);
    list.push(openssl(['genpkey', ...genKeyArgs(t), '-out', out]).then(() => readFileSync(out, 'utf8')));
  }
  return list[index];
}

process.once('exit', () => {
  if (poolDir) rmSync(poolDir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------------------
// the PKI

export interface IssueOptions {
  /** Common name; also names the files. */
  name: string;
  /** rfc822Name in subjectAltName (and emailAddress in the subject when `emailInSubject`). Omit for none. */
  email?: string | string[];
  emailInSubject?: boolean;
  /** Full subject in `openssl req -subj` form ("/CN=…/O=…"); overrides name/email in the subject. */
  subject?: string;
  keyType?: KeyType;
  /** Default: the intermediate for end entities, the root for CAs. */
  issuer?: 'root' | 'intermediate' | IssuedCert;
  start?: Date;
  end?: Date;
  /** Extended key usage; default ['emailProtection'] for end entities, none for CAs; null = no extension. */
  eku?: string[] | null;
  /** Key usage (critical); default by key type / CA; null = no extension. */
  keyUsage?: string[] | null;
  ca?: boolean;
  pathLen?: number;
  /** Extra extension lines for the openssl extension section, e.g. "crlDistributionPoints = URI:http://…". */
  extraExt?: string;
  selfSigned?: boolean;
  /** Signature digest of the certificate itself (default sha256; ignored for Ed25519 issuers). */
  md?: Digest;
  /** Certify this certificate's key instead of a new one (cross-certificates, re-issued CA certificates). */
  keyOf?: IssuedCert;
  /**
   * How the subject's strings are encoded: 'utf8' (OpenSSL 3's default, UTF8String) or 'printable' (OpenSSL's
   * `string_mask = default`, as older CAs write them: PrintableString where the characters allow it, else T61String
   * for Latin-1 text, else BMPString). Either reads the -subj text as UTF-8.
   */
  nameEncoding?: 'utf8' | 'printable';
}

export interface IssuedCert {
  name: string;
  emails: string[];
  keyType: KeyType;
  serial: string; // hex, upper-case, as in index.txt
  certPem: string;
  certDer: Buffer;
  keyPem: string;
  certPath: string;
  keyPath: string;
  /** DER copy of the certificate. */
  certDerPath: string;
  isCA: boolean;
  selfSigned: boolean;
  /** The issuing certificate (undefined for self-signed). */
  issuer?: IssuedCert;
  /** Issuer first, up to and including the self-signed top. */
  chain: IssuedCert[];
  /** PEM files of the chain WITHOUT the self-signed top (what a signer sends along: `-certfile`). */
  chainPaths: string[];
  /** One PEM file holding chainPaths' certificates (empty file when none). */
  chainBundlePath: string;
  /** PKCS#12 with the key, the certificate and chainPaths; `legacy` = 3DES/SHA-1 MAC (as older clients export). */
  makeP12(password: string, opts?: { legacy?: boolean; friendlyName?: string }): Promise<string>;
  /** The working directory of the Pki that made it (fixture outputs go there). */
  readonly dir: string;
}

export interface Pki {
  dir: string;
  /** Where its keys come from (see keyPool); pass the Pki as makePki's `sameKeysAs` to share them. */
  readonly keySpace: number;
  root: IssuedCert;
  intermediate: IssuedCert;
  issue(opts: IssueOptions): Promise<IssuedCert>;
  /** Mark revoked in the issuer's database; `at` sets the revocation date (default: now). */
  revoke(cert: IssuedCert, opts?: { reason?: CrlReason; at?: Date }): Promise<void>;
  /** A CRL from the issuer's database. */
  crl(opts?: { issuer?: 'root' | 'intermediate' | IssuedCert; thisUpdate?: Date; nextUpdate?: Date }): Promise<{
    pemPath: string;
    derPath: string;
    der: Buffer;
  }>;
  /** Remove the temp dir (also done at process exit). */
  cleanup(): void;
}

interface CaDb {
  dir: string;
  config: string;
}

function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'cert';
}

function caConfig(dbDir: string, md: string): string {
  return `
[ ca ]
default_ca = CA_default
[ CA_default ]
dir = ${dbDir}
database = $dir/index.txt
serial = $dir/serial
crlnumber = $dir/crlnumber
new_certs_dir = $dir/newcerts
default_md = ${md}
policy = policy_anything
unique_subject = no
email_in_dn = yes
copy_extensions = none
crl_extensions = crl_ext
default_crl_days = 30
[ policy_anything ]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = optional
emailAddress = optional
serialNumber = optional
[ crl_ext ]
authorityKeyIdentifier = keyid:always
[ req ]
distinguished_name = req_dn
[ req_dn ]
`;
}

export async function makePki(opts: { dir?: string; keyType?: KeyType; sameKeysAs?: Pki } = {}): Promise<Pki> {
  const keySpace = opts.sameKeysAs?.keySpace ?? keySpaces++;
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'smime-pki-'));
  mkdirSync(dir, { recursive: true });
  const ownsDir = opts.dir === undefined;
  const keyCounters = new Map<KeyType, number>();
  const caDbs = new Map<IssuedCert, CaDb>();
  const issuedBy = new Map<IssuedCert, IssuedCert>(); // cert → the CA whose database has it
  let fileCounter = 0;
  let serialSeed = 0x1000;

  async function nextKey(t: KeyType): Promise<string> {
    const i = keyCounters.get(t) ?? 0;
    keyCounters.set(t, i + 1);
    return pooledKey(t, i, keySpace);
  }

  function dbFor(ca: IssuedCert): CaDb {
    let db = caDbs.get(ca);
    if (db) return db;
    const d = join(dir, 'ca', `${slug(ca.name)}-${ca.serial}`);
    mkdirSync(join(d, 'newcerts'), { recursive: true });
    writeFileSync(join(d, 'index.txt'), '');
    writeFileSync(join(d, 'index.txt.attr'), 'unique_subject = no\n');
    // Distinct serial ranges per CA keep serials unique across the whole Pki (and deterministic).
    serialSeed += 0x1000;
    // `openssl ca` wants an even number of hex digits (0x10000 and up would be odd: the 15th CA database).
    const hex = serialSeed.toString(16).toUpperCase();
    writeFileSync(join(d, 'serial'), (hex.length % 2 ? `0${hex}` : hex) + '\n');
    writeFileSync(join(d, 'crlnumber'), '01\n');
    const md = ca.keyType === 'ed25519' ? 'default' : 'sha256';
    writeFileSync(join(d, 'openssl.cnf'), caConfig(d, md));
    db = { dir: d, config: join(d, 'openssl.cnf') };
    caDbs.set(ca, db);
    return db;
  }

  function defaultKeyUsage(o: IssueOptions, t: KeyType): string[] {
    if (o.ca) return ['keyCertSign', 'cRLSign', 'digitalSignature'];
    if (t.startsWith('rsa')) return ['digitalSignature', 'nonRepudiation', 'keyEncipherment'];
    if (t.startsWith('ec')) return ['digitalSignature', 'nonRepudiation', 'keyAgreement'];
    return ['digitalSignature', 'nonRepudiation'];
  }

  async function issue(o: IssueOptions, issuerOverride?: IssuedCert): Promise<IssuedCert> {
    const keyType = o.keyOf?.keyType ?? o.keyType ?? opts.keyType ?? 'rsa2048';
    const emails = o.email === undefined ? [] : Array.isArray(o.email) ? o.email : [o.email];
    const selfSigned = o.selfSigned === true;
    const issuer: IssuedCert | undefined = selfSigned
      ? undefined
      : issuerOverride ??
        (o.issuer === 'root'
          ? pki.root
          : o.issuer === 'intermediate'
            ? pki.intermediate
            : (o.issuer ?? (o.ca ? pki.root : pki.intermediate)));
    const validity = o.ca ? DEFAULT_VALIDITY.intermediate : DEFAULT_VALIDITY.leaf;
    const start = o.start ?? validity.start;
    const end = o.end ?? validity.end;
    const base = `${String(++fileCounter).padStart(3, '0')}-${slug(o.name)}`;
    const certsDir = join(dir, 'certs');
    mkdirSync(certsDir, { recursive: true });
    const keyPath = join(certsDir, `${base}.key.pem`);
    const csrPath = join(certsDir, `${base}.csr.pem`);
    const certPath = join(certsDir, `${base}.pem`);
    const extPath = join(certsDir, `${base}.ext.cnf`);
    const keyPem = o.keyOf ? o.keyOf.keyPem : await nextKey(keyType);
    writeFileSync(keyPath, keyPem, { mode: 0o600 });

    const esc = (v: string) => v.replace(/[/\\]/g, (c) => '\\' + c);
    const subject =
      o.subject ??
      `/O=Fixture PKI/CN=${esc(o.name)}` + (o.emailInSubject && emails[0] ? `/emailAddress=${esc(emails[0])}` : '');
    const printable = o.nameEncoding === 'printable';
    const reqConfig = join(dir, printable ? 'req-printable.cnf' : 'req.cnf');
    if (!existsSync(reqConfig)) {
      writeFileSync(reqConfig, `[ req ]\ndistinguished_name = req_dn\n${printable ? 'string_mask = default\n' : ''}[ req_dn ]\n`);
    }
    // -utf8 only when an encoding is asked for: fixtures written before read non-ASCII -subj text as Latin-1.
    const utf8 = o.nameEncoding ? ['-utf8'] : [];
    await openssl(['req', '-new', '-key', keyPath, '-subj', subject, ...utf8, '-out', csrPath, '-config', reqConfig]);

    const ext: string[] = ['[ ext ]'];
    ext.push(`basicConstraints = critical, ${o.ca ? `CA:TRUE${o.pathLen !== undefined ? `, pathlen:${o.pathLen}` : ''}` : 'CA:FALSE'}`);
    const ku = o.keyUsage === undefined ? defaultKeyUsage(o, keyType) : o.keyUsage;
    if (ku && ku.length) ext.push(`keyUsage = critical, ${ku.join(', ')}`);
    const eku = o.eku === undefined ? (o.ca ? null : ['emailProtection']) : o.eku;
    if (eku && eku.length) ext.push(`extendedKeyUsage = ${eku.join(', ')}`);
    ext.push('subjectKeyIdentifier = hash');
    ext.push(selfSigned ? 'authorityKeyIdentifier = keyid' : 'authorityKeyIdentifier = keyid:always');
    if (emails.length) ext.push(`subjectAltName = ${emails.map((e) => `email:${e}`).join(', ')}`);
    if (o.extraExt) ext.push(o.extraExt);
    writeFileSync(extPath, ext.join('\n') + '\n');

    // Self-signed certs get a database of their own (they are their own issuer); the serial is read back.
    let db: CaDb;
    let provisional: IssuedCert | undefined;
    if (selfSigned) {
      provisional = { name: o.name, serial: `SS${fileCounter}`, keyType } as IssuedCert;
      db = dbFor(provisional);
    } else {
      db = dbFor(issuer!);
    }
    const issuerKeyType = selfSigned ? keyType : issuer!.keyType;
    const md = issuerKeyType === 'ed25519' ? [] : ['-md', o.md ?? 'sha256'];
    const args = [
      'ca', '-batch', '-notext', '-config', db.config, '-in', csrPath, '-out', certPath,
      '-startdate', opensslTime(start), '-enddate', opensslTime(end),
      '-extfile', extPath, '-extensions', 'ext', '-preserveDN', ...md,
    ];
    if (selfSigned) args.push('-selfsign', '-keyfile', keyPath);
    else args.push('-cert', issuer!.certPath, '-keyfile', issuer!.keyPath);
    await openssl(args);

    const certPem = readFileSync(certPath, 'utf8');
    const certDer = pemToDer(certPem);
    const certDerPath = join(certsDir, `${base}.der`);
    writeFileSync(certDerPath, certDer);
    const serialOut = (await openssl(['x509', '-in', certPath, '-noout', '-serial'])).toString().trim();
    const serial = serialOut.replace(/^serial=/, '').toUpperCase();
    const chain: IssuedCert[] = issuer ? [issuer, ...issuer.chain] : [];
    const chainPaths = chain.filter((c) => !c.selfSigned).map((c) => c.certPath);
    const chainBundlePath = join(certsDir, `${base}.chain.pem`);
    writeFileSync(chainBundlePath, chainPaths.map((p) => readFileSync(p, 'utf8')).join(''));

    const cert: IssuedCert = {
      name: o.name,
      emails,
      keyType,
      serial,
      certPem,
      certDer,
      keyPem,
      certPath,
      keyPath,
      certDerPath,
      isCA: o.ca === true,
      selfSigned,
      issuer,
      chain,
      chainPaths,
      chainBundlePath,
      dir,
      async makeP12(password, p12opts = {}) {
        const out = join(certsDir, `${base}${p12opts.legacy ? '.legacy' : ''}.p12`);
        const a = ['pkcs12', '-export', '-inkey', keyPath, '-in', certPath, '-passout', `pass:${password}`, '-out', out];
        if (chainPaths.length) a.push('-certfile', chainBundlePath);
        a.push('-name', p12opts.friendlyName ?? o.name);
        // 3DES + SHA-1 MAC is what many older exports use and needs no legacy provider (RC2 would).
        if (p12opts.legacy) a.push('-certpbe', 'PBE-SHA1-3DES', '-keypbe', 'PBE-SHA1-3DES', '-macalg', 'sha1');
        await openssl(a);
        return out;
      },
    };
    if (selfSigned && provisional) {
      // Re-key the self-signed database under the real cert, so it can issue and revoke.
      caDbs.delete(provisional);
      caDbs.set(cert, db);
    }
    if (issuer) issuedBy.set(cert, issuer);
    else issuedBy.set(cert, cert);
    return cert;
  }

  function resolveIssuer(i: 'root' | 'intermediate' | IssuedCert | undefined): IssuedCert {
    return i === undefined || i === 'intermediate' ? pki.intermediate : i === 'root' ? pki.root : i;
  }

  const pki: Pki = {
    dir,
    keySpace,
    root: undefined as unknown as IssuedCert,
    intermediate: undefined as unknown as IssuedCert,
    issue: (o) => issue(o),
    async revoke(cert, ro = {}) {
      const ca = issuedBy.get(cert);
      if (!ca) throw new Error(`${cert.name} was not issued by this Pki`);
      const db = dbFor(ca);
      await openssl([
        'ca', '-config', db.config, '-revoke', cert.certPath, '-cert', ca.certPath, '-keyfile', ca.keyPath,
        '-crl_reason', ro.reason ?? 'keyCompromise',
      ]);
      if (ro.at) {
        // openssl ca stamps "now"; set the revocation date in the database so CRLs are deterministic.
        const idx = join(db.dir, 'index.txt');
        const lines = readFileSync(idx, 'utf8').split('\n');
        const serial = cert.serial.replace(/^0+/, '');
        const fixed = lines.map((l) => {
          const f = l.split('\t');
          if (f[0] !== 'R' || f[3].replace(/^0+/, '').toUpperCase() !== serial) return l;
          const [, reasonPart] = f[2].split(',');
          f[2] = indexTime(ro.at!) + (reasonPart ? ',' + reasonPart : '');
          return f.join('\t');
        });
        writeFileSync(idx, fixed.join('\n'));
      }
    },
    async crl(co = {}) {
      const ca = resolveIssuer(co.issuer);
      const db = dbFor(ca);
      const thisUpdate = co.thisUpdate ?? new Date(Date.UTC(2024, 0, 1));
      const nextUpdate = co.nextUpdate ?? new Date(Date.UTC(2039, 0, 1));
      const n = ++fileCounter;
      const pemPath = join(dir, `crl-${String(n).padStart(3, '0')}-${slug(ca.name)}.pem`);
      const derPath = pemPath.replace(/\.pem$/, '.der');
      const md = ca.keyType === 'ed25519' ? [] : ['-md', 'sha256'];
      await openssl([
        'ca', '-gencrl', '-config', db.config, '-cert', ca.certPath, '-keyfile', ca.keyPath, '-out', pemPath,
        '-crl_lastupdate', opensslTime(thisUpdate), '-crl_nextupdate', opensslTime(nextUpdate), ...md,
      ]);
      await openssl(['crl', '-in', pemPath, '-outform', 'DER', '-out', derPath]);
      return { pemPath, derPath, der: readFileSync(derPath) };
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };

  const rootKey = opts.keyType ?? 'rsa2048';
  pki.root = await issue({
    name: 'Fixture Root CA',
    ca: true,
    selfSigned: true,
    keyType: rootKey,
    start: DEFAULT_VALIDITY.root.start,
    end: DEFAULT_VALIDITY.root.end,
  });
  pki.intermediate = await issue({ name: 'Fixture Intermediate CA', ca: true, pathLen: 0, keyType: rootKey }, pki.root);
  if (ownsDir) process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return pki;
}

// ---------------------------------------------------------------------------------------------------------------
// CMS / S/MIME with openssl cms

let outCounter = 0;
function outPath(dir: string, stem: string, ext: string): string {
  const d = join(dir, 'out');
  mkdirSync(d, { recursive: true });
  return join(d, `${String(++outCounter).padStart(4, '0')}-${stem}.${ext}`);
}

export interface SignOptions {
  /** The MIME entity to sign (with its own Content-Type header), or a file holding it. */
  content?: string | Uint8Array;
  inFile?: string;
  signer: IssuedCert;
  /** Certificates to include besides the signer's (default: the signer's intermediates). [] = only the signer's. */
  chain?: Array<IssuedCert | string>;
  /** Further signers (each adds a SignerInfo). */
  extraSigners?: IssuedCert[];
  /** application/pkcs7-mime signed-data (content inside) instead of multipart/signed. */
  opaque?: boolean;
  md?: Digest;
  /** RSASSA-PSS instead of PKCS#1 v1.5 (RSA signers only). */
  pss?: boolean;
  /** No signed attributes. */
  noattr?: boolean;
  /** Sign the bytes as they are (no CRLF canonicalisation). */
  binary?: boolean;
  /** Include no certificates at all. */
  nocerts?: boolean;
  /** Top-level message fields to prepend (From, To, …); false = just OpenSSL's output. Default: From = signer's email. */
  headers?: HeaderFields | false;
  /** 'smime' (default): a complete message; 'der' / 'pem': the bare CMS ContentInfo. */
  outform?: 'smime' | 'der' | 'pem';
  /**
   * An explicit signingTime attribute (old messages). `openssl cms -sign` always stamps "now", so this builds the
   * SignedData by hand (as for Ed25519) and signs with `openssl dgst -sign` / `pkeyutl`. One signer, no PSS.
   */
  signingTime?: Date;
  /** Further `openssl cms -sign` options as they are: -stream, -keyid, -nosmimecap, … */
  opensslArgs?: string[];
}

function crlfAll(b: Buffer): Buffer {
  return Buffer.from(b.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
}

export interface MessageFile {
  bytes: Buffer;
  path: string;
  /** Ed25519 fixtures only: the signed bytes and the signature, for opensslCheckEd25519. */
  ed25519?: { tbsPath: string; sigPath: string };
}

function certPathOf(c: IssuedCert | string): string {
  return typeof c === 'string' ? c : c.certPath;
}

function inputFile(dir: string, o: { content?: string | Uint8Array; inFile?: string }, stem: string): string {
  if (o.inFile) return o.inFile;
  if (o.content === undefined) throw new Error('content or inFile is required');
  const p = outPath(dir, stem, 'in');
  writeFileSync(p, typeof o.content === 'string' ? Buffer.from(o.content, 'utf8') : o.content);
  return p;
}

/** `openssl cms -sign` → a complete S/MIME message (CRLF line ends), written to a file in the signer's Pki dir. */
export async function smimeSign(o: SignOptions): Promise<MessageFile> {
  const dir = o.signer.dir;
  const signersAll = [o.signer, ...(o.extraSigners ?? [])];
  if (signersAll.some((s) => s.keyType === 'ed25519') || o.signingTime) return handSign(o);
  const inPath = inputFile(dir, o, 'sign');
  const outform = o.outform ?? 'smime';
  const out = outPath(dir, 'signed', outform === 'smime' ? 'eml' : outform);
  const args = ['cms', '-sign', '-in', inPath, '-out', out, '-outform', outform.toUpperCase(), '-md', o.md ?? 'sha256'];
  const signers = [o.signer, ...(o.extraSigners ?? [])];
  for (const s of signers) {
    args.push('-signer', s.certPath, '-inkey', s.keyPath);
    if (o.pss) args.push('-keyopt', 'rsa_padding_mode:pss');
  }
  if (outform === 'smime') args.push('-crlfeol');
  if (o.opaque) args.push('-nodetach');
  if (o.noattr) args.push('-noattr');
  if (o.binary) args.push('-binary');
  if (o.nocerts) args.push('-nocerts');
  if (o.opensslArgs) args.push(...o.opensslArgs);
  const chain = o.chain ?? o.signer.chainPaths;
  if (!o.nocerts && chain.length) {
    const bundle = outPath(dir, 'certfile', 'pem');
    writeFileSync(bundle, chain.map((c) => readFileSync(certPathOf(c), 'utf8')).join(''));
    args.push('-certfile', bundle);
  }
  await openssl(args);
  let bytes: Buffer = readFileSync(out);
  // -crlfeol covers the MIME structure but OpenSSL still ends base64 lines with LF: make the whole message CRLF,
  // as on the wire. Not with -binary, whose content may hold bare LFs on purpose (the signature covers them).
  if (outform === 'smime' && !o.binary) bytes = crlfAll(bytes);
  if (outform === 'smime' && o.headers !== false) {
    const h = o.headers ?? { from: o.signer.emails[0] ?? 'nobody@example.test', to: 'bob@example.test', subject: 'Signed fixture' };
    bytes = Buffer.concat([Buffer.from(headerBlock(h), 'utf8'), bytes]);
    writeFileSync(out, bytes);
  }
  return { bytes, path: out };
}

export type ContentCipher = 'aes-128-cbc' | 'aes-192-cbc' | 'aes-256-cbc' | 'aes-128-gcm' | 'aes-256-gcm' | 'des-ede3-cbc';

export interface EncryptOptions {
  content?: string | Uint8Array;
  inFile?: string;
  recipients: Array<IssuedCert | { cert: IssuedCert; oaep?: boolean; oaepDigest?: Digest }>;
  cipher?: ContentCipher;
  headers?: HeaderFields | false;
  outform?: 'smime' | 'der' | 'pem';
  binary?: boolean;
}

/** `openssl cms -encrypt` → EnvelopedData (CBC) or AuthEnvelopedData (GCM) as a complete message. */
export async function smimeEncrypt(o: EncryptOptions): Promise<MessageFile> {
  const first = o.recipients[0];
  if (!first) throw new Error('at least one recipient');
  const dir = ('cert' in first ? first.cert : first).dir;
  const inPath = inputFile(dir, o, 'encrypt');
  const outform = o.outform ?? 'smime';
  const out = outPath(dir, 'encrypted', outform === 'smime' ? 'eml' : outform);
  const args = ['cms', '-encrypt', '-in', inPath, '-out', out, '-outform', outform.toUpperCase(), `-${o.cipher ?? 'aes-256-cbc'}`];
  if (outform === 'smime') args.push('-crlfeol');
  if (o.binary) args.push('-binary');
  for (const r of o.recipients) {
    const cert = 'cert' in r ? r.cert : r;
    args.push('-recip', cert.certPath);
    if ('cert' in r && r.oaep) {
      args.push('-keyopt', 'rsa_padding_mode:oaep');
      if (r.oaepDigest) args.push('-keyopt', `rsa_oaep_md:${r.oaepDigest}`, '-keyopt', `rsa_mgf1_md:${r.oaepDigest}`);
    }
  }
  await openssl(args);
  let bytes: Buffer = readFileSync(out);
  if (outform === 'smime') bytes = crlfAll(bytes);
  if (outform === 'smime' && o.headers !== false) {
    const h = o.headers ?? { from: 'alice@example.test', to: first && ('cert' in first ? first.cert : first).emails[0], subject: 'Encrypted fixture' };
    bytes = Buffer.concat([Buffer.from(headerBlock(h), 'utf8'), bytes]);
    writeFileSync(out, bytes);
  }
  return { bytes, path: out };
}

export interface OpensslVerifyOptions {
  CAfile?: string;
  /** Untrusted intermediates offered besides those in the message. */
  certfile?: string;
  crl?: string;
  /** Verify the chain at this time (-attime). */
  attime?: Date;
  /** Check the signature only (-noverify). */
  noverify?: boolean;
  inform?: 'smime' | 'der' | 'pem';
  /** Detached content for a bare (DER/PEM) detached signature. */
  contentFile?: string;
  binary?: boolean;
  /** Default 'any': OpenSSL's smimesign purpose check is stricter than what our tests mean to compare. */
  purpose?: string;
}

/** `openssl cms -verify`: ok when OpenSSL says "Verification successful"; content = the verified content. */
export async function opensslVerify(
  messagePath: string,
  o: OpensslVerifyOptions = {},
): Promise<{ ok: boolean; stderr: string; content: Buffer }> {
  const args = ['cms', '-verify', '-in', messagePath, '-inform', (o.inform ?? 'smime').toUpperCase()];
  // OpenSSL 3.0's `cms -verify` has neither -untrusted (-certfile only helps find the signer, not build the
  // chain) nor -CRLfile. Its CAfile lookup loads certificates AND CRLs, and only a self-signed certificate
  // ends a chain as an anchor (no partial_chain), so extra intermediates and CRLs go into a CAfile bundle.
  if (o.certfile || o.crl) {
    if (!o.CAfile) throw new Error('certfile/crl need CAfile');
    const bundle = `${messagePath}.${++outCounter}.ca-bundle.pem`;
    writeFileSync(
      bundle,
      readFileSync(o.CAfile, 'utf8') +
        (o.certfile ? readFileSync(o.certfile, 'utf8') : '') +
        (o.crl ? await crlPem(o.crl) : ''),
    );
    args.push('-CAfile', bundle);
    if (o.crl) args.push('-crl_check');
  } else if (o.CAfile) args.push('-CAfile', o.CAfile);
  else args.push('-no-CAfile', '-no-CApath', '-no-CAstore');
  if (o.attime) args.push('-attime', String(Math.floor(o.attime.getTime() / 1000)));
  if (o.noverify) args.push('-noverify');
  if (o.contentFile) args.push('-content', o.contentFile);
  if (o.binary) args.push('-binary');
  if (o.purpose) args.push('-purpose', o.purpose);
  const r = await runOpenssl(args);
  return { ok: r.code === 0 && /Verification successful/.test(r.stderr), stderr: r.stderr, content: r.stdout };
}

async function crlPem(path: string): Promise<string> {
  const raw = readFileSync(path);
  if (raw.toString('latin1').includes('-----BEGIN X509 CRL-----')) return raw.toString('latin1');
  return (await openssl(['crl', '-inform', 'DER', '-in', path])).toString('latin1');
}

/** `openssl cms -decrypt` with the recipient's certificate and key. */
export async function opensslDecrypt(
  messagePath: string,
  o: { recipient: IssuedCert; inform?: 'smime' | 'der' | 'pem' },
): Promise<{ ok: boolean; stderr: string; content: Buffer }> {
  const r = await runOpenssl([
    'cms', '-decrypt', '-in', messagePath, '-inform', (o.inform ?? 'smime').toUpperCase(),
    '-recip', o.recipient.certPath, '-inkey', o.recipient.keyPath,
  ]);
  return { ok: r.code === 0, stderr: r.stderr, content: r.stdout };
}

// ---------------------------------------------------------------------------------------------------------------
// Hand-built SignedData, for what `openssl cms -sign` 3.0 cannot make: Ed25519 signers (RFC 8419; it fails with
// "eddsa_digest_signverify_init: invalid digest", and `cms -verify` cannot check them either) and an explicit
// signingTime. OpenSSL still makes every signature and digest (`pkeyutl -rawin`, `dgst -sign`); only the DER is
// assembled here (not with pkijs, which our implementation uses: the fixture stays independent of it).

function derLen(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLen(body.length), body]);
}
function derOid(oid: string): Buffer {
  const parts = oid.split('.').map(Number);
  const out: number[] = [parts[0] * 40 + parts[1]];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
/** DER SET OF: elements sorted by their encodings (X.690 11.6). */
function derSetOf(items: Buffer[]): Buffer {
  return tlv(0x31, ...[...items].sort(Buffer.compare));
}
/** The TLVs directly inside a constructed DER value. */
function derChildren(der: Buffer): Buffer[] {
  const hdr = (b: Buffer, off: number) => {
    const l = b[off + 1];
    if (l < 0x80) return { len: l, h: 2 };
    let len = 0;
    for (let i = 0; i < (l & 0x7f); i++) len = len * 256 + b[off + 2 + i];
    return { len, h: 2 + (l & 0x7f) };
  };
  const outer = hdr(der, 0);
  const out: Buffer[] = [];
  for (let off = outer.h; off < outer.h + outer.len; ) {
    const { len, h } = hdr(der, off);
    out.push(der.subarray(off, off + h + len));
    off += h + len;
  }
  return out;
}
/** IssuerAndSerialNumber of a certificate, taken byte-exact from its TBSCertificate. */
function issuerAndSerial(certDer: Buffer): Buffer {
  const tbs = derChildren(derChildren(certDer)[0]);
  const i = tbs[0][0] === 0xa0 ? 1 : 0; // [0] version present
  return tlv(0x30, tbs[i + 2], tbs[i]); // issuer Name, serialNumber
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  sha512: '2.16.840.1.101.3.4.2.3',
  ed25519: '1.3.101.112',
};

const DIGEST_OID: Record<Digest, string> = {
  md5: '1.2.840.113549.2.5',
  sha1: '1.3.14.3.2.26',
  sha224: '2.16.840.1.101.3.4.2.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: OID.sha512,
};
const ECDSA_WITH: Partial<Record<Digest, string>> = {
  sha1: '1.2.840.10045.4.1',
  sha224: '1.2.840.10045.4.3.1',
  sha256: '1.2.840.10045.4.3.2',
  sha384: '1.2.840.10045.4.3.3',
  sha512: '1.2.840.10045.4.3.4',
};

async function handSign(o: SignOptions): Promise<MessageFile> {
  const kt = o.signer.keyType;
  const md: Digest = o.md ?? (kt === 'ed25519' ? 'sha512' : 'sha256');
  if (o.extraSigners?.length || o.pss || (kt === 'ed25519' && md !== 'sha512')) {
    throw new Error('hand-built SignedData: one signer, no PSS; Ed25519 with SHA-512 (RFC 8419)');
  }
  const dir = o.signer.dir;
  let content: Buffer = o.inFile ? readFileSync(o.inFile) : Buffer.from(o.content ?? '');
  if (!o.binary) content = crlfAll(content); // the canonical form `cms -sign` signs too
  const digest = await openssl(['dgst', `-${md}`, '-binary'], { input: content });
  const when = o.signingTime ?? new Date();
  const time = tlv(when.getUTCFullYear() < 2050 ? 0x17 : 0x18, Buffer.from(indexTime(when), 'latin1'));
  const attrs = [
    tlv(0x30, derOid(OID.contentType), derSetOf([derOid(OID.data)])),
    tlv(0x30, derOid(OID.signingTime), derSetOf([time])),
    tlv(0x30, derOid(OID.messageDigest), derSetOf([tlv(0x04, digest)])),
  ];
  const signedAttrsSet = derSetOf(attrs); // what is signed: the SET OF (tag 0x31)
  const tbsPath = outPath(dir, 'hand-tbs', 'bin');
  writeFileSync(tbsPath, o.noattr ? content : signedAttrsSet);
  const sig =
    kt === 'ed25519'
      ? await openssl(['pkeyutl', '-sign', '-rawin', '-inkey', o.signer.keyPath, '-in', tbsPath])
      : await openssl(['dgst', `-${md}`, '-sign', o.signer.keyPath, tbsPath]);
  const sigPath = outPath(dir, 'hand-sig', 'bin');
  writeFileSync(sigPath, sig);
  const nullParam = Buffer.from([0x05, 0x00]);
  const rsa = kt.startsWith('rsa');
  const digestAlg = tlv(0x30, derOid(DIGEST_OID[md]), ...(rsa ? [nullParam] : []));
  const sigAlg =
    kt === 'ed25519'
      ? tlv(0x30, derOid(OID.ed25519))
      : rsa
        ? tlv(0x30, derOid('1.2.840.113549.1.1.1'), nullParam)
        : tlv(0x30, derOid(ECDSA_WITH[md] ?? '1.2.840.10045.4.3.2'));
  const signerInfo = tlv(
    0x30,
    tlv(0x02, Buffer.from([1])),
    issuerAndSerial(o.signer.certDer),
    digestAlg,
    ...(o.noattr ? [] : [Buffer.concat([Buffer.from([0xa0]), signedAttrsSet.subarray(1)])]), // [0] IMPLICIT
    sigAlg,
    tlv(0x04, sig),
  );
  const chain = o.chain ?? o.signer.chainPaths;
  const certs = o.nocerts
    ? []
    : [o.signer.certDer, ...chain.map((c) => (typeof c === 'string' ? pemToDer(readFileSync(c, 'utf8')) : c.certDer))];
  const encap = o.opaque ? tlv(0x30, derOid(OID.data), tlv(0xa0, tlv(0x04, content))) : tlv(0x30, derOid(OID.data));
  const signedData = tlv(
    0x30,
    tlv(0x02, Buffer.from([1])),
    derSetOf([digestAlg]),
    encap,
    ...(certs.length ? [tlv(0xa0, ...certs)] : []),
    derSetOf([signerInfo]),
  );
  const der = tlv(0x30, derOid(OID.signedData), tlv(0xa0, signedData));
  const outform = o.outform ?? 'smime';
  const out = outPath(dir, 'signed-hand', outform === 'smime' ? 'eml' : outform);
  const b64 = (b: Buffer) => (b.toString('base64').match(/.{1,64}/g) ?? []).join('\r\n') + '\r\n';
  let bytes: Buffer;
  if (outform === 'der') bytes = der;
  else if (outform === 'pem') bytes = Buffer.from(`-----BEGIN CMS-----\r\n${b64(der)}-----END CMS-----\r\n`);
  else {
    const boundary = '----HANDSIGNEDFIXTUREBOUNDARY';
    const mime = o.opaque
      ? 'MIME-Version: 1.0\r\nContent-Disposition: attachment; filename="smime.p7m"\r\n' +
        'Content-Type: application/pkcs7-mime; smime-type=signed-data; name="smime.p7m"\r\n' +
        `Content-Transfer-Encoding: base64\r\n\r\n${b64(der)}`
      : 'MIME-Version: 1.0\r\n' +
        `Content-Type: multipart/signed; protocol="application/pkcs7-signature"; micalg="${md === 'md5' ? 'md5' : md.replace(/^sha/, 'sha-')}"; boundary="${boundary}"\r\n\r\n` +
        `This is an S/MIME signed message\r\n\r\n--${boundary}\r\n`;
    const tail = o.opaque
      ? ''
      : `\r\n--${boundary}\r\nContent-Type: application/pkcs7-signature; name="smime.p7s"\r\n` +
        'Content-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename="smime.p7s"\r\n\r\n' +
        `${b64(der)}\r\n--${boundary}--\r\n\r\n`;
    bytes = Buffer.concat([Buffer.from(mime, 'latin1'), o.opaque ? Buffer.alloc(0) : content, Buffer.from(tail, 'latin1')]);
    if (o.headers !== false) {
      const h = o.headers ?? { from: o.signer.emails[0] ?? 'nobody@example.test', to: 'bob@example.test', subject: 'Signed fixture' };
      bytes = Buffer.concat([Buffer.from(headerBlock(h), 'utf8'), bytes]);
    }
  }
  writeFileSync(out, bytes);
  return { bytes, path: out, ...(kt === 'ed25519' ? { ed25519: { tbsPath, sigPath } } : {}) };
}

/**
 * OpenSSL 3.0 cannot verify Ed25519 SignedData either; check what it can: the signature over the signed
 * attributes (or content) with `pkeyutl -verify -rawin`, and that `cms -cmsout` parses the structure.
 */
export async function opensslCheckEd25519(m: MessageFile, signer: IssuedCert): Promise<{ ok: boolean; stderr: string }> {
  if (!m.ed25519) throw new Error('not an Ed25519 fixture');
  const r = await runOpenssl([
    'pkeyutl', '-verify', '-rawin', '-certin', '-inkey', signer.certPath, '-in', m.ed25519.tbsPath, '-sigfile', m.ed25519.sigPath,
  ]);
  const p = await runOpenssl(['cms', '-cmsout', '-print', '-in', m.path]);
  return {
    ok: r.code === 0 && /Signature Verified Successfully/.test(r.stdout.toString()) && p.code === 0 && /ED25519/i.test(p.stdout.toString()),
    stderr: r.stderr + p.stderr,
  };
}

/** True when a file exists (small helper for tests that look at outputs). */
export const fileExists = existsSync;

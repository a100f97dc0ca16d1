#!/usr/bin/env node
// Generates src/trust/roots/mozilla-email-roots.ts: the roots Mozilla trusts for e-mail (S/MIME trust flag 'C'
// in NSS' builtin token, what Thunderbird trusts by default), extracted offline from Debian's NSS.
//
//   node scripts/gen-roots.mjs            # needs certutil + modutil (libnss3-tools) and libnss3's libnssckbi.so
//
// Steps (as issue 6 describes): an empty NSS database, `modutil -add roots -libfile …/libnssckbi.so`,
// `certutil -L -h "Builtin Object Token"` for the trust flags, `certutil -L -n NAME -a` for each certificate.
// Roots already expired at generation time are left out. NSS' per-root "e-mail distrust after" dates
// (CKA_NSS_EMAIL_DISTRUST_AFTER) are not visible through certutil: scripts/nss-distrust.py reads them from the
// same libnssckbi.so over PKCS#11 (python3 ctypes), and each root that has one records it as emailDistrustAfter.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'src', 'trust', 'roots', 'mozilla-email-roots.ts');
const TOKEN = 'Builtin Object Token';

function run(cmd, args, input) {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

function findCkbi() {
  try {
    const files = run('dpkg', ['-L', 'libnss3']).split('\n');
    const hit = files.find((f) => f.endsWith('/libnssckbi.so'));
    if (hit) return hit;
  } catch {
    /* not Debian: fall through to the usual path */
  }
  const guess = '/usr/lib/x86_64-linux-gnu/libnssckbi.so';
  if (existsSync(guess)) return guess;
  throw new Error('libnssckbi.so not found (install libnss3)');
}

function nssPackageVersion() {
  try {
    return run('dpkg-query', ['-W', '-f', '${Version}', 'libnss3']).trim();
  } catch {
    return 'unknown';
  }
}

/** NSS stores a distrust-after date as the 13 ASCII bytes of a UTCTime (YYMMDDHHMMSSZ; RFC 5280 years). */
function utcTimeToIso(t) {
  const m = /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(t);
  if (!m) throw new Error(`unexpected distrust-after value ${JSON.stringify(t)}`);
  const yy = Number(m[1]);
  return new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))).toISOString();
}

const ckbi = findCkbi();
// { sha256 hex lower-case: { email: UTCTime | null, server: UTCTime | null } } for every certificate in the module.
const distrust = JSON.parse(run('python3', [join(ROOT, 'scripts', 'nss-distrust.py'), ckbi]));
const db = mkdtempSync(join(tmpdir(), 'nssdb-'));
try {
  const dbArg = `sql:${db}`;
  run('certutil', ['-N', '--empty-password', '-d', dbArg]);
  run('modutil', ['-force', '-add', 'roots', '-libfile', ckbi, '-dbdir', dbArg], '\n');
  const modInfo = run('modutil', ['-list', 'roots', '-dbdir', dbArg]);
  const builtinsVersion = /Library Version:\s*(\S+)/.exec(modInfo)?.[1] ?? 'unknown';

  // "Builtin Object Token:NAME<spaces>SSL,S/MIME,JAR" — the name can run into the flags column.
  const listing = run('certutil', ['-L', '-d', dbArg, '-h', TOKEN]);
  const entries = [];
  for (const line of listing.split('\n')) {
    const m = /^(Builtin Object Token:.*?)\s+([A-Za-z]*),([A-Za-z]*),([A-Za-z]*)\s*$/.exec(line);
    if (!m) continue;
    entries.push({ nick: m[1], ssl: m[2], smime: m[3], code: m[4] });
  }
  const email = entries.filter((e) => e.smime.includes('C'));
  const now = new Date();
  const roots = [];
  const expired = [];
  const seen = new Set();
  for (const e of email) {
    const pem = run('certutil', ['-L', '-d', dbArg, '-n', e.nick, '-a']);
    const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    for (const block of blocks) {
      const x = new X509Certificate(block);
      if (seen.has(x.fingerprint256)) continue;
      seen.add(x.fingerprint256);
      const name = e.nick.slice(TOKEN.length + 1);
      if (new Date(x.validTo) <= now) {
        expired.push(name);
        continue;
      }
      const dates = distrust[x.fingerprint256.replace(/:/g, '').toLowerCase()];
      if (!dates) throw new Error(`${name}: not found by nss-distrust.py in ${ckbi}`);
      roots.push({
        name,
        sha256: x.fingerprint256,
        notAfter: new Date(x.validTo).toISOString(),
        der: x.raw.toString('base64'),
        ...(dates.email ? { emailDistrustAfter: utcTimeToIso(dates.email) } : {}),
      });
    }
  }
  roots.sort((a, b) => a.name.localeCompare(b.name) || a.sha256.localeCompare(b.sha256));

  const meta = {
    source: `NSS builtin roots (${ckbi}), trust flag S/MIME 'C'`,
    nssPackage: `libnss3 ${nssPackageVersion()}`,
    builtinsVersion,
    generatedAt: now.toISOString(),
    emailTrusted: email.length,
    excludedExpired: expired,
    count: roots.length,
    withEmailDistrustAfter: roots.filter((r) => r.emailDistrustAfter).length,
  };
  const body = [
    '// GENERATED by scripts/gen-roots.mjs — do not edit by hand; re-run the script to refresh.',
    '// The roots Mozilla trusts for e-mail (S/MIME trust flag C in NSS builtins), expired ones left out.',
    "import type { BundledRoot, BundledRootsMeta } from './types';",
    '',
    `export const MOZILLA_EMAIL_ROOTS_META: BundledRootsMeta = ${JSON.stringify(meta, null, 2)};`,
    '',
    'export const MOZILLA_EMAIL_ROOTS: BundledRoot[] = [',
    ...roots.map(
      (r) =>
        `  { name: ${JSON.stringify(r.name)}, sha256: ${JSON.stringify(r.sha256)}, notAfter: ${JSON.stringify(r.notAfter)},` +
          (r.emailDistrustAfter ? ` emailDistrustAfter: ${JSON.stringify(r.emailDistrustAfter)},` : '') +
          `\n    der: ${JSON.stringify(r.der)} },`,
    ),
    '];',
    '',
  ].join('\n');
  writeFileSync(OUT, body);
  console.log(
    `gen-roots: ${email.length} e-mail trusted roots in NSS builtins ${builtinsVersion} (${meta.nssPackage}); ` +
      `${expired.length} expired left out; wrote ${roots.length} to ${OUT} (${meta.withEmailDistrustAfter} with an e-mail distrust-after date)`,
  );
} finally {
  rmSync(db, { recursive: true, force: true });
}

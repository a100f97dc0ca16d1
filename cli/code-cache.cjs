/**
 * Build step for the CLI (cli/webpack.part.cjs): write V8's code cache for the bundle (cli/loader.cjs reads it).
 *
 * The cache holds what one run compiled, so it is made by a real run: OpenSSL makes a throw-away CA, a signer and a
 * signed message in a temp dir, and the freshly built CLI verifies it with SMIME_ADDIN_WRITE_CODE_CACHE=1. Verify is
 * the command worth it (issue 2 measures it); the others still run from the cache for the code they share.
 * Without OpenSSL, or when anything fails, there is no cache and the CLI compiles at start as before (a warning).
 */
const { spawnSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

function run(cmd, args, { anyStatus = false, ...opts } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  if (r.error) throw r.error;
  if (r.status !== 0 && !anyStatus) throw new Error(`${cmd} ${args[0]}: exit ${r.status}: ${(r.stderr || '').trim().slice(0, 300)}`);
  return r;
}

/** Returns undefined on success, else why there is no cache. */
function writeCodeCache(outDir) {
  const loader = path.join(outDir, 'smime-addin.cjs');
  const cacheFile = path.join(outDir, 'smime-addin.main.cjs.v8cache');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smime-addin-code-cache-'));
  try {
    const f = (n) => path.join(dir, n);
    run('openssl', ['version']);
    fs.writeFileSync(
      f('ext.cnf'),
      [
        '[ca]',
        'basicConstraints = critical, CA:TRUE',
        'keyUsage = critical, keyCertSign, cRLSign',
        'subjectKeyIdentifier = hash',
        '[leaf]',
        'basicConstraints = CA:FALSE',
        'keyUsage = critical, digitalSignature, keyEncipherment',
        'extendedKeyUsage = emailProtection',
        'subjectAltName = email:cache@example.org',
        'subjectKeyIdentifier = hash',
        'authorityKeyIdentifier = keyid',
        '',
      ].join('\n'),
    );
    run('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.csr'), '-subj', '/O=Build/CN=Code Cache CA']);
    run('openssl', ['x509', '-req', '-in', f('ca.csr'), '-key', f('ca.key'), '-set_serial', '1', '-days', '2', '-extfile', f('ext.cnf'), '-extensions', 'ca', '-out', f('ca.pem')]);
    run('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('a.key'), '-out', f('a.csr'), '-subj', '/O=Build/CN=Code Cache']);
    run('openssl', ['x509', '-req', '-in', f('a.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-set_serial', '2', '-days', '2', '-extfile', f('ext.cnf'), '-extensions', 'leaf', '-out', f('a.pem')]);
    const body = ['Content-Type: text/plain; charset=utf-8', '', 'Warming the code cache.', ''].join('\r\n');
    fs.writeFileSync(f('body.txt'), body);
    run('openssl', ['cms', '-sign', '-in', f('body.txt'), '-signer', f('a.pem'), '-inkey', f('a.key'), '-certfile', f('ca.pem'), '-from', 'cache@example.org', '-to', 'bob@example.org', '-subject', 'cache', '-out', f('msg.eml')]);
    // A plain environment: V8 refuses a cache made under other flags (NODE_OPTIONS could add some).
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, SMIME_ADDIN_WRITE_CODE_CACHE: '1' };
    const r = run(process.execPath, [loader, 'verify', f('msg.eml'), '--anchor', f('ca.pem'), '--json'], { env, anyStatus: true });
    if (!/"verdict":"trusted"/.test(r.stdout)) return `the warm-up verify did not say trusted (exit ${r.status}): ${(r.stderr || r.stdout).trim().slice(0, 300)}`;
    if (!fs.existsSync(cacheFile)) return 'the warm-up run wrote no cache';
    return undefined;
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = { writeCodeCache };

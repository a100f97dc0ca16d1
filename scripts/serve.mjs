// `npm start`: serves the Outlook add-in's demo build (dist/outlook-playground: the add-in plus the playground,
// `npm run build:playground`) on https://localhost:3000 and prints how to sideload it. SERVE_DIR=dist/outlook
// serves the production build instead (no playground, no sample messages, no demo key). TLS comes from
// office-addin-dev-certs (a development CA it installs into the system's trust store); when that cannot be done
// (offline, no sudo, no desktop trust store) it falls back to a self-signed certificate made with openssl and
// says so — the browser must then be told to trust it once.
//
// Options (environment): PORT (default 3000), HOST (default localhost), SERVE_DIR (default dist/outlook-playground).
// The static handler is exported for the tests, which serve the same files over plain HTTP on 127.0.0.1.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { homedir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.xml': 'application/xml; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.eml': 'message/rfc822',
  '.pem': 'application/x-pem-file',
  '.p12': 'application/x-pkcs12',
  '.txt': 'text/plain; charset=utf-8',
};

/** A request handler serving files under `root` (no directory listing, no escaping root). */
export function staticHandler(root) {
  const base = resolve(root);
  return (req, res) => {
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    } catch {
      res.writeHead(400).end('bad request');
      return;
    }
    if (pathname === '/') pathname = existsSync(join(base, 'playground.html')) ? '/playground.html' : '/support.html';
    const file = normalize(join(base, pathname));
    if (file !== base && !file.startsWith(base + sep)) {
      res.writeHead(403).end('forbidden');
      return;
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-cache',
      'referrer-policy': 'no-referrer',
    });
    res.end(readFileSync(file));
  };
}

/**
 * TLS for https://localhost. office-addin-dev-certs makes a development CA and a localhost certificate (node-forge,
 * no openssl needed) and installs the CA into the system's trust store. When the install fails (no sudo, no desktop
 * trust store) the files it made are still good: serve them and say which CA to trust once. Only when it made nothing
 * do we fall back to a self-signed certificate from openssl, and without openssl we say so in one line.
 */
async function devCertificates() {
  const firstLine = (e) => (e instanceof Error ? e.message : String(e)).split('\n')[0];
  let installError;
  try {
    const devCerts = await import('office-addin-dev-certs');
    const opts = await devCerts.getHttpsServerOptions();
    return { key: opts.key, cert: opts.cert, how: 'office-addin-dev-certs (its development CA is installed in your trust store)' };
  } catch (e) {
    installError = firstLine(e);
  }
  const made = join(homedir(), '.office-addin-dev-certs');
  if (['ca.crt', 'localhost.crt', 'localhost.key'].every((f) => existsSync(join(made, f)))) {
    return {
      key: readFileSync(join(made, 'localhost.key')),
      cert: readFileSync(join(made, 'localhost.crt')),
      how:
        `the development certificate in ${made}; its CA could not be installed (${installError}). Trust ` +
        `${join(made, 'ca.crt')} once in your browser or system, or open the URL below and accept the warning.`,
    };
  }
  const dir = join(homedir(), '.smime-addin-dev-certs');
  const key = join(dir, 'localhost.key');
  const cert = join(dir, 'localhost.crt');
  if (!existsSync(key) || !existsSync(cert)) {
    mkdirSync(dir, { recursive: true });
    try {
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '365',
        '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
        '-keyout', key, '-out', cert,
      ], { stdio: 'ignore' });
    } catch (e) {
      throw new Error(`no TLS certificate: office-addin-dev-certs failed (${installError}) and openssl could not make one (${firstLine(e)})`);
    }
  }
  return {
    key: readFileSync(key),
    cert: readFileSync(cert),
    how:
      `a self-signed certificate made with openssl (${cert}), because office-addin-dev-certs could not make ` +
      `its certificates: ${installError}. Trust it once: open the URL below in ` +
      'your browser and accept the warning, or add the certificate to your trust store.',
  };
}

function sideloadHelp(origin, playground) {
  return `
Sideload the add-in (manifest: ${join('dist', 'outlook', 'manifest.xml')}, or manifest.json for the unified manifest):
  Outlook on the web / new Outlook for Windows:
    https://aka.ms/olksideload  ->  My add-ins  ->  Custom Addins  ->  Add a custom add-in  ->  Add from File…  ->  manifest.xml
  Classic Outlook for Windows:
    Home > Get Add-ins (or File > Manage Add-ins)  ->  My add-ins  ->  Add a custom add-in  ->  From file…
    or: npx office-addin-debugging start dist/outlook/manifest.xml desktop   (registers the manifest for sideloading)
  Outlook for Mac:
    Get Add-ins  ->  My add-ins  ->  Add a custom add-in  ->  Add from file…
Then open a signed message and choose "Verify" on the ribbon (group "S/MIME").
${playground ? `Try it without Outlook: ${origin}/playground.html
This is the demo build: deploy dist/outlook (npm run build), which has no playground, samples or demo key.` : ''}
`;
}

async function main() {
  const dir = resolve(process.env.SERVE_DIR ?? join(ROOT, 'dist', 'outlook-playground'));
  if (!existsSync(join(dir, 'taskpane.html'))) {
    console.error(`serve: ${dir} has no taskpane.html; run "npm run build:playground" (or "npm run build" for dist/outlook) first.`);
    process.exit(1);
  }
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? 'localhost';
  const tls = await devCertificates();
  const server = createHttpsServer({ key: tls.key, cert: tls.cert }, staticHandler(dir));
  // A second `npm start`, or anything else on the port: one plain line, no stack trace.
  server.on('error', (e) => {
    const why =
      e.code === 'EADDRINUSE'
        ? `port ${port} on ${host} is already in use (is another "npm start" running?); stop it, or start with PORT=<another port>`
        : e.code === 'EACCES'
          ? `not allowed to listen on port ${port}; use PORT=<a port above 1023>`
          : e.message;
    console.error(`serve: ${why}`);
    process.exit(1);
  });
  server.listen(port, host, () => {
    const origin = `https://localhost${port === 443 ? '' : `:${port}`}`;
    console.log(`Serving ${dir} on ${origin}`);
    console.log(`TLS: ${tls.how}`);
    if (origin !== 'https://localhost:3000') {
      console.log('Note: the manifests name https://localhost:3000; rebuild with ADDIN_ORIGIN set to this origin.');
    }
    console.log(sideloadHelp(origin, existsSync(join(dir, 'playground.html'))));
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => {
    console.error(`serve: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}

// Builds the Outlook add-in. Two targets:
//   dist/outlook/ (config "outlook", the default): what is deployed. taskpane.html/.js (read pane),
//     compose.html/.js, commands.html/.js, support.html, verdict.css + pane.css, assets/icon-*.png, manifest.xml +
//     manifest.json (with the served origin), config.json, roots.json. No playground: its pages, sample messages and
//     demo key (bob.p12) would share the real pane's origin and storage (IndexedDB, keys, settings), and the pane's
//     playground hook (playground-link.ts) is compiled out (__SMIME_PLAYGROUND__ = false).
//   dist/outlook-playground/ (config "outlook-playground", `npm run build:playground`, i.e. webpack --env
//     playground): the same pane plus playground.html/.js, playground.css, playground-frame.js and samples/ (the
//     playground's messages, made with a test CA by OpenSSL at build time). The demo `npm start` serves; never deploy it.
//
// Settings (environment):
//   ADDIN_ORIGIN           origin the add-in is served from; default https://localhost:3000. Written into both
//                          manifests (the only place an origin appears).
//   ADDIN_GRAPH_CLIENT_ID  Entra app (client) id for Microsoft Graph through nested app authentication; unset =
//                          no Graph features (fallback fetch, sending). ADDIN_GRAPH_AUTHORITY / ADDIN_GRAPH_BASE
//                          override https://login.microsoftonline.com/common and https://graph.microsoft.com/v1.0.
//   ADDIN_SKIP_SAMPLES=1   skip making the playground samples (no openssl at hand).
const fs = require('fs');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { drawIcon, drawOutlineIcon, ICON_SIZES } = require('./build/icons.cjs');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'outlook');
const PLAYGROUND_OUT = path.join(ROOT, 'dist', 'outlook-playground');
/** Pages and styles only the playground build has. */
const PLAYGROUND_PAGES = new Set(['playground.html', 'playground.css']);
/** The part of a page between these markers is dropped from production pages. */
const PLAYGROUND_ONLY = /[ \t]*<!-- playground-only[\s\S]*?<!-- \/playground-only -->\n?/g;
const DEFAULT_ORIGIN = 'https://localhost:3000';
const OFFICE_CDN = 'https://appsforoffice.microsoft.com';

function addinOrigin(env) {
  const raw = env.ADDIN_ORIGIN || process.env.ADDIN_ORIGIN || DEFAULT_ORIGIN;
  let u;
  try {
    u = new URL(raw);
  } catch {
    throw new Error(`ADDIN_ORIGIN is not a URL: ${raw}`);
  }
  if (u.protocol !== 'https:') throw new Error(`ADDIN_ORIGIN must be https (Office loads add-ins over HTTPS only): ${raw}`);
  if (u.pathname !== '/' || u.search || u.hash) throw new Error(`ADDIN_ORIGIN must be an origin without a path: ${raw}`);
  return u.origin;
}

function graphConfig() {
  const clientId = process.env.ADDIN_GRAPH_CLIENT_ID;
  if (!clientId) return undefined;
  return {
    clientId,
    authority: process.env.ADDIN_GRAPH_AUTHORITY || 'https://login.microsoftonline.com/common',
    baseUrl: process.env.ADDIN_GRAPH_BASE || 'https://graph.microsoft.com/v1.0',
  };
}

/** One strict policy per page kind: no inline script or style, no eval, scripts only from us (and office.js). */
function csp(kind, graph) {
  const connect = ["'self'"];
  const frames = [];
  if (kind !== 'playground' && graph) {
    connect.push(new URL(graph.baseUrl).origin, new URL(graph.authority).origin);
    frames.push(new URL(graph.authority).origin);
  }
  const scripts = kind === 'playground' || kind === 'support' ? ["'self'"] : ["'self'", OFFICE_CDN];
  if (kind === 'playground') frames.push("'self'");
  return [
    "default-src 'none'",
    `script-src ${scripts.join(' ')}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connect.join(' ')}`,
    `frame-src ${frames.length ? frames.join(' ') : "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** A manifest of manifests/outlook/ with the development origin replaced by `origin`. */
function manifestFor(name, origin) {
  const text = fs.readFileSync(path.join(ROOT, 'manifests', 'outlook', name), 'utf8').split(DEFAULT_ORIGIN).join(origin);
  return name === 'manifest.json' ? text.replace('"localhost:3000"', JSON.stringify(new URL(origin).host)) : text;
}

const PAGES = {
  'taskpane.html': 'pane',
  'compose.html': 'pane',
  'commands.html': 'pane',
  'playground.html': 'playground',
  'support.html': 'support',
};

class OutlookAssetsPlugin {
  constructor(origin, graph, playground, makeSamples, out) {
    this.origin = origin;
    this.graph = graph;
    this.playground = playground;
    this.makeSamples = makeSamples;
    this.out = out;
  }

  apply(compiler) {
    const { sources, Compilation } = compiler.webpack;
    compiler.hooks.thisCompilation.tap('OutlookAssets', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'OutlookAssets', stage: Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        // Marked minimized: the pages stay as written (readable, and the CSP meta exactly as generated).
        const emit = (name, content) => compilation.emitAsset(name, new sources.RawSource(content), { minimized: true });
        const pagesDir = path.join(__dirname, 'pages');
        for (const [page, kind] of Object.entries(PAGES)) {
          if (!this.playground && PLAYGROUND_PAGES.has(page)) continue;
          const file = path.join(pagesDir, page);
          compilation.fileDependencies.add(file);
          let html = fs.readFileSync(file, 'utf8');
          if (!html.includes('%CSP%')) throw new Error(`${page} lacks the %CSP% placeholder`);
          if (!this.playground) html = html.replace(PLAYGROUND_ONLY, '');
          emit(page, html.replace('%CSP%', csp(kind, this.graph)));
        }
        for (const css of ['pane.css', 'playground.css'].filter((c) => this.playground || !PLAYGROUND_PAGES.has(c))) {
          const file = path.join(pagesDir, css);
          compilation.fileDependencies.add(file);
          emit(css, fs.readFileSync(file));
        }
        for (const css of ['verdict.css', 'setup.css', 'audit-report.css']) {
          const file = path.join(ROOT, 'ui', css);
          compilation.fileDependencies.add(file);
          emit(css, fs.readFileSync(file));
        }
        for (const size of ICON_SIZES) emit(`assets/icon-${size}.png`, drawIcon(size));
        emit('assets/icon-outline-32.png', drawOutlineIcon(32));
        for (const m of ['manifest.xml', 'manifest.json']) {
          compilation.fileDependencies.add(path.join(ROOT, 'manifests', 'outlook', m));
          emit(m, manifestFor(m, this.origin));
        }
        emit('config.json', JSON.stringify(this.graph ? { graph: this.graph } : {}, null, 2) + '\n');
      });
    });
    compiler.hooks.afterEmit.tapPromise('OutlookData', async () => {
      await runTsx('outlook-roots.ts', path.join(this.out, 'roots.json'));
      if (!this.playground || !this.makeSamples) return;
      // The samples are a demo, not part of the add-in: a machine with only Node and npm builds without them, says
      // so in one line, and the playground page says they are missing (it still checks messages you drop on it).
      if (spawnSync('openssl', ['version']).error) {
        console.log('outlook samples: skipped, openssl is not installed (the playground has no sample messages; install openssl and rebuild to add them)');
        return;
      }
      await runTsx('outlook-samples.ts', path.join(this.out, 'samples'));
    });
  }
}

/**
 * Data files made by TypeScript scripts after the bundle is written: roots.json (the bundled roots as data, see
 * addin-outlook/roots-data.ts) and samples/ (the playground's messages, over the shared OpenSSL fixture factory).
 */
function runTsx(script, arg) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', script), arg], {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`scripts/${script} failed (exit ${code})${script === 'outlook-samples.ts' ? '; set ADDIN_SKIP_SAMPLES=1 to build without samples' : ''}`)),
    );
  });
}

module.exports = (env, argv) => {
  const origin = addinOrigin(env);
  const graph = graphConfig();
  const playground = !!env.playground;
  const out = playground ? PLAYGROUND_OUT : OUT;
  return {
    name: playground ? 'outlook-playground' : 'outlook',
    target: ['web', 'es2022'],
    mode: argv.mode || 'production',
    entry: {
      taskpane: path.join(__dirname, 'taskpane.ts'),
      ...(fs.existsSync(path.join(__dirname, 'compose.ts')) ? { compose: path.join(__dirname, 'compose.ts') } : {}),
      commands: path.join(__dirname, 'commands.ts'),
      ...(playground
        ? {
            playground: path.join(__dirname, 'playground', 'playground.ts'),
            'playground-frame': path.join(__dirname, 'playground', 'frame-optout.ts'),
          }
        : {}),
    },
    output: {
      path: out,
      filename: '[name].js',
      chunkFilename: '[name].[contenthash:8].chunk.js',
      publicPath: 'auto',
      clean: true,
    },
    resolve: { extensions: ['.ts', '.js'] },
    module: {
      rules: [{ test: /\.ts$/, loader: 'ts-loader', options: { transpileOnly: true }, exclude: /node_modules/ }],
    },
    plugins: [
      // The bundled roots travel as data (roots.json), not as script: see addin-outlook/roots-data.ts.
      new (require('webpack').NormalModuleReplacementPlugin)(/[\\/]mozilla-email-roots(\.ts)?$/, path.join(__dirname, 'roots-data.ts')),
      // The pane's hook for the playground's simulated mailbox exists only in the playground build.
      new (require('webpack').DefinePlugin)({ __SMIME_PLAYGROUND__: JSON.stringify(playground) }),
      new OutlookAssetsPlugin(origin, graph, playground, !(process.env.ADDIN_SKIP_SAMPLES === '1' || env.ADDIN_SKIP_SAMPLES), out),
    ],
    // No eval-based source maps: the pages' CSP forbids eval, in development too.
    devtool: false,
    performance: { hints: false },
    optimization: { splitChunks: false },
  };
};

module.exports.csp = csp;
module.exports.manifestFor = manifestFor;
module.exports.addinOrigin = addinOrigin;
module.exports.DEFAULT_ORIGIN = DEFAULT_ORIGIN;
module.exports.OUT = OUT;
module.exports.PLAYGROUND_OUT = PLAYGROUND_OUT;

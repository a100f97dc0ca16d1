const path = require('path');
const fs = require('fs');
const { spawnSync } = require('child_process');
const CopyPlugin = require('copy-webpack-plugin');

// The Thunderbird MailExtension: dist/thunderbird/ (unpacked, loadable as a temporary add-on) and
// dist/thunderbird/smime-addin-thunderbird-<version>.xpi (Add-ons Manager → Install Add-on From File).
const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'thunderbird');
const pkg = require(path.join(ROOT, 'package.json'));

/** Zips dist/thunderbird/ into the XPI once webpack has written every file. Uses Debian's `zip`. */
class XpiPlugin {
  apply(compiler) {
    compiler.hooks.afterEmit.tap('XpiPlugin', (compilation) => {
      if (compilation.errors.length) return;
      const name = `smime-addin-thunderbird-${pkg.version}.xpi`;
      for (const f of fs.readdirSync(OUT)) if (f.endsWith('.xpi')) fs.rmSync(path.join(OUT, f));
      // -X: no extra file attributes; -D: no directory entries. The manifest must be at the root of the zip.
      const r = spawnSync('zip', ['-q', '-r', '-X', '-D', name, '.', '-x', '*.xpi', '*.map'], { cwd: OUT, encoding: 'utf8' });
      if (r.error || r.status !== 0) {
        compilation.errors.push(new Error(`XpiPlugin: zip failed (${r.error ? r.error.message : r.stderr}); is 'zip' installed?`));
      }
    });
  }
}

module.exports = (env, argv) => ({
  name: 'thunderbird',
  target: 'web',
  mode: argv.mode || 'production',
  entry: {
    background: path.join(__dirname, 'background.ts'),
    popup: path.join(__dirname, 'popup.ts'),
    options: path.join(__dirname, 'options.ts'),
    compose: path.join(__dirname, 'compose.ts'),
  },
  output: { path: OUT, filename: '[name].js', clean: true },
  resolve: { extensions: ['.ts', '.js'] },
  module: {
    rules: [{ test: /\.ts$/, loader: 'ts-loader', options: { transpileOnly: true }, exclude: /node_modules/ }],
  },
  plugins: [
    new CopyPlugin({
      patterns: [
        {
          from: path.join(ROOT, 'manifests', 'thunderbird', 'manifest.json'),
          to: 'manifest.json',
          // One version for everything: package.json's.
          transform: (buf) => JSON.stringify({ ...JSON.parse(buf.toString()), version: pkg.version }, null, 2),
        },
        { from: path.join(__dirname, '*.html'), to: '[name][ext]' },
        { from: path.join(__dirname, '*.css'), to: '[name][ext]', noErrorOnMissing: true },
        { from: path.join(ROOT, 'ui', 'verdict.css'), to: 'verdict.css', noErrorOnMissing: true },
        { from: path.join(__dirname, 'icons'), to: 'icons' },
        { from: path.join(__dirname, 'experiments'), to: 'experiments' },
      ],
    }),
    new XpiPlugin(),
  ],
  // No eval in extension pages (CSP): plain output, no eval-based source maps.
  devtool: false,
  optimization: { minimize: false },
  performance: { hints: false },
});

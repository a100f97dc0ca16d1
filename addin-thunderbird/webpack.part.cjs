const path = require('path');
const fs = require('fs');
const CopyPlugin = require('copy-webpack-plugin');
const { zipDir } = require('../scripts/zip-dir.cjs');
const { drawIcon } = require('../addin-outlook/build/icons.cjs');

// The Thunderbird MailExtension: dist/thunderbird/ (unpacked, loadable as a temporary add-on) and
// dist/thunderbird/smime-addin-thunderbird-<version>.xpi (Add-ons Manager → Install Add-on From File).
const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, 'dist', 'thunderbird');
const pkg = require(path.join(ROOT, 'package.json'));
// The add-on's own icon (the same shield as the Outlook add-in's), at the sizes Thunderbird's Add-ons Manager,
// menus and HiDPI screens use (the manifest's "icons" names them); drawn at build time so no binary image is committed.
const ADDON_ICON_SIZES = [16, 32, 48, 64, 96, 128];

/** Zips dist/thunderbird/ into the XPI once webpack has written every file (fflate: no `zip` binary needed). */
class XpiPlugin {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('XpiPlugin', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'XpiPlugin', stage: compilation.constructor.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        for (const size of ADDON_ICON_SIZES) {
          compilation.emitAsset(`icons/addon-${size}.png`, new compiler.webpack.sources.RawSource(drawIcon(size)));
        }
      });
    });
    compiler.hooks.afterEmit.tap('XpiPlugin', (compilation) => {
      if (compilation.errors.length) return;
      const name = `smime-addin-thunderbird-${pkg.version}.xpi`;
      for (const f of fs.readdirSync(OUT)) if (f.endsWith('.xpi')) fs.rmSync(path.join(OUT, f));
      try {
        zipDir(OUT, path.join(OUT, name), (rel) => rel.endsWith('.xpi') || rel.endsWith('.map'));
      } catch (e) {
        compilation.errors.push(new Error(`XpiPlugin: could not write ${name}: ${e.message}`));
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
        { from: path.join(ROOT, 'ui', 'setup.css'), to: 'setup.css' },
        { from: path.join(ROOT, 'ui', 'audit-report.css'), to: 'audit-report.css' },
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

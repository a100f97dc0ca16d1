const fs = require('fs');
const path = require('path');
const webpack = require('webpack');
const { writeCodeCache } = require('./code-cache.cjs');

// The CLI for Node 20: `node dist/cli/smime-addin.cjs …`. That file is cli/loader.cjs; it runs the bundle
// (smime-addin.main.cjs, self-contained CommonJS) from V8's code cache, which the build writes after emitting
// (cli/code-cache.cjs; SMIME_ADDIN_NO_CODE_CACHE=1 skips it).
const OUT = path.resolve(__dirname, '..', 'dist', 'cli');

class CliEntryPlugin {
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('CliEntryPlugin', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'CliEntryPlugin', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        const source = `#!/usr/bin/env node\n${fs.readFileSync(path.join(__dirname, 'loader.cjs'), 'utf8')}`;
        compilation.emitAsset('smime-addin.cjs', new webpack.sources.RawSource(source), { minimized: true });
      });
    });
    compiler.hooks.afterEmit.tap('CliEntryPlugin', (compilation) => {
      if (process.env.SMIME_ADDIN_NO_CODE_CACHE === '1' || compilation.errors.length > 0) return;
      const why = writeCodeCache(OUT);
      if (why) compilation.warnings.push(new webpack.WebpackError(`CLI code cache not written (the CLI works, starting slower): ${why}`));
    });
  }
}

module.exports = (env, argv) => ({
  name: 'cli',
  target: 'node20',
  mode: argv.mode || 'production',
  entry: path.join(__dirname, 'main.ts'),
  output: {
    path: OUT,
    filename: 'smime-addin.main.cjs',
    library: { type: 'commonjs2' },
    clean: true,
  },
  resolve: { extensions: ['.ts', '.js'] },
  module: {
    rules: [{ test: /\.ts$/, loader: 'ts-loader', options: { transpileOnly: true }, exclude: /node_modules/ }],
  },
  plugins: [new CliEntryPlugin()],
  // Minified (and unused pkijs code dropped): ~7 ms less per run than the 1.6 MB readable bundle. For readable
  // stack traces with --debug: node --enable-source-maps dist/cli/smime-addin.cjs … (smime-addin.main.cjs.map).
  optimization: { minimize: true },
  devtool: 'source-map',
  performance: { hints: false },
});

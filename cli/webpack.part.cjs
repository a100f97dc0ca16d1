const path = require('path');
const webpack = require('webpack');

// The CLI is one self-contained CommonJS file for Node 20: `node dist/cli/smime-addin.cjs …`.
module.exports = (env, argv) => ({
  name: 'cli',
  target: 'node20',
  mode: argv.mode || 'production',
  entry: path.join(__dirname, 'main.ts'),
  output: {
    path: path.resolve(__dirname, '..', 'dist', 'cli'),
    filename: 'smime-addin.cjs',
    library: { type: 'commonjs2' },
    clean: true,
  },
  resolve: { extensions: ['.ts', '.js'] },
  module: {
    rules: [{ test: /\.ts$/, loader: 'ts-loader', options: { transpileOnly: true }, exclude: /node_modules/ }],
  },
  plugins: [new webpack.BannerPlugin({ banner: '#!/usr/bin/env node', raw: true })],
  optimization: { minimize: false },
  devtool: false,
  performance: { hints: false },
});

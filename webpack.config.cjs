// One webpack build for everything: the CLI (Node) and each host's pages.
// Each part owns its config in a small file next to its code, so host and CLI work don't collide:
//   cli/webpack.part.cjs, addin-outlook/webpack.part.cjs, addin-thunderbird/webpack.part.cjs
const fs = require('fs');
const path = require('path');

const parts = ['cli', 'addin-outlook', 'addin-thunderbird']
  .map((dir) => path.join(__dirname, dir, 'webpack.part.cjs'))
  .filter((file) => fs.existsSync(file));

module.exports = (env, argv) => parts.map((file) => require(file)(env || {}, argv || {}));

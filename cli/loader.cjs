'use strict';
/**
 * dist/cli/smime-addin.cjs, the CLI's entry: runs the webpack bundle (smime-addin.main.cjs) with V8's code cache
 * when the build made one (cli/code-cache.cjs), so a run starts from compiled bytecode instead of parsing and
 * compiling ~1.6 MB of JavaScript and every function a verify calls (~30 ms of a ~150 ms run). Node 22's
 * module.enableCompileCache does the same; Node 20, which we support, lacks it.
 *
 * V8 checks the cache against its version, its flags and the source; a cache it refuses is ignored and the bundle
 * compiles as usual. Without a cache file the bundle is simply required. The cache is written only by the build
 * (SMIME_ADDIN_WRITE_CODE_CACHE=1, after a verify run), never by a user's run.
 */
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const main = path.join(__dirname, 'smime-addin.main.cjs');
const cacheFile = `${main}.v8cache`;
const writing = process.env.SMIME_ADDIN_WRITE_CODE_CACHE === '1';

let cachedData;
if (!writing) {
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // No cache (a build without OpenSSL, or a development build): plain require below.
  }
}

// For the tests: whether V8 took the cache ('accepted'), refused it ('rejected') or there was none.
const report = process.env.SMIME_ADDIN_CODE_CACHE_REPORT === '1' ? (s) => process.stderr.write(`code cache: ${s}\n`) : () => {};

if (!cachedData && !writing) {
  report('none');
  require(main);
} else {
  // Node's CommonJS wrapper (Module.wrap; node:module itself is not loaded for it).
  const source = `(function (exports, require, module, __filename, __dirname) { ${fs.readFileSync(main, 'utf8')}\n});`;
  const script = new vm.Script(source, { filename: main, cachedData });
  report(!cachedData ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted');
  const mod = { exports: {}, id: main, filename: main, loaded: false, children: [], paths: [] };
  // This file's own require: the bundle only requires Node's built-ins (and would resolve chunks from this folder).
  script.runInThisContext().call(mod.exports, mod.exports, require, mod, main, __dirname);
  if (writing) {
    // At exit, after the command ran: the cache then holds every function the run compiled.
    process.on('exit', () => {
      const tmp = `${cacheFile}.${process.pid}`;
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, cacheFile);
    });
  }
}

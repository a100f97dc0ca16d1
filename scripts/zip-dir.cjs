// Packs a directory into a zip file (the Thunderbird XPI, the test driver add-on) with fflate, so the build needs no
// `zip` binary: a fresh machine with only Node and npm builds the add-on. Entries are sorted and dated 1980-01-01 so
// the same files give the same bytes; no directory entries, no extra attributes (what `zip -X -D` wrote before).
const fs = require('fs');
const path = require('path');
const { zipSync } = require('fflate');

/**
 * @param {string} dir the directory whose contents become the zip's root (manifest.json must be at the root)
 * @param {string} out the zip file to write
 * @param {(rel: string) => boolean} [skip] files to leave out, by path relative to dir with '/' separators
 */
function zipDir(dir, out, skip = () => false) {
  const files = {};
  const walk = (rel) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, r);
      if (fs.statSync(full).isDirectory()) walk(r);
      else if (!skip(r) && path.resolve(full) !== path.resolve(out)) files[r] = [fs.readFileSync(full), { mtime: new Date(1980, 0, 1) }];
    }
  };
  walk('');
  fs.writeFileSync(out, zipSync(files, { level: 9 }));
}

module.exports = { zipDir };

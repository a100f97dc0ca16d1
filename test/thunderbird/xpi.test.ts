/**
 * The built XPI (issue 13: "the Thunderbird manifest has no icons"; "build the XPI without the zip binary"): packed
 * by fflate with manifest.json at its root, and every icon the manifest names is in it as a PNG of that size.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import { unzipSync } from 'fflate';
import { builtXpi, DIST } from './support';

test('the XPI has manifest.json at its root and the add-on icon at every size the manifest names', async () => {
  const xpi = await builtXpi();
  const files = unzipSync(new Uint8Array(readFileSync(xpi)));
  const manifest = JSON.parse(new TextDecoder().decode(files['manifest.json'])) as { icons?: Record<string, string>; name: string };
  assert.ok(manifest.icons, 'manifest.json names icons');
  const sizes = Object.keys(manifest.icons).map(Number);
  for (const need of [16, 32, 48, 64]) assert.ok(sizes.includes(need), `an icon at ${need}px (Thunderbird's menus and Add-ons Manager)`);
  for (const [size, path] of Object.entries(manifest.icons)) {
    const png = files[path];
    assert.ok(png, `${path} is in the XPI`);
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], `${path} is a PNG`);
    const view = new DataView(png.buffer, png.byteOffset);
    assert.equal(view.getUint32(16), Number(size), `${path} width`);
    assert.equal(view.getUint32(20), Number(size), `${path} height`);
  }
  assert.ok(!Object.keys(files).some((f) => f.endsWith('.map') || f.endsWith('.xpi')), 'no source maps or nested XPIs');
  assert.ok(readdirSync(DIST).includes(basename(xpi)));
});

// Draws the add-in's icon (a shield with a check mark) as PNGs at the sizes the manifests name, so no binary
// image is committed. Pure Node: a 4x4 supersampled rasteriser and a minimal PNG encoder (zlib + CRC-32).
const zlib = require('zlib');

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// Shapes in a unit square (0..1), y down.
function inShield(x, y) {
  if (x < 0.14 || x > 0.86 || y < 0.08) return false;
  if (y <= 0.55) return true;
  // lower half narrows to a point at (0.5, 0.94)
  const t = (y - 0.55) / (0.94 - 0.55);
  const half = 0.36 * Math.sqrt(Math.max(0, 1 - t * t));
  return Math.abs(x - 0.5) <= half;
}
function distToSegment(px, py, ax, ay, bx, by) {
  const dx = bx - ax, dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}
function inCheck(x, y) {
  const w = 0.065;
  return distToSegment(x, y, 0.3, 0.5, 0.45, 0.65) < w || distToSegment(x, y, 0.45, 0.65, 0.72, 0.34) < w;
}

function drawIcon(size) {
  const S = 4;
  const rgba = Buffer.alloc(size * size * 4);
  const blue = [15, 108, 189];
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let shield = 0, check = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const u = (x + (sx + 0.5) / S) / size, v = (y + (sy + 0.5) / S) / size;
          if (inShield(u, v)) {
            shield++;
            if (inCheck(u, v)) check++;
          }
        }
      }
      const a = shield / (S * S);
      const c = shield ? check / shield : 0;
      const i = (y * size + x) * 4;
      rgba[i] = Math.round(blue[0] * (1 - c) + 255 * c);
      rgba[i + 1] = Math.round(blue[1] * (1 - c) + 255 * c);
      rgba[i + 2] = Math.round(blue[2] * (1 - c) + 255 * c);
      rgba[i + 3] = Math.round(255 * a);
    }
  }
  return encodePng(size, rgba);
}

/** Outline variant (unified manifest "outline" icon): white strokes on transparent, 32x32. */
function drawOutlineIcon(size) {
  const S = 4;
  const rgba = Buffer.alloc(size * size * 4);
  const inner = (u, v) => inShield(0.5 + (u - 0.5) / 0.78, 0.5 + (v - 0.52) / 0.8);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let on = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const u = (x + (sx + 0.5) / S) / size, v = (y + (sy + 0.5) / S) / size;
          if ((inShield(u, v) && !inner(u, v)) || (inShield(u, v) && inCheck(u, v))) on++;
        }
      }
      const i = (y * size + x) * 4;
      rgba[i] = rgba[i + 1] = rgba[i + 2] = 255;
      rgba[i + 3] = Math.round((255 * on) / (S * S));
    }
  }
  return encodePng(size, rgba);
}

/** The icon sizes both manifests refer to (assets/icon-SIZE.png). */
const ICON_SIZES = [16, 32, 64, 80, 128, 192];

module.exports = { drawIcon, drawOutlineIcon, encodePng, ICON_SIZES };

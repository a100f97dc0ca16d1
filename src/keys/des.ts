/**
 * Triple-DES (EDE, 2- or 3-key) in CBC mode, decryption only. WebCrypto has no DES, but older PKCS#12 files
 * (Windows, NSS/Thunderbird before 2023, `openssl pkcs12 -legacy`) protect keys with
 * pbeWithSHAAnd3-KeyTripleDES-CBC, and older Outlook versions encrypted mail with 3DES-CBC. Never used to encrypt.
 *
 * The usual fast form of FIPS 46-3: the initial/final permutations by swap-moves on two 32-bit halves, and the
 * round function through eight S-box tables merged with the P permutation (built once from the textbook tables).
 * A few µs per block in V8 (about a second per MB), so a 10 MB 3DES message takes seconds, not hours. Not constant time (table
 * lookups); acceptable for legacy decryption of data the user already received.
 */

const PC1 = [57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60, 52, 44, 36,
  63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21, 13, 5, 28, 20, 12, 4];
const PC2 = [14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52, 31, 37, 47,
  55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const P = [16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13, 30, 6, 22,
  11, 4, 25];
const S = [
  [14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11, 9, 5, 3, 8, 4, 1, 14,
    8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5, 11, 3, 14, 10, 0, 6, 13],
  [15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10, 6, 9, 11, 5, 0, 14, 7,
    11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2, 11, 6, 7, 12, 0, 5, 14, 9],
  [10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12, 11, 15, 1, 13, 6, 4,
    9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4, 15, 14, 3, 11, 5, 2, 12],
  [7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1, 10, 14, 9, 10, 6, 9,
    0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9, 4, 5, 11, 12, 7, 2, 14],
  [2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10, 3, 9, 8, 6, 4, 2, 1,
    11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6, 15, 0, 9, 10, 4, 5, 3],
  [12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14, 0, 11, 3, 8, 9, 14, 15,
    5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10, 11, 14, 1, 7, 6, 0, 8, 13],
  [4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12, 2, 15, 8, 6, 1, 4, 11,
    13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9, 5, 0, 15, 14, 2, 3, 12],
  [13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11, 0, 14, 9, 2, 7, 11, 4,
    1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13, 15, 12, 9, 0, 3, 5, 6, 11],
];

/**
 * SP[i][x]: S-box i applied to the 6-bit input x (bits b1..b6 in E-expansion order), its 4 output bits placed at
 * output positions 4i+1..4i+4 and then permuted by P; a 32-bit word.
 */
const SP: Uint32Array[] = S.map((box, i) => {
  const t = new Uint32Array(64);
  for (let x = 0; x < 64; x++) {
    const row = ((x >> 4) & 2) | (x & 1);
    const col = (x >> 1) & 15;
    const v = box[row * 16 + col];
    let w = 0;
    for (let k = 0; k < 4; k++) {
      if (!((v >> (3 - k)) & 1)) continue;
      const pos = 4 * i + k + 1; // 1-based position before P
      const outPos = P.indexOf(pos) + 1; // where P moves it
      w |= 1 << (32 - outPos);
    }
    t[x] = w >>> 0;
  }
  return t;
});

/** 16 round keys, each as eight 6-bit chunks (one per S-box). */
function subkeys(key: Uint8Array, off: number): Uint8Array {
  const bit = (n: number) => (key[off + ((n - 1) >> 3)] >> (7 - ((n - 1) & 7))) & 1;
  const k = PC1.map(bit);
  let c = k.slice(0, 28);
  let d = k.slice(28);
  const out = new Uint8Array(16 * 8);
  SHIFTS.forEach((s, r) => {
    c = c.slice(s).concat(c.slice(0, s));
    d = d.slice(s).concat(d.slice(0, s));
    const cd = c.concat(d);
    const sub = PC2.map((p) => cd[p - 1]);
    for (let j = 0; j < 8; j++) {
      let v = 0;
      for (let b = 0; b < 6; b++) v = (v << 1) | sub[j * 6 + b];
      out[r * 8 + j] = v;
    }
  });
  return out;
}

/**
 * f(R, K): the E-expansion chunk j of R is bits 4j..4j+5 (1-based, bit 32 wrapping to the front). After rotating
 * R right by one, chunk j sits at bits 4j+1..4j+6, i.e. `>>> (26 - 4j)`; chunk 7 wraps around.
 */
function f(r: number, k: Uint8Array, round: number): number {
  const rot = ((r >>> 1) | (r << 31)) >>> 0;
  let out = 0;
  const base = round * 8;
  for (let j = 0; j < 7; j++) out |= SP[j][((rot >>> (26 - 4 * j)) & 63) ^ k[base + j]];
  out |= SP[7][(((rot << 2) | (rot >>> 30)) & 63) ^ k[base + 7]];
  return out >>> 0;
}

/**
 * 3DES-CBC decryption (EDE: decrypt with K3, encrypt with K2, decrypt with K1). A 16-byte key is the 2-key
 * form (K3 = K1). Returns the padded plaintext; the caller removes and checks the PKCS#7 padding.
 */
export function tripleDesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array {
  if (key.length !== 24 && key.length !== 16) throw new Error('3DES key must be 16 or 24 bytes');
  if (iv.length !== 8 || data.length % 8 !== 0) throw new Error('3DES-CBC: bad IV or data length');
  const k1 = subkeys(key, 0);
  const k2 = subkeys(key, 8);
  const k3 = key.length === 24 ? subkeys(key, 16) : k1;
  const out = new Uint8Array(data.length);
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const ov = new DataView(out.buffer);
  let pl = new DataView(iv.buffer, iv.byteOffset, 8).getUint32(0);
  let pr = new DataView(iv.buffer, iv.byteOffset, 8).getUint32(4);
  for (let off = 0; off < data.length; off += 8) {
    const cl = dv.getUint32(off);
    const cr = dv.getUint32(off + 4);
    let l = cl;
    let r = cr;
    let t: number;
    // IP (swap-moves).
    t = ((l >>> 4) ^ r) & 0x0f0f0f0f; r ^= t; l ^= t << 4;
    t = ((l >>> 16) ^ r) & 0x0000ffff; r ^= t; l ^= t << 16;
    t = ((r >>> 2) ^ l) & 0x33333333; l ^= t; r ^= t << 2;
    t = ((r >>> 8) ^ l) & 0x00ff00ff; l ^= t; r ^= t << 8;
    t = ((l >>> 1) ^ r) & 0x55555555; r ^= t; l ^= t << 1;
    // Decrypt with K3, encrypt with K2, decrypt with K1: 48 rounds; FP∘IP between the passes cancel, and the
    // swap at the end of each pass is the (l, r) exchange below.
    for (let pass = 0; pass < 3; pass++) {
      const k = pass === 0 ? k3 : pass === 1 ? k2 : k1;
      const dec = pass !== 1;
      for (let i = 0; i < 16; i++) {
        t = (l ^ f(r, k, dec ? 15 - i : i)) >>> 0;
        l = r;
        r = t;
      }
      t = l; l = r; r = t;
    }
    // FP.
    t = ((l >>> 1) ^ r) & 0x55555555; r ^= t; l ^= t << 1;
    t = ((r >>> 8) ^ l) & 0x00ff00ff; l ^= t; r ^= t << 8;
    t = ((r >>> 2) ^ l) & 0x33333333; l ^= t; r ^= t << 2;
    t = ((l >>> 16) ^ r) & 0x0000ffff; r ^= t; l ^= t << 16;
    t = ((l >>> 4) ^ r) & 0x0f0f0f0f; r ^= t; l ^= t << 4;
    ov.setUint32(off, (l ^ pl) >>> 0);
    ov.setUint32(off + 4, (r ^ pr) >>> 0);
    pl = cl;
    pr = cr;
  }
  k1.fill(0);
  k2.fill(0);
  k3.fill(0);
  return out;
}

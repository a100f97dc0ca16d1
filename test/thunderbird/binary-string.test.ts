// getRaw's binary string → bytes (addin-thunderbird/binary-string.ts): exact for every byte value on each of its three
// paths. Its speed is measured where it was slow, in Thunderbird: scripts/bench-thunderbird.mjs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { binaryStringToBytes } from '../../addin-thunderbird/binary-string';

const latin1 = (b: Uint8Array) => Buffer.from(b).toString('latin1');
const every = new Uint8Array(512).map((_, i) => i & 0xff);
const sevenBit = new TextEncoder().encode('Content-Type: application/pkcs7-signature\r\n\r\nMIIB/+0=\r\n');

function withFromBase64<T>(impl: ((b64: string) => Uint8Array) | undefined, run: () => T): T {
  const U = Uint8Array as unknown as { fromBase64?: (b64: string) => Uint8Array };
  const saved = Object.getOwnPropertyDescriptor(Uint8Array, 'fromBase64');
  if (impl) U.fromBase64 = impl;
  else delete U.fromBase64;
  try {
    return run();
  } finally {
    if (saved) Object.defineProperty(Uint8Array, 'fromBase64', saved);
    else delete U.fromBase64;
  }
}
const nodeFromBase64 = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));

test('a 7-bit message (the usual S/MIME case) converts exactly through TextEncoder', () => {
  assert.deepEqual(binaryStringToBytes(latin1(sevenBit)), sevenBit);
  assert.deepEqual(binaryStringToBytes(''), new Uint8Array(0));
});

test('8-bit mail: every byte value 0x00-0xFF round-trips with Uint8Array.fromBase64 (Thunderbird 133+) and without (128 ESR)', () => {
  assert.deepEqual(withFromBase64(nodeFromBase64, () => binaryStringToBytes(latin1(every))), every);
  assert.deepEqual(withFromBase64(undefined, () => binaryStringToBytes(latin1(every))), every);
});

test('a string that is not binary (a char above 0xFF) keeps its length and takes the low byte, as Thunderbird\'s own File path does', () => {
  for (const impl of [nodeFromBase64, undefined]) {
    assert.deepEqual(withFromBase64(impl, () => binaryStringToBytes('a\u0141b')), new Uint8Array([0x61, 0x41, 0x62]));
  }
});

test('an 11 MB 7-bit message converts in well under a second (no per-byte loop on the usual path)', () => {
  const s = 'MIIB'.repeat((11 * 1024 * 1024) / 4);
  const t0 = performance.now();
  const b = binaryStringToBytes(s);
  assert.equal(b.length, s.length);
  assert.ok(performance.now() - t0 < 2000);
});

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { sha, type ShaName } from '../../src/keys/sha';

const NODE: Record<ShaName, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

test('sync SHA family matches node:crypto for lengths around block boundaries', () => {
  for (const name of Object.keys(NODE) as ShaName[]) {
    for (const len of [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 300, 1000]) {
      const data = new Uint8Array(randomBytes(len));
      const want = createHash(NODE[name]).update(data).digest('hex');
      assert.equal(Buffer.from(sha(name, data)).toString('hex'), want, `${name} len ${len}`);
    }
  }
});

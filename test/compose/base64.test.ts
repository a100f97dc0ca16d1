import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { base64Lines } from '../../src/compose/base64';
import { toCrlf } from '../../src/compose/canonical';

test('base64Lines: 76-column CRLF lines that decode to the input, for lengths around line and group boundaries', () => {
  for (const len of [0, 1, 2, 3, 56, 57, 58, 113, 114, 115, 1000, 4097]) {
    const data = randomBytes(len);
    const text = Buffer.from(base64Lines(new Uint8Array(data))).toString('latin1');
    const want = data.toString('base64').replace(/.{76}/g, '$&\r\n').replace(/(?<!\r\n)$/, len ? '\r\n' : '');
    assert.equal(text, want, `len ${len}`);
  }
});

test('toCrlf: random mixes of CR, LF and CRLF', () => {
  for (let n = 0; n < 200; n++) {
    const parts = Array.from({ length: 20 }, () => ['a', 'bc', '\n', '\r', '\r\n', ''][Math.floor(Math.random() * 6)]).join('');
    const want = parts.replace(/\r\n|\r|\n/g, '\r\n');
    assert.equal(Buffer.from(toCrlf(new TextEncoder().encode(parts))).toString('latin1'), want, JSON.stringify(parts));
  }
});

/**
 * addin-outlook/pane/decrypted-text.ts: what the pane shows of a decrypted message is its text, never its HTML;
 * attachments are named, signatures skipped, long text cut.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_HTML_CHARS, MAX_SHOWN_CHARS, readableContent } from '../../addin-outlook/pane/decrypted-text';
import { attachmentEntity, htmlEntity, multipartEntity, textEntity } from '../support/messages';

test('text/plain part first; attachments named; the signature part skipped', () => {
  const entity = multipartEntity([
    textEntity('Hello Bob,\nsalary review attached.\n'),
    attachmentEntity({ filename: 'review.pdf', data: new Uint8Array([1, 2, 3]) }),
    Buffer.from('Content-Type: application/pkcs7-signature; name="smime.p7s"\r\nContent-Transfer-Encoding: base64\r\n\r\nAAAA\r\n'),
  ]);
  const c = readableContent(new Uint8Array(entity));
  assert.ok(c);
  assert.equal(c.text.trimEnd(), 'Hello Bob,\nsalary review attached.');
  assert.deepEqual(c.attachments, ['review.pdf']);
  assert.equal(c.truncated, false);
});

test('HTML only: reduced to text by the given converter, never returned as HTML', () => {
  const c = readableContent(new Uint8Array(htmlEntity('<p>Hi <img src="https://evil.example/x.png">Bob</p>')), (html) => html.replace(/<[^>]*>/g, ''));
  assert.equal(c?.text.trim(), 'Hi Bob');
  // Without a converter there is no text to show rather than HTML.
  assert.equal(readableContent(new Uint8Array(htmlEntity('<p>Hi</p>'))), undefined);
});

test('long text is cut and says so; garbage is not an exception', () => {
  const c = readableContent(new Uint8Array(textEntity('a'.repeat(MAX_SHOWN_CHARS + 10))));
  assert.equal(c?.text.length, MAX_SHOWN_CHARS);
  assert.equal(c?.truncated, true);
  assert.doesNotThrow(() => readableContent(new Uint8Array([0xff, 0x00, 0x0d])));
});

test('quadratic regular expressions: the pane clips decrypted HTML before the parser sees it, and says the text is cut', () => {
  let seen = 0;
  const c = readableContent(new Uint8Array(htmlEntity('<b>'.repeat(MAX_HTML_CHARS))), (html) => ((seen = html.length), 'text'));
  assert.equal(seen, MAX_HTML_CHARS);
  assert.equal(c?.truncated, true);
  const plain = readableContent(new Uint8Array(textEntity('x'.repeat(3 * MAX_SHOWN_CHARS))));
  assert.equal(plain?.text.length, MAX_SHOWN_CHARS);
  assert.equal(plain?.truncated, true);
});

/**
 * Issue 10 item 9, "Quadratic regular expressions" in Thunderbird's decrypted-text extraction: `<(script|style)
 * [\s\S]*?<\/\1>` and `<[^>]*>` made a 400 KB message encrypted to the user block the background page for 53 s.
 * addin-thunderbird/plain-text.ts now clips the HTML and strips it in one linear scan.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MAX_HTML_CHARS, htmlText, plainTextOf } from '../../addin-thunderbird/plain-text';
import { htmlEntity, textEntity } from '../support/messages';

test('decrypted HTML to text: tags become spaces, script and style go with their content, entities stay as written', () => {
  assert.equal(htmlText('<p>Hello <b>world</b></p><script>alert("<p>x</p>")</script><STYLE type="text/css">p{}</STYLE>Bye &amp; <scripted>ok'), ' Hello world Bye &amp; ok');
  assert.equal(htmlText('a<br/>b<br>c'), 'a b c');
  assert.equal(htmlText('text <unclosed tag to the end'), 'text ');
  assert.equal(htmlText('before<script>never closed'), 'before');
  assert.equal(plainTextOf(new Uint8Array(htmlEntity('<p>Hi <img src="https://evil.example/x.png">Bob</p>')))?.trim(), 'Hi Bob');
  assert.equal(plainTextOf(new Uint8Array(textEntity('plain wins')))?.trim(), 'plain wins');
});

test('quadratic regular expressions: a 400 KB decrypted HTML message of unclosed tags or scripts is read in well under a second', () => {
  const hostile = {
    'unclosed <': '<'.repeat(400_000),
    'unclosed <script>': '<script>'.repeat(50_000),
    'unclosed <style': '<style '.repeat(57_000),
    '<a without >': '<a '.repeat(133_000),
    'many tags': '<b>x</b>'.repeat(50_000),
  };
  for (const [name, html] of Object.entries(hostile)) {
    const entity = new Uint8Array(htmlEntity(html));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const text = plainTextOf(entity);
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(`# ${name}, ${(entity.length / 1000).toFixed(0)} KB: ${ms.toFixed(0)} ms (${cpuMs.toFixed(0)} ms CPU), ${text?.length ?? 0} characters of text`);
    assert.ok(cpuMs < 1000, `${name}: ${cpuMs.toFixed(0)} ms CPU`);
  }
  // Input beyond the clip is not read at all.
  const huge = '<b>'.repeat(MAX_HTML_CHARS) + 'TAIL';
  assert.ok(!plainTextOf(new Uint8Array(htmlEntity(huge)))?.includes('TAIL'));
});

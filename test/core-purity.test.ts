// The core must run unchanged in Node, a browser task pane and a Thunderbird background page:
// it may not touch host APIs or Node built-ins.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './support/corpus';

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const FORBIDDEN: [RegExp, string][] = [
  [/\bdocument\./, 'DOM document'],
  [/\bwindow\./, 'DOM window'],
  [/\bOffice\./, 'Office.js'],
  [/\bmessenger\./, 'Thunderbird messenger API'],
  [/\bbrowser\.(runtime|storage|messages|tabs)/, 'WebExtension browser API'],
  [/from ['"](node:)?(fs|path|child_process|crypto|os|http|https|net)['"]/, 'Node built-in module'],
  [/require\(/, 'CommonJS require'],
  [/\beval\(|new Function\(/, 'eval'],
];

test('core (src/) uses no host API, Node built-in or eval', () => {
  const files = walk(join(ROOT, 'src'));
  assert.ok(files.length > 0);
  const hits: string[] = [];
  for (const f of files) {
    const text = readFileSync(f, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
    for (const [re, what] of FORBIDDEN) if (re.test(text)) hits.push(`${f}: ${what}`);
  }
  assert.deepEqual(hits, []);
});

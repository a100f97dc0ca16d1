/**
 * The CLI carries header protection: `verify --json` and `decrypt --json` print verdict.headerProtection with the
 * contract's names (protected, mode, headers, changed, legacyDisplay); the human summary names the signed headers
 * and the change. Over OpenSSL fixtures (hp-fixtures.ts) and one RFC 9788 vector.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from '../support/corpus';
import { CHANGED_SUBJECT, SIGNED_SUBJECT, baselineOuter, changeOuter, encrypted, makeHpWorld, messageFields, payload, signed, signedEntity } from '../support/hp-fixtures';
import { makeBobP12, vectorsAnchorPath, vectorsCorpus, vectorsSkip } from '../support/rfc9788';

const CLI = join(ROOT, 'dist', 'cli', 'smime-addin.cjs');
const cliSkip = existsSync(CLI) ? false : `${CLI} is missing (run npm run build): CLI header protection checks skipped`;
if (cliSkip) console.log(`# SKIP ${cliSkip}`);

function run(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('CLI verify: headerProtection in --json, the signed Subject and the change in the summary', { skip: cliSkip }, async () => {
  const w = await makeHpWorld();
  const fields = messageFields(w);
  const file = join(w.pki.dir, 'hp-cli-changed.eml');
  writeFileSync(file, changeOuter(await signed(w, payload({ hp: 'clear', fields }), fields), 'Subject', CHANGED_SUBJECT));
  const j = run(['verify', file, '--anchor', w.pki.root.certPath, '--json']);
  assert.equal(j.status, 1, j.stderr);
  const v = JSON.parse(j.stdout);
  assert.equal(v.verdict, 'untrusted');
  assert.deepEqual(Object.keys(v.headerProtection).slice(0, 5), ['protected', 'mode', 'headers', 'changed', 'legacyDisplay']);
  assert.equal(v.headerProtection.mode, 'clear');
  assert.equal(v.headerProtection.headers.subject, SIGNED_SUBJECT);
  assert.deepEqual(v.headerProtection.changed, [{ field: 'subject', outer: CHANGED_SUBJECT, protected: SIGNED_SUBJECT }]);
  assert.ok(v.warnings.some((x: { code: string }) => x.code === 'header-changed'));
  const human = run(['verify', file, '--anchor', w.pki.root.certPath]);
  assert.equal(human.status, 1);
  assert.match(human.stdout, /signed headers \(clear\): Subject: Quarterly figures · From: Alice Sender <alice@hp\.example> · To: Bob Reader <bob@hp\.example> · Date: /);
  assert.match(human.stdout, /! The Subject was changed after signing: it was signed as 'Quarterly figures', and now reads 'Urgent: new bank details'\./);

  // decrypt --json: hp="cipher", [...] outside, nothing changed.
  const outer = baselineOuter(fields);
  const enc = join(w.pki.dir, 'hp-cli-cipher.eml');
  writeFileSync(enc, await encrypted(w, await signedEntity(w, payload({ hp: 'cipher', fields, hpOuter: outer })), outer));
  const d = run(['decrypt', enc, '--key', await w.bob.makeP12('pw'), '--password', 'pw', '--anchor', w.pki.root.certPath, '--json', '--out', join(w.pki.dir, 'hp-cli-out.eml')]);
  assert.equal(d.status, 0, d.stderr);
  const dv = JSON.parse(d.stdout);
  assert.equal(dv.verdict, 'trusted');
  assert.equal(dv.headerProtection.mode, 'cipher');
  assert.equal(dv.headerProtection.headers.subject, SIGNED_SUBJECT);
  assert.deepEqual(dv.headerProtection.changed, []);
});

test('CLI decrypt of an RFC 9788 vector with legacy display elements', { skip: cliSkip || vectorsSkip }, async () => {
  const p12 = await makeBobP12();
  const out = join(dirname(p12), 'out.eml');
  const r = run(['decrypt', join(vectorsCorpus.dir!, 'smime-signed-enc-complex-hp-baseline-legacy.eml'), '--key', p12, '--password', 'bob', '--anchor', vectorsAnchorPath(), '--json', '--out', out]);
  assert.equal(r.status, 0, r.stderr);
  const v = JSON.parse(r.stdout);
  assert.equal(v.verdict, 'trusted');
  assert.deepEqual({ mode: v.headerProtection.mode, legacyDisplay: v.headerProtection.legacyDisplay, changed: v.headerProtection.changed }, { mode: 'cipher', legacyDisplay: ['1.1', '1.2'], changed: [] });
  assert.equal(v.headerProtection.headers.subject, 'smime-signed-enc-complex-hp-baseline-legacy');
});

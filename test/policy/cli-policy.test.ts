// The CLI's --policy FILE / --online / --audit FILE handling (cli/policy.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicyForCli } from '../../cli/policy';
import { CliError, UsageError } from '../../cli/commands/types';
import { bundledRootList } from '../../src/trust/roots/bundled';

test('--policy FILE is the strongest source, --online and --audit are user settings', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cli-policy-'));
  try {
    const f = join(dir, 'policy.json');
    writeFileSync(f, JSON.stringify({ revocation: 'hard', bundledRoots: false, audit: { file: join(dir, 'a.jsonl') } }));
    const r = loadPolicyForCli(['msg.eml', '--policy', f, '--online', '--json', '--audit', join(dir, 'b.jsonl')]);
    assert.deepEqual(r.rest, ['msg.eml', '--json']);
    assert.equal(r.policy.revocation, 'hard');
    assert.equal(r.policy.online, true);
    assert.equal(r.sources.online, 'user');
    assert.equal(r.verifyOptions.anchors?.length, 0);
    assert.equal(typeof r.verifyOptions.fetcher?.post, 'function');
    assert.equal(r.auditFile, join(dir, 'a.jsonl'), 'the policy file decides the audit file');
    assert.equal(r.notes.length, 1);

    writeFileSync(f, JSON.stringify({ online: false }));
    const off = loadPolicyForCli(['--policy', f, '--online']);
    assert.equal(off.verifyOptions.fetcher, undefined);
    assert.match(off.notes[0], /--online ignored/);

    const none = loadPolicyForCli(['x.eml']);
    assert.equal(typeof none.verifyOptions.anchorLookup, 'function', 'bundled roots on by default');
    assert.equal(none.verifyOptions.fetcher, undefined);
    assert.equal(none.auditFile, null);

    writeFileSync(f, '{"revocation":"maybe","online":1}');
    assert.throws(() => loadPolicyForCli(['--policy', f]), (e: unknown) => e instanceof CliError &&
      /invalid policy file .*policy\.revocation: must be one of off, soft, hard; policy\.online: must be true or false/.test(e.message));
    assert.throws(() => loadPolicyForCli(['--policy', join(dir, 'missing.json')]), /cannot read policy file .*: no such file/);
    assert.throws(() => loadPolicyForCli(['--policy']), UsageError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

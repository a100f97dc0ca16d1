// Administrator (managed storage) over user (storage.local) over defaults, through the core's policy module.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPolicy, saveUserPolicy, USER_POLICY_KEY } from '../../addin-thunderbird/policy-store';
import type { StorageArea } from '../../addin-thunderbird/messenger';

function area(data: Record<string, unknown> | 'reject'): StorageArea {
  return {
    async get(keys) {
      if (data === 'reject') throw new Error('Managed storage manifest not found');
      if (keys === null || keys === undefined) return { ...data };
      const ks = Array.isArray(keys) ? keys : [keys];
      return Object.fromEntries(ks.filter((k) => k in data).map((k) => [k, data[k]]));
    },
    async set(items) {
      if (data !== 'reject') Object.assign(data, items);
    },
    async remove() {},
  };
}

test('no policy at all: defaults (managed storage rejects, which is normal)', async () => {
  const p = await loadPolicy(area({}), area('reject'));
  assert.equal(p.resolved.policy.revocation, 'soft');
  assert.deepEqual(p.problems, []);
});

test('the administrator wins field by field; the source is recorded for the options page', async () => {
  const local = area({ [USER_POLICY_KEY]: { revocation: 'off', allowSha1: true } });
  const p = await loadPolicy(local, area({ revocation: 'hard' }));
  assert.equal(p.resolved.policy.revocation, 'hard');
  assert.equal(p.resolved.sources.revocation, 'admin');
  assert.equal(p.resolved.policy.allowSha1, true);
  assert.equal(p.resolved.sources.allowSha1, 'user');
});

test('an invalid administrator policy keeps its valid fields, names the invalid one and sets user settings aside', async () => {
  const p = await loadPolicy(area({ [USER_POLICY_KEY]: { revocation: 'off' } }), area({ revocation: 'sometimes', allowSha1: true }));
  assert.equal(p.resolved.policy.allowSha1, true, 'the valid admin field applies');
  assert.equal(p.resolved.policy.revocation, 'soft', 'the invalid one is locked at the default, not the user\'s "off"');
  assert.ok(p.problems.some((x) => x.includes('revocation')));
});

test('saving invalid user settings is refused with the problem', async () => {
  const local = area({});
  assert.deepEqual(await saveUserPolicy(local, { revocation: 'soft' }), []);
  const problems = await saveUserPolicy(local, { revocation: 'never' } as never);
  assert.ok(problems.length > 0);
  assert.deepEqual((await local.get(USER_POLICY_KEY))[USER_POLICY_KEY], { revocation: 'soft' });
});

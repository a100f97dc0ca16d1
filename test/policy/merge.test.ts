// Precedence: admin policy > user settings > defaults, with the source of every field recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePolicy, validatePolicy, type PartialPolicy } from '../../src/policy/index';
import { bundledRootList } from '../../src/trust/roots/bundled';

const pem = (b64: string) => `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
const [R1, R2, R3] = bundledRootList().map((r) => pem(r.der));

function valid(x: unknown, label: string): PartialPolicy {
  const r = validatePolicy(x, label);
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.policy;
}

test('admin > user > default, field by field, with sources recorded', () => {
  const admin = valid({ revocation: 'hard', algorithms: { minRsaBits: 3072 }, anchors: [R1] }, 'admin policy');
  const user = valid(
    { revocation: 'off', online: true, algorithms: { minRsaBits: 1024, minEcBits: 384 }, anchors: [R2, R1], intermediates: [R3] },
    'user settings',
  );
  const { policy, sources, overridden } = resolvePolicy({ admin, user });
  assert.equal(policy.revocation, 'hard');
  assert.equal(sources.revocation, 'admin');
  assert.equal(policy.online, true);
  assert.equal(sources.online, 'user');
  assert.equal(policy.algorithms.minRsaBits, 3072);
  assert.equal(sources['algorithms.minRsaBits'], 'admin');
  assert.equal(policy.algorithms.minEcBits, 384);
  assert.equal(sources['algorithms.minEcBits'], 'user');
  assert.equal(policy.allowSha1, false);
  assert.equal(sources.allowSha1, 'default');
  // Anchors: union, de-duplicated, admin first.
  assert.deepEqual(policy.anchors, [R1, R2]);
  assert.equal(sources.anchors, 'admin+user');
  assert.equal(sources.intermediates, 'user');
  assert.deepEqual(overridden.sort(), ['algorithms.minRsaBits', 'revocation']);
  console.log(
    `# policy precedence: revocation=${policy.revocation} (${sources.revocation}, user said off), online=${policy.online} (${sources.online}), ` +
      `minRsaBits=${policy.algorithms.minRsaBits} (${sources['algorithms.minRsaBits']}), allowSha1=${policy.allowSha1} (${sources.allowSha1}), ` +
      `anchors=${policy.anchors.length} (${sources.anchors}); overridden user settings: ${overridden.join(', ')}`,
  );
});

test('an admin can exclude user anchors; userAnchors is admin-only', () => {
  const admin = valid({ userAnchors: false, anchors: [R1], bundledRoots: false }, 'admin policy');
  const user = valid({ anchors: [R2], userAnchors: true, bundledRoots: true }, 'user settings');
  const { policy, sources, overridden } = resolvePolicy({ admin, user });
  assert.deepEqual(policy.anchors, [R1]);
  assert.equal(sources.anchors, 'admin');
  assert.equal(policy.userAnchors, false);
  assert.equal(policy.bundledRoots, false);
  assert.ok(overridden.includes('anchors') && overridden.includes('userAnchors') && overridden.includes('bundledRoots'));

  // Without an admin, a user may not set userAnchors (admin-only) but everything else applies.
  const alone = resolvePolicy({ user: valid({ userAnchors: false, anchors: [R2] }, 'user settings') });
  assert.equal(alone.policy.userAnchors, true);
  assert.equal(alone.sources.userAnchors, 'default');
  assert.deepEqual(alone.policy.anchors, [R2]);
});

test('no sources: all defaults', () => {
  const { policy, sources, overridden } = resolvePolicy({});
  assert.equal(policy.revocation, 'soft');
  assert.ok(Object.values(sources).every((s) => s === 'default'));
  assert.deepEqual(overridden, []);
});

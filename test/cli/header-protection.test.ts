/**
 * cli/header-protection.ts: the sign/encrypt flags for header protection are user settings; a policy file that
 * sets the field wins and the flag is reported as ignored (an administrator's "on" cannot be turned off by a flag).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { headerProtectionFromArgs } from '../../cli/header-protection';
import { defaultPolicy, resolvePolicy, validatePolicy, type PartialPolicy } from '../../src/index';

const cliWith = (admin?: PartialPolicy) => resolvePolicy({ admin });
const args = (off: boolean, hcp?: string) => ({ flags: { 'no-header-protection': off }, single: { 'header-confidentiality': hcp } });

test('defaults: header protection on, baseline; the flags turn it off or to none', () => {
  assert.deepEqual(headerProtectionFromArgs(cliWith(), args(false)).options, { headerProtection: true, headerConfidentiality: 'baseline' });
  assert.deepEqual(headerProtectionFromArgs(cliWith(), args(true, 'NONE')).options, { headerProtection: false, headerConfidentiality: 'none' });
  assert.throws(() => headerProtectionFromArgs(cliWith(), args(false, 'shy')), /unknown --header-confidentiality shy/);
});

test('a policy file that sets the fields wins over the flags, with a note for each ignored flag', () => {
  const r = headerProtectionFromArgs(cliWith({ headerProtection: true, headerConfidentiality: 'baseline' }), args(true, 'none'));
  assert.deepEqual(r.options, { headerProtection: true, headerConfidentiality: 'baseline' });
  assert.deepEqual(r.notes, ['--no-header-protection ignored: the policy file sets "headerProtection"', '--header-confidentiality ignored: the policy file sets "headerConfidentiality"']);
  // A policy file that allows "none" is used when no flag says otherwise.
  assert.equal(headerProtectionFromArgs(cliWith({ headerConfidentiality: 'none' }), args(false)).options.headerConfidentiality, 'none');
});

test('the policy schema takes headerProtection true/false and headerConfidentiality baseline/none only', () => {
  assert.ok(validatePolicy({ headerProtection: false, headerConfidentiality: 'none' }, 'policy').ok);
  const bad = validatePolicy({ headerProtection: 'yes', headerConfidentiality: 'shy' }, 'policy');
  assert.ok(!bad.ok);
  assert.equal(bad.errors.length, 2, bad.errors.join('; '));
  assert.deepEqual([defaultPolicy().headerProtection, defaultPolicy().headerConfidentiality], [true, 'baseline']);
});

/**
 * The header protection flags of `sign` and `encrypt` (RFC 9788; src/compose/protect-headers.ts):
 * `--no-header-protection` sends without copies of the message fields inside, `--header-confidentiality none`
 * leaves the Subject of encrypted mail readable by relays (default `baseline`: "Subject: [...]" outside).
 * They are user settings: a policy file (--policy, the administrator's) that sets the field decides, and the flag
 * is then ignored with a one-line note on stderr.
 */
import { HEADER_CONFIDENTIALITY, resolvePolicy, type HeaderConfidentiality, type HeaderProtectionOptions, type PartialPolicy } from '../src/index';
import type { CliPolicy } from './policy';
import { UsageError } from './commands/types';

export const HEADER_PROTECTION_USAGE = '[--no-header-protection] [--header-confidentiality baseline|none]';
export const HEADER_PROTECTION_FLAGS = ['no-header-protection'] as const;
export const HEADER_PROTECTION_SINGLE = ['header-confidentiality'] as const;

/** The send options from the policy file and the flags; notes for stderr when the policy file overrides a flag. */
export function headerProtectionFromArgs(
  cli: Pick<CliPolicy, 'policy' | 'sources'>,
  a: { flags: { 'no-header-protection': boolean }; single: { 'header-confidentiality'?: string } },
): { options: HeaderProtectionOptions; notes: string[] } {
  const hcp = a.single['header-confidentiality']?.toLowerCase();
  if (hcp !== undefined && !HEADER_CONFIDENTIALITY.includes(hcp as HeaderConfidentiality)) {
    throw new UsageError(`unknown --header-confidentiality ${a.single['header-confidentiality']} (baseline or none)`);
  }
  const user: PartialPolicy = {};
  if (a.flags['no-header-protection']) user.headerProtection = false;
  if (hcp !== undefined) user.headerConfidentiality = hcp as HeaderConfidentiality;
  // The policy file is the admin layer: re-resolving only these two fields with the flags as the user layer.
  const admin: PartialPolicy = {};
  if (cli.sources.headerProtection === 'admin') admin.headerProtection = cli.policy.headerProtection;
  if (cli.sources.headerConfidentiality === 'admin') admin.headerConfidentiality = cli.policy.headerConfidentiality;
  const { policy, overridden } = resolvePolicy({ admin, user });
  const notes = overridden
    .filter((p) => p === 'headerProtection' || p === 'headerConfidentiality')
    .map((p) => (p === 'headerProtection' ? '--no-header-protection' : '--header-confidentiality') + ` ignored: the policy file sets "${p}"`);
  return { options: { headerProtection: policy.headerProtection, headerConfidentiality: policy.headerConfidentiality }, notes };
}

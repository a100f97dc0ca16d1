/**
 * How one stored key is protected, in the words both hosts show next to it (Outlook Settings, Thunderbird options):
 * src/keys/protected-keystore.ts decides, this only says it.
 */
import type { StoredIdentitySummary } from '../src/index';

/** `profile` names where an unprotected key lives ("this browser profile", "your profile"). */
export function keyProtectionLabel(id: Pick<StoredIdentitySummary, 'disallowed' | 'protection'>, locked: boolean, profile: string): string {
  if (id.disallowed) return 'not used: your administrator requires a passphrase';
  if (id.protection === 'passphrase') return locked ? 'protected by your passphrase, locked' : 'protected by your passphrase';
  return `no passphrase: protected by ${profile} only`;
}

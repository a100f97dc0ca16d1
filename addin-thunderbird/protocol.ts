/** Messages between the add-on's pages (popup, options, compose popup) and its background script. */
import type { AuditFilter, HeaderProtectionOptions, ReportOptions } from '../src/index';
import type { ComposeChoice } from './compose-defaults';

/** Reads of the background's audit log by the options page (audit-bridge.ts). */
export type AuditRequest =
  | { type: 'audit-stats' }
  | { type: 'audit-list'; filter?: AuditFilter }
  | { type: 'audit-export-text'; format: 'jsonl' | 'csv'; filter?: AuditFilter }
  | { type: 'audit-report'; opts?: ReportOptions };

export type BackgroundRequest =
  | { type: 'verdict-for-tab'; tabId: number }
  | { type: 'recheck'; tabId: number }
  | { type: 'verdict-for-message'; messageId: number }
  | { type: 'settings-changed' }
  | { type: 'new-mail-stats' }
  | AuditRequest
  /** Answer: the remembered intermediates as saved (base64 DER), oldest first. */
  | { type: 'intermediates-list' }
  /** Forgets one remembered intermediate (its saved form), or all without `saved`. Answer: the list after. */
  | { type: 'intermediates-forget'; saved?: string }
  /** The background's key store: whether a passphrase is set and whether it holds the keys unlocked. Answer: KeysState. */
  | { type: 'keys-state' }
  /** Unlock the stored keys in the background for this session. Answer: { ok, message? }. */
  | { type: 'keys-unlock'; passphrase: string }
  | { type: 'compose-get'; tabId: number }
  | { type: 'compose-set'; tabId: number; choice: ComposeChoice };

/** What the compose popup shows: the choice, whether it can be honoured, and the last send failure. */
export interface ComposeState {
  choice: ComposeChoice;
  /** Why signing is impossible right now (no identity for the From address), or undefined. */
  signProblem?: string;
  /** Recipients without a known certificate (encryption impossible), or undefined. */
  encryptProblem?: string;
  lastError?: string;
  /** Header protection (RFC 9788) as the policy sets it, for the popup's note on what relays will see. */
  headerProtection?: HeaderProtectionOptions;
  /** A reply/forward whose Subject or recipients came from the protected header (RFC 9788 §6): what changed. */
  responseNote?: string;
}

/** The audit log's state for the options page: on or off by policy, and its counts (absent: could not be opened). */
export interface AuditStatsReply {
  enabled: boolean;
  stats?: { count: number; dropped: number; queued?: number };
}

/** The background's key store, for the options page. */
export interface KeysState {
  hasPassphrase: boolean;
  unlocked: boolean;
  /** Stored identities that are locked in the background, and ones not used because the policy requires a passphrase. */
  locked: number;
  disallowed: number;
}

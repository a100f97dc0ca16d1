/** Messages between the add-on's pages (popup, options, compose popup) and its background script. */
import type { ComposeChoice } from './compose-defaults';

export type BackgroundRequest =
  | { type: 'verdict-for-tab'; tabId: number }
  | { type: 'recheck'; tabId: number }
  | { type: 'verdict-for-message'; messageId: number }
  | { type: 'settings-changed' }
  | { type: 'audit-export' }
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
}

/** The audit log for the options page: how many events, and all of them as JSON Lines. */
export interface AuditExport {
  enabled: boolean;
  count: number;
  jsonl: string;
}

/**
 * What the compose pane sent protected (signed and/or encrypted through Microsoft Graph), so the Smart Alerts
 * handler (send-check.ts) knows the draft still open in Outlook went out already: Outlook's own send of it would
 * be a second, unprotected copy. Kept in the add-in origin's localStorage (shared by the pane and the event
 * runtime in Outlook on the web and the new Outlook; classic Outlook on Windows runs the handler in a JavaScript-
 * only runtime without it, where the rule simply blocks). Bounded: the last 50 receipts of the last 24 hours; a
 * receipt holds a SHA-256 of sender, recipients and subject, never the addresses or the subject themselves.
 */
const KEY = 'smime-protected-sends';
const MAX = 50;
const TTL_MS = 24 * 3600 * 1000;

export interface Receipt {
  key: string;
  at: number;
  signed: boolean;
  encrypted: boolean;
}

/** The draft's fingerprint: sender, sorted recipients, subject. */
export async function draftKey(from: string, recipients: string[], subject: string): Promise<string> {
  const text = [from.toLowerCase(), [...new Set(recipients.map((r) => r.toLowerCase()))].sort().join(','), subject].join('\n');
  const d = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
  return Array.from(d, (b) => b.toString(16).padStart(2, '0')).join('');
}

function read(storage: Storage | undefined, now: number): Receipt[] {
  try {
    const list = JSON.parse(storage?.getItem(KEY) ?? '[]') as unknown;
    if (!Array.isArray(list)) return [];
    return list.filter((r): r is Receipt => typeof r?.key === 'string' && typeof r?.at === 'number' && now - r.at < TTL_MS);
  } catch {
    return [];
  }
}

function storageOf(): Storage | undefined {
  try {
    return globalThis.localStorage;
  } catch {
    return undefined;
  }
}

export function recordReceipt(r: Receipt, storage = storageOf()): void {
  const list = [...read(storage, r.at).filter((x) => x.key !== r.key), r].slice(-MAX);
  try {
    storage?.setItem(KEY, JSON.stringify(list));
  } catch {
    // Storage full or blocked: the handler then blocks by rule alone, which is the safe side.
  }
}

export function findReceipt(key: string, now = Date.now(), storage = storageOf()): Receipt | undefined {
  return read(storage, now).find((r) => r.key === key);
}

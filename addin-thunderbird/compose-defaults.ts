/** The user's defaults for new messages (sign / encrypt), in storage.local. */
import type { StorageArea } from './messenger';

export const COMPOSE_DEFAULTS_KEY = 'composeDefaults';

export interface ComposeChoice {
  sign: boolean;
  encrypt: boolean;
}

export async function readComposeDefaults(local: StorageArea): Promise<ComposeChoice> {
  const v = (await local.get(COMPOSE_DEFAULTS_KEY))[COMPOSE_DEFAULTS_KEY] as Partial<ComposeChoice> | undefined;
  return { sign: v?.sign === true, encrypt: v?.encrypt === true };
}

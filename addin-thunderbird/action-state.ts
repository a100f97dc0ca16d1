/**
 * What the message display action shows for a verdict: icon, badge, colour and title. Pure, so it is unit
 * tested without Thunderbird. The title starts with the verdict's short human phrase (VERDICT_PHRASE), the
 * same words the popup and the Outlook pane use, then one sentence of why.
 */
import type { Verdict, VerdictWord } from '../src/index';
import { VERDICT_PHRASE } from '../src/index';

export interface ActionState {
  /** Icon path inside the add-on. */
  icon: string;
  /** Short badge text ('' = no badge). Unsigned mail is the norm: no badge, so signed mail stands out. */
  badge: string;
  badgeColor: string;
  /** The button's label: the short phrase only (the toolbar has little room). */
  label: string;
  /** Tooltip: phrase first, then the verdict's summary and a hint at the popup. */
  title: string;
}

const BADGE: Record<VerdictWord, { badge: string; color: string }> = {
  trusted: { badge: '✓', color: '#1a7f37' },
  untrusted: { badge: '!', color: '#b35900' },
  invalid: { badge: '✗', color: '#c62828' },
  unsigned: { badge: '', color: '#6e7781' },
  error: { badge: '?', color: '#6f42c1' },
};

/** Longest tooltip we set: Thunderbird shows it on one line. */
const MAX_TITLE = 300;

export function actionStateFor(v: Verdict): ActionState {
  const phrase = VERDICT_PHRASE[v.verdict];
  const parts = [phrase];
  const detail = v.verdict === 'error' ? v.error.message : v.summary;
  if (detail && detail !== phrase) parts.push(detail);
  // The warnings a reader must not miss even without opening the popup.
  if (v.sender === 'mismatch') parts.push('The sender is not the signer.');
  if (v.coverage === 'partial' && !(v.outsideEncryption && v.signature === 'absent')) parts.push('Only part of this message is signed.');
  if (v.outsideEncryption) parts.push('Only part of this message was encrypted; the rest is not.');
  else if (v.encrypted) parts.push(v.decrypted ? 'Encrypted; decrypted with your key.' : 'Encrypted; not decrypted here.');
  let title = parts.join(' — ');
  if (title.length > MAX_TITLE) title = `${title.slice(0, MAX_TITLE - 1)}…`;
  // A partly encrypted message gets a warning badge even when nothing is signed (its word is then "Not signed").
  const b = v.outsideEncryption && v.verdict === 'unsigned' ? BADGE.untrusted : BADGE[v.verdict];
  return { icon: `icons/${v.verdict}.svg`, badge: b.badge, badgeColor: b.color, label: phrase, title };
}

export const CHECKING_STATE: ActionState = {
  icon: 'icons/checking.svg',
  badge: '…',
  badgeColor: '#6e7781',
  label: 'Checking…',
  title: 'Checking the signature…',
};

export const MANY_STATE: ActionState = {
  icon: 'icons/unsigned.svg',
  badge: '',
  badgeColor: '#6e7781',
  label: 'S/MIME',
  title: 'S/MIME: select one message to check its signature',
};

/**
 * How the real task pane finds the playground: playground.html (same origin) hosts taskpane.html in an iframe
 * and exposes a simulated Outlook mailbox and its sample CA on `window.smimePlayground`. Inside Outlook the parent
 * is another origin, reading it throws, and this returns undefined.
 */
import type { Mailbox } from './office';

export interface PlaygroundEnvironment {
  mailbox: Mailbox;
  /** PEM of the playground's test root: trusted inside the playground only, never stored. */
  anchors: string[];
  note: string;
  /**
   * "Check as of": when set, the pane checks at this time instead of now (VerifyOptions.at), so an old message
   * whose certificate has since expired can be checked as it stood when it arrived. Only the playground sets it.
   */
  at?: Date;
  /**
   * A file dropped on the pane: the playground opens it as the simulated mailbox's current item (shown in its
   * reading pane, re-checked on settings changes) instead of the pane checking it on its own.
   */
  openFile?: (file: File) => void;
}

/**
 * Set by the build (webpack DefinePlugin): true only in the playground build (dist/outlook-playground). In the
 * production build this function returns undefined before touching the parent, and the rest is dropped as dead
 * code, so no same-origin page can hand the deployed pane a mailbox or anchors.
 */
declare const __SMIME_PLAYGROUND__: boolean | undefined;

export function playgroundEnvironment(win: Window): PlaygroundEnvironment | undefined {
  if (typeof __SMIME_PLAYGROUND__ === 'undefined' || !__SMIME_PLAYGROUND__) return undefined;
  if (win.parent === win) return undefined;
  try {
    const env = (win.parent as unknown as { smimePlayground?: PlaygroundEnvironment }).smimePlayground;
    if (!env || typeof env !== 'object' || !env.mailbox) return undefined;
    return env;
  } catch {
    return undefined; // cross-origin parent: the real Outlook
  }
}

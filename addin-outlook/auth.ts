/**
 * Access tokens for Microsoft Graph through nested app authentication (NAA): MSAL asks the Outlook host, which
 * already has the user signed in, through the host's bridge (window.nestedAppAuthBridge) — no redirect page, no
 * secret in the add-in. Loaded on demand: MSAL is large and only Graph features need it.
 *
 * Scopes, least first: Mail.Read to fetch a message's MIME when Outlook will not hand it over; Mail.Send to send
 * a signed/encrypted message as MIME. Both are delegated permissions of the app registration (see README).
 */
import type { GraphConfig } from './config';

export type TokenSource = (scopes: string[]) => Promise<string>;

interface Pca {
  acquireTokenSilent(r: { scopes: string[] }): Promise<{ accessToken: string }>;
  acquireTokenPopup(r: { scopes: string[] }): Promise<{ accessToken: string }>;
}

export function naaTokenSource(cfg: GraphConfig): TokenSource {
  let pca: Promise<Pca> | undefined;
  return async (scopes) => {
    pca ??= import(/* webpackChunkName: "msal" */ '@azure/msal-browser').then(
      (msal) => msal.createNestablePublicClientApplication({ auth: { clientId: cfg.clientId, authority: cfg.authority } }) as Promise<Pca>,
    );
    const app = await pca;
    try {
      return (await app.acquireTokenSilent({ scopes })).accessToken;
    } catch {
      // Consent or sign-in needed: the host shows its own prompt.
      return (await app.acquireTokenPopup({ scopes })).accessToken;
    }
  };
}

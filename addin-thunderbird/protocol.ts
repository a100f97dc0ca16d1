/** Messages between the add-on's pages (popup, options, compose popup) and its background script. */
export type PopupRequest = { type: 'verdict-for-tab'; tabId: number };

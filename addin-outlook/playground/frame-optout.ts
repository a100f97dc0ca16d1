/**
 * Loaded by taskpane.html BEFORE office.js. office.js, when it finds itself in a frame of a plain browser page
 * (no Office host), navigates that frame to about:blank unless a global `OsfOptOut` is defined. The playground
 * hosts the real pane in such a frame, so when (and only when) the parent is the same-origin playground, this
 * opts out. Inside Outlook the parent is another origin: reading it throws and nothing is set; office.js there
 * has its host information and never takes that path anyway.
 */
try {
  if (window.parent !== window && (window.parent as unknown as { smimePlayground?: unknown }).smimePlayground) {
    (window as unknown as { OsfOptOut?: boolean }).OsfOptOut = true;
  }
} catch {
  // cross-origin parent: the real Outlook
}

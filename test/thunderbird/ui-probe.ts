/**
 * Reads what the user sees, through Marionette in Thunderbird's chrome: the message display action button
 * of the current message tab (badge, tooltip), its popup (rendered text, the status element's data-verdict),
 * and a screenshot of the window with the popup drawn where Thunderbird shows it.
 *
 * The popup is a remote (extension-process) browser: its DOM is read by a one-line frame script that posts
 * the text back through the browser's message manager, the way Firefox's own tests reach remote content.
 */
import type { Marionette } from './marionette';
import { sleep } from './harness';

export const ADDON_ID = 'smime-addin@smime-addin.org';
/** Thunderbird's widget id: the add-on id lower-cased with every other character replaced by "_". */
export const WIDGET = ADDON_ID.toLowerCase().replace(/[^a-z0-9_-]/g, '_');

const FIND_BUTTON = `
  const w = Services.wm.getMostRecentWindow("mail:3pane");
  const info = w.document.getElementById("tabmail").currentTabInfo;
  const doc = info.chromeBrowser ? info.chromeBrowser.contentDocument : null;
  const btn = doc ? doc.getElementById(${JSON.stringify(`${WIDGET}-messageDisplayAction-toolbarbutton`)}) : null;
`;

export interface ButtonState {
  /** Title of the tab the button belongs to (the message's subject). */
  tab?: string;
  badge: string;
  title: string;
  label: string;
  disabled: boolean;
}

export async function actionButton(m: Marionette): Promise<ButtonState | null> {
  return m.chrome(`${FIND_BUTTON}
    if (!btn) return null;
    return { tab: info.title || "", badge: btn.getAttribute("badge") || "", title: btn.getAttribute("tooltiptext") || "",
             label: btn.getAttribute("label") || "", disabled: btn.disabled === true };`);
}

/**
 * Waits until the button shows a finished verdict (not the "checking" state) — in the tab showing `subject`
 * when given, so a previous message's state is never taken for this one's.
 */
export async function settledButton(m: Marionette, timeoutMs = 20000, subject?: string): Promise<ButtonState> {
  const end = Date.now() + timeoutMs;
  let last: ButtonState | null = null;
  while (Date.now() < end) {
    last = await actionButton(m);
    const right = !subject || last?.tab === subject;
    // The add-on sets title and badge in parallel: wait for both to leave the "checking" state.
    if (right && last && last.title && !last.title.startsWith('Checking') && last.title !== 'S/MIME' && last.badge !== '…') return last;
    await sleep(50);
  }
  throw new Error(`the action button did not settle: ${JSON.stringify(last)}`);
}

export interface PopupContent {
  text: string;
  verdict: string | null;
  ready: boolean;
}

/** Clicks the action button, waits for the popup to render, and returns its text. */
export async function openPopup(m: Marionette, timeoutMs = 15000): Promise<PopupContent> {
  await m.chrome(`${FIND_BUTTON} if (!btn) throw new Error("no action button"); btn.click(); return true;`);
  const end = Date.now() + timeoutMs;
  let last: PopupContent | null = null;
  while (Date.now() < end) {
    last = await readPopup(m);
    if (last && last.ready) return last;
    await sleep(100);
  }
  throw new Error(`the popup did not render: ${JSON.stringify(last)}`);
}

export async function readPopup(m: Marionette): Promise<PopupContent | null> {
  await m.command('WebDriver:SetTimeouts', { script: 10000 });
  const r = await m.command('WebDriver:ExecuteAsyncScript', {
    script: `
      const resolve = arguments[arguments.length - 1];
      const w = Services.wm.getMostRecentWindow("mail:3pane");
      let b = null;
      for (const x of w.document.querySelectorAll("panel browser"))
        if (x.currentURI && /\\/popup\\.html$/.test(x.currentURI.spec) && x.closest("panel").state === "open") b = x;
      if (!b) return resolve(null);
      const mm = b.messageManager;
      const name = "smime-probe:" + Math.random();
      mm.addMessageListener(name, function l(msg) { mm.removeMessageListener(name, l); resolve(msg.data); });
      mm.loadFrameScript("data:," + encodeURIComponent(
        "const d = content.document; const s = d.querySelector('[data-verdict]');" +
        "sendAsyncMessage(" + JSON.stringify(name) + ", { text: d.body ? d.body.innerText : '', " +
        "verdict: s ? s.getAttribute('data-verdict') : null, ready: !!(d.body && d.body.dataset.ready) });"), false);`,
    args: [],
  });
  return (r && typeof r === 'object' && 'value' in r ? r.value : r) as PopupContent | null;
}

/** Closes any open action popup. */
export async function closePopup(m: Marionette): Promise<void> {
  await m.chrome(`
    const w = Services.wm.getMostRecentWindow("mail:3pane");
    for (const p of w.document.querySelectorAll("panel")) if (p.state === "open") p.hidePopup();
    return true;`);
  await sleep(100);
}

/**
 * A PNG of the Thunderbird window (the main one, or e.g. 'msgcompose') with the open popup (a separate widget that
 * window screenshots miss) drawn at its place on screen. Both are drawn with WindowGlobalParent.drawSnapshot, which also paints remote content.
 */
export async function screenshotWithPopup(m: Marionette, windowType = 'mail:3pane'): Promise<Buffer> {
  await m.command('WebDriver:SetTimeouts', { script: 15000 });
  const r = await m.command('WebDriver:ExecuteAsyncScript', {
    script: `
      const resolve = arguments[arguments.length - 1];
      (async () => {
        const w = Services.wm.getMostRecentWindow(arguments[0]);
        const scale = w.devicePixelRatio || 1;
        const win = await w.browsingContext.currentWindowGlobal.drawSnapshot(null, scale, "white");
        const canvas = w.document.createElementNS("http://www.w3.org/1999/xhtml", "canvas");
        canvas.width = win.width; canvas.height = win.height;
        const ctx = canvas.getContext("2d");
        ctx.drawImage(win, 0, 0);
        for (const b of w.document.querySelectorAll("panel browser")) {
          const panel = b.closest("panel");
          if (panel.state !== "open" || !b.browsingContext || !b.browsingContext.currentWindowGlobal) continue;
          const img = await b.browsingContext.currentWindowGlobal.drawSnapshot(null, scale, "white");
          const rect = b.getBoundingClientRect();
          const x = Math.max(0, Math.min(canvas.width - img.width, (b.screenX - w.mozInnerScreenX) * scale));
          const y = Math.max(0, Math.min(canvas.height - img.height, (b.screenY - w.mozInnerScreenY) * scale));
          ctx.fillStyle = "rgba(0,0,0,0.25)";
          ctx.fillRect(x + 3, y + 3, img.width, img.height);
          ctx.drawImage(img, x, y);
          ctx.strokeStyle = "#8c959f"; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, y + 0.5, img.width - 1, img.height - 1);
          void rect;
        }
        return canvas.toDataURL("image/png");
      })().then(resolve, (e) => resolve("error:" + e));`,
    args: [windowType],
  });
  const v = (r && typeof r === 'object' && 'value' in r ? r.value : r) as string;
  if (!v.startsWith('data:image/png;base64,')) throw new Error(`screenshot failed: ${v.slice(0, 300)}`);
  return Buffer.from(v.slice('data:image/png;base64,'.length), 'base64');
}

/**
 * Runs `body` (the body of an async function; `doc` is the page's document, `win` its window) in the add-on
 * page whose URL ends with `pathSuffix` (an options tab, a compose popup), via a frame script, and returns
 * what it returns (structured-cloneable). The page is remote; this is how the test types and clicks in it.
 */
export async function inPage<T = unknown>(m: Marionette, pathSuffix: string, body: string, timeoutMs = 20000): Promise<T> {
  await m.command('WebDriver:SetTimeouts', { script: timeoutMs });
  const frame = `(async () => { const doc = content.document; const win = content; ${body} })()` +
    `.then((v) => sendAsyncMessage(NAME, { ok: true, v }), (e) => sendAsyncMessage(NAME, { ok: false, e: String(e) }));`;
  const r = await m.command('WebDriver:ExecuteAsyncScript', {
    script: `
      const [suffix, frame] = arguments;
      const resolve = arguments[arguments.length - 1];
      let b = null;
      for (const win of Services.wm.getEnumerator(null))
        for (const x of win.document.querySelectorAll("browser"))
          if (x.currentURI && x.currentURI.spec.endsWith(suffix)) b = x;
      if (!b) return resolve({ ok: false, e: "no page " + suffix });
      const mm = b.messageManager;
      const name = "smime-page:" + Math.random();
      mm.addMessageListener(name, function l(msg) { mm.removeMessageListener(name, l); resolve(msg.data); });
      mm.loadFrameScript("data:," + encodeURIComponent("const NAME = " + JSON.stringify(name) + ";" + frame), false);`,
    args: [pathSuffix, frame],
  });
  const v = (r && typeof r === 'object' && 'value' in r ? r.value : r) as { ok: boolean; v?: T; e?: string };
  if (!v || !v.ok) throw new Error(`in ${pathSuffix}: ${v?.e}`);
  return v.v as T;
}

/** Opens the add-on's options page in a tab and waits until it has rendered. */
export async function openOptions(m: Marionette): Promise<void> {
  await m.chrome(`
    const url = WebExtensionPolicy.getByID(${JSON.stringify(ADDON_ID)}).getURL("options.html");
    const w = Services.wm.getMostRecentWindow("mail:3pane");
    w.document.getElementById("tabmail").openTab("contentTab", { url });
    return true;`);
  const end = Date.now() + 15000;
  for (;;) {
    try {
      if (await inPage<boolean>(m, '/options.html', 'return doc.body && doc.body.dataset.ready === "true";')) return;
    } catch {
      /* not there yet */
    }
    if (Date.now() > end) throw new Error('the options page did not render');
    await sleep(100);
  }
}

/** Closes tabs showing an add-on page whose URL ends with `suffix`. */
export async function closePageTabs(m: Marionette, suffix: string): Promise<void> {
  await m.chrome(`
    const w = Services.wm.getMostRecentWindow("mail:3pane");
    const tabmail = w.document.getElementById("tabmail");
    for (const t of [...tabmail.tabInfo]) {
      const b = t.browser;
      if (b && b.currentURI && b.currentURI.spec.endsWith(${JSON.stringify(suffix)})) tabmail.closeTab(t);
    }
    return true;`);
}

/** Pastes PEM text into one of the options page's "add" boxes, clicks its button, returns the status line. */
export async function addPemInOptions(m: Marionette, which: 'anchor' | 'inter' | 'recip', pem: string): Promise<string> {
  return inPage<string>(
    m,
    '/options.html',
    `const ta = doc.getElementById(${JSON.stringify(`${which}-pem`)});
     ta.value = ${JSON.stringify(pem)};
     const st = doc.getElementById(${JSON.stringify(`${which}-status`)});
     st.textContent = "";
     doc.getElementById(${JSON.stringify(`${which}-add`)}).click();
     for (let i = 0; i < 200 && !st.textContent; i++) await new Promise((r) => win.setTimeout(r, 25));
     return st.textContent;`,
  );
}

/** Imports a PKCS#12 through the options page's form (file input filled with the bytes, password typed). */
export async function importP12InOptions(m: Marionette, p12: Uint8Array, password: string, passphrase = ''): Promise<string> {
  const b64 = Buffer.from(p12).toString('base64');
  return inPage<string>(
    m,
    '/options.html',
    `const bytes = Uint8Array.from(win.atob(${JSON.stringify(b64)}), (c) => c.charCodeAt(0));
     const file = new win.File([bytes], "me.p12", { type: "application/x-pkcs12" });
     const dt = new win.DataTransfer();
     dt.items.add(file);
     doc.getElementById("p12-file").files = dt.files;
     doc.getElementById("p12-password").value = ${JSON.stringify(password)};
     doc.getElementById("p12-passphrase").value = ${JSON.stringify(passphrase)};
     const st = doc.getElementById("p12-status");
     st.textContent = "";
     doc.getElementById("p12-import").click();
     for (let i = 0; i < 400 && (!st.textContent || st.textContent.startsWith("Importing")); i++) await new Promise((r) => win.setTimeout(r, 25));
     return st.textContent;`,
    30000,
  );
}

/** The compose action button of the most recent compose window: badge, tooltip, label. */
export async function composeButton(m: Marionette): Promise<ButtonState | null> {
  return m.chrome(`
    const w = Services.wm.getMostRecentWindow("msgcompose");
    const btn = w && w.document.getElementById(${JSON.stringify(`${WIDGET}-composeAction-toolbarbutton`)});
    if (!btn) return null;
    return { badge: btn.getAttribute("badge") || "", title: btn.getAttribute("tooltiptext") || "",
             label: btn.getAttribute("label") || "", disabled: btn.disabled === true };`);
}

/** Opens the compose action's popup in the most recent compose window and waits for it to render. */
export async function openComposePopup(m: Marionette): Promise<void> {
  await m.chrome(`
    const w = Services.wm.getMostRecentWindow("msgcompose");
    if (!w) throw new Error("no compose window");
    const btn = w.document.getElementById(${JSON.stringify(`${WIDGET}-composeAction-toolbarbutton`)});
    if (!btn) throw new Error("no compose action button");
    btn.click();
    return true;`);
  const end = Date.now() + 15000;
  for (;;) {
    try {
      if (await inPage<boolean>(m, '/compose.html', 'return doc.body && doc.body.dataset.ready === "true";')) return;
    } catch {
      /* not open yet */
    }
    if (Date.now() > end) throw new Error('the compose popup did not render');
    await sleep(100);
  }
}

/** Closes open panels of the most recent compose window. */
export async function closeComposePopup(m: Marionette): Promise<void> {
  await m.chrome(`
    const w = Services.wm.getMostRecentWindow("msgcompose");
    if (w) for (const p of w.document.querySelectorAll("panel")) if (p.state === "open") p.hidePopup();
    return true;`);
  await sleep(100);
}

/** How many compose windows are open. */
export async function composeWindowCount(m: Marionette): Promise<number> {
  return m.chrome(`return [...Services.wm.getEnumerator("msgcompose")].length;`);
}

/** Imports a PKCS#12 into Thunderbird's own certificate store (NSS), as a user would in its Certificate Manager. */
export async function importP12IntoThunderbird(m: Marionette, p12Path: string, password: string): Promise<number> {
  return m.chrome(
    `const [path, pw] = arguments;
     const f = Cc["@mozilla.org/file/local;1"].createInstance(Ci.nsIFile);
     f.initWithPath(path);
     const db = Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB);
     return db.importPKCS12File(f, pw);`,
    [p12Path, password],
  );
}

/** A PNG of the (popup) window whose page URL ends with `suffix`, drawn with drawSnapshot (remote content too). */
export async function screenshotWindowOf(m: Marionette, suffix: string): Promise<Buffer> {
  await m.command('WebDriver:SetTimeouts', { script: 15000 });
  const r = await m.command('WebDriver:ExecuteAsyncScript', {
    script: `
      const [suffix] = arguments;
      const resolve = arguments[arguments.length - 1];
      (async () => {
        for (const w of Services.wm.getEnumerator(null)) {
          for (const b of w.document.querySelectorAll("browser")) {
            if (!(b.currentURI && b.currentURI.spec.endsWith(suffix))) continue;
            const img = await b.browsingContext.currentWindowGlobal.drawSnapshot(null, 1, "white");
            const c = w.document.createElementNS("http://www.w3.org/1999/xhtml", "canvas");
            c.width = img.width; c.height = img.height;
            c.getContext("2d").drawImage(img, 0, 0);
            return c.toDataURL("image/png");
          }
        }
        return "error:no window";
      })().then(resolve, (e) => resolve("error:" + e));`,
    args: [suffix],
  });
  const v = (r && typeof r === 'object' && 'value' in r ? r.value : r) as string;
  if (!v.startsWith('data:image/png;base64,')) throw new Error(`screenshot failed: ${v.slice(0, 300)}`);
  return Buffer.from(v.slice('data:image/png;base64,'.length), 'base64');
}

"use strict";
// The e2e driver: long-polls the test's loopback server for commands, runs them with the WebExtension APIs,
// posts the results. Test-only; it never ships and never talks to anything but 127.0.0.1.
let BASE = null;
const seen = [];

async function post(path, body) {
  await fetch(BASE + path, { method: "POST", body: JSON.stringify(body), headers: { "Content-Type": "text/plain" } });
}

async function localFolder(name) {
  const accounts = await messenger.accounts.list(false);
  const isLocal = (a) => a.type === "none" || a.type === "local";
  const local = accounts.find((a) => isLocal(a) && a.name === "Local Folders") || accounts.find(isLocal);
  if (!local) throw new Error("no Local Folders account: " + JSON.stringify(accounts.map((a) => [a.type, a.name])));
  const root = local.rootFolder;
  let subs = await messenger.folders.getSubFolders(root.id, false);
  let f = subs.find((s) => s.name === name);
  if (!f) {
    await messenger.folders.create(root.id, name);
    // On a fresh Local Folders account create() may resolve with another folder: look it up again.
    subs = await messenger.folders.getSubFolders(root.id, false);
    f = subs.find((s) => s.name === name);
  }
  return f;
}

messenger.messageDisplay.onMessagesDisplayed.addListener((tab, list) => {
  const msgs = list.messages || list;
  seen.push({ tabId: tab.id, ids: msgs.map((m) => m.id), at: Date.now() });
});

const events = [];
const note = (name) => (...args) => events.push({ name, at: Date.now(), args: JSON.parse(JSON.stringify(args, (k, v) => (k === "messages" && Array.isArray(v) ? v.map((m) => m.id) : v))) });
messenger.tabs.onCreated.addListener(note("tabs.onCreated"));
messenger.tabs.onUpdated.addListener(note("tabs.onUpdated"));
if (messenger.mailTabs) messenger.mailTabs.onSelectedMessagesChanged.addListener(note("mailTabs.onSelectedMessagesChanged"));
messenger.messageDisplay.onMessagesDisplayed.addListener(note("messageDisplay.onMessagesDisplayed"));

const COMMANDS = {
  async events() { return events; },
  async displayedIn({ tabId }) {
    const r = await messenger.messageDisplay.getDisplayedMessages(tabId);
    return (r.messages || r).map((m) => m.id);
  },
  async ping() { return { ok: true, browser: await messenger.runtime.getBrowserInfo() }; },
  async import({ file, folder }) {
    const f = await localFolder(folder || "Inbox");
    const bytes = await (await fetch(BASE + "/file/" + encodeURIComponent(file))).arrayBuffer();
    const hdr = await messenger.messages.import(new File([bytes], file, { type: "message/rfc822" }), f.id);
    return { id: hdr.id, subject: hdr.subject, folderId: f.id };
  },
  // Imports files as NEW mail (the New flag set, as a delivery does), so Thunderbird reports them through
  // messages.onNewMailReceived; returns the time the imports took.
  async importNew({ files, folder }) {
    const f = await localFolder(folder || "Incoming");
    const t0 = Date.now();
    const ids = [];
    for (const file of files) {
      const bytes = await (await fetch(BASE + "/file/" + encodeURIComponent(file))).arrayBuffer();
      const hdr = await messenger.messages.import(new File([bytes], file, { type: "message/rfc822" }), f.id, { new: true, read: false });
      ids.push(hdr.id);
    }
    return { ids, folderId: f.id, ms: Date.now() - t0 };
  },
  // Every message of a Local Folders folder (missing folder: none), with its Message-ID and tags.
  async folderMessages({ folder }) {
    const accounts = await messenger.accounts.list(false);
    const isLocal = (a) => a.type === "none" || a.type === "local";
    const local = accounts.find((a) => isLocal(a) && a.name === "Local Folders") || accounts.find(isLocal);
    const f = (await messenger.folders.getSubFolders(local.rootFolder.id, false)).find((s) => s.name === folder);
    if (!f) return [];
    const out = [];
    let page = await messenger.messages.list(f.id);
    for (;;) {
      for (const m of page.messages) out.push({ id: m.id, messageId: m.headerMessageId, tags: m.tags, author: m.author });
      if (!page.id) break;
      page = await messenger.messages.continueList(page.id);
    }
    return out;
  },
  async tagsList() { return messenger.messages.tags.list(); },
  async open({ messageId, noWait }) {
    const p = messenger.messageDisplay.open({ messageId, location: "tab", active: true });
    // Thunderbird never resolves open() for a message it cannot display (e.g. encrypted to a key it lacks).
    if (noWait) return { pending: true };
    const tab = await p;
    return { tabId: tab.id, windowId: tab.windowId };
  },
  async openFile({ file }) {
    const bytes = await (await fetch(BASE + "/file/" + encodeURIComponent(file))).arrayBuffer();
    const tab = await messenger.messageDisplay.open({ file: new File([bytes], file, { type: "message/rfc822" }), location: "tab", active: true });
    return { tabId: tab.id, windowId: tab.windowId };
  },
  async select({ messageId }) {
    const [mail] = await messenger.tabs.query({ type: "mail" });
    await messenger.tabs.update(mail.id, { active: true });
    await messenger.mailTabs.setSelectedMessages(mail.id, [messageId]);
    return { tabId: mail.id };
  },
  async closeTab({ tabId }) { await messenger.tabs.remove(tabId); return true; },
  async displayed() { return seen; },
  async identities() {
    const accounts = await messenger.accounts.list(false);
    return accounts.flatMap((a) => (a.identities || []).map((i) => ({ accountId: a.id, id: i.id, email: i.email })));
  },
  async compose(details) {
    const tab = await messenger.compose.beginNew(details);
    return { tabId: tab.id, windowId: tab.windowId };
  },
  async reply({ messageId, replyType }) {
    const tab = await messenger.compose.beginReply(messageId, replyType || "replyToSender");
    return { tabId: tab.id, windowId: tab.windowId };
  },
  async forward({ messageId }) {
    const tab = await messenger.compose.beginForward(messageId, "forwardInline");
    return { tabId: tab.id, windowId: tab.windowId };
  },
  async setDetails({ tabId, details }) { await messenger.compose.setComposeDetails(tabId, details); return true; },
  async composeDetails({ tabId }) { return messenger.compose.getComposeDetails(tabId); },
  async send({ tabId, mode }) {
    try { return { sent: await messenger.compose.sendMessage(tabId, { mode: mode || "sendNow" }) }; }
    catch (e) { return { error: String(e && e.message || e) }; }
  },
  async tabs() { return (await messenger.tabs.query({})).map((t) => ({ id: t.id, type: t.type, windowId: t.windowId, active: t.active })); },
};

async function loop() {
  for (;;) {
    let cmd = null;
    try {
      const r = await fetch(BASE + "/command");
      if (r.status === 200) cmd = await r.json();
    } catch (e) {
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    if (!cmd) continue;
    (async () => {
      try {
        const fn = COMMANDS[cmd.name];
        if (!fn) throw new Error("unknown command " + cmd.name);
        await post("/result", { id: cmd.id, name: cmd.name, ok: true, value: await fn(cmd.args || {}) });
      } catch (e) {
        await post("/result", { id: cmd.id, name: cmd.name, ok: false, error: String(e && e.message || e) + " " + (e && e.stack || "") });
      }
    })();
  }
}

(async () => {
  BASE = (await (await fetch(messenger.runtime.getURL("config.json"))).json()).base;
  loop();
})();

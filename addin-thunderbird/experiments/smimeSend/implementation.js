/* Experiment API "smimeSend": runs in Thunderbird's parent process with full privileges.
 *
 * Why: the WebExtension compose API builds the MIME itself and cannot send bytes the add-on made, but an
 * S/MIME signature covers exact bytes. Thunderbird's own send path ends in
 * nsIMsgOutgoingServer.sendMailMessage(file, ...), which "does no processing/additions on the file"
 * (mailnews/compose/public/nsIMsgOutgoingServer.idl; MessageSend.sys.mjs calls it the same way). We call it
 * with the add-on's bytes. Limits: SMTP (and other outgoing server types Thunderbird implements) only, no
 * send-later queue, and the Sent copy is filed by nsIMsgCopyService.copyFileMessage.
 * Keep this file small: everything that can be done without privileges is done in the add-on.
 *
 * Not an open relay: the only input is a compose tab id and the bytes (plus the envelope recipients, which must
 * be recipients of that tab, and whether to file a copy). Everything else is read here from the compose window
 * itself: the identity (and so the outgoing server) and the To/Cc/Bcc fields. The bytes must be an S/MIME
 * message (multipart/signed or application/pkcs7-mime) whose From is the window's From, with no Bcc header and
 * only the window's To/Cc addresses in To/Cc. So a page of the add-on with an injection bug can at most send the
 * user's own draft, protected, to the recipients the user typed; anything else is refused with a one-line reason.
 */
"use strict";

/* global ChromeUtils, Components, IOUtils, PathUtils */
var { ExtensionCommon } = ChromeUtils.importESModule("resource://gre/modules/ExtensionCommon.sys.mjs");
var { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
var Ci = Components.interfaces;

const MAX_BYTES = 64 * 1024 * 1024;
/** The header block we read is bounded; an S/MIME message's headers are small. */
const MAX_HEADER_BYTES = 256 * 1024;
const SMIME_TYPES = new Set(["multipart/signed", "application/pkcs7-mime", "application/x-pkcs7-mime"]);

function binaryStringToBytes(s) {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new Error("raw must be a binary string (one char per byte)");
    out[i] = c;
  }
  return out;
}

/** Lower-cased bare addresses of a decoded address header value (groups flattened). */
function addresses(value) {
  const out = [];
  const walk = (list) => {
    for (const a of list || []) {
      if (a.members && a.members.length) walk(a.members);
      else if (a.email) out.push(String(a.email).toLowerCase());
    }
  };
  if (value) walk(MailServices.headerParser.parseDecodedHeader(String(value)));
  return out;
}

/** The header fields of `raw` (a binary string), unfolded, by lower-cased name; null when there is no header end. */
function headerFields(raw) {
  const end = raw.slice(0, MAX_HEADER_BYTES).indexOf("\r\n\r\n");
  if (end < 0) return null;
  const fields = new Map();
  for (const line of raw.slice(0, end).replace(/\r\n(?=[ \t])/g, "").split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) return null;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, []);
    fields.get(name).push(line.slice(colon + 1).trim());
  }
  return fields;
}

/**
 * The checks, without privileges beyond reading the compose window: returns { error } or what to send.
 * `win` is the compose window (tab.nativeTab), `raw` the message, `recipients` the envelope.
 */
function checkRequest(win, raw, recipients) {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > MAX_BYTES) return { error: "message missing or too large" };
  if (!Array.isArray(recipients) || recipients.length === 0 || recipients.some((r) => typeof r !== "string")) {
    return { error: "no recipients" };
  }
  const identity = MailServices.accounts.getIdentity(win.getCurrentIdentityKey());
  if (!identity || !identity.email) return { error: "the compose window has no sending identity" };
  const composed = win.GetComposeDetails();
  const from = addresses(composed.from);
  const visible = new Set([...addresses(composed.to), ...addresses(composed.cc)]);
  const all = new Set([...visible, ...addresses(composed.bcc)]);

  const envelope = recipients.flatMap((r) => addresses(r));
  if (envelope.length !== recipients.length || new Set(envelope).size !== envelope.length) return { error: "the envelope recipients are not distinct addresses" };
  const stranger = envelope.find((a) => !all.has(a));
  if (stranger) return { error: `${stranger} is not a recipient of this compose window` };

  const fields = headerFields(raw);
  if (!fields) return { error: "the message has no readable header" };
  const one = (name) => (fields.get(name) || []).length === 1 ? fields.get(name)[0] : null;
  const type = (one("content-type") || "").split(";")[0].trim().toLowerCase();
  if (!SMIME_TYPES.has(type)) return { error: "only S/MIME messages (multipart/signed, application/pkcs7-mime) are sent this way" };
  const rawFrom = addresses(one("from"));
  if (rawFrom.length !== 1 || from.length !== 1 || rawFrom[0] !== from[0]) return { error: "the message's From is not the compose window's From" };
  if (fields.has("bcc")) return { error: "the message must not carry a Bcc header" };
  const shown = [...(fields.get("to") || []), ...(fields.get("cc") || [])].flatMap((v) => addresses(v));
  const extra = shown.find((a) => !visible.has(a));
  if (extra) return { error: `the message's To/Cc names ${extra}, who is not in the compose window's To or Cc` };
  const messageId = (one("message-id") || "").replace(/^<|>$/g, "");
  return { identity, envelope, messageId };
}

function sendFile(server, file, envelope, identity, messageId) {
  return new Promise((resolve) => {
    const listener = {
      QueryInterface: ChromeUtils.generateQI(["nsIMsgOutgoingListener"]),
      onSendStart() {},
      onSendStop(serverURI, exitCode, secInfo, errMsg) {
        resolve(Components.isSuccessCode(exitCode) ? { ok: true } : { ok: false, error: errMsg || `send failed (0x${(exitCode >>> 0).toString(16)})` });
      },
    };
    try {
      // Every envelope recipient goes in the "visible" list: the message itself decides what its headers show.
      const to = MailServices.headerParser.parseEncodedHeaderW(envelope.join(", "));
      server.sendMailMessage(file, to, [], identity, identity.email, null, null, false, messageId, listener);
    } catch (e) {
      resolve({ ok: false, error: String(e && e.message || e) });
    }
  });
}

function copyToSent(file, identity) {
  return new Promise((resolve) => {
    let folder = null;
    try {
      folder = identity.fccFolderURI && identity.doFcc ? MailServices.folderLookup.getFolderForURL(identity.fccFolderURI) : null;
    } catch (e) {
      folder = null;
    }
    if (!folder) return resolve(false);
    MailServices.copy.copyFileMessage(file, folder, null, false, Ci.nsMsgMessageFlags.Read, "", {
      QueryInterface: ChromeUtils.generateQI(["nsIMsgCopyServiceListener"]),
      onStartCopy() {},
      onProgress() {},
      setMessageKey() {},
      getMessageId() { return null; },
      onStopCopy(status) { resolve(Components.isSuccessCode(status)); },
    }, null);
  });
}

this.smimeSend = class extends ExtensionCommon.ExtensionAPI {
  getAPI(context) {
    return {
      smimeSend: {
        async sendRaw(tabId, raw, options) {
          let tab = null;
          try {
            tab = Number.isInteger(tabId) ? context.extension.tabManager.get(tabId) : null;
          } catch (e) {
            tab = null;
          }
          if (!tab || tab.type !== "messageCompose" || !tab.nativeTab) return { ok: false, error: `tab ${tabId} is not a compose tab` };
          const opts = options && typeof options === "object" ? options : {};
          const checked = checkRequest(tab.nativeTab, raw, opts.recipients);
          if (checked.error) return { ok: false, error: checked.error };
          const { identity, envelope, messageId } = checked;
          const server = MailServices.outgoingServer.getServerByIdentity(identity);
          if (!server) return { ok: false, error: `no outgoing server for ${identity.email}` };

          const path = await IOUtils.createUniqueFile(PathUtils.tempDir, "smime-addin-out.eml", 0o600);
          try {
            await IOUtils.write(path, binaryStringToBytes(raw));
            const file = await IOUtils.getFile(path);
            const sent = await sendFile(server, file, envelope, identity, messageId);
            if (!sent.ok) return sent;
            const copied = opts.saveCopy === true ? await copyToSent(file, identity) : false;
            return { ok: true, copied };
          } finally {
            await IOUtils.remove(path, { ignoreAbsent: true });
          }
        },
      },
    };
  }
};

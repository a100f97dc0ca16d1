/* Experiment API "smimeSend": runs in Thunderbird's parent process with full privileges.
 *
 * Why: the WebExtension compose API builds the MIME itself and cannot send bytes the add-on made, but an
 * S/MIME signature covers exact bytes. Thunderbird's own send path ends in
 * nsIMsgOutgoingServer.sendMailMessage(file, ...), which "does no processing/additions on the file"
 * (mailnews/compose/public/nsIMsgOutgoingServer.idl; MessageSend.sys.mjs calls it the same way). We call it
 * with the add-on's bytes. Limits: SMTP (and other outgoing server types Thunderbird implements) only, no
 * send-later queue, and the Sent copy is filed by nsIMsgCopyService.copyFileMessage.
 * Keep this file small: everything that can be done without privileges is done in the add-on.
 */
"use strict";

/* global ChromeUtils, Components, Services, IOUtils, PathUtils */
var { ExtensionCommon } = ChromeUtils.importESModule("resource://gre/modules/ExtensionCommon.sys.mjs");
var { MailServices } = ChromeUtils.importESModule("resource:///modules/MailServices.sys.mjs");
var Ci = Components.interfaces;

const MAX_BYTES = 64 * 1024 * 1024;

function binaryStringToBytes(s) {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 255) throw new Error("raw must be a binary string (one char per byte)");
    out[i] = c;
  }
  return out;
}

function sendFile(server, file, to, bcc, identity, messageId) {
  return new Promise((resolve) => {
    const listener = {
      QueryInterface: ChromeUtils.generateQI(["nsIMsgOutgoingListener"]),
      onSendStart() {},
      onSendStop(serverURI, exitCode, secInfo, errMsg) {
        resolve(Components.isSuccessCode(exitCode) ? { ok: true } : { ok: false, error: errMsg || `send failed (0x${(exitCode >>> 0).toString(16)})` });
      },
    };
    const parse = (list) => (list.length ? MailServices.headerParser.parseEncodedHeaderW(list.join(", ")) : []);
    try {
      server.sendMailMessage(file, parse(to), parse(bcc), identity, identity.email, null, null, false, messageId, listener);
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
  getAPI() {
    return {
      smimeSend: {
        async sendRaw(req) {
          let identity = req.identityId ? MailServices.accounts.getIdentity(req.identityId) : null;
          if (!identity || !identity.email) {
            const want = String(req.fromEmail || "").toLowerCase();
            identity = MailServices.accounts.allIdentities.find((i) => (i.email || "").toLowerCase() === want) || null;
          }
          if (!identity) return { ok: false, error: `no Thunderbird identity for ${req.identityId || req.fromEmail}` };
          if (typeof req.raw !== "string" || req.raw.length === 0 || req.raw.length > MAX_BYTES) {
            return { ok: false, error: "message missing or too large" };
          }
          const to = Array.isArray(req.to) ? req.to : [];
          const bcc = Array.isArray(req.bcc) ? req.bcc : [];
          if (to.length + bcc.length === 0) return { ok: false, error: "no recipients" };
          const server = MailServices.outgoingServer.getServerByIdentity(identity);
          if (!server) return { ok: false, error: `no outgoing server for ${identity.email}` };

          const path = await IOUtils.createUniqueFile(PathUtils.tempDir, "smime-addin-out.eml", 0o600);
          try {
            await IOUtils.write(path, binaryStringToBytes(req.raw));
            const file = await IOUtils.getFile(path);
            const sent = await sendFile(server, file, to, bcc, identity, req.messageId || "");
            if (!sent.ok) return sent;
            const copied = req.saveCopy ? await copyToSent(file, identity) : false;
            return { ok: true, copied };
          } finally {
            await IOUtils.remove(path, { ignoreAbsent: true });
          }
        },
      },
    };
  }
};

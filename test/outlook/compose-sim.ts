/**
 * A simulated Outlook compose item and Outlook's nested-app-authentication bridge, for pages under test (the compose
 * pane, the Smart Alerts runtime). Runs in the page before its scripts, with the harness prelude in scope.
 */
declare function installMailbox(mailbox: unknown): void;
declare function simulateNaaBridge(cfg: { clientId: string; email: string; name: string }): void;

export interface ComposeSim {
  subject: string;
  from: { emailAddress: string; displayName: string };
  to: { emailAddress: string; displayName: string }[];
  cc: { emailAddress: string; displayName: string }[];
  bcc: { emailAddress: string; displayName: string }[];
  text: string;
  html: string;
  attachment: { name: string; contentType: string; b64: string };
  clientId: string;
}

/** Runs in the page before its scripts (harness prelude in scope): an Outlook compose item and Outlook's NAA bridge. */
export function composeAndBridge(cfg: ComposeSim): void {
  type Cb = (r: unknown) => void;
  const w = window as unknown as Record<string, unknown>;
  const writes: string[] = [];
  w.__draftWrites = writes;
  const later = (cb: Cb, value: unknown) => setTimeout(() => cb({ status: 'succeeded', value }), 0);
  // Every method that would change the draft records its call: the pane must never use one.
  const trap = (name: string) => (...args: unknown[]) => {
    writes.push(name);
    const cb = args.find((a) => typeof a === 'function') as Cb | undefined;
    cb?.({ status: 'succeeded', value: undefined });
  };
  const recipients = (list: unknown[], name: string) => ({ getAsync: (cb: Cb) => later(cb, list), setAsync: trap(`${name}.setAsync`), addAsync: trap(`${name}.addAsync`) });
  const item = {
    itemType: 'message',
    subject: { getAsync: (cb: Cb) => later(cb, cfg.subject), setAsync: trap('subject.setAsync') },
    from: { getAsync: (cb: Cb) => later(cb, cfg.from) },
    to: recipients(cfg.to, 'to'),
    cc: recipients(cfg.cc, 'cc'),
    bcc: recipients(cfg.bcc, 'bcc'),
    body: {
      getAsync: (type: string, cb: Cb) => later(cb, type === 'html' ? cfg.html : cfg.text),
      getTypeAsync: (cb: Cb) => later(cb, 'html'),
      setAsync: trap('body.setAsync'),
      prependAsync: trap('body.prependAsync'),
    },
    getAttachmentsAsync: (cb: Cb) =>
      later(cb, [{ id: 'att-1', name: cfg.attachment.name, contentType: cfg.attachment.contentType, size: 100, isInline: false, attachmentType: 'file' }]),
    getAttachmentContentAsync: (_id: string, cb: Cb) => later(cb, { format: 'base64', content: cfg.attachment.b64 }),
    saveAsync: trap('saveAsync'),
    closeAsync: trap('closeAsync'),
    addFileAttachmentAsync: trap('addFileAttachmentAsync'),
    removeAttachmentAsync: trap('removeAttachmentAsync'),
  };
  installMailbox({ item, userProfile: { emailAddress: cfg.from.emailAddress, displayName: cfg.from.displayName } });

  simulateNaaBridge({ clientId: cfg.clientId, email: cfg.from.emailAddress, name: cfg.from.displayName });
}

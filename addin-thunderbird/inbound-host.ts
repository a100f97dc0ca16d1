/**
 * inbound.action in Thunderbird (new-mail.ts's InboundHost over the MailExtension APIs): a tag by the policy's
 * label (created once, with a fixed key derived from the label), and a move to the policy's folder at the top of
 * the message's own account, created when missing.
 */
import type { InboundHost } from './new-mail';
import type { MailFolder, Messenger, MessageHeader } from './messenger';

const TAG_COLOR = '#C62828';

/** A tag key Thunderbird accepts (lower case, none of ()<>{/%*" or spaces), stable for a label. */
export function tagKeyFor(label: string): string {
  let h = 0;
  for (const ch of label) h = (Math.imul(h, 31) + (ch.codePointAt(0) ?? 0)) >>> 0;
  // After the first replace no two '-' are adjacent: trimming one at each end suffices (no '-+$', which is quadratic on a run).
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 30);
  return `smime-${slug || 'tag'}-${h.toString(36)}`;
}

export class ThunderbirdInbound implements InboundHost {
  private readonly tagKeys = new Map<string, Promise<string>>();
  private readonly folders = new Map<string, Promise<MailFolder>>();

  constructor(private readonly m: Messenger) {}

  private tagKey(label: string): Promise<string> {
    let p = this.tagKeys.get(label);
    if (!p) {
      p = (async () => {
        const existing = (await this.m.messages.tags.list()).find((t) => t.tag === label);
        if (existing) return existing.key;
        const key = tagKeyFor(label);
        await this.m.messages.tags.create(key, label, TAG_COLOR);
        return key;
      })();
      p.catch(() => this.tagKeys.delete(label));
      this.tagKeys.set(label, p);
    }
    return p;
  }

  async tag(msg: MessageHeader, label: string): Promise<void> {
    const key = await this.tagKey(label);
    const current = msg.tags ?? (await this.m.messages.get(msg.id)).tags ?? [];
    if (!current.includes(key)) await this.m.messages.update(msg.id, { tags: [...current, key] });
  }

  private folderFor(accountId: string, name: string): Promise<MailFolder> {
    const k = `${accountId}\u0000${name}`;
    let p = this.folders.get(k);
    if (!p) {
      p = (async () => {
        const account = await this.m.accounts.get(accountId, false);
        if (!account) throw new Error(`account ${accountId} not found`);
        const root = account.rootFolder;
        const find = async () => (await this.m.folders.getSubFolders(root.id, false)).find((f) => f.name === name);
        const found = await find();
        if (found) return found;
        await this.m.folders.create(root.id, name);
        // create() may resolve before the folder is listed under a fresh account: look it up again.
        const made = await find();
        if (!made) throw new Error(`the folder ${name} could not be created`);
        return made;
      })();
      p.catch(() => this.folders.delete(k));
      this.folders.set(k, p);
    }
    return p;
  }

  async quarantine(msg: MessageHeader, name: string): Promise<boolean> {
    const folder = msg.folder;
    if (!folder?.accountId) throw new Error('the message has no folder (an attachment or a file) and cannot be moved');
    const target = await this.folderFor(folder.accountId, name);
    if (target.id === folder.id) return false;
    await this.m.messages.move([msg.id], target.id);
    return true;
  }
}

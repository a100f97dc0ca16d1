/**
 * The read pane's behaviour, host-independent: get the message (host adapter, dropped file, or Graph), run the
 * core, apply the policy, show the verdict. Each run has a generation number, so when the reader moves to another
 * message while a check is running (pinned pane, ItemChanged), the late result is dropped, never shown for the
 * wrong message.
 */
import type { Decryptor, Policy, Verdict } from '../../src/index';
import { aboutSigner } from '../../src/index';
import { PublicKeyBudget, verifyMessageAndBody } from '../../src/index';
import { applyPolicyToVerdict } from '../../src/index';
import { hostErrorVerdict } from '../../ui/host-verdict';
import { renderChecking, renderVerdict } from '../../ui/verdict-view';
import { recordVerdict } from '../audit';
import { directory } from '../directory';
import { intermediateMemory, rememberIntermediates } from '../intermediates';
import type { HostAdapter, RawMessage } from '../host';
import { type TrustContext, withheldWhileUnavailable } from '../trust';
import { htmlToText, readableContent } from './decrypted-text';
import { type FallbackActions, MAX_FILE_BYTES, hideFallbacks, showFallbacks } from './fallbacks';
import { append, h } from '../../ui/dom';

export interface GraphSource {
  /** The raw MIME of the item through Microsoft Graph (GET /me/messages/{id}/$value). */
  fetchMime(restItemId: string): Promise<Uint8Array>;
}

export interface PaneDeps {
  host?: HostAdapter;
  verdictEl: HTMLElement;
  fallbackEl: HTMLElement;
  trust(): Promise<TrustContext>;
  decryptor(onDecrypted?: (content: Uint8Array) => void): Promise<Decryptor | undefined>;
  graph?: GraphSource;
  /** Notes shown with every verdict (e.g. "Playground: sample messages"). */
  notes?: string[];
  /**
   * The time to check at instead of now (VerifyOptions.at), read at each check. Only the playground's
   * "Check as of" date sets it (playground-link.ts); the deployed pane always checks as of now.
   */
  at?: () => Date | undefined;
  /** A note asked for at each check, e.g. that the stored keys are locked (identities.ts lockedKeysNote). */
  keyNote?: () => Promise<string | undefined>;
}

export class PaneController {
  private gen = 0;
  /** Set when the last verdict came from a file, so "Verify again" re-checks that file. */
  private lastFile?: { bytes: Uint8Array; name: string };

  constructor(private readonly deps: PaneDeps) {}

  private actions(): FallbackActions {
    const host = this.deps.host;
    const graph = this.deps.graph;
    const restId = host?.restItemId();
    return {
      onFile: (file) => void this.verifyFile(file),
      onGraph: graph && restId ? () => void this.verifyThroughGraph(graph, restId) : undefined,
    };
  }

  /** Checks the message open in the host; shows the fallbacks when the host cannot hand it over. */
  async verifyCurrent(): Promise<void> {
    const g = ++this.gen;
    this.lastFile = undefined;
    const host = this.deps.host;
    hideFallbacks(this.deps.fallbackEl);
    if (!host) {
      this.showProblem(g, {
        ok: false,
        reason: 'no-item',
        message: 'The add-in is not running inside Outlook, so there is no open message to check.',
      });
      return;
    }
    renderChecking(this.deps.verdictEl);
    let raw: RawMessage;
    try {
      raw = await host.getRawMessage();
    } catch (e) {
      raw = { ok: false, reason: 'failed', message: e instanceof Error ? e.message : String(e) };
    }
    if (g !== this.gen) return;
    if (!raw.ok) {
      this.showProblem(g, raw);
      return;
    }
    await this.verifyBytes(g, raw.bytes, `Read from ${raw.source}.`, await host.getSender().catch(() => undefined), true);
  }

  async verifyFile(file: File): Promise<void> {
    const g = ++this.gen;
    hideFallbacks(this.deps.fallbackEl);
    if (file.size > MAX_FILE_BYTES) {
      this.renderProblemVerdict(g, `The file ${file.name} is larger than 160 MB; it was not checked.`);
      return;
    }
    renderChecking(this.deps.verdictEl, `Checking ${file.name}…`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await file.arrayBuffer());
    } catch (e) {
      this.renderProblemVerdict(g, `The file ${file.name} could not be read: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    if (g !== this.gen) return;
    this.lastFile = { bytes, name: file.name };
    await this.verifyBytes(g, bytes, `Read from the file ${file.name}.`, undefined);
  }

  private async verifyThroughGraph(graph: GraphSource, restId: string): Promise<void> {
    const g = ++this.gen;
    hideFallbacks(this.deps.fallbackEl);
    renderChecking(this.deps.verdictEl, 'Fetching the message from Microsoft 365…');
    let bytes: Uint8Array;
    try {
      bytes = await graph.fetchMime(restId);
    } catch (e) {
      if (g !== this.gen) return;
      this.renderProblemVerdict(g, `Microsoft Graph did not return the message: ${e instanceof Error ? e.message : String(e)}`);
      showFallbacks(this.deps.fallbackEl, { ...this.actions(), onGraph: undefined });
      return;
    }
    if (g !== this.gen) return;
    await this.verifyBytes(g, bytes, 'Read through Microsoft Graph.', await this.deps.host?.getSender().catch(() => undefined), true);
  }

  /** `ofItem`: the bytes are the open Outlook item's, so the organisation's inbound action applies to that item. */
  private async verifyBytes(g: number, bytes: Uint8Array, sourceNote: string, hostSender: string | undefined, ofItem = false): Promise<void> {
    let verdict: Verdict;
    let decrypted: Uint8Array | undefined;
    /** The payload the reader should see (RFC 9788 §4.5), when the whole message is one cryptographic envelope. */
    let body: Uint8Array | undefined;
    let policy: Policy | undefined;
    const notes: string[] = [];
    const displayedFrom = hostSender ? [hostSender] : [];
    try {
      const trust = await this.deps.trust();
      policy = trust.resolved.policy;
      notes.push(...trust.problems);
      const decrypt = await this.deps.decryptor((content) => {
        decrypted = content;
      });
      // Both checks below spend one budget of public-key operations (src/signature/limits.ts), so a hostile message
      // costs no more for being checked twice.
      // correspondentCertificates: a signer who left their certificate out (RFC 8551 allows it when the recipient
      // has it) is found among the certificates the directory collected.
      const remembered = { rememberIntermediates, decrypt, publicKeyBudget: new PublicKeyBudget(), correspondentCertificates: () => directory.certificates() };
      const at = this.deps.at?.();
      if (at) notes.push(`Checked as of ${at.toISOString().slice(0, 10)} instead of now (the playground's "Check as of" date).`);
      const withMemory = (o: typeof trust.options) => ({
        ...o,
        ...remembered,
        displayedFrom,
        intermediates: [...(o.intermediates ?? []), ...intermediateMemory.certificates()],
        ...(at ? { at } : {}),
      });
      ({ verdict, body } = await verifyMessageAndBody(bytes, withMemory(trust.options)));
      if (verdict.signature === 'valid' && verdict.trust !== 'trusted' && !remembered.publicKeyBudget.exceeded) {
        // Valid signatures not vouched for by the organisation's own anchors: check again with the bundled roots
        // too (trust.ts). More roots change only the trust of a chain: a bad signature, a broken structure or a
        // spent budget stays what it was, so those are not checked twice.
        const full = await trust.withBundled();
        if (full && 'problem' in full) notes.push(full.problem);
        else if (full) ({ verdict, body } = await verifyMessageAndBody(bytes, withMemory(full.options)));
      }
      verdict = withheldWhileUnavailable(applyPolicyToVerdict(verdict, trust.resolved.policy, displayedFrom), trust);
      recordVerdict(trust.resolved.policy, verdict);
      // Remember trusted signers' certificates for encrypting replies (the directory keeps only valid, trusted ones).
      if (verdict.verdict === 'trusted') void directory.addFromVerifiedMessage(decrypted ?? bytes, verdict).catch(() => undefined);
    } catch (e) {
      // The core never throws for a bad message; reaching this is a defect, shown as such rather than hidden.
      verdict = hostErrorVerdict('internal-error', `The add-in failed while checking this message: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (g !== this.gen) return;
    // The organisation's inbound rule on the item itself: the notification bar, the category (item-marks.ts).
    if (ofItem && policy && this.deps.host?.markItem) notes.push(...(await this.deps.host.markItem(verdict, policy)));
    if (g !== this.gen) return;
    notes.push(sourceNote);
    if (hostSender && verdict.from.length && !verdict.from.includes(hostSender)) {
      notes.push(`Outlook shows the sender as ${hostSender}, but the message's From header says ${verdict.from.join(', ')}.`);
    }
    notes.push(...(this.deps.notes ?? []));
    const keyNote = verdict.encrypted && !verdict.decrypted ? await this.deps.keyNote?.().catch(() => undefined) : undefined;
    if (g !== this.gen) return;
    if (keyNote) notes.unshift(keyNote);
    renderVerdict(this.deps.verdictEl, verdict, { notes, about: policy ? aboutSigner(verdict, policy) : [], onVerifyAgain: () => void this.again() });
    const shownText = verdict.decrypted && decrypted ? showDecryptedText(this.deps.verdictEl, body ? { bytes: body, legacyDisplay: verdict.headerProtection?.legacyDisplay ?? [] } : { bytes: decrypted, legacyDisplay: [] }, verdict.outsideEncryption !== undefined) : undefined;
    await this.showProtectedInHost(g, verdict, shownText);
  }

  /**
   * RFC 9788: where Outlook lets an add-in set what it shows (item.display, preview), its own header shows the
   * signed Subject instead of "[...]" or a Subject changed after signing, and, for an encrypted message with a
   * legacy display element, its body shows the decrypted text without it. Only for a message read from Outlook
   * (not a dropped file), only with a valid signature (headerProtection.protected).
   */
  private async showProtectedInHost(g: number, verdict: Verdict, shownText: string | undefined): Promise<void> {
    const host = this.deps.host;
    const hp = verdict.headerProtection;
    if (!host?.showProtected || this.lastFile || !hp?.protected) return;
    const subject = hp.headers.subject;
    const view = {
      subject: subject !== undefined && subject !== verdict.subject ? subject : undefined,
      bodyText: hp.legacyDisplay.length && shownText !== undefined ? shownText : undefined,
    };
    if (view.subject === undefined && view.bodyText === undefined) return;
    const shown = await host.showProtected(view);
    if (g !== this.gen || !shown.subject) return;
    append(
      this.deps.verdictEl.querySelector('.sv-verdict') ?? this.deps.verdictEl,
      h(this.deps.verdictEl.ownerDocument, 'p', { className: 'sv-note', attrs: { 'data-note': 'display-subject' } }, 'Outlook shows the signed Subject above this message while it is open.'),
    );
  }

  private again(): Promise<void> {
    const f = this.lastFile;
    if (f) {
      const g = ++this.gen;
      renderChecking(this.deps.verdictEl, `Checking ${f.name}…`);
      return this.verifyBytes(g, f.bytes, `Read from the file ${f.name}.`, undefined);
    }
    return this.verifyCurrent();
  }

  private renderProblemVerdict(g: number, message: string): void {
    if (g !== this.gen) return;
    renderVerdict(this.deps.verdictEl, hostErrorVerdict('message-unavailable', message), {
      onVerifyAgain: this.deps.host ? () => void this.verifyCurrent() : undefined,
      notes: this.deps.notes,
    });
  }

  private showProblem(g: number, raw: Extract<RawMessage, { ok: false }>): void {
    this.renderProblemVerdict(g, raw.message);
    showFallbacks(this.deps.fallbackEl, this.actions());
  }
}

/**
 * The decrypted message's text, as text (never HTML), under the verdict; returns the text shown. Of a partly
 * encrypted message (issue 10, item 6) that is the encrypted part alone, and the pane says so: what Outlook shows
 * around it was not encrypted.
 */
function showDecryptedText(el: HTMLElement, entity: { bytes: Uint8Array; legacyDisplay: string[] }, partial = false): string | undefined {
  const doc = el.ownerDocument;
  const c = readableContent(entity.bytes, htmlToText, entity.legacyDisplay);
  const section = h(doc, 'section', { className: 'decrypted', attrs: { 'aria-label': 'Decrypted message', 'data-decrypted': '1' } });
  append(section, h(doc, 'h2', { className: 'sv-heading' }, partial ? 'The encrypted part, decrypted (plain text)' : 'The decrypted message (plain text)'));
  if (partial) {
    append(
      section,
      h(doc, 'p', { className: 'sv-note', attrs: { 'data-note': 'partially-encrypted' } }, 'Only this part of the message was encrypted. Anything Outlook shows around it was not encrypted: anyone could have written or changed it.'),
    );
  }
  if (!c) append(section, h(doc, 'p', null, 'The decrypted content has no text this pane can show.'));
  else {
    append(section, h(doc, 'pre', { className: 'decrypted-text', attrs: { tabindex: '0' } }, c.text || '(no text)'));
    if (c.truncated) append(section, h(doc, 'p', { className: 'sv-note' }, 'The text is long; only the beginning is shown.'));
    if (c.attachments.length) append(section, h(doc, 'p', { className: 'sv-note' }, `Attachments (not opened here): ${c.attachments.join(', ')}`));
  }
  el.appendChild(section);
  return c?.text;
}

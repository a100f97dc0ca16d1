/**
 * Header protection (RFC 9788) fixtures made with OpenSSL at test time: a payload whose own header block carries
 * the protected fields (hp="clear" / hp="cipher", HP-Outer records, legacy display elements), signed by Alice and
 * optionally encrypted to Bob, with an outer header that a test may then change as an attacker would.
 * Shared by the receive tests and the hosts' e2e tests. CRLF throughout.
 */
import { readFileSync } from 'node:fs';
import type * as pkijs from 'pkijs';
import { importPkcs12, loadCertificates, makeDecryptor, type Decryptor, type Identity } from '../../src/index';
import { CRLF, multipartEntity } from './messages';
import { makePki, smimeEncrypt, smimeSign, type IssuedCert, type Pki } from './pki';

export type Fields = Array<[string, string]>;

export const SIGNED_SUBJECT = 'Quarterly figures';
export const CHANGED_SUBJECT = 'Urgent: new bank details';
export const ALICE = 'alice@hp.example';
export const BOB = 'bob@hp.example';

export interface HpWorld {
  pki: Pki;
  /** The signer (Alice) and the reader (Bob), with their first e-mail addresses. */
  alice: IssuedCert;
  bob: IssuedCert;
  anchors: pkijs.Certificate[];
  bobIdentity: Identity;
  decrypt: Decryptor;
}

/** A fresh test PKI with Alice (alice@hp.example) and Bob (bob@hp.example); or given ones (the hosts' sample sets). */
export async function makeHpWorld(given?: { pki: Pki; alice: IssuedCert; bob: IssuedCert; bobP12Path: string; password: string }): Promise<HpWorld> {
  const p = given?.pki ?? (await makePki());
  const alice = given?.alice ?? (await p.issue({ name: 'Alice Sender', email: ALICE }));
  const bob = given?.bob ?? (await p.issue({ name: 'Bob Reader', email: BOB }));
  const anchors = loadCertificates(readFileSync(p.root.certPath)).certs;
  const id = given
    ? await importPkcs12(new Uint8Array(readFileSync(given.bobP12Path)), given.password)
    : await importPkcs12(new Uint8Array(readFileSync(await bob.makeP12('pw'))), 'pw');
  if (!id.ok) throw new Error(id.error.message);
  return { pki: p, alice, bob, anchors, bobIdentity: id.identity, decrypt: makeDecryptor(id.identity) };
}

/** The user-facing fields of one message from Alice to Bob, in the order a composer writes them. */
export function messageFields(w: HpWorld, subject = SIGNED_SUBJECT, extra: Fields = [], messageId = '<hp-fixture-1@hp.example>'): Fields {
  return [
    ['From', `Alice Sender <${w.alice.emails[0]}>`],
    ['To', `Bob Reader <${w.bob.emails[0]}>`],
    ['Subject', subject],
    ['Date', 'Mon, 15 Jan 2024 10:30:00 +0000'],
    ['Message-ID', messageId],
    ...extra,
  ];
}

/** hcp_baseline (RFC 9788 §3.2.1): Subject obscured, Comments and Keywords removed, the rest as is. */
export function baselineOuter(fields: Fields): Fields {
  return fields
    .filter(([k]) => !['comments', 'keywords'].includes(k.toLowerCase()))
    .map(([k, v]) => [k, k.toLowerCase() === 'subject' ? '[...]' : v]);
}

function lines(fields: Fields): string {
  return fields.map(([k, v]) => `${k}: ${v}${CRLF}`).join('');
}

/**
 * A payload entity: its Content-Type (with hp when given), the protected fields, HP-Outer records, then the body.
 * `body` is either text for a text/plain part or a complete entity (Content-Type line included) to take over.
 */
export function payload(o: { hp?: 'clear' | 'cipher'; fields: Fields; hpOuter?: Fields; text?: string; entity?: Buffer; legacyText?: string }): Buffer {
  const hpParam = o.hp ? `; hp="${o.hp}"` : '';
  const records = (o.hpOuter ?? []).map(([k, v]) => `HP-Outer: ${k}: ${v}${CRLF}`).join('');
  if (o.entity) {
    // Put the fields after the entity's own Content-Type line, and hp on it.
    const s = o.entity.toString('latin1');
    const eol = s.indexOf(CRLF);
    return Buffer.concat([Buffer.from(`${s.slice(0, eol)}${hpParam}${CRLF}${lines(o.fields)}${records}`, 'latin1'), Buffer.from(s.slice(eol + 2), 'latin1')]);
  }
  const legacy = o.legacyText !== undefined ? '; hp-legacy-display="1"' : '';
  const body = `${o.legacyText ?? ''}${o.text ?? 'Please find the figures attached.\r\n\r\nAlice\r\n'}`;
  return Buffer.from(`Content-Type: text/plain; charset=utf-8${legacy}${hpParam}${CRLF}Content-Transfer-Encoding: 8bit${CRLF}${lines(o.fields)}${records}${CRLF}${body}`, 'utf8');
}

/** multipart/alternative with legacy display elements in both main body parts (RFC 9788 §5.2.2, §5.2.3). */
export function legacyDisplayAlternative(subject: string): Buffer {
  const plain = Buffer.from(`Content-Type: text/plain; charset=utf-8; hp-legacy-display="1"${CRLF}${CRLF}Subject: ${subject}${CRLF}${CRLF}The figures are in the attachment.${CRLF}`, 'utf8');
  const html = Buffer.from(
    `Content-Type: text/html; charset=utf-8; hp-legacy-display="1"${CRLF}${CRLF}<html><body><div class="header-protection-legacy-display">${CRLF}<pre>${CRLF}Subject: ${subject}${CRLF}</pre>${CRLF}</div>${CRLF}<p>The figures are in the attachment.</p>${CRLF}</body></html>${CRLF}`,
    'utf8',
  );
  return multipartEntity([plain, html], { subtype: 'alternative', boundary: 'hp-alt-1' });
}

/** Alice signs `entity` (multipart/signed, or opaque signed-data); the outer fields go on top. */
export async function signed(w: HpWorld, entity: Buffer, outer: Fields, opts: { opaque?: boolean } = {}): Promise<Buffer> {
  const m = await smimeSign({ content: entity, signer: w.alice, headers: false, opaque: opts.opaque });
  return withFields(outer, m.bytes);
}

/** The S/MIME entity alone (no message fields): what goes inside an encryption layer. */
export async function signedEntity(w: HpWorld, entity: Buffer, opts: { opaque?: boolean } = {}): Promise<Buffer> {
  return (await smimeSign({ content: entity, signer: w.alice, headers: false, opaque: opts.opaque })).bytes;
}

/** `entity` encrypted to Bob; the outer fields go on top. */
export async function encrypted(w: HpWorld, entity: Buffer, outer: Fields): Promise<Buffer> {
  const m = await smimeEncrypt({ content: entity, recipients: [w.bob], headers: false });
  return withFields(outer, m.bytes);
}

function withFields(outer: Fields, entity: Buffer): Buffer {
  return Buffer.concat([Buffer.from(lines(outer), 'utf8'), entity]);
}

/**
 * What an attacker (or a list server) does after signing: the first outer `field` gets `value`, or is added when
 * absent (value null = removed). Only the top header block is touched; the signed bytes stay as they were.
 */
export function changeOuter(message: Buffer, field: string, value: string | null): Buffer {
  const s = message.toString('latin1');
  const end = s.indexOf(`${CRLF}${CRLF}`);
  const head = s.slice(0, end + 2).split(/(?<=\r\n)/);
  const key = field.toLowerCase();
  const i = head.findIndex((l) => l.slice(0, l.indexOf(':')).trim().toLowerCase() === key);
  const line = value === null ? '' : `${field}: ${Buffer.from(value, 'utf8').toString('latin1')}${CRLF}`;
  if (i >= 0) {
    let j = i + 1;
    while (j < head.length && /^[ \t]/.test(head[j])) j++; // folded continuation lines go with it
    head.splice(i, j - i, line);
  } else head.unshift(line);
  return Buffer.from(head.join('') + s.slice(end + 2), 'latin1');
}

/**
 * Which entity is the cryptographic payload, and does it declare header protection (RFC 9788 §4.1, §4.10.1)?
 *
 * The payload is what the outermost signature or encryption protects once every layer is unwrapped; the caller
 * (verify-message.ts) finds it. Only the payload's own Content-Type counts: an hp parameter anywhere else (a part
 * inside it, an attached message, an inner layer) MUST be ignored (§4.1), so nothing here looks deeper than the
 * payload and, for the legacy form, its one message/rfc822 child.
 */
import { smimeKind } from '../coverage';
import type { MimeEntity } from '../mime/types';
import type { HeaderProtectionMode } from '../verdict';

export interface PayloadInfo {
  /** 'clear' / 'cipher' as declared, 'legacy-wrapped' for the RFC 8551 §3.1 form, null for none. */
  mode: HeaderProtectionMode | null;
  /** The entity whose header block holds the protected fields: the payload, or its message/rfc822 child. */
  headerEntity: MimeEntity;
  /** Root of the body a reader is shown (§4.5; §4.10.2: the message/rfc822 child in the legacy form). */
  bodyRoot: MimeEntity;
}

/** hp="clear" | hp="cipher" on one entity, or undefined (absent or another value). */
export function hpParameter(e: MimeEntity): 'clear' | 'cipher' | undefined {
  const v = e.contentType.params.hp;
  if (v === undefined) return undefined;
  const lower = v.trim().toLowerCase();
  return lower === 'clear' || lower === 'cipher' ? lower : undefined;
}

export function identifyPayload(payload: MimeEntity): PayloadInfo {
  const hp = hpParameter(payload);
  if (hp) return { mode: hp, headerEntity: payload, bodyRoot: payload };
  // RFC 8551 §3.1 (RFC 9788 §4.10.1): the payload is a single message/rfc822 whose own root is not another
  // cryptographic layer, and neither carries an hp parameter. (message/global is the same shape in RFC 6532 mail.)
  const mt = payload.contentType.mediaType;
  const child = payload.children[0];
  if ((mt === 'message/rfc822' || mt === 'message/global') && child && !smimeKind(child) && payload.contentType.params.hp === undefined && child.contentType.params.hp === undefined) {
    return { mode: 'legacy-wrapped', headerEntity: child, bodyRoot: child };
  }
  return { mode: null, headerEntity: payload, bodyRoot: payload };
}

/**
 * Base64 <-> bytes for message-sized data (getAsFileAsync gives ~15 MB of base64 for an 11 MB message).
 * Uses the native Uint8Array.fromBase64/toBase64 where the browser has them, else atob/btoa in chunks so no
 * call builds a giant argument list.
 */
type B64Static = { fromBase64?: (s: string) => Uint8Array };
type B64Proto = { toBase64?: () => string };

export function base64ToBytes(b64: string): Uint8Array {
  // Both decoders skip ASCII white space themselves (WHATWG forgiving-base64, TC39 Uint8Array.fromBase64), so the
  // line breaks of a message-sized string need no pass of their own.
  const native = (Uint8Array as unknown as B64Static).fromBase64;
  if (typeof native === 'function') return native(b64);
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  const native = (bytes as unknown as B64Proto).toBase64;
  if (typeof native === 'function') return native.call(bytes);
  let s = '';
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) s += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(s);
}

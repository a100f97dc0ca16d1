// webextension-polyfill ships no types; messenger.ts gives the namespace its (hand-written) shape.
declare module 'webextension-polyfill' {
  const browser: unknown;
  export default browser;
}

/**
 * Launches Debian's Chromium through playwright-core for the browser tests, with the flags that keep it from
 * talking to the network on its own (background updates, component downloads) and run in a container.
 * Returns a skip reason when there is no Chromium, so tests skip with a printed reason instead of failing.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
];

export function chromiumSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  const why = `no Chromium at ${CHROMIUM} (Debian package "chromium"): browser test skipped`;
  console.log(`# SKIP ${why}`);
  return why;
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

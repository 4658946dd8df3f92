/** E2E global teardown: closes the run's Chromium and removes the demo snapshot. */
import type { BrowserServer } from 'playwright-core';
import removeSnapshot from '../setup/global-teardown';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { e2eBrowserServer?: BrowserServer }).e2eBrowserServer?.close();
  await removeSnapshot();
}

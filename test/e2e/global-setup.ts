/**
 * E2E global setup: what every emulator suite gets (functions bundled, the demo snapshot), and one
 * Chromium for the run that the suites connect to, where each used to launch its own.
 */
import { chromium, type BrowserServer } from 'playwright-core';
import setupFunctionsAndSeed from '../setup/global-setup';
import { BROWSER_ENV, LAUNCH_OPTIONS } from './browser';

export default async function globalSetup(): Promise<void> {
  await setupFunctionsAndSeed();
  const server = await chromium.launchServer(LAUNCH_OPTIONS);
  (globalThis as { e2eBrowserServer?: BrowserServer }).e2eBrowserServer = server;
  // inherited by the test workers, started after this
  process.env[BROWSER_ENV] = server.wsEndpoint();
}

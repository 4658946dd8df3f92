import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startEmulator, type Emulator } from '../../scripts/local-cloud';
import { buildFunctionsOnce } from '../setup/functions';
import { requiredSecretNames } from '../../core/fn/secrets';
import { freshDataDir } from '../setup/demo-snapshot';

/** Debian's chromium; override with CHROMIUM_PATH. Never a downloaded browser (no network for that). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const SHOTS = path.join(__dirname, '..', '..', 'test-output', 'e2e');

/** How this run's suites reach Chromium (test/e2e/global-setup.ts). */
export const BROWSER_ENV = 'E2E_BROWSER_WS';

export const LAUNCH_OPTIONS = {
  executablePath: CHROMIUM,
  headless: true,
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    // without these, chromium keeps dialling hosts this machine cannot reach
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
};

/**
 * The run's Chromium, started once by the E2E global setup: each suite connects and works in
 * contexts of its own (a fresh profile each, closed when the suite disconnects). A suite run without
 * that set-up launches a Chromium of its own.
 */
export async function launch(): Promise<Browser> {
  const ws = process.env[BROWSER_ENV];
  return ws ? chromium.connect(ws) : chromium.launch(LAUNCH_OPTIONS);
}

/** A phone-sized page (iPhone 12-ish), as members see the app. */
export async function phonePage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 390, height: 844 },
    // layout, styles and touch targets are in CSS pixels; a 2× raster doubled the browser's work
    deviceScaleFactor: 1,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

export async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  // let Taro's page-slide transition finish, or the picture shows two pages half-way
  await page.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

export interface E2EApp {
  emu: Emulator;
  browser: Browser;
  close: () => Promise<void>;
}

/**
 * The product as `npm start` serves it, on a fresh data dir with the demo district: functions
 * bundled, the built H5 app (dist-h5/) served, identities only through the dev sign-in page.
 */
export async function startApp(name: string): Promise<E2EApp> {
  const root = path.join(__dirname, '..', '..');
  await buildFunctionsOnce(path.join(root, 'cloudfunctions'));
  const dataDir = freshDataDir(`pps-e2e-${name}`, 'demo');
  const emu = await startEmulator({
    functionsDir: path.join(root, 'cloudfunctions'),
    dataDir,
    port: 0,
    strict: true,
    dev: true,
    secrets: requiredSecretNames(),
    seed: 'demo',
    triggers: false,
    h5Dir: path.join(root, 'dist-h5'),
    log: () => undefined,
  });
  const browser = await launch();
  return {
    emu,
    browser,
    close: async () => {
      await browser.close();
      await emu.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in on /dev (a demo user by openid, or a fresh WeChat identity) and waits for the home page. */
export async function signIn(page: Page, emu: Emulator, who: string | 'fresh'): Promise<void> {
  await page.goto(`${emu.url}/dev`);
  await page.click(who === 'fresh' ? '#fresh' : `button[data-openid="${who}"]`);
  await page.waitForURL((u) => u.pathname === '/' || u.hash.startsWith('#/pages/home'));
}

export const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();

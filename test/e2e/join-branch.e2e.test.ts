/**
 * The foundation's end-to-end path in Chromium, against the built H5 app on the emulator, signed in
 * through the dev sign-in page exactly as a person trying `npm start` would:
 * a new WeChat user joins a branch with the invite code, the branch secretary approves, the newcomer
 * is now a member; an elderly member turns on 关怀模式. Screenshots go to test-output/e2e/.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../emulator/seed';
import { startEmulator, type Emulator } from '../../emulator/server';
import { buildFunctions } from '../../scripts/build-functions';
import { launch, phonePage, shot } from './browser';

const ROOT = path.join(__dirname, '..', '..');
let emu: Emulator;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  await buildFunctions(path.join(ROOT, 'cloudfunctions'));
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'pps-e2e-'));
  emu = await startEmulator({
    functionsDir: path.join(ROOT, 'cloudfunctions'),
    dataDir,
    port: 0,
    strict: true,
    seed: 'demo',
    triggers: false,
    h5Dir: path.join(ROOT, 'dist-h5'),
    log: () => undefined,
  });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await emu?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** Signs in on /dev (a demo user by openid, or a fresh WeChat identity) and waits for the home page. */
async function signIn(page: Page, who: string | 'fresh'): Promise<void> {
  await page.goto(`${emu.url}/dev`);
  await page.click(who === 'fresh' ? '#fresh' : `button[data-openid="${who}"]`);
  await page.waitForURL((u) => u.pathname === '/' || u.hash.startsWith('#/pages/home'));
}

const text = async (page: Page, selector: string) => ((await page.locator(selector).first().textContent()) ?? '').trim();

test('a new WeChat user joins a branch by invite and the secretary approves', async () => {
  const newcomer = await phonePage(browser);
  await newcomer.goto(`${emu.url}/dev`);
  // the login page tells a newcomer which invite code to try
  expect(await text(newcomer, '.tip')).toContain(DEMO.inviteCode);
  await signIn(newcomer, 'fresh');
  await newcomer.click('#home-join');

  await newcomer.fill('#join-code input', DEMO.inviteCode.toLowerCase());
  await newcomer.click('#join-lookup');
  await newcomer.locator('#join-branch-name').waitFor();
  expect(await text(newcomer, '#join-branch-name')).toContain(DEMO.branchName);

  // the form checks with the server's own schema before sending
  await newcomer.fill('#join-name input', '赵红梅');
  await newcomer.fill('#join-phone input', '1990000');
  await newcomer.click('#join-submit');
  expect(await text(newcomer, '#join-phone-error')).toContain('11 位手机号');
  await newcomer.fill('#join-phone input', '19900008888');
  await newcomer.click('#join-submit');
  await newcomer.locator('#join-result-text').waitFor();
  expect(await text(newcomer, '#join-result-text')).toContain('等待支部书记审核');
  await shot(newcomer, '01-newcomer-applied');

  const secretary = await phonePage(browser);
  await signIn(secretary, DEMO.secretaryOpenid);
  await secretary.click('#home-pending-applications');
  const item = secretary.locator('.application-item', { hasText: '赵红梅' });
  await item.waitFor();
  await shot(secretary, '02-secretary-applications');
  await item.locator('.approve-btn').click();
  await item.waitFor({ state: 'detached' });
  await shot(secretary, '03-secretary-approved');

  await newcomer.goto(`${emu.url}/`);
  await newcomer.locator('#home-greeting').waitFor();
  expect(await text(newcomer, '#home-greeting')).toContain('赵红梅');
  expect(await text(newcomer, '#home-branch')).toContain(DEMO.branchName);
  await shot(newcomer, '04-newcomer-is-member');

  // the membership is what the database holds, not just what the page shows
  const bound = emu.backend.store.find('org_members', { phone: '19900008888' });
  expect(bound).toHaveLength(1);
  expect(bound[0]).toMatchObject({ branchId: DEMO.branchId, status: 'active', role: 'member' });
});

test('an elderly member signs in, sees the home page and switches on 关怀模式', async () => {
  const elder = await phonePage(browser);
  await signIn(elder, DEMO.elderOpenid);
  await elder.locator('#home-greeting').waitFor();
  await shot(elder, '05-elder-home');

  await elder.goto(`${emu.url}/#/pages/mine/index`);
  await elder.locator('#elder-switch').waitFor();
  const bodySize = async () =>
    elder.locator('#mine-profile').evaluate((el) => parseFloat(getComputedStyle(el.querySelector('.text, .muted, span') ?? el).fontSize));
  const before = await bodySize();
  await elder.click('#elder-switch');
  await elder.locator('.page.elder:has(#mine-profile)').waitFor();
  const after = await bodySize();
  await shot(elder, '06-elder-mode-mine');
  // 关怀模式: body text at least 18 pt (CSS px on a phone), and visibly larger than before
  expect(after).toBeGreaterThanOrEqual(18);
  expect(after).toBeGreaterThan(before);

  // the choice survives a reload
  await elder.reload();
  await elder.locator('.page.elder:has(#mine-profile)').waitFor();
});

/**
 * The small things people notice first, in Chromium at phone size:
 *   - dates are China time whatever zone the phone is set to (a browser in Los Angeles);
 *   - a guest's 学习 tab gives one answer and the way in (加入党支部), not an error twice and 重试;
 *   - the home activity card's red number says what it counts;
 *   - the live lesson button does not say 直播 twice;
 *   - the /dev page puts the demo invite code at the top.
 * Screenshots go to test-output/e2e/small-things-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../seed';
import { ACTIVITY_DEMO } from '../../seed/activity';
import { formatChina } from '../../core/day';
import type { Emulator } from '../../scripts/local-cloud';
import { phonePage, shot, signIn, startApp, text, type E2EApp } from './browser';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  app = await startApp('small-things');
  ({ emu, browser } = app);
});
afterAll(async () => {
  await app?.close();
});

/** A phone whose clock is set to another zone than China's. */
async function farAwayPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 375, height: 812 }, locale: 'zh-CN', timezoneId: 'America/Los_Angeles' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

test('dates are China time on a phone set to Los Angeles: the notice and the secretary’s form', async () => {
  const a = emu.backend.store.findOne('activity_items', ACTIVITY_DEMO.soonId);
  const start = new Date(a.startAt);
  const page = await farAwayPage();
  expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe('America/Los_Angeles');
  await signIn(page, emu, DEMO.secretaryOpenid);
  await page.goto(`${emu.url}/#/pages/activity/detail/index?id=${a._id}`);
  await page.locator('#activity-title').waitFor();
  const when = await page.locator('.kv', { hasText: '时间' }).first().textContent();
  expect(when).toContain(formatChina(start, 'YYYY-MM-DD HH:mm'));
  await shot(page, 'small-things-01-china-time-notice');
  await page.goto(`${emu.url}/#/pages/activity/more/edit/index?id=${a._id}`);
  await page.locator('#edit-time').waitFor();
  await page.locator('#edit-day', { hasText: formatChina(start, 'YYYY-MM-DD') }).waitFor();
  expect(await text(page, '#edit-time')).toBe(formatChina(start, 'HH:mm'));
  await shot(page, 'small-things-02-china-time-form');
});

test('a guest’s 学习 tab: one answer and 加入党支部, no 重试', async () => {
  const page = await phonePage(browser);
  await signIn(page, emu, 'fresh');
  await page.goto(`${emu.url}/#/pages/study/index`);
  await page.locator('#study-join').waitFor();
  expect(await page.locator('.retry-btn').count()).toBe(0);
  expect(await page.locator('text=请先加入党支部').count()).toBe(0);
  expect(await page.locator('.state-error').count()).toBe(0);
  await shot(page, 'small-things-03-guest-study');
  await page.click('#study-join-btn');
  await page.waitForURL((u) => u.hash.includes('pages/org/join/index'));
});

test('the home card’s red number says what it counts; the live button says 直播 once', async () => {
  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.memberOpenid);
  await page.locator('#home-activity-badge-box').waitFor();
  expect(await text(page, '#home-activity-badge-box')).toMatch(/^\d+ 条待查看$/);
  await page.locator('#home-live-join').waitFor();
  const live = await text(page, '#home-live-join');
  expect(live).toMatch(/^直播中：/);
  expect(live).not.toMatch(/直播.*直播/);
  await shot(page, 'small-things-04-home');
});

test('/dev puts the demo invite code first', async () => {
  const page = await phonePage(browser);
  await page.goto(`${emu.url}/dev`);
  const tip = page.locator('.tip').first();
  await tip.waitFor();
  expect(await tip.textContent()).toContain(DEMO.inviteCode);
  const tipY = (await tip.boundingBox())!.y;
  const firstUser = (await page.locator('button[data-openid]').first().boundingBox())!.y;
  expect(tipY).toBeLessThan(firstUser);
  await shot(page, 'small-things-05-dev');
});

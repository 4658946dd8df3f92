/**
 * The foundation's end-to-end path in Chromium, against the built H5 app on the emulator, signed in
 * through the dev sign-in page exactly as a person trying `npm start` would:
 * a new WeChat user joins a branch with the invite code, the branch secretary approves, the newcomer
 * is now a member; an elderly member turns on 关怀模式. Screenshots go to test-output/e2e/.
 */
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../seed';
import type { Emulator } from '../../scripts/local-cloud';
import { phonePage, shot, signIn as signInAs, startApp, text, type E2EApp } from './browser';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  app = await startApp('join-branch');
  ({ emu, browser } = app);
});

afterAll(async () => {
  await app?.close();
});

const signIn = (page: Page, who: string) => signInAs(page, emu, who);


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

/**
 * An organiser works across the branches of their subtree, in Chromium at phone size:
 *   - 流动党员转接: a name search finds a member of another branch of the street (not only the
 *     organiser's own branch), with the member's branch shown;
 *   - 台账: the page opens on a branch picker of the organiser's subtree (starting at their street),
 *     and the attendance figures are those of the branch picked.
 * Screenshots go to test-output/e2e/organiser-*.png.
 */
import type { Browser } from 'playwright-core';
import { DEMO } from '../../seed';
import type { Emulator } from '../../scripts/local-cloud';
import { phonePage, shot, signIn, startApp, text, type E2EApp } from './browser';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  app = await startApp('organiser');
  ({ emu, browser } = app);
});
afterAll(async () => {
  await app?.close();
});

test('流动党员转接 finds a member of another branch of the organiser’s street and picks the branch it moves to', async () => {
  const store = emu.backend.store;
  const organiser = store.find('org_members', { openid: DEMO.streetOrganiserOpenid })[0] as any;
  // someone of the street who is not in the organiser's own branch
  const target = (store.find('org_members', { path: DEMO.streetId, status: 'active' }, { sort: { _id: 1 } }) as any[]).find(
    (m) => m.branchId !== organiser.branchId && m.branchId === DEMO.otherBranchId,
  );
  expect(target).toBeTruthy();
  const branchName = store.findOne('org_nodes', target.branchId).name;
  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.streetOrganiserOpenid);
  await page.goto(`${emu.url}/#/pages/org/manage/move/index`);
  await page.locator('#move-search').waitFor();
  await page.fill('#move-search input', target.name);
  await page.keyboard.press('Enter');
  const row = page.locator(`.move-member[data-id="${target._id}"]`);
  await row.waitFor();
  expect(await row.textContent()).toContain(branchName);
  await shot(page, 'organiser-01-move-search');
  await row.click();
  expect(await text(page, '#move-member-name')).toContain(branchName);
  // the branch it moves to may be anywhere: the tree opens at the top and drills one level at a time
  const to = store.findOne('org_nodes', DEMO.branchId) as any;
  for (const nodeId of to.path) await page.click(`.org-node[data-id="${nodeId}"]`);
  await page.click(`.org-node[data-id="${DEMO.branchId}"]`);
  expect(await text(page, '#move-target-name')).toBe(to.name);
  await page.locator('#move-reason').waitFor();
});

test('台账 opens on a branch picker of the subtree; the figures follow the branch picked', async () => {
  const store = emu.backend.store;
  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.organiserOpenid);
  await page.goto(`${emu.url}/#/pages/activity/more/ledger/index`);
  await page.locator('#ledger-branch').waitFor();
  expect(await text(page, '#ledger-branch-value')).toContain('请选择');
  // nothing about a branch until one is picked (the organiser's own branch would show 0 activities)
  expect(await page.locator('#ledger-rates').count()).toBe(0);
  await shot(page, 'organiser-02-ledger-picker');
  // drill down from the district to the demo branch, one level at a time
  const path: string[] = store.findOne('org_nodes', DEMO.branchId).path;
  for (const nodeId of path.slice(path.indexOf(DEMO.districtId) + 1)) {
    await page.click(`.branch-picker-node[data-id="${nodeId}"]`);
  }
  await page.click(`.branch-picker-node[data-id="${DEMO.branchId}"]`);
  expect(await text(page, '#ledger-branch-value')).toContain(DEMO.branchName);
  await page.locator('#ledger-rates').waitFor();
  // the seeded finished 主题党日 of that branch is counted
  await page.locator('#ledger-rates', { hasText: /[1-9]\d* 次活动/ }).waitFor();
  await shot(page, 'organiser-03-ledger-branch');
});

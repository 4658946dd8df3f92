/**
 * Every organiser page about one branch opens on the branch picker of the organiser's subtree, in
 * Chromium at phone size, and then shows the branch picked (never the organiser's own branch
 * unasked): 支部党员名册, 支部学时统计, 支部答题情况. A secretary sees no picker and their own branch.
 * Screenshots go to test-output/e2e/organiser-pages-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../seed';
import type { Emulator } from '../../scripts/local-cloud';
import { phonePage, shot, signIn, startApp, text, type E2EApp } from './browser';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  app = await startApp('organiser-pages');
  ({ emu, browser } = app);
});
afterAll(async () => {
  await app?.close();
});

const node = (id: string) => emu.backend.store.findOne('org_nodes', id) as { name: string; path: string[] };
const memberCount = (branchId: string) => (emu.backend.store.find('org_members', { branchId, status: 'active' }) as unknown[]).length;

/** Drills down from the organiser's scope to `branchId`, one level at a time, and picks it. */
async function pickBranch(page: Page, pickerId: string, branchId: string, scopeId: string): Promise<void> {
  await page.locator(`#${pickerId}`).waitFor();
  // the page opens with nothing picked
  expect(await text(page, `#${pickerId}-value`)).toContain('请选择');
  const path = node(branchId).path;
  for (const nodeId of path.slice(path.indexOf(scopeId) + 1)) await page.click(`#${pickerId} .branch-picker-node[data-id="${nodeId}"]`);
  await page.click(`#${pickerId} .branch-picker-node[data-id="${branchId}"]`);
  expect(await text(page, `#${pickerId}-value`)).toContain(node(branchId).name);
}

// a branch of the street organiser's street other than the organiser's own
const target = DEMO.otherBranchId;

test('支部党员名册: the organiser picks a branch of the subtree and sees its roster', async () => {
  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.streetOrganiserOpenid);
  await page.goto(`${emu.url}/#/pages/org/manage/members/index`);
  await page.locator('#members-branch').waitFor();
  // nothing about a branch until one is picked
  expect(await page.locator('#members-list').count()).toBe(0);
  await shot(page, 'organiser-pages-01-members-picker');
  await pickBranch(page, 'members-branch', target, DEMO.streetId);
  await page.locator('#members-list .member-item').first().waitFor();
  expect(await text(page, '#members-list .card-title')).toBe(`${node(target).name} · 共 ${memberCount(target)} 人`);
  await shot(page, 'organiser-pages-02-members-branch');
  // and changes branch without leaving the page
  await page.click('#members-branch-change');
  // it reopens at the level last used: a sibling branch is one tap away
  await page.click(`#members-branch .branch-picker-node[data-id="${DEMO.branchId}"]`);
  expect(await text(page, '#members-branch-value')).toContain(DEMO.branchName);
  await page.locator('#members-list .card-title', { hasText: DEMO.branchName }).waitFor();
  expect(await text(page, '#members-list .card-title')).toBe(`${DEMO.branchName} · 共 ${memberCount(DEMO.branchId)} 人`);
  await page.close();
});

test('支部学时统计: the organiser picks a branch and sees its 学时 table', async () => {
  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.streetOrganiserOpenid);
  await page.goto(`${emu.url}/#/pages/study/more/branch/index`);
  await page.locator('#study-branch-picker').waitFor();
  expect(await page.locator('#branch-table').count()).toBe(0);
  await pickBranch(page, 'study-branch-picker', target, DEMO.streetId);
  await page.locator('#branch-table .branch-row').first().waitFor();
  expect(await text(page, '#branch-summary .card-title')).toContain(node(target).name);
  expect(await page.locator('#branch-table .branch-row').count()).toBe(memberCount(target));
  // the secretary's own tools are not offered to an organiser
  expect(await page.locator('#branch-remind').count()).toBe(0);
  await shot(page, 'organiser-pages-03-study-branch');
  await page.close();
});

test('支部答题情况: the organiser reaches it from 我的, picks a branch and sees who has not answered', async () => {
  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.streetOrganiserOpenid);
  await page.goto(`${emu.url}/#/pages/mine/index`);
  await page.click('#mine-quiz-branch');
  await page.locator('#quiz-branch-picker').waitFor();
  expect(await page.locator('#branch-stats').count()).toBe(0);
  await pickBranch(page, 'quiz-branch-picker', target, DEMO.streetId);
  await page.locator('#branch-stats').waitFor();
  expect(await text(page, '#branch-stats .card-title')).toContain(node(target).name);
  const n = memberCount(target);
  const answered = Number(await text(page, '#branch-answered'));
  expect(answered + Number(await text(page, '#branch-missing-count'))).toBe(n);
  expect(await page.locator('#branch-missing .missing-name').count()).toBe(n - answered);
  expect(await page.locator('#branch-remind').count()).toBe(0);
  await shot(page, 'organiser-pages-04-quiz-branch');
  await page.close();
});

test('a secretary sees no picker on these pages, only their own branch', async () => {
  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.secretaryOpenid);
  await page.goto(`${emu.url}/#/pages/org/manage/members/index`);
  await page.locator('#members-list .card-title').waitFor();
  expect(await text(page, '#members-list .card-title')).toBe(`${DEMO.branchName} · 共 ${memberCount(DEMO.branchId)} 人`);
  expect(await page.locator('.branch-picker').count()).toBe(0);
  await page.goto(`${emu.url}/#/pages/study/more/branch/index`);
  await page.locator('#branch-summary').waitFor();
  expect(await text(page, '#branch-summary .card-title')).toContain(DEMO.branchName);
  expect(await page.locator('.branch-picker').count()).toBe(0);
  await page.goto(`${emu.url}/#/pages/quiz/more/branch/index`);
  await page.locator('#branch-stats').waitFor();
  expect(await text(page, '#branch-stats .card-title')).toContain(DEMO.branchName);
  expect(await page.locator('.branch-picker').count()).toBe(0);
  expect(await page.locator('#branch-remind').count()).toBe(1);
  await page.close();
});

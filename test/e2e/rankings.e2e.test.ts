/**
 * 参与排行 agrees with itself: after two members of the demo branch answer today's quiz, the branch's
 * 本月 figure equals today's (the same people ÷ members, never "本月 0%" beside "今天 2/N"), the two
 * share rank 1, everyone else is listed as 未参与 instead of tied, and the community ranking shows the
 * branch with the very same figures while branches where nobody answered carry no rank.
 * Screenshots go to test-output/e2e/rankings-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../seed';
import type { Emulator } from '../../scripts/local-cloud';
import { dayOf } from '../../core/day';
import { percentText, rate } from '../../core/quiz/stats';
import { phonePage, shot, signIn, startApp, text, type E2EApp } from './browser';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;

const db = () => emu.backend.store as unknown as { find(c: string, q?: object): any[] };
const storedSet = () => db().find('quiz_sets', { materialised: true, day: dayOf(new Date()) })[0].questions as Array<{ answer: string[] }>;

beforeAll(async () => {
  app = await startApp('rankings');
  ({ emu, browser } = app);
});

afterAll(async () => {
  await app?.close();
});

async function answerToday(page: Page, openid: string): Promise<void> {
  await signIn(page, emu, openid);
  await page.goto(`${emu.url}/#/pages/quiz/index`);
  await page.locator('#quiz-submit').waitFor();
  const set = storedSet();
  for (let i = 0; i < set.length; i++) for (const c of set[i].answer) await page.click(`#q-${i}-opt-${c}`);
  await page.click('#quiz-submit');
  await page.locator('#quiz-result').waitFor();
}

test('the rank page defines its figures, computes them alike and ranks ties sensibly', async () => {
  const page = await phonePage(browser);
  await answerToday(page, DEMO.secretaryOpenid);
  await answerToday(page, DEMO.memberOpenid);

  const members = db().find('org_members', { branchId: DEMO.branchId, status: 'active' }).length;
  const figure = `2/${members} 人（${percentText(rate(2, members))}）`;
  expect(percentText(rate(2, members))).not.toBe('0%');

  await page.click('#quiz-link-rank');
  await page.locator('#rank-members').waitFor();
  // today and this month: the same figure, each with its definition under it
  expect(await text(page, '#rank-branch-today')).toBe(figure);
  expect(await text(page, '#rank-branch-month')).toBe(figure);
  expect(await page.locator('#rank-branch .muted').allTextContents()).toEqual(['今天答了题的党员 ÷ 支部党员人数', '本月至少答过一天的党员 ÷ 支部党员人数']);
  // the two who answered share rank 1; nobody is tied at rank 2 for having done nothing
  expect(await page.locator('.rank-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rank')))).toEqual(['1', '1']);
  expect((await page.locator('.rank-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).sort()).toEqual([DEMO.memberId, DEMO.secretaryId].sort());
  expect(await page.locator('.rank-idle-name').count()).toBe(members - 2);
  expect(await text(page, '#rank-idle .card-title')).toBe(`本月未参与（${members - 2} 人）`);
  expect(await text(page, '#rank-me')).toContain('第 1 名，本月答题 1 天');
  await shot(page, 'rankings-01-members');

  await page.click('#rank-tab-community');
  await page.locator('#rank-branches').waitFor();
  const own = page.locator(`.rank-branch-row[data-id="${DEMO.branchId}"]`);
  expect(await own.getAttribute('data-rank')).toBe('1');
  expect(await own.locator('.rank-branch-today').textContent()).toBe(`今天 ${figure}`);
  expect(await own.locator('.rank-branch-month').textContent()).toBe(`本月 ${figure}`);
  // nobody in the other branches answered: listed, unranked, marked 未参与
  const others = page.locator(`.rank-branch-row:not([data-id="${DEMO.branchId}"])`);
  expect(await others.count()).toBeGreaterThan(0);
  expect(await others.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-rank')))).toEqual(Array(await others.count()).fill(''));
  expect(await others.locator('.badge', { hasText: '未参与' }).count()).toBe(await others.count());
  expect(await text(page, '#rank-branches > .muted')).toContain('本月参与率 = 本月至少答过一天的党员 ÷ 党员人数');
  await shot(page, 'rankings-02-branches');
});

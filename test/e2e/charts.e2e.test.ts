/**
 * Charts on the secretary's and the organiser's pages, in Chromium at phone size: each chart draws
 * on its canvas (pixels that are not blank), its one-line summary states the figures the data gives,
 * and tapping the chart lists every number.
 *   - 支部答题情况: 近 30 天 participation, today's point = the members who answered today;
 *   - 支部学时统计: 学时 completion against the target, from the same rows as the table;
 *   - 台账: 出勤率 of each activity, as the attendance records give it;
 *   - an organiser: the branches of the subtree side by side (quiz and 学时).
 * Screenshots go to test-output/e2e/charts-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../seed';
import type { Emulator } from '../../scripts/local-cloud';
import { dayOf } from '../../core/day';
import { percentText } from '../../core/quiz/stats';
import { phonePage, shot, signIn, startApp, text, type E2EApp } from './browser';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  app = await startApp('charts');
  ({ emu, browser } = app);
});
afterAll(async () => {
  await app?.close();
});

/** A function call as a signed-in member (the gateway's path, without a browser). */
async function callAs(openid: string, fn: string, action: string, payload: unknown = {}): Promise<any> {
  const r = await emu.host.invoke(fn, { action, payload, userInfo: { openId: openid } }, { OPENID: openid }, 'http');
  const out = r.result as { ok?: boolean; data?: unknown; error?: unknown };
  if (out?.ok === false) throw new Error(`${fn}.${action}: ${JSON.stringify(out.error)}`);
  return out.data;
}

/** Answers today's set (any answer: participation is what counts here). */
async function answerToday(openid: string): Promise<void> {
  const t = await callAs(openid, 'quiz', 'today');
  const answers = t.questions.map((q: any) => ({ questionId: q.id, choice: q.options?.length ? [q.options[0].id] : Array.from({ length: q.blanks ?? 1 }, () => '答') }));
  await callAs(openid, 'quiz', 'submit', { day: t.day, answers });
}

/** Painted pixels of a chart's canvas, once drawing has settled (0 if nothing was drawn). */
async function ink(page: Page, chartId: string): Promise<number> {
  const canvas = page.locator(`#${chartId}-canvas`);
  await canvas.waitFor();
  let n = 0;
  for (let i = 0; i < 20 && n === 0; i++) {
    n = await page.evaluate((id) => {
      const el = document.getElementById(id) as HTMLCanvasElement | null;
      const ctx = el?.getContext('2d');
      if (!el || !ctx || !el.width || !el.height) return 0;
      const d = ctx.getImageData(0, 0, el.width, el.height).data;
      let painted = 0;
      for (let k = 3; k < d.length; k += 4) if (d[k] !== 0) painted++;
      return painted;
    }, `${chartId}-canvas`);
    if (!n) await page.waitForTimeout(250);
  }
  return n;
}

/** Opens the picker's subtree level by level down to `branchId` and picks it. */
async function pickBranch(page: Page, pickerId: string, branchId: string, scopeId: string): Promise<void> {
  await page.locator(`#${pickerId}`).waitFor();
  const path: string[] = (emu.backend.store.findOne('org_nodes', branchId) as any).path;
  for (const nodeId of path.slice(path.indexOf(scopeId) + 1)) await page.click(`#${pickerId} .branch-picker-node[data-id="${nodeId}"]`);
  await page.click(`#${pickerId} .branch-picker-node[data-id="${branchId}"]`);
}

const activeMembers = (branchId: string) => emu.backend.store.find('org_members', { branchId, status: 'active' }) as any[];

test('支部答题情况: 30 days of participation; today’s point is the members who answered today', async () => {
  await answerToday(DEMO.memberOpenid);
  await answerToday(DEMO.elderOpenid);
  const today = dayOf(new Date());
  const members = activeMembers(DEMO.branchId);
  const answered = members.filter((m) => m.quizLastDay === today).length;
  expect(answered).toBeGreaterThanOrEqual(2);
  // the counter the series is built from rides on the member record
  for (const id of [DEMO.memberId, DEMO.elderId]) expect((emu.backend.store.findOne('org_members', id) as any).quizRecent).toContain(today);
  const rate = Math.round((answered / members.length) * 1000) / 1000;
  // the seed has no answers before today: the 30-day mean is today's rate spread over 30 days
  const avg = rate / 30;

  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.secretaryOpenid);
  await page.goto(`${emu.url}/#/pages/quiz/more/branch/index`);
  await page.locator('#quiz-trend-summary').waitFor();
  expect(await page.locator('.branch-picker').count()).toBe(0);
  expect(await text(page, '#quiz-trend-summary')).toBe(`近 30 天平均每天 ${percentText(avg)} 的党员答题；今天 ${answered}/${members.length} 人（${percentText(rate)}）`);
  expect(await ink(page, 'quiz-trend')).toBeGreaterThan(500);
  await shot(page, 'charts-01-quiz-trend');
  // the numbers on tap: 30 days, today's last
  await page.click('#quiz-trend-canvas');
  const lines = await page.locator('#quiz-trend-numbers .chart-number').allTextContents();
  expect(lines).toHaveLength(30);
  expect(lines[29]).toBe(`${today.slice(5)}：${answered} 人（${percentText(rate)}）`);
  expect(lines.slice(0, 29).every((l) => l.endsWith('：0 人（0%）'))).toBe(true);
  await page.close();
});

test('支部学时统计: completion against the target, from the rows the table shows', async () => {
  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.secretaryOpenid);
  await page.goto(`${emu.url}/#/pages/study/more/branch/index`);
  await page.locator('#study-completion-summary').waitFor();
  await page.locator('#branch-table .branch-row').first().waitFor();
  // each row reads "hours / target"
  const cells = await page.locator('#branch-table .branch-row > :last-child > .text').allTextContents();
  const rows = cells.map((c) => c.split('/').map((x) => Number(x.trim())));
  const members = activeMembers(DEMO.branchId).length;
  expect(rows).toHaveLength(members);
  const owed = rows.reduce((s, [, t]) => s + t, 0);
  const done = Math.round(rows.reduce((s, [h, t]) => s + Math.min(h, t), 0) * 10) / 10;
  const met = rows.filter(([h, t]) => h >= t).length;
  expect(await text(page, '#study-completion-summary')).toBe(`已达标 ${met}/${members} 人；全支部学时完成 ${Math.round((done / owed) * 100)}%（${done}/${owed} 学时）`);
  expect(await ink(page, 'study-completion')).toBeGreaterThan(500);
  await page.click('#study-completion-canvas');
  expect(await page.locator('#study-completion-numbers .chart-number').allTextContents()).toEqual([
    `达标人数：${met}/${members}人（${Math.round((met / members) * 100)}%）`,
    `学时：${done}/${owed}学时（${Math.round((done / owed) * 100)}%）`,
  ]);
  await shot(page, 'charts-02-study-completion');
  await page.close();
});

test('台账: the attendance rate of each activity, as the attendance records give it', async () => {
  const store = emu.backend.store;
  const today = dayOf(new Date());
  const from = new Date(`${today.slice(0, 4)}-01-01T00:00:00+08:00`).getTime();
  const acts = (store.find('activity_items', { branchIds: DEMO.branchId, status: 'published' }) as any[])
    .filter((a) => a.finalisedAt && new Date(a.startAt).getTime() >= from && dayOf(new Date(a.startAt)) <= today)
    .sort((a, b) => new Date(a.startAt).getTime() - new Date(b.startAt).getTime());
  expect(acts.length).toBeGreaterThan(0);
  const expected = acts.map((a) => {
    const roster = a.roster.filter((m: any) => m.branchId === DEMO.branchId);
    const present = (store.find('activity_attendance', { activityId: a._id, branchId: DEMO.branchId, status: 'present' }) as any[]).length;
    const rate = roster.length ? Math.round((present / roster.length) * 1000) / 10 : 0;
    return `${dayOf(new Date(a.startAt)).slice(5)} ${a.title.slice(0, 8)}：${rate}%`;
  });

  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.secretaryOpenid);
  await page.goto(`${emu.url}/#/pages/activity/more/ledger/index`);
  await page.locator('#ledger-chart-summary').waitFor();
  expect(await text(page, '#ledger-chart-summary')).toMatch(new RegExp(`^${acts.length} 次活动，出勤率最低的是 `));
  expect(await ink(page, 'ledger-chart')).toBeGreaterThan(500);
  await page.click('#ledger-chart-toggle');
  expect(await page.locator('#ledger-chart-numbers .chart-number').allTextContents()).toEqual(expected);
  await shot(page, 'charts-03-ledger-attendance');
  await page.close();
});

test('an organiser compares the branches of the subtree, then sees the branch picked', async () => {
  const store = emu.backend.store;
  const branches = store.find('org_nodes', { path: DEMO.districtId, type: 'branch' }) as any[];
  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.organiserOpenid);

  await page.goto(`${emu.url}/#/pages/quiz/more/branch/index`);
  await page.locator('#quiz-branches-summary').waitFor();
  expect(await text(page, '#quiz-branches-summary')).toMatch(new RegExp(`^${branches.length} 个支部，本月参与率（本月答过题的党员占比）最低的是 `));
  expect(await ink(page, 'quiz-branches')).toBeGreaterThan(500);
  await page.click('#quiz-branches-toggle');
  const lines = await page.locator('#quiz-branches-numbers .chart-number').allTextContents();
  expect(lines).toHaveLength(branches.length);
  // the demo branch: the two members who answered today have answered this month
  const own = activeMembers(DEMO.branchId);
  const monthly = own.filter((m) => (m.quizMonth ?? '') === dayOf(new Date()).slice(0, 7) && (m.quizMonthDays ?? 0) > 0).length;
  expect(lines).toContain(`${DEMO.branchName}：${monthly}/${own.length} 人（${percentText(Math.round((monthly / own.length) * 1000) / 1000)}）`);
  await shot(page, 'charts-04-organiser-quiz-branches');
  // nothing about one branch until one is picked; then its series, and no 一键提醒 (a secretary's)
  expect(await page.locator('#quiz-trend').count()).toBe(0);
  await pickBranch(page, 'quiz-branch-picker', DEMO.branchId, DEMO.districtId);
  await page.locator('#quiz-trend-summary').waitFor();
  const members = activeMembers(DEMO.branchId);
  const answered = members.filter((m) => m.quizLastDay === dayOf(new Date())).length;
  expect(await text(page, '#quiz-trend-summary')).toContain(`今天 ${answered}/${members.length} 人`);
  expect(await page.locator('#branch-remind').count()).toBe(0);

  // 台账: the branches on 出勤率 over this year, from the counts each finished activity stores
  const today = dayOf(new Date());
  const from = new Date(`${today.slice(0, 4)}-01-01T00:00:00+08:00`).getTime();
  const finished = (store.find('activity_items', { hostPath: DEMO.districtId, status: 'published' }) as any[]).filter(
    (a) => a.finalisedAt && new Date(a.startAt).getTime() >= from && dayOf(new Date(a.startAt)) <= today,
  );
  const byBranch = new Map<string, { expected: number; present: number }>();
  for (const a of finished) {
    const s = byBranch.get(a.hostBranchId) ?? { expected: 0, present: 0 };
    byBranch.set(a.hostBranchId, { expected: s.expected + a.counts.expected, present: s.present + a.counts.present });
  }
  expect(byBranch.size).toBeGreaterThan(0);
  await page.goto(`${emu.url}/#/pages/activity/more/ledger/index`);
  await page.locator('#ledger-branches-summary').waitFor();
  expect(await text(page, '#ledger-branches-summary')).toMatch(new RegExp(`^${byBranch.size}/${branches.length} 个支部有已结束的活动，出勤率最低的是 `));
  expect(await ink(page, 'ledger-branches')).toBeGreaterThan(500);
  await page.click('#ledger-branches-toggle');
  const expected = [...byBranch].map(([id, c]) => `${(store.findOne('org_nodes', id) as any).name}：${Math.round((c.present / c.expected) * 1000) / 10}%`);
  expect((await page.locator('#ledger-branches-numbers .chart-number').allTextContents()).sort()).toEqual(expected.sort());
  await shot(page, 'charts-06-organiser-ledger-branches');

  await page.goto(`${emu.url}/#/pages/study/more/branch/index`);
  await page.locator('#study-branches-summary').waitFor();
  expect(await text(page, '#study-branches-summary')).toMatch(new RegExp(`^${branches.length} 个支部，达标率最低的是 `));
  expect(await ink(page, 'study-branches')).toBeGreaterThan(500);
  await shot(page, 'charts-05-organiser-study-branches');
  await pickBranch(page, 'study-branch-picker', DEMO.branchId, DEMO.districtId);
  await page.locator('#study-completion-summary').waitFor();
  expect(await text(page, '#study-completion-summary')).toContain(`/${members.length} 人`);
  await page.close();
});

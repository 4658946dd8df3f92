/**
 * The daily quiz end to end in Chromium, on the built H5 app and the emulator, signed in through
 * the dev sign-in page: a member answers today's set, sees explanations and the award, and finds the
 * missed question in the wrong book; the secretary sees participation and who is missing; the
 * organiser imports a bank from .xlsx and sees the row report; an elder answers one question per
 * screen in 关怀模式. Screenshots go to test-output/e2e/quiz-*.png.
 */
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../seed';
import type { Emulator } from '../../scripts/local-cloud';
import { BANK_TEMPLATE_ROWS } from '../../core/quiz/bank';
import { dayOf } from '../../core/day';
import { phonePage, shot, signIn as signInAs, startApp, text, type E2EApp } from './browser';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  app = await startApp('quiz');
  ({ emu, browser } = app);
});

afterAll(async () => {
  await app?.close();
});

const signIn = (page: Page, who: string) => signInAs(page, emu, who);

const db = () => emu.backend.store as { find(c: string, q?: object): any[]; findOne(c: string, id: string): any };
/** today's set as stored, to know the answers in the test (the page never receives them) */
const storedSet = () => db().find('quiz_sets', { materialised: true, day: dayOf(new Date()) })[0].questions as Array<{ _id: string; stem: string; answer: string[]; options: Array<{ id: string }> }>;

test('a member answers today\'s set, sees the explanations and the award, and finds the miss in the wrong book', async () => {
  const page = await phonePage(browser);
  const bodies: string[] = [];
  page.on('response', async (res) => {
    if (res.url().includes('/api/functions/quiz')) bodies.push(await res.text().catch(() => ''));
  });
  await signIn(page, DEMO.memberOpenid);
  await page.locator('#home-quiz-state').waitFor();
  await page.click('#home-quiz');
  await page.locator('#quiz-submit').waitFor();
  const set = storedSet();
  expect(set).toHaveLength(5);
  // nothing the page received before submitting carries an answer
  for (const b of bodies) expect(b).not.toMatch(/"answer"|"explanation"/);
  await shot(page, 'quiz-01-today');

  // submitting with a question unanswered is stopped on the page
  await page.click('#q-0-opt-A');
  await page.click('#quiz-submit');
  expect(await text(page, '#quiz-error')).toContain('还有 4 道题没有作答');

  for (let i = 0; i < set.length; i++) {
    const q = set[i];
    const choice = i === 0 ? [q.options.map((o) => o.id).find((o) => !q.answer.includes(o))!] : q.answer;
    if (i === 0) await page.click('#q-0-opt-A'); // clear the earlier single choice by choosing again below
    for (const c of choice) await page.click(`#q-${i}-opt-${c}`);
  }
  await page.click('#quiz-submit');
  await page.locator('#quiz-result').waitFor();
  expect(await text(page, '#quiz-score')).toContain('答对 4/5');
  expect(await text(page, '#quiz-points')).toContain('+5');
  expect(await page.locator('.quiz-explanation').count()).toBe(5);
  expect(await text(page, '#q-0 .quiz-verdict')).toContain(`正确答案：${set[0].answer.join('')}`);
  await shot(page, 'quiz-02-result');

  await page.click('#quiz-link-wrong');
  await page.locator('.wrong-item').first().waitFor();
  expect(await page.locator('.wrong-item').count()).toBe(1);
  expect(await text(page, '.wrong-item .quiz-stem')).toBe(set[0].stem);
  await shot(page, 'quiz-03-wrong-book');

  await page.goto(`${emu.url}/#/pages/quiz/more/points/index`);
  await page.locator('#points-history .ledger-item').first().waitFor();
  expect(await text(page, '#points-total .quiz-score')).toBe('5');
  await shot(page, 'quiz-04-points');
});

test('the secretary sees the branch\'s participation and who has not answered', async () => {
  const page = await phonePage(browser);
  await signIn(page, DEMO.secretaryOpenid);
  await page.goto(`${emu.url}/#/pages/mine/index`);
  await page.click('#mine-quiz-branch');
  await page.locator('#branch-stats').waitFor();
  await page.locator('#branch-answered').waitFor();
  expect(await text(page, '#branch-answered')).toBe('1');
  const members = db().find('org_members', { branchId: DEMO.branchId, status: 'active' });
  expect(await text(page, '#branch-missing-count')).toBe(String(members.length - 1));
  const names = await page.locator('.missing-name').allTextContents();
  expect(names).toHaveLength(members.length - 1);
  expect(names.join()).toContain(db().findOne('org_members', DEMO.elderId).name);
  expect(await text(page, '.answered-name')).toContain(db().findOne('org_members', DEMO.memberId).name);
  await shot(page, 'quiz-05-secretary');
});

test('an organiser imports a bank from .xlsx and sees the row-by-row report', async () => {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('题库');
  for (const r of [
    ...BANK_TEMPLATE_ROWS,
    ['单选', '党的二十大报告指出，中国式现代化是（ ）领导的社会主义现代化。', '中国共产党', '人民政府', '人民代表大会', '政治协商会议', '', '', 'A', '报告指出，中国式现代化是中国共产党领导的社会主义现代化。', '党的二十大报告', '二十大', '1'],
    ['判断', '党员领导干部可以不参加所在党支部的组织生活。', '', '', '', '', '', '', '错误', '党员领导干部必须以普通党员身份参加所在党支部的组织生活。', '中国共产党支部工作条例（试行）', '党建', '2'],
  ])
    ws.addRow(r);
  const buffer = Buffer.from(await wb.xlsx.writeBuffer());
  const page = await phonePage(browser);
  await signIn(page, DEMO.organiserOpenid);
  await page.goto(`${emu.url}/#/pages/quiz/more/bank/index`);
  await page.locator('#bank-fresh-days').waitFor();
  const chooser = page.waitForEvent('filechooser');
  await page.click('#bank-choose');
  await (await chooser).setFiles({ name: '七一专题题库.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer });
  await page.locator('#bank-report').waitFor();
  // the template's 单选, 多选 and 判断 rows are in the demo bank already; its 填空 row and the two new rows are not
  expect(await text(page, '#bank-report-summary')).toContain('可导入 3 题');
  expect(await page.locator('.bank-duplicate').count()).toBe(3);
  await shot(page, 'quiz-06-import-check');
  const before = db().find('quiz_questions').length;
  await page.click('#bank-commit');
  await page.locator('#bank-report-summary', { hasText: '已导入 3 题' }).waitFor();
  expect(db().find('quiz_questions').length).toBe(before + 3);
  await shot(page, 'quiz-07-imported');
});

test('an organiser changes the questions per day and the points rules from the app', async () => {
  const page = await phonePage(browser);
  await signIn(page, DEMO.organiserOpenid);
  await page.goto(`${emu.url}/#/pages/quiz/more/bank/index`);
  await page.locator('#bank-fresh-days').waitFor();
  await page.click('#perday-edit');
  await page.fill('#perday-input input', '6');
  await page.click('#perday-save');
  await page.locator('#perday-editor').waitFor({ state: 'detached' });

  await page.goto(`${emu.url}/#/pages/quiz/more/points/index`);
  await page.click('#rules-edit');
  await page.fill('#rules-cap input', '35');
  await page.click('#rules-save');
  await page.locator('#rules-editor').waitFor({ state: 'detached' });
  await shot(page, 'quiz-10-rules-changed');
  // stored as the change from tomorrow; the page shows it beside today's rules
  expect(JSON.stringify(db().find('points_rules'))).toContain('"dailyCap":35');
  expect(await page.locator('text=35 分').count()).toBeGreaterThan(0);
});

test('in 关怀模式 the quiz shows one question per screen with large options', async () => {
  const page = await phonePage(browser);
  await signIn(page, DEMO.elderOpenid);
  await page.goto(`${emu.url}/#/pages/mine/index`);
  await page.locator('#elder-switch').waitFor();
  await page.click('#elder-switch');
  await page.locator('.page.elder:has(#mine-profile)').waitFor();
  await page.goto(`${emu.url}/#/pages/quiz/index`);
  await page.locator('.page.elder #q-0').waitFor();
  expect(await page.locator('.quiz-q').count()).toBe(1);
  const box = await page.locator('#q-0-opt-A').boundingBox();
  expect(box!.height).toBeGreaterThanOrEqual(60);
  const size = await page.locator('#q-0-opt-A .quiz-opt-text').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(size).toBeGreaterThanOrEqual(18);
  await shot(page, 'quiz-08-elder-question');
  const set = storedSet();
  for (let i = 0; i < set.length; i++) {
    for (const c of set[i].answer) await page.click(`#q-${i}-opt-${c}`);
    if (i < set.length - 1) await page.click('#quiz-next');
  }
  await page.click('#quiz-submit');
  await page.locator('#quiz-result').waitFor();
  expect(await text(page, '#quiz-score')).toContain('答对 5/5');
  await shot(page, 'quiz-09-elder-result');
});

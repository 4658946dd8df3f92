/**
 * A district organiser imports a question bank in the browser, on the built H5 app and the emulator:
 * a default 出处, a GBK .csv (as Excel in China saves it) with rows that need changes, uploaded to the
 * emulator's storage, checked (the counts and the problems), imported batch by batch with progress,
 * and the bank health follows. The organiser then sets the day's type mix and pins an imported 填空
 * question for today, and a member answers it in large inputs on the quiz page.
 * Screenshots go to test-output/e2e/bank-*.png.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../seed';
import type { Emulator } from '../../scripts/local-cloud';
import { dayOf } from '../../core/day';
import { csvOf, generateBank, templateRows } from '../fixtures/bank/generate';
import { phonePage, shot, signIn as signInAs, startApp, text, type E2EApp } from './browser';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;
let tmp: string;

beforeAll(async () => {
  app = await startApp('bank-import');
  ({ emu, browser } = app);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-e2e-'));
}, 120_000);

afterAll(async () => {
  await app?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

const signIn = (page: Page, who: string) => signInAs(page, emu, who);
const db = () => emu.backend.store as { find(c: string, q?: object): any[]; count(c: string, q?: object): number };

const bank = generateBank(120, 314);
for (const q of bank.questions) q.stem = `浏览器导入：${q.stem}`;
const fills = bank.questions.filter((q) => q.type === '填空');

test('the organiser imports a GBK .csv with rows to fix; a member answers an imported 填空 question today', async () => {
  expect(fills.length).toBeGreaterThan(5);
  const file = path.join(tmp, '党史题库.csv');
  fs.writeFileSync(file, csvOf(templateRows(bank), 'gb18030'));
  const today = dayOf(new Date());

  const page = await phonePage(browser);
  await signIn(page, DEMO.organiserOpenid);
  await page.goto(`${emu.url}/#/pages/quiz/more/bank/index`);
  await page.locator('#bank-status').waitFor();
  await page.locator('#bank-health').waitFor();
  const activeBefore = db().count('quiz_questions', { orgId: 'd1', status: 'active' });

  await page.fill('#bank-default-source input', '党史学习教育题库');
  // the page adds a hidden input#bank-file-input and clicks it: the chooser gets the file
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.click('#bank-choose')]);
  expect(await page.locator('input#bank-file-input').count()).toBe(1);
  await chooser.setFiles(file);

  await page.locator('#bank-report-summary').waitFor();
  const summary = await text(page, '#bank-report-summary');
  expect(summary).toContain(`共 ${120 + bank.bad.length + bank.repeats.length} 行`);
  expect(summary).toContain('可导入 120 题');
  expect(summary).toContain(`需要修改 ${bank.bad.length} 行`);
  expect(await page.locator('#bank-report .bank-error').count()).toBeGreaterThanOrEqual(1);
  expect(await page.locator('#bank-problems-file').count()).toBe(1);
  expect(db().count('quiz_questions', { orgId: 'd1', status: 'active' })).toBe(activeBefore);
  await shot(page, 'bank-01-checked');

  await page.click('#bank-commit');
  await page.locator('#bank-progress').waitFor();
  await page.getByText('已导入 120 题', { exact: true }).waitFor();
  expect(await text(page, '#bank-report-summary')).toContain('已导入 120 题，重复跳过 2 题');
  const progress = page.locator('#bank-progress');
  expect(await progress.getAttribute('data-done')).toBe('120');
  expect(await progress.getAttribute('data-of')).toBe('120');
  expect(db().count('quiz_questions', { orgId: 'd1', status: 'active' })).toBe(activeBefore + 120);
  expect(db().count('quiz_questions', { orgId: 'd1', source: '党史学习教育题库' })).toBeGreaterThan(0);
  // the health card reloads with the new questions, 填空 among them
  const fillActive = db().count('quiz_questions', { orgId: 'd1', type: 'fill', status: 'active' });
  expect(fillActive).toBeGreaterThanOrEqual(fills.length);
  await page.locator('.bank-health-type[data-type="fill"]').getByText(`共 ${fillActive} ·`).waitFor();
  await shot(page, 'bank-02-imported');

  // the day's type mix, edited on the page: 填空 weighted up
  await page.click('#perday-edit');
  await page.fill('#mix-fill input', '3');
  await page.click('#perday-save');
  await page.locator('#perday-editor').waitFor({ state: 'detached' });
  await page.locator('#bank-health').getByText('2:1:1:3').waitFor();
  expect(db().find('quiz_config', { _id: 'd1' })[0].mix).toEqual({ single: 2, multi: 1, judge: 1, fill: 3 });

  // and one imported 填空 question fixed to today, so the member's set has one whatever the walk draws
  const imported = page.locator('.bank-q-wrap').filter({ hasText: '浏览器导入' }).filter({ hasText: '填空题' });
  for (let p = 0; p < 10 && !(await imported.count()); p++) {
    await page.getByText('下一页').click();
    await page.waitForTimeout(500);
  }
  const row = imported.first();
  const qid = (await row.getAttribute('data-id'))!;
  await row.locator('.question-pin-btn').click();
  await page.fill('.question-pin-day input', today);
  await page.click('.question-pin-save');
  await page.getByText(`已固定到 ${today}`).waitFor();
  await shot(page, 'bank-03-mix-and-pin');
  await page.close();

  const member = await phonePage(browser);
  await signIn(member, DEMO.memberOpenid);
  await member.locator('#home-quiz-state').waitFor();
  await member.click('#home-quiz');
  await member.locator('#quiz-submit').waitFor();
  const set = db().find('quiz_sets', { materialised: true, day: today })[0].questions as Array<{ _id: string; type: string; answer: string[] }>;
  const i = set.findIndex((q) => q._id === qid);
  expect(i).toBeGreaterThanOrEqual(0);
  const card = member.locator(`#q-${i}`);
  expect(await card.getAttribute('data-type')).toBe('fill');
  // every question answered right: options by click, blanks typed with stray spaces and full-width letters
  for (let k = 0; k < set.length; k++) {
    const q = set[k];
    if (q.type === 'fill') {
      for (let b = 0; b < q.answer.length; b++) await member.fill(`#q-${k}-blank-${b} input`, ` ${q.answer[b].split('|')[0]}。`);
    } else {
      for (const c of q.answer) await member.click(`#q-${k}-opt-${c}`);
    }
  }
  await shot(member, 'bank-04-fill-question');
  await member.click('#quiz-submit');
  await member.locator('#quiz-result').waitFor();
  await member.locator(`#q-${i}.quiz-q--right`).waitFor();
  await shot(member, 'bank-05-fill-scored');
});

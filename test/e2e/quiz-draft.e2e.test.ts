/**
 * Answers are never lost: a member answers two questions of today's set (one of them a 填空), reloads,
 * leaves for the home page and comes back, switches to 关怀模式 and reloads again — the answers are
 * there each time, kept on the device (the 填空 is pinned to today: the demo bank has none).
 * Submitting clears the draft, and a reload shows the result.
 * Screenshots go to test-output/e2e/quiz-draft-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../seed';
import type { Emulator } from '../../scripts/local-cloud';
import { dayOf } from '../../core/day';
import { phonePage, shot, signIn, startApp, text, type E2EApp } from './browser';
import { pinFillQuestion } from './fill-question';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;

type StoredQ = { _id: string; type: string; answer: string[]; options: Array<{ id: string }> };
const db = () => emu.backend.store as unknown as { find(c: string, q?: object): any[] };
const storedSet = () => db().find('quiz_sets', { materialised: true, day: dayOf(new Date()) })[0].questions as StoredQ[];

beforeAll(async () => {
  app = await startApp('quiz-draft');
  ({ emu, browser } = app);
  pinFillQuestion(emu);
});

afterAll(async () => {
  await app?.close();
});

/** the draft keys in the page's storage */
const draftKeys = (page: Page) => page.evaluate(() => Object.keys(localStorage).filter((k) => k.includes('quiz.draft')));

test('answers survive a reload, leaving and 关怀模式 until they are submitted', async () => {
  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.memberOpenid);
  await page.locator('#home-quiz-state').waitFor();
  await page.click('#home-quiz');
  await page.locator('#quiz-submit').waitFor();
  const set = storedSet();
  const fillAt = set.findIndex((q) => q.type === 'fill');
  expect(fillAt).toBeGreaterThanOrEqual(0);
  const choiceAt = set.findIndex((q) => q.type === 'single');
  expect(choiceAt).toBeGreaterThanOrEqual(0);
  const option = set[choiceAt].options[1].id;

  // two answers: a choice and the first blank of the 填空
  await page.click(`#q-${choiceAt}-opt-${option}`);
  await page.fill(`#q-${fillAt}-blank-0 input`, '1921');
  expect(await draftKeys(page)).toHaveLength(1);

  const expectAnswers = async () => {
    await page.locator(`#q-${choiceAt}-opt-${option}.quiz-opt--chosen`).waitFor();
    expect(await page.locator(`#q-${fillAt}-blank-0 input`).inputValue()).toBe('1921');
    expect(await page.locator(`#q-${fillAt}-blank-1 input`).inputValue()).toBe('');
    expect(await page.locator('.quiz-opt--chosen').count()).toBe(1);
  };

  await page.reload();
  await page.locator('#quiz-submit').waitFor();
  await expectAnswers();
  await shot(page, 'quiz-draft-01-after-reload');

  // leave for the home page and come back
  await page.goto(`${emu.url}/#/pages/home/index`);
  await page.reload();
  await page.click('#home-quiz');
  await page.locator('#quiz-submit').waitFor();
  await expectAnswers();

  // 关怀模式: one question per screen; the answers are the same ones, and the place is kept
  await page.goto(`${emu.url}/#/pages/mine/index`);
  await page.click('#elder-switch');
  await page.locator('.page.elder:has(#mine-profile)').waitFor();
  await page.goto(`${emu.url}/#/pages/quiz/index`);
  await page.reload();
  await page.locator('.page.elder #q-0').waitFor();
  for (let i = 0; i < fillAt; i++) {
    if (i === choiceAt) await page.locator(`#q-${i}-opt-${option}.quiz-opt--chosen`).waitFor();
    else for (const c of set[i].answer) await page.click(`#q-${i}-opt-${c}`);
    await page.click('#quiz-next');
  }
  expect(await page.locator(`#q-${fillAt}-blank-0 input`).inputValue()).toBe('1921');
  await page.fill(`#q-${fillAt}-blank-1 input`, '上海');
  await page.reload();
  await page.locator(`.page.elder #q-${fillAt}`).waitFor();
  expect(await page.locator(`#q-${fillAt}-blank-1 input`).inputValue()).toBe('上海');
  await shot(page, 'quiz-draft-02-elder-after-reload');

  // finish the set and submit: the draft is gone, a reload shows the result
  for (let i = fillAt; i < set.length; i++) {
    if (i !== fillAt && i !== choiceAt) for (const c of set[i].answer) await page.click(`#q-${i}-opt-${c}`);
    if (i < set.length - 1) await page.click('#quiz-next');
  }
  await page.click('#quiz-submit');
  await page.locator('#quiz-result').waitFor();
  const right = set.length - (set[choiceAt].answer.join() === option ? 0 : 1);
  expect(await text(page, '#quiz-score')).toContain(`答对 ${right}/${set.length}`);
  expect(await draftKeys(page)).toEqual([]);
  await page.reload();
  await page.locator('#quiz-result').waitFor();
  expect(await text(page, '#quiz-score')).toContain(`答对 ${right}/${set.length}`);
  expect(await draftKeys(page)).toEqual([]);
  await shot(page, 'quiz-draft-03-result-after-reload');
});

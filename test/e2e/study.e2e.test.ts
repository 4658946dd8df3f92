/**
 * Study in Chromium against the built H5 app on the emulator (heartbeats every 2 s for the test,
 * STUDY_BEAT_SEC=2): a member reads an article lesson and sees the credit; joins the live lesson on
 * air (simulated stream) and gets attendance credit; an elder in 关怀模式 reaches the live lesson in
 * one tap from home; a secretary records a 送学上门 session and sees the branch table.
 */
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../seed';
import { STUDY_DEMO } from '../../seed/study';
import type { Emulator } from '../../scripts/local-cloud';
import { yearOf } from '../../core/day';
import { phonePage, shot, signIn as signInAs, startApp, text, type E2EApp } from './browser';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  process.env.STUDY_BEAT_SEC = '2';
  // a checkpoint every 2 s instead of 6 minutes, so the credit shown grows within the test
  process.env.STUDY_CHECKPOINT_SEC = '2';
  app = await startApp('study');
  ({ emu, browser } = app);
});

afterAll(async () => {
  await app?.close();
  delete process.env.STUDY_BEAT_SEC;
  delete process.env.STUDY_CHECKPOINT_SEC;
});

const signIn = (page: Page, who: string) => signInAs(page, emu, who);

async function poll(read: () => number, timeoutMs = 10_000): Promise<number> {
  const until = Date.now() + timeoutMs;
  let v = read();
  while (v <= 0 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    v = read();
  }
  return v;
}

const totals = (memberId: string) => emu.backend.store.findOne('study_totals', `${yearOf(new Date())}:${memberId}`) as any;

test('a member reads part of an article lesson and sees the credit on the lesson and in 学时', async () => {
  const page = await phonePage(browser);
  await signIn(page, DEMO.memberOpenid);
  await page.locator('#home-study-card').waitFor();
  // the demo member already has the 学时 of the 主题党日 they attended
  await page.waitForFunction(() => /已学 [\d.]+ \/ 32 学时/.test(document.querySelector('#home-study-hours')?.textContent ?? ''));
  await page.goto(`${emu.url}/#/pages/study/index`);
  await page.locator('#study-progress').waitFor();
  await shot(page, 'study-01-tab');
  await page.locator(`.lesson-item[data-id="${STUDY_DEMO.articleLessonId}"]`).click();
  await page.locator('#lesson-article').waitFor();
  // a few heartbeats: the credit shown comes from the server
  await page.waitForFunction(() => /[3-9] 秒|\d\d 秒|分/.test(document.querySelector('#lesson-credited')?.textContent ?? ''), null, { timeout: 20_000 });
  expect(await page.locator('#lesson-read-aloud').count()).toBe(1);
  await shot(page, 'study-02-reading');
  // leaving the lesson (back to the list) writes the time to the ledger
  await page.goBack();
  await page.locator('#study-progress').waitFor();
  expect(await poll(() => totals(DEMO.memberId)?.bySource?.online ?? 0)).toBeGreaterThan(2);
  await page.reload();
  await page.locator('#study-progress').waitFor();
  await page.locator(`.lesson-item[data-id="${STUDY_DEMO.articleLessonId}"] .badge`).waitFor();
  expect(await text(page, `.lesson-item[data-id="${STUDY_DEMO.articleLessonId}"] .badge`)).toMatch(/已学|已完成/);
});

test('an elder in 关怀模式 reaches the live lesson in one tap from home and gets attendance credit', async () => {
  const page = await phonePage(browser);
  await signIn(page, DEMO.elderOpenid);
  await page.goto(`${emu.url}/#/pages/mine/index`);
  await page.locator('#elder-switch').waitFor();
  await page.click('#elder-switch');
  await page.locator('.page.elder:has(#mine-profile)').waitFor();
  await page.goto(`${emu.url}/`);
  await page.locator('#elder-home').waitFor();
  await page.waitForFunction(() => /正在直播/.test(document.querySelector('#elder-live-line')?.textContent ?? ''));
  const box = await page.locator('#elder-live').boundingBox();
  // a touch target well above 60 pt
  expect(box!.height).toBeGreaterThanOrEqual(100);
  await shot(page, 'study-03-elder-home');
  await page.click('#elder-live');
  await page.locator('#lesson-live-placeholder').waitFor();
  expect(await text(page, '#lesson-title')).toContain('两个确立');
  await page.waitForFunction(() => /[3-9] 秒|\d\d 秒|分/.test(document.querySelector('#lesson-credited')?.textContent ?? ''), null, { timeout: 20_000 });
  await shot(page, 'study-04-elder-live');
  const bodySize = await page.locator('.lesson-meta').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(bodySize).toBeGreaterThanOrEqual(18);
  await page.goBack();
  await page.locator('#elder-home').waitFor();
  expect(await poll(() => totals(DEMO.elderId)?.bySource?.live ?? 0)).toBeGreaterThan(2);
});

test('a secretary records 送学上门 for an elder and sees the branch table', async () => {
  const page = await phonePage(browser);
  await signIn(page, DEMO.secretaryOpenid);
  await page.goto(`${emu.url}/#/pages/mine/index`);
  await page.click('#mine-study-offline');
  await page.locator('#offline-members .check-item').first().waitFor();
  const before = totals(DEMO.elderId)?.bySource?.offline ?? 0;
  await page.click('#offline-submit');
  expect(await text(page, '#offline-topic .field-error')).toContain('请填写学习内容');
  await page.fill('#offline-topic input', '送学上门：学习党的二十大报告');
  await page.fill('#offline-hours input', '1.5');
  await page.fill('#offline-place input', '馨怡家园 3 号楼老党员家中');
  await page.fill('#offline-by input', '支部书记');
  await page.click(`#offline-members .check-item[data-id="${DEMO.elderId}"]`);
  await shot(page, 'study-05-offline-form');
  await page.click('#offline-submit');
  await page.locator('#offline-saved').waitFor();
  expect(await text(page, '#offline-saved')).toContain('1 人计入学时');
  await page.locator('.offline-item', { hasText: '学习党的二十大报告' }).waitFor();
  expect((totals(DEMO.elderId)?.bySource?.offline ?? 0) - before).toBeCloseTo(5400, 3);

  await page.goto(`${emu.url}/#/pages/mine/index`);
  await page.click('#mine-study-branch');
  await page.locator('#branch-table .branch-row').first().waitFor();
  const rows = await page.locator('#branch-table .branch-row').count();
  expect(rows).toBe(emu.backend.store.count('org_members', { branchId: DEMO.branchId, status: 'active' }));
  // furthest behind first: the first row still misses more than the last
  const first = ((await page.locator('#branch-table .branch-row').first().locator('.behind').textContent()) ?? '').trim();
  expect(first).toMatch(/差 \d/);
  await shot(page, 'study-06-branch-table');
});

test('a secretary publishes an article lesson that members then see', async () => {
  const page = await phonePage(browser);
  await signIn(page, DEMO.secretaryOpenid);
  await page.goto(`${emu.url}/#/pages/mine/index`);
  await page.click('#mine-study-publish');
  await page.locator('#publish-form').waitFor();
  await page.click('.kind-chip[data-kind="article"]');
  await page.fill('#publish-title input', '学习新修订的《中国共产党纪律处分条例》');
  await page.fill('#publish-speaker input', '支部书记');
  await page.fill('#publish-minutes input', '20');
  await page.fill('#publish-body textarea', '党的纪律是党的生命线。本课介绍条例修订的主要内容和对党员的具体要求。');
  await page.click('#publish-submit');
  await page.locator('#publish-result').waitFor();
  await shot(page, 'study-07-published');
  const stored = emu.backend.store.find('study_lessons', { title: '学习新修订的《中国共产党纪律处分条例》' });
  expect(stored).toHaveLength(1);
});

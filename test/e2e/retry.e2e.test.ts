/**
 * A write that fails is shown with a plain Chinese message and 重试, and 重试 sends the same request
 * again, which lands exactly once. Faults come from the emulator's test-only fault injection, armed
 * for the page's next call through /api/dev/faults (the page cannot set the x-fault header):
 *   - the daily quiz: the answer's transaction commits, then the function times out (the member sees
 *     a timeout although the answer is stored); 重试 answers the stored result: one ledger entry, the
 *     points and counters added once;
 *   - an activity sign-in in 关怀模式: the attendance write fails; 重试 signs in: one record.
 * Screenshots go to test-output/e2e/retry-*.png.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { DEMO } from '../../seed';
import { startEmulator, type Emulator } from '../../scripts/local-cloud';
import { buildFunctionsOnce } from '../setup/functions';
import { ledgerId } from '../../core/points/ledger';
import { dayOf } from '../../core/day';
import { attendanceId } from '../../core/activity/rules';
import { issueToken } from '../../core/activity/token';
import { requiredSecretNames } from '../../core/fn/secrets';
import { launch, phonePage, shot, signIn, text } from './browser';
import { activityDoc } from '../fixtures/activity';
import { freshDataDir } from '../setup/demo-snapshot';

const ROOT = path.join(__dirname, '..', '..');
const MIN = 60_000;

let emu: Emulator;
let browser: Browser;
let dataDir: string;

beforeAll(async () => {
  await buildFunctionsOnce(path.join(ROOT, 'cloudfunctions'));
  dataDir = freshDataDir('pps-e2e-retry', 'demo');
  // as startApp, plus test mode: the fault endpoints exist only there
  emu = await startEmulator({
    functionsDir: path.join(ROOT, 'cloudfunctions'),
    dataDir,
    port: 0,
    strict: true,
    testIdentityHeader: true,
    secrets: requiredSecretNames(),
    seed: 'demo',
    triggers: false,
    h5Dir: path.join(ROOT, 'dist-h5'),
    log: () => undefined,
  });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await emu?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const store = () => emu.backend.store as { find(c: string, q?: object): any[]; findOne(c: string, id: string): any; count(c: string, q?: object): number; put(c: string, d: object, m?: string): void };

async function armFault(fn: string, action: string, fault: string): Promise<void> {
  const res = await fetch(`${emu.url}/api/dev/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ fn, action, fault }),
  });
  expect(res.status).toBe(200);
}

const armed = async () => ((await (await fetch(`${emu.url}/api/dev/faults`)).json()) as { faults: unknown[] }).faults;

test('the daily quiz: the answer is stored but the reply times out; 重试 shows the result and nothing is counted twice', async () => {
  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.memberOpenid);
  await page.locator('#home-quiz-state').waitFor();
  await page.click('#home-quiz');
  await page.locator('#quiz-submit').waitFor();
  const day = dayOf(new Date());
  const set = store().find('quiz_sets', { materialised: true, day })[0].questions as Array<{ _id: string; answer: string[] }>;
  for (let i = 0; i < set.length; i++) for (const c of set[i].answer) await page.click(`#q-${i}-opt-${c}`);

  const before = store().findOne('org_members', DEMO.memberId);
  const entryId = ledgerId({ type: 'quiz', id: day }, DEMO.memberId);
  expect(store().findOne('points_ledger', entryId)).toBeNull();

  // the award's transaction commits (the first write that lands), then the instance is killed
  await armFault('quiz', 'submit', 'timeout-after-write=1');
  await page.click('#quiz-submit');
  await page.locator('#quiz-error-retry').waitFor();
  expect(await text(page, '#quiz-error-text')).toBe('服务响应超时，请重试');
  expect(await armed()).toEqual([]);
  await shot(page, 'retry-01-quiz-timeout');
  // the answer did land: one entry already
  expect(store().count('points_ledger', { memberId: DEMO.memberId, 'source.type': 'quiz', day })).toBe(1);
  const stored = store().findOne('points_ledger', entryId);

  await page.click('#quiz-error-retry');
  await page.locator('#quiz-result').waitFor();
  expect(await text(page, '#quiz-score')).toContain(`答对 ${set.length}/${set.length}`);
  expect(await page.locator('#quiz-error').count()).toBe(0);
  await shot(page, 'retry-02-quiz-result');

  // exactly one answer record and one award
  expect(store().count('points_ledger', { memberId: DEMO.memberId, 'source.type': 'quiz', day })).toBe(1);
  expect(store().findOne('points_ledger', entryId)).toEqual(stored);
  const after = store().findOne('org_members', DEMO.memberId);
  expect(after.pointsTotal - (before.pointsTotal ?? 0)).toBe(stored.points);
  expect(after.quizDays - (before.quizDays ?? 0)).toBe(1);
  expect(after.quizLastDay).toBe(day);
});

test('an activity sign-in in 关怀模式: the write fails, the large 重试 signs in once', async () => {
  const elder = store().findOne('org_members', DEMO.elderId);
  const id = publishedActivityOpenForSignIn();
  const page = await phonePage(browser);
  await signIn(page, emu, DEMO.elderOpenid);
  await page.goto(`${emu.url}/#/pages/mine/index`);
  await page.click('#elder-switch');
  await page.locator('.page.elder:has(#mine-profile)').waitFor();
  await page.goto(`${emu.url}/#/pages/activity/detail/index?id=${id}`);
  await page.locator('.page.elder #signin-card').waitFor();
  await page.fill('#signin-code input', issueToken(emu.secrets.ACTIVITY_QR_SECRET, id, Date.now()).token);

  await armFault('activity', 'signIn', 'fail-write=1');
  await page.click('#signin-submit');
  await page.locator('#activity-retry').waitFor();
  // the function's own INTERNAL answer (core/fn/router.ts), in plain Chinese
  expect(await text(page, '#activity-error')).toBe('服务暂时出了点问题，请稍后重试');
  const box = (await page.locator('#activity-retry').boundingBox())!;
  expect(box.height).toBeGreaterThanOrEqual(60);
  expect(store().findOne('activity_attendance', attendanceId(id, elder._id))).toBeNull();
  await shot(page, 'retry-03-signin-failed-elder');

  await page.click('#activity-retry');
  await page.locator('#my-status', { hasText: '已签到' }).waitFor();
  expect(await page.locator('#activity-retry').count()).toBe(0);
  await shot(page, 'retry-04-signin-done-elder');
  expect(store().count('activity_attendance', { activityId: id, memberId: elder._id })).toBe(1);
  expect(store().findOne('activity_attendance', attendanceId(id, elder._id))).toMatchObject({ status: 'present', method: 'qr' });
});

/** A theme day of the home branch with sign-in open now, the branch's active members on its roster. */
function publishedActivityOpenForSignIn(): string {
  const now = Date.now();
  const branch = store().findOne('org_nodes', DEMO.branchId);
  const roster = store()
    .find('org_members', { branchId: DEMO.branchId, status: 'active' })
    .map((m: any) => ({ id: m._id, name: m.name, branchId: m.branchId }));
  const startAt = new Date(now + 20 * MIN);
  const id = 'a-e2e-retry';
  store().put('activity_items', activityDoc({ id, branch, roster, startAt, title: '主题党日：重温入党誓词' }), 'insert');
  return id;
}



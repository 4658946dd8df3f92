/**
 * 组织生活 end to end in Chromium, against the built H5 app on the emulator: the secretary publishes
 * a 主题党日 notice, members see it on the home page and read it, three sign in with the rotating
 * code read from the secretary's QR screen, one asks for leave and is approved, the secretary ends
 * sign-in, the elder (in 关怀模式) who did not come is marked absent and completes 补学, and the
 * secretary exports the 台账. Screenshots go to test-output/e2e/activity-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../seed';
import type { Emulator } from '../../scripts/local-cloud';
import { phonePage, shot, signIn as signInAs, startApp, text, type E2EApp } from './browser';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  app = await startApp('activity');
  ({ emu, browser } = app);
});

afterAll(async () => {
  await app?.close();
});

const signIn = (page: Page, who: string) => signInAs(page, emu, who);

const detailUrl = (id: string) => `${emu.url}/#/pages/activity/detail/index?id=${id}`;

test('publish → read → rotating-code sign-in → leave → close → 补学 → 台账', async () => {
  const store = emu.backend.store;
  const members = (store.find('org_members', { branchId: DEMO.branchId, status: 'active', role: 'member' }, { sort: { _id: 1 } }) as any[]).filter(
    (m) => m.openid && m._id !== DEMO.elderId,
  );
  const [a, b, c, leaver] = members;

  // 1. the secretary publishes a 主题党日 notice (the form's default start is soon: sign-in is open)
  const sec = await phonePage(browser);
  await signIn(sec, DEMO.secretaryOpenid);
  await sec.goto(`${emu.url}/#/pages/activity/index`);
  await sec.click('#activity-new');
  await sec.locator('#edit-title').waitFor();
  await sec.fill('#edit-title input', '11 月主题党日：学习新修订的党章');
  await sec.fill('#edit-place input', '馨怡家园社区党群服务中心');
  await sec.fill('#edit-agenda textarea', '1. 重温入党誓词\n2. 学习党章第一章\n3. 交流体会');
  await shot(sec, 'activity-01-secretary-form');
  await sec.click('#edit-publish');
  await sec.waitForURL((u) => u.hash.includes('pages/activity/detail/index'));
  await sec.locator('#manage-card').waitFor();
  const id = /id=([^&]+)/.exec(sec.url())![1];
  expect(store.findOne('activity_items', id)).toMatchObject({ status: 'published', type: 'theme_day' });
  await shot(sec, 'activity-02-secretary-published');

  // 2. members see it on the home page with a badge and read it
  const pages: Page[] = [];
  for (const m of [a, b, c, leaver]) {
    const p = await phonePage(browser);
    await signIn(p, m.openid);
    // the home card's badge counts unread notices (the seeded 党课 is open for sign-in too)
    await p.locator('#home-activity-badge').waitFor();
    expect(Number(await text(p, '#home-activity-badge'))).toBeGreaterThanOrEqual(1);
    if (m === a) await shot(p, 'activity-03-member-home-badge');
    await p.goto(`${emu.url}/#/pages/activity/index`);
    const row = p.locator('.notice-item', { hasText: '11 月主题党日' });
    await row.locator('.unread-dot').waitFor();
    if (m === a) await shot(p, 'activity-03b-member-list');
    await row.click();
    await p.locator('#activity-title').waitFor();
    expect(await text(p, '#activity-title')).toContain('学习新修订的党章');
    pages.push(p);
  }
  await shot(pages[0], 'activity-04-member-notice');

  // the elder switches on 关怀模式 and reads the notice in large type
  const elder = await phonePage(browser);
  await signIn(elder, DEMO.elderOpenid);
  await elder.goto(`${emu.url}/#/pages/mine/index`);
  await elder.click('#elder-switch');
  await elder.locator('.page.elder:has(#mine-profile)').waitFor();
  await elder.goto(detailUrl(id));
  await elder.locator('.page.elder #activity-title').waitFor();
  const bodySize = await elder.locator('.kv-v').first().evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(bodySize).toBeGreaterThanOrEqual(18);
  await shot(elder, 'activity-05-elder-notice');

  // 3. one member asks for leave before the start
  const lp = pages[3];
  await lp.click('#leave-open');
  await lp.fill('#leave-reason textarea', '在外地出差，无法参加');
  await lp.click('#leave-submit');
  await lp.locator('#my-status', { hasText: '请假待批' }).waitFor();

  // 4. three sign in with the code shown on the secretary's rotating QR screen
  await sec.click('#show-qr');
  await sec.locator('#qr-token').waitFor();
  await shot(sec, 'activity-06-secretary-qr');
  for (const p of pages.slice(0, 3)) {
    const token = await text(sec, '#qr-token'); // read fresh: it rotates every 15 s
    await p.fill('#signin-code input', token);
    await p.click('#signin-submit');
    await p.locator('#my-status', { hasText: '已签到' }).waitFor();
  }
  await shot(pages[0], 'activity-07-member-signed-in');
  // the count comes with each minute's tokens; a tap on it asks at once
  await sec.click('#qr-counts');
  await sec.locator('#qr-present', { hasText: '3' }).waitFor({ timeout: 20_000 });

  // 5. the secretary approves the leave on the roster, which also shows who has read the notice
  await sec.goto(`${emu.url}/#/pages/activity/more/roster/index?id=${id}`);
  await sec.click(`#approve-${leaver._id}`);
  await sec.locator('#roster-leave', { hasText: '1' }).waitFor();
  expect(Number(await text(sec, '#roster-reads'))).toBeGreaterThanOrEqual(5);
  await shot(sec, 'activity-08-secretary-roster');

  // 6. the secretary ends sign-in: everyone else required is marked absent
  // sign-in can be closed only once the activity has started
  store.update('activity_items', { _id: id }, { $set: { startAt: new Date(Date.now() - 60_000) } });
  await sec.goto(`${emu.url}/#/pages/activity/more/qr/index?id=${id}`);
  await sec.click('#qr-close');
  await sec.click('#qr-close-confirm');
  await sec.locator('#qr-closed').waitFor();
  await shot(sec, 'activity-09-secretary-closed');
  expect(store.findOne('activity_attendance', `${id}:${DEMO.elderId}`)).toMatchObject({ status: 'absent' });
  expect(store.findOne('activity_attendance', `${id}:${leaver._id}`)).toMatchObject({ status: 'leave' });
  expect(store.count('activity_attendance', { activityId: id, status: 'present' })).toBe(3);

  // 7. the absent elder completes 补学 in 关怀模式
  await elder.goto(detailUrl(id));
  await elder.locator('#makeup-card').waitFor();
  await elder.fill('#makeup-note textarea', '阅读了党章第一章，要时刻以党员标准要求自己');
  await shot(elder, 'activity-10-elder-makeup');
  await elder.click('#makeup-submit');
  await elder.locator('#my-status', { hasText: '已补学' }).waitFor();
  await shot(elder, 'activity-11-elder-made-up');
  expect(store.findOne('activity_attendance', `${id}:${DEMO.elderId}`).madeUpAt).toBeTruthy();

  // 8. the secretary exports the 台账
  await sec.goto(`${emu.url}/#/pages/activity/more/ledger/index`);
  const exported = sec.waitForResponse((r) => r.url().includes('/api/functions/activity') && (r.request().postData() ?? '').includes('exportLedger'));
  await sec.click('#ledger-export');
  const body = (await (await exported).json()) as any;
  await sec.locator('#ledger-result').waitFor();
  await shot(sec, 'activity-12-secretary-ledger');
  const file = await fetch(body.result.data.url);
  expect(file.status).toBe(200);
  const ExcelJS = require('exceljs');
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(await file.arrayBuffer()));
  const rows: any[] = [];
  wb.getWorksheet('三会一课记录').eachRow((row: any, n: number) => n > 2 && rows.push(row.values.slice(1)));
  const mine = rows.find((v) => String(v[10]).startsWith('11 月主题党日'));
  expect(mine.slice(5, 10)).toEqual([store.findOne('activity_items', id).roster.length, 3, 1, store.findOne('activity_items', id).roster.length - 4, 1]);
});

/**
 * 签到口令 in Chromium (a browser has no camera to scan with): the secretary's QR screen shows the
 * 6-digit code in large type under the QR; a member types it on the activity page and is signed in
 * (method 口令签到); a wrong code says so, and after 5 wrong codes the member is asked to wait.
 * Screenshots go to test-output/e2e/signin-code-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../seed';
import { ACTIVITY_DEMO } from '../../seed/activity';
import { attendanceId } from '../../core/activity/rules';
import { SLOT_MS, signInCode } from '../../core/activity/token';
import type { Emulator } from '../../scripts/local-cloud';
import { phonePage, shot, signIn, startApp, text, type E2EApp } from './browser';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;

beforeAll(async () => {
  app = await startApp('signin-code');
  ({ emu, browser } = app);
});
afterAll(async () => {
  await app?.close();
});

const detail = (p: Page, id: string) => p.goto(`${emu.url}/#/pages/activity/detail/index?id=${id}`);

test('the code under the QR, typed on the activity page, signs the member in', async () => {
  const store = emu.backend.store;
  const id = ACTIVITY_DEMO.soonId; // the seeded 党课: sign-in open now
  const sec = await phonePage(browser);
  await signIn(sec, emu, DEMO.secretaryOpenid);
  await sec.goto(`${emu.url}/#/pages/activity/more/qr/index?id=${id}`);
  await sec.locator('#qr-code').waitFor();
  const shown = (await text(sec, '#qr-code')).replace(/\s+/g, '');
  expect(shown).toMatch(/^\d{6}$/);
  // it is the slot's code of this activity, and it is large
  const slot = Math.floor(Date.now() / SLOT_MS);
  expect([signInCode(emu.secrets.ACTIVITY_QR_SECRET, id, slot), signInCode(emu.secrets.ACTIVITY_QR_SECRET, id, slot - 1)]).toContain(shown);
  const size = await sec.locator('#qr-code').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(size).toBeGreaterThanOrEqual(36);
  const qrBox = (await sec.locator('#qr-image').boundingBox())!;
  const codeBox = (await sec.locator('#qr-code').boundingBox())!;
  expect(codeBox.y).toBeGreaterThan(qrBox.y + qrBox.height - 1);
  await shot(sec, 'signin-code-01-secretary');

  const member = (store.find('org_members', { branchId: DEMO.branchId, status: 'active', role: 'member', openid: { $ne: null } }, { sort: { _id: 1 } }) as any[]).find(
    (m) => m._id !== DEMO.memberId && m._id !== DEMO.elderId,
  );
  const p = await phonePage(browser);
  await signIn(p, emu, member.openid);
  await detail(p, id);
  await p.locator('#signin-card').waitFor();
  const code = (await text(sec, '#qr-code')).replace(/\s+/g, ''); // read fresh: it rotates every 15 s
  await p.fill('#signin-code input', code);
  await shot(p, 'signin-code-02-member-typed');
  await p.click('#signin-submit');
  await p.locator('#my-status', { hasText: '已签到' }).waitFor();
  expect(store.findOne('activity_attendance', attendanceId(id, member._id))).toMatchObject({ status: 'present', method: 'code' });
  await sec.locator('#qr-present', { hasText: /\d/ }).waitFor();
  await shot(p, 'signin-code-03-member-signed-in');
});

test('a wrong code says so; after 5 the member is asked to wait, and nothing is recorded', async () => {
  const store = emu.backend.store;
  const id = ACTIVITY_DEMO.soonId;
  const p = await phonePage(browser);
  await signIn(p, emu, DEMO.memberOpenid);
  await detail(p, id);
  await p.locator('#signin-card').waitFor();
  const secret = emu.secrets.ACTIVITY_QR_SECRET;
  const valid = () => {
    const s = Math.floor(Date.now() / SLOT_MS);
    return [s - 1, s, s + 1].map((x) => signInCode(secret, id, x));
  };
  let n = 0;
  const wrong = () => {
    for (;;) {
      const c = String(100000 + ++n * 104729).slice(-6);
      if (!valid().includes(c)) return c;
    }
  };
  for (let i = 0; i < 5; i++) {
    await p.fill('#signin-code input', wrong());
    await p.click('#signin-submit');
    await p.locator('#activity-error', { hasText: '签到口令不对' }).waitFor();
    if (i < 4) expect(await text(p, '#activity-error')).not.toMatch(/分钟后再试/);
  }
  expect(await text(p, '#activity-error')).toMatch(/10 分钟后再试/);
  await p.fill('#signin-code input', valid()[1]);
  await p.click('#signin-submit');
  await p.locator('#activity-error', { hasText: /分钟后再试/ }).waitFor();
  await shot(p, 'signin-code-04-member-waits');
  expect(store.findOne('activity_attendance', attendanceId(id, DEMO.memberId))).toBeNull();
  expect(store.findOne('activity_code_tries', attendanceId(id, DEMO.memberId))).toMatchObject({ tries: 5 });
});

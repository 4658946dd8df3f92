/**
 * 会议记录 in Chromium on the H5 build: the secretary opens last month's 主题党日 (待补记录 on the
 * activity list), picks the 主持人 and 记录人, writes 议题 and 决议, ticks the 7+1 items, adds two
 * photos (compressed on a canvas, uploaded to the emulator's storage into the secretary's own folder,
 * checked by the function) and a PDF attachment (a text file named .pdf is refused) and saves; a
 * member then sees the summary, both photos and the attachment on the notice; the organiser sees
 * the district's branches with their 三会一课 status and drills into one.
 * Screenshots go to test-output/e2e/minutes-*.png.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Browser, Page } from 'playwright-core';
import { DEMO } from '../../seed';
import { ACTIVITY_DEMO } from '../../seed/activity';
import { drawMeetingPhoto } from '../../seed/activity-year';
import type { Emulator } from '../../scripts/local-cloud';
import { phonePage, shot, signIn, startApp, text, type E2EApp } from './browser';

let app: E2EApp;
let emu: Emulator;
let browser: Browser;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'minutes-e2e-'));

beforeAll(async () => {
  app = await startApp('minutes');
  ({ emu, browser } = app);
});
afterAll(async () => {
  await app?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Picks a member by name in the editor's person field (search, then tap). */
async function pick(p: Page, field: string, m: { _id: string; name: string }) {
  await p.fill(`#${field}-search input`, m.name.slice(0, 2));
  await p.click(`#${field} .person-chip[data-id="${m._id}"]`);
  await p.locator(`#${field}-chosen`, { hasText: m.name }).waitFor();
}

test('the secretary writes minutes with two photos; a member sees them on the notice', async () => {
  const store = emu.backend.store;
  const id = ACTIVITY_DEMO.pastId;
  const sec = await phonePage(browser);
  await signIn(sec, emu, DEMO.secretaryOpenid);
  // the home page says what is owed: meetings awaiting minutes, tap to the activity list
  await sec.goto(`${emu.url}/#/pages/home/index`);
  const pendingBefore = Number(/待补记录 (\d+) 次/.exec(await text(sec, '#home-cadence-pending'))?.[1]);
  expect(pendingBefore).toBeGreaterThan(0);
  await shot(sec, 'minutes-00-secretary-home');
  await sec.click('#home-cadence');
  await sec.locator('#cadence-card').waitFor();
  await sec.locator(`#cadence-pending .pending-minutes[data-id="${id}"]`).waitFor();
  await shot(sec, 'minutes-01-secretary-card');
  await sec.click(`#cadence-pending .pending-minutes[data-id="${id}"]`);
  await sec.locator('#minutes-form').waitFor();

  const secretary = store.findOne('org_members', DEMO.secretaryId) as any;
  const recorder = store.findOne('org_members', DEMO.memberId) as any;
  await pick(sec, 'minutes-host', secretary);
  await pick(sec, 'minutes-recorder', recorder);
  await sec.fill('#minutes-topics-input textarea', '重温入党誓词；集中学习党的二十大报告选段；交流学习体会；楼栋环境整治志愿服务。');
  await sec.fill('#minutes-resolutions-input textarea', '1. 各党小组本月内完成楼栋走访；2. 党费已全部收缴。');
  await sec.click('#minutes-checklist-edit .checklist-item[data-key="oath"]');
  await sec.locator('#minutes-checklist-edit .checklist-item[data-key="oath"]', { hasText: '☑' }).waitFor();

  const files = [1, 2].map((n) => {
    const f = path.join(dir, `photo-${n}.png`);
    fs.writeFileSync(f, drawMeetingPhoto(100 + n, 640));
    return f;
  });
  const chooser = sec.waitForEvent('filechooser');
  await sec.click('#minutes-add-photo');
  await (await chooser).setFiles(files);
  await sec.locator('#minutes-photo-list .minutes-photo-box').nth(1).waitFor({ timeout: 20_000 });

  // an optional attachment: a text file named .pdf is refused (and removed from storage); a real PDF is kept
  const fake = path.join(dir, '会议材料.pdf');
  fs.writeFileSync(fake, 'not really a pdf');
  const chooseFake = sec.waitForEvent('filechooser');
  await sec.click('#minutes-add-attachment');
  await (await chooseFake).setFiles(fake);
  await sec.locator('#minutes-attach-error', { hasText: '附件只能是 PDF、Word、Excel 或 PPT 文件' }).waitFor();
  const pdf = path.join(dir, '学习材料.pdf');
  fs.writeFileSync(pdf, '%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
  const choosePdf = sec.waitForEvent('filechooser');
  await sec.click('#minutes-add-attachment');
  await (await choosePdf).setFiles(pdf);
  await sec.locator('#minutes-attachment-list .minutes-attachment', { hasText: '学习材料.pdf' }).waitFor();
  expect(await sec.locator('#minutes-attachment-list .minutes-attachment').count()).toBe(1);
  await shot(sec, 'minutes-02-editor');
  await sec.click('#minutes-save');
  // saved (a toast says so): the editor reads the record back, and as the meeting ended more than
  // 7 days ago, any further change now asks for a reason
  await sec.locator('#minutes-reason').waitFor();
  expect(await sec.locator('#minutes-save-error').count()).toBe(0);
  const m = store.findOne('activity_minutes', id) as any;
  expect(m).toMatchObject({ hostId: DEMO.secretaryId, recorderId: DEMO.memberId, version: 1 });
  expect(m.photos).toHaveLength(2);
  expect(m.photos.every((p: any) => p.fileID.includes(`/activity-photos/${DEMO.secretaryOpenid}/`) && p.thumb)).toBe(true);
  expect(m.checklist.find((c: any) => c.key === 'oath').done).toBe(true);
  await sec.goto(`${emu.url}/#/pages/home/index`);
  await sec.reload();
  const after = pendingBefore - 1 ? `待补记录 ${pendingBefore - 1} 次` : null;
  if (after) await sec.locator('#home-cadence-pending', { hasText: after }).waitFor();
  else {
    await sec.locator('#home-cadence-month').waitFor();
    expect(await sec.locator('#home-cadence-pending').count()).toBe(0);
  }
  expect(m.attachments).toEqual([expect.objectContaining({ name: '学习材料.pdf' })]);
  expect(m.attachments[0].fileID).toContain(`/activity-files/${DEMO.secretaryOpenid}/`);
  // the refused file left nothing behind: one upload of kind file, the one the record names
  expect(store.find('activity_uploads', { kind: 'file' }).map((u: any) => u.fileID)).toEqual([m.attachments[0].fileID]);

  const member = await phonePage(browser);
  await signIn(member, emu, DEMO.memberOpenid);
  await member.goto(`${emu.url}/#/pages/activity/detail/index?id=${id}`);
  await member.locator('#minutes-card').waitFor();
  expect(await text(member, '#minutes-host')).toBe(secretary.name);
  expect(await text(member, '#minutes-resolutions')).toContain('党费已全部收缴');
  const photos = member.locator('#minutes-photos img');
  await photos.nth(1).waitFor();
  expect(await photos.count()).toBe(2);
  // the photos really load (the browser decoded them)
  await member.waitForFunction(() => Array.from(document.querySelectorAll('#minutes-photos img')).every((i) => (i as HTMLImageElement).naturalWidth > 0));
  // the attachment opens in a new tab with the very bytes uploaded
  expect(await text(member, '#minutes-attachment-0')).toContain('学习材料.pdf');
  const tab = member.context().waitForEvent('page');
  await member.click('#minutes-attachment-0');
  const opened = await tab;
  const got = await member.request.get(opened.url());
  expect((await got.body()).toString('latin1')).toBe(fs.readFileSync(pdf, 'latin1'));
  await opened.close();
  await shot(member, 'minutes-03-member-notice');
});

test('the organiser sees every branch of the district with its status, and drills into one', async () => {
  const p = await phonePage(browser);
  await signIn(p, emu, DEMO.organiserOpenid);
  await p.goto(`${emu.url}/#/pages/activity/more/cadence/index`);
  await p.locator('#cadence-rows .cadence-row').first().waitFor();
  const branches = emu.backend.store.count('org_nodes', { type: 'branch' });
  expect(await p.locator('#cadence-rows .cadence-row').count()).toBe(branches);
  expect(await text(p, '#cadence-summary')).toMatch(new RegExp(`^${branches} 个支部：正常 \\d+，即将到期 \\d+，未按期召开 \\d+$`));
  await p.locator('#cadence-chart-canvas').waitFor();
  await p.click('#cadence-unit-quarter');
  await p.click('#cadence-sort-status');
  // missed first: the first row of the quarter is a branch that has missed something, or none has
  const first = await text(p, '#cadence-rows .cadence-row .badge');
  expect(['未按期召开', '即将到期', '正常', '已开齐']).toContain(first);
  await shot(p, 'minutes-04-organiser');
  await p.click(`#cadence-rows .cadence-row[data-id="${DEMO.branchId}"]`);
  await p.locator('#cadence-branch-name', { hasText: DEMO.branchName }).waitFor();
  await p.locator('#cadence-month').waitFor();
  await shot(p, 'minutes-05-drilldown');
});

/**
 * 会议记录, the cadence each branch owes and the 7+1 checklist through the activity function, in
 * process against the emulator's data plane and storage (the app's H5 upload path for the photos):
 * uploads checked and refused, minutes saved once and counted once, versions after the window, what
 * members see, the secretary's and the organiser's cadence at a cost that does not grow with the
 * history, the orphan cleaner, the reminder a week before the period ends, and the 台账.
 */
import { startTestEmulator } from '../setup/emulator';
import { linkFunctions } from '../setup/functions';
import { inProcess, type InProcessCloud } from '../setup/in-process';
import type { Emulator } from '../../scripts/local-cloud';
import { DEMO } from '../../seed';
import { ACTIVITY_DEMO } from '../../seed/activity';
import { drawMeetingPhoto, LAGGING_BRANCHES } from '../../seed/activity-year';
import { activityDoc } from '../fixtures/activity';
import { grantSubscribe } from '../fixtures/subscribe-grants';
import { SUBSCRIBE_TEMPLATES } from '../../core/subscribe/templates';
import { MAX_PHOTO_BYTES, uploadId } from '../../core/activity/minutes';
import { counterId, monthOf, monthsBefore, newCounter } from '../../core/activity/cadence';
import { dayOf } from '../../core/day';

let emu: Emulator;
let cloud: InProcessCloud;
const store = () => emu.backend.store as any;
const MIN = 60_000;
const DAY = 86_400_000;
const sec = () => DEMO.secretaryOpenid;

/** Uploads bytes as the app does on H5: a ticket for the caller's own folder, then a PUT. */
async function upload(openid: string, cloudPath: string, bytes: Buffer): Promise<{ status: number; fileID?: string }> {
  const t = await fetch(`${emu.url}/api/storage/upload-url`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-wx-openid': openid },
    body: JSON.stringify({ cloudPath }),
  });
  if (t.status !== 200) return { status: t.status };
  const { fileID, url } = (await t.json()) as { fileID: string; url: string };
  const put = await fetch(`${emu.url}${url}`, { method: 'PUT', body: new Uint8Array(bytes) });
  expect(put.status).toBe(200);
  return { status: 200, fileID };
}

/** The bytes of a stored file, or null when there is none (through a download link, as a reader would). */
async function readFile(fileID: string): Promise<Buffer | null> {
  const r = await emu.backend.handleAdmin({ action: 'storage.batchGetDownloadUrl', file_list: [{ fileid: fileID, max_age: 60 }] }, { env: emu.host.env } as any);
  const d = (r as any).json?.data?.download_list?.[0];
  if (!d || d.code !== 'SUCCESS') return null;
  const res = await fetch(d.tempFileURL);
  return res.status === 200 ? Buffer.from(await res.arrayBuffer()) : null;
}

let seq = 0;
/** A checked photo (and its thumbnail) of the demo secretary for an activity. */
async function photo(activityId: string, openid = sec()): Promise<string> {
  const n = ++seq;
  const dir = `activity-photos/${openid}/`;
  const p = await upload(openid, `${dir}${Date.now()}-${n}.png`, drawMeetingPhoto(n, 200));
  const t = await upload(openid, `${dir}${Date.now()}-${n}.thumb.png`, drawMeetingPhoto(n, 64));
  const r = await cloud.call('activity', openid, 'checkUpload', { id: activityId, fileID: p.fileID, kind: 'photo', thumbFileID: t.fileID });
  expect(r.error).toBeUndefined();
  return p.fileID!;
}

/** A fresh activity of the demo branch in the store, begun `agoMin` minutes ago and closed. */
function freshActivity(type: string, agoMin: number, branchId = DEMO.branchId): string {
  const id = `a-min-${++seq}`;
  const branch = store().findOne('org_nodes', branchId);
  const members = store().find('org_members', { branchId, status: 'active' }, { sort: { _id: 1 } });
  const roster = members.map((m: any) => ({ id: m._id, name: m.name, branchId }));
  const startAt = new Date(Date.now() - agoMin * MIN);
  store().put('activity_items', activityDoc({ id, branch, roster, startAt, title: `测试会议 ${seq}` }, { type, finalisedAt: new Date(startAt.getTime() + 30 * MIN) }), 'insert');
  return id;
}

const members = () => store().find('org_members', { branchId: DEMO.branchId, status: 'active' }, { sort: { _id: 1 } });
const minutesBody = (id: string, photos: string[], over: Record<string, unknown> = {}) => ({
  id,
  hostId: DEMO.secretaryId,
  recorderId: DEMO.memberId,
  topics: '研究本月组织生活安排，讨论发展党员工作计划。',
  resolutions: '1. 确定主题党日时间；2. 确定培养联系人。',
  photos,
  ...over,
});

beforeAll(async () => {
  const fnDir = await linkFunctions('minutes', ['activity']);
  emu = await startTestEmulator('minutes', { functionsDir: fnDir, pool: 1 });
  cloud = inProcess(emu);
}, 120_000);

afterAll(async () => {
  cloud?.close();
  await emu?.close();
});

describe('the seeded year', () => {
  test('every branch has a year of meetings, most with minutes and photos; the lagging ones fewer', async () => {
    const branches = store().find('org_nodes', { type: 'branch' });
    for (const b of branches) expect(store().count('activity_items', { hostBranchId: b._id, _id: { $regex: '^ay-' } })).toBeGreaterThan(20);
    const share = (id: string) => store().count('activity_minutes', { branchId: id }) / store().count('activity_items', { hostBranchId: id, _id: { $regex: '^ay-' } });
    expect(share(DEMO.otherBranchId)).toBeGreaterThan(0.85);
    for (const id of LAGGING_BRANCHES) expect(share(id)).toBeLessThan(0.75);
    const m = store().find('activity_minutes', {}, { limit: 1 })[0];
    expect(m.photos.length).toBeGreaterThanOrEqual(2);
    // the photos are real files in storage
    expect((await readFile(m.photos[0].fileID))?.subarray(1, 4).toString()).toBe('PNG');
    // the demo branch's last 主题党日 awaits its minutes
    expect(store().findOne('activity_minutes', ACTIVITY_DEMO.pastId)).toBeNull();
  });
});

describe('uploads', () => {
  test('a photo outside the caller’s own folder cannot even be uploaded, nor named', async () => {
    const id = freshActivity('committee', 60);
    const other = await upload(sec(), `activity-photos/${DEMO.memberOpenid}/x.png`, drawMeetingPhoto(1, 64));
    expect(other.status).toBe(403);
    const mine = await upload(DEMO.memberOpenid, `activity-photos/${DEMO.memberOpenid}/x.png`, drawMeetingPhoto(1, 64));
    const r = await cloud.call('activity', sec(), 'checkUpload', { id, fileID: mine.fileID, kind: 'photo' });
    expect(r.error).toMatchObject({ code: 'PERMISSION_DENIED', message: '只能使用您本人刚上传的文件，请重新选择' });
    expect(store().count('activity_uploads', {})).toBe(0);
  });

  test('not an image, or over the size limit: refused in Chinese, the file deleted, nothing recorded', async () => {
    const id = freshActivity('committee', 60);
    const text = await upload(sec(), `activity-photos/${sec()}/notes.png`, Buffer.from('这是一段文字，不是照片'));
    const r1 = await cloud.call('activity', sec(), 'checkUpload', { id, fileID: text.fileID, kind: 'photo' });
    expect(r1.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: '这不是一张图片，请选择 JPG 或 PNG 格式的现场照片' });
    expect(await readFile(text.fileID!)).toBeNull();
    const big = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(MAX_PHOTO_BYTES + 100_000, 7)]);
    const b = await upload(sec(), `activity-photos/${sec()}/big.jpg`, big);
    const r2 = await cloud.call('activity', sec(), 'checkUpload', { id, fileID: b.fileID, kind: 'photo' });
    expect(r2.error?.code).toBe('INVALID_ARGUMENT');
    expect(r2.error?.message).toMatch(/^照片太大（2\.1 MB），每张不能超过 2 MB，请压缩后重新上传$/);
    expect(await readFile(b.fileID!)).toBeNull();
    expect(store().count('activity_uploads', {})).toBe(0);
  });
});

describe('minutes', () => {
  let id: string;
  let photos: string[];

  test('bad input writes nothing: one photo, another branch’s activity, a recorder from elsewhere', async () => {
    id = freshActivity('committee', 3 * 60);
    photos = [await photo(id), await photo(id)];
    const one = await cloud.call('activity', sec(), 'saveMinutes', minutesBody(id, photos.slice(0, 1)));
    expect(one.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: '请至少上传 2 张现场照片' });
    const foreign = freshActivity('committee', 60, DEMO.otherBranchId);
    const other = await cloud.call('activity', sec(), 'saveMinutes', minutesBody(foreign, photos));
    expect(other.error).toMatchObject({ code: 'PERMISSION_DENIED', message: '只能为本支部的活动填写会议记录' });
    const outsider = store().find('org_members', { branchId: DEMO.otherBranchId }, { limit: 1 })[0];
    const rec = await cloud.call('activity', sec(), 'saveMinutes', minutesBody(id, photos, { recorderId: outsider._id }));
    expect(rec.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: '记录人须是本支部的党员，请重新选择' });
    // a photo nobody checked (e.g. uploaded but its check failed) is not accepted either
    const unchecked = await upload(sec(), `activity-photos/${sec()}/unchecked.png`, drawMeetingPhoto(3, 64));
    const u = await cloud.call('activity', sec(), 'saveMinutes', minutesBody(id, [photos[0], unchecked.fileID!]));
    expect(u.error?.code).toBe('INVALID_ARGUMENT');
    expect(store().count('activity_minutes', { _id: { $in: [id, foreign] } })).toBe(0);
    expect(store().findOne('activity_cadence', counterId(DEMO.branchId, monthOf(new Date(Date.now() - 3 * 60 * MIN)))) ?? { activityIds: [] }).toMatchObject({
      activityIds: expect.not.arrayContaining([id]),
    });
  });

  let saveOps = 0;
  test('the first save writes the record and counts the meeting once; the same save again changes nothing', async () => {
    const month = monthOf(new Date(Date.now() - 3 * 60 * MIN));
    const before = store().findOne('activity_cadence', counterId(DEMO.branchId, month))?.counts.committee ?? 0;
    const r = await cloud.call('activity', sec(), 'saveMinutes', minutesBody(id, photos));
    expect(r.error).toBeUndefined();
    saveOps = r.ops.total;
    expect(r.data).toMatchObject({ created: true, changed: true, version: 1, hostName: members().find((m: any) => m._id === DEMO.secretaryId).name });
    expect(r.data.photos.map((p: any) => p.fileID)).toEqual(photos);
    const c = store().findOne('activity_cadence', counterId(DEMO.branchId, month));
    expect(c.counts.committee).toBe(before + 1);
    expect(c.activityIds).toContain(id);
    expect(store().count('activity_uploads', { usedBy: id })).toBe(2);
    const again = await cloud.call('activity', sec(), 'saveMinutes', minutesBody(id, photos));
    expect(again.data).toMatchObject({ created: false, changed: false, version: 1 });
    expect(store().findOne('activity_cadence', counterId(DEMO.branchId, month)).counts.committee).toBe(before + 1);
    process.stdout.write(`ops: saveMinutes (first save, 2 photos) ${saveOps}; repeat ${again.ops.total}\n`);
    expect(saveOps).toBeLessThanOrEqual(16);
  });

  test('within 7 days a change needs no reason; each change keeps the previous version', async () => {
    const r = await cloud.call('activity', sec(), 'saveMinutes', minutesBody(id, photos, { resolutions: '1. 确定主题党日时间；2. 确定培养联系人；3. 走访困难党员。' }));
    expect(r.data).toMatchObject({ changed: true, version: 2 });
    const v1 = store().findOne('activity_minutes_versions', `${id}:v1`);
    expect(v1).toMatchObject({ version: 1, resolutions: '1. 确定主题党日时间；2. 确定培养联系人。', replacedBy: DEMO.secretaryId, reason: null });
  });

  test('after the window a change without a reason is refused and nothing is written; with one the old version is kept', async () => {
    // the meeting was 10 days ago
    const past = new Date(Date.now() - 10 * DAY);
    store().update('activity_items', { _id: id }, { $set: { startAt: past, endAt: new Date(past.getTime() + 90 * MIN) } });
    const changed = minutesBody(id, photos, { topics: '研究本月组织生活安排，讨论发展党员工作计划，补充困难党员名单。' });
    const no = await cloud.call('activity', sec(), 'saveMinutes', changed);
    expect(no.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: '活动结束已超过 7 天，修改会议记录须填写修改原因，原记录会保留备查' });
    expect(store().findOne('activity_minutes', id).version).toBe(2);
    expect(store().findOne('activity_minutes_versions', `${id}:v2`)).toBeNull();
    const yes = await cloud.call('activity', sec(), 'saveMinutes', { ...changed, reason: '补记会上讨论的困难党员名单' });
    expect(yes.data).toMatchObject({ changed: true, version: 3 });
    expect(store().findOne('activity_minutes_versions', `${id}:v2`)).toMatchObject({ reason: '补记会上讨论的困难党员名单', replacedBy: DEMO.secretaryId });
    const view = await cloud.call('activity', sec(), 'minutes', { id });
    expect(view.data.versions.map((v: any) => [v.version, v.reason])).toEqual([
      [2, '补记会上讨论的困难党员名单'],
      [1, null],
    ]);
  });

  test('members of the branch see the summary and the photos; another branch’s member does not', async () => {
    const m = await cloud.call('activity', DEMO.memberOpenid, 'minutes', { id });
    expect(m.data.minutes).toMatchObject({ version: 3, recorderName: members().find((x: any) => x._id === DEMO.memberId).name });
    expect(m.data.canEdit).toBe(false);
    expect(m.data.candidates).toBeNull();
    expect(m.data.versions).toBeNull();
    const img = await fetch(m.data.minutes.photos[0].url.startsWith('http') ? m.data.minutes.photos[0].url : `${emu.url}${m.data.minutes.photos[0].url}`);
    expect(img.status).toBe(200);
    const outsider = store().find('org_members', { branchId: DEMO.farBranchId, openid: { $ne: null } }, { limit: 1 })[0];
    const o = await cloud.call('activity', outsider.openid, 'minutes', { id });
    expect(o.error?.code).toBe('NOT_FOUND');
  });
});

describe('the 7+1 checklist', () => {
  test('a 主题党日 carries the list; the secretary ticks items and the minutes show them', async () => {
    const id = freshActivity('theme_day', 60);
    const list = await cloud.call('activity', sec(), 'checklist', { id });
    expect(list.data.items.map((i: any) => i.label).slice(0, 3)).toEqual(['重温入党誓词', '集中学习', '交流研讨']);
    expect(list.data.total).toBe(8);
    await cloud.call('activity', sec(), 'tickChecklist', { id, key: 'oath', done: true });
    const t = await cloud.call('activity', sec(), 'tickChecklist', { id, key: 'study', done: true });
    expect(t.data.done).toBe(2);
    const member = await cloud.call('activity', DEMO.memberOpenid, 'tickChecklist', { id, key: 'dues', done: true });
    expect(member.error?.code).toBe('PERMISSION_DENIED');
    const photos = [await photo(id), await photo(id)];
    const r = await cloud.call('activity', sec(), 'saveMinutes', minutesBody(id, photos));
    expect(r.data.checklist.filter((c: any) => c.done).map((c: any) => c.key)).toEqual(['oath', 'study']);
  });

  test('an organiser sets the district’s items and a month’s theme; a new 主题党日 carries them', async () => {
    const month = monthOf(new Date());
    const s = await cloud.call('activity', DEMO.organiserOpenid, 'setChecklist', { items: ['重温入党誓词', '集中学习', '志愿服务'], themes: { [month]: '文明城市创建' } });
    expect(s.error).toBeUndefined();
    const id = freshActivity('theme_day', 30);
    const list = await cloud.call('activity', sec(), 'checklist', { id });
    expect(list.data.items.map((i: any) => i.label)).toEqual(['重温入党誓词', '集中学习', '志愿服务', '当月主题：文明城市创建']);
    const refused = await cloud.call('activity', sec(), 'setChecklist', { items: ['集中学习'] });
    expect(refused.error?.code).toBe('PERMISSION_DENIED');
  });
});

describe('cadence', () => {
  test('the secretary sees this month and quarter, what is due by when, and 待补记录', async () => {
    const r = await cloud.call('activity', sec(), 'cadence', {});
    expect(r.error).toBeUndefined();
    expect(r.data.month.key).toBe(monthOf(new Date()));
    expect(r.data.month.lines.map((l: any) => l.kind)).toEqual(['committee', 'group_meeting', 'theme_day']);
    expect(r.data.quarter.lines).toHaveLength(5);
    expect(r.data.noGroups).toBe(false);
    expect(r.data.pendingMinutes.map((p: any) => p.id)).toContain(ACTIVITY_DEMO.pastId);
    expect(r.data.month.lines.every((l: any) => l.by === r.data.month.to)).toBe(true);
  });

  test('a street may tighten, never loosen', async () => {
    const loosen = await cloud.call('activity', DEMO.streetOrganiserOpenid, 'setCadence', { minimums: { committee: 1 } });
    expect(loosen.error).toBeUndefined();
    const dist = await cloud.call('activity', DEMO.organiserOpenid, 'setCadence', { minimums: { lesson: 2 } });
    expect(dist.data.minimums.lesson).toBe(2);
    const lower = await cloud.call('activity', DEMO.streetOrganiserOpenid, 'setCadence', { minimums: { lesson: 1 } });
    expect(lower.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: '党课不能少于上级要求的每季度 2 次' });
    const tight = await cloud.call('activity', DEMO.streetOrganiserOpenid, 'setCadence', { minimums: { lesson: 3 } });
    expect(tight.data.minimums.lesson).toBe(3);
    const mine = await cloud.call('activity', sec(), 'cadence', {});
    expect(mine.data.minimums.lesson).toBe(3);
    const far = await cloud.call('activity', DEMO.organiserOpenid, 'cadence', { branchId: DEMO.farBranchId });
    expect(far.data.minimums.lesson).toBe(2);
  });

  test('the organiser sees every branch of the subtree; the cost does not grow with the history', async () => {
    const first = await cloud.call('activity', DEMO.organiserOpenid, 'cadenceOverview', {});
    expect(first.error).toBeUndefined();
    const branches = store().count('org_nodes', { type: 'branch' });
    expect(first.data.rows).toHaveLength(branches);
    const lagging = first.data.rows.filter((r: any) => LAGGING_BRANCHES.includes(r.branchId));
    expect(lagging.some((r: any) => r.quarter.status === 'missed')).toBe(true);
    const secOps1 = (await cloud.call('activity', sec(), 'cadence', {})).ops.total;
    // five more years of counters, minutes and meetings in every branch
    const now = new Date();
    const docs: any[] = [];
    for (const b of store().find('org_nodes', { type: 'branch' })) {
      for (let i = 13; i < 73; i++) {
        const month = monthsBefore(monthOf(now), i);
        docs.push({ ...newCounter(b, month, now), counts: { branch_meeting: 1, committee: 1, group_meeting: 2, lesson: 1, theme_day: 1 } });
      }
    }
    store().insertMany('activity_cadence', docs);
    const second = await cloud.call('activity', DEMO.organiserOpenid, 'cadenceOverview', {});
    const secOps2 = (await cloud.call('activity', sec(), 'cadence', {})).ops.total;
    expect(second.data.rows).toEqual(first.data.rows);
    expect(second.ops.total).toBe(first.ops.total);
    expect(secOps2).toBe(secOps1);
    process.stdout.write(`ops: cadence (secretary) ${secOps1}; cadenceOverview (district, ${branches} branches) ${first.ops.total}, with 60 more months of counters ${second.ops.total}\n`);
    const street = await cloud.call('activity', DEMO.streetOrganiserOpenid, 'cadenceOverview', { nodeId: DEMO.districtId });
    expect(street.error?.code).toBe('PERMISSION_DENIED');
  });

  test('a week before the period ends, one reminder per branch to a secretary who allowed it', async () => {
    // the street asks five 支委会 a month of the demo branch: some are still due at the end of the month
    expect((await cloud.call('activity', DEMO.streetOrganiserOpenid, 'setCadence', { nodeId: DEMO.branchId, minimums: { committee: 5 } })).error).toBeUndefined();
    await grantSubscribe(emu.url, sec(), [SUBSCRIBE_TEMPLATES.cadenceDue.id]);
    expect((await cloud.call('activity', sec(), 'cadenceSubscribe', {})).data).toEqual({ subscribed: true });
    const { runCadenceRemind } = await import('../../cloudfunctions/activity/cadence');
    const { retryingTransactions } = await import('../../core/fn/transaction');
    const db = require('wx-server-sdk');
    db.init({ env: db.DYNAMIC_CURRENT_ENV });
    const ctx = (now: Date) => ({ db: retryingTransactions(db.database({ throwOnNotFound: false })), now, env: {}, cloud: db });
    // the last week of the current month, China time
    const m = monthOf(new Date());
    const next = m.endsWith('-12') ? `${Number(m.slice(0, 4)) + 1}-01` : `${m.slice(0, 5)}${String(Number(m.slice(5)) + 1).padStart(2, '0')}`;
    const late = new Date(new Date(`${next}-01T00:00:00+08:00`).getTime() - 2 * DAY);
    const early = new Date(new Date(`${m}-01T00:00:00+08:00`).getTime() + 3 * DAY);
    await emu.backend.outbox.clear();
    expect(await runCadenceRemind(ctx(early) as any)).toEqual({ sent: 0, skipped: 0 });
    const r1 = await runCadenceRemind(ctx(late) as any);
    const r2 = await runCadenceRemind(ctx(late) as any);
    expect(r1.sent).toBe(1);
    expect(r2.sent).toBe(0);
    const out = (await emu.backend.outbox.list()) as any[];
    const mine = out.filter((x) => x.openid === sec());
    expect(mine).toHaveLength(1);
    expect(mine[0].templateId).toBe(SUBSCRIBE_TEMPLATES.cadenceDue.id);
    expect(store().findOne('activity_cadence_reminders', `${DEMO.branchId}:${m}`)).toBeTruthy();
    expect(store().findOne('activity_cadence_subs', `${DEMO.branchId}:${DEMO.secretaryId}`).active).toBe(false);
  });

  test('a reminder WeChat defers (45009) goes out at the next run; one refused for good (43101) is not tried again', async () => {
    const { runCadenceRemind } = await import('../../cloudfunctions/activity/cadence');
    const sdk = require('wx-server-sdk');
    sdk.init({ env: sdk.DYNAMIC_CURRENT_ENV });
    const db = sdk.database({ throwOnNotFound: false });
    const m = monthOf(new Date());
    const next = m.endsWith('-12') ? `${Number(m.slice(0, 4)) + 1}-01` : `${m.slice(0, 5)}${String(Number(m.slice(5)) + 1).padStart(2, '0')}`;
    const late = new Date(new Date(`${next}-01T00:00:00+08:00`).getTime() - 2 * DAY);
    // WeChat answers these codes first, then sends for real (the emulator checks the grant)
    const refusals: number[] = [];
    const wechat = {
      openapi: {
        subscribeMessage: {
          send: async (o: object) => {
            const code = refusals.shift();
            if (code) throw Object.assign(new Error('openapi.subscribeMessage.send:fail'), { errCode: code });
            return sdk.openapi.subscribeMessage.send(o);
          },
        },
      },
    };
    const ctx = { db, now: late, env: {}, cloud: wechat } as any;
    const again = async () => {
      await db.collection('activity_cadence_reminders').doc(`${DEMO.branchId}:${m}`).remove();
      await grantSubscribe(emu.url, sec(), [SUBSCRIBE_TEMPLATES.cadenceDue.id]);
      expect((await cloud.call('activity', sec(), 'cadenceSubscribe', {})).data).toEqual({ subscribed: true });
      await emu.backend.outbox.clear();
    };
    await again();
    refusals.push(45009);
    expect(await runCadenceRemind(ctx)).toMatchObject({ sent: 0 });
    // not sent, not spent: the reminder's record is gone and the grant still stands
    expect(store().findOne('activity_cadence_reminders', `${DEMO.branchId}:${m}`)).toBeFalsy();
    expect(store().findOne('activity_cadence_subs', `${DEMO.branchId}:${DEMO.secretaryId}`).active).toBe(true);
    expect(await runCadenceRemind(ctx)).toMatchObject({ sent: 1 });
    expect(((await emu.backend.outbox.list()) as any[]).filter((x) => x.openid === sec())).toHaveLength(1);

    await again();
    refusals.push(43101);
    expect(await runCadenceRemind(ctx)).toMatchObject({ sent: 0 });
    expect(store().findOne('activity_cadence_reminders', `${DEMO.branchId}:${m}`)).toBeTruthy();
    expect(store().findOne('activity_cadence_subs', `${DEMO.branchId}:${DEMO.secretaryId}`).active).toBe(false);
    expect(await runCadenceRemind(ctx)).toMatchObject({ sent: 0 });
    expect(((await emu.backend.outbox.list()) as any[]).filter((x) => x.openid === sec())).toHaveLength(0);
  });
});

describe('clean-up and the 台账', () => {
  test('photos uploaded but never saved are deleted a day later; photos of saved minutes are kept', async () => {
    const id = freshActivity('committee', 30);
    const orphan = await photo(id);
    const kept = store().find('activity_uploads', { usedBy: { $ne: null } }, { limit: 1 })[0];
    store().update('activity_uploads', {}, { $set: { createdAt: new Date(Date.now() - 2 * DAY) } }, { multi: true });
    // a lost mark: a named photo whose upload record still says unused
    store().update('activity_uploads', { _id: kept._id }, { $set: { usedBy: null } });
    await cloud.timer('activity', 'tick');
    const { runCleanUploads } = await import('../../cloudfunctions/activity/minutes');
    const db = require('wx-server-sdk');
    const r = await runCleanUploads({ db: db.database({ throwOnNotFound: false }), now: new Date(Date.now() + 61 * MIN), env: {}, cloud: db } as any);
    expect(r.deleted).toBeGreaterThanOrEqual(1);
    expect(store().findOne('activity_uploads', uploadId(orphan))).toBeNull();
    expect(await readFile(orphan)).toBeNull();
    expect(store().findOne('activity_uploads', kept._id).usedBy).toBe(kept.activityId);
    expect(await readFile(kept.fileID)).not.toBeNull();
  });

  test('the branch’s 台账 carries the minutes with thumbnails and the cadence per period; the organiser’s covers the subtree', async () => {
    const ExcelJS = require('exceljs');
    const today = dayOf(new Date());
    const from = dayOf(new Date(Date.now() - 365 * DAY));
    const t1 = Date.now();
    const r = await cloud.call('activity', DEMO.otherBranchSecretaryOpenid, 'exportLedger', { from, to: today });
    const tookBranch = Date.now() - t1;
    expect(r.error).toBeUndefined();
    const wb = new ExcelJS.Workbook();
    const buf = (await readFile(r.data.fileID))!;
    await wb.xlsx.load(buf);
    expect(wb.worksheets.map((w: any) => w.name)).toEqual(['三会一课记录', '出勤明细', '出勤率', '会议记录', '三会一课落实情况']);
    const ws = wb.getWorksheet('会议记录');
    expect(ws.getRow(1).values.slice(1)).toEqual(['序号', '会议类型', '时间', '活动主题', '主持人', '记录人', '会议内容（议题）', '会议决议', '“7+1”议程', '照片数', '现场照片', '照片链接']);
    expect(ws.getImages().length).toBeGreaterThan(40);
    const cad = wb.getWorksheet('三会一课落实情况');
    expect(cad.getRow(2).values.slice(1)).toEqual([expect.stringMatching(/^\d{4}年\d+月$/), expect.any(String), 1, expect.any(Number), expect.any(String)]);
    const t0 = Date.now();
    const o = await cloud.call('activity', DEMO.organiserOpenid, 'exportSubtreeLedger', { from, to: today });
    const took = Date.now() - t0;
    expect(o.error).toBeUndefined();
    expect(o.data.branches).toBe(store().count('org_nodes', { type: 'branch' }));
    const owb = new ExcelJS.Workbook();
    await owb.xlsx.load((await readFile(o.data.fileID))!);
    expect(owb.worksheets.map((w: any) => w.name)).toEqual(['三会一课记录', '出勤汇总', '会议记录', '三会一课落实情况']);
    process.stdout.write(
      `台账 for a year: branch ${r.data.activities} activities, ${(r.data.bytes / 1024).toFixed(0)} KB with ${ws.getImages().length} thumbnails (${r.ops.total} ops, ${tookBranch} ms); ` +
        `district ${o.data.branches} branches, ${o.data.activities} activities, ${o.data.minutes} minutes, ${(o.data.bytes / 1024).toFixed(0)} KB (${o.ops.total} ops, ${took} ms)\n`,
    );
    const street = await cloud.call('activity', DEMO.streetOrganiserOpenid, 'exportSubtreeLedger', { from, to: today, nodeId: DEMO.districtId });
    expect(street.error?.code).toBe('PERMISSION_DENIED');
  }, 180_000);
});

/**
 * The activity function on the local emulator over real HTTP, called as different WeChat users
 * (x-wx-openid): notice lifecycle, read receipts, rotating-QR and manual sign-in, leave, automatic
 * absence (the timer), 补学, points and 学时 through the shared ledgers, the .xlsx ledger, and the
 * abuse cases. Tests run in order and share one seeded store.
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import { startEmulator, type Emulator } from '../../scripts/local-cloud';
import { buildFunctionsOnce } from '../setup/functions';
import { DEMO } from '../../seed';
import { issueToken, SLOT_MS } from '../../core/activity/token';
import { requiredSecretNames } from '../../core/fn/secrets';
import { SUBSCRIBE_TEMPLATES } from '../../core/subscribe/templates';
import { grantSubscribe } from '../fixtures/subscribe-grants';
import { dayOf } from '../../core/day';
import { freshDataDir } from '../setup/demo-snapshot';

const ROOT = path.join(__dirname, '..', '..');
const FUNCTIONS = path.join(ROOT, 'cloudfunctions');
const MIN = 60_000;

let emu: Emulator;
let dataDir: string;
const opsSeen: Record<string, number[]> = {};

interface Reply {
  status: number;
  ok: boolean;
  data: any;
  error?: { code: string; message: string; details?: any };
  ops: { reads: number; writes: number; transactions: number; total: number };
}

async function call(openid: string | null, action: string, payload: unknown = {}): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (openid) headers['x-wx-openid'] = openid;
  const res = await fetch(`${emu.url}/api/functions/activity`, { method: 'POST', headers, body: JSON.stringify({ action, payload }) });
  const body = (await res.json()) as any;
  const ops = JSON.parse(res.headers.get('x-db-ops') ?? '{"total":-1}');
  (opsSeen[action] ??= []).push(ops.total);
  if (body.error) return { status: res.status, ok: false, data: undefined, error: body.error, ops };
  return { status: res.status, ok: true, data: body.result.data, ops };
}

const store = () =>
  emu.backend.store as {
    find(coll: string, q?: object, o?: object): any[];
    findOne(coll: string, id: string): any;
    count(coll: string, q?: object): number;
    update(coll: string, q: object, u: object, o?: object): unknown;
  };

let members: { _id: string; name: string; openid: string }[] = [];
const sec = () => DEMO.secretaryOpenid;
const soon = (mins: number) => new Date(Date.now() + mins * MIN).toISOString();

function fields(over: Record<string, unknown> = {}) {
  return {
    type: 'theme_day',
    title: '11 月主题党日：学习党章',
    agenda: '重温入党誓词；学习党章第一章',
    startAt: soon(20),
    endAt: soon(140),
    place: { name: '社区党群服务中心', address: '文化路 88 号' },
    studyMinutes: 90,
    makeUpText: '阅读党章第一章并写体会',
    ...over,
  };
}

async function createPublished(over: Record<string, unknown> = {}): Promise<string> {
  const d = await call(sec(), 'save', { fields: fields(over) });
  expect(d.ok).toBe(true);
  const p = await call(sec(), 'publish', { id: d.data.id });
  expect(p.ok).toBe(true);
  return d.data.id;
}

/** Moves an activity's times back so that its sign-in window has closed (the clock can't be moved). */
function closeWindowInStore(id: string) {
  const past = new Date(Date.now() - 2 * MIN);
  store().update('activity_items', { _id: id }, { $set: { startAt: new Date(Date.now() - 40 * MIN), signInOpenAt: new Date(Date.now() - 70 * MIN), signInCloseAt: past } });
}

beforeAll(async () => {
  await buildFunctionsOnce(FUNCTIONS);
  dataDir = freshDataDir('activity-it', 'demo');
  emu = await startEmulator({
    functionsDir: FUNCTIONS,
    dataDir,
    port: 0,
    strict: true,
    testIdentityHeader: true,
    secrets: requiredSecretNames(),
    seed: 'demo',
    triggers: false,
    h5Dir: fs.mkdtempSync(path.join(os.tmpdir(), 'activity-it-noh5-')),
    log: () => undefined,
  });
  members = store()
    .find('org_members', { branchId: DEMO.branchId, status: 'active', role: 'member' }, { sort: { _id: 1 } })
    // the elder is signed in by hand below
    .filter((m: any) => m.openid && m._id !== DEMO.elderId);
});

afterAll(async () => {
  await emu?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
  const rows = Object.entries(opsSeen)
    .map(([a, n]) => `${a.padEnd(16)} ${Math.min(...n)}–${Math.max(...n)}`)
    .sort();
  process.stdout.write(`activity ops per call (min–max):\n${rows.join('\n')}\n`);
});

describe('the demo data', () => {
  test('the demo branch has a finalised past 主题党日, an open 党课 and a draft', async () => {
    const list = await call(members[0].openid, 'list', {});
    expect(list.ok).toBe(true);
    const ids = list.data.items.map((i: any) => i.id);
    expect(ids).toEqual(expect.arrayContaining(['a-demo-past', 'a-demo-soon']));
    expect(ids).not.toContain('a-demo-draft');
    const manage = await call(sec(), 'list', { manage: true });
    expect(manage.data.items.map((i: any) => i.id)).toContain('a-demo-draft');
    const past = list.data.items.find((i: any) => i.id === 'a-demo-past');
    expect(past.phase).toBe('closed');
  });
});

describe('notice lifecycle and read receipts', () => {
  let id = '';
  test('a draft is created once per requestId and members do not see it', async () => {
    const a = await call(sec(), 'save', { requestId: 'req-notice-0001', fields: fields() });
    const b = await call(sec(), 'save', { requestId: 'req-notice-0001', fields: fields() });
    expect(a.ok && b.ok).toBe(true);
    expect(b.data.id).toBe(a.data.id);
    id = a.data.id;
    expect(a.data).toMatchObject({ status: 'draft', typeLabel: '主题党日', studyMinutes: 90 });
    // default window: 30 min before to 30 min after the start
    expect(new Date(a.data.startAt).getTime() - new Date(a.data.signInOpenAt).getTime()).toBe(30 * MIN);
    expect(new Date(a.data.signInCloseAt).getTime() - new Date(a.data.startAt).getTime()).toBe(30 * MIN);
    const get = await call(members[0].openid, 'get', { id });
    expect(get.error?.code).toBe('NOT_FOUND');
  });

  test('bad fields are INVALID_ARGUMENT with a Chinese message, nothing stored', async () => {
    const before = store().count('activity_items');
    const r = await call(sec(), 'save', { fields: fields({ endAt: soon(10) }) });
    expect(r.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: '结束时间应晚于开始时间' });
    const fence = await call(sec(), 'save', { fields: fields({ geofenceRadiusM: 200 }) });
    expect(fence.error?.message).toBe('设置签到范围需要先选择地图位置');
    const member = await call(members[0].openid, 'save', { fields: fields() });
    expect(member.error?.code).toBe('PERMISSION_DENIED');
    expect(store().count('activity_items')).toBe(before);
  });

  test('publishing fixes the roster; members see an unread notice with a badge; opening it leaves a receipt', async () => {
    const p = await call(sec(), 'publish', { id });
    expect(p.data.status).toBe('published');
    expect(p.data.expected).toBeGreaterThanOrEqual(members.length);
    const list = await call(members[0].openid, 'list', {});
    const item = list.data.items.find((i: any) => i.id === id);
    expect(item).toMatchObject({ unread: true, required: true, mine: null });
    expect(list.data.badge).toBeGreaterThanOrEqual(1);
    const get = await call(members[0].openid, 'get', { id });
    expect(get.ok).toBe(true);
    const again = await call(members[0].openid, 'list', {});
    expect(again.data.items.find((i: any) => i.id === id).unread).toBe(false);
    const roster = await call(sec(), 'roster', { id });
    expect(roster.data.rows.find((r: any) => r.memberId === members[0]._id).read).toBe(true);
    expect(roster.data.rows.find((r: any) => r.memberId === members[1]._id).read).toBe(false);
    expect(roster.data.reads).toBe(1);
  });

  test('a change to a published notice needs a note and shows it as unread again', async () => {
    const noNote = await call(sec(), 'save', { id, fields: fields({ place: { name: '社区三楼会议室', address: '' } }) });
    expect(noNote.error?.code).toBe('INVALID_ARGUMENT');
    const changed = await call(sec(), 'save', { id, changeNote: '地点改到三楼会议室', fields: fields({ place: { name: '社区三楼会议室', address: '' } }) });
    expect(changed.data).toMatchObject({ rev: 2, place: { name: '社区三楼会议室' } });
    expect(changed.data.changes[0].note).toBe('地点改到三楼会议室');
    const list = await call(members[0].openid, 'list', {});
    expect(list.data.items.find((i: any) => i.id === id).unread).toBe(true);
  });

  test('cancelling tells subscribed members through a subscribe message', async () => {
    const cid = await createPublished({ title: '将被取消的支委会', type: 'committee' });
    // 开始前提醒我 asks for the reminder and the change notice in one prompt
    await grantSubscribe(emu.url, members[2].openid, [SUBSCRIBE_TEMPLATES.activityRemind.id, SUBSCRIBE_TEMPLATES.activityNotice.id]);
    const sub = await call(members[2].openid, 'subscribe', { id: cid });
    expect(sub.ok).toBe(true);
    await fetch(`${emu.url}/api/outbox`, { method: 'DELETE' });
    const c = await call(sec(), 'cancel', { id: cid, reason: '与社区换届选举冲突' });
    expect(c.data.status).toBe('cancelled');
    const out = (await (await fetch(`${emu.url}/api/outbox`)).json()) as any;
    expect(out.messages.filter((m: any) => m.openid === members[2].openid && m.page.includes(cid) && !m.refused)).toHaveLength(1);
    const edit = await call(sec(), 'save', { id: cid, changeNote: 'x', fields: fields() });
    expect(edit.error?.code).toBe('FAILED_PRECONDITION');
  });
});

describe('sign-in, leave, absence, 补学 and the ledger', () => {
  let id = '';
  let token = '';
  test('three members sign in with the rotating code in ≤ 3 DB operations each', async () => {
    id = await createPublished();
    const q = await call(sec(), 'qrToken', { id });
    expect(q.ok).toBe(true);
    expect(q.data.qr).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(q.data.refreshInMs).toBeLessThanOrEqual(SLOT_MS);
    token = q.data.token;
    for (const m of members.slice(0, 3)) {
      const r = await call(m.openid, 'signIn', { token });
      expect(r.ok).toBe(true);
      expect(r.data.attendance).toMatchObject({ status: 'present', method: 'qr', memberId: m._id });
      expect(r.ops.total).toBeLessThanOrEqual(3);
    }
  });

  test('concurrent duplicate sign-ins make exactly one record', async () => {
    const m = members[3];
    const replies = await Promise.all(Array.from({ length: 6 }, () => call(m.openid, 'signIn', { token })));
    expect(replies.every((r) => r.ok)).toBe(true);
    expect(replies.filter((r) => !r.data.duplicate)).toHaveLength(1);
    expect(store().count('activity_attendance', { activityId: id, memberId: m._id })).toBe(1);
  });

  test('forged, expired, shape-less and other-activity tokens, and naming someone else, record nothing', async () => {
    const m = members[4];
    const before = store().count('activity_attendance', { activityId: id });
    const [aid, slot, mac] = token.split('.');
    const forged = await call(m.openid, 'signIn', { token: `${aid}.${slot}.${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}` });
    expect(forged.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: '签到码无效，请扫描支部书记手机上的签到码' });
    const otherActivity = await call(m.openid, 'signIn', { token: `a-demo-soon.${slot}.${mac}` });
    expect(otherActivity.error?.code).toBe('INVALID_ARGUMENT');
    const old = issueToken(emu.secrets.ACTIVITY_QR_SECRET, id, Date.now() - 3 * SLOT_MS).token;
    const expired = await call(m.openid, 'signIn', { token: old });
    expect(expired.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: '签到码已过期，请扫描书记手机上最新的签到码' });
    const junk = await call(m.openid, 'signIn', { token: 'hello' });
    expect(junk.error?.code).toBe('INVALID_ARGUMENT');
    const forSomeoneElse = await call(m.openid, 'signIn', { token, memberId: members[5]._id });
    expect(forSomeoneElse.error?.code).toBe('INVALID_ARGUMENT');
    // the other branch's secretary is not on this roster
    const outsider = await call(DEMO.otherBranchSecretaryOpenid, 'signIn', { token });
    expect(outsider.error?.code).toBe('PERMISSION_DENIED');
    expect(store().count('activity_attendance', { activityId: id })).toBe(before);
  });

  test('a member asks for leave before the start (≤ 3 ops); another branch cannot approve it; the host can', async () => {
    const m = members[5];
    const r = await call(m.openid, 'requestLeave', { id, reason: '在外地出差' });
    expect(r.ok).toBe(true);
    expect(r.data.status).toBe('leave_pending');
    expect(r.ops.total).toBeLessThanOrEqual(3);
    const other = await call(DEMO.otherBranchSecretaryOpenid, 'reviewLeave', { id, memberId: m._id, decision: 'approve' });
    expect(other.error?.code).toBe('PERMISSION_DENIED');
    expect(store().findOne('activity_attendance', `${id}:${m._id}`).status).toBe('leave_pending');
    const ok = await call(sec(), 'reviewLeave', { id, memberId: m._id, decision: 'approve', note: '同意，请按时补学' });
    expect(ok.data.status).toBe('leave');
    // a second request to a pending-leave member who never hears back becomes absent at the close
    const pending = await call(members[6].openid, 'requestLeave', { id, reason: '家里有事' });
    expect(pending.data.status).toBe('leave_pending');
  });

  test('the secretary signs an elder in by hand with the reason recorded', async () => {
    const elder = store().findOne('org_members', DEMO.elderId);
    const r = await call(sec(), 'manualSignIn', { id, memberId: elder._id, reason: '老党员没有智能手机' });
    expect(r.data).toMatchObject({ status: 'present', method: 'manual' });
    expect(r.data.note).toContain('老党员没有智能手机');
    const noReason = await call(sec(), 'manualSignIn', { id, memberId: members[7]._id, reason: '' });
    expect(noReason.error?.code).toBe('INVALID_ARGUMENT');
    const otherSec = await call(DEMO.otherBranchSecretaryOpenid, 'manualSignIn', { id, memberId: members[7]._id, reason: '代签一下' });
    expect(otherSec.error?.code).toBe('PERMISSION_DENIED');
  });

  test('when the window closes the timer marks absences once, awards points and 学时 once', async () => {
    closeWindowInStore(id);
    // the function's one timer (tick) runs every due job, the close among them
    const fired = await emu.fireTrigger('activity', 'tick');
    expect((fired.result as any).failed).toEqual([]);
    expect((fired.result as any).jobs.finalise.finalised).toBeGreaterThanOrEqual(1);
    const a = store().findOne('activity_items', id);
    expect(a.finalisedAt).toBeTruthy();
    expect(a.awardedAt).toBeTruthy();
    const recs = store().find('activity_attendance', { activityId: id });
    expect(recs).toHaveLength(a.roster.length);
    expect(recs.filter((r: any) => r.status === 'present')).toHaveLength(5);
    expect(recs.find((r: any) => r.memberId === members[5]._id).status).toBe('leave');
    expect(recs.find((r: any) => r.memberId === members[6]._id).status).toBe('absent');
    expect(a.counts).toMatchObject({ expected: a.roster.length, present: 5, leave: 1, absent: a.roster.length - 6 });
    // points: one ledger entry per present member; 学时: one credit each
    expect(store().count('points_ledger', { 'source.type': 'activity', 'source.id': id })).toBe(5);
    expect(store().count('study_credits', { source: 'activity', sourceId: id })).toBe(5);
    // a second run changes nothing
    await emu.fireTrigger('activity', 'tick');
    expect(store().count('activity_attendance', { activityId: id })).toBe(a.roster.length);
    expect(store().count('points_ledger', { 'source.type': 'activity', 'source.id': id })).toBe(5);
    const late = await call(members[8].openid, 'signIn', { token: issueToken(emu.secrets.ACTIVITY_QR_SECRET, id, Date.now()).token });
    expect(late.error?.code).toBe('FAILED_PRECONDITION');
    const leaveLate = await call(members[8].openid, 'requestLeave', { id, reason: '忘记请假了' });
    expect(leaveLate.error?.code).toBe('FAILED_PRECONDITION');
  });

  test('editing a finished activity’s attendance needs a recorded reason', async () => {
    const m = members[8];
    const noReason = await call(sec(), 'setAttendance', { id, memberId: m._id, status: 'present' });
    expect(noReason.error).toMatchObject({ code: 'FAILED_PRECONDITION' });
    expect(store().findOne('activity_attendance', `${id}:${m._id}`).status).toBe('absent');
    const ok = await call(sec(), 'setAttendance', { id, memberId: m._id, status: 'present', reason: '签到时手机没电，现场有记录' });
    expect(ok.data.status).toBe('present');
    const rec = store().findOne('activity_attendance', `${id}:${m._id}`);
    expect(rec.history[0]).toMatchObject({ from: 'absent', to: 'present', reason: '签到时手机没电，现场有记录' });
    expect(store().count('points_ledger', { 'source.type': 'activity', 'source.id': id })).toBe(6);
  });

  test('absent and on-leave members get a 补学 task and complete it; 学时 are credited once', async () => {
    const absent = members[6];
    const tasks = await call(absent.openid, 'myMakeUps', {});
    expect(tasks.data.items.map((t: any) => t.activity.id)).toContain(id);
    const done = await call(absent.openid, 'completeMakeUp', { id, note: '已阅读党章第一章，体会很深' });
    expect(done.data.madeUpAt).toBeTruthy();
    const again = await call(absent.openid, 'completeMakeUp', { id, note: '已阅读党章第一章，体会很深' });
    expect(again.data.madeUpAt).toBe(done.data.madeUpAt);
    expect(store().count('study_credits', { source: 'activity', sourceId: id, memberId: absent._id })).toBe(1);
    const after = await call(absent.openid, 'myMakeUps', {});
    expect(after.data.items.map((t: any) => t.activity.id)).not.toContain(id);
    const present = await call(members[0].openid, 'completeMakeUp', { id, note: '我来补学一下看看' });
    expect(present.error?.code).toBe('FAILED_PRECONDITION');
  });

  test('the secretary exports the 台账 as .xlsx with the 三会一课 layout', async () => {
    // China days, as the function reads them (a UTC date is yesterday's from 00:00 to 08:00 China time)
    const today = dayOf(new Date());
    const from = `${Number(today.slice(0, 4)) - 1}-12-01`;
    const r = await call(sec(), 'exportLedger', { from, to: today });
    expect(r.ok).toBe(true);
    expect(r.data.fileName).toMatch(/三会一课台账.*\.xlsx$/);
    const res = await fetch(r.data.url.startsWith('http') ? r.data.url : `${emu.url}${r.data.url}`);
    expect(res.status).toBe(200);
    const ExcelJS = require('exceljs');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()));
    expect(wb.worksheets.map((w: any) => w.name)).toEqual(['三会一课记录', '出勤明细', '出勤率', '会议记录', '三会一课落实情况']);
    const head = wb.getWorksheet('三会一课记录').getRow(2).values.slice(1);
    expect(head).toEqual(['序号', '会议类型', '时间', '地点', '主持人', '应到', '实到', '请假', '缺席', '补学', '内容摘要']);
    const rows: any[] = [];
    wb.getWorksheet('三会一课记录').eachRow((row: any, n: number) => n > 2 && rows.push(row.values.slice(1)));
    const mine = rows.find((v) => String(v[10]).startsWith('11 月主题党日'));
    expect(mine[1]).toBe('主题党日');
    expect(mine[6]).toBe(6); // 实到 after the correction
    expect(mine[7]).toBe(1); // 请假
    expect(mine[9]).toBe(1); // 补学
    const other = await call(DEMO.otherBranchSecretaryOpenid, 'exportLedger', { from, to: today, branchId: DEMO.branchId });
    expect(other.error?.code).toBe('PERMISSION_DENIED');
  });

  test('attendance rates: per member for the secretary, branch figures only for an organiser', async () => {
    // China days, as the function reads them (a UTC date is yesterday's from 00:00 to 08:00 China time)
    const today = dayOf(new Date());
    const from = `${Number(today.slice(0, 4)) - 1}-12-01`;
    const s = await call(sec(), 'rates', { from, to: today });
    expect(s.data.activities).toBeGreaterThanOrEqual(1);
    expect(s.data.members.length).toBeGreaterThan(0);
    expect(s.data.rate.attendance).toBeGreaterThan(0);
    const o = await call(DEMO.organiserOpenid, 'rates', { from, to: today, branchId: DEMO.branchId });
    expect(o.ok).toBe(true);
    expect(o.data.members).toBeNull();
    expect(o.data.counts.expected).toBe(s.data.counts.expected);
  });
});

describe('windows, geofence and reminders', () => {
  test('sign-in before the window opens and leave after the start are refused', async () => {
    const later = await createPublished({ startAt: soon(180), endAt: soon(240), title: '下午的党小组会' });
    const q = await call(sec(), 'qrToken', { id: later });
    expect(q.error?.code).toBe('FAILED_PRECONDITION');
    const early = await call(members[0].openid, 'signIn', { token: issueToken(emu.secrets.ACTIVITY_QR_SECRET, later, Date.now()).token });
    expect(early.error?.message).toMatch(/签到尚未开始/);
    const started = await createPublished({ startAt: soon(-5), endAt: soon(60), title: '已经开始的党课', type: 'lesson' });
    const leave = await call(members[0].openid, 'requestLeave', { id: started, reason: '临时有事' });
    expect(leave.error?.code).toBe('FAILED_PRECONDITION');
    expect(store().count('activity_attendance', { activityId: { $in: [later, started] } })).toBe(0);
  });

  test('with a geofence, a location is required and must be inside the radius', async () => {
    const id = await createPublished({ place: { name: '党群服务中心', address: '', lat: 34.7916, lng: 113.6629 }, geofenceRadiusM: 200, title: '定位签到的主题党日' });
    const token = (await call(sec(), 'qrToken', { id })).data.token;
    const none = await call(members[0].openid, 'signIn', { token });
    expect(none.error?.message).toMatch(/需要定位签到/);
    const far = await call(members[0].openid, 'signIn', { token, location: { lat: 34.8016, lng: 113.6629 } });
    expect(far.error?.message).toMatch(/不在活动地点附近/);
    expect(store().count('activity_attendance', { activityId: id })).toBe(0);
    const near = await call(members[0].openid, 'signIn', { token, location: { lat: 34.7920, lng: 113.6630, accuracy: 30 } });
    expect(near.data.attendance.status).toBe('present');
  });

  test('a reminder goes to opted-in members through the outbox, once', async () => {
    const id = await createPublished({ startAt: soon(45), endAt: soon(100), title: '提醒测试的党课', type: 'lesson' });
    await grantSubscribe(emu.url, members[1].openid, [SUBSCRIBE_TEMPLATES.activityRemind.id, SUBSCRIBE_TEMPLATES.activityNotice.id]);
    const sub = await call(members[1].openid, 'subscribe', { id });
    expect(sub.ok).toBe(true);
    await fetch(`${emu.url}/api/outbox`, { method: 'DELETE' });
    await emu.fireTrigger('activity', 'tick');
    await emu.fireTrigger('activity', 'tick');
    const out = (await (await fetch(`${emu.url}/api/outbox`)).json()) as any;
    expect(out.messages.filter((m: any) => m.openid === members[1].openid && m.page.includes(id) && !m.refused)).toHaveLength(1);
  });

  test('a user call shaped like a timer event does not run the timer', async () => {
    const res = await fetch(`${emu.url}/api/functions/activity`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-wx-openid': members[0].openid },
      body: JSON.stringify({ Type: 'Timer', TriggerName: 'finalise' }),
    });
    expect(res.status).toBe(403);
  });
});

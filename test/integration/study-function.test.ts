/**
 * The study function called in-process through its spine (test/setup/in-process.ts) against the
 * local emulator's data plane, as different WeChat users; timers fire through the emulator's host. Heartbeats use real (short) sleeps: STUDY_BEAT_SEC=1 makes the function expect a
 * beat a second (refusing beats under ⅓ s apart, crediting nothing after 3 s of silence), and
 * STUDY_CHECKPOINT_SEC=1 a checkpoint a second (refused under ⅓ s apart, at most 2 s credited each).
 */
import fs from 'fs';
import os from 'os';
import path from 'path';
import ExcelJS from 'exceljs';
import { startEmulator, type Emulator } from '../../scripts/local-cloud';
import { buildFunctionsOnce } from '../setup/functions';
import { inProcess, type InProcessCloud } from '../setup/in-process';
import { DEMO } from '../../seed';
import { STUDY_DEMO } from '../../seed/study';
import { dayOf, yearOf } from '../../core/day';
import { requiredSecretNames } from '../../core/fn/secrets';
import { SUBSCRIBE_TEMPLATES } from '../../core/subscribe/templates';
import { grantSubscribe } from '../fixtures/subscribe-grants';
import { freshDataDir } from '../setup/demo-snapshot';

const ROOT = path.join(__dirname, '..', '..');
const FUNCTIONS = path.join(ROOT, 'cloudfunctions');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let emu: Emulator;
let cloud: InProcessCloud;
const opsSeen: Record<string, number[]> = {};

interface Reply {
  status: number;
  ok: boolean;
  data: any;
  ops: number;
  error?: { code: string; message: string };
}

async function call(openid: string | null, action: string, payload: unknown = {}): Promise<Reply> {
  const r = await cloud.call('study', openid, action, payload);
  (opsSeen[action] ??= []).push(r.ops.total);
  return { status: r.status, ok: r.ok, data: r.data, ops: r.ops.total, error: r.error };
}

const store = () => emu.backend.store as { find(c: string, q?: object, o?: object): any[]; findOne(c: string, id: string): any; count(c: string, q?: object): number };
const year = () => yearOf(new Date());
const totalsOf = (memberId: string) => store().findOne('study_totals', `${year()}:${memberId}`);

beforeAll(async () => {
  process.env.STUDY_BEAT_SEC = '1';
  process.env.STUDY_CHECKPOINT_SEC = '1';
  await buildFunctionsOnce(FUNCTIONS);
  emu = await startEmulator({
    functionsDir: FUNCTIONS,
    dataDir: freshDataDir('study-it', 'demo'),
    port: 0,
    strict: true,
    testIdentityHeader: true,
    seed: 'demo',
    secrets: requiredSecretNames(),
    triggers: false,
    h5Dir: fs.mkdtempSync(path.join(os.tmpdir(), 'study-it-noh5-')),
    log: () => undefined,
  });
  cloud = inProcess(emu);
});

afterAll(async () => {
  cloud?.close();
  await emu?.close();
  delete process.env.STUDY_BEAT_SEC;
  delete process.env.STUDY_CHECKPOINT_SEC;
  const rows = Object.entries(opsSeen).map(([a, n]) => `${a.padEnd(14)} ${Math.min(...n)}–${Math.max(...n)}`).sort();
  process.stdout.write(`study ops per call (min–max):\n${rows.join('\n')}\n`);
});

describe('lessons', () => {
  test('a member sees the district and branch lessons with their credit rule; a guest does not', async () => {
    const r = await call(DEMO.memberOpenid, 'lessons');
    expect(r.ok).toBe(true);
    const ids = r.data.map((l: any) => l.id);
    expect(ids).toEqual(expect.arrayContaining([STUDY_DEMO.articleLessonId, STUDY_DEMO.branchLessonId, STUDY_DEMO.liveLessonId]));
    const article = r.data.find((l: any) => l.id === STUDY_DEMO.articleLessonId);
    expect(article).toMatchObject({ kind: 'article', durationSec: 1200, creditRule: expect.stringContaining('45 分钟 = 1 学时') });
    const live = r.data.find((l: any) => l.id === STUDY_DEMO.liveLessonId);
    expect(live.live.state).toBe('live');
    // another branch's members do not see the demo branch's own lesson
    const other = await call(DEMO.otherBranchSecretaryOpenid, 'lessons');
    expect(other.data.map((l: any) => l.id)).not.toContain(STUDY_DEMO.branchLessonId);
    expect((await call('o-guest', 'lessons')).error?.code).toBe('PERMISSION_DENIED');
    expect((await call(DEMO.memberOpenid, 'lesson', { lessonId: 'nope' })).error?.code).toBe('NOT_FOUND');
  });
});

describe('honest crediting', () => {
  test('a beat for a lesson not started is refused and credits nothing', async () => {
    const r = await call(DEMO.memberOpenid, 'beat', { sessionId: 'x'.repeat(24), lessonId: STUDY_DEMO.articleLessonId, position: 10, playing: true });
    expect(r.status).toBe(409);
    expect(r.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: '请先打开课程开始学习，再计学时' });
    // the demo seed may credit the member for activities: no online study is what counts
    expect(totalsOf(DEMO.memberId)?.bySource.online ?? 0).toBe(0);
  });

  test('reading an article credits server-measured time, costs 2 DB ops a beat, and resumes where it stopped', async () => {
    const month = dayOf(new Date()).slice(5, 7);
    const monthBefore = totalsOf(DEMO.memberId)?.byMonth?.[month] ?? 0;
    const t0 = Date.now();
    const s = await call(DEMO.memberOpenid, 'start', { lessonId: STUDY_DEMO.articleLessonId });
    expect(s.ok).toBe(true);
    expect(s.data).toMatchObject({ beatEverySec: 1, mode: 'lesson', resumeAt: 0 });
    const sid = s.data.sessionId;
    // too soon after the start: faster than real time
    const fast = await call(DEMO.memberOpenid, 'beat', { sessionId: sid, lessonId: STUDY_DEMO.articleLessonId, position: 1, playing: true });
    expect(fast.error).toMatchObject({ code: 'RESOURCE_EXHAUSTED', message: '计时太频繁，本次不计学时' });
    let credited = 0;
    for (let i = 1; i <= 3; i++) {
      await sleep(1100);
      const b = await call(DEMO.memberOpenid, 'beat', { sessionId: sid, lessonId: STUDY_DEMO.articleLessonId, position: i * 60, playing: true });
      expect(b.ok).toBe(true);
      expect(b.ops).toBe(2);
      credited += b.data.creditedSec;
    }
    const wall = (Date.now() - t0) / 1000;
    expect(credited).toBeGreaterThan(2.5);
    expect(credited).toBeLessThanOrEqual(wall);
    // beyond the end of a 20-minute lesson
    await sleep(1100);
    const beyond = await call(DEMO.memberOpenid, 'beat', { sessionId: sid, lessonId: STUDY_DEMO.articleLessonId, position: 1300, playing: true });
    expect(beyond.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: '播放位置超出了课程时长，本次不计学时' });
    // paused: time passes, nothing credited
    const paused = await call(DEMO.memberOpenid, 'beat', { sessionId: sid, lessonId: STUDY_DEMO.articleLessonId, position: 180, playing: false });
    expect(paused.data).toMatchObject({ creditedSec: 0, note: 'paused' });

    // the progress view already counts the open session
    const p1 = await call(DEMO.memberOpenid, 'progress');
    expect(p1.data.pendingSec).toBeCloseTo(credited, 2);
    const stop = await call(DEMO.memberOpenid, 'stop', { sessionId: sid });
    expect(stop.data.creditedSec).toBeCloseTo(credited, 2);
    const totals = totalsOf(DEMO.memberId);
    expect(totals.bySource.online).toBeCloseTo(credited, 2);
    expect(totals.byMonth[month] - monthBefore).toBeCloseTo(credited, 2);
    expect(store().count('study_credits', { memberId: DEMO.memberId, source: 'online' })).toBe(1);
    // the credit records its session's wall-clock stretch, and fits in it
    const credit = store().find('study_credits', { memberId: DEMO.memberId, source: 'online' })[0];
    expect(credit.session).toMatchObject({ id: sid });
    const from = new Date(credit.session.startedAt).getTime();
    const to = new Date(credit.session.endedAt).getTime();
    expect(from).toBeGreaterThanOrEqual(t0);
    expect(to).toBeLessThanOrEqual(Date.now());
    expect(credit.seconds).toBeLessThanOrEqual((to - from) / 1000);
    // a second stop (double tap, retry) writes nothing and answers what the first did
    const session = store().findOne('study_sessions', DEMO.memberOpenid);
    const stop2 = await call(DEMO.memberOpenid, 'stop', { sessionId: sid });
    expect(stop2.data).toEqual(stop.data);
    expect(stop2.ops).toBe(3);
    expect(store().findOne('study_sessions', DEMO.memberOpenid)).toEqual(session);
    expect(store().count('study_credits', { memberId: DEMO.memberId, source: 'online' })).toBe(1);
    const p2 = await call(DEMO.memberOpenid, 'progress');
    expect(p2.data).toMatchObject({ targetHours: 32, cadre: false, pendingSec: 0 });
    // caller, totals, session: the year's targets are cached per instance since the first progress view
    expect(p2.ops).toBe(3);
    // a stopped session takes no more beats
    await sleep(400);
    const after = await call(DEMO.memberOpenid, 'beat', { sessionId: sid, lessonId: STUDY_DEMO.articleLessonId, position: 200, playing: true });
    expect(after.error?.code).toBe('FAILED_PRECONDITION');
    // and the lesson resumes at the last position
    const again = await call(DEMO.memberOpenid, 'lesson', { lessonId: STUDY_DEMO.articleLessonId });
    expect(again.data.progress.position).toBe(180);
    expect(again.data.progress.creditedSec).toBeCloseTo(credited, 2);
  });

  test('a second lesson or device takes over: the first one\'s beats are refused', async () => {
    const a = await call(DEMO.memberOpenid, 'start', { lessonId: STUDY_DEMO.articleLessonId });
    const b = await call(DEMO.memberOpenid, 'start', { lessonId: STUDY_DEMO.branchLessonId });
    await sleep(1100);
    const onA = await call(DEMO.memberOpenid, 'beat', { sessionId: a.data.sessionId, lessonId: STUDY_DEMO.articleLessonId, position: 10, playing: true });
    expect(onA.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: '您正在学习另一门课程：同一时间只计一门课程的学时' });
    // the same lesson opened again elsewhere: the old page's session id is stale
    const t0 = Date.now(); // wall time counts from before c's start, when the server starts its clock
    const c = await call(DEMO.memberOpenid, 'start', { lessonId: STUDY_DEMO.branchLessonId });
    const onB = await call(DEMO.memberOpenid, 'beat', { sessionId: b.data.sessionId, lessonId: STUDY_DEMO.branchLessonId, position: 10, playing: true });
    expect(onB.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: '这门课程已在另一台设备或另一个页面打开，这里不再计学时' });
    // the same beat sent three times at once (replayed, or copied to another device): together
    // they earn no more than the time since the start
    await sleep(1100);
    const beat = { sessionId: c.data.sessionId, lessonId: STUDY_DEMO.branchLessonId, position: 5, playing: true };
    const all = await Promise.all([1, 2, 3].map(() => call(DEMO.memberOpenid, 'beat', beat)));
    const wall = (Date.now() - t0) / 1000;
    const earned = all.filter((x) => x.ok).reduce((a, x) => a + x.data.creditedSec, 0);
    expect(all.some((x) => x.ok)).toBe(true);
    expect(earned).toBeLessThanOrEqual(wall);
    for (const x of all.filter((y) => !y.ok)) expect(x.error?.code).toMatch(/FAILED_PRECONDITION|RESOURCE_EXHAUSTED/);
    await call(DEMO.memberOpenid, 'stop', { sessionId: c.data.sessionId });
  });

  test('a scripted client beating as fast as it can, on two lessons at once, earns no more than wall time', async () => {
    const who = DEMO.secretaryOpenid;
    const before = totalsOf(DEMO.secretaryId)?.totalSec ?? 0;
    const t0 = Date.now();
    let s1 = (await call(who, 'start', { lessonId: STUDY_DEMO.articleLessonId })).data.sessionId;
    let claimed = 0;
    const deadline = Date.now() + 4000;
    let i = 0;
    while (Date.now() < deadline) {
      i++;
      // claims 10 minutes of progress per beat and flips between two lessons now and then
      if (i % 25 === 0) s1 = (await call(who, 'start', { lessonId: i % 50 === 0 ? STUDY_DEMO.articleLessonId : 'l-demo-article-2' })).data.sessionId;
      const lessonId = (i % 50 < 25) ? STUDY_DEMO.articleLessonId : 'l-demo-article-2';
      const r = await call(who, 'beat', { sessionId: s1, lessonId, position: Math.min(600, i * 10), playing: true });
      if (r.ok) claimed += r.data.creditedSec;
      void (await call(who, 'beat', { sessionId: 'f'.repeat(24), lessonId, position: 1, playing: true }));
    }
    await call(who, 'stop', { sessionId: s1 });
    const wall = (Date.now() - t0) / 1000;
    const gained = (totalsOf(DEMO.secretaryId)?.totalSec ?? 0) - before;
    expect(gained).toBeCloseTo(claimed, 2);
    expect(gained).toBeLessThanOrEqual(wall);
  });
});

describe('checkpoints on a signed lease', () => {
  const lessonId = 'l-demo-article-2';
  const who = DEMO.memberOpenid;

  test("a lesson: the view's offer, start, four checkpoints and stop cost 1 + 4 + 7 DB operations; credit within wall time", async () => {
    const before = totalsOf(DEMO.memberId)?.totalSec ?? 0;
    const t0 = Date.now();
    const view = await call(who, 'lesson', { lessonId });
    expect(view.ops).toBe(5);
    expect(view.data.startOffer).toEqual(expect.any(String));
    const s = await call(who, 'start', { lessonId, offer: view.data.startOffer });
    expect(s.ok).toBe(true);
    expect(s.data).toMatchObject({ checkpointEverySec: 1, mode: 'lesson', lease: expect.any(String) });
    const perCall = [s.ops];
    let lease = s.data.lease;
    let acked = 0;
    for (let i = 1; i <= 4; i++) {
      await sleep(1100);
      // the app claims a little more than it could have played: the server's clock decides
      const c = await call(who, 'checkpoint', { lease, played: 1.5, position: i * 60 });
      expect(c.ok).toBe(true);
      expect(c.data.note).toBe('credited');
      lease = c.data.lease;
      acked += c.data.creditedSec;
      perCall.push(c.ops);
    }
    await sleep(500);
    const stop = await call(who, 'stop', { sessionId: s.data.sessionId, lease, played: 0.4, position: 300 });
    perCall.push(stop.ops);
    expect(perCall).toEqual([1, 1, 1, 1, 1, 7]);
    const wall = (Date.now() - t0) / 1000;
    const gained = totalsOf(DEMO.memberId).totalSec - before;
    expect(gained).toBeCloseTo(acked + 0.4, 2);
    expect(gained).toBeLessThanOrEqual(wall);
    expect(stop.data.creditedSec).toBeCloseTo(s.data.creditedSec + gained, 2);
    // one credit record for the lesson, progress written whole, the session closed
    expect(store().count('study_credits', { memberId: DEMO.memberId, lessonId })).toBe(1);
    expect(store().findOne('study_progress', `${DEMO.memberId}:${lessonId}`)).toMatchObject({ creditedSec: expect.closeTo(stop.data.creditedSec, 2), position: 300 });
    expect(store().findOne('study_sessions', who)).toMatchObject({ active: false, pending: {} });
    // the lease of a stopped session lands nothing
    await sleep(400);
    const late = await call(who, 'checkpoint', { lease, played: 1, position: 300 });
    expect(late.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: '本次学习已结束，请重新开始学习' });
    expect(totalsOf(DEMO.memberId).totalSec - before).toBeCloseTo(gained, 6);
  });

  test('a replayed, altered, foreign or taken-over lease credits nothing', async () => {
    const view = await call(who, 'lesson', { lessonId });
    const s = await call(who, 'start', { lessonId, offer: view.data.startOffer });
    await sleep(1100);
    const first = await call(who, 'checkpoint', { lease: s.data.lease, played: 1, position: 10 });
    expect(first.data.creditedSec).toBeGreaterThan(0);
    // the same lease again (an answer that was lost, or a copy on another page): nothing more, and
    // the lease the session now has comes back
    await sleep(400);
    const again = await call(who, 'checkpoint', { lease: s.data.lease, played: 1, position: 10 });
    expect(again.data).toMatchObject({ creditedSec: 0, note: 'resumed' });
    expect(again.ops).toBe(2);
    // a lease with its state changed, or another member's, is not a lease
    const [body, mac] = first.data.lease.split('.');
    const state = JSON.parse(Buffer.from(body, 'base64url').toString());
    const altered = `${Buffer.from(JSON.stringify({ ...state, lastAt: state.lastAt - 3_600_000 })).toString('base64url')}.${mac}`;
    const forged = await call(who, 'checkpoint', { lease: altered, played: 3600, position: 10 });
    expect(forged.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: '请先打开课程开始学习，再计学时' });
    const foreign = await call(DEMO.elderOpenid, 'checkpoint', { lease: first.data.lease, played: 1, position: 10 });
    expect(foreign.error?.code).toBe('FAILED_PRECONDITION');
    expect(foreign.ops).toBe(0);
    // an offer from before the session moved: the start reads afresh instead
    const stale = await call(who, 'start', { lessonId, offer: view.data.startOffer });
    expect(stale.ok).toBe(true);
    expect(stale.ops).toBeGreaterThan(1);
    // the first page's lease is now another device's
    await sleep(400);
    const old = await call(who, 'checkpoint', { lease: again.data.lease, played: 1, position: 10 });
    expect(old.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: '这门课程已在另一台设备或另一个页面打开，这里不再计学时' });
    await call(who, 'stop', { sessionId: stale.data.sessionId });
  });
});

describe('live lessons', () => {
  test('joining the lesson on air credits attendance as live study', async () => {
    const s = await call(DEMO.elderOpenid, 'start', { lessonId: STUDY_DEMO.liveLessonId });
    expect(s.data.mode).toBe('live');
    await sleep(1200);
    const b = await call(DEMO.elderOpenid, 'beat', { sessionId: s.data.sessionId, lessonId: STUDY_DEMO.liveLessonId, position: 0, playing: true });
    expect(b.data.creditedSec).toBeGreaterThan(1);
    await call(DEMO.elderOpenid, 'stop', { sessionId: s.data.sessionId });
    expect(totalsOf(DEMO.elderId).bySource.live).toBeCloseTo(b.data.creditedSec, 2);
    const upcoming = await call(DEMO.elderOpenid, 'start', { lessonId: STUDY_DEMO.upcomingLiveLessonId });
    expect(upcoming.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: '直播还没有开始，开播前 15 分钟可以进入' });
  });

  test('"remind me" sends a subscribe message from the timer trigger before the start', async () => {
    const startsAt = new Date(Date.now() + 10 * 60_000).toISOString();
    const created = await call(DEMO.organiserOpenid, 'createLesson', { kind: 'live', title: '直播：基层党建工作经验交流', speaker: '区委组织部 刘晓燕', minutes: 40, startsAt });
    expect(created.ok).toBe(true);
    const later = await call(DEMO.memberOpenid, 'createLesson', { kind: 'article', title: 'x', speaker: 'y', minutes: 5, body: 'z' });
    expect(later.error?.code).toBe('PERMISSION_DENIED');
    await grantSubscribe(emu.url, DEMO.memberOpenid, [SUBSCRIBE_TEMPLATES.studyLive.id]);
    const r = await call(DEMO.memberOpenid, 'remind', { lessonId: created.data.id });
    expect(r.data).toMatchObject({ reminded: true, startsAt });
    await call(DEMO.memberOpenid, 'remind', { lessonId: created.data.id });
    await emu.fireTrigger('study', 'tick');
    const messages = ((await (await fetch(`${emu.url}/api/outbox`)).json()) as any).messages.filter((m: any) => m.templateId === 'STUDY_LIVE_REMINDER_TEMPLATE');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ openid: DEMO.memberOpenid, page: `pages/study/lesson/index?id=${created.data.id}` });
    expect(messages[0].refused).toBeUndefined();
    expect(messages[0].data.thing1.value).toContain('基层党建');
    // fired again: nothing is sent twice
    await emu.fireTrigger('study', 'tick');
    const again = ((await (await fetch(`${emu.url}/api/outbox`)).json()) as any).messages.filter((m: any) => m.templateId === 'STUDY_LIVE_REMINDER_TEMPLATE');
    expect(again).toHaveLength(1);
  });
});

describe('offline records and the branch table', () => {
  const record = (memberIds: string[], over: Record<string, unknown> = {}) => ({
    kind: '送学上门',
    date: dayOf(new Date()),
    topic: '送学上门：学习党章',
    hours: 2,
    place: '老党员家中',
    deliveredBy: '支部书记',
    memberIds,
    requestId: 'req-00000001',
    ...over,
  });

  let offlineBefore = 0;
  test('a secretary records 送学上门 for an elder once, however often the request arrives', async () => {
    const before = totalsOf(DEMO.elderId).totalSec;
    const r = await call(DEMO.secretaryOpenid, 'recordOffline', record([DEMO.elderId]));
    expect(r.data).toMatchObject({ credited: 1 });
    const again = await call(DEMO.secretaryOpenid, 'recordOffline', record([DEMO.elderId]));
    expect(again.data).toMatchObject({ credited: 0 });
    expect(totalsOf(DEMO.elderId).totalSec - before).toBeCloseTo(7200, 3);
    offlineBefore = totalsOf(DEMO.elderId).bySource.offline;
    expect(offlineBefore).toBeGreaterThanOrEqual(7200);
    const list = await call(DEMO.secretaryOpenid, 'listOffline');
    expect(list.data[0]).toMatchObject({ kind: '送学上门', hours: 2, members: [{ id: DEMO.elderId }] });
  });

  test('another branch, more than a day, a future date or a member: rejected, nothing credited', async () => {
    const countBefore = store().count('study_credits', { source: 'offline' });
    const other = store().find('org_members', { branchId: DEMO.otherBranchId }, { limit: 1 })[0];
    const a = await call(DEMO.secretaryOpenid, 'recordOffline', record([DEMO.memberId, other._id], { requestId: 'req-00000002' }));
    expect(a.error).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('不是本支部党员') });
    const b = await call(DEMO.secretaryOpenid, 'recordOffline', record([DEMO.memberId], { requestId: 'req-00000003', hours: 25 }));
    expect(b.error).toMatchObject({ code: 'INVALID_ARGUMENT', message: '时长不能超过一天（24 小时）' });
    // 2 h already today for the elder: 23 h more would exceed the day — the member beside them is not credited either
    const c = await call(DEMO.secretaryOpenid, 'recordOffline', record([DEMO.memberId, DEMO.elderId], { requestId: 'req-00000004', hours: 23 }));
    expect(c.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: expect.stringContaining('超过一天的时长') });
    const future = await call(DEMO.secretaryOpenid, 'recordOffline', record([DEMO.memberId], { requestId: 'req-00000005', date: '2999-01-01' }));
    expect(future.error?.code).toBe('INVALID_ARGUMENT');
    const member = await call(DEMO.memberOpenid, 'recordOffline', record([DEMO.memberId], { requestId: 'req-00000006' }));
    expect(member.error?.code).toBe('PERMISSION_DENIED');
    expect(store().count('study_credits', { source: 'offline' })).toBe(countBefore);
  });

  test('the branch table lists every member, furthest behind first; only their secretary and organisers see it', async () => {
    const t = await call(DEMO.secretaryOpenid, 'branchTable');
    expect(t.ok).toBe(true);
    const members = store().count('org_members', { branchId: DEMO.branchId, status: 'active' });
    expect(t.data.rows).toHaveLength(members);
    const behind = t.data.rows.map((r: any) => r.behind);
    expect(behind).toEqual([...behind].sort((x, y) => y - x));
    expect(t.data.rows.find((r: any) => r.memberId === DEMO.secretaryId).targetHours).toBe(56);
    expect(t.data.rows.find((r: any) => r.memberId === DEMO.elderId).bySource.offline).toBeCloseTo(Math.floor((offlineBefore / 2700) * 100) / 100, 2);
    expect(t.ops).toBe(5);
    expect((await call(DEMO.otherBranchSecretaryOpenid, 'branchTable', { branchId: DEMO.branchId })).error?.code).toBe('PERMISSION_DENIED');
    expect((await call(DEMO.memberOpenid, 'branchTable')).error?.code).toBe('PERMISSION_DENIED');
    const org = await call(DEMO.organiserOpenid, 'branchTable', { branchId: DEMO.branchId });
    expect(org.data.rows).toHaveLength(members);
    const street = await call(DEMO.streetOrganiserOpenid, 'branchTable', { branchId: DEMO.farBranchId });
    expect(street.error?.code).toBe('PERMISSION_DENIED');
  });

  test('reminding those behind sends one message each to members who use the app', async () => {
    // two members behind tapped 学时落后时提醒我; WeChat refuses the others (43101)
    const t = await call(DEMO.secretaryOpenid, 'branchTable');
    const behind = t.data.rows.filter((row: any) => row.behind > 0).map((row: any) => store().findOne('org_members', row.memberId)).filter((m: any) => m?.openid);
    const granted = behind.slice(0, 2).map((m: any) => m.openid as string);
    expect(granted).toHaveLength(2);
    for (const openid of granted) await grantSubscribe(emu.url, openid, [SUBSCRIBE_TEMPLATES.studyBehind.id]);
    await fetch(`${emu.url}/api/outbox`, { method: 'DELETE' });
    const r = await call(DEMO.secretaryOpenid, 'remindBehind');
    expect(r.data.sent).toBe(2);
    const msgs = ((await (await fetch(`${emu.url}/api/outbox`)).json()) as any).messages.filter((m: any) => m.templateId === SUBSCRIBE_TEMPLATES.studyBehind.id);
    expect(msgs.filter((m: any) => !m.refused).map((m: any) => m.openid).sort()).toEqual([...granted].sort());
    expect(msgs.filter((m: any) => m.refused).every((m: any) => m.refused.errcode === 43101)).toBe(true);
  });

  test('organisers see completion by branch; the ledger exports as .xlsx', async () => {
    const rates = await call(DEMO.organiserOpenid, 'orgRates');
    expect(rates.data.rows.length).toBe(21);
    const rs = rates.data.rows.map((x: any) => x.rate);
    expect(rs).toEqual([...rs].sort((a: number, b: number) => a - b));
    const x = await call(DEMO.secretaryOpenid, 'exportLedger');
    expect(x.data.fileName).toContain('学时台账.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(x.data.base64, 'base64') as any);
    expect(wb.getWorksheet('学时汇总')!.getRow(2).getCell(1).value).toBe('姓名');
    const names = (wb.getWorksheet('学时明细')!.getSheetValues() as any[]).map((row) => row?.[4]).join('|');
    expect(names).toContain('送学上门：学习党章');
  });
});

/**
 * 视频号 live credited by join and return (core/study/live.ts), through the study function in
 * process (test/setup/in-process.ts) against the emulator's data plane. The function's clock is the
 * real one, so time away is made by moving the stored session back (its join, last write and start
 * together) and signing its lease again, as `start` would have signed it.
 */
import path from 'path';
import type { Emulator } from '../../scripts/local-cloud';
import { startTestEmulator } from '../setup/emulator';
import { buildFunctionsOnce } from '../setup/functions';
import { inProcess, type InProcessCloud } from '../setup/in-process';
import { DEMO } from '../../seed';
import { yearOf } from '../../core/day';
import { AWAY_LIVE } from '../../core/study/heartbeat';
import { leaseOf, signLease } from '../../core/study/lease';
import { LIVE_NOT_CHANNELS } from '../../core/study/live';
import { sweepSessions } from '../../cloudfunctions/study/actions';

const FUNCTIONS = path.join(__dirname, '..', '..', 'cloudfunctions');
const MIN = 60_000;

let emu: Emulator;
let cloud: InProcessCloud;
let db: any;

interface Store {
  put(c: string, d: object, mode?: 'insert' | 'upsert'): void;
  findOne(c: string, id: string): any;
  find(c: string, q?: object): any[];
  update(c: string, q: object, u: object): unknown;
}
const store = () => emu.backend.store as unknown as Store;
const secret = () => emu.secrets.STUDY_LEASE_SECRET;

beforeAll(async () => {
  await buildFunctionsOnce(FUNCTIONS);
  emu = await startTestEmulator('study-live', { functionsDir: FUNCTIONS });
  cloud = inProcess(emu);
  const sdk = require('wx-server-sdk');
  sdk.init({ env: sdk.DYNAMIC_CURRENT_ENV });
  db = sdk.database({ throwOnNotFound: false });
});

afterAll(async () => {
  cloud?.close();
  await emu?.close();
});

/** a live lesson of the demo branch on air since `sinceMin` minutes, for `minutes`; on 视频号 unless said */
function liveLesson(id: string, sinceMin: number, minutes: number, channelsId: string | null = 'sphDemoBranch'): string {
  const startsAt = new Date(Date.now() - sinceMin * MIN);
  store().put('study_lessons', {
    _id: id, kind: 'live', title: '视频号直播：学习贯彻党的二十大精神', speaker: '区委党校', durationSec: minutes * 60,
    cover: null, mediaUrl: null, body: null, orgId: DEMO.branchId, orgName: '演示支部', status: 'published',
    publishedAt: new Date(Date.now() - 86_400_000), startsAt, endsAt: new Date(startsAt.getTime() + minutes * MIN),
    streamUrl: channelsId ? null : 'https://live.example.org/stream.m3u8', channelsId, replayUrl: null,
    createdBy: DEMO.secretaryId, createdAt: new Date(Date.now() - 86_400_000),
  }, 'insert');
  return id;
}

/** the stored session moved `min` minutes back (join, last write, start) and its lease signed again */
function awayFor(openid: string, min: number): string {
  const s = store().findOne('study_sessions', openid);
  const back = (t: number) => t - min * MIN;
  store().update('study_sessions', { _id: openid }, { $set: { startedAt: back(s.startedAt), lastAt: back(s.lastAt), 'liveJoin.at': back(s.liveJoin.at) } });
  return signLease(secret(), leaseOf(store().findOne('study_sessions', openid)));
}

async function started(openid: string, lessonId: string) {
  const view = await cloud.call('study', openid, 'lesson', { lessonId });
  expect(view.data.live).toMatchObject({ state: 'live', channelsId: 'sphDemoBranch' });
  const s = await cloud.call('study', openid, 'start', { lessonId, offer: view.data.startOffer });
  expect(s.data).toMatchObject({ mode: 'live', creditedSec: 0 });
  return s.data as { sessionId: string; lease: string };
}

test('the time away in 视频号 is credited on return, the page time is not, and the ledger gets it once', async () => {
  const lessonId = liveLesson('l-live-channels', 60, 120);
  const openid = DEMO.memberOpenid;
  const liveBefore = store().findOne('study_totals', `${yearOf(new Date())}:${DEMO.memberId}`)?.bySource?.live ?? 0;
  const s = await started(openid, lessonId);

  const j = await cloud.call('study', openid, 'liveJoin', { lease: s.lease });
  expect(j.ok).toBe(true);
  expect(j.ops.total).toBe(2);
  const joined = store().findOne('study_sessions', openid);
  expect(joined.liveJoin).toMatchObject({ sessionId: s.sessionId });
  expect(Math.abs(joined.liveJoin.at - Date.parse(j.data.joinedAt))).toBe(0);
  expect(joined.lessonSec).toBe(0);
  // a double tap (the pre-join lease again): the same join, nothing new written
  const again = await cloud.call('study', openid, 'liveJoin', { lease: s.lease });
  expect(again.data.joinedAt).toBe(j.data.joinedAt);
  expect(store().findOne('study_sessions', openid).seq).toBe(joined.seq);
  // while away, checkpoints are refused: only the return confirms that time
  const cp = await cloud.call('study', openid, 'checkpoint', { lease: j.data.lease, played: 300, position: 0 });
  expect(cp.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: AWAY_LIVE });

  // 40 minutes in 视频号
  const lease = awayFor(openid, 40);
  const r = await cloud.call('study', openid, 'liveReturn', { lease });
  expect(r.ok).toBe(true);
  expect(r.ops.total).toBe(1);
  expect(r.data.creditedSec).toBeGreaterThanOrEqual(40 * 60);
  expect(r.data.creditedSec).toBeLessThan(40 * 60 + 10);
  expect(store().findOne('study_sessions', openid).liveJoin).toBeNull();
  // the same return repeated (a lost answer): nothing more
  const twice = await cloud.call('study', openid, 'liveReturn', { lease });
  expect(twice.data).toMatchObject({ creditedSec: 0, note: 'resumed', lessonSec: r.data.lessonSec });

  const stop = await cloud.call('study', openid, 'stop', { sessionId: s.sessionId, lease: twice.data.lease, played: 0, position: 0 });
  expect(stop.data.creditedSec).toBeCloseTo(r.data.creditedSec, 3);
  const totals = store().findOne('study_totals', `${yearOf(new Date())}:${DEMO.memberId}`);
  expect(totals.bySource.live - liveBefore).toBeCloseTo(r.data.creditedSec, 3);
  // the credit lies inside its session's wall time (what the nightly consistency check holds it to)
  const credits = store().find('study_credits', { memberId: DEMO.memberId, lessonId });
  expect(credits).toHaveLength(1);
  const c = credits[0];
  expect(c.seconds).toBeLessThanOrEqual((new Date(c.session.endedAt).getTime() - new Date(c.session.startedAt).getTime()) / 1000 + 1e-3);
});

test('refused: a lesson not on 视频号, another member\'s lease, a return without a join', async () => {
  const hls = liveLesson('l-live-hls', 10, 60, null);
  const s = await cloud.call('study', DEMO.elderOpenid, 'start', { lessonId: hls });
  expect(s.ok).toBe(true);
  const j = await cloud.call('study', DEMO.elderOpenid, 'liveJoin', { lease: s.data.lease });
  expect(j.error).toMatchObject({ code: 'FAILED_PRECONDITION', message: LIVE_NOT_CHANNELS });
  const ret = await cloud.call('study', DEMO.elderOpenid, 'liveReturn', { lease: s.data.lease });
  expect(ret.error?.code).toBe('FAILED_PRECONDITION');
  // another caller with the elder's lease: no database request at all
  const stranger = await cloud.call('study', DEMO.secretaryOpenid, 'liveJoin', { lease: s.data.lease });
  expect(stranger.error?.code).toBe('FAILED_PRECONDITION');
  expect(stranger.ops.total).toBe(0);
  expect(store().findOne('study_sessions', DEMO.elderOpenid).liveJoin ?? null).toBeNull();
  await cloud.call('study', DEMO.elderOpenid, 'stop', { sessionId: s.data.sessionId });
});

test('another lesson started while away voids the join: the return credits nothing', async () => {
  const lessonId = liveLesson('l-live-channels-2', 20, 120);
  const openid = DEMO.secretaryOpenid;
  const s = await started(openid, lessonId);
  const j = await cloud.call('study', openid, 'liveJoin', { lease: s.lease });
  expect(j.ok).toBe(true);
  const lease = awayFor(openid, 15);
  const other = liveLesson('l-live-hls-2', 5, 60, null);
  const o = await cloud.call('study', openid, 'start', { lessonId: other });
  expect(o.ok).toBe(true);
  const r = await cloud.call('study', openid, 'liveReturn', { lease });
  expect(r.error?.code).toBe('FAILED_PRECONDITION');
  const progress = store().findOne('study_progress', `${store().find('org_members', { openid })[0]._id}:${lessonId}`);
  expect(progress?.creditedSec ?? 0).toBe(0);
  await cloud.call('study', openid, 'stop', { sessionId: o.data.sessionId });
});

test('the sweep leaves a member away in 视频号 alone until the return can credit nothing, then closes without the time away', async () => {
  const lessonId = liveLesson('l-live-channels-3', 10, 60);
  const openid = DEMO.elderOpenid;
  const s = await started(openid, lessonId);
  const j = await cloud.call('study', openid, 'liveJoin', { lease: s.lease });
  expect(j.ok).toBe(true);
  // silent for 20 minutes (longer than the sweep's 13), still within the return-by
  awayFor(openid, 20);
  await sweepSessions({ db, now: new Date() });
  expect(store().findOne('study_sessions', openid).active).toBe(true);
  // past its return-by: closed, and the time away is not credited
  store().update('study_sessions', { _id: openid }, { $set: { 'liveJoin.until': Date.now() - MIN } });
  expect((await sweepSessions({ db, now: new Date() })).closed).toBeGreaterThanOrEqual(1);
  const closed = store().findOne('study_sessions', openid);
  expect(closed.active).toBe(false);
  expect(closed.lessonSec).toBe(0);
  const r = await cloud.call('study', openid, 'liveReturn', { lease: signLease(secret(), leaseOf({ ...closed, active: true })) });
  expect(r.error?.code).toBe('FAILED_PRECONDITION');
});

/**
 * A 视频号 live lesson on WeChat: the member taps 进入直播, watches in WeChat's own live room and
 * comes back. Run against the wx double (wx-double.ts) extended with the 视频号 calls, app show /
 * hide and storage as WeChat documents them, and a study "server" made of the function's own rules
 * (core/study/live.ts on signed leases, the conditional write on {seq, sessionId, active}) on a
 * clock the test moves.
 */
import { AppError } from '../../core/fn/errors';
import { dayOf } from '../../core/day';
import { takeOver, type SessionDoc } from '../../core/study/heartbeat';
import { leaseOf, openLease, signLease } from '../../core/study/lease';
import { applyLiveJoin, applyLiveReturn, LIVE_RETURN_GRACE_MS, type LiveOutcome } from '../../core/study/live';
import { DEFAULT_RULES } from '../../core/study/rules';
import { ApiError } from '../../src/api/errors';
import {
  CHANNELS_MESSAGES,
  clearLiveJoin,
  pendingLiveJoin,
  PENDING_LIVE_JOIN_KEY,
  watchChannelsLive,
  type WatchLive,
} from '../../src/platform/channels-live';
import { loadAppConfig, WxDouble } from './wx-double';

const config = loadAppConfig();
const T0 = Date.parse('2026-06-01T06:00:00Z'); // 14:00 in Shanghai: the broadcast starts
const MIN = 60_000;
const SECRET = 'k3y-for-weapp-tests-0123456789abcdefXYZ';
const FINDER = 'sphDistrictLive';

/**
 * The wx double with what a 视频号 live needs:
 * - getChannelsLiveInfo answers the room's status (2 live, 3 ended) with its feedId/nonceId, and
 *   fails when the account has no live at all;
 * - openChannelsLive opens only the live room it names (feedId + nonceId of the live), and the
 *   mini-program goes to the background (onAppHide); `comeBack` shows it again (onAppShow);
 * - WeChat destroys a mini-program left in the background for 30 minutes (`destroy`): listeners and
 *   memory go, storage stays (getStorageSync answers '' for a key never set).
 */
class LiveWxDouble extends WxDouble {
  room: { status: number; feedId: string; nonceId: string } | null = { status: 2, feedId: 'feed-1', nonceId: 'nonce-1' };
  openFails = false;
  foreground = true;
  readonly rooms: string[] = [];
  private show = new Set<() => void>();
  private hide = new Set<() => void>();

  constructor(readonly storage: Map<string, unknown> = new Map()) {
    super({ config, privacyAgreed: true });
  }

  getChannelsLiveInfo = async (o: { finderUserName: string }) => {
    this.calls.push({ api: 'getChannelsLiveInfo', arg: o });
    if (o.finderUserName !== FINDER || !this.room) throw { errMsg: 'getChannelsLiveInfo:fail live not found' };
    return { ...this.room, description: '党课直播', headUrl: '', nickname: '区委组织部' };
  };

  openChannelsLive = async (o: { finderUserName: string; feedId: string; nonceId: string }) => {
    this.calls.push({ api: 'openChannelsLive', arg: o });
    if (this.openFails) throw { errMsg: 'openChannelsLive:fail system error' };
    if (!this.room || this.room.status !== 2 || o.feedId !== this.room.feedId || o.nonceId !== this.room.nonceId) throw { errMsg: 'openChannelsLive:fail invalid feed' };
    this.rooms.push(o.feedId);
    this.foreground = false;
    for (const cb of [...this.hide]) cb();
    return { errMsg: 'openChannelsLive:ok' };
  };

  onAppShow = (cb: () => void) => void this.show.add(cb);
  offAppShow = (cb: () => void) => void this.show.delete(cb);
  onAppHide = (cb: () => void) => void this.hide.add(cb);

  getStorageSync = (key: string) => (this.storage.has(key) ? structuredClone(this.storage.get(key)) : '');
  setStorageSync = (key: string, value: unknown) => void this.storage.set(key, structuredClone(value));
  removeStorageSync = (key: string) => void this.storage.delete(key);

  /** the member comes back from 视频号 */
  comeBack(): void {
    this.foreground = true;
    for (const cb of [...this.show]) cb();
  }

  /** 30 minutes in the background: a new app instance with the same storage */
  destroy(): LiveWxDouble {
    this.show.clear();
    this.hide.clear();
    return new LiveWxDouble(this.storage);
  }

  get showListeners(): number {
    return this.show.size;
  }
}

/** The study function's start / liveJoin / liveReturn / stop on one member's session, on the test's clock. */
class StudyServer {
  now = T0 - 5 * MIN;
  session: SessionDoc | null = null;
  ledger = 0;
  private n = 0;

  constructor(private readonly channelsId: string | null = FINDER) {}

  start(lessonId = 'live-1'): { sessionId: string; lease: string } {
    const t = takeOver(this.session, this.now);
    const live = lessonId === 'live-1';
    this.session = {
      _id: 'o-member', memberId: 'm1', name: '张三', branchId: 'b1', path: ['d1', 'b1'], role: 'member', active: true,
      sessionId: `s${++this.n}`, lessonId, lessonTitle: '党课', source: live ? 'live' : 'online', mode: live ? 'live' : 'lesson',
      durationSec: 90 * 60, windowStart: live ? T0 : null, windowEnd: live ? T0 + 90 * MIN : null, lessonSec: 0,
      day: dayOf(this.now), daySec: 0, pending: {}, completed: false, position: 0, startedAt: t.at, lastAt: t.at,
      seq: t.seq, beats: 0, flushes: 0, completedAt: null,
    };
    return { sessionId: this.session.sessionId, lease: signLease(SECRET, leaseOf(this.session)) };
  }

  private write(token: string, step: (l: ReturnType<typeof leaseOf>) => LiveOutcome) {
    const lease = openLease(SECRET, token, 'o-member');
    if (!lease) throw new AppError('FAILED_PRECONDITION', '请先打开课程开始学习，再计学时');
    const out = step(lease);
    const s = this.session;
    // the function's conditional update; when it lands nothing, the stored session says why, or
    // (the same call repeated) hands back its lease with nothing credited
    if (!s || !s.active || s.seq !== lease.seq || s.sessionId !== lease.sessionId) {
      if (!s || s.sessionId !== lease.sessionId) throw new AppError('FAILED_PRECONDITION', '这门课程已在另一台设备或另一个页面打开，这里不再计学时');
      if (!s.active) throw new AppError('FAILED_PRECONDITION', '本次学习已结束，请重新开始学习');
      return { lease: signLease(SECRET, leaseOf(s)), creditedSec: 0, lessonSec: s.lessonSec, todaySec: s.daySec, completed: s.completed, note: 'resumed' };
    }
    this.session = { ...s, ...out.patch };
    const next = this.session;
    return { lease: signLease(SECRET, leaseOf(next)), creditedSec: out.credited, lessonSec: next.lessonSec, todaySec: next.daySec, completed: next.completed, note: out.note };
  }

  liveJoin = async (token: string) => {
    if (!this.channelsId) throw new AppError('FAILED_PRECONDITION', '这门直播课不在视频号播出，请在本页观看');
    return this.write(token, (l) => applyLiveJoin(l, this.now));
  };

  liveReturn = async (token: string) => this.write(token, (l) => applyLiveReturn(l, this.now, DEFAULT_RULES));

  stop(): number {
    const s = this.session!;
    this.ledger += Object.values(s.pending).reduce((a, b) => a + b, 0);
    this.session = { ...s, active: false, pending: {} };
    return this.ledger;
  }
}

/** lets promise callbacks run */
const settle = () => new Promise((r) => setImmediate(r));

function watch(wx: LiveWxDouble, server: StudyServer, lease: string, sessionId: string) {
  const returns: Array<{ ok: boolean; credited?: number; message?: string; lease: string }> = [];
  const w: WatchLive = {
    finderUserName: FINDER,
    lessonId: 'live-1',
    sessionId,
    lease,
    join: server.liveJoin,
    confirm: server.liveReturn,
    onReturn: (r) =>
      returns.push(r.ok ? { ok: true, credited: (r.answer as { creditedSec: number }).creditedSec, lease: r.lease } : { ok: false, message: (r.error as Error).message, lease: r.lease }),
  };
  return { returns, go: () => watchChannelsLive(wx, w) };
}

describe('进入直播 on 视频号: credited from the join to the return, within the broadcast', () => {
  it('time on the page earns nothing; the time away in the live room does', async () => {
    const wx = new LiveWxDouble();
    const server = new StudyServer();
    const s = server.start();
    // 15 minutes on the page with the button, 10 of them on air
    server.now = T0 + 10 * MIN;
    const { returns, go } = watch(wx, server, s.lease, s.sessionId);
    await go();
    expect(wx.rooms).toEqual(['feed-1']);
    expect(wx.foreground).toBe(false);
    // the join is on the server, with the tap's time, and kept on the phone
    expect(server.session!.liveJoin).toMatchObject({ sessionId: s.sessionId, at: T0 + 10 * MIN });
    expect(pendingLiveJoin(wx, 'live-1')).toMatchObject({ sessionId: s.sessionId });
    // 40 minutes in 视频号, then back
    server.now = T0 + 50 * MIN;
    wx.comeBack();
    await settle();
    expect(returns).toEqual([{ ok: true, credited: 40 * 60, lease: expect.any(String) }]);
    expect(wx.getStorageSync(PENDING_LIVE_JOIN_KEY)).toBe('');
    expect(wx.showListeners).toBe(0);
    // another show (the member switches apps and back) confirms nothing twice
    wx.comeBack();
    await settle();
    expect(returns).toHaveLength(1);
    // 20 more minutes on the page, then leaving: still only the 40 minutes away
    server.now = T0 + 70 * MIN;
    expect(server.stop()).toBe(40 * 60);
  });

  it('watching past the end: the broadcast window bounds the credit', async () => {
    const wx = new LiveWxDouble();
    const server = new StudyServer();
    const s = server.start();
    server.now = T0 + 60 * MIN;
    const { returns, go } = watch(wx, server, s.lease, s.sessionId);
    await go();
    server.now = T0 + 115 * MIN;
    wx.comeBack();
    await settle();
    expect(returns[0]).toMatchObject({ ok: true, credited: 30 * 60 });
  });

  it('a room that is not live is not joined nor opened', async () => {
    for (const [room, message] of [
      [{ status: 1, feedId: 'f', nonceId: 'n' }, CHANNELS_MESSAGES.notLive],
      [{ status: 3, feedId: 'f', nonceId: 'n' }, CHANNELS_MESSAGES.ended],
      [null, CHANNELS_MESSAGES.notLive],
    ] as const) {
      const wx = new LiveWxDouble();
      wx.room = room;
      const server = new StudyServer();
      const s = server.start();
      const { go } = watch(wx, server, s.lease, s.sessionId);
      const e = await go().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).message).toBe(message);
      expect(wx.rooms).toEqual([]);
      expect(server.session!.liveJoin ?? null).toBeNull();
      expect(wx.getStorageSync(PENDING_LIVE_JOIN_KEY)).toBe('');
    }
  });

  it('a room that does not open is returned from at once: nothing to credit, nothing left open', async () => {
    const wx = new LiveWxDouble();
    wx.openFails = true;
    const server = new StudyServer();
    const s = server.start();
    server.now = T0 + 10 * MIN;
    const { returns, go } = watch(wx, server, s.lease, s.sessionId);
    const e = await go().catch((x: unknown) => x);
    expect((e as ApiError).message).toBe(CHANNELS_MESSAGES.failed);
    await settle();
    expect(returns).toEqual([{ ok: true, credited: 0, lease: expect.any(String) }]);
    expect(server.session!.liveJoin).toBeNull();
    expect(wx.getStorageSync(PENDING_LIVE_JOIN_KEY)).toBe('');
  });

  it('WeChat destroyed the app in the background: the join kept in storage is confirmed when the lesson opens again', async () => {
    const wx = new LiveWxDouble();
    const server = new StudyServer();
    const s = server.start();
    server.now = T0 + 5 * MIN;
    const { returns, go } = watch(wx, server, s.lease, s.sessionId);
    await go();
    // 50 minutes in 视频号: the app is destroyed after 30; the member opens it and the lesson again
    const again = wx.destroy();
    server.now = T0 + 55 * MIN;
    const pending = pendingLiveJoin(again, 'live-1');
    expect(pending).toMatchObject({ lessonId: 'live-1', sessionId: s.sessionId });
    expect(pendingLiveJoin(again, 'another-lesson')).toBeNull();
    const r = await server.liveReturn(pending!.lease);
    clearLiveJoin(again);
    expect(r.creditedSec).toBe(50 * 60);
    expect(returns).toEqual([]);
    // the same stored join confirmed twice (a retry) credits nothing more
    await expect(server.liveReturn(pending!.lease)).resolves.toMatchObject({ creditedSec: 0, note: 'resumed' });
    expect(server.session!.lessonSec).toBe(50 * 60);
  });

  it('a return later than the join allows credits nothing', async () => {
    const wx = new LiveWxDouble();
    const server = new StudyServer();
    const s = server.start();
    server.now = T0 + 30 * MIN;
    const { returns, go } = watch(wx, server, s.lease, s.sessionId);
    await go();
    server.now = T0 + 90 * MIN + LIVE_RETURN_GRACE_MS + MIN;
    wx.comeBack();
    await settle();
    expect(returns).toEqual([{ ok: true, credited: 0, lease: expect.any(String) }]);
  });

  it('another lesson started while away (another device): the return is refused and credits nothing', async () => {
    const wx = new LiveWxDouble();
    const server = new StudyServer();
    const s = server.start();
    server.now = T0 + 5 * MIN;
    const { returns, go } = watch(wx, server, s.lease, s.sessionId);
    await go();
    server.now = T0 + 20 * MIN;
    server.start('article-1');
    server.now = T0 + 60 * MIN;
    wx.comeBack();
    await settle();
    expect(returns).toEqual([{ ok: false, message: expect.stringContaining('另一台设备'), lease: expect.any(String) }]);
    expect(server.session!.lessonSec).toBe(0);
    // the join stays stored until the page hears the refusal and forgets it
    expect(pendingLiveJoin(wx, 'live-1')).not.toBeNull();
  });

  it('a lesson not on 视频号 cannot be joined', async () => {
    const wx = new LiveWxDouble();
    const server = new StudyServer(null);
    const s = server.start();
    const { go } = watch(wx, server, s.lease, s.sessionId);
    await expect(go()).rejects.toMatchObject({ code: 'FAILED_PRECONDITION' });
    expect(wx.rooms).toEqual([]);
  });
});

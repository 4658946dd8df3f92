/** How `start` builds a study session and how a flush becomes credits and progress (core/study/session.ts, stored.ts). */
import { AppError } from '../../core/fn/errors';
import { planFlush, settleSession, takeOver, type SessionDoc } from '../../core/study/heartbeat';
import { mustFlushBeforeStart, newSession, sessionClock, sessionCredits, LIVE_NOT_STARTED, NO_REPLAY_YET, type NewSession } from '../../core/study/session';
import { lessonId, newLessonDoc, newOfflineRecord, offlineView, progressAfterFlush, type NewLesson } from '../../core/study/stored';
import { newCreditDoc } from '../../core/study/credit';

const T0 = Date.parse('2026-05-10T02:00:00Z'); // 10:00 in Shanghai
const MIN = 60_000;

function session(over: Partial<SessionDoc> = {}): SessionDoc {
  return {
    _id: 'o1', memberId: 'm1', name: '张三', branchId: 'b1', path: ['d1', 'b1'], role: 'member', active: true,
    sessionId: 's1', lessonId: 'l1', lessonTitle: '课', source: 'online', mode: 'lesson', durationSec: 1800,
    windowStart: null, windowEnd: null, lessonSec: 0, day: '2026-05-10', daySec: 0, pending: {}, completed: false,
    position: 0, startedAt: T0, lastAt: T0, seq: 1, beats: 0, flushes: 0, ...over,
  };
}

const error = (f: () => unknown): AppError => {
  try {
    f();
  } catch (e) {
    return e as AppError;
  }
  throw new Error('did not throw');
};

describe('sessionClock', () => {
  const live = { kind: 'live' as const, durationSec: 3600, startsAt: new Date(T0), endsAt: new Date(T0 + 60 * MIN), replayUrl: null };

  test('a recorded lesson runs on its own duration', () => {
    expect(sessionClock({ ...live, kind: 'video', startsAt: null, endsAt: null }, T0)).toEqual({ mode: 'lesson', windowStart: null, windowEnd: null, durationSec: 3600 });
  });

  test('a live lesson opens 15 minutes early and is live inside its window', () => {
    const e = error(() => sessionClock(live, T0 - 15 * MIN - 1));
    expect([e.code, e.message]).toEqual(['FAILED_PRECONDITION', LIVE_NOT_STARTED]);
    expect(sessionClock(live, T0 - 15 * MIN)).toEqual({ mode: 'live', windowStart: T0, windowEnd: T0 + 60 * MIN, durationSec: 3600 });
    expect(sessionClock(live, T0 + 60 * MIN - 1).mode).toBe('live');
  });

  test('after the window: a replay once uploaded, refused before', () => {
    const e = error(() => sessionClock(live, T0 + 60 * MIN));
    expect([e.code, e.message]).toEqual(['FAILED_PRECONDITION', NO_REPLAY_YET]);
    expect(sessionClock({ ...live, replayUrl: 'cloud://r.mp4' }, T0 + 60 * MIN)).toEqual({ mode: 'replay', windowStart: null, windowEnd: null, durationSec: 3600 });
  });
});

describe('newSession', () => {
  const base = (over: Partial<NewSession> = {}): NewSession => ({
    openid: 'o1',
    member: { _id: 'm1', name: '张三', branchId: 'b1', path: ['d1', 'b1'], role: 'member' },
    lesson: { _id: 'l2', kind: 'video', title: '新课' },
    clock: { mode: 'lesson', windowStart: null, windowEnd: null, durationSec: 1200 },
    old: null,
    takeOver: takeOver(null, T0),
    progress: null,
    totals: null,
    sessionId: 'new',
    nowMs: T0,
    ...over,
  });

  test('a first start: fresh clock, the day from the counters, resume at the stored position', () => {
    const s = newSession(base({ progress: { creditedSec: 300, position: 310, completed: false }, totals: { days: { '2026-05-10': 900, '2026-05-09': 50 } } }));
    expect(s).toMatchObject({
      _id: 'o1', memberId: 'm1', active: true, sessionId: 'new', lessonId: 'l2', lessonTitle: '新课', source: 'online', mode: 'lesson',
      lessonSec: 300, day: '2026-05-10', daySec: 900, pending: {}, position: 310, startedAt: T0, lastAt: T0, seq: 1, beats: 0, flushes: 0,
    });
  });

  test("the old session's unflushed time counts toward the same lesson and today's cap", () => {
    const old = session({ lessonId: 'l2', pending: { '2026-05-10': 40, '2026-05-09': 20 }, position: 500, daySec: 100, lastAt: T0 + 5000 });
    const s = newSession(base({ old, takeOver: takeOver(old, T0), progress: { creditedSec: 300, position: 10, completed: false }, totals: { days: { '2026-05-10': 30 } } }));
    expect(s.lessonSec).toBe(360);
    // the old session's own day count (100) knows more than counters + pending (70)
    expect(s.daySec).toBe(100);
    expect(s.position).toBe(500);
    // the new clock starts no earlier than the old session's last beat
    expect([s.startedAt, s.seq]).toEqual([T0 + 5000, 2]);
  });

  test("another lesson's pending time counts toward the day only; another member's session counts for nothing", () => {
    const old = session({ lessonId: 'l1', pending: { '2026-05-10': 40 }, position: 500, day: '2026-05-09', daySec: 999 });
    const s = newSession(base({ old, totals: { days: { '2026-05-10': 30 } } }));
    expect([s.lessonSec, s.daySec, s.position]).toEqual([0, 70, 0]);
    const other = newSession(base({ old: { ...old, memberId: 'someone-else' }, totals: { days: { '2026-05-10': 30 } } }));
    expect([other.lessonSec, other.daySec]).toEqual([0, 30]);
  });

  test('live sessions start at position 0; others never past the duration', () => {
    const live = base({
      lesson: { _id: 'l2', kind: 'live', title: '直播' },
      clock: { mode: 'live', windowStart: T0, windowEnd: T0 + 1, durationSec: 60 },
      progress: { creditedSec: 0, position: 50, completed: false },
    });
    expect(newSession(live)).toMatchObject({ source: 'live', mode: 'live', position: 0, windowStart: T0 });
    expect(newSession(base({ progress: { creditedSec: 0, position: 5000, completed: true } }))).toMatchObject({ position: 1200, completed: true });
  });

  test('only an active session with pending time is flushed before a start', () => {
    expect(mustFlushBeforeStart(null)).toBe(false);
    expect(mustFlushBeforeStart(session())).toBe(false);
    expect(mustFlushBeforeStart(session({ active: false, pending: { '2026-05-10': 5 } }))).toBe(false);
    expect(mustFlushBeforeStart(session({ pending: { '2026-05-10': 5 } }))).toBe(true);
  });
});

describe('a flush', () => {
  test('one credit per day, the last completes the lesson, reason by mode', () => {
    const s = session({ mode: 'replay', source: 'live', lessonTitle: '直播课一', pending: { '2026-05-10': 30, '2026-05-09': 12.5 }, flushes: 2, lastAt: T0 + 99 });
    const credits = sessionCredits(s, planFlush(s), true);
    expect(credits.map((c) => [c.day, c.seconds, c.sourceId, c.completesLesson])).toEqual([
      ['2026-05-09', 12.5, 's1:2:2026-05-09', false],
      ['2026-05-10', 30, 's1:2:2026-05-10', true],
    ]);
    expect(credits[0]).toMatchObject({ memberId: 'm1', branchId: 'b1', source: 'live', reason: '直播回放：直播课一', lessonId: 'l1', session: { id: 's1', startedAt: T0, endedAt: T0 + 99 } });
    expect(sessionCredits(session({ mode: 'live' }), [{ sourceId: 'x', day: '2026-05-10', seconds: 1 }], false)[0].reason).toBe('直播课：课');
    expect(sessionCredits(session(), [{ sourceId: 'x', day: '2026-05-10', seconds: 1 }], false)[0]).toMatchObject({ reason: '在线课程：课', completesLesson: false });
  });

  test('progress adds the flushed time and keeps the first completion', () => {
    const now = new Date(T0);
    const s = session({ position: 700, completed: true });
    expect(progressAfterFlush(null, s, 42.1234, now)).toEqual({ memberId: 'm1', lessonId: 'l1', creditedSec: 42.123, position: 700, completed: true, completedAt: now, updatedAt: now });
    const earlier = new Date(T0 - 1000);
    const p = { _id: 'm1:l1', memberId: 'm1', lessonId: 'l1', creditedSec: 100, position: 5, completed: true, completedAt: earlier, updatedAt: earlier };
    expect(progressAfterFlush(p, { ...s, completed: false }, 10, now)).toMatchObject({ creditedSec: 110, completed: true, completedAt: earlier, updatedAt: now });
    expect(progressAfterFlush(null, { ...s, completed: false }, 10, now)).toMatchObject({ completed: false, completedAt: null });
  });

  test('settle then credit: nothing pending and open writes nothing', () => {
    expect(settleSession(session(), false)).toBeNull();
  });
});

describe('stored factories', () => {
  const lesson: NewLesson = {
    kind: 'live', title: '直播', speaker: '讲师', minutes: 90, orgId: 'd1', orgName: '区委', createdBy: 'm9', createdAt: new Date(T0),
    publishedAt: new Date(T0), startsAt: new Date(T0 + 60 * MIN), cover: '', mediaUrl: undefined,
  };

  test('a lesson: duration and end from its minutes, empty links stored as null, draft without publishedAt', () => {
    expect(newLessonDoc(lesson)).toEqual({
      kind: 'live', title: '直播', speaker: '讲师', durationSec: 5400, cover: null, mediaUrl: null, body: null, orgId: 'd1', orgName: '区委',
      status: 'published', publishedAt: new Date(T0), startsAt: new Date(T0 + 60 * MIN), endsAt: new Date(T0 + 150 * MIN),
      streamUrl: null, channelsId: null, replayUrl: null, createdBy: 'm9', createdAt: new Date(T0),
    });
    expect(newLessonDoc({ ...lesson, publishedAt: null, startsAt: undefined })).toMatchObject({ status: 'draft', publishedAt: null, startsAt: null, endsAt: null });
  });

  test('the same lesson created twice has one id', () => {
    expect(lessonId(lesson)).toBe(lessonId({ ...lesson }));
    expect(lessonId(lesson)).toMatch(/^l_[0-9a-f]+$/);
    expect(lessonId({ ...lesson, title: '另一课' })).not.toBe(lessonId(lesson));
    expect(lessonId({ ...lesson, startsAt: new Date(T0) })).not.toBe(lessonId(lesson));
  });

  test('an offline record names its members in order and takes its year from its date', () => {
    const r = newOfflineRecord(
      { branchId: 'b1', kind: '集中培训', date: '2025-12-31', topic: '党章', hours: 2, place: '会议室', deliveredBy: '王', recordedBy: 'm9', recordedByName: '李', createdAt: new Date(T0) },
      [{ _id: 'm2', name: '乙' }, { _id: 'm1', name: '甲' }],
    );
    expect(r).toMatchObject({ year: 2025, memberIds: ['m2', 'm1'], memberNames: ['乙', '甲'], branchId: 'b1', recordedByName: '李' });
    expect(offlineView({ _id: 'b1:req', ...r })).toEqual({
      id: 'b1:req', kind: '集中培训', date: '2025-12-31', topic: '党章', hours: 2, place: '会议室', deliveredBy: '王',
      members: [{ id: 'm2', name: '乙' }, { id: 'm1', name: '甲' }], recordedBy: '李',
    });
    // a record stored before names were kept
    expect(offlineView({ _id: 'x', ...r, memberNames: undefined, recordedByName: undefined })).toMatchObject({ members: [{ id: 'm2', name: '' }, { id: 'm1', name: '' }], recordedBy: '' });
  });

  test('a credit record: year and month from its day, the session stretch as dates', () => {
    const now = new Date(T0);
    const c = { memberId: 'm1', branchId: 'b1', path: ['b1'], name: '甲', day: '2026-03-05', source: 'online' as const, sourceId: 's', seconds: 60, reason: 'r' };
    expect(newCreditDoc(c, now)).toEqual({
      memberId: 'm1', branchId: 'b1', year: 2026, month: '03', day: '2026-03-05', source: 'online', sourceId: 's', seconds: 60, reason: 'r', lessonId: null, by: null, at: now,
    });
    expect(newCreditDoc({ ...c, session: { id: 's1', startedAt: T0, endedAt: T0 + 1 } }, now).session).toEqual({ id: 's1', startedAt: new Date(T0), endedAt: new Date(T0 + 1) });
  });
});

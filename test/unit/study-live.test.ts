/** 视频号 live credited by join and return (core/study/live.ts) on leases (lease.ts). */
import fc from 'fast-check';
import { AppError } from '../../core/fn/errors';
import { dayOf } from '../../core/day';
import { applyBeat, applyCheckpoint, AWAY_LIVE, type SessionDoc } from '../../core/study/heartbeat';
import { leaseOf, openLease, signLease, type LeaseState } from '../../core/study/lease';
import {
  applyLiveJoin,
  applyLiveReturn,
  LIVE_ALREADY_AWAY,
  LIVE_AWAY_MAX_SEC,
  LIVE_NO_JOIN,
  LIVE_NOT_ON_AIR,
  LIVE_RETURN_GRACE_MS,
} from '../../core/study/live';
import { DEFAULT_RULES, type StudyRules } from '../../core/study/rules';

const rules: StudyRules = { ...DEFAULT_RULES };
const T0 = Date.parse('2026-05-10T02:00:00Z'); // 10:00 in Shanghai
const MIN = 60_000;
const SECRET = 'k3y-for-unit-tests-0123456789abcdefXYZ';

/** a live lesson on air from T0 for `minutes`, the session started at `startAt` */
function session(over: Partial<SessionDoc> = {}, minutes = 90, startAt = T0 - 10 * MIN): SessionDoc {
  return {
    _id: 'o1', memberId: 'm1', name: '张三', branchId: 'b1', path: ['d1', 'b1'], role: 'member', active: true,
    sessionId: 's1', lessonId: 'l1', lessonTitle: '直播', source: 'live', mode: 'live', durationSec: minutes * 60,
    windowStart: T0, windowEnd: T0 + minutes * MIN, lessonSec: 0, day: dayOf(T0), daySec: 0, pending: {}, completed: false,
    position: 0, startedAt: startAt, lastAt: startAt, seq: 1, beats: 0, flushes: 0, completedAt: null, ...over,
  };
}
const failure = (f: () => unknown): { code: string; message: string } | null => {
  try {
    f();
  } catch (e) {
    return { code: (e as AppError).code, message: (e as AppError).message };
  }
  return null;
};
/** the state after a write, as the next lease carries it */
const after = (s: LeaseState, patch: object): LeaseState => ({ ...s, ...patch });

describe('join', () => {
  test('records the server time of the tap, moves the clock to it and credits nothing for the page', () => {
    const s = leaseOf(session());
    // 25 minutes on the button page (15 before the start, 10 after)
    const j = applyLiveJoin(s, T0 + 10 * MIN);
    expect(j.credited).toBe(0);
    expect(j.patch).toMatchObject({ seq: 2, lastAt: T0 + 10 * MIN, lessonSec: 0, pending: {}, liveJoin: { sessionId: 's1', at: T0 + 10 * MIN } });
    // return-by: the end of the broadcast (sooner than the cap here) and the grace
    expect(j.patch.liveJoin!.until).toBe(T0 + 90 * MIN + LIVE_RETURN_GRACE_MS);
    // a long broadcast: the cap from the join bounds it
    const long = applyLiveJoin(leaseOf(session({}, 300)), T0);
    expect(long.patch.liveJoin!.until).toBe(T0 + LIVE_AWAY_MAX_SEC * 1000 + LIVE_RETURN_GRACE_MS);
  });

  test('only while on air, only once until the return, never behind the clock', () => {
    expect(failure(() => applyLiveJoin(leaseOf(session()), T0 + 90 * MIN))).toEqual({ code: 'FAILED_PRECONDITION', message: LIVE_NOT_ON_AIR });
    expect(failure(() => applyLiveJoin(leaseOf(session({ mode: 'replay', windowStart: null, windowEnd: null })), T0))).toMatchObject({ message: LIVE_NOT_ON_AIR });
    expect(failure(() => applyLiveJoin(leaseOf(session({ mode: 'lesson', windowStart: null, windowEnd: null })), T0))).toMatchObject({ message: LIVE_NOT_ON_AIR });
    const s = leaseOf(session());
    const joined = after(s, applyLiveJoin(s, T0).patch);
    expect(failure(() => applyLiveJoin(joined, T0 + MIN))).toEqual({ code: 'FAILED_PRECONDITION', message: LIVE_ALREADY_AWAY });
    // a session whose clock was taken over ahead of this function's clock keeps it
    const ahead = leaseOf(session({ lastAt: T0 + 5_000 }));
    expect(applyLiveJoin(ahead, T0).patch.lastAt).toBe(T0 + 5_000);
  });

  test('a join left by an earlier session on the same document is not this session\'s', () => {
    const s = leaseOf(session({ sessionId: 's2', liveJoin: { sessionId: 's1', at: T0, until: T0 + 200 * MIN } }));
    expect(applyLiveJoin(s, T0 + MIN).credited).toBe(0);
    expect(failure(() => applyLiveReturn(s, T0 + MIN, rules))).toEqual({ code: 'FAILED_PRECONDITION', message: LIVE_NO_JOIN });
    expect(applyCheckpoint(s, { played: 60, position: 0 }, T0 + MIN, rules).credited).toBeGreaterThan(0);
  });
});

describe('return', () => {
  const joinedAt = (at: number, over: Partial<SessionDoc> = {}, minutes = 90) => {
    const s = leaseOf(session(over, minutes));
    return after(s, applyLiveJoin(s, at).patch);
  };

  test('credits the time away inside the broadcast window', () => {
    // joined 10 minutes before the start, back 40 minutes into it: the 40 on air count
    const r = applyLiveReturn(joinedAt(T0 - 10 * MIN), T0 + 40 * MIN, rules);
    expect(r).toMatchObject({ credited: 40 * 60, note: 'credited', patch: { seq: 3, lastAt: T0 + 40 * MIN, liveJoin: null, lessonSec: 2400, pending: { '2026-05-10': 2400 } } });
    // back after the end: the end bounds it
    expect(applyLiveReturn(joinedAt(T0 + 60 * MIN), T0 + 100 * MIN, rules).credited).toBe(30 * 60);
    // joined and back before the start: nothing
    expect(applyLiveReturn(joinedAt(T0 - 14 * MIN), T0 - MIN, rules)).toMatchObject({ credited: 0, note: 'outside-live' });
  });

  test('one join credits at most the cap; a return after its return-by credits nothing', () => {
    const j = joinedAt(T0, {}, 300);
    // back 2 h 20 min after the join: the cap (2 h) counts, within its return-by (cap + 30 minutes)
    expect(applyLiveReturn(j, T0 + 140 * MIN, rules)).toMatchObject({ credited: LIVE_AWAY_MAX_SEC, note: 'credited' });
    const r = applyLiveReturn(j, j.liveJoin!.until + 1, rules);
    expect(r).toMatchObject({ credited: 0, note: 'late', patch: { liveJoin: null } });
  });

  test('the lesson and the day caps hold', () => {
    expect(applyLiveReturn(joinedAt(T0, { lessonSec: 90 * 60 - 100 }), T0 + 30 * MIN, rules).credited).toBe(100);
    expect(applyLiveReturn(joinedAt(T0, { daySec: 240 * 60 - 50 }), T0 + 30 * MIN, rules).credited).toBe(50);
    expect(applyLiveReturn(joinedAt(T0, { daySec: 240 * 60 }), T0 + 30 * MIN, rules)).toMatchObject({ credited: 0, note: 'day-full' });
  });

  test('refused without an open join', () => {
    expect(failure(() => applyLiveReturn(leaseOf(session()), T0, rules))).toEqual({ code: 'FAILED_PRECONDITION', message: LIVE_NO_JOIN });
  });

  test('while away the session takes no checkpoint or beat: only the return confirms that time', () => {
    const j = joinedAt(T0);
    expect(failure(() => applyCheckpoint(j, { played: 300, position: 0 }, T0 + 6 * MIN, rules))).toEqual({ code: 'FAILED_PRECONDITION', message: AWAY_LIVE });
    const stored = { ...session(), ...j, _id: 'o1' } as SessionDoc;
    expect(failure(() => applyBeat(stored, { sessionId: 's1', lessonId: 'l1', position: 0, playing: true }, T0 + MIN, rules))).toMatchObject({ message: AWAY_LIVE });
  });

  test('the lease carries the join, signed: an altered join time does not open', () => {
    const j = joinedAt(T0);
    const token = signLease(SECRET, j);
    expect(openLease(SECRET, token, 'o1')?.liveJoin).toEqual(j.liveJoin);
    const [body, mac] = token.split('.');
    const forged = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    forged.liveJoin.at = T0 - 60 * MIN;
    expect(openLease(SECRET, `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${mac}`, 'o1')).toBeNull();
  });
});

describe('property: what join and return credit', () => {
  /**
   * Any sequence of joins and returns (and failed calls, which change nothing) at increasing server
   * times, on a broadcast of any length: the credit never exceeds the broadcast window, nor the
   * wall time from the session's start to the last write, and no return credits more than the cap
   * or more than its own time away inside the window.
   */
  test('never more than the window, the wall time or the cap', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 400 }),
        fc.integer({ min: -15, max: 60 }),
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 200 * 60 }), join: fc.boolean() }), { minLength: 1, maxLength: 30 }),
        (minutes, startOffsetMin, steps) => {
          const startAt = T0 + startOffsetMin * MIN;
          let s: LeaseState = leaseOf(session({}, minutes, startAt));
          let now = startAt;
          let total = 0;
          for (const step of steps) {
            now += step.gap * 1000;
            const join = s.liveJoin;
            let out;
            try {
              out = step.join ? applyLiveJoin(s, now) : applyLiveReturn(s, now, rules);
            } catch (e) {
              if (!(e instanceof AppError)) throw e;
              continue;
            }
            if (!step.join) {
              const from = join!.at;
              const to = Math.min(now, s.windowEnd!);
              const inWindow = Math.max(0, (to - Math.max(from, s.windowStart!)) / 1000);
              expect(out.credited).toBeLessThanOrEqual(Math.min(inWindow, LIVE_AWAY_MAX_SEC) + 1e-6);
            } else expect(out.credited).toBe(0);
            total += out.credited;
            s = after(s, out.patch);
            expect(s.lessonSec).toBeCloseTo(total, 3);
          }
          expect(total).toBeLessThanOrEqual(minutes * 60 + 1e-6);
          expect(total).toBeLessThanOrEqual(Math.max(0, (s.lastAt - startAt) / 1000) + 1e-6);
          expect(total).toBeLessThanOrEqual(rules.dailyCapMinutes * 60 + 1e-6);
        },
      ),
      { numRuns: 500 },
    );
  });
});

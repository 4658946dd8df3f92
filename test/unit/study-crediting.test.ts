/** The pure crediting rules of core/study: heartbeats, the ledger counters, targets and tables. */
import fc from 'fast-check';
import { AppError } from '../../core/fn/errors';
import { applyBeat, planFlush, settleSession, takeOver, type BeatOutcome, type SessionDoc } from '../../core/study/heartbeat';
import { applyCredit, type CreditInput } from '../../core/study/credit';
import { dayOf } from '../../core/day';
import { DEFAULT_RULES, resolveTarget, rulesFromEnv, toStudyHours, type StudyRules } from '../../core/study/rules';
import { buildBranchRows, buildProgress } from '../../core/study/views';

const rules: StudyRules = { ...DEFAULT_RULES };
const T0 = Date.parse('2026-05-10T02:00:00Z'); // 10:00 in Shanghai

function session(over: Partial<SessionDoc> = {}): SessionDoc {
  return {
    _id: 'o1', memberId: 'm1', name: '张三', branchId: 'b1', path: ['d1', 'b1'], role: 'member', active: true,
    sessionId: 's1', lessonId: 'l1', lessonTitle: '课', source: 'online', mode: 'lesson', durationSec: 1800,
    windowStart: null, windowEnd: null, lessonSec: 0, day: dayOf(T0), daySec: 0, pending: {}, completed: false,
    position: 0, startedAt: T0, lastAt: T0, seq: 1, beats: 0, flushes: 0, ...over,
  };
}
const beat = (over: Partial<{ sessionId: string; lessonId: string; position: number; playing: boolean }> = {}) => ({
  sessionId: 's1', lessonId: 'l1', position: 30, playing: true, ...over,
});
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as AppError).code;
  }
  return 'none';
};

describe('applyBeat', () => {
  test('credits the server time since the previous beat', () => {
    const out = applyBeat(session(), beat(), T0 + 30_000, rules);
    expect(out.credited).toBe(30);
    expect(out.patch).toMatchObject({ lessonSec: 30, daySec: 30, seq: 2, lastAt: T0 + 30_000, pending: { '2026-05-10': 30 } });
  });

  test('refuses: not started, another lesson, another device, beyond the end, faster than real time', () => {
    expect(code(() => applyBeat(null, beat(), T0 + 30_000, rules))).toBe('FAILED_PRECONDITION');
    expect(code(() => applyBeat(session({ active: false }), beat(), T0 + 30_000, rules))).toBe('FAILED_PRECONDITION');
    expect(code(() => applyBeat(session(), beat({ lessonId: 'l2' }), T0 + 30_000, rules))).toBe('FAILED_PRECONDITION');
    expect(code(() => applyBeat(session(), beat({ sessionId: 's0' }), T0 + 30_000, rules))).toBe('FAILED_PRECONDITION');
    expect(code(() => applyBeat(session(), beat({ position: 1806 }), T0 + 30_000, rules))).toBe('INVALID_ARGUMENT');
    expect(code(() => applyBeat(session(), beat(), T0 + 5_000, rules))).toBe('RESOURCE_EXHAUSTED');
  });

  test('nothing while paused or after a long silence; never beyond the lesson or the daily cap', () => {
    expect(applyBeat(session(), beat({ playing: false }), T0 + 30_000, rules)).toMatchObject({ credited: 0, note: 'paused' });
    expect(applyBeat(session(), beat(), T0 + 600_000, rules)).toMatchObject({ credited: 0, note: 'away' });
    expect(applyBeat(session({ lessonSec: 1790 }), beat(), T0 + 30_000, rules).credited).toBe(10);
    expect(applyBeat(session({ lessonSec: 1800 }), beat(), T0 + 30_000, rules)).toMatchObject({ credited: 0, note: 'lesson-full' });
    expect(applyBeat(session({ daySec: 240 * 60 - 12 }), beat(), T0 + 30_000, rules).credited).toBe(12);
    expect(applyBeat(session({ daySec: 240 * 60 }), beat(), T0 + 30_000, rules).note).toBe('day-full');
  });

  test('the daily cap starts again on a new China-time day; pending keeps each day apart', () => {
    const lateNight = Date.parse('2026-05-10T15:59:50Z'); // 23:59:50 in Shanghai
    const s = session({ lastAt: lateNight, daySec: 240 * 60, pending: { '2026-05-10': 100 } });
    const out = applyBeat(s, beat(), lateNight + 20_000, rules);
    expect(out.credited).toBe(20);
    expect(out.patch.day).toBe('2026-05-11');
    expect(out.patch.pending).toEqual({ '2026-05-10': 100, '2026-05-11': 20 });
    expect(planFlush({ sessionId: 's1', flushes: 2, pending: out.patch.pending }).map((f) => f.sourceId)).toEqual(['s1:2:2026-05-10', 's1:2:2026-05-11']);
  });

  test('live: only time inside the broadcast counts', () => {
    const s = session({ mode: 'live', source: 'live', windowStart: T0 + 20_000, windowEnd: T0 + 3_600_000 });
    expect(applyBeat(s, beat({ position: 99999 }), T0 + 30_000, rules).credited).toBe(10);
    const after = session({ mode: 'live', source: 'live', windowStart: T0 - 3_600_000, windowEnd: T0 + 5_000, durationSec: 3600 });
    expect(applyBeat(after, beat(), T0 + 30_000, rules).credited).toBe(5);
  });

  test('completion once 90% of the lesson is credited', () => {
    const out = applyBeat(session({ lessonSec: 1600 }), beat(), T0 + 30_000, rules);
    expect(out.completedNow).toBe(true);
    expect(applyBeat(session({ lessonSec: 1600, completed: true }), beat(), T0 + 30_000, rules).completedNow).toBe(false);
  });

  test('property: any sequence of beats from a scripted client earns no more than wall-clock time', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 200_000 }), position: fc.integer({ min: 0, max: 4000 }), playing: fc.boolean(), wrongSession: fc.boolean() }), { maxLength: 80 }),
        (beats) => {
          let s = session();
          let now = T0;
          let earned = 0;
          for (const b of beats) {
            now += b.gapMs;
            try {
              const out = applyBeat(s, beat({ position: b.position, playing: b.playing, sessionId: b.wrongSession ? 'x' : 's1' }), now, rules);
              earned += out.credited;
              s = { ...s, ...out.patch };
            } catch (e) {
              if (!(e instanceof AppError)) throw e;
            }
          }
          expect(earned).toBeLessThanOrEqual((now - T0) / 1000 + 1e-9);
          expect(s.lessonSec).toBeLessThanOrEqual(s.durationSec);
          expect(earned).toBeLessThanOrEqual(rules.dailyCapMinutes * 60 * (1 + Math.ceil((now - T0) / 86_400_000)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('flush, stop and take-over', () => {
  test('a flush clears pending and moves seq, so a beat computed on the session before cannot land', () => {
    const s = session({ seq: 7, flushes: 1, pending: { '2026-05-10': 42 } });
    const stale = applyBeat(s, beat(), T0 + 30_000, rules);
    const step = settleSession(s, true)!;
    expect(step.credits).toEqual([{ sourceId: 's1:1:2026-05-10', day: '2026-05-10', seconds: 42 }]);
    expect(step.next).toMatchObject({ pending: {}, flushes: 2, active: false, seq: 8 });
    // the beat's write is conditional on the seq it read
    expect(step.next.seq).not.toBe(s.seq);
    expect(stale.patch.seq).toBe(s.seq + 1);
    // mid-lesson flush (the lesson completed): the session stays open, seq still moves
    expect(settleSession(s, false)!.next).toMatchObject({ active: true, seq: 8, pending: {} });
  });

  test('a stopped session takes no beat and a second stop writes nothing', () => {
    const stopped = settleSession(session({ pending: { '2026-05-10': 30 } }), true)!.next;
    expect(code(() => applyBeat(stopped, beat(), T0 + 30_000, rules))).toBe('FAILED_PRECONDITION');
    expect(settleSession(stopped, true)).toBeNull();
    // even one carrying pending credit (written back by a late beat before this rule): never credited again
    expect(settleSession({ ...stopped, pending: { '2026-05-10': 30 } }, true)).toBeNull();
    // an open session with nothing pending: nothing to write unless it closes
    expect(settleSession(session(), false)).toBeNull();
    expect(settleSession(session(), true)!.next).toMatchObject({ active: false, seq: 2 });
  });

  test('a start takes over after the replaced session\'s last beat, never before it', () => {
    expect(takeOver(null, T0)).toEqual({ seq: 1, at: T0 });
    expect(takeOver({ seq: 4, lastAt: T0 - 1000 }, T0)).toEqual({ seq: 5, at: T0 });
    // this start's clock read before a beat that landed on the old session
    expect(takeOver({ seq: 4, lastAt: T0 + 250 }, T0)).toEqual({ seq: 5, at: T0 + 250 });
  });

  /**
   * The protocol of cloudfunctions/study/actions.ts on one stored session, with two devices whose
   * calls interleave between their read and their write (each call reads the clock first, as the
   * function does): a beat lands only if seq, sessionId and active are as it read them; a flush is
   * atomic; a start flushes the old session, then writes only over the session as flushed.
   */
  test('property: interleaved starts, beats and stops of two devices credit each acknowledged second once, within wall time', () => {
    type Step = { dev: number; k: 'start' | 'beatRead' | 'beatCommit' | 'stop' | 'startCommit' | 'tick'; ms: number; playing: boolean };
    const stepArb = fc.record({
      dev: fc.integer({ min: 0, max: 1 }),
      k: fc.constantFrom<Step['k']>('start', 'beatRead', 'beatCommit', 'beatRead', 'beatCommit', 'stop', 'startCommit', 'tick'),
      ms: fc.integer({ min: 0, max: 40_000 }),
      playing: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 20, maxLength: 120, size: 'max' }), (steps: Step[]) => {
        // typed by the cast, not narrowed to null: flush() below assigns it too
        let stored = null as SessionDoc | null;
        let now = T0;
        let n = 0;
        const ledger = new Map<string, number>();
        let acked = 0;
        const devs = [0, 1].map(() => ({
          sid: 'none',
          beat: null as null | { read: SessionDoc; out: BeatOutcome },
          start: null as null | { old: SessionDoc | null; at: number },
        }));
        const flush = (end: boolean) => {
          const step = stored && settleSession(stored, end);
          if (!step) return stored;
          for (const c of step.credits) if (!ledger.has(c.sourceId)) ledger.set(c.sourceId, c.seconds);
          stored = step.next;
          return stored;
        };
        for (const st of steps) {
          const d = devs[st.dev];
          now += st.k === 'tick' ? st.ms : 1;
          if (st.k === 'beatRead' && stored) {
            try {
              d.beat = { read: structuredClone(stored), out: applyBeat(stored, beat({ sessionId: d.sid, playing: st.playing }), now, rules) };
            } catch (e) {
              if (!(e instanceof AppError)) throw e;
            }
          } else if (st.k === 'beatCommit' && d.beat) {
            const { read, out } = d.beat;
            d.beat = null;
            if (stored && stored.seq === read.seq && stored.sessionId === read.sessionId && stored.active) {
              stored = { ...stored, ...out.patch };
              acked += out.credited;
            }
          } else if (st.k === 'stop') {
            if (stored?.sessionId === d.sid) flush(true);
          } else if (st.k === 'start') {
            d.start = { old: stored && structuredClone(stored), at: now };
          } else if (st.k === 'startCommit' && d.start) {
            const { old, at } = d.start;
            d.start = null;
            const base = old?.active && Object.keys(old.pending).length ? flush(true) : old;
            if (base ? stored?.seq === base.seq : stored === null) {
              const clock = takeOver(base, at);
              const sid = `s${++n}`;
              stored = session({ sessionId: sid, seq: clock.seq, startedAt: clock.at, lastAt: clock.at, lessonSec: 0, daySec: 0, day: dayOf(clock.at) });
              d.sid = sid;
            }
          }
        }
        flush(true);
        const credited = [...ledger.values()].reduce((a, b) => a + b, 0);
        expect(credited).toBeCloseTo(acked, 6);
        expect(credited).toBeLessThanOrEqual((now - T0) / 1000 + 1e-9);
      }),
      { numRuns: 500 },
    );
  });
});

describe('ledger counters', () => {
  const c = (over: Partial<CreditInput> = {}): CreditInput => ({
    memberId: 'm1', branchId: 'b1', path: ['d1', 'b1'], name: '张三', role: 'member', day: '2026-03-05',
    source: 'online', sourceId: 'x', seconds: 2700, reason: 'r', ...over,
  });
  const now = new Date(T0);

  test('totals by source, month and day', () => {
    let t = applyCredit(null, c(), now);
    t = applyCredit(t, c({ source: 'offline', day: '2026-04-01', seconds: 5400 }), now);
    expect(t).toMatchObject({
      _id: '2026:m1',
      totalSec: 8100,
      bySource: { online: 2700, offline: 5400, live: 0, activity: 0 },
      byMonth: { '03': 2700, '04': 5400 },
      days: { '2026-03-05': 2700 },
      offlineDays: { '2026-04-01': 5400 },
    });
    expect(toStudyHours(t.totalSec)).toBe(3);
  });

  test('offline study beyond a day\'s length is rejected', () => {
    const t = applyCredit(null, c({ source: 'offline', seconds: 20 * 3600 }), now);
    expect(() => applyCredit(t, c({ source: 'offline', seconds: 5 * 3600 }), now)).toThrow(/超过一天的时长/);
    expect(() => applyCredit(null, c({ seconds: 0 }), now)).toThrow(AppError);
  });
});

describe('targets, progress and the branch table', () => {
  const targets = [
    { _id: 'd1:2026', orgId: 'd1', year: 2026, member: 32, cadre: 56 },
    { _id: 'b2:2026', orgId: 'b2', year: 2026, member: 40, cadre: 60 },
  ];
  test('the nearest org with a target wins; the national plan otherwise', () => {
    expect(resolveTarget(['d1', 'b1'], 2026, targets)).toMatchObject({ member: 32, cadre: 56 });
    expect(resolveTarget(['d1', 'b2'], 2026, targets)).toMatchObject({ member: 40, cadre: 60 });
    expect(resolveTarget(['d1', 'b1'], 2027, targets)).toMatchObject({ member: 32, cadre: 56, orgId: null });
  });

  test('progress counts the open session; rows put the furthest behind first and list everyone', () => {
    const t = applyCredit(null, { memberId: 'm1', branchId: 'b1', path: ['d1', 'b1'], name: '张三', day: '2026-03-05', source: 'online', sourceId: 'x', seconds: 2700 * 10, reason: 'r' }, new Date(T0));
    const p = buildProgress(2026, t, { active: true, source: 'live', pending: { '2026-05-10': 2700 } }, { path: ['d1', 'b1'], role: 'member' }, targets, rules);
    expect(p).toMatchObject({ hours: 11, targetHours: 32, bySource: { online: 10, live: 1 }, pendingSec: 2700 });
    expect(p.byMonth[2]).toBe(10);
    expect(p.byMonth[4]).toBe(1);
    const rows = buildBranchRows(
      [
        { _id: 'm1', name: '张三', path: ['d1', 'b1'] },
        { _id: 'm2', name: '李四', path: ['d1', 'b1'], role: 'secretary' },
        { _id: 'm3', name: '王五', path: ['d1', 'b1'], birthYear: 1950 },
      ],
      [t],
      2026,
      targets,
      rules,
      new Date(T0),
      false,
    );
    expect(rows.map((r) => [r.name, r.behind])).toEqual([['李四', 56], ['王五', 32], ['张三', 22]]);
    // age only for the branch's own secretary
    expect(rows.some((r) => 'age' in r)).toBe(false);
    const own = buildBranchRows([{ _id: 'm3', name: '王五', path: ['d1', 'b1'], birthYear: 1950 }], [], 2026, targets, rules, new Date(T0), true);
    expect(own[0].age).toBe(new Date(T0).getFullYear() - 1950);
  });

  test('a closed session\'s leftover pending time is neither credited nor shown', () => {
    const p = buildProgress(2026, null, { active: false, source: 'online', pending: { '2026-05-10': 600 } }, { path: ['d1', 'b1'] }, [], DEFAULT_RULES);
    expect(p.pendingSec).toBe(0);
    expect(p.hours).toBe(0);
  });

  test('deploy-time overrides', () => {
    expect(rulesFromEnv({ STUDY_BEAT_SEC: '2', STUDY_MINUTES_PER_HOUR: '40' })).toMatchObject({ beatEverySec: 2, maxGapSec: 6, minutesPerHour: 40 });
    expect(rulesFromEnv({ STUDY_BEAT_SEC: 'abc' })).toEqual(DEFAULT_RULES);
  });
});

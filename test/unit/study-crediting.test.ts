/** The pure crediting rules of core/study: heartbeats, the ledger counters, targets and tables. */
import fc from 'fast-check';
import { AppError } from '../../core/fn/errors';
import { applyBeat, planFlush, type SessionDoc } from '../../core/study/heartbeat';
import { applyCredit, type CreditInput } from '../../core/study/credit';
import { DEFAULT_RULES, dayKey, resolveTarget, rulesFromEnv, toStudyHours, type StudyRules } from '../../core/study/rules';
import { buildBranchRows, buildProgress } from '../../core/study/views';

const rules: StudyRules = { ...DEFAULT_RULES };
const T0 = Date.parse('2026-05-10T02:00:00Z'); // 10:00 in Shanghai

function session(over: Partial<SessionDoc> = {}): SessionDoc {
  return {
    _id: 'o1', memberId: 'm1', name: '张三', branchId: 'b1', path: ['d1', 'b1'], role: 'member', active: true,
    sessionId: 's1', lessonId: 'l1', lessonTitle: '课', source: 'online', mode: 'lesson', durationSec: 1800,
    windowStart: null, windowEnd: null, lessonSec: 0, day: dayKey(T0), daySec: 0, pending: {}, completed: false,
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

describe('ledger counters', () => {
  const c = (over: Partial<CreditInput> = {}): CreditInput => ({
    memberId: 'm1', branchId: 'b1', path: ['d1', 'b1'], name: '张三', role: 'member', day: '2026-03-05',
    source: 'online', sourceId: 'x', seconds: 2700, reason: 'r', ...over,
  });
  const now = new Date(T0);

  test('totals by source, month and day', () => {
    let t = applyCredit(null, c(), now);
    t = applyCredit(t, c({ source: 'offline', day: '2026-04-01', seconds: 5400 }), now);
    expect(t).toMatchObject({ _id: '2026:m1', totalSec: 8100, bySource: { online: 2700, offline: 5400, live: 0, activity: 0 }, byMonth: { '03': 2700, '04': 5400 }, days: { '2026-03-05': 2700 }, offlineDays: { '2026-04-01': 5400 } });
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
        { _id: 'm3', name: '王五', path: ['d1', 'b1'] },
      ],
      [t],
      2026,
      targets,
      rules,
      new Date(T0),
    );
    expect(rows.map((r) => [r.name, r.behind])).toEqual([['李四', 56], ['王五', 32], ['张三', 22]]);
  });

  test('deploy-time overrides', () => {
    expect(rulesFromEnv({ STUDY_BEAT_SEC: '2', STUDY_MINUTES_PER_HOUR: '40' })).toMatchObject({ beatEverySec: 2, maxGapSec: 6, minutesPerHour: 40 });
    expect(rulesFromEnv({ STUDY_BEAT_SEC: 'abc' })).toEqual(DEFAULT_RULES);
  });
});

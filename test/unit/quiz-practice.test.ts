/** Which questions practice may check (core/quiz/practice.ts), and who takes the quiz unranked. */
import fc from 'fast-check';
import { addDays } from '../../core/day';
import { markUsed, newConfig, pickDailySet, type QuizConfig } from '../../core/quiz/daily-set';
import { openDaysFor, practicable, practiceChecksOn, wrapHeadSize, LOOKAHEAD_DAYS, type PracticeGate } from '../../core/quiz/practice';
import { orderKey, questionId, type StoredQuestion } from '../../core/quiz/question';
import { quizUnranked } from '../../core/quiz/stats';

const bank = (n: number, orgId = 'd1'): StoredQuestion[] =>
  Array.from({ length: n }, (_, i) => {
    const _id = questionId(orgId, `练习题${i}`);
    const options = [
      { id: 'A', text: '甲' },
      { id: 'B', text: '乙' },
    ];
    return { _id, orgId, type: 'single', stem: `练习题${i}`, options, answer: ['A'], explanation: '解析', source: '党章', tags: [], difficulty: 1, status: 'active', order: orderKey(_id) } as StoredQuestion;
  }).sort((a, b) => (a.order < b.order ? -1 : 1));

const DAY0 = '2025-03-01';

/** The walk over `qs` for days 0..days-1 as the function runs it, keeping `used` like materialise does. */
function walk(qs: StoredQuestion[], days: number, perDay: number, pins: Record<number, string[]>, from?: QuizConfig) {
  let cfg: QuizConfig = from ?? { ...newConfig('d1', ['d1']), perDay, used: {} };
  const sets: string[][] = [];
  for (let d = 0; d < days; d++) {
    const pinned = (pins[d] ?? []).map((id) => qs.find((q) => q._id === id)!);
    const r = pickDailySet({ config: cfg, afterCursor: qs.filter((q) => q.order > cfg.cursor), fromStart: qs, pinned });
    cfg = { ...cfg, cursor: r.cursor, cycle: r.cycle, pinnedInCycle: r.pinnedInCycle, used: markUsed(cfg.used, r.questions, addDays(DAY0, d)) };
    sets.push(r.questions.map((q) => q._id));
  }
  return { sets, cfg };
}

const gateOf = (cfg: QuizConfig, over: Partial<PracticeGate> = {}): PracticeGate => ({ cfg, openDays: [], open: new Set(), ahead: new Set(), ...over });

describe('practicable', () => {
  const qs = bank(30);
  const { sets, cfg } = walk(qs, 3, 5, {});
  const byId = new Map(qs.map((q) => [q._id, q]));

  test('a question of a closed daily set may be checked; one no set has had yet may not', () => {
    const g = gateOf(cfg);
    for (const id of sets.flat()) expect(practicable(byId.get(id)!, g)).toBe(true);
    const asked = new Set(sets.flat());
    for (const q of qs.filter((x) => !asked.has(x._id))) expect(practicable(q, g)).toBe(false);
  });

  test('a set the member may still submit, a pin for a coming day and the next cycle\'s start are held back', () => {
    const [a, b, c] = sets[2];
    const lastDay = addDays(DAY0, 2);
    expect(practicable(byId.get(a)!, gateOf(cfg, { openDays: [lastDay] }))).toBe(false);
    expect(practicable(byId.get(sets[0][0])!, gateOf(cfg, { openDays: [lastDay] }))).toBe(true);
    expect(practicable(byId.get(b)!, gateOf(cfg, { open: new Set([b]) }))).toBe(false);
    expect(practicable(byId.get(c)!, gateOf(cfg, { ahead: new Set([c]) }))).toBe(false);
  });

  test('a question used in an earlier cycle that the walk has not reached again is held back', () => {
    // one full cycle and a day: the second cycle has reached only its first set
    const small = bank(10);
    const { sets: s2, cfg: c2 } = walk(small, 3, 5, {});
    expect(c2.cycle).toBe(2);
    const g = gateOf(c2);
    const reached = new Set(s2[2]);
    for (const q of small) expect(practicable(q, g)).toBe(reached.has(q._id));
  });

  test('the walk wraps within the lookahead: the first questions of the order are held', () => {
    const c = { perDay: 5, cursor: 'x', pinnedInCycle: [] };
    expect(wrapHeadSize(c, 5 * LOOKAHEAD_DAYS)).toBe(0);
    expect(wrapHeadSize(c, 5 * LOOKAHEAD_DAYS - 1)).toBe(5 * LOOKAHEAD_DAYS);
    // questions pinned ahead of the cursor are skipped by the walk: they do not count as fresh
    expect(wrapHeadSize({ ...c, pinnedInCycle: [{ id: 'p', order: 'y' }] }, 5 * LOOKAHEAD_DAYS)).toBe(5 * LOOKAHEAD_DAYS);
  });

  test('no question of the coming week\'s sets is practicable, whatever the bank, pins and day (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 6, max: 70 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 69 })), { maxLength: 8 }),
        (size, perDay, days, pinList) => {
          fc.pre(size >= perDay);
          const qs = bank(size);
          const pins: Record<number, string[]> = {};
          for (const [d, i] of pinList) {
            const id = qs[i % size]._id;
            if (!(pins[d] ??= []).includes(id) && pins[d].length < perDay) pins[d].push(id);
          }
          // days 0..days-1 have happened (the last is today, answered by the member)
          const past = walk(qs, days, perDay, pins);
          const cfg = past.cfg;
          const after = qs.filter((q) => q.order > cfg.cursor).length;
          const head = qs.slice(0, wrapHeadSize(cfg, after));
          const pinnedAhead = Object.entries(pins).filter(([d]) => Number(d) >= days).flatMap(([, ids]) => ids);
          const g = gateOf(cfg, { ahead: new Set([...pinnedAhead, ...head.map((q) => q._id)]) });
          const shifted: Record<number, string[]> = {};
          for (const [d, ids] of Object.entries(pins)) if (Number(d) >= days) shifted[Number(d) - days] = ids;
          const coming = walk(qs, LOOKAHEAD_DAYS, perDay, shifted, cfg).sets.flat();
          for (const id of coming) expect(practicable(qs.find((q) => q._id === id)!, g)).toBe(false);
          // and what is practicable has been asked on a day already past
          for (const q of qs) if (practicable(q, g)) expect(cfg.used![q._id] <= addDays(DAY0, days - 1)).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('practice counter and unranked organisers', () => {
  test('the daily count starts again on a new day', () => {
    expect(practiceChecksOn({ quizPracticeDay: '2025-03-01', quizPracticeChecks: 40 }, '2025-03-01')).toBe(40);
    expect(practiceChecksOn({ quizPracticeDay: '2025-02-28', quizPracticeChecks: 40 }, '2025-03-01')).toBe(0);
    expect(practiceChecksOn({}, '2025-03-01')).toBe(0);
  });

  test('an organiser who oversees their own branch is unranked; one of another subtree, or a member, is not', () => {
    const path = ['d1', 'd1-jg'];
    expect(quizUnranked({ role: 'organiser', scopeId: 'd1' }, path)).toBe(true);
    expect(quizUnranked({ role: 'organiser', scopeId: 'd1-s1' }, path)).toBe(false);
    expect(quizUnranked({ role: 'member', scopeId: 'd1' }, path)).toBe(false);
    expect(quizUnranked({ role: 'organiser', scopeId: null }, path)).toBe(false);
  });
});

describe('the days a member may still submit', () => {
  const at = (t: string) => new Date(`2025-03-02T${t}+08:00`);
  test("yesterday's set stays open until 00:30 China time, unless the member answered it", () => {
    expect(openDaysFor(at('00:10:00'), {})).toEqual(['2025-03-02', '2025-03-01']);
    expect(openDaysFor(at('00:29:59'), { quizLastDay: '2025-03-01' })).toEqual(['2025-03-02']);
    // answered yesterday late and today just after midnight: neither is open any more
    expect(openDaysFor(at('00:10:00'), { quizLastDay: '2025-03-02', quizRecent: ['2025-03-01', '2025-03-02'] })).toEqual([]);
    expect(openDaysFor(at('00:10:00'), { quizLastDay: '2025-03-02', quizRecent: ['2025-03-02'] })).toEqual(['2025-03-01']);
    expect(openDaysFor(at('00:30:00'), {})).toEqual(['2025-03-02']);
    expect(openDaysFor(at('23:59:59'), { quizLastDay: '2025-03-02' })).toEqual([]);
  });
});

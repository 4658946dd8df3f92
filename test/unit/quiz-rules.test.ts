/** Pure quiz logic: days in Asia/Shanghai and the 00:30 rule, the daily set walk, scoring, counters, rankings. */
import fc from 'fast-check';
import { acceptableDays, checkSubmissionDay } from '../../core/quiz/day';
import { addDays, dayOf, isValidDay } from '../../core/day';
import { freshDays, newConfig, pickDailySet, type QuizConfig } from '../../core/quiz/daily-set';
import { choiceProblem, isCorrect, normaliseStem, orderKey, questionId, toPublic, type StoredQuestion } from '../../core/quiz/question';
import { currentStreak, quizCounters, rankBranches, rankMembers } from '../../core/quiz/stats';

const at = (iso: string) => new Date(iso);

describe('days', () => {
  test('the day is Shanghai\'s, whatever the server clock zone', () => {
    expect(dayOf(at('2025-06-30T16:10:00Z'))).toBe('2025-07-01'); // 00:10 in Shanghai
    expect(dayOf(at('2025-06-30T15:59:59Z'))).toBe('2025-06-30');
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
  });

  test('a set fetched late may be submitted for its day until 00:30 the next day, not after', () => {
    expect(acceptableDays(at('2025-06-30T16:29:59Z'))).toEqual(['2025-07-01', '2025-06-30']);
    expect(acceptableDays(at('2025-06-30T16:30:00Z'))).toEqual(['2025-07-01']);
    expect(checkSubmissionDay('2025-06-30', at('2025-06-30T16:20:00Z'))).toEqual({ ok: true });
    expect(checkSubmissionDay('2025-06-30', at('2025-06-30T16:31:00Z'))).toEqual({ ok: false, reason: 'past' });
    expect(checkSubmissionDay('2025-07-02', at('2025-06-30T16:20:00Z'))).toEqual({ ok: false, reason: 'future' });
  });

  test('day strings are validated, including impossible dates', () => {
    expect(isValidDay('2025-02-28')).toBe(true);
    expect(isValidDay('2025-02-30')).toBe(false);
    expect(isValidDay('2025-2-3')).toBe(false);
  });
});

const bank = (n: number, orgId = 'd1'): StoredQuestion[] =>
  Array.from({ length: n }, (_, i) => {
    const _id = questionId(orgId, `题目${i}`);
    const options = [
      { id: 'A', text: '甲' },
      { id: 'B', text: '乙' },
    ];
    return { _id, orgId, type: 'single', stem: `题目${i}`, options, answer: ['A'], explanation: '解析', source: '党章', tags: [], difficulty: 1, status: 'active', order: orderKey(_id) } as StoredQuestion;
  }).sort((a, b) => (a.order < b.order ? -1 : 1));

/** Runs the daily walk for `days` days over `qs`, like the function does (query after cursor / from start). */
function simulate(qs: StoredQuestion[], days: number, perDay: number, pins: Record<number, string[]> = {}) {
  let cfg: QuizConfig = { ...newConfig('d1', ['d1']), perDay };
  const out: string[][] = [];
  for (let d = 0; d < days; d++) {
    const pinned = (pins[d] ?? []).map((id) => qs.find((q) => q._id === id)!);
    const r = pickDailySet({ config: cfg, afterCursor: qs.filter((q) => q.order > cfg.cursor), fromStart: qs, pinned });
    cfg = { ...cfg, cursor: r.cursor, cycle: r.cycle, pinnedInCycle: r.pinnedInCycle };
    out.push(r.questions.map((q) => q._id));
  }
  return { sets: out, cfg };
}

describe('daily set', () => {
  test('no question repeats until the whole bank has been used', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 60 }), fc.integer({ min: 1, max: 7 }), (size, perDay) => {
        fc.pre(size >= perDay);
        const qs = bank(size);
        const { sets } = simulate(qs, Math.floor(size / perDay), perDay);
        const all = sets.flat();
        expect(new Set(all).size).toBe(all.length);
        for (const s of sets) expect(s).toHaveLength(perDay);
      }),
      { numRuns: 60 },
    );
  });

  test('after the bank runs out a new cycle starts, and a day never has a question twice', () => {
    const qs = bank(12);
    const { sets, cfg } = simulate(qs, 5, 5);
    expect(cfg.cycle).toBe(3);
    for (const s of sets) expect(new Set(s).size).toBe(5);
    expect(new Set(sets.slice(0, 2).flat()).size).toBe(10);
  });

  test('deterministic: the same bank and cursor give the same set', () => {
    const qs = bank(30);
    expect(simulate(qs, 3, 5).sets).toEqual(simulate(qs, 3, 5).sets);
  });

  test('a pinned question comes first and is not drawn again in the same cycle', () => {
    const qs = bank(20);
    const last = qs[qs.length - 1]._id;
    const { sets } = simulate(qs, 4, 5, { 0: [last] });
    expect(sets[0][0]).toBe(last);
    expect(sets.flat().filter((id) => id === last)).toHaveLength(1);
    expect(new Set(sets.flat()).size).toBe(20);
  });

  test('fresh days left counts whole days of unused questions', () => {
    expect(freshDays({ perDay: 5, cursor: '', pinnedInCycle: [] }, 23)).toBe(4);
    expect(freshDays({ perDay: 5, cursor: 'm', pinnedInCycle: [{ id: 'x', order: 'z' }] }, 11)).toBe(2);
  });
});

describe('questions and scoring', () => {
  const q = { _id: 'q1', type: 'multi', options: ['A', 'B', 'C', 'D'].map((id) => ({ id, text: id })), answer: ['A', 'C'] } as unknown as StoredQuestion;

  test('the same stem with different spacing or punctuation is the same question', () => {
    expect(normaliseStem('党的 根本宗旨是什么？')).toBe(normaliseStem('党的根本宗旨是什么?'));
    expect(questionId('d1', '党的根本宗旨是什么？')).toBe(questionId('d1', ' 党的根本宗旨是什么 '));
    expect(questionId('d1', '甲')).not.toBe(questionId('d2', '甲'));
  });

  test('multiple choice is right only with exactly the right set, in any order', () => {
    expect(isCorrect(q, ['C', 'a'])).toBe(true);
    expect(isCorrect(q, ['A'])).toBe(false);
    expect(isCorrect(q, ['A', 'B', 'C'])).toBe(false);
    expect(choiceProblem(q, ['E'])).toBe('没有选项 E');
    expect(choiceProblem({ ...q, type: 'single' }, ['A', 'B'])).toBe('这道题只能选一个答案');
    expect(choiceProblem(q, [])).toBe('请选择答案');
  });

  test('the public view carries no answer and no explanation', () => {
    const full = { ...q, stem: 's', explanation: 'secret', source: '党章', tags: [], difficulty: 1 } as StoredQuestion;
    expect(JSON.stringify(toPublic(full))).not.toMatch(/answer|secret/);
  });
});

describe('counters and rankings', () => {
  test('streaks continue on consecutive days and restart after a gap; the month resets', () => {
    const day1 = quizCounters({}, '2025-06-29');
    expect(day1.set).toMatchObject({ quizStreak: 1, quizMonthDays: 1, quizMonth: '2025-06' });
    const day2 = quizCounters(day1.set, '2025-06-30');
    expect(day2.set).toMatchObject({ quizStreak: 2, quizMonthDays: 2 });
    const july = quizCounters(day2.set, '2025-07-01');
    expect(july.set).toMatchObject({ quizStreak: 3, quizMonthDays: 1, quizBestStreak: 3 });
    const gap = quizCounters(july.set, '2025-07-03');
    expect(gap.set).toMatchObject({ quizStreak: 1, quizMonthDays: 2, quizBestStreak: 3 });
    expect(currentStreak(july.set, '2025-07-02')).toBe(3);
    expect(currentStreak(july.set, '2025-07-03')).toBe(0);
    // a late submission for an earlier day must not wind the counters back
    expect(quizCounters(gap.set, '2025-07-02').set).toEqual({});
  });

  test('branches rank by participation rate, so a small branch is not punished', () => {
    const rows = rankBranches([
      { branchId: 'big', name: '大支部', members: 100, answeredToday: 50, answeredMonth: 60, monthDays: 500 },
      { branchId: 'small', name: '小支部', members: 10, answeredToday: 9, answeredMonth: 9, monthDays: 90 },
      { branchId: 'same', name: '同分支部', members: 20, answeredToday: 10, answeredMonth: 12, monthDays: 100 },
    ]);
    expect(rows.map((r) => r.branchId)).toEqual(['small', 'big', 'same']);
    expect(rows[0]).toMatchObject({ rank: 1, monthRate: 0.9, todayRate: 0.9 });
    // equal rates share a rank
    expect(rows[1].rank).toBe(2);
    expect(rows[2].rank).toBe(2);
  });

  test('members rank by days answered this month (ties share a rank, the longer streak first); no day this month is not ranked', () => {
    const rows = rankMembers(
      [
        { _id: 'a', name: '甲', quizMonth: '2025-07', quizMonthDays: 3, quizLastDay: '2025-07-10', quizStreak: 3 },
        { _id: 'b', name: '乙', quizMonth: '2025-06', quizMonthDays: 30, quizLastDay: '2025-06-30', quizStreak: 30 },
        { _id: 'c', name: '丙', quizMonth: '2025-07', quizMonthDays: 3, quizLastDay: '2025-07-09', quizStreak: 1 },
      ],
      '2025-07-10',
    );
    expect(rows.map((r) => [r.memberId, r.rank, r.monthDays])).toEqual([
      ['a', 1, 3],
      ['c', 1, 3],
      ['b', null, 0],
    ]);
    expect(rows[0].answeredToday).toBe(true);
  });
});

/**
 * The figures of 参与排行 and the secretary's view: one 参与率 (people who answered ÷ members) for
 * today and for the month, standard competition ranks, members and branches without a day this
 * month listed as 未参与 instead of tied, and percentages that never read 0% when someone took part.
 */
import fc from 'fast-check';
import { branchCounts, competitionRanks, percentText, rankBranches, rankMembers, rate, type BranchCounts, type MemberRankInput } from '../../core/quiz/stats';

const TODAY = '2025-07-30';

/** a member who answered on `days` of July (the last of them their last day), or never */
function member(id: string, days: number[], streak = 1): MemberRankInput {
  if (!days.length) return { _id: id, name: id };
  return { _id: id, name: id, quizMonth: '2025-07', quizMonthDays: days.length, quizLastDay: `2025-07-${String(Math.max(...days)).padStart(2, '0')}`, quizStreak: streak };
}

describe('参与率', () => {
  test('this month and today are the same figure over two windows: 1 of 19 today is 1 of 19 this month, not 0%', () => {
    const members = [member('a', [30]), ...Array.from({ length: 18 }, (_, i) => member(`m${i}`, []))];
    const c = branchCounts(members, TODAY);
    expect(c).toEqual({ members: 19, answeredToday: 1, answeredMonth: 1, monthDays: 1 });
    const [row] = rankBranches([{ branchId: 'b', name: '支部', ...c }]);
    expect(row.todayRate).toBe(rate(1, 19));
    expect(row.monthRate).toBe(rate(1, 19));
    expect(percentText(row.todayRate)).toBe('5%');
    expect(percentText(row.monthRate)).toBe('5%');
  });

  test('a month figure is never below today\'s, for any branch', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 30 }), { maxLength: 40 }), (histories) => {
        const members = histories.map((days, i) => member(`m${i}`, [...new Set(days)]));
        const c = branchCounts(members, TODAY);
        const [row] = rankBranches([{ branchId: 'b', name: '支部', ...c }]);
        expect(row.monthRate).toBeGreaterThanOrEqual(row.todayRate);
        expect(c.answeredMonth).toBe(members.filter((m) => (m.quizMonthDays ?? 0) > 0).length);
      }),
    );
  });

  test('a last answer in an earlier month counts neither today nor this month', () => {
    const june = { _id: 'j', name: 'j', quizMonth: '2025-06', quizMonthDays: 20, quizLastDay: '2025-06-30', quizStreak: 20 };
    expect(branchCounts([june], TODAY)).toEqual({ members: 1, answeredToday: 0, answeredMonth: 0, monthDays: 0 });
  });

  test('percentages read as people would: never 0% when someone took part, never 100% when someone did not', () => {
    expect(percentText(0)).toBe('0%');
    expect(percentText(rate(1, 300))).toBe('<1%');
    expect(percentText(rate(299, 300))).toBe('>99%');
    expect(percentText(rate(1, 2))).toBe('50%');
    expect(percentText(1)).toBe('100%');
    expect(percentText(rate(0, 0))).toBe('0%');
  });
});

describe('ranking', () => {
  test('standard competition ranking: 1, 2, 2, 4', () => {
    const rows = competitionRanks([{ k: 9 }, { k: 7 }, { k: 7 }, { k: 3 }], (r) => String(r.k));
    expect(rows.map((r) => r.rank)).toEqual([1, 2, 2, 4]);
  });

  test('18 members with no day this month are 未参与, not tied at rank 2', () => {
    const members = [member('a', [30], 1), ...Array.from({ length: 18 }, (_, i) => member(`m${String(i).padStart(2, '0')}`, []))];
    const rows = rankMembers(members, TODAY);
    expect(rows[0]).toMatchObject({ memberId: 'a', rank: 1, monthDays: 1, answeredToday: true });
    expect(rows.slice(1).map((r) => r.rank)).toEqual(Array(18).fill(null));
    expect(rows.slice(1).map((r) => r.monthDays)).toEqual(Array(18).fill(0));
  });

  test('members with the same days share a rank and the next rank skips; the longer streak is listed first', () => {
    const members = [member('p', [1, 2], 1), member('q', [28, 29, 30], 3), member('r', [10, 30], 1), member('s', [29, 30], 2), member('t', [])];
    const rows = rankMembers(members, TODAY);
    expect(rows.map((r) => [r.memberId, r.rank])).toEqual([
      ['q', 1],
      ['s', 2],
      ['r', 2],
      ['p', 2],
      ['t', null],
    ]);
  });

  test('branches: by this month\'s rate, then today\'s; a branch with nobody this month is 未参与', () => {
    const b = (branchId: string, members: number, answeredMonth: number, answeredToday: number): BranchCounts => ({
      ...{ branchId, name: branchId, members },
      ...{ answeredMonth, answeredToday, monthDays: answeredMonth },
    });
    const rows = rankBranches([b('idle', 10, 0, 0), b('x', 10, 5, 1), b('y', 20, 10, 2), b('z', 4, 4, 0), b('w', 10, 5, 3)]);
    expect(rows.map((r) => [r.branchId, r.rank])).toEqual([
      ['z', 1],
      ['w', 2],
      ['x', 3],
      ['y', 3],
      ['idle', null],
    ]);
    expect(rows.find((r) => r.branchId === 'idle')).toMatchObject({ monthRate: 0, todayRate: 0 });
  });

  test('every ranked row comes before every unranked one, and ranks never decrease down the list', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ days: fc.integer({ min: 0, max: 30 }), streak: fc.integer({ min: 0, max: 30 }) }), { maxLength: 30 }), (specs) => {
        const members = specs.map((s, i) => (s.days ? { ...member(`m${i}`, [30]), quizMonthDays: s.days, quizStreak: Math.min(s.streak, s.days) || 1 } : member(`m${i}`, [])));
        const rows = rankMembers(members, TODAY);
        const firstIdle = rows.findIndex((r) => r.rank === null);
        const ranked = firstIdle < 0 ? rows : rows.slice(0, firstIdle);
        expect(rows.slice(ranked.length).every((r) => r.rank === null && r.monthDays === 0)).toBe(true);
        ranked.forEach((r, i) => {
          expect(r.monthDays).toBeGreaterThan(0);
          if (i === 0) expect(r.rank).toBe(1);
          else if (r.monthDays === ranked[i - 1].monthDays) expect(r.rank).toBe(ranked[i - 1].rank);
          else expect(r.rank).toBe(i + 1);
        });
      }),
    );
  });
});

/**
 * The branch's 30-day quiz participation (core/quiz/trend.ts): the days each member carries stay
 * within the window, and the series counts, per day, the members who answered that day.
 */
import { addDays } from '../../core/day';
import { TREND_DAYS, participationTrend, recentDays } from '../../core/quiz/trend';

const today = '2026-11-30';

describe('recentDays', () => {
  it('adds the day once, keeps the order and drops days older than the window', () => {
    const old = addDays(today, -TREND_DAYS);
    const inside = addDays(today, -(TREND_DAYS - 1));
    expect(recentDays([old, inside, '2026-11-29'], today)).toEqual([inside, '2026-11-29', today]);
    expect(recentDays([today], today)).toEqual([today]);
    expect(recentDays(undefined, today)).toEqual([today]);
  });

  it('a late answer for yesterday after today’s keeps both', () => {
    expect(recentDays([today], '2026-11-29')).toEqual(['2026-11-29', today]);
  });

  it('never holds more than the window, however long the streak', () => {
    let days: string[] = [];
    for (let i = 100; i >= 0; i--) days = recentDays(days, addDays(today, -i));
    expect(days).toHaveLength(TREND_DAYS);
    expect(days[0]).toBe(addDays(today, -(TREND_DAYS - 1)));
  });
});

describe('participationTrend', () => {
  const members = [
    { quizRecent: ['2026-11-28', today], quizLastDay: today },
    { quizRecent: ['2026-11-28'], quizLastDay: '2026-11-28' },
    // answered before the counter existed: counted on its last day
    { quizLastDay: '2026-11-29' },
    {},
  ];
  const t = participationTrend(members, today);

  it('has one point per day of the window, oldest first, ending today', () => {
    expect(t).toHaveLength(TREND_DAYS);
    expect(t[0].day).toBe(addDays(today, -(TREND_DAYS - 1)));
    expect(t[TREND_DAYS - 1].day).toBe(today);
  });

  it('counts the members who answered each day, as a share of the members', () => {
    const on = (d: string) => t.find((p) => p.day === d)!;
    expect(on(today)).toEqual({ day: today, answered: 1, rate: 0.25 });
    expect(on('2026-11-29')).toEqual({ day: '2026-11-29', answered: 1, rate: 0.25 });
    expect(on('2026-11-28')).toEqual({ day: '2026-11-28', answered: 2, rate: 0.5 });
    expect(t.filter((p) => p.answered > 0)).toHaveLength(3);
  });

  it('is all zero for a branch with no members', () => {
    expect(participationTrend([], today).every((p) => p.answered === 0 && p.rate === 0)).toBe(true);
  });
});

/**
 * Counters kept on the member's org_members document and updated at answer time, so the
 * secretary's view and the rankings never read the answer history: the current streak, days
 * answered this month, totals. A rate is always answered ÷ members, so small branches are not
 * punished for being small.
 */
import { dayOfMonth, monthOf } from './day';
import { addDays } from '../day';

export interface MemberQuizFields {
  quizLastDay?: string;
  quizStreak?: number;
  quizBestStreak?: number;
  quizMonth?: string;
  quizMonthDays?: number;
  quizDays?: number;
  quizCorrect?: number;
  quizAnswered?: number;
  /** subscribe-message grants left (one tap on the quiz page grants one reminder) */
  quizRemindQuota?: number;
}

export function nextStreak(m: MemberQuizFields, day: string): number {
  if (m.quizLastDay === day) return m.quizStreak ?? 1;
  return m.quizLastDay === addDays(day, -1) ? (m.quizStreak ?? 0) + 1 : 1;
}

/** The streak as of `today`: still alive if the last answer was today or yesterday. */
export function currentStreak(m: MemberQuizFields, today: string): number {
  if (m.quizLastDay === today || m.quizLastDay === addDays(today, -1)) return m.quizStreak ?? 0;
  return 0;
}

export function monthDays(m: MemberQuizFields, day: string): number {
  return m.quizMonth === monthOf(day) ? (m.quizMonthDays ?? 0) : 0;
}

/** The counter fields to write after a member answers the set of `day` (plain values; totals use inc). */
export function quizCounters(m: MemberQuizFields, day: string): { streak: number; set: Record<string, unknown> } {
  const streak = nextStreak(m, day);
  // a late submission for yesterday after today's answer must not wind the counters back
  if (m.quizLastDay && m.quizLastDay > day) return { streak: m.quizStreak ?? 1, set: {} };
  return {
    streak,
    set: {
      quizLastDay: day,
      quizStreak: streak,
      quizBestStreak: Math.max(m.quizBestStreak ?? 0, streak),
      quizMonth: monthOf(day),
      quizMonthDays: monthDays(m, day) + 1,
    },
  };
}

/**
 * An organiser who oversees their own branch (their scope is on its path) can read, in 题库管理, the
 * answers of banks their own daily set draws from, today's and the coming days' included: a set
 * draws only from banks of orgs on the member's path, and an organiser manages every bank of their
 * scope's subtree. They may still take the quiz, but it earns no points and they are left out of
 * the rankings. (An organiser of another subtree, e.g. a street's organiser sitting in the
 * district's 机关党支部, reads no bank their set draws from, whichever org runs it.)
 */
export function quizUnranked(m: { role?: string | null; scopeId?: string | null }, branchPath: readonly string[]): boolean {
  return m.role === 'organiser' && !!m.scopeId && branchPath.includes(m.scopeId);
}

/**
 * 参与率, the one definition every view uses: members who answered in the window ÷ members, 0..1 to
 * 3 decimals. "Today" and "this month" are two windows of the same figure, so this month's rate is
 * never below today's.
 */
export const rate = (answered: number, members: number) => (members > 0 ? Math.round((answered / members) * 1000) / 1000 : 0);

/**
 * A rate as people read it: whole percent, but never "0%" when someone took part nor "100%" when
 * someone did not (1 of 300 is "<1%", 299 of 300 is ">99%").
 */
export function percentText(r: number): string {
  if (r <= 0) return '0%';
  if (r >= 1) return '100%';
  const whole = Math.round(r * 100);
  if (whole < 1) return '<1%';
  if (whole > 99) return '>99%';
  return `${whole}%`;
}

export interface BranchCounts {
  branchId: string;
  name: string;
  members: number;
  answeredToday: number;
  /** members who answered at least once this month */
  answeredMonth: number;
  /** member-days answered this month */
  monthDays: number;
}

/** A branch's 参与率 today and this month (people who answered ÷ members) with the counts behind them. */
export interface BranchParticipation {
  members: number;
  answeredToday: number;
  answeredMonth: number;
  monthDays: number;
  todayRate: number;
  monthRate: number;
}

export interface BranchRank extends BranchCounts {
  /** null: nobody in the branch has answered this month (listed as 未参与, not ranked) */
  rank: number | null;
  todayRate: number;
  monthRate: number;
}

/** The counts of one branch from its members' counters (the rank aggregate counts the same way). */
export function branchCounts(members: MemberQuizFields[], today: string): Pick<BranchCounts, 'members' | 'answeredToday' | 'answeredMonth' | 'monthDays'> {
  let answeredToday = 0;
  let answeredMonth = 0;
  let days = 0;
  for (const m of members) {
    const md = monthDays(m, today);
    if (m.quizLastDay === today) answeredToday++;
    if (md > 0) answeredMonth++;
    days += md;
  }
  return { members: members.length, answeredToday, answeredMonth, monthDays: days };
}

/**
 * Branches ranked by this month's 参与率, then today's; equal rates share a rank (1, 2, 2, 4).
 * Branches where nobody answered this month are not ranked: they come last, by name, rank null.
 */
export function rankBranches(rows: BranchCounts[]): BranchRank[] {
  const scored = rows.map((r) => ({ ...r, todayRate: rate(r.answeredToday, r.members), monthRate: rate(r.answeredMonth, r.members) }));
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'zh');
  const joined = scored.filter((r) => r.answeredMonth > 0).sort((a, b) => b.monthRate - a.monthRate || b.todayRate - a.todayRate || byName(a, b));
  const idle = scored.filter((r) => r.answeredMonth <= 0).sort(byName);
  return [...competitionRanks(joined, (r) => `${r.monthRate}:${r.todayRate}`), ...idle.map((r) => ({ ...r, rank: null }))];
}

export interface MemberRankInput extends MemberQuizFields {
  _id: string;
  name: string;
}

export interface MemberRank {
  /** null: no answer this month (未参与, not ranked) */
  rank: number | null;
  memberId: string;
  name: string;
  monthDays: number;
  monthRate: number;
  streak: number;
  answeredToday: boolean;
}

/**
 * Members of a branch ranked by days answered this month; equal days share a rank (1, 2, 2, 4), the
 * longer current streak listed first. Members with no day this month are not ranked: they come
 * last, by name, rank null.
 */
export function rankMembers(members: MemberRankInput[], today: string): MemberRank[] {
  const days = dayOfMonth(today);
  const rows = members.map((m) => {
    const md = monthDays(m, today);
    return { memberId: m._id, name: m.name, monthDays: md, monthRate: rate(md, days), streak: currentStreak(m, today), answeredToday: m.quizLastDay === today };
  });
  const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name, 'zh');
  const joined = rows.filter((r) => r.monthDays > 0).sort((a, b) => b.monthDays - a.monthDays || b.streak - a.streak || byName(a, b));
  const idle = rows.filter((r) => r.monthDays <= 0).sort(byName);
  return [...competitionRanks(joined, (r) => String(r.monthDays)), ...idle.map((r) => ({ ...r, rank: null }))];
}

/** Standard competition ranking over rows already in order: equal keys share a rank, the next rank skips (1, 2, 2, 4). */
export function competitionRanks<T extends object>(rows: T[], key: (r: T) => string): Array<T & { rank: number }> {
  let prevKey = '';
  let prevRank = 0;
  return rows.map((r, i) => {
    const k = key(r);
    const rank = i > 0 && k === prevKey ? prevRank : i + 1;
    prevKey = k;
    prevRank = rank;
    return { ...r, rank };
  });
}

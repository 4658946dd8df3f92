/**
 * A branch's daily quiz participation over the last days, from a counter each member carries: the
 * days they answered within the window (`quizRecent`, at most TREND_DAYS + 1 dates), updated in the
 * same write as their other quiz counters. The branch view already reads every member, so the
 * series costs no extra read and no scan of answer history; it counts the branch's present members
 * (someone who moved in brings their days, someone who left takes theirs).
 */
import { addDays } from '../day';

export const TREND_DAYS = 30;

/** The member's recent days after answering `day` (a late answer for yesterday included), oldest first. */
export function recentDays(prev: readonly string[] | null | undefined, day: string): string[] {
  const days = new Set([...(prev ?? []), day]);
  const newest = [...days].sort().pop() as string;
  const from = addDays(newest, -TREND_DAYS);
  return [...days].filter((d) => d > from).sort();
}

export interface TrendPoint {
  day: string;
  answered: number;
  /** answered / members, 0..1 (3 decimals), the same way as today's rate */
  rate: number;
}

/** The last TREND_DAYS days up to `today`, oldest first: how many of the members answered each day. */
export function participationTrend(members: ReadonlyArray<{ quizRecent?: readonly string[] | null; quizLastDay?: string | null }>, today: string): TrendPoint[] {
  const count = new Map<string, number>();
  for (const m of members) {
    // a member who answered before the counter existed still counts on their last day
    const days = new Set(m.quizRecent ?? []);
    if (m.quizLastDay) days.add(m.quizLastDay);
    for (const d of days) count.set(d, (count.get(d) ?? 0) + 1);
  }
  const out: TrendPoint[] = [];
  for (let i = TREND_DAYS - 1; i >= 0; i--) {
    const day = addDays(today, -i);
    const answered = count.get(day) ?? 0;
    out.push({ day, answered, rate: members.length ? Math.round((answered / members.length) * 1000) / 1000 : 0 });
  }
  return out;
}

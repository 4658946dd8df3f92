/**
 * A branch's 台账 period and its sums: the longest period one export or rate query covers, and
 * the totals over the members' rates. Pure: the function reads the activities and records.
 */
import { AppError } from '../fn/errors';
import { periodBounds, rates, type AttendanceCounts } from './rules';

/** a year and a little: a whole calendar year with room for a few days either side */
export const MAX_PERIOD_DAYS = 400;

/** The period's bounds in Asia/Shanghai, refused when longer than MAX_PERIOD_DAYS. */
export function ledgerPeriod(from: string, to: string): { start: Date; end: Date } {
  const b = periodBounds(from, to);
  if (b.end.getTime() - b.start.getTime() > MAX_PERIOD_DAYS * 86_400_000) throw new AppError('INVALID_ARGUMENT', '一次最多导出一年的台账');
  return b;
}

type RateRow = Pick<AttendanceCounts, 'expected' | 'present' | 'leave' | 'absent' | 'madeUp'>;

/** The branch's counts over the period (sum of the members' rows) and its rates. */
export function periodTotals(rows: readonly RateRow[]): { counts: AttendanceCounts; rate: ReturnType<typeof rates> } {
  const sum = rows.reduce(
    (s, r) => ({ expected: s.expected + r.expected, present: s.present + r.present, leave: s.leave + r.leave, absent: s.absent + r.absent, madeUp: s.madeUp + r.madeUp }),
    { expected: 0, present: 0, leave: 0, absent: 0, madeUp: 0 },
  );
  // after the close nothing is pending and everyone has a record
  return { counts: { ...sum, leavePending: 0, noRecord: 0 }, rate: rates(sum) };
}

/** The published activities of a period and their 台账 rows (one per rostered member). */
export function ledgerSize(activities: readonly { status: string; roster: readonly unknown[] }[]): { activities: number; rows: number } {
  const published = activities.filter((a) => a.status === 'published');
  return { activities: published.length, rows: published.reduce((s, a) => s + a.roster.length, 0) };
}

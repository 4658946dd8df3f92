/**
 * The quiz's day rules: which days a submission may count for, months of a day. Days are China
 * time (core/day.ts), written `YYYY-MM-DD`.
 */
import { addDays, dayOf, minuteOfDay } from '../day';

/**
 * A set fetched late at night may still be submitted for its own day until 00:30 the next day
 * (Asia/Shanghai): someone who opened the quiz at 23:55 is not punished for a slow last answer.
 */
export const LATE_GRACE_MINUTES = 30;

export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** Days of the day's month up to and including the day (1 on the 1st). */
export function dayOfMonth(day: string): number {
  return Number(day.slice(8, 10));
}

/** The days a submission made at `now` may count for: today, and yesterday until 00:30. */
export function acceptableDays(now: Date): string[] {
  const today = dayOf(now);
  return minuteOfDay(now) < LATE_GRACE_MINUTES ? [today, addDays(today, -1)] : [today];
}

export type DayCheck = { ok: true } | { ok: false; reason: 'future' | 'past' };

export function checkSubmissionDay(day: string, now: Date): DayCheck {
  if (acceptableDays(now).includes(day)) return { ok: true };
  return day > dayOf(now) ? { ok: false, reason: 'future' } : { ok: false, reason: 'past' };
}

/**
 * "Which day is it" for the quiz, always in Asia/Shanghai whatever the server's clock zone.
 * A day is written `YYYY-MM-DD`.
 */
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';

dayjs.extend(utc);
dayjs.extend(timezone);

export const QUIZ_TZ = 'Asia/Shanghai';
export const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A set fetched late at night may still be submitted for its own day until 00:30 the next day
 * (Asia/Shanghai): someone who opened the quiz at 23:55 is not punished for a slow last answer.
 */
export const LATE_GRACE_MINUTES = 30;

export function dayOf(now: Date): string {
  return dayjs(now).tz(QUIZ_TZ).format('YYYY-MM-DD');
}

export function addDays(day: string, n: number): string {
  return dayjs.tz(day, QUIZ_TZ).add(n, 'day').format('YYYY-MM-DD');
}

export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** Days of the day's month up to and including the day (1 on the 1st). */
export function dayOfMonth(day: string): number {
  return Number(day.slice(8, 10));
}

/** The days a submission made at `now` may count for: today, and yesterday until 00:30. */
export function acceptableDays(now: Date): string[] {
  const local = dayjs(now).tz(QUIZ_TZ);
  const today = local.format('YYYY-MM-DD');
  const minutes = local.hour() * 60 + local.minute();
  return minutes < LATE_GRACE_MINUTES ? [today, addDays(today, -1)] : [today];
}

export type DayCheck = { ok: true } | { ok: false; reason: 'future' | 'past' };

export function checkSubmissionDay(day: string, now: Date): DayCheck {
  if (acceptableDays(now).includes(day)) return { ok: true };
  return day > dayOf(now) ? { ok: false, reason: 'future' } : { ok: false, reason: 'past' };
}

export function isValidDay(day: string): boolean {
  if (!DAY_RE.test(day)) return false;
  const d = dayjs.tz(day, QUIZ_TZ);
  return d.isValid() && d.format('YYYY-MM-DD') === day;
}

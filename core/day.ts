/**
 * China time: which day, month or year it is, for every feature (the quiz day, the daily points
 * cap, 学时 per day and year, activity periods, apply limits), on the server and in the app, whatever
 * the clock zone of the machine or phone. Asia/Shanghai is UTC+8 all year (no daylight saving).
 * A day is written `YYYY-MM-DD`.
 */
import dayjs from 'dayjs';
import utc from 'dayjs/plugin/utc';
import timezone from 'dayjs/plugin/timezone';

dayjs.extend(utc);
dayjs.extend(timezone);

export const CHINA_TZ = 'Asia/Shanghai';
export const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

type Instant = Date | number | string;

/** The China-time day of an instant. */
export function dayOf(at: Instant): string {
  return dayjs(at).tz(CHINA_TZ).format('YYYY-MM-DD');
}

/** The China-time year of an instant. */
export function yearOf(at: Instant): number {
  return Number(dayjs(at).tz(CHINA_TZ).format('YYYY'));
}

/** Minutes since China-time midnight (0…1439). */
export function minuteOfDay(at: Instant): number {
  const local = dayjs(at).tz(CHINA_TZ);
  return local.hour() * 60 + local.minute();
}

/** An instant written in China time with a dayjs format, e.g. 'MM-DD HH:mm'. */
export function formatChina(at: Instant, format: string): string {
  return dayjs(at).tz(CHINA_TZ).format(format);
}

/** Midnight (China time) starting the given day. */
export function startOfDay(day: string): Date {
  return dayjs.tz(day, CHINA_TZ).toDate();
}

/** The day `n` days after (or before, n < 0) the given day. */
export function addDays(day: string, n: number): string {
  return dayjs.tz(day, CHINA_TZ).add(n, 'day').format('YYYY-MM-DD');
}

/** Whether a string is a real calendar day written `YYYY-MM-DD` (no 02-30). */
export function isValidDay(day: string): boolean {
  if (!DAY_RE.test(day)) return false;
  const d = dayjs.tz(day, CHINA_TZ);
  return d.isValid() && d.format('YYYY-MM-DD') === day;
}

/** Run by china-day.test.ts in this process and in node processes started in other clock zones. */
import { addDays, dayOf, formatChina, minuteOfDay, startOfDay, yearOf } from '../../core/day';

/** The answers the module gives for fixed instants around China midnight and the new year. */
export function probe() {
  return {
    beforeMidnight: dayOf(new Date('2025-06-01T15:59:59.999Z')),
    atMidnight: dayOf(new Date('2025-06-01T16:00:00.000Z')),
    atMidnightMs: dayOf(Date.parse('2025-06-01T16:00:00.000Z')),
    isoWithOffset: dayOf('2025-06-01T23:30:00+08:00'),
    yearBefore: yearOf(new Date('2025-12-31T15:59:59Z')),
    yearAfter: yearOf(new Date('2025-12-31T16:00:00Z')),
    newYearsDay: dayOf(new Date('2025-12-31T16:00:00Z')),
    startOfMarch: startOfDay('2026-03-01').toISOString(),
    startOf2024: startOfDay('2024-01-01').toISOString(),
    minuteAtMidnight: minuteOfDay(new Date('2025-06-01T16:00:00Z')),
    minuteInGrace: minuteOfDay(new Date('2025-06-01T16:29:59Z')),
    lastMinute: minuteOfDay(new Date('2025-06-01T15:59:00Z')),
    leapDay: addDays('2024-02-28', 1),
    backToLeapDay: addDays('2024-03-01', -1),
    newYear: addDays('2025-12-31', 1),
    oldYear: addDays('2026-01-01', -1),
    formatted: formatChina(new Date('2025-06-01T16:05:00Z'), 'YYYY-MM-DD HH:mm'),
    morning: formatChina('2025-06-01T01:30:00Z', 'HH:mm'),
  };
}

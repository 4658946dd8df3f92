import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { dayOf, isValidDay, startOfDay } from '../../core/day';
import { probe } from './china-day-probe';

const EXPECTED: ReturnType<typeof probe> = {
  beforeMidnight: '2025-06-01',
  atMidnight: '2025-06-02',
  atMidnightMs: '2025-06-02',
  isoWithOffset: '2025-06-01',
  yearBefore: 2025,
  yearAfter: 2026,
  newYearsDay: '2026-01-01',
  startOfMarch: '2026-02-28T16:00:00.000Z',
  startOf2024: '2023-12-31T16:00:00.000Z',
  minuteAtMidnight: 0,
  minuteInGrace: 29,
  lastMinute: 1439,
  leapDay: '2024-02-29',
  backToLeapDay: '2024-02-29',
  newYear: '2026-01-01',
  oldYear: '2025-12-31',
  formatted: '2025-06-02 00:05',
  morning: '09:30',
};

describe('China-time day', () => {
  it('turns the day and the year at China midnight', () => {
    expect(probe()).toEqual(EXPECTED);
  });

  it('starts each day exactly at China midnight', () => {
    const start = startOfDay('2026-03-01');
    expect(dayOf(start)).toBe('2026-03-01');
    expect(dayOf(start.getTime() - 1)).toBe('2026-02-28');
  });

  it('accepts only real calendar days', () => {
    expect(isValidDay('2024-02-29')).toBe(true);
    expect(isValidDay('2025-06-01')).toBe(true);
    expect(isValidDay('2025-02-29')).toBe(false);
    expect(isValidDay('2025-13-01')).toBe(false);
    expect(isValidDay('2025-6-1')).toBe(false);
    expect(isValidDay('2025-06-01T00:00')).toBe(false);
  });

  // A server in UTC, a phone in New York, Kiritimati (UTC+14) or Pago Pago (UTC−11) must all agree.
  // The zone is fixed when a process starts, so each runs in its own node process.
  it.each([
    ['UTC', 0],
    ['Asia/Shanghai', -480],
    ['America/New_York', 300],
    ['Pacific/Kiritimati', -840],
    ['Pacific/Pago_Pago', 660],
  ])('gives the same answers on a device in %s', (zone, offset) => {
    const script = [
      `const { probe } = require(${JSON.stringify(path.join(__dirname, 'china-day-probe.ts'))});`,
      `console.log(JSON.stringify({ offset: new Date('2025-01-15T12:00:00Z').getTimezoneOffset(), answers: probe() }));`,
    ].join('\n');
    const run = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      env: { ...process.env, TZ: zone },
      encoding: 'utf8',
      cwd: path.resolve(__dirname, '../..'),
    });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { offset: number; answers: unknown };
    expect(out.offset).toBe(offset);
    expect(out.answers).toEqual(EXPECTED);
  });
});

import { AppError } from '../../core/fn/errors';
import { ledgerPeriod, ledgerSize, MAX_PERIOD_DAYS, periodTotals } from '../../core/activity/period';
import { memberRates } from '../../core/activity/ledger';

describe('ledgerPeriod: the 400-day cap', () => {
  test('whole days in Asia/Shanghai, the last day included', () => {
    const p = ledgerPeriod('2026-01-01', '2026-12-31');
    expect(p.start.toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });

  test('exactly MAX_PERIOD_DAYS days pass; one day more is refused with the Chinese message', () => {
    expect(MAX_PERIOD_DAYS).toBe(400);
    // 2026-01-01 .. 2027-02-04 is 400 whole days
    expect(() => ledgerPeriod('2026-01-01', '2027-02-04')).not.toThrow();
    expect(() => ledgerPeriod('2026-01-01', '2027-02-05')).toThrow(new AppError('INVALID_ARGUMENT', '一次最多导出一年的台账'));
    expect(() => ledgerPeriod('2024-01-01', '2026-01-01')).toThrow(AppError);
    expect(() => ledgerPeriod('2026-03-01', '2026-03-01')).not.toThrow();
  });
});

describe('periodTotals: the branch sums over its members', () => {
  test('sums each column, nothing pending after the close, rates from the sums', () => {
    const rows = [
      { expected: 4, present: 3, leave: 1, absent: 0, madeUp: 1 },
      { expected: 4, present: 1, leave: 0, absent: 3, madeUp: 1 },
      { expected: 2, present: 2, leave: 0, absent: 0, madeUp: 0 },
    ];
    const t = periodTotals(rows);
    expect(t.counts).toEqual({ expected: 10, present: 6, leave: 1, absent: 3, madeUp: 2, leavePending: 0, noRecord: 0 });
    expect(t.rate).toEqual({ attendance: 60, withMakeUp: 80 });
  });

  test('no members: zero counts and zero rates, never NaN', () => {
    expect(periodTotals([])).toEqual({ counts: { expected: 0, present: 0, leave: 0, absent: 0, madeUp: 0, leavePending: 0, noRecord: 0 }, rate: { attendance: 0, withMakeUp: 0 } });
  });

  test('the totals of memberRates agree with the records counted directly', () => {
    const roster = ['m1', 'm2', 'm3'].map((id) => ({ id, name: id, branchId: 'b' }));
    const base = { type: 'theme_day' as const, title: 't', agenda: '', startAt: new Date(), endAt: new Date(), place: { name: 'p' }, hostName: 'h', roster, status: 'published' as const };
    const acts = [{ ...base, _id: 'a1' }, { ...base, _id: 'a2' }];
    const records = [
      { activityId: 'a1', memberId: 'm1', memberName: 'm1', status: 'present' as const },
      { activityId: 'a1', memberId: 'm2', memberName: 'm2', status: 'absent' as const, madeUpAt: new Date() },
      { activityId: 'a1', memberId: 'm3', memberName: 'm3', status: 'leave' as const },
      { activityId: 'a2', memberId: 'm1', memberName: 'm1', status: 'present' as const },
      { activityId: 'a2', memberId: 'm2', memberName: 'm2', status: 'present' as const },
      { activityId: 'a2', memberId: 'm3', memberName: 'm3', status: 'absent' as const },
    ];
    const { counts } = periodTotals(memberRates(acts, records));
    expect(counts).toMatchObject({ expected: 6, present: 3, leave: 1, absent: 2, madeUp: 1 });
  });
});

describe('ledgerSize', () => {
  test('counts published activities and one row per rostered member', () => {
    const acts = [
      { status: 'published', roster: [1, 2, 3] },
      { status: 'cancelled', roster: [1, 2] },
      { status: 'published', roster: [] },
      { status: 'draft', roster: [1] },
    ];
    expect(ledgerSize(acts)).toEqual({ activities: 2, rows: 3 });
    expect(ledgerSize([])).toEqual({ activities: 0, rows: 0 });
  });
});

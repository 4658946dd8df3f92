/**
 * The cadence each branch owes (core/activity/cadence.ts): China-time periods, the minimums a level
 * may only raise, counters that count a meeting once, and on track / due soon / missed.
 */
import {
  BASE_CADENCE,
  assertTightens,
  cadenceRows,
  countMeeting,
  daysLeft,
  effectiveCadence,
  monthBounds,
  monthOf,
  monthsBefore,
  newCounter,
  quarterBounds,
  quarterMonths,
  quarterOf,
  standing,
  type StoredCadenceCounter,
} from '../../core/activity/cadence';

const at = (s: string) => new Date(s);
const branch = { _id: 'b1', path: ['d1', 's1'] };

function counter(month: string, meetings: { id: string; type: any; groupId?: string | null }[]): StoredCadenceCounter {
  let c = newCounter(branch, month, at('2026-01-01T00:00:00Z'));
  for (const m of meetings) c = countMeeting(c, { _id: m.id, type: m.type, groupId: m.groupId ?? null }, at('2026-01-02T00:00:00Z')).next;
  return c;
}

describe('periods in China time', () => {
  test('an instant late on the last day of a month in UTC is already the next month in China', () => {
    expect(monthOf(at('2026-03-31T16:30:00Z'))).toBe('2026-04');
    expect(monthOf(at('2026-03-31T15:59:00Z'))).toBe('2026-03');
  });
  test('quarters and their months; months before wrap the year', () => {
    expect(quarterOf('2026-11')).toBe('2026-Q4');
    expect(quarterOf('2026-01')).toBe('2026-Q1');
    expect(quarterMonths('2026-Q2')).toEqual(['2026-04', '2026-05', '2026-06']);
    expect(monthsBefore('2026-02', 3)).toBe('2025-11');
    expect(monthsBefore('2026-12', 12)).toBe('2025-12');
  });
  test('bounds end at China midnight and days left count the current day', () => {
    const feb = monthBounds('2026-02');
    expect(feb.to).toBe('2026-02-28');
    expect(feb.end.toISOString()).toBe('2026-02-28T16:00:00.000Z');
    expect(quarterBounds('2026-Q1').to).toBe('2026-03-31');
    expect(daysLeft(feb, at('2026-02-28T10:00:00Z'))).toBe(1);
    expect(daysLeft(feb, at('2026-02-22T01:00:00Z'))).toBe(7);
    expect(daysLeft(feb, at('2026-02-28T16:00:00Z'))).toBe(0);
  });
});

describe('minimums: a level may tighten, never loosen', () => {
  test('the party floor, raised by each level, never lowered', () => {
    expect(effectiveCadence([])).toEqual(BASE_CADENCE);
    const m = effectiveCadence([{ committee: 2 }, { committee: 1, lesson: 2 }, null]);
    expect(m.committee).toBe(2);
    expect(m.lesson).toBe(2);
    expect(m.theme_day).toBe(1);
  });
  test('a setting below what the levels above require is refused in Chinese', () => {
    const above = effectiveCadence([{ committee: 2 }]);
    expect(() => assertTightens({ committee: 1 }, above)).toThrow('支委会不能少于上级要求的每月 2 次');
    expect(() => assertTightens({ committee: 3, lesson: 1 }, above)).not.toThrow();
  });
});

describe('counters', () => {
  test('a meeting counts once however often its minutes are saved; other kinds do not count', () => {
    const c0 = newCounter(branch, '2026-03', at('2026-03-01T00:00:00Z'));
    expect(c0._id).toBe('b1:2026-03');
    expect(c0.path).toEqual(['d1', 's1', 'b1']);
    const a = countMeeting(c0, { _id: 'a1', type: 'committee' }, at('2026-03-05T00:00:00Z'));
    expect(a.changed).toBe(true);
    expect(a.next.counts.committee).toBe(1);
    const again = countMeeting(a.next, { _id: 'a1', type: 'committee' }, at('2026-03-06T00:00:00Z'));
    expect(again.changed).toBe(false);
    expect(again.next.counts.committee).toBe(1);
    expect(countMeeting(a.next, { _id: 'v1', type: 'volunteer' }, at('2026-03-06T00:00:00Z')).changed).toBe(false);
  });
  test('党小组会 records which group met; one without a group is the branch as one group', () => {
    const c = counter('2026-03', [
      { id: 'g1', type: 'group_meeting', groupId: 'b1-g1' },
      { id: 'g2', type: 'group_meeting', groupId: 'b1-g1' },
      { id: 'g3', type: 'group_meeting' },
    ]);
    expect(c.counts.group_meeting).toBe(3);
    expect(c.groups).toEqual(['b1-g1', 'branch']);
  });
});

describe('standing', () => {
  const groups = { groups: [{ id: 'b1-g1', name: '第一党小组' }, { id: 'b1-g2', name: '第二党小组' }] };
  const none = { groups: [] };

  test('mid-month with nothing held: monthly kinds are on track, not yet due soon', () => {
    const s = standing('2026-03', [], BASE_CADENCE, none, at('2026-03-10T04:00:00Z'));
    expect(s.month.status).toBe('on_track');
    expect(s.month.owed).toBe(3);
    expect(s.month.held).toBe(0);
    expect(s.month.lines.map((l) => [l.kind, l.due, l.by])).toEqual([
      ['committee', 1, '2026-03-31'],
      ['group_meeting', 1, '2026-03-31'],
      ['theme_day', 1, '2026-03-31'],
    ]);
  });

  test('in the last week a meeting still owed is due soon; after the period it is missed', () => {
    const c = counter('2026-03', [{ id: 'c', type: 'committee' }, { id: 't', type: 'theme_day' }]);
    const late = standing('2026-03', [c], BASE_CADENCE, none, at('2026-03-26T04:00:00Z'));
    expect(late.month.status).toBe('due_soon');
    expect(late.month.lines.find((l) => l.kind === 'group_meeting')!.status).toBe('due_soon');
    expect(late.month.lines.find((l) => l.kind === 'committee')!.status).toBe('on_track');
    const after = standing('2026-03', [c], BASE_CADENCE, none, at('2026-04-02T04:00:00Z'));
    expect(after.month.status).toBe('missed');
    expect(after.month.held).toBe(2);
  });

  test('党小组会 is owed per 党小组: one group meeting twice leaves the other due', () => {
    const c = counter('2026-03', [
      { id: 'g1', type: 'group_meeting', groupId: 'b1-g1' },
      { id: 'g2', type: 'group_meeting', groupId: 'b1-g1' },
    ]);
    const s = standing('2026-03', [c], BASE_CADENCE, groups, at('2026-03-28T04:00:00Z'));
    const g = s.month.lines.find((l) => l.kind === 'group_meeting')!;
    expect(g.owed).toBe(2);
    expect(g.due).toBe(1);
    expect(g.groupsDue).toEqual(['第二党小组']);
  });

  test('the quarter: quarterly kinds over its months, monthly kinds per month (a missed month stays missed)', () => {
    const jan = counter('2026-01', [{ id: 'c1', type: 'committee' }, { id: 't1', type: 'theme_day' }, { id: 'g1', type: 'group_meeting' }, { id: 'l1', type: 'lesson' }]);
    const feb = counter('2026-02', [{ id: 't2', type: 'theme_day' }, { id: 'g2', type: 'group_meeting' }, { id: 'b2', type: 'branch_meeting' }]);
    const s = standing('2026-03', [jan, feb], BASE_CADENCE, none, at('2026-03-05T04:00:00Z'));
    const line = (k: string) => s.quarter.lines.find((l) => l.kind === k)!;
    expect(line('lesson')).toMatchObject({ held: 1, owed: 1, due: 0, status: 'on_track' });
    expect(line('branch_meeting')).toMatchObject({ held: 1, owed: 1, due: 0 });
    // February had no 支委会: missed, whatever March brings
    expect(line('committee')).toMatchObject({ held: 1, owed: 3, status: 'missed' });
    expect(s.quarter.status).toBe('missed');
    expect(s.month.status).toBe('on_track');
  });

  test('a tightened minimum raises what is owed', () => {
    const c = counter('2026-03', [{ id: 'c', type: 'committee' }]);
    const s = standing('2026-03', [c], effectiveCadence([{ committee: 2 }]), none, at('2026-03-29T04:00:00Z'));
    expect(s.month.lines.find((l) => l.kind === 'committee')).toMatchObject({ held: 1, owed: 2, due: 1, status: 'due_soon' });
  });

  test('the same counters give the same answer however many older months exist', () => {
    const old = Array.from({ length: 24 }, (_, i) => counter(monthsBefore('2026-01', i + 1), [{ id: `x${i}`, type: 'committee' }]));
    const jan = counter('2026-01', [{ id: 'c1', type: 'committee' }]);
    const a = standing('2026-02', [jan], BASE_CADENCE, none, at('2026-02-10T04:00:00Z'));
    const b = standing('2026-02', [...old, jan], BASE_CADENCE, none, at('2026-02-10T04:00:00Z'));
    expect(b).toEqual(a);
  });
});

test('the 台账 rows: each month’s monthly kinds and each quarter’s quarterly kinds, none for months to come', () => {
  const jan = counter('2026-01', [{ id: 'c1', type: 'committee' }, { id: 'l1', type: 'lesson' }]);
  const rows = cadenceRows('2026-01-01', '2026-06-30', [jan], BASE_CADENCE, { groups: [] }, at('2026-02-10T04:00:00Z'));
  expect(rows.filter((r) => r.unit === 'month').map((r) => r.period)).toEqual(['2026-01', '2026-01', '2026-01', '2026-02', '2026-02', '2026-02']);
  const q = rows.filter((r) => r.unit === 'quarter');
  expect(q.map((r) => [r.period, r.kind, r.held, r.owed])).toEqual([
    ['2026-Q1', 'branch_meeting', 0, 1],
    ['2026-Q1', 'lesson', 1, 1],
  ]);
  expect(rows.find((r) => r.period === '2026-01' && r.kind === 'theme_day')!.status).toBe('missed');
});

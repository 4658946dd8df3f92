/**
 * Records written by a batched activity close (`closeOf`) count toward their counter only once the
 * counter document carries the activity's mark, or once the activity is awarded: so a close that
 * died half way leaves every counter equal to what it counts, and a finished one counts in full.
 */
import { checkMember, checkStudy, settled, type CreditLike, type LedgerLike } from '../../core/consistency/rules';

const entry = (over: Partial<LedgerLike> = {}): LedgerLike => ({
  _id: 'activity:a1:m1',
  memberId: 'm1',
  day: '2026-03-05',
  at: new Date('2026-03-05T10:00:00Z'),
  points: 2,
  source: { type: 'activity', id: 'a1' },
  closeOf: 'a1',
  ...over,
});

test('a record without closeOf always counts; one with it counts once marked or awarded', () => {
  expect(settled({}, null, new Set())).toBe(true);
  expect(settled({ closeOf: 'a1' }, { closeAwards: ['a0'] }, new Set())).toBe(false);
  expect(settled({ closeOf: 'a1' }, { closeAwards: ['a0', 'a1'] }, new Set())).toBe(true);
  expect(settled({ closeOf: 'a1' }, { closeAwards: 'a1' }, new Set())).toBe(false);
  expect(settled({ closeOf: 'a1' }, null, new Set(['a1']))).toBe(true);
});

test('points: an entry whose counter change has not landed is not a difference, one whose has is counted', () => {
  const before = { _id: 'm1', pointsTotal: 0 };
  expect(checkMember(before, [entry()])).toEqual([]);
  const after = { _id: 'm1', pointsTotal: 2, pointsDay: '2026-03-05', pointsDayTotal: 2, closeAwards: ['a1'] };
  expect(checkMember(after, [entry()])).toEqual([]);
  // marked but not changed: a real difference
  expect(checkMember({ ...before, closeAwards: ['a1'] }, [entry()]).map((d) => d.field)).toContain('pointsTotal');
  // the close finished and the mark has since been dropped: the entry counts in full
  expect(checkMember({ _id: 'm1', pointsTotal: 2, pointsDay: '2026-03-05', pointsDayTotal: 2 }, [entry()], new Set(['a1']))).toEqual([]);
  expect(checkMember({ _id: 'm1', pointsTotal: 0 }, [entry()], new Set(['a1'])).map((d) => d.field)).toContain('pointsTotal');
});

test('学时: a pending credit needs no totals document yet; a marked one must be in it', () => {
  const credit: CreditLike = { _id: 'activity:a1:m1', memberId: 'm1', year: 2026, day: '2026-03-05', source: 'activity', seconds: 3600, closeOf: 'a1' };
  expect(checkStudy([], [], [credit])).toEqual([]);
  expect(checkStudy([], [], [credit], new Set(['a1']))).toEqual([
    expect.objectContaining({ coll: 'study_totals', id: '2026:m1', field: '*', actual: null }),
  ]);
  const marked = { _id: '2026:m1', totalSec: 0, bySource: { online: 0, live: 0, activity: 0, offline: 0 }, byMonth: {}, days: {}, offlineDays: {}, credits: 0, closeAwards: ['a1'] };
  expect(checkStudy([marked], [], [credit]).length).toBeGreaterThan(0);
});

/**
 * The demo tells the truth: what the seed writes is what real use would have written. A member 已签到
 * on the finished 90-minute 主题党日 has its 学时, a 补学 done counts the same once, nobody else is
 * credited, and the yearly totals the branch table reads equal the credits they are built from.
 */
import { Store } from '../../emulator/db/store';
import { DB_SCHEMA } from '../../core/db-schema';
import { DEMO, seed } from '../../seed';
import { ACTIVITY_DEMO } from '../../seed/activity';
import { creditId } from '../../core/study/credit';

const now = new Date('2025-06-01T08:00:00Z');
let store: Store;

beforeAll(async () => {
  store = new Store({ file: ':memory:', schema: DB_SCHEMA });
  await seed(store, { size: 'demo', now });
});
afterAll(() => store?.close());

const credit = (memberId: string) => store.findOne('study_credits', creditId({ source: 'activity', sourceId: ACTIVITY_DEMO.pastId, memberId }));

test('the finished 主题党日 credits every member present its minutes, on its day', () => {
  const a = store.findOne('activity_items', ACTIVITY_DEMO.pastId) as any;
  expect(a.finalisedAt).toBeTruthy();
  expect(a.studyMinutes).toBe(90);
  const present = store.find('activity_attendance', { activityId: a._id, status: 'present' });
  expect(present.length).toBeGreaterThan(5);
  for (const r of present) {
    expect(credit(r.memberId)).toMatchObject({ memberId: r.memberId, source: 'activity', sourceId: a._id, seconds: 90 * 60 });
  }
  // the demo member (shown first in the demo) is among them
  expect(present.map((r: any) => r.memberId)).toContain(DEMO.memberId);
});

test('a 补学 done counts once; leave or absence without it counts nothing', () => {
  const records = store.find('activity_attendance', { activityId: ACTIVITY_DEMO.pastId, status: { $ne: 'present' } });
  const made = records.filter((r: any) => r.madeUpAt);
  const owed = records.filter((r: any) => !r.madeUpAt);
  expect(made.length).toBeGreaterThan(0);
  expect(owed.length).toBeGreaterThan(0);
  for (const r of made) expect(credit(r.memberId)?.seconds).toBe(90 * 60);
  for (const r of owed) expect(credit(r.memberId)).toBeNull();
  expect(store.count('study_credits', { source: 'activity' })).toBe(
    store.count('activity_attendance', { activityId: ACTIVITY_DEMO.pastId, $or: [{ status: 'present' }, { madeUpAt: { $ne: null } }] }),
  );
});

test('the totals the branch table reads hold the 活动 hours and equal their credits, member by member', () => {
  const credits = store.find('study_credits', {}, { limit: 100000 });
  const sums = new Map<string, { total: number; activity: number }>();
  for (const c of credits) {
    const key = `${c.day.slice(0, 4)}:${c.memberId}`;
    const s = sums.get(key) ?? { total: 0, activity: 0 };
    s.total += c.seconds;
    if (c.source === 'activity') s.activity += c.seconds;
    sums.set(key, s);
  }
  const totals = store.find('study_totals', {}, { limit: 100000 });
  expect(totals.length).toBe(sums.size);
  for (const t of totals) {
    const s = sums.get(t._id)!;
    expect(t.totalSec).toBeCloseTo(s.total, 3);
    expect(t.bySource.activity ?? 0).toBeCloseTo(s.activity, 3);
  }
  const branchActivity = totals.filter((t: any) => t.branchId === DEMO.branchId).reduce((n: number, t: any) => n + (t.bySource.activity ?? 0), 0);
  expect(branchActivity).toBeGreaterThan(0);
});

/**
 * The consistency checker on an in-memory database shaped like wx-server-sdk's: a clean branch
 * reports nothing; each kind of broken counter is reported with expected and actual values and a
 * repair sets it right (and only it); a repair does nothing when a live write moved the counter.
 */
import { checkBranch, checkBranches } from '../../core/consistency/runner';
import { expectedQuizCounters, expectedPointsCounters, checkActivity } from '../../core/consistency/rules';
import { awardPoints } from '../../core/points/ledger';
import { effectiveRules } from '../../core/points/rules';

type Doc = Record<string, any>;

/** Just the SDK surface the checker uses: where/field/orderBy/skip/limit/get, where().update, doc(). */
function fakeDb(data: Record<string, Doc[]>) {
  const IN = Symbol('in');
  const NEQ = Symbol('neq');
  const GT = Symbol('gt');
  const INC = Symbol('inc');
  const SET = Symbol('set');
  const command = {
    in: (v: unknown[]) => ({ [IN]: v }),
    neq: (v: unknown) => ({ [NEQ]: v }),
    gt: (v: unknown) => ({ [GT]: v }),
    inc: (v: number) => ({ [INC]: v }),
    set: (v: unknown) => ({ [SET]: v }),
  };
  const eq = (a: unknown, b: unknown) => (b === null ? a === null || a === undefined : JSON.stringify(a) === JSON.stringify(b));
  const matches = (d: Doc, q: Doc) =>
    Object.entries(q).every(([k, v]) => {
      if (v && typeof v === 'object' && IN in v) return (v as any)[IN].includes(d[k]);
      if (v && typeof v === 'object' && NEQ in v) return !eq(d[k], (v as any)[NEQ]);
      if (v && typeof v === 'object' && GT in v) return d[k] > (v as any)[GT];
      return eq(d[k], v);
    });
  const apply = (d: Doc, upd: Doc) => {
    for (const [k, v] of Object.entries(upd)) {
      if (v && typeof v === 'object' && INC in v) d[k] = (d[k] ?? 0) + (v as any)[INC];
      else if (v && typeof v === 'object' && SET in v) d[k] = structuredClone((v as any)[SET]);
      else d[k] = v;
    }
  };
  const ops = { reads: 0, writes: 0 };
  const coll = (name: string) => {
    const rows = (data[name] ??= []);
    const query = (q: Doc, skip = 0, limit = 100) => ({
      field: () => query(q, skip, limit),
      orderBy: () => query(q, skip, limit),
      skip: (n: number) => query(q, n, limit),
      limit: (n: number) => query(q, skip, n),
      get: async () => {
        ops.reads++;
        const all = rows.filter((d) => matches(d, q)).sort((a, b) => String(a._id).localeCompare(String(b._id)));
        return { data: structuredClone(all.slice(skip, skip + limit)) };
      },
      update: async ({ data: upd }: { data: Doc }) => {
        ops.writes++;
        const hit = rows.filter((d) => matches(d, q));
        hit.forEach((d) => apply(d, upd));
        return { stats: { updated: hit.length } };
      },
    });
    return {
      where: (q: Doc) => query(q),
      add: async ({ data: d }: { data: Doc }) => {
        ops.writes++;
        if (rows.some((r) => r._id === d._id)) throw new Error('E11000 duplicate key');
        rows.push(structuredClone(d));
        return { _id: d._id };
      },
      doc: (id: string) => ({
        get: async () => {
          ops.reads++;
          return { data: structuredClone(rows.find((r) => r._id === id) ?? null) };
        },
        update: async ({ data: upd }: { data: Doc }) => {
          ops.writes++;
          const d = rows.find((r) => r._id === id);
          if (d) apply(d, upd);
          return { stats: { updated: d ? 1 : 0 } };
        },
        set: async ({ data: d }: { data: Doc }) => {
          ops.writes++;
          const i = rows.findIndex((r) => r._id === id);
          if (i >= 0) rows.splice(i, 1);
          rows.push(structuredClone({ ...d, _id: id }));
        },
      }),
    };
  };
  // awardPoints writes in a transaction; here the callback simply gets the same handle
  const db: any = { command, collection: coll, runTransaction: async (fn: (tx: unknown) => Promise<unknown>) => fn(db) };
  return { db, data, ops };
}

const quizEntry = (memberId: string, day: string, at: string, correct: number, points: number) => ({
  _id: `quiz:${day}:${memberId}`,
  memberId,
  branchId: 'b1',
  day,
  at: new Date(at),
  points,
  source: { type: 'quiz', id: day },
  quiz: { correct, total: 5 },
});

/** A small branch whose every counter agrees with its records. */
function cleanStore(): Record<string, Doc[]> {
  return {
    org_nodes: [
      { _id: 'b1', type: 'branch', path: ['d'] },
      { _id: 'b2', type: 'branch', path: ['d'] },
      { _id: 'd', type: 'district', path: [] },
    ],
    org_members: [
      {
        _id: 'm1',
        branchId: 'b1',
        quizDays: 2,
        quizCorrect: 9,
        quizAnswered: 10,
        quizLastDay: '2026-03-02',
        quizStreak: 2,
        quizBestStreak: 2,
        quizMonth: '2026-03',
        quizMonthDays: 2,
        pointsTotal: 28,
        pointsDay: '2026-03-02',
        pointsDayTotal: 13,
      },
      { _id: 'm2', branchId: 'b1' },
      { _id: 'm3', branchId: 'b2', pointsTotal: 0 },
    ],
    points_ledger: [quizEntry('m1', '2026-03-01', '2026-03-01T01:00:00Z', 5, 15), quizEntry('m1', '2026-03-02', '2026-03-02T01:00:00Z', 4, 13)],
    study_credits: [
      { _id: 'online:s1:m1', memberId: 'm1', year: 2026, day: '2026-03-01', source: 'online', seconds: 600, lessonId: 'L1' },
      { _id: 'online:s2:m1', memberId: 'm1', year: 2026, day: '2026-03-02', source: 'online', seconds: 300.5, lessonId: 'L1' },
      { _id: 'offline:o1:m1', memberId: 'm1', year: 2026, day: '2026-04-02', source: 'offline', seconds: 3600, lessonId: null },
    ],
    study_totals: [
      {
        _id: '2026:m1',
        memberId: 'm1',
        year: 2026,
        branchId: 'b1',
        totalSec: 4500.5,
        bySource: { online: 900.5, live: 0, activity: 0, offline: 3600 },
        byMonth: { '03': 900.5, '04': 3600 },
        days: { '2026-03-01': 600, '2026-03-02': 300.5 },
        offlineDays: { '2026-04-02': 3600 },
        lessonsCompleted: 1,
        credits: 3,
      },
    ],
    study_progress: [{ _id: 'm1:L1', memberId: 'm1', lessonId: 'L1', creditedSec: 900.5 }],
    activity_items: [
      {
        _id: 'a1',
        hostBranchId: 'b1',
        finalisedAt: new Date('2026-03-05T10:00:00Z'),
        roster: [{ id: 'm1' }, { id: 'm2' }],
        counts: { expected: 2, present: 1, leave: 0, absent: 1, madeUp: 1, leavePending: 0, noRecord: 0 },
      },
      // not finalised yet: no counts to check
      { _id: 'a2', hostBranchId: 'b1', finalisedAt: null, roster: [{ id: 'm1' }], counts: null },
    ],
    activity_attendance: [
      { _id: 'a1:m1', activityId: 'a1', memberId: 'm1', status: 'present', madeUpAt: null },
      { _id: 'a1:m2', activityId: 'a1', memberId: 'm2', status: 'absent', madeUpAt: new Date() },
      { _id: 'a2:m1', activityId: 'a2', memberId: 'm1', status: 'present', madeUpAt: null },
    ],
    org_invites: [{ _id: 'INV1', branchId: 'b1', uses: 2, joined: 1 }],
    org_applications: [
      { _id: 'b1:o1', branchId: 'b1', inviteCode: 'INV1', status: 'approved' },
      { _id: 'b1:o2', branchId: 'b1', inviteCode: 'INV1', status: 'pending' },
    ],
  };
}

describe('consistency checker', () => {
  test('a clean store reports nothing, and repair writes nothing', async () => {
    const { db, ops } = fakeDb(cleanStore());
    const r = await checkBranch(db, 'b1', { repair: true });
    expect(r.differences).toEqual([]);
    expect(r.checked).toMatchObject({ members: 2, ledger: 2, credits: 3, totals: 1, progress: 1, activities: 1, attendance: 2, invites: 1, applications: 2 });
    expect(ops.writes).toBe(0);
    expect(r.ops.reads).toBe(ops.reads);
    // bounded per branch: one read per collection for a small branch
    expect(r.ops.reads).toBeLessThanOrEqual(9);
  });

  test('each broken counter is reported with expected and actual, and repaired', async () => {
    const data = cleanStore();
    const m1 = data.org_members[0];
    m1.pointsTotal = 15; // an award whose member update was lost
    m1.quizDays = 1;
    m1.quizStreak = 5;
    data.study_totals[0].totalSec = 100;
    data.study_totals[0].days['2026-03-02'] = 0;
    data.study_progress[0].creditedSec = 0;
    data.activity_items[0].counts.present = 2;
    data.org_invites[0].uses = 7;
    const { db } = fakeDb(data);
    const r = await checkBranch(db, 'b1');
    const got = r.differences.map((d) => [d.coll, d.id, d.field, d.expected, d.actual]);
    expect(got).toEqual(
      expect.arrayContaining([
        ['org_members', 'm1', 'quizDays', 2, 1],
        ['org_members', 'm1', 'quizStreak', 2, 5],
        ['org_members', 'm1', 'pointsTotal', 28, 15],
        ['study_totals', '2026:m1', 'totalSec', 4500.5, 100],
        ['study_totals', '2026:m1', 'days', { '2026-03-01': 600, '2026-03-02': 300.5 }, { '2026-03-01': 600, '2026-03-02': 0 }],
        ['study_progress', 'm1:L1', 'creditedSec', 900.5, 0],
        ['org_invites', 'INV1', 'uses', 2, 7],
      ]),
    );
    const act = r.differences.find((d) => d.coll === 'activity_items')!;
    expect(act).toMatchObject({ id: 'a1', field: 'counts', expected: { present: 1 }, actual: { present: 2 } });
    expect(r.differences).toHaveLength(8);

    const fixed = await checkBranch(db, 'b1', { repair: true });
    expect(fixed.repaired).toBe(5); // member, totals, progress, activity, invite: one write each
    expect((await checkBranch(db, 'b1')).differences).toEqual([]);
    const clean = cleanStore();
    expect(data.org_members[0]).toEqual(clean.org_members[0]);
    expect(data.study_totals[0]).toEqual(clean.study_totals[0]);
    expect(data.activity_items[0].counts).toEqual(clean.activity_items[0].counts);
    // the other branch was not touched
    expect(data.org_members[2]).toEqual(clean.org_members[2]);
  });

  test('a counter never written (a member with records and no counters) is repaired from 0', async () => {
    const data = cleanStore();
    const m1 = data.org_members[0];
    for (const k of Object.keys(m1)) if (k !== '_id' && k !== 'branchId') delete m1[k];
    const { db } = fakeDb(data);
    const r = await checkBranch(db, 'b1', { repair: true });
    expect(r.differences.find((d) => d.field === 'pointsTotal')).toMatchObject({ expected: 28, actual: null });
    expect(r.repaired).toBe(1);
    expect(data.org_members[0]).toEqual(cleanStore().org_members[0]);
  });

  test('a repair does nothing to a counter that a live write moved after it was read', async () => {
    const data = cleanStore();
    data.org_members[0].pointsTotal = 15;
    const { db } = fakeDb(data);
    const report = await checkBranch(db, 'b1');
    data.org_members[0].pointsTotal = 16; // a concurrent award landed
    const { repairPlan } = await import('../../core/consistency/rules');
    const [step] = repairPlan(report.differences);
    const res = await db.collection(step.coll).where({ ...step.match, _id: step.id }).update({ data: step.set });
    expect(res.stats.updated).toBe(0);
    expect(data.org_members[0].pointsTotal).toBe(16);
  });

  test('a missing study_totals document is reported, not invented', async () => {
    const data = cleanStore();
    data.study_totals = [];
    const { db } = fakeDb(data);
    const r = await checkBranch(db, 'b1', { repair: true });
    expect(r.differences).toEqual([expect.objectContaining({ coll: 'study_totals', id: '2026:m1', field: '*', actual: null })]);
    expect(r.repaired).toBe(0);
  });

  test('heartbeat credit above the wall time of its session is reported (and left for a person)', async () => {
    const data = cleanStore();
    const at = (s: number) => new Date(Date.parse('2026-03-01T02:00:00Z') + s * 1000);
    const span = (id: string, from: number, to: number) => ({ id, startedAt: at(from), endedAt: at(to) });
    const credit = (id: string, seconds: number, session: ReturnType<typeof span>, day = '2026-03-01') => ({
      _id: `online:${id}:m1`, memberId: 'm1', year: 2026, day, source: 'online', seconds, lessonId: 'L1', session,
    });
    // the clean store's two heartbeat credits, now with their sessions: within wall time
    data.study_credits[0].session = span('s1', 0, 600);
    data.study_credits[1] = { ...data.study_credits[1], session: span('s2', 1000, 1400.5) };
    const { db } = fakeDb(data);
    expect((await checkBranch(db, 'b1')).differences).toEqual([]);

    // a stop flushed 20 s, a late beat wrote them back with 7.79 s more, a second stop credited them again
    data.study_credits.push(credit('s3:0:2026-03-01', 20, span('s3', 2000, 2020)), credit('s3:1:2026-03-01', 27.79, span('s3', 2000, 2027.79)));
    // two sessions of one member overlapping in time: each within its own span, together above it
    data.study_credits.push(credit('s4:0:2026-03-01', 30, span('s4', 3000, 3030)), credit('s5:0:2026-03-01', 30, span('s5', 3010, 3040)));
    // the totals and progress follow the credits, so only wall time differs
    const all = data.study_credits.filter((c) => c.source === 'online').reduce((a, c) => a + c.seconds, 0);
    Object.assign(data.study_totals[0], { totalSec: all + 3600, bySource: { online: all, live: 0, activity: 0, offline: 3600 }, byMonth: { '03': all, '04': 3600 }, credits: 7 });
    data.study_totals[0].days['2026-03-01'] = all - 300.5;
    data.study_progress[0].creditedSec = all;
    const r = await checkBranch(db, 'b1', { repair: true });
    expect(r.differences).toEqual([
      { kind: 'study.wall', coll: 'study_credits', id: 'm1:s3', field: 'seconds', expected: 27.79, actual: 47.79 },
      { kind: 'study.wall', coll: 'study_credits', id: 'm1:s4+s5', field: 'seconds', expected: 40, actual: 60 },
    ]);
    // no counter to set: the ledger itself is wrong, so the repair writes nothing
    expect(r.repaired).toBe(0);
    expect(r.ops.writes).toBe(0);
    // no extra read for it: the credits were read anyway
    expect(r.ops.reads).toBeLessThanOrEqual(9);
  });

  test('the district walk visits every branch and resumes from a cursor', async () => {
    const data = cleanStore();
    data.org_members[2].pointsTotal = 3;
    const { db } = fakeDb(data);
    const all = await checkBranches(db, {});
    expect(all).toMatchObject({ branches: 2, withDifferences: 1, differences: 1, cursor: null });
    expect(all.reports[0].branchId).toBe('b2');
    let t = 0;
    const first = await checkBranches(db, { budgetMs: 0, clock: () => (t += 1) });
    expect(first).toMatchObject({ branches: 1, cursor: 'b1' });
    const rest = await checkBranches(db, { after: first.cursor });
    expect(rest).toMatchObject({ branches: 1, cursor: null, differences: 1 });
  });
});

describe('counter replay rules', () => {
  test('a late answer for yesterday after today does not wind the streak back', () => {
    const e = [
      quizEntry('m', '2026-03-01', '2026-03-01T02:00:00Z', 5, 10),
      quizEntry('m', '2026-03-03', '2026-03-02T16:05:00Z', 5, 10), // 00:05 China time on the 3rd
      quizEntry('m', '2026-03-02', '2026-03-02T16:10:00Z', 5, 10), // late answer for the 2nd
    ];
    expect(expectedQuizCounters(e)).toMatchObject({ quizDays: 3, quizLastDay: '2026-03-03', quizStreak: 1, quizMonthDays: 2 });
  });

  test('points of a past day count in the total but not in the latest day', () => {
    const e = [
      { ...quizEntry('m', '2026-03-02', '2026-03-02T01:00:00Z', 5, 10) },
      { ...quizEntry('m', '2026-03-01', '2026-03-02T02:00:00Z', 5, 4), source: { type: 'activity', id: 'a' } },
    ];
    expect(expectedPointsCounters(e)).toEqual({ pointsTotal: 14, pointsDay: '2026-03-02', pointsDayTotal: 10 });
  });

  test('an activity not yet finalised has no counts to check', () => {
    expect(checkActivity({ _id: 'a', roster: [{ id: 'x' }], finalisedAt: null, counts: null }, [])).toEqual([]);
  });

  test('awardPoints for a past day (an activity closed after midnight) leaves the daily cap counter on today', async () => {
    const data = cleanStore();
    const { db } = fakeDb(data);
    const m = data.org_members[0];
    const rules = effectiveRules(null, '2026-03-02');
    await awardPoints(db, {
      member: { _id: 'm1', branchId: 'b1', pointsDay: m.pointsDay, pointsDayTotal: m.pointsDayTotal },
      day: '2026-03-01',
      now: new Date('2026-03-02T03:00:00Z'),
      rules,
      lines: [{ rule: 'activity.signin', points: 2, reason: '签到' }],
      reason: '参加主题党日',
      source: { type: 'activity', id: 'a9' },
    });
    expect(m).toMatchObject({ pointsTotal: 30, pointsDay: '2026-03-02', pointsDayTotal: 13 });
    expect((await checkBranch(db, 'b1')).differences).toEqual([]);
  });
});

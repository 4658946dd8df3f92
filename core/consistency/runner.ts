/**
 * The consistency check against a database handle shaped like wx-server-sdk's `cloud.database()`
 * (the cloud function, the emulator CLI and the unit tests all pass one). Work is one branch at a
 * time, so a call is bounded by the branch's size, never the district's:
 *
 *   reads per branch ≈ 1 members + ⌈ledger/1000⌉ + ⌈credits/1000⌉ + 1 totals + 1 progress
 *                      + 1 activities + ⌈attendance/1000⌉ + 1 invites + 1 applications
 *   writes (repair only) = one conditional update per document that differs
 * (credit above wall time is judged from the credits already read: no extra read)
 */
import type { Db } from '../fn/db';
import type { StoredAttendanceLike } from '../activity/rules';
import {
  checkActivity,
  checkInvite,
  checkMember,
  checkStudy,
  repairPlan,
  type ActivityLike,
  type ApplicationLike,
  type BranchReport,
  type CreditLike,
  type Difference,
  type LedgerLike,
} from './rules';

const PAGE = 1000;
/** ids per `_.in` query: keeps each request small whatever the branch size */
const IN_CHUNK = 200;

interface Counted {
  reads: number;
  writes: number;
}

async function readAll<T>(db: Db, ops: Counted, coll: string, where: Record<string, unknown>, field?: Record<string, boolean>): Promise<T[]> {
  const out: T[] = [];
  for (let skip = 0; ; skip += PAGE) {
    let q = db.collection(coll).where(where);
    if (field) q = q.field(field);
    const res = await q.orderBy('_id', 'asc').skip(skip).limit(PAGE).get();
    ops.reads++;
    const data = (res?.data ?? []) as T[];
    out.push(...data);
    if (data.length < PAGE) return out;
  }
}

async function readIn<T>(db: Db, ops: Counted, coll: string, key: string, ids: readonly string[], extra: Record<string, unknown> = {}, field?: Record<string, boolean>): Promise<T[]> {
  const _ = db.command;
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    out.push(...(await readAll<T>(db, ops, coll, { ...extra, [key]: _.in(ids.slice(i, i + IN_CHUNK)) }, field)));
  }
  return out;
}

export interface CheckOptions {
  repair?: boolean;
  /** for the report's timing only */
  clock?: () => number;
}

/** Recomputes every counter of one branch's members, activities and invites; optionally repairs. */
export async function checkBranch(db: Db, branchId: string, opts: CheckOptions = {}): Promise<BranchReport> {
  const clock = opts.clock ?? Date.now;
  const t0 = clock();
  const ops: Counted = { reads: 0, writes: 0 };
  const members = await readAll<Record<string, unknown> & { _id: string }>(db, ops, 'org_members', { branchId });
  const ids = members.map((m) => m._id);
  const [ledger, credits, totals, progress] = [
    await readIn<LedgerLike>(db, ops, 'points_ledger', 'memberId', ids, {}, {
      _id: true,
      memberId: true,
      day: true,
      at: true,
      points: true,
      source: true,
      quiz: true,
      closeOf: true,
    }),
    await readIn<CreditLike>(db, ops, 'study_credits', 'memberId', ids, {}, {
      _id: true,
      memberId: true,
      year: true,
      day: true,
      source: true,
      seconds: true,
      lessonId: true,
      session: true,
      closeOf: true,
    }),
    await readIn<Record<string, unknown> & { _id: string }>(db, ops, 'study_totals', 'memberId', ids),
    await readIn<Record<string, unknown> & { _id: string }>(db, ops, 'study_progress', 'memberId', ids, {}, { _id: true, memberId: true, lessonId: true, creditedSec: true }),
  ];
  const _ = db.command;
  const activities = await readAll<ActivityLike>(db, ops, 'activity_items', { hostBranchId: branchId, finalisedAt: _.neq(null) }, {
    _id: true,
    roster: true,
    finalisedAt: true,
    counts: true,
    awardedAt: true,
  });
  // the activities whose batched close wrote some of these records: awarded ones count in full
  const closeOf = new Set([...ledger, ...credits].map((r) => r.closeOf).filter((id): id is string => !!id));
  const known = new Map(activities.map((a) => [a._id, a]));
  const others = [...closeOf].filter((id) => !known.has(id));
  const elsewhere = others.length
    ? await readAll<{ _id: string; awardedAt?: unknown }>(db, ops, 'activity_items', { _id: _.in(others) }, { _id: true, awardedAt: true })
    : [];
  const awarded = new Set(
    [...activities.filter((a) => closeOf.has(a._id)), ...elsewhere].filter((a) => (a as { awardedAt?: unknown }).awardedAt).map((a) => a._id),
  );
  const attendance = await readIn<StoredAttendanceLike & { activityId: string }>(db, ops, 'activity_attendance', 'activityId', activities.map((a) => a._id), {}, {
    _id: true,
    activityId: true,
    memberId: true,
    status: true,
    madeUpAt: true,
  });
  const invites = await readAll<Record<string, unknown> & { _id: string }>(db, ops, 'org_invites', { branchId }, { _id: true, uses: true, joined: true });
  const apps = invites.length
    ? await readAll<ApplicationLike>(db, ops, 'org_applications', { branchId }, { _id: true, inviteCode: true, status: true })
    : [];

  const differences: Difference[] = [];
  const ledgerBy = groupBy(ledger, (e) => e.memberId);
  for (const m of members) differences.push(...checkMember(m, ledgerBy.get(m._id) ?? [], awarded));
  differences.push(...checkStudy(totals, progress, credits, awarded));
  const attBy = groupBy(attendance, (r) => r.activityId);
  for (const a of activities) differences.push(...checkActivity(a, attBy.get(a._id) ?? []));
  for (const inv of invites) differences.push(...checkInvite(inv, apps));

  let repaired = 0;
  if (opts.repair && differences.length) {
    for (const step of repairPlan(differences)) {
      const data: Record<string, unknown> = {};
      // _.set replaces a sub-document whole; a plain object would be merged key by key
      for (const [k, v] of Object.entries(step.set)) data[k] = v !== null && typeof v === 'object' ? _.set(v) : v;
      const res = await db.collection(step.coll).where({ ...step.match, _id: step.id }).update({ data });
      ops.writes++;
      if (res?.stats?.updated) repaired++;
    }
  }
  return {
    branchId,
    differences,
    repaired,
    checked: {
      members: members.length,
      ledger: ledger.length,
      totals: totals.length,
      progress: progress.length,
      credits: credits.length,
      activities: activities.length,
      attendance: attendance.length,
      invites: invites.length,
      applications: apps.length,
    },
    ops,
    ms: clock() - t0,
  };
}

function groupBy<T>(list: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const x of list) {
    const k = key(x);
    const arr = out.get(k);
    if (arr) arr.push(x);
    else out.set(k, [x]);
  }
  return out;
}

/** Branch ids after `after` (exclusive), in id order: one page for a resumable walk of the district. */
export async function branchPage(db: Db, after: string | null, limit: number): Promise<string[]> {
  const _ = db.command;
  const where: Record<string, unknown> = { type: 'branch' };
  if (after) where._id = _.gt(after);
  const res = await db.collection('org_nodes').where(where).field({ _id: true }).orderBy('_id', 'asc').limit(limit).get();
  return ((res?.data ?? []) as Array<{ _id: string }>).map((n) => n._id);
}

export interface DistrictSummary {
  branches: number;
  withDifferences: number;
  differences: number;
  repaired: number;
  reads: number;
  writes: number;
  ms: number;
  /** the differing branches' reports, first `keep` of them */
  reports: BranchReport[];
  /** where to resume; null when every branch was checked */
  cursor: string | null;
}

/**
 * Walks branches in id order from `after`, until done or `budgetMs` is spent (a cloud function has
 * a time limit; the caller stores the cursor and resumes).
 */
export async function checkBranches(
  db: Db,
  opts: CheckOptions & { after?: string | null; budgetMs?: number; keep?: number; onBranch?: (r: BranchReport) => void } = {},
): Promise<DistrictSummary> {
  const clock = opts.clock ?? Date.now;
  const t0 = clock();
  const sum: DistrictSummary = { branches: 0, withDifferences: 0, differences: 0, repaired: 0, reads: 0, writes: 0, ms: 0, reports: [], cursor: opts.after ?? null };
  let after = opts.after ?? null;
  for (;;) {
    const page = await branchPage(db, after, 100);
    sum.reads++;
    if (!page.length) {
      sum.cursor = null;
      break;
    }
    let stopped = false;
    for (const id of page) {
      const r = await checkBranch(db, id, opts);
      opts.onBranch?.(r);
      sum.branches++;
      sum.reads += r.ops.reads;
      sum.writes += r.ops.writes;
      sum.repaired += r.repaired;
      if (r.differences.length) {
        sum.withDifferences++;
        sum.differences += r.differences.length;
        if (sum.reports.length < (opts.keep ?? 50)) sum.reports.push(r);
      }
      after = id;
      sum.cursor = id;
      if (opts.budgetMs !== undefined && clock() - t0 > opts.budgetMs) {
        stopped = true;
        break;
      }
    }
    if (stopped) break;
    if (page.length < 100) {
      sum.cursor = null;
      break;
    }
  }
  sum.ms = clock() - t0;
  return sum;
}

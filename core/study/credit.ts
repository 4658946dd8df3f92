/**
 * THE ledger of 学时. Every source of study — online lessons, live lessons, activity days, offline
 * records — credits through `creditStudy`, inside the caller's transaction:
 *   - one source record per credit in `study_credits`, with a deterministic `_id`
 *     (`<source>:<sourceId>:<memberId>`), so a retried or repeated credit counts once;
 *   - per-member-per-year counters in `study_totals/<year>:<memberId>` (total, by source, by month,
 *     by day) that the progress view and the branch table read — never the credit history.
 *
 * Usage from any function (bundled by esbuild, no SDK import here):
 *   await db.runTransaction(async (tx) => {
 *     await creditStudy(tx, [{ memberId, branchId, path, name, role, day: '2026-03-05',
 *       source: 'activity', sourceId: activityId, seconds: 90 * 60, reason: '主题党日' }], now);
 *   });
 * Cost: per member 2 reads (credit, totals) + 1–2 writes; credits of one member share the totals read.
 */
import { getDoc, stripId } from '../fn/db';
import { AppError } from '../fn/errors';
import { STUDY_SOURCES, type StudySource } from './rules';

export interface CreditInput {
  memberId: string;
  branchId: string;
  /** the member's path (ancestors of the branch, then the branch) for subtree reports */
  path: string[];
  name: string;
  role?: string;
  /** China-time day the study happened (YYYY-MM-DD); year and month follow from it */
  day: string;
  source: StudySource;
  sourceId: string;
  seconds: number;
  reason: string;
  lessonId?: string | null;
  /** member id of whoever recorded it, for offline records */
  by?: string | null;
  /** this credit completes a lesson: counts one more completed lesson */
  completesLesson?: boolean;
  /**
   * A heartbeat session's credit: the session and the wall-clock stretch it ran (its start and the
   * last beat flushed, ms). All credits of one session together never exceed that stretch — the
   * consistency check holds the ledger to it.
   */
  session?: { id: string; startedAt: number; endedAt: number };
}

export interface TotalsDoc {
  _id: string;
  memberId: string;
  year: number;
  branchId: string;
  path: string[];
  name: string;
  role: string;
  totalSec: number;
  bySource: Record<StudySource, number>;
  /** '01'…'12' → seconds */
  byMonth: Record<string, number>;
  /** YYYY-MM-DD → online + live seconds (the daily cap) */
  days: Record<string, number>;
  /** YYYY-MM-DD → offline seconds (at most a day's length) */
  offlineDays: Record<string, number>;
  lessonsCompleted: number;
  credits: number;
  updatedAt: Date;
}

export const DAY_SEC = 24 * 3600;
export const totalsId = (year: number, memberId: string) => `${year}:${memberId}`;
export const creditId = (c: Pick<CreditInput, 'source' | 'sourceId' | 'memberId'>) => `${c.source}:${c.sourceId}:${c.memberId}`;

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** The `study_credits` record of one credit (its `_id` is creditId(c)); year and month follow from its day. */
export function newCreditDoc(c: CreditInput, now: Date): Record<string, unknown> {
  return {
    memberId: c.memberId,
    branchId: c.branchId,
    year: Number(c.day.slice(0, 4)),
    month: c.day.slice(5, 7),
    day: c.day,
    source: c.source,
    sourceId: c.sourceId,
    seconds: c.seconds,
    reason: c.reason,
    lessonId: c.lessonId ?? null,
    by: c.by ?? null,
    at: now,
    ...(c.session ? { session: { id: c.session.id, startedAt: new Date(c.session.startedAt), endedAt: new Date(c.session.endedAt) } } : {}),
  };
}

export function emptyTotals(year: number, c: Pick<CreditInput, 'memberId' | 'branchId' | 'path' | 'name' | 'role'>, now: Date): TotalsDoc {
  return {
    _id: totalsId(year, c.memberId),
    memberId: c.memberId,
    year,
    branchId: c.branchId,
    path: c.path,
    name: c.name,
    role: c.role ?? 'member',
    totalSec: 0,
    bySource: { online: 0, live: 0, activity: 0, offline: 0 },
    byMonth: {},
    days: {},
    offlineDays: {},
    lessonsCompleted: 0,
    credits: 0,
    updatedAt: now,
  };
}

/** Adds one credit to a member's counters (pure). Throws when the credit is impossible. */
export function applyCredit(totals: TotalsDoc | null, c: CreditInput, now: Date): TotalsDoc {
  if (!STUDY_SOURCES.includes(c.source)) throw new AppError('INVALID_ARGUMENT', '未知的学时来源');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(c.day)) throw new AppError('INVALID_ARGUMENT', '学习日期格式不对');
  if (!Number.isFinite(c.seconds) || c.seconds <= 0) throw new AppError('INVALID_ARGUMENT', '学习时长必须大于 0');
  if (c.seconds > DAY_SEC) throw new AppError('INVALID_ARGUMENT', '一次学习不能超过一天的时长');
  const year = Number(c.day.slice(0, 4));
  const t: TotalsDoc = totals ? structuredCloneTotals(totals) : emptyTotals(year, c, now);
  if (t.year !== year) throw new AppError('INTERNAL', 'credit for another year');
  const month = c.day.slice(5, 7);
  if (c.source === 'offline') {
    const already = t.offlineDays[c.day] ?? 0;
    if (already + c.seconds > DAY_SEC) {
      throw new AppError('FAILED_PRECONDITION', `${c.name} 在 ${c.day} 的线下学习合计会超过一天的时长，未记录`);
    }
    t.offlineDays[c.day] = round3(already + c.seconds);
  }
  if (c.source === 'online' || c.source === 'live') t.days[c.day] = round3((t.days[c.day] ?? 0) + c.seconds);
  t.totalSec = round3(t.totalSec + c.seconds);
  t.bySource[c.source] = round3((t.bySource[c.source] ?? 0) + c.seconds);
  t.byMonth[month] = round3((t.byMonth[month] ?? 0) + c.seconds);
  if (c.completesLesson) t.lessonsCompleted += 1;
  t.credits += 1;
  // the member may have moved branch: reports follow where they are now
  t.branchId = c.branchId;
  t.path = c.path;
  t.name = c.name;
  if (c.role) t.role = c.role;
  t.updatedAt = now;
  return t;
}

function structuredCloneTotals(t: TotalsDoc): TotalsDoc {
  return {
    ...t,
    bySource: Object.assign({ online: 0, live: 0, activity: 0, offline: 0 }, t.bySource ?? {}),
    byMonth: { ...(t.byMonth ?? {}) },
    days: { ...(t.days ?? {}) },
    offlineDays: { ...(t.offlineDays ?? {}) },
    lessonsCompleted: t.lessonsCompleted ?? 0,
    credits: t.credits ?? 0,
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** A CloudBase transaction (or database) handle: only single-document doc() reads and sets. */
export type TxLike = any;

/**
 * Credits study inside a transaction. Credits already in the ledger are skipped (same `_id`), so
 * the whole call is idempotent. Any impossible credit throws before anything is written: the
 * transaction rolls back and nothing is half-credited.
 */
export async function creditStudy(tx: TxLike, credits: CreditInput[], now: Date): Promise<{ credited: number; skipped: number }> {
  const byTotals = new Map<string, CreditInput[]>();
  for (const c of credits) {
    const id = totalsId(Number(c.day.slice(0, 4)), c.memberId);
    byTotals.set(id, [...(byTotals.get(id) ?? []), c]);
  }
  const writes: Array<{ coll: string; id: string; data: Record<string, unknown> }> = [];
  let credited = 0;
  let skipped = 0;
  for (const [tid, group] of byTotals) {
    let totals = await getDoc<TotalsDoc>(tx, 'study_totals', tid);
    let changed = false;
    for (const c of group) {
      const cid = creditId(c);
      if (await getDoc(tx, 'study_credits', cid)) {
        skipped++;
        continue;
      }
      totals = applyCredit(totals, c, now);
      changed = true;
      credited++;
      writes.push({
        coll: 'study_credits',
        id: cid,
        data: newCreditDoc(c, now),
      });
    }
    if (changed && totals) writes.push({ coll: 'study_totals', id: tid, data: stripId(totals) });
  }
  for (const w of writes) await tx.collection(w.coll).doc(w.id).set({ data: w.data });
  return { credited, skipped };
}

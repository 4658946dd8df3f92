/**
 * The activity collections, the views of their documents and the small read helpers the actions
 * share. The stored shapes and their factories live in core/activity/stored.ts.
 */
import type { ActivityView, AttendanceView } from '../../core/activity/contracts';
import { ACTIVITY_TYPES, jointInvitesOf, phaseOf } from '../../core/activity/rules';
import type { StoredActivity, StoredAttendance } from '../../core/activity/stored';
import { getDoc, type Db } from '../../core/fn/db';

export type { Db, StoredActivity, StoredAttendance };
export { newAttendance } from '../../core/activity/stored';

export const C = {
  items: 'activity_items',
  attendance: 'activity_attendance',
  reads: 'activity_reads',
  subs: 'activity_subs',
  codeTries: 'activity_code_tries',
  members: 'org_members',
  nodes: 'org_nodes',
} as const;

export const iso = (d: Date | string | null | undefined): string | null => (d ? new Date(d).toISOString() : null);

export { getDoc, isDuplicateKey, stripId } from '../../core/fn/db';

export function toActivityView(a: StoredActivity, now: Date): ActivityView {
  return {
    id: a._id,
    type: a.type,
    typeLabel: ACTIVITY_TYPES[a.type] ?? a.type,
    title: a.title,
    agenda: a.agenda,
    startAt: iso(a.startAt)!,
    endAt: iso(a.endAt)!,
    signInOpenAt: iso(a.signInOpenAt)!,
    signInCloseAt: iso(a.signInCloseAt)!,
    place: a.place,
    hostBranchId: a.hostBranchId,
    hostBranchName: a.hostBranchName,
    branchIds: a.branchIds,
    groupId: a.groupId,
    studyMinutes: a.studyMinutes,
    geofenceRadiusM: a.geofence?.radiusM ?? null,
    makeUpText: a.makeUpText,
    makeUpLessonId: a.makeUpLessonId,
    status: a.status,
    phase: phaseOf(a, now),
    rev: a.rev,
    changes: (a.changes ?? []).map((c) => ({ at: iso(c.at)!, note: c.note })),
    cancelReason: a.cancelReason,
    expected: a.roster?.length ?? 0,
    finalisedAt: iso(a.finalisedAt),
    openBeforeMin: a.openBeforeMin,
    closeAfterMin: a.closeAfterMin,
    jointBranchIds: a.jointBranchIds ?? [],
    joint: jointInvitesOf({ ...a, branchIds: a.branchIds ?? [] }).map((j) => ({ branchId: j.branchId, name: j.name, status: j.status, at: iso(j.at) })),
  };
}

export function toAttendanceView(r: StoredAttendance | null, member: { id: string; name: string }): AttendanceView {
  return {
    memberId: member.id,
    name: r?.memberName ?? member.name,
    status: r?.status ?? 'none',
    method: r?.method ?? null,
    at: iso(r?.at),
    leaveReason: r?.leaveReason ?? null,
    note: r?.note ?? null,
    madeUpAt: iso(r?.madeUpAt),
  };
}

/**
 * The activity for sign-in and leave, cached per warm instance for a few seconds: a burst of 200
 * sign-ins reads it once per instance, not 200 times. What could go stale in that time is a
 * cancellation, a time change, a joined 联建 branch or the close; `save`/`cancel`/`respondJoint`
 * refresh this instance's copy and other instances see it within CACHE_MS. The close never relies
 * on this: it seals every record and writes an absence for everyone without one before it is done,
 * and sign-in writes only unsealed records, so a stale copy cannot let a sign-in in after the close.
 */
const CACHE_MS = 10_000;
const cache = new Map<string, { doc: StoredActivity | null; until: number }>();

export async function getActivityCached(db: Db, id: string): Promise<{ doc: StoredActivity | null; cached: boolean }> {
  const hit = cache.get(id);
  const t = Date.now();
  if (hit && hit.until > t) return { doc: hit.doc, cached: true };
  const doc = await getDoc<StoredActivity>(db, C.items, id);
  if (cache.size > 200) cache.clear();
  // a missing or draft activity is not cached: it may be published a moment later
  if (doc && doc.status !== 'draft') cache.set(id, { doc, until: t + CACHE_MS });
  return { doc, cached: false };
}

export function rememberActivity(doc: StoredActivity): void {
  if (doc.status === 'draft') cache.delete(doc._id);
  else cache.set(doc._id, { doc, until: Date.now() + CACHE_MS });
}

export function forgetActivity(id: string): void {
  cache.delete(id);
}

/** Reads every document matching `query`, 1000 per request (CloudBase's maximum), in `_id` order. */
export async function readAll<T>(db: Db, coll: string, query: Record<string, unknown>, field?: Record<string, boolean>): Promise<T[]> {
  const out: T[] = [];
  for (let skip = 0; ; skip += 1000) {
    let q = db.collection(coll).where(query);
    if (field) q = q.field(field);
    const res = await q.orderBy('_id', 'asc').skip(skip).limit(1000).get();
    out.push(...(res.data as T[]));
    if (res.data.length < 1000) return out;
  }
}

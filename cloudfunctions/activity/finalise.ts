/**
 * Closing an activity's sign-in: absences, counts, repeated-absence flags, then awards. Run by the
 * `finalise` timer for every activity whose window has closed, and by the secretary's 结束签到.
 * Idempotent: records have deterministic ids, and a second run finds nothing missing.
 *
 * DB operations per activity, whatever the roster size: attendance read (1 per 1000 members),
 * absent inserts (1 batch), pending/declined leave → absent (1 multi-update), previous activities (1),
 * their absences (1), activity update (1).
 */
import {
  absencePlan,
  absenceStreak,
  countAttendance,
  DEFAULT_ABSENCE_STREAK_FLAG,
  type AttendanceCounts,
  type RosterEntry,
  type StoredAttendanceLike,
} from '../../core/activity/rules';
import { C, forgetActivity, isDuplicateKey, newAttendance, readAll, type Db, type StoredActivity, type StoredAttendance } from './store';

export interface FinaliseResult {
  activityId: string;
  markedAbsent: number;
  counts: AttendanceCounts;
  flagged: { memberId: string; name: string; streak: number }[];
}

export async function finaliseActivity(db: Db, a: StoredActivity, now: Date, streakFlag = DEFAULT_ABSENCE_STREAK_FLAG): Promise<FinaliseResult> {
  const _ = db.command;
  let records = await readAll<StoredAttendance>(db, C.attendance, { activityId: a._id });
  let plan = absencePlan(a.roster, records);
  const absentDoc = (m: RosterEntry): StoredAttendance =>
    newAttendance(a, m, now, { status: 'absent', byId: 'system', note: '签到结束时未签到、未请假' });
  if (plan.insert.length) {
    try {
      await db.collection(C.attendance).add({ data: plan.insert.map(absentDoc) });
    } catch (e) {
      // A last-second record (a manual sign-in racing the close): re-read and insert what is still missing.
      if (!isDuplicateKey(e)) throw e;
      records = await readAll<StoredAttendance>(db, C.attendance, { activityId: a._id });
      plan = absencePlan(a.roster, records);
      if (plan.insert.length) await db.collection(C.attendance).add({ data: plan.insert.map(absentDoc) });
    }
  }
  if (plan.toAbsent.length) {
    await db
      .collection(C.attendance)
      .where({ activityId: a._id, status: _.in(['leave_pending', 'leave_declined']) })
      .update({ data: { status: 'absent', note: '请假未获批准，签到结束时记为缺席', updatedAt: now } });
  }
  const newlyAbsent = new Set([...plan.insert.map((m) => m.id), ...plan.toAbsent]);
  const finalRecords = [
    ...records.map((r) => (newlyAbsent.has(r.memberId) ? { ...r, status: 'absent' as const } : r)),
    ...plan.insert.map(absentDoc),
  ];
  const counts = countAttendance(a.roster, finalRecords);

  // Repeated unexcused absence: the host branch's previous finalised activities, newest first,
  // and only the absences among them of the members absent now (two reads, no per-member loop).
  const absentNow = finalRecords.filter((r) => r.status === 'absent' && !r.madeUpAt).map((r) => r.memberId);
  let flagged: FinaliseResult['flagged'] = [];
  if (absentNow.length && streakFlag > 1) {
    const prev = await db
      .collection(C.items)
      .where({ hostBranchId: a.hostBranchId, status: 'published', startAt: _.lt(a.startAt), finalisedAt: _.neq(null) })
      .orderBy('startAt', 'desc')
      .limit(streakFlag - 1)
      .field({ _id: true, roster: true })
      .get();
    const prevActs = prev.data as Pick<StoredActivity, '_id' | 'roster'>[];
    const prevAbs = prevActs.length
      ? await readAll<StoredAttendance>(db, C.attendance, {
          activityId: _.in(prevActs.map((p) => p._id)),
          memberId: _.in(absentNow),
          status: 'absent',
        })
      : [];
    const absKey = new Map(prevAbs.map((r) => [`${r.activityId}:${r.memberId}`, r]));
    const names = new Map(a.roster.map((m) => [m.id, m.name]));
    for (const memberId of absentNow) {
      const history: StoredAttendanceLike[] = [{ memberId, status: 'absent', madeUpAt: null }];
      for (const p of prevActs) {
        if (!p.roster.some((m) => m.id === memberId)) continue;
        const r = absKey.get(`${p._id}:${memberId}`);
        // not among the absences read: present, excused, or made up — the run ends there
        history.push(r ? { memberId, status: 'absent', madeUpAt: r.madeUpAt } : { memberId, status: 'present' });
      }
      const streak = absenceStreak(history);
      if (streak >= streakFlag) flagged.push({ memberId, name: names.get(memberId) ?? '', streak });
    }
    flagged = flagged.sort((x, y) => y.streak - x.streak);
  }

  await db
    .collection(C.items)
    .doc(a._id)
    .update({ data: { finalisedAt: now, counts: _.set(counts), flagged: _.set(flagged), updatedAt: now } });
  forgetActivity(a._id);
  return { activityId: a._id, markedAbsent: newlyAbsent.size, counts, flagged };
}

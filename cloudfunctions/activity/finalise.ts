/**
 * Closing an activity's sign-in: absences, counts, repeated-absence flags, then awards. Run by the
 * `finalise` timer for every activity whose window has closed, and by the secretary's 结束签到.
 * Idempotent: records have deterministic ids, and a second run finds nothing missing.
 *
 * The close holds everywhere at once, not only where its instance's cache is fresh: it first marks
 * the activity `closing` (no 联建 branch can join any more, so the roster it then re-reads is final),
 * then seals every record; a sign-in or leave path writes only an unsealed record or inserts a new
 * one, and every roster member without a record gets an absence here, so once this returns no
 * instance can record a sign-in, whatever its cached copy of the activity says.
 *
 * DB operations per activity, whatever the roster size: closing mark (1), activity re-read (1),
 * seal (1 multi-update), attendance read (1 per 1000 members), absent inserts (1 batch),
 * pending/declined leave → absent (1 multi-update), previous activities (1), their absences (1),
 * activity update (1).
 */
import { AppError } from '../../core/fn/errors';
import {
  absencePlan,
  absenceStreak,
  closeAllowed,
  countAttendance,
  DEFAULT_ABSENCE_STREAK_FLAG,
  type AttendanceCounts,
  type RosterEntry,
  type StoredAttendanceLike,
} from '../../core/activity/rules';
import { C, forgetActivity, getDoc, isDuplicateKey, newAttendance, readAll, type Db, type StoredActivity, type StoredAttendance } from './store';

/** a sign-in racing the absent batch makes it collide; each collision is one more record in, so this bounds nothing real */
const INSERT_ATTEMPTS = 5;

export interface FinaliseResult {
  activityId: string;
  markedAbsent: number;
  counts: AttendanceCounts;
  flagged: { memberId: string; name: string; streak: number }[];
}

export async function finaliseActivity(db: Db, given: StoredActivity, now: Date, streakFlag = DEFAULT_ABSENCE_STREAK_FLAG): Promise<FinaliseResult> {
  const _ = db.command;
  if (!closeAllowed(given, now)) throw new AppError('FAILED_PRECONDITION', '活动还没有开始，不能结束签到');
  // 1. closing: answers to 联建 invitations stop here (theirs is conditional on it), so the roster
  //    read next is the one the absences are written for
  await db.collection(C.items).where({ _id: given._id, finalisedAt: null }).update({ data: { closing: true, updatedAt: now } });
  const a = (await getDoc<StoredActivity>(db, C.items, given._id)) ?? given;
  if (a.finalisedAt) {
    // another close finished first
    forgetActivity(a._id);
    return { activityId: a._id, markedAbsent: 0, counts: a.counts ?? countAttendance(a.roster, []), flagged: a.flagged ?? [] };
  }
  // 2. seal what exists: from now on sign-in, leave review and corrections before the close cannot
  //    change these records, so what is read next stays true
  await db.collection(C.attendance).where({ activityId: a._id, sealed: _.neq(true) }).update({ data: { sealed: true } });
  let records = await readAll<StoredAttendance>(db, C.attendance, { activityId: a._id });
  let plan = absencePlan(a.roster, records);
  const absentDoc = (m: RosterEntry): StoredAttendance =>
    newAttendance(a, m, now, { status: 'absent', byId: 'system', note: '签到结束时未签到、未请假', sealed: true });
  // 3. an absence for everyone without a record: a sign-in landing after this collides with it
  for (let attempt = 1; plan.insert.length; attempt++) {
    try {
      await db.collection(C.attendance).add({ data: plan.insert.map(absentDoc) });
      break;
    } catch (e) {
      // A last-second record (a sign-in racing the close): re-read and insert what is still missing.
      if (!isDuplicateKey(e) || attempt >= INSERT_ATTEMPTS) throw e;
      records = await readAll<StoredAttendance>(db, C.attendance, { activityId: a._id });
      plan = absencePlan(a.roster, records);
    }
  }
  if (plan.toAbsent.length) {
    await db
      .collection(C.attendance)
      .where({ activityId: a._id, status: _.in(['leave_pending', 'leave_declined']) })
      .update({ data: { status: 'absent', note: '请假未获批准，签到结束时记为缺席', sealed: true, updatedAt: now } });
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

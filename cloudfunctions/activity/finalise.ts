/**
 * Closing an activity's sign-in: absences, counts, repeated-absence flags, then awards. Run by the
 * `finalise` timer for every activity whose window has closed, and by the secretary's 结束签到.
 * Idempotent: records have deterministic ids, and a second run finds nothing missing.
 *
 * The close holds everywhere at once, not only where its instance's cache is fresh: it seals every
 * record; a sign-in or leave path writes only an unsealed record or inserts a new one, and every
 * roster member without a record gets an absence here, so once this returns no instance can record
 * a sign-in, whatever its cached copy of the activity says. The roster it works from is the copy
 * it was given: the final write states that copy (a 联建 answer moves inviteRev, an edit moves rev)
 * and, when the activity changed meanwhile, the whole pass runs again on the stored one — so the
 * activity is never finalised with absences or awards for another roster.
 *
 * DB operations per activity, whatever the roster size: seal (1 multi-update), previous
 * activities (1), this activity's records and theirs (1 per 1000), absent inserts (1 batch),
 * pending/declined leave → absent (1 multi-update, when any), the awards when given (awards.ts),
 * activity update (1).
 *
 * With `award`, the awards run before the activity is marked finalised, and that one update marks
 * it awarded too: a close that dies in between leaves it unfinalised, and the retry or the timer
 * runs it again (every step here and there is idempotent).
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
/** passes over an activity whose roster keeps changing while it closes (a 联建 answer each time) */
const CLOSE_ATTEMPTS = 3;

export interface FinaliseResult {
  activityId: string;
  markedAbsent: number;
  counts: AttendanceCounts;
  flagged: { memberId: string; name: string; streak: number }[];
}

export async function finaliseActivity(
  db: Db,
  given: StoredActivity,
  now: Date,
  streakFlag = DEFAULT_ABSENCE_STREAK_FLAG,
  award?: (a: StoredActivity, present: StoredAttendance[]) => Promise<unknown>,
): Promise<FinaliseResult> {
  if (!closeAllowed(given, now)) throw new AppError('FAILED_PRECONDITION', '活动还没有开始，不能结束签到');
  let a = given;
  for (let attempt = 1; ; attempt++) {
    const out = await finaliseOnce(db, a, now, streakFlag, award);
    if (out) return out;
    // the roster changed while closing (a 联建 branch joined) or another close finished first:
    // the same work again on the stored activity (everything done so far is idempotent)
    const fresh = await getDoc<StoredActivity>(db, C.items, a._id);
    if (!fresh) throw new AppError('NOT_FOUND', '活动不存在');
    if (fresh.finalisedAt) {
      forgetActivity(fresh._id);
      return { activityId: fresh._id, markedAbsent: 0, counts: fresh.counts ?? countAttendance(fresh.roster, []), flagged: fresh.flagged ?? [] };
    }
    if (attempt >= CLOSE_ATTEMPTS) throw new AppError('FAILED_PRECONDITION', '活动信息刚刚有变化，请稍后再试');
    a = fresh;
  }
}

/** One pass over `a` as read; null when the activity was no longer that copy at the final write. */
async function finaliseOnce(
  db: Db,
  a: StoredActivity,
  now: Date,
  streakFlag: number,
  award?: (a: StoredActivity, present: StoredAttendance[]) => Promise<unknown>,
): Promise<FinaliseResult | null> {
  const _ = db.command;
  // 1. seal what exists: from now on sign-in, leave review and corrections before the close cannot
  //    change these records, so what is read next stays true
  await db.collection(C.attendance).where({ activityId: a._id, sealed: _.neq(true) }).update({ data: { sealed: true } });
  // 2. the host branch's previous finalised activities (for repeated absence), then this activity's
  //    records and theirs in one read
  const prevActs: Pick<StoredActivity, '_id' | 'roster'>[] =
    streakFlag > 1
      ? ((
          await db
            .collection(C.items)
            .where({ hostBranchId: a.hostBranchId, status: 'published', startAt: _.lt(a.startAt), finalisedAt: _.neq(null) })
            .orderBy('startAt', 'desc')
            .limit(streakFlag - 1)
            .field({ _id: true, roster: true })
            .get()
        ).data as Pick<StoredActivity, '_id' | 'roster'>[])
      : [];
  const readRecords = async () => {
    const all = await readAll<StoredAttendance>(db, C.attendance, { activityId: prevActs.length ? _.in([a._id, ...prevActs.map((p) => p._id)]) : a._id });
    return { own: all.filter((r) => r.activityId === a._id), prev: all.filter((r) => r.activityId !== a._id) };
  };
  let { own: records, prev: prevRecords } = await readRecords();
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
      ({ own: records, prev: prevRecords } = await readRecords());
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

  // Repeated unexcused absence: the previous activities newest first, and the records there of
  // the members absent now.
  const absentNow = finalRecords.filter((r) => r.status === 'absent' && !r.madeUpAt).map((r) => r.memberId);
  let flagged: FinaliseResult['flagged'] = [];
  if (absentNow.length && prevActs.length) {
    const absKey = new Map(prevRecords.filter((r) => r.status === 'absent').map((r) => [`${r.activityId}:${r.memberId}`, r]));
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

  if (award) await award(a, finalRecords.filter((r) => r.status === 'present'));
  // 4. finalised only if the roster is still the one all this was done for (a 联建 answer moves
  //    inviteRev, an edit moves rev); otherwise the caller runs it again on the stored copy
  const res = await db
    .collection(C.items)
    .where({ _id: a._id, finalisedAt: null, status: 'published', rev: a.rev, inviteRev: a.inviteRev === undefined ? _.exists(false) : a.inviteRev })
    .update({ data: { finalisedAt: now, counts: _.set(counts), flagged: _.set(flagged), updatedAt: now, ...(award ? { awardedAt: now } : {}) } });
  if (!res?.stats?.updated) return null;
  forgetActivity(a._id);
  return { activityId: a._id, markedAbsent: newlyAbsent.size, counts, flagged };
}

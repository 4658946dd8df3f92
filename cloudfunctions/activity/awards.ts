/**
 * Points and 学时 for attendance, through the shared ledgers only: points via core/points
 * (`awardPoints`, rule `activity.signin`, ledger id `activity:<activityId>:<memberId>`), 学时 via
 * core/study (`creditStudy`, source `activity`, source id = the activity, so presence and a later
 * 补学 can never both credit the same activity).
 *
 * Awards are given when sign-in closes, not at each scan: a sign-in stays at ≤ 3 DB operations,
 * a correction before the close counts, and a duplicate sign-in can never mean a second award.
 */
import { awardPoints } from '../../core/points/ledger';
import { effectiveRules, type StoredRules } from '../../core/points/rules';
import { creditStudy, type CreditInput } from '../../core/study/credit';
import { ACTIVITY_TYPES } from '../../core/activity/rules';
import { dayOf } from '../../core/day';
import type { ActivityCtx } from './context';
import { C, getDoc, readAll, type StoredActivity, type StoredAttendance } from './store';

interface MemberDoc {
  _id: string;
  name: string;
  branchId: string;
  path: string[];
  role?: string;
  pointsDay?: string;
  pointsDayTotal?: number;
}

/** members per study transaction: each costs 2 reads and 2 writes inside it */
const STUDY_TX_CHUNK = 25;

async function rulesFor(ctx: ActivityCtx, path: string[]) {
  const _ = ctx.db.command;
  const res = await ctx.db.collection('points_rules').where({ _id: _.in(path) }).limit(path.length).get();
  const byId = new Map<string, StoredRules>((res.data as StoredRules[]).map((r) => [r._id, r]));
  const found = [...path].reverse().find((id) => byId.has(id));
  return found ? byId.get(found)! : null;
}

/**
 * Awards every present member of a finalised activity (or just `only`, for a correction after the
 * close). Idempotent: ledger ids are deterministic on both sides.
 */
export async function awardForAttendance(ctx: ActivityCtx, a: StoredActivity, only?: StoredAttendance[]): Promise<{ points: number; study: number }> {
  const { db, now } = ctx;
  const _ = db.command;
  const present = only ?? (await readAll<StoredAttendance>(db, C.attendance, { activityId: a._id, status: 'present' }));
  let points = 0;
  let study = 0;
  if (present.length) {
    const members = await readAll<MemberDoc>(db, C.members, { _id: _.in(present.map((r) => r.memberId)) }, {
      _id: true,
      name: true,
      branchId: true,
      path: true,
      role: true,
      pointsDay: true,
      pointsDayTotal: true,
    });
    const day = dayOf(a.startAt);
    const rules = effectiveRules(await rulesFor(ctx, a.hostPath), day);
    const perSignIn = rules.values['activity.signin'] ?? 0;
    const label = ACTIVITY_TYPES[a.type] ?? '组织生活';
    if (perSignIn > 0) {
      for (const m of members) {
        const out = await awardPoints(db, {
          member: m,
          day,
          now,
          rules,
          lines: [{ rule: 'activity.signin', points: perSignIn, reason: `${label}签到` }],
          reason: `参加${label}：${a.title}`.slice(0, 60),
          source: { type: 'activity', id: a._id },
        });
        if (!out.duplicate) points++;
      }
    }
    if (a.studyMinutes > 0) {
      const credits: CreditInput[] = members.map((m) => ({
        memberId: m._id,
        branchId: m.branchId,
        path: m.path ?? [],
        name: m.name,
        role: m.role,
        day,
        source: 'activity',
        sourceId: a._id,
        seconds: a.studyMinutes * 60,
        reason: `${label}：${a.title}`.slice(0, 60),
      }));
      for (let i = 0; i < credits.length; i += STUDY_TX_CHUNK) {
        const chunk = credits.slice(i, i + STUDY_TX_CHUNK);
        const out = await db.runTransaction(async (tx: unknown) => creditStudy(tx, chunk, now));
        study += out.credited;
      }
    }
  }
  if (!only) await db.collection(C.items).doc(a._id).update({ data: { awardedAt: now } });
  return { points, study };
}

/** 补学 done for an activity that counts: the same 学时 as attending, credited once. */
export async function creditMakeUp(ctx: ActivityCtx, a: StoredActivity, rec: StoredAttendance, inTx?: unknown): Promise<void> {
  if (a.studyMinutes <= 0) return;
  const { db, now } = ctx;
  const m = await getDoc<MemberDoc>(db, C.members, rec.memberId);
  if (!m) return;
  const label = ACTIVITY_TYPES[a.type] ?? '组织生活';
  // inside the caller's transaction when given (the make-up mark and its credit land together)
  const run = (body: (tx: unknown) => Promise<unknown>) => (inTx ? body(inTx) : db.runTransaction(body));
  await run(async (tx: unknown) =>
    creditStudy(
      tx,
      [
        {
          memberId: m._id,
          branchId: m.branchId,
          path: m.path ?? [],
          name: m.name,
          role: m.role,
          day: dayOf(now),
          source: 'activity',
          sourceId: a._id,
          seconds: a.studyMinutes * 60,
          reason: `补学 · ${label}：${a.title}`.slice(0, 60),
        },
      ],
      now,
    ),
  );
}

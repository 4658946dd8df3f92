/**
 * Points and 学时 for attendance, through the shared ledgers: points entries in `points_ledger`
 * (rule `activity.signin`, id `activity:<activityId>:<memberId>`), 学时 credits in `study_credits`
 * (source `activity`, id `activity:<activityId>:<memberId>`, so presence and a later 补学 can never
 * both credit the same activity) and the counters they feed (org_members points, study_totals).
 *
 * Awards are given when sign-in closes, not at each scan: a sign-in stays at ≤ 3 DB operations,
 * a correction before the close counts, and a duplicate sign-in can never mean a second award.
 *
 * The whole roster in a handful of writes, exactly once:
 *   - the entries and credits go in as one batch insert each (all or none), marked
 *     `closeOf: <activity>`; their ids are deterministic, so a retry collides instead of doubling,
 *     and what a retry finds already stored is finished one member at a time in a transaction;
 *   - each counter document is changed by one multi-document update per group of members whose
 *     change is the same, and that update also appends the activity's id to the document's
 *     `closeAwards` marker and only matches documents without it: each document's change and its
 *     marker land together (a single-document write is atomic), so a retry or the finalise timer
 *     after a half-done close changes nothing twice;
 *   - the points update also states what the daily cap was computed from (the member's points day
 *     and its total), so a quiz award landing in between makes it miss that member instead of
 *     breaking the cap; a member it missed (`stats.updated` short) is finished in a transaction;
 *   - the consistency rules count a `closeOf` record once its counter document carries the mark or
 *     the activity is awarded (core/consistency/rules.ts `settled`), so at every step of a close,
 *     also one that died half way, every counter equals the records it counts.
 * A correction after the close (one member) goes through that transaction directly.
 */
import { buildEntry, ledgerId, type LedgerEntry } from '../../core/points/ledger';
import { effectiveRules, type RuleSet, type StoredRules } from '../../core/points/rules';
import { applyCredit, creditId, creditStudy, newCreditDoc, totalsId, type CreditInput, type TotalsDoc } from '../../core/study/credit';
import { ACTIVITY_TYPES } from '../../core/activity/rules';
import { dayOf } from '../../core/day';
import { getDoc, isDuplicateKey, stripId } from '../../core/fn/db';
import type { ActivityCtx } from './context';
import { C, readAll, type Db, type StoredActivity, type StoredAttendance } from './store';

interface MemberDoc {
  _id: string;
  name: string;
  branchId: string;
  path: string[];
  role?: string;
  pointsDay?: string;
  pointsDayTotal?: number;
  closeAwards?: string[];
}

/** activities remembered in a counter document's `closeAwards`: far more than can be half-closed at once */
const MARKS_KEPT = 20;
const LEDGER = 'points_ledger';
const CREDITS = 'study_credits';
const TOTALS = 'study_totals';

const marked = (doc: { closeAwards?: unknown } | null | undefined, activityId: string) =>
  Array.isArray(doc?.closeAwards) && (doc!.closeAwards as unknown[]).includes(activityId);

const markList = (doc: { closeAwards?: unknown } | null | undefined, activityId: string): string[] =>
  [...(Array.isArray(doc?.closeAwards) ? (doc!.closeAwards as string[]) : []), activityId].slice(-MARKS_KEPT);

async function rulesFor(db: Db, path: string[]) {
  const _ = db.command;
  const res = await db.collection('points_rules').where({ _id: _.in(path) }).limit(path.length).get();
  const byId = new Map<string, StoredRules>((res.data as StoredRules[]).map((r) => [r._id, r]));
  const found = [...path].reverse().find((id) => byId.has(id));
  return found ? byId.get(found)! : null;
}

/**
 * Inserts `docs` as one batch; when some already exist (a retry, a correction that got there
 * first) it reads which and inserts the rest. Returns the ids that were already stored.
 */
async function insertNew(db: Db, coll: string, docs: Array<Record<string, unknown> & { _id: string }>): Promise<Set<string>> {
  const _ = db.command;
  const existing = new Set<string>();
  let todo = docs;
  for (let attempt = 1; todo.length; attempt++) {
    try {
      await db.collection(coll).add({ data: todo });
      break;
    } catch (e) {
      if (!isDuplicateKey(e) || attempt >= 4) throw e;
      const found = await readAll<{ _id: string }>(db, coll, { _id: _.in(todo.map((d) => d._id)) }, { _id: true });
      for (const f of found) existing.add(f._id);
      todo = todo.filter((d) => !existing.has(d._id));
    }
  }
  return existing;
}

interface AwardPlan {
  a: StoredActivity;
  day: string;
  label: string;
  now: Date;
}

// ------------------------------------------------------------------------------------------ points

/** One member, in a transaction (single-document reads and writes): the path for whatever the batch did not finish. */
async function pointsOne(db: Db, plan: AwardPlan, memberId: string, rules: RuleSet, perSignIn: number): Promise<boolean> {
  const _ = db.command;
  const source = { type: 'activity', id: plan.a._id };
  const id = ledgerId(source, memberId);
  return db.runTransaction(async (tx: Db) => {
    const m = await getDoc<MemberDoc>(tx, C.members, memberId);
    if (!m || marked(m, plan.a._id)) return false;
    const prior = await getDoc<LedgerEntry>(tx, LEDGER, id);
    // an entry this close did not write was given, with its points, by its own transaction
    if (prior && prior.closeOf !== plan.a._id) return false;
    const entry = entryFor(plan, m, rules, perSignIn);
    const sameDay = m.pointsDay === plan.day;
    const earlierDay = !!m.pointsDay && plan.day < m.pointsDay;
    await tx.collection(LEDGER).doc(id).set({ data: stripId(entry) });
    await tx
      .collection(C.members)
      .doc(memberId)
      .update({
        data: {
          pointsTotal: _.inc(entry.points),
          ...(earlierDay ? {} : { pointsDay: plan.day, pointsDayTotal: sameDay ? _.inc(entry.points) : entry.points }),
          closeAwards: markList(m, plan.a._id),
        },
      });
    return true;
  });
}

function entryFor(plan: AwardPlan, m: MemberDoc, rules: RuleSet, perSignIn: number): LedgerEntry {
  return {
    ...buildEntry({
      member: m,
      day: plan.day,
      now: plan.now,
      rules,
      lines: [{ rule: 'activity.signin', points: perSignIn, reason: `${plan.label}签到` }],
      reason: `参加${plan.label}：${plan.a.title}`.slice(0, 60),
      source: { type: 'activity', id: plan.a._id },
    }),
    closeOf: plan.a._id,
  };
}

async function awardPointsBatch(db: Db, plan: AwardPlan, members: MemberDoc[]): Promise<number> {
  const _ = db.command;
  const rules = effectiveRules(await rulesFor(db, plan.a.hostPath), plan.day);
  const perSignIn = rules.values['activity.signin'] ?? 0;
  if (perSignIn <= 0) return 0;
  const pending = members.filter((m) => !marked(m, plan.a._id));
  if (!pending.length) return 0;
  const entries = pending.map((m) => entryFor(plan, m, rules, perSignIn));
  const stored = await insertNew(db, LEDGER, entries);
  const slow: string[] = pending.filter((_m, i) => stored.has(entries[i]._id)).map((m) => m._id);

  // groups whose counter change is the same, each with the state the cap was computed from
  type Group = { where: Record<string, unknown>; data: Record<string, unknown>; ids: string[] };
  const groups = new Map<string, Group>();
  const mark = _.push({ each: [plan.a._id], slice: -MARKS_KEPT });
  pending.forEach((m, i) => {
    const e = entries[i];
    if (stored.has(e._id)) return;
    const sameDay = m.pointsDay === plan.day;
    let key: string;
    let g: Omit<Group, 'ids'>;
    if (sameDay && e.points !== perSignIn) {
      // cut by the cap: the update states the exact day total the cut was computed from
      key = `capped:${m.pointsDayTotal ?? 0}`;
      g = { where: { pointsDay: plan.day, pointsDayTotal: m.pointsDayTotal ?? 0 }, data: { pointsTotal: _.inc(e.points), pointsDayTotal: _.inc(e.points) } };
    } else if (sameDay) {
      key = 'same';
      g = { where: { pointsDay: plan.day, pointsDayTotal: _.lte(rules.dailyCap - perSignIn) }, data: { pointsTotal: _.inc(perSignIn), pointsDayTotal: _.inc(perSignIn) } };
    } else if (!m.pointsDay || m.pointsDay < plan.day) {
      // a new points day (none yet, or an earlier one): min(perSignIn, cap) for everyone alike
      key = 'new';
      g = { where: { pointsDay: _.not(_.gte(plan.day)) }, data: { pointsTotal: _.inc(e.points), pointsDay: plan.day, pointsDayTotal: e.points } };
    } else {
      // an award for an earlier day (closed after midnight) leaves today's cap count alone
      key = 'after';
      g = { where: { pointsDay: _.gt(plan.day) }, data: { pointsTotal: _.inc(e.points) } };
    }
    const got = groups.get(key) ?? { ...g, ids: [] };
    got.ids.push(m._id);
    groups.set(key, got);
  });
  let awarded = 0;
  for (const g of groups.values()) {
    const res = await db
      .collection(C.members)
      .where({ ...g.where, _id: _.in(g.ids), closeAwards: _.neq(plan.a._id) })
      .update({ data: { ...g.data, closeAwards: mark } });
    const updated = Number(res?.stats?.updated ?? 0);
    awarded += updated;
    if (updated < g.ids.length) {
      // someone's points changed since the read: find who is still unmarked
      const now = await readAll<MemberDoc>(db, C.members, { _id: _.in(g.ids) }, { _id: true, closeAwards: true });
      slow.push(...now.filter((m) => !marked(m, plan.a._id)).map((m) => m._id));
    }
  }
  for (const id of slow) if (await pointsOne(db, plan, id, rules, perSignIn)) awarded++;
  return awarded;
}

// --------------------------------------------------------------------------------------------- 学时

function creditFor(plan: AwardPlan, m: MemberDoc, reasonPrefix = ''): CreditInput {
  return {
    memberId: m._id,
    branchId: m.branchId,
    path: m.path ?? [],
    name: m.name,
    role: m.role,
    day: plan.day,
    source: 'activity',
    sourceId: plan.a._id,
    seconds: plan.a.studyMinutes * 60,
    reason: `${reasonPrefix}${plan.label}：${plan.a.title}`.slice(0, 60),
  };
}

/** One member, in a transaction: the credit (unless its own path gave it) and the totals with the marker. */
async function studyOne(db: Db, plan: AwardPlan, c: CreditInput): Promise<boolean> {
  const tid = totalsId(Number(c.day.slice(0, 4)), c.memberId);
  return db.runTransaction(async (tx: Db) => {
    const totals = await getDoc<TotalsDoc & { closeAwards?: string[] }>(tx, TOTALS, tid);
    if (marked(totals, plan.a._id)) return false;
    const prior = await getDoc<{ closeOf?: string }>(tx, CREDITS, creditId(c));
    if (prior && prior.closeOf !== plan.a._id) return false;
    const next = applyCredit(totals, c, plan.now);
    await tx.collection(CREDITS).doc(creditId(c)).set({ data: { ...newCreditDoc(c, plan.now), closeOf: plan.a._id } });
    await tx.collection(TOTALS).doc(tid).set({ data: { ...stripId(next), closeAwards: markList(totals, plan.a._id) } });
    return true;
  });
}

async function creditStudyBatch(db: Db, plan: AwardPlan, members: MemberDoc[]): Promise<number> {
  const _ = db.command;
  const credits = members.map((m) => creditFor(plan, m));
  const stored = await insertNew(
    db,
    CREDITS,
    credits.map((c) => ({ _id: creditId(c), ...newCreditDoc(c, plan.now), closeOf: plan.a._id })),
  );
  const slow = credits.filter((c) => stored.has(creditId(c)));
  const fresh = credits.filter((c) => !stored.has(creditId(c)));
  const year = Number(plan.day.slice(0, 4));
  const month = plan.day.slice(5, 7);
  const sec = plan.a.studyMinutes * 60;
  // reports follow where members are now: one update per branch
  const byBranch = new Map<string, CreditInput[]>();
  for (const c of fresh) {
    const k = `${c.branchId}|${c.path.join('/')}`;
    byBranch.set(k, [...(byBranch.get(k) ?? []), c]);
  }
  let credited = 0;
  const mark = _.push({ each: [plan.a._id], slice: -MARKS_KEPT });
  for (const group of byBranch.values()) {
    const ids = group.map((c) => totalsId(year, c.memberId));
    const res = await db
      .collection(TOTALS)
      .where({ _id: _.in(ids), closeAwards: _.neq(plan.a._id) })
      .update({
        data: {
          totalSec: _.inc(sec),
          bySource: { activity: _.inc(sec) },
          byMonth: { [month]: _.inc(sec) },
          credits: _.inc(1),
          branchId: group[0].branchId,
          path: group[0].path,
          updatedAt: plan.now,
          closeAwards: mark,
        },
      });
    const updated = Number(res?.stats?.updated ?? 0);
    credited += updated;
    if (updated === group.length) continue;
    // a member's first 学时 of the year (no totals yet), or a retry that finds some marked
    const have = await readAll<{ _id: string; closeAwards?: string[] }>(db, TOTALS, { _id: _.in(ids) }, { _id: true, closeAwards: true });
    const byId = new Map(have.map((t) => [t._id, t]));
    const missing = group.filter((c) => !byId.has(totalsId(year, c.memberId)));
    slow.push(...group.filter((c) => byId.has(totalsId(year, c.memberId)) && !marked(byId.get(totalsId(year, c.memberId)), plan.a._id)));
    if (missing.length) {
      const docs = missing.map((c) => ({ ...applyCredit(null, c, plan.now), closeAwards: [plan.a._id] }));
      try {
        await db.collection(TOTALS).add({ data: docs });
        credited += docs.length;
      } catch (e) {
        // created meanwhile by another credit: those go one at a time
        if (!isDuplicateKey(e)) throw e;
        slow.push(...missing);
      }
    }
  }
  for (const c of slow) if (await studyOne(db, plan, c)) credited++;
  return credited;
}

/**
 * Awards the present members of a closing or closed activity (`present`: their records; read when
 * not given). Idempotent and resumable: see the top of this file.
 */
export async function awardForAttendance(ctx: ActivityCtx, a: StoredActivity, present?: StoredAttendance[]): Promise<{ points: number; study: number }> {
  const { db, now } = ctx;
  const _ = db.command;
  const list = present ?? (await readAll<StoredAttendance>(db, C.attendance, { activityId: a._id, status: 'present' }));
  if (!list.length) return { points: 0, study: 0 };
  const members = await readAll<MemberDoc>(db, C.members, { _id: _.in(list.map((r) => r.memberId)) }, {
    _id: true,
    name: true,
    branchId: true,
    path: true,
    role: true,
    pointsDay: true,
    pointsDayTotal: true,
    closeAwards: true,
  });
  const plan: AwardPlan = { a, day: dayOf(a.startAt), label: ACTIVITY_TYPES[a.type] ?? '组织生活', now };
  if (members.length === 1) {
    // one member (a correction after the close): one transaction is cheaper than the batch
    const rules = effectiveRules(await rulesFor(db, a.hostPath), plan.day);
    const perSignIn = rules.values['activity.signin'] ?? 0;
    const points = perSignIn > 0 && (await pointsOne(db, plan, members[0]._id, rules, perSignIn)) ? 1 : 0;
    const study = a.studyMinutes > 0 && (await studyOne(db, plan, creditFor(plan, members[0]))) ? 1 : 0;
    return { points, study };
  }
  const points = await awardPointsBatch(db, plan, members);
  const study = a.studyMinutes > 0 ? await creditStudyBatch(db, plan, members) : 0;
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
  await run(async (tx: unknown) => creditStudy(tx, [{ ...creditFor({ a, day: dayOf(now), label, now }, m, '补学 · ') }], now));
}

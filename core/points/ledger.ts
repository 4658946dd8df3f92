/**
 * The points ledger (积分账本, shown to members as 红色手账). One document per award event with
 * its lines, reason and the record it came from; a member's running totals ride on their
 * org_members document (read anyway to identify the caller), so awarding costs one transaction:
 * one read and two writes that land together or not at all.
 *
 * API for any feature (bundled into its function):
 *
 *   const out = await awardPoints(db, {
 *     member,                      // the caller's stored org_members doc (ctx.caller.doc)
 *     day, now, rules,             // rules = effectiveRules(rulesDoc, day)
 *     lines: [{ rule: 'activity.signin', points: rules.values['activity.signin'], reason: '主题党日签到' }],
 *     reason: '参加 11 月主题党日',
 *     source: { type: 'activity', id: activityId },
 *   });
 *
 * The ledger `_id` is `${source.type}:${source.id}:${memberId}`: a retry or a second device makes
 * the same id, the transaction finds it (or conflicts with the concurrent one and re-reads it), and
 * the stored entry is returned instead (`duplicate: true`). The daily cap applies across every feature.
 * `awardPointsMarked` does the same in two writes without a transaction where the member's document
 * can say whether the award has landed (the daily quiz, the largest writer of the day).
 */
import { getDoc, isDuplicateKey } from '../fn/db';
import type { RuleSet } from './rules';
import { ledgerId, type AwardLine, type LedgerEntry, type MemberPoints } from './stored';

export { ledgerId, type AwardLine, type LedgerEntry, type MemberPoints } from './stored';

export function pointsToday(member: MemberPoints, day: string): number {
  return member.pointsDay === day ? (member.pointsDayTotal ?? 0) : 0;
}

/** Applies the daily cap to the lines in order; later lines are cut first. */
export function applyCap(lines: AwardLine[], alreadyToday: number, cap: number): { lines: AwardLine[]; points: number; capped: number } {
  let room = Math.max(0, cap - alreadyToday);
  let capped = 0;
  const out = lines
    .filter((l) => l.points > 0)
    .map((l) => {
      const granted = Math.min(l.points, room);
      room -= granted;
      capped += l.points - granted;
      return { ...l, points: granted };
    });
  return { lines: out, points: out.reduce((s, l) => s + l.points, 0), capped };
}

export interface AwardInput {
  member: { _id: string; branchId?: string | null } & MemberPoints;
  day: string;
  now: Date;
  rules: RuleSet;
  lines: AwardLine[];
  reason: string;
  source: { type: string; id: string };
  /** feature data stored on the entry (e.g. the quiz answer) */
  extra?: Record<string, unknown>;
  /** more fields for the same org_members update (e.g. the quiz counters): no extra write */
  memberPatch?: Record<string, unknown>;
}

export function buildEntry(input: Omit<AwardInput, 'memberPatch'>): LedgerEntry {
  const { member, day, now, rules } = input;
  const capped = applyCap(input.lines, pointsToday(member, day), rules.dailyCap);
  return {
    ...(input.extra ?? {}),
    _id: ledgerId(input.source, member._id),
    memberId: member._id,
    branchId: member.branchId ?? null,
    day,
    at: now,
    points: capped.points,
    lines: capped.lines,
    capped: capped.capped,
    reason: input.reason,
    source: input.source,
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export { isDuplicateKey } from '../fn/db';

/**
 * Inserts the entry and updates the member's totals in one transaction (start, 1 read, 2 writes,
 * commit): a function that fails or times out between the two writes must not leave an entry whose
 * points (or quiz counters) never reached the member, because the retry would then see a duplicate
 * and never add them. On a duplicate it returns the stored entry and changes nothing.
 */
/** The points part of the member's update: the running total, and today's count for the daily cap. */
function pointsPatch(db: any, member: MemberPoints, day: string, points: number): Record<string, unknown> {
  const _ = db.command;
  const sameDay = member.pointsDay === day;
  // an award for an earlier day (an activity closed after midnight) must not reset today's cap count
  const earlierDay = !!member.pointsDay && day < member.pointsDay;
  return { pointsTotal: _.inc(points), ...(earlierDay ? {} : { pointsDay: day, pointsDayTotal: sameDay ? _.inc(points) : points }) };
}

export async function awardPoints(db: any, input: AwardInput): Promise<{ entry: LedgerEntry; duplicate: boolean }> {
  const entry = buildEntry(input);
  const { _id, ...data } = entry;
  return db.runTransaction(async (tx: any) => {
    const res = await tx.collection('points_ledger').doc(_id).get();
    const stored = (Array.isArray(res?.data) ? res.data[0] : res?.data) as LedgerEntry | undefined;
    if (stored) return { entry: stored, duplicate: true };
    await tx.collection('points_ledger').doc(_id).set({ data });
    await tx
      .collection('org_members')
      .doc(input.member._id)
      .update({
        data: { ...(input.memberPatch ?? {}), ...pointsPatch(db, input.member, input.day, entry.points) },
      });
    return { entry, duplicate: false };
  });
}

export interface MarkedAwardInput extends Omit<AwardInput, 'memberPatch'> {
  /**
   * A condition on the member's document that holds until this award's update has landed, and never
   * after (the daily quiz: the day is not yet among `quizRecent`, which the update adds).
   */
  unapplied: Record<string, unknown>;
  /** the rest of the member's update, from the entry that is stored (a retry's may differ from it) */
  memberPatch: (entry: LedgerEntry) => Record<string, unknown>;
}

/**
 * The same award in two writes and no transaction, for an award whose member update says whether
 * it has landed (`unapplied`). The entry is inserted with its deterministic id (a duplicate hands back
 * the stored one); then the member is updated only where `unapplied` still holds. A call that dies
 * between the two writes was never acknowledged, and its retry (the same id) finishes the update; a
 * second call or device finds the condition false and updates nothing. Points and counters land
 * exactly once; until the retry they are missing, never doubled (the consistency check reports it).
 * Insert + conditional update: 2 writes instead of the transaction's start, read, 2 writes, commit.
 */
export async function awardPointsMarked(db: any, input: MarkedAwardInput): Promise<{ entry: LedgerEntry; duplicate: boolean }> {
  let entry = buildEntry(input);
  let duplicate = false;
  try {
    await db.collection('points_ledger').add({ data: entry });
  } catch (e) {
    if (!isDuplicateKey(e)) throw e;
    const stored = await getDoc<LedgerEntry>(db, 'points_ledger', entry._id);
    if (!stored) throw e;
    entry = stored;
    duplicate = true;
  }
  await db
    .collection('org_members')
    .where({ _id: input.member._id, ...input.unapplied })
    .update({ data: { ...input.memberPatch(entry), ...pointsPatch(db, input.member, entry.day, entry.points) } });
  return { entry, duplicate };
}

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
 */
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

export function buildEntry(input: AwardInput): LedgerEntry {
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
export async function awardPoints(db: any, input: AwardInput): Promise<{ entry: LedgerEntry; duplicate: boolean }> {
  const entry = buildEntry(input);
  const { _id, ...data } = entry;
  const _ = db.command;
  const sameDay = input.member.pointsDay === input.day;
  // an award for an earlier day (an activity closed after midnight) must not reset today's cap count
  const earlierDay = !!input.member.pointsDay && input.day < input.member.pointsDay;
  return db.runTransaction(async (tx: any) => {
    const res = await tx.collection('points_ledger').doc(_id).get();
    const stored = (Array.isArray(res?.data) ? res.data[0] : res?.data) as LedgerEntry | undefined;
    if (stored) return { entry: stored, duplicate: true };
    await tx.collection('points_ledger').doc(_id).set({ data });
    await tx
      .collection('org_members')
      .doc(input.member._id)
      .update({
        data: {
          ...(input.memberPatch ?? {}),
          pointsTotal: _.inc(entry.points),
          ...(earlierDay ? {} : { pointsDay: input.day, pointsDayTotal: sameDay ? _.inc(entry.points) : entry.points }),
        },
      });
    return { entry, duplicate: false };
  });
}

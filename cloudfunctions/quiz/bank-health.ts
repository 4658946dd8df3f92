/**
 * The bank's health for its organiser: by type and by topic, how many questions are active and how
 * many are still fresh this cycle (after the walk's cursor), how long each type lasts at the day's
 * mix, and the first day the set repeats questions. Two aggregates over the bank.
 */
import type { Db } from '../../core/fn/db';
import { addDays } from '../../core/day';
import type { BankHealth } from '../../core/quiz/contracts';
import { DEFAULT_MIX, type QuizConfig } from '../../core/quiz/stored';
import { QUESTION_TYPES, type QuestionType } from '../../core/quiz/question';

const TOPICS = 30;

/** Whole days `fresh` questions of a type last when `perDay × share` of them go each day. */
export function typeDays(fresh: number, perDay: number, weight: number, totalWeight: number): number | null {
  if (weight <= 0 || totalWeight <= 0) return null;
  return Math.floor(fresh / Math.max(1e-9, (perDay * weight) / totalWeight));
}

export async function bankHealth(db: Db, cfg: QuizConfig, today: string, freshDays: number): Promise<BankHealth> {
  const _ = db.command;
  const $ = db.command.aggregate;
  const match = { orgId: _.in(cfg.orgPath), status: 'active' };
  const isFresh = $.cond([$.gt(['$order', cfg.cursor]), 1, 0]);
  const [types, tags] = await Promise.all([
    db.collection('quiz_questions').aggregate().match(match).group({ _id: '$type', active: $.sum(1), fresh: $.sum(isFresh) }).limit(10).end(),
    db
      .collection('quiz_questions')
      .aggregate()
      .match(match)
      .project({ tags: $.cond([$.gt([$.size($.ifNull(['$tags', []])), 0]), '$tags', ['']]), order: 1 })
      .unwind('$tags')
      .group({ _id: '$tags', active: $.sum(1), fresh: $.sum(isFresh) })
      .sort({ active: -1, _id: 1 })
      .limit(TOPICS + 1)
      .end(),
  ]);
  const mix = { ...DEFAULT_MIX, ...(cfg.mix ?? {}) } as Record<QuestionType, number>;
  const byTypeList = (types.list ?? []) as Array<{ _id: QuestionType; active: number; fresh: number }>;
  const offered = QUESTION_TYPES.filter((t) => byTypeList.some((r) => r._id === t && r.active > 0));
  const totalWeight = offered.reduce((a, t) => a + mix[t], 0);
  const byType = QUESTION_TYPES.map((type) => {
    const r = byTypeList.find((x) => x._id === type);
    const fresh = r?.fresh ?? 0;
    return { type, key: type, active: r?.active ?? 0, fresh, days: r ? typeDays(fresh, cfg.perDay, mix[type], totalWeight) : null };
  });
  const tagRows = (tags.list ?? []) as Array<{ _id: string; active: number; fresh: number }>;
  const untagged = tagRows.find((r) => r._id === '');
  // today's set is already out when `used` names today: the fresh days start tomorrow
  const todayOut = Object.values(cfg.used ?? {}).includes(today);
  return {
    byType,
    byTag: tagRows.filter((r) => r._id !== '').slice(0, TOPICS).map((r) => ({ key: r._id, active: r.active, fresh: r.fresh, days: null })),
    untagged: { active: untagged?.active ?? 0, fresh: untagged?.fresh ?? 0 },
    runsOutOn: addDays(today, freshDays + (todayOut ? 1 : 0)),
    mix,
  };
}

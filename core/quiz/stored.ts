/**
 * The quiz's stored documents (quiz_config, quiz_sets, the daily set's answer record in
 * points_ledger) and the one place each is built: the function, the seed, the benches and the
 * tests all call these.
 */
import { ledgerId, type LedgerEntry } from '../points/stored';
import type { QuestionType, StoredQuestion } from './question';

export const DEFAULT_PER_DAY = 5;

/** Relative weights of the question types in a daily set; a type weighted 0 is left out while others last. */
export type TypeMix = Partial<Record<QuestionType, number>>;
/** Five a day: two single choice, one each of multiple choice, true/false and fill-in. */
export const DEFAULT_MIX: Readonly<Record<QuestionType, number>> = { single: 2, multi: 1, judge: 1, fill: 1 };

export interface QuizConfig {
  _id: string;
  orgId: string;
  /** the org's full path (ancestors then itself): banks of all of these feed its daily set */
  orgPath: string[];
  perDay: number;
  /** the mix of question types per set (absent: DEFAULT_MIX) */
  mix?: TypeMix;
  cursor: string;
  cycle: number;
  pinnedInCycle: Array<{ id: string; order: string }>;
  /**
   * question id → the last day it was in this org's daily set. Written with each set; practice
   * may only check questions found here (core/quiz/practice.ts). Absent on a config stored before
   * it existed: the next set chosen rebuilds it from the stored sets.
   */
  used?: Record<string, string>;
  updatedAt?: Date | string;
}

export interface StoredSet {
  _id: string;
  orgId: string;
  day: string;
  materialised: boolean;
  /** pinned question ids, in order, set by an organiser before the day */
  pinned: string[];
  /** the day's questions as they were when chosen (answers included: server side only) */
  questions: StoredQuestion[];
  cycle?: number;
  createdAt?: Date | string;
}

export const setId = (orgId: string, day: string) => `${orgId}:${day}`;

export function newConfig(orgId: string, orgPath: string[], perDay = DEFAULT_PER_DAY): QuizConfig {
  return { _id: orgId, orgId, orgPath, perDay, cursor: '', cycle: 1, pinnedInCycle: [] };
}

/** The daily set of `day` as chosen when the first member of the org opens it (`quiz_sets`). */
export function newDailySet(
  org: { orgId: string; orgName: string },
  day: string,
  pick: { questions: StoredQuestion[]; cycle: number },
  pinned: string[],
  at: Date,
): StoredSet & { orgName: string } {
  return { _id: setId(org.orgId, day), orgId: org.orgId, orgName: org.orgName, day, materialised: true, pinned, questions: pick.questions, cycle: pick.cycle, createdAt: at };
}

/** A day's questions pinned by an organiser before anyone opens the set (`quiz_sets`, without `_id`). */
export function pinnedSetData(orgId: string, day: string, pinned: string[], byId: string, at: Date) {
  return { orgId, day, materialised: false, pinned, questions: [] as StoredQuestion[], pinnedBy: byId, updatedAt: at };
}

/** What a daily set's ledger entry keeps of the answers (`quiz` on the entry). */
export interface QuizRecord {
  orgId?: string;
  setId?: string;
  correct: number;
  total: number;
  wrong: number;
  streak?: number;
  results: Array<{ id: string; correct: boolean; choice: string[] }>;
}

/**
 * A past day's answer record as the quiz function stores it (awardPoints builds today's): for
 * benches and tests that need a member's history without answering each day.
 */
export function pastQuizEntry(
  member: { _id: string; branchId: string | null },
  day: string,
  at: Date,
  quiz: QuizRecord,
  points = 0,
  reason = `每日答题 ${day}`,
): LedgerEntry & { quiz: QuizRecord } {
  const source = { type: 'quiz', id: day };
  return { _id: ledgerId(source, member._id), memberId: member._id, branchId: member.branchId, day, at, points, lines: [], capped: 0, reason, source, quiz };
}

/**
 * What a submitted daily set or practice round means: which answers count, the points lines a
 * daily set earns, and the wrong book (错题本) folded from the member's answer records. Pure: the
 * quiz function reads the set, the ledger and the mastered list and hands them in.
 */
import { AppError } from '../fn/errors';
import type { AwardLine } from '../points/stored';
import { streakBonus, type RuleSet } from '../points/rules';
import { choiceProblem, type StoredQuestion } from './question';

export interface Answer {
  questionId: string;
  choice: string[];
}

/** The answers must cover the questions exactly, once each, with options that exist. */
export function checkAnswers(questions: ReadonlyArray<Pick<StoredQuestion, '_id' | 'type' | 'options'> & { answer?: string[] }>, answers: readonly Answer[]): Map<string, string[]> {
  const byId = new Map(questions.map((q) => [q._id, q]));
  const out = new Map<string, string[]>();
  const problems: Array<{ questionId: string; message: string }> = [];
  for (const a of answers) {
    const q = byId.get(a.questionId);
    if (!q) problems.push({ questionId: a.questionId, message: '这道题不在本次题目中' });
    else if (out.has(a.questionId)) problems.push({ questionId: a.questionId, message: '同一道题只能作答一次' });
    else {
      const p = choiceProblem(q, a.choice);
      if (p) problems.push({ questionId: a.questionId, message: p });
      else out.set(a.questionId, a.choice);
    }
  }
  if (problems.length) throw new AppError('INVALID_ARGUMENT', problems[0].message, { problems });
  const missing = questions.filter((q) => !out.has(q._id));
  if (missing.length) throw new AppError('INVALID_ARGUMENT', `还有 ${missing.length} 道题没有作答`, { missing: missing.map((q) => q._id) });
  return out;
}

/**
 * The points lines of a daily set with `correct` of `total` right on the `streak`-th day running.
 * None for a member who answers for the record only (quizUnranked).
 */
export function quizAwardLines(rules: RuleSet, correct: number, total: number, streak: number, unranked: boolean): AwardLine[] {
  if (unranked) return [];
  const lines: AwardLine[] = [
    { rule: 'quiz.participate', points: rules.values['quiz.participate'], reason: '参与每日答题' },
    { rule: 'quiz.correct', points: rules.values['quiz.correct'] * correct, reason: `答对 ${correct} 题` },
  ];
  if (correct === total) lines.push({ rule: 'quiz.fullSet', points: rules.values['quiz.fullSet'], reason: '全部答对' });
  const bonus = streakBonus(rules, streak);
  if (bonus) lines.push({ rule: 'quiz.streak', points: bonus.points, reason: `连续答题 ${streak} 天` });
  return lines;
}

/** One question's result as the daily set's ledger entry keeps it (`quiz.results`). */
export interface StoredResult {
  id: string;
  correct: boolean;
  choice: string[];
}

export interface WrongBookItem {
  lastChoice: string[];
  lastDay: string;
  /** daily sets in which the member missed it */
  times: number;
}

/**
 * The wrong book from the member's daily-set records, newest day first: each missed question with
 * the choice of its latest miss and how often it was missed. A question mastered in practice on or
 * after its latest miss (`mastered`: id → day) stays out until it is missed again.
 */
export function foldWrongBook(
  entries: ReadonlyArray<{ day: string; quiz?: { results?: readonly StoredResult[] } }>,
  mastered: Readonly<Record<string, string>>,
): Map<string, WrongBookItem> {
  const items = new Map<string, WrongBookItem>();
  for (const e of entries) {
    for (const r of e.quiz?.results ?? []) {
      if (r.correct) continue;
      const prev = items.get(r.id);
      if (prev) prev.times++;
      else items.set(r.id, { lastChoice: r.choice, lastDay: e.day, times: 1 });
    }
  }
  for (const [id, it] of items) if (mastered[id] && mastered[id] >= it.lastDay) items.delete(id);
  return items;
}

/** The mastered list after practice on `day` got `rightIds` right: only questions in the book count. */
export function masterAfterPractice(
  book: ReadonlyMap<string, WrongBookItem>,
  mastered: Readonly<Record<string, string>>,
  rightIds: readonly string[],
  day: string,
): { mastered: string[]; ids: Record<string, string> } {
  const now = rightIds.filter((i) => book.has(i));
  const ids = { ...mastered };
  for (const i of now) ids[i] = day;
  return { mastered: now, ids };
}

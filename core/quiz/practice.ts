/**
 * Which questions practice (练习错题, 专题练习) may show and check. Checking a practice answer hands
 * out the answer and its 解析, so practice must never be a way to learn a daily set's answers before
 * that set is answered. A question may be checked when:
 *
 * - it is in the member's wrong book (they answered it in a daily set and were shown the answer), or
 * - it has been in a daily set of the member's quiz org (`QuizConfig.used`) on a day that is closed
 *   for them (an earlier day, or one they have submitted), and the walk will not bring it back soon:
 *   its `order` is not after the cursor (unless it was pinned ahead of the cursor this cycle, which
 *   the walk then skips), it is not pinned for today or a later day, and it is not among the first
 *   questions of the next cycle when the walk wraps within LOOKAHEAD_DAYS.
 *
 * Never, whatever the above: a question of a set the member may still submit (today's, yesterday's
 * until 00:30). A question no daily set has had yet (newly imported, or ahead of the walk) is never
 * practicable, so nobody learns an answer before the question is asked. Pure: the function reads
 * the pins and the wrap (60 s per instance) and hands them in.
 */
import { freshDays, type QuizConfig } from './daily-set';
import { acceptableDays } from './day';
import type { StoredQuestion } from './question';

/** questions a member may check in practice per day (Asia/Shanghai); ten rounds of ten */
export const PRACTICE_CHECKS_PER_DAY = 100;
/** how far ahead practice keeps the walk's questions back once it is about to wrap */
export const LOOKAHEAD_DAYS = 7;

export interface PracticeGate {
  cfg: Pick<QuizConfig, 'cursor' | 'pinnedInCycle' | 'used'>;
  /** days whose set the member may still submit and has not */
  openDays: readonly string[];
  /** questions of a set the member may still submit */
  open: ReadonlySet<string>;
  /** questions pinned for today or later, and the next cycle's first questions when it is near */
  ahead: ReadonlySet<string>;
}

/**
 * Days whose set the member may still submit and has not: today's, and yesterday's until 00:30,
 * less the days they answered (the last one, and the recent days kept for the trend).
 */
export interface PracticeMember {
  quizLastDay?: string;
  quizRecent?: readonly string[];
}

export function openDaysFor(now: Date, m: PracticeMember): string[] {
  return acceptableDays(now).filter((d) => d !== m.quizLastDay && !(m.quizRecent ?? []).includes(d));
}

/** A question from the bank (any mode): may it be shown in practice and checked? */
export function practicable(q: Pick<StoredQuestion, '_id' | 'order'>, g: PracticeGate): boolean {
  const lastDay = g.cfg.used?.[q._id];
  if (!lastDay || g.openDays.includes(lastDay)) return false;
  if (g.open.has(q._id) || g.ahead.has(q._id)) return false;
  // still to come in this cycle: the walk has not reached it yet
  if (q.order > g.cfg.cursor && !g.cfg.pinnedInCycle.some((p) => p.id === q._id)) return false;
  return true;
}

/**
 * How many questions from the top of the order the walk may take within `days` days: all of them
 * are held back from practice. 0 while the questions after the cursor last longer than that.
 */
export function wrapHeadSize(cfg: Pick<QuizConfig, 'perDay' | 'cursor' | 'pinnedInCycle'>, activeAfterCursor: number, days = LOOKAHEAD_DAYS): number {
  return freshDays(cfg, activeAfterCursor) < days ? days * Math.max(1, cfg.perDay) : 0;
}

/** The member's practice counter, kept on their org_members document (read anyway for the caller). */
export interface MemberPracticeFields {
  quizPracticeDay?: string;
  quizPracticeChecks?: number;
}

/** Questions the member has checked in practice on `day`. */
export function practiceChecksOn(m: MemberPracticeFields, day: string): number {
  return m.quizPracticeDay === day ? (m.quizPracticeChecks ?? 0) : 0;
}

export const practiceLimitMessage = (limit = PRACTICE_CHECKS_PER_DAY) => `今天已核对 ${limit} 道练习题，达到每日上限，请明天再来练习`;

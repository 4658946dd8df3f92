/**
 * The daily set (每日答题): every member of an org gets the same N questions on a day. The bank is
 * walked in `order` (a stable pseudo-random key) with a cursor kept per org, so no question repeats
 * until every active question has been used once (a "cycle"); then the walk starts again.
 * Questions an organiser pins for a date (e.g. 七一) come first and are skipped by the walk for the
 * rest of the cycle. The chosen set is persisted per org and day the first time anyone asks.
 */
import type { StoredQuestion } from './question';
import type { QuizConfig } from './stored';

export { DEFAULT_PER_DAY, newConfig, setId, type QuizConfig, type StoredSet } from './stored';

export const MAX_PER_DAY = 20;
/** below this many days of fresh questions the organiser's page warns */
export const LOW_BANK_DAYS = 14;

export interface PickInput {
  config: Pick<QuizConfig, 'perDay' | 'cursor' | 'cycle' | 'pinnedInCycle'>;
  /** active questions, in order, strictly after the cursor */
  afterCursor: StoredQuestion[];
  /** active questions from the start of the order (used only when the walk wraps) */
  fromStart: StoredQuestion[];
  /** pinned questions for the day, already checked active */
  pinned: StoredQuestion[];
}

export interface PickResult {
  questions: StoredQuestion[];
  cursor: string;
  cycle: number;
  pinnedInCycle: Array<{ id: string; order: string }>;
  wrapped: boolean;
}

export function pickDailySet(input: PickInput): PickResult {
  const n = input.config.perDay;
  const chosen: StoredQuestion[] = input.pinned.slice(0, n);
  const chosenIds = new Set(chosen.map((q) => q._id));
  const usedThisCycle = new Set(input.config.pinnedInCycle.map((p) => p.id));
  let cursor = input.config.cursor;
  let cycle = input.config.cycle;
  let pinnedInCycle = [...input.config.pinnedInCycle];
  let wrapped = false;
  for (const q of input.afterCursor) {
    if (chosen.length >= n) break;
    cursor = q.order;
    if (chosenIds.has(q._id) || usedThisCycle.has(q._id)) continue;
    chosen.push(q);
    chosenIds.add(q._id);
  }
  if (chosen.length < n) {
    // the bank is used up: a new cycle starts from the top of the order
    wrapped = true;
    cycle += 1;
    cursor = '';
    pinnedInCycle = [];
    for (const q of input.fromStart) {
      if (chosen.length >= n) break;
      cursor = q.order;
      if (chosenIds.has(q._id)) continue;
      chosen.push(q);
      chosenIds.add(q._id);
    }
  }
  for (const q of input.pinned.slice(0, n)) {
    // a pinned question ahead of the cursor must not come round again this cycle
    if (q.order > cursor && !pinnedInCycle.some((p) => p.id === q._id)) pinnedInCycle.push({ id: q._id, order: q.order });
  }
  pinnedInCycle = pinnedInCycle.filter((p) => p.order > cursor);
  return { questions: chosen, cursor, cycle, pinnedInCycle, wrapped };
}

/** `used` with the questions of `day`'s set added. */
export function markUsed(used: Record<string, string> | undefined, questions: Array<{ _id: string }>, day: string): Record<string, string> {
  const out = { ...(used ?? {}) };
  for (const q of questions) if (!out[q._id] || out[q._id] < day) out[q._id] = day;
  return out;
}

/** Whole days of questions not yet used in this cycle. */
export function freshDays(config: Pick<QuizConfig, 'perDay' | 'cursor' | 'pinnedInCycle'>, activeAfterCursor: number): number {
  const ahead = config.pinnedInCycle.filter((p) => p.order > config.cursor).length;
  return Math.max(0, Math.floor((activeAfterCursor - ahead) / Math.max(1, config.perDay)));
}

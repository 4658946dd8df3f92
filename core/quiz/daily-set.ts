/**
 * The daily set (每日答题): every member of an org gets the same N questions on a day. The bank is
 * walked in `order` (a stable pseudo-random key) with a cursor kept per org, so no question repeats
 * until every active question has been used once (a "cycle"); then the walk starts again.
 * Questions an organiser pins for a date (e.g. 七一) come first and are skipped by the walk for the
 * rest of the cycle. The chosen set is persisted per org and day the first time anyone asks.
 */
import { QUESTION_TYPES, type QuestionType, type StoredQuestion } from './question';
import type { QuizConfig, TypeMix } from './stored';

export { DEFAULT_MIX, DEFAULT_PER_DAY, newConfig, setId, type QuizConfig, type StoredSet, type TypeMix } from './stored';
import { DEFAULT_MIX } from './stored';

export const MAX_PER_DAY = 20;
/** below this many days of fresh questions the organiser's page warns */
export const LOW_BANK_DAYS = 14;

/**
 * How far past the cursor the walk looks to mix types: perDay × this. Questions it takes ahead of
 * a skipped one are remembered in `pinnedInCycle`, so nothing is lost and nothing repeats.
 */
export const MIX_LOOKAHEAD = 4;

/** Questions after the cursor the function reads to choose a day's set. */
export const walkWindow = (cfg: Pick<QuizConfig, 'perDay' | 'pinnedInCycle'>, pinned = 0) =>
  Math.min(1000, cfg.perDay * MIX_LOOKAHEAD + cfg.pinnedInCycle.length + pinned);

export interface PickInput {
  config: Pick<QuizConfig, 'perDay' | 'cursor' | 'cycle' | 'pinnedInCycle'> & { mix?: TypeMix };
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

/**
 * Which type the next question should be: the one furthest below its share of `mix` among the
 * types still on offer (ties: the fixed type order). A type weighted 0 is taken only when nothing
 * else is left.
 */
export function nextType(mix: TypeMix, counts: Readonly<Partial<Record<QuestionType, number>>>, offered: ReadonlySet<QuestionType>): QuestionType | null {
  const types = QUESTION_TYPES.filter((t) => offered.has(t));
  if (!types.length) return null;
  const weight = (t: QuestionType) => Math.max(0, mix[t] ?? 0);
  const total = types.reduce((a, t) => a + weight(t), 0);
  if (total === 0) return types[0];
  const n = types.reduce((a, t) => a + (counts[t] ?? 0), 0) + 1;
  let best: QuestionType | null = null;
  let bestGap = -Infinity;
  for (const t of types) {
    if (weight(t) === 0) continue;
    const gap = (weight(t) / total) * n - (counts[t] ?? 0);
    if (gap > bestGap + 1e-9) {
      best = t;
      bestGap = gap;
    }
  }
  return best;
}

export function pickDailySet(input: PickInput): PickResult {
  const n = input.config.perDay;
  const mix = input.config.mix ?? DEFAULT_MIX;
  const chosen: StoredQuestion[] = input.pinned.slice(0, n);
  const chosenIds = new Set(chosen.map((q) => q._id));
  const usedThisCycle = new Set(input.config.pinnedInCycle.map((p) => p.id));
  let cursor = input.config.cursor;
  let cycle = input.config.cycle;
  let pinnedInCycle = [...input.config.pinnedInCycle];
  let wrapped = false;
  // the walk's window: fresh questions after the cursor, in order
  const fresh = input.afterCursor.filter((q) => !chosenIds.has(q._id) && !usedThisCycle.has(q._id));
  const window = fresh.slice(0, Math.max(n, n * MIX_LOOKAHEAD));
  const counts: Partial<Record<QuestionType, number>> = {};
  for (const q of chosen) counts[q.type] = (counts[q.type] ?? 0) + 1;
  while (chosen.length < n && window.length) {
    const t = nextType(mix, counts, new Set(window.map((q) => q.type)));
    const at = window.findIndex((q) => q.type === t);
    const [q] = window.splice(at < 0 ? 0 : at, 1);
    chosen.push(q);
    chosenIds.add(q._id);
    counts[q.type] = (counts[q.type] ?? 0) + 1;
  }
  // the cursor passes every question used up to the first one still fresh; what was taken beyond it is remembered
  for (const q of input.afterCursor) {
    if (!chosenIds.has(q._id) && !usedThisCycle.has(q._id)) break;
    cursor = q.order;
  }
  const walked = input.afterCursor.filter((q) => chosenIds.has(q._id));
  for (const q of walked) {
    if (q.order > cursor && !pinnedInCycle.some((p) => p.id === q._id)) pinnedInCycle.push({ id: q._id, order: q.order });
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

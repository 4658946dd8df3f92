/**
 * Points rules (积分规则): data an organiser sees and changes, never constants buried in code.
 * Every rule key any feature awards lives in RULE_KEYS, so the member's 红色手账 can name each line.
 *
 * A change made on day D takes effect on day D+1 (members see the upcoming rules in advance), so
 * nobody's points for today change under them.
 */
import { z } from 'zod';

export const RULE_KEYS = {
  'quiz.participate': { label: '参与每日答题', unit: '每天', feature: 'quiz' },
  'quiz.correct': { label: '每答对 1 题', unit: '每题', feature: 'quiz' },
  'quiz.fullSet': { label: '当天全部答对', unit: '每天', feature: 'quiz' },
  'quiz.streak': { label: '连续答题奖励', unit: '达到天数时', feature: 'quiz' },
  'activity.signin': { label: '组织生活签到', unit: '每次', feature: 'activity' },
  'study.lesson': { label: '学完一节课程', unit: '每节', feature: 'study' },
} as const;

export type RuleKey = keyof typeof RULE_KEYS;
export const RULE_KEY_LIST = Object.keys(RULE_KEYS) as RuleKey[];

export interface StreakBonus {
  /** awarded on each day the streak reaches a multiple of `days` (the largest matching bonus only) */
  days: number;
  points: number;
}

export interface RuleSet {
  values: Record<RuleKey, number>;
  streakBonuses: StreakBonus[];
  /** most points a member can earn in one day across every feature */
  dailyCap: number;
}

export const DEFAULT_RULES: RuleSet = {
  values: {
    'quiz.participate': 1,
    'quiz.correct': 1,
    'quiz.fullSet': 2,
    'quiz.streak': 0,
    'activity.signin': 5,
    'study.lesson': 2,
  },
  streakBonuses: [
    { days: 7, points: 3 },
    { days: 30, points: 10 },
  ],
  dailyCap: 20,
};

export const ruleSetInput = z.object({
  values: z
    .object(Object.fromEntries(RULE_KEY_LIST.map((k) => [k, z.number().int().min(0, '分值不能为负').max(100, '单项最多 100 分')])) as Record<
      RuleKey,
      z.ZodNumber
    >)
    .strict(),
  streakBonuses: z
    .array(z.object({ days: z.number().int().min(2).max(366), points: z.number().int().min(0).max(100) }))
    .max(5, '连续答题奖励最多 5 档'),
  dailyCap: z.number().int().min(1, '每日上限至少 1 分').max(500, '每日上限最多 500 分'),
});

/** The stored rules of one org (`points_rules/<orgId>`). */
export interface StoredRules {
  _id: string;
  orgId: string;
  current: RuleSet;
  /** rules that take effect on `pendingFrom` (a later day) */
  pending: RuleSet | null;
  pendingFrom: string | null;
  history: Array<{ from: string; rules: RuleSet; byName: string; at: Date | string }>;
}

export function effectiveRules(doc: StoredRules | null | undefined, day: string): RuleSet {
  if (!doc) return DEFAULT_RULES;
  if (doc.pending && doc.pendingFrom && day >= doc.pendingFrom) return doc.pending;
  return doc.current ?? DEFAULT_RULES;
}

/** The bonus for reaching `streak` consecutive days, if any (largest qualifying tier). */
export function streakBonus(rules: RuleSet, streak: number): StreakBonus | null {
  let best: StreakBonus | null = null;
  for (const b of rules.streakBonuses) {
    if (streak > 0 && streak % b.days === 0 && (!best || b.days > best.days)) best = b;
  }
  return best;
}

/** The doc after an organiser changes the rules on `today`: they apply from tomorrow. */
export function scheduleRules(
  doc: StoredRules | null,
  orgId: string,
  next: RuleSet,
  today: string,
  tomorrow: string,
  by: { name: string; at: Date },
): StoredRules {
  const base: StoredRules = doc ?? { _id: orgId, orgId, current: DEFAULT_RULES, pending: null, pendingFrom: null, history: [] };
  // a pending change whose day has come is now simply the current rules
  const current = effectiveRules(base, today);
  // the same save sent again (a retry after a lost answer, a double tap) is one change, not two
  const last = base.history?.[0];
  const repeat = !!last && last.from === tomorrow && JSON.stringify(last.rules) === JSON.stringify(next);
  return {
    ...base,
    current,
    pending: next,
    pendingFrom: tomorrow,
    history: repeat ? base.history : [{ from: tomorrow, rules: next, byName: by.name, at: by.at }, ...(base.history ?? [])].slice(0, 20),
  };
}

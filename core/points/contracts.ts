/** Contracts of the `points` cloud function (积分: 红色手账 and rules). */
import { z } from 'zod';
import '../fn/zod-messages';
import { ruleSetInput, type RuleKey, type RuleSet } from './rules';
import type { AwardLine } from './ledger';

export const pointsInputs = {
  /** the caller's own ledger, newest first */
  history: z.object({ before: z.string().max(80).optional() }),
  /** the rules in force today and any change already scheduled */
  rules: z.object({}),
  /** organiser: change the rules of their org from tomorrow */
  setRules: ruleSetInput,
};

export type PointsAction = keyof typeof pointsInputs;
export type PointsInput<A extends PointsAction> = z.input<(typeof pointsInputs)[A]>;

export interface LedgerView {
  id: string;
  day: string;
  at: string;
  points: number;
  capped: number;
  reason: string;
  lines: AwardLine[];
  source: { type: string; id: string };
}

export interface RulesView {
  orgId: string;
  orgName: string;
  today: string;
  current: RuleSet;
  upcoming: { from: string; rules: RuleSet } | null;
  labels: Record<RuleKey, { label: string; unit: string; feature: string }>;
  canEdit: boolean;
}

export interface PointsOutputs {
  history: { total: number; today: number; dailyCap: number; entries: LedgerView[]; next: string | null };
  rules: RulesView;
  setRules: RulesView;
}

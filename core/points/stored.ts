/**
 * The points feature's stored documents: the ledger entry (points_ledger, built by buildEntry in
 * ledger.ts), the totals on the member's org_members document, and an org's rules (points_rules).
 */
import type { RuleKey } from './rules';

export type { StoredRules } from './rules';

export interface AwardLine {
  rule: RuleKey;
  points: number;
  reason: string;
}

export interface LedgerEntry {
  _id: string;
  memberId: string;
  branchId: string | null;
  day: string;
  at: Date | string;
  /** points credited, after the daily cap */
  points: number;
  lines: AwardLine[];
  /** points the daily cap held back */
  capped: number;
  reason: string;
  source: { type: string; id: string };
  [extra: string]: unknown;
}

/** The points fields kept on the member's org_members document. */
export interface MemberPoints {
  pointsTotal?: number;
  pointsDay?: string;
  pointsDayTotal?: number;
}

export const ledgerId = (source: { type: string; id: string }, memberId: string) => `${source.type}:${source.id}:${memberId}`;


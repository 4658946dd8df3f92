/** Contracts of the `consistency` cloud function (计数核对: counters against their records). */
import { z } from 'zod';
import '../fn/zod-messages';
import type { BranchReport } from './rules';

const branchId = z.string().trim().min(1, '请选择党支部').max(80);

export const consistencyInputs = {
  /** organiser: recompute every counter of one branch in their subtree and report differences */
  check: z.object({ branchId }).strict(),
  /** organiser: the same, then set each differing counter to its recomputed value */
  repair: z.object({ branchId }).strict(),
};

export type ConsistencyAction = keyof typeof consistencyInputs;

export interface StoredReport {
  _id: string;
  day: string;
  startedAt: Date | string;
  updatedAt: Date | string;
  finishedAt: Date | string | null;
  /** last branch checked; null before the first and once finished */
  cursor: string | null;
  branches: number;
  withDifferences: number;
  differences: number;
  reads: number;
  writes: number;
  /** differing branches, at most REPORT_KEEP of them, their differences capped too */
  reports: BranchReport[];
}

export interface ConsistencyOutputs {
  check: BranchReport;
  repair: BranchReport & { after: number };
}

/**
 * The consistency function's actions: an organiser checks (or repairs) the counters of one branch
 * in their subtree; the nightly timer walks every branch and stores a report. The recomputation
 * itself is core/consistency and is unit-tested.
 */
import { getDoc, type Db } from '../../core/fn/db';
import { actionsFor, type ActionTable } from '../../core/fn/router';
import type { Platform, TimerDef } from '../../core/fn/serve';
import { loadBranchInScope } from '../../core/org/scope';
import { dayOf } from '../../core/day';
import { consistencyInputs, type ConsistencyOutputs, type StoredReport } from '../../core/consistency/contracts';
import { checkBranch, checkBranches } from '../../core/consistency/runner';
import type { BranchReport } from '../../core/consistency/rules';

export type { Db };

export interface ConsistencyCtx {
  db: Db;
  now: Date;
  /** ms a timer run may spend before it stores its cursor and stops (the function timeout is 60 s) */
  budgetMs?: number;
}

export const makeConsistencyCtx = (p: Platform): ConsistencyCtx => ({ db: p.db, now: p.now });

const { action } = actionsFor<ConsistencyCtx>();

const REPORTS = 'consistency_reports';
/** differing branches kept in a report, and differences kept per branch: a report stays far below 512 KB */
export const REPORT_KEEP = 50;
export const DIFFS_KEEP = 40;

const trimmed = (r: BranchReport): BranchReport => ({ ...r, differences: r.differences.slice(0, DIFFS_KEEP) });

export const consistencyActions: ActionTable<ConsistencyCtx> = {
  check: action({
    allow: ['organiser'],
    input: consistencyInputs.check,
    ops: {
      count: '2+~9',
      what: "caller, branch node, one branch's members, ledger, credits, totals, progress, finalised activities, their attendance, invites, applications (per 1000 rows)",
    },
    handler: async (input, ctx): Promise<ConsistencyOutputs['check']> => {
      await loadBranchInScope(ctx.db, ctx.caller.member, input.branchId);
      return checkBranch(ctx.db, input.branchId);
    },
  }),

  repair: action({
    allow: ['organiser'],
    input: consistencyInputs.repair,
    ops: { count: 'check', what: '+ 1 conditional update per differing document, then the check again' },
    handler: async (input, ctx): Promise<ConsistencyOutputs['repair']> => {
      await loadBranchInScope(ctx.db, ctx.caller.member, input.branchId);
      const out = await checkBranch(ctx.db, input.branchId, { repair: true });
      // what is still different after the repair (a counter a live write moved meanwhile)
      const again = out.differences.length ? await checkBranch(ctx.db, input.branchId) : null;
      return { ...out, after: again ? again.differences.length : 0 };
    },
  }),
};

/**
 * The nightly check: every branch in id order, resumed from the stored cursor until the day's
 * report is finished. Each run stops after `budgetMs`; the trigger fires again a few minutes later.
 */
export async function runNightlyCheck(ctx: ConsistencyCtx): Promise<{ day: string; branches: number; finished: boolean }> {
  const { db, now } = ctx;
  const day = dayOf(now);
  const prev = await getDoc<StoredReport>(db, REPORTS, day);
  if (prev?.finishedAt) return { day, branches: 0, finished: true };
  const sum = await checkBranches(db, { after: prev?.cursor ?? null, budgetMs: ctx.budgetMs ?? 40_000, keep: REPORT_KEEP });
  const reports = [...(prev?.reports ?? []), ...sum.reports.map(trimmed)].slice(0, REPORT_KEEP);
  const next: Omit<StoredReport, '_id'> = {
    day,
    startedAt: prev?.startedAt ?? now,
    updatedAt: new Date(),
    finishedAt: sum.cursor === null ? new Date() : null,
    cursor: sum.cursor,
    branches: (prev?.branches ?? 0) + sum.branches,
    withDifferences: (prev?.withDifferences ?? 0) + sum.withDifferences,
    differences: (prev?.differences ?? 0) + sum.differences,
    reads: (prev?.reads ?? 0) + sum.reads,
    writes: (prev?.writes ?? 0) + sum.writes,
    reports,
  };
  await db.collection(REPORTS).doc(day).set({ data: next });
  return { day, branches: sum.branches, finished: sum.cursor === null };
}

export const consistencyTimers: Record<string, TimerDef<ConsistencyCtx>> = {
  nightly: { run: runNightlyCheck, ops: { what: "walks every branch from a stored cursor, ≤ 40 s per run, and writes the day's report" } },
};

/**
 * 计数核对 (consistency): recomputes every stored counter from the records it counts — quiz and
 * points counters on org_members, 学时 totals and lesson progress, activity attendance counts,
 * invite uses — and reports (or repairs) differences. See docs/consistency.md.
 *
 * Database operations per call (every call first loads the caller: 1 read).
 *
 * | action | ops   | what                                                                          |
 * |--------|-------|-------------------------------------------------------------------------------|
 * | check  | 2+~9  | caller, branch node, one branch's members, ledger, credits, totals, progress,   |
 * |        |       | finalised activities, their attendance, invites, applications (per 1000 rows)  |
 * | repair | check | + 1 conditional update per differing document, then the check again            |
 * Timer: `nightly` walks every branch from a stored cursor, ≤ 40 s per run, and writes the day's report.
 */
import { runAction, type FunctionEvent } from '../../core/fn/router';
import { callerLoader } from '../../core/fn/caller';
import { routeTimer } from '../../core/fn/timer';
import { consistencyActions, runNightlyCheck, type ConsistencyCtx } from './actions';
import config from './config.json';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database({ throwOnNotFound: false });

const TIMERS = { nightly: runNightlyCheck };

export const main = async (event: FunctionEvent, _context: unknown) => {
  const ctx: ConsistencyCtx = { db, now: new Date() };
  const wx = cloud.getWXContext();
  const { OPENID } = wx;
  // timers run only when the platform started them (core/fn/timer.ts); never through the action table
  const timer = routeTimer(event, wx, config.triggers, TIMERS);
  if (timer.kind === 'refused') {
    console.warn('[timer] refused:', timer.reason);
    return timer.result;
  }
  if (timer.kind === 'timer') return timer.handler(ctx);
  return runAction(consistencyActions, event, OPENID ?? '', callerLoader(db, { doc: null }), ctx);
};

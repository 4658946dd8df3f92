/**
 * 积分 (points): the member's ledger (红色手账) and the org's points rules. Awards are written by the
 * features that earn them (core/points/ledger.ts `awardPoints`), not here.
 *
 * Database operations per call (every call first loads the caller: 1 read).
 *
 * | action   | ops | what                                                                       |
 * |----------|-----|----------------------------------------------------------------------------|
 * | history  | 3   | caller, one page of the ledger, rules (for the daily cap)                    |
 * | rules    | 3–4 | caller, [organiser's node], rules on the path, org node                      |
 * | setRules | 5   | caller, node, tx(start, rules, rules write, commit) — applies from tomorrow  |
 */
import { runAction, type FunctionEvent } from '../../core/fn/router';
import { callerLoader } from '../../core/fn/caller';
import { pointsActions, type PointsCtx } from './actions';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database({ throwOnNotFound: false });

export const main = async (event: FunctionEvent, _context: unknown) => {
  const { OPENID } = cloud.getWXContext();
  const ctx: PointsCtx = { db, now: new Date(), callerDoc: { doc: null } };
  return runAction(
    pointsActions,
    event,
    OPENID ?? '',
    callerLoader(db, ctx.callerDoc),
    ctx,
  );
};

/**
 * 组织生活 (branch activity days: 主题党日, 三会一课): notices, read receipts, rotating-QR sign-in,
 * manual sign-in, leave, automatic absence at the close, 补学, the 台账 export and attendance rates.
 *
 * Database operations per call (each SDK request counts one; a transaction's start and commit count
 * too). Every call first loads the caller: 1 read (org_members by openid). "cached" = the activity
 * read is served from the warm instance for up to 10 s (see store.ts getActivityCached).
 *
 * | action          | ops  | what                                                                      |
 * |-----------------|------|---------------------------------------------------------------------------|
 * | signIn          | 2–3  | caller, [activity unless cached], attendance insert (deterministic _id)   |
 * |  (retry)        | +1   | the stored record on a duplicate insert (+1 update if it was a leave)      |
 * | requestLeave    | 2–3  | caller, [activity unless cached], attendance insert (+1–2 on a re-request) |
 * | reviewLeave     | 4    | caller, activity, record, conditional update                              |
 * | list            | 2–4  | caller, activities, own records, own read receipts                         |
 * | get             | 4    | caller, activity, own record, read-receipt upsert                          |
 * | save            | 3–5  | caller, [activity], branch, [joint branches/group], insert or update       |
 * | publish         | 4    | caller, activity, members of the branches (roster), conditional update     |
 * | cancel          | 3–5  | caller, activity, update, [subscribers, messages marked sent]              |
 * | qrToken         | 1–2  | caller, [activity unless cached]                                          |
 * | manualSignIn    | 3    | caller, activity, insert                                                   |
 * | closeSignIn     | 10+  | caller, activity, finalise (closing mark, activity re-read, seal records,  |
 * |                 |      |  records, absent batch insert, leave→absent, previous activities, their    |
 * |                 |      |  absences, activity update), awards                                        |
 * | roster          | 4    | caller, activity, records, read receipts (1000 per read)                   |
 * | setAttendance   | 4    | caller, activity, record, conditional write                                |
 * |  (after close)  | 9+   | caller, activity, record, tx (start, record, set, activity, counts `inc`,  |
 * |                 |      |  commit), [award when now present]                                         |
 * | myMakeUps       | 3    | caller, own open records, their activities                                 |
 * | completeMakeUp  | 8+   | caller, activity, record, tx (start, record, mark, [activity, counts `inc` |
 * |                 |      |  after the close], 学时 credit, commit)                                    |
 * | subscribe       | 2–3  | caller, [activity], subscription upsert                                    |
 * | exportLedger    | 3+n  | caller, branch, activities, attendance (n = records / 1000); + storage     |
 * | rates           | 3+n  | as exportLedger, no file                                                   |
 * | jointInvites    | 4    | caller, branch, invitations, the community's branches                      |
 * | respondJoint    | 4–5  | caller, branch, activity, [joining branch's members], conditional update   |
 * Timers: `finalise` (every minute) and `remind` (every minute, at :30).
 */
import { runAction, type FunctionEvent } from '../../core/fn/router';
import { callerLoader } from '../../core/fn/caller';
import { routeTimer } from '../../core/fn/timer';
import { activityActions, runFinaliseTimer, runRemindTimer, type ActivityCtx } from './actions';
import config from './config.json';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
// A missing document reads as `data: null` instead of throwing: "not found" is an answer here.
const db = cloud.database({ throwOnNotFound: false });

const TIMERS = { finalise: runFinaliseTimer, remind: runRemindTimer };

export const main = async (event: FunctionEvent, _context: unknown) => {
  const ctx: ActivityCtx = { db, now: new Date(), env: process.env, callerDoc: { doc: null }, cloud };
  const wx = cloud.getWXContext();
  const { OPENID } = wx;
  // timers run only when the platform started them (core/fn/timer.ts); never through the action table
  const timer = routeTimer(event, wx, config.triggers, TIMERS);
  if (timer.kind === 'refused') {
    console.warn('[timer] refused:', timer.reason);
    return timer.result;
  }
  if (timer.kind === 'timer') return timer.handler(ctx);
  return runAction(
    activityActions,
    event,
    OPENID ?? '',
    callerLoader(db, ctx.callerDoc),
    ctx,
  );
};

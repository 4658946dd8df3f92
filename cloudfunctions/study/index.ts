/**
 * 学习与学时 (study): lessons, honest heartbeat crediting, live lessons, offline records, targets,
 * progress and branch tables. The 学时 ledger itself is core/study/credit.ts (`creditStudy`).
 *
 * Database operations per call (each SDK request counts one; a transaction's start and commit count
 * too). Every call first loads the caller: 1 read (org_members by openid) — except `beat`, whose
 * one read is the member's session (`study_sessions/<openid>`, written by `start` after the full
 * caller check, carrying the caller's snapshot).
 *
 * | action        | ops  | what                                                                       |
 * |---------------|------|----------------------------------------------------------------------------|
 * | beat          | 2    | session, conditional update (where _id, seq, sessionId, active) — the      |
 * |               |      |  credit accumulates in the session; +≈10 once per lesson, when it          |
 * |               |      |  completes (flush, below)                                                  |
 * | start         | 6    | caller, lesson, old session, progress, totals, session write (conditional  |
 * |               |      |  on the old seq, or create); + flush of the previous lesson's unwritten    |
 * |               |      |  time when there is some                                                   |
 * | stop          | ≈10  | caller + flush: tx(start, session, progress, totals, credit, credit set,   |
 * |               |      |  totals set, progress set, session set, commit); a repeated stop 4:        |
 * |               |      |  caller, tx(start, session, commit), nothing written                       |
 * | lessons       | 3–4  | caller, lessons, progress of those lessons, [reminders of live lessons]    |
 * | lesson        | 5    | caller, lesson, progress, session, reminder                                |
 * | progress      | 4    | caller, totals (counters), session (unwritten time), targets on the path   |
 * | remind        | 3    | caller, lesson, reminder set                                               |
 * | branchTable   | 5    | caller, branch, members, totals of the branch, targets                     |
 * | remindBehind  | 5    | as branchTable; then one subscribe message per member behind (no DB)       |
 * | recordOffline | 4+4n | caller, members, tx(start, record, n × (credit, totals, credit set,        |
 * |               |      |  totals set), record set, commit)                                          |
 * | listOffline   | 2    | caller, records                                                            |
 * | orgRates      | 6    | caller, scope node, targets, branches, member counts (aggregate),          |
 * |               |      |  totals by branch (aggregate)                                              |
 * | createLesson  | 3    | caller, org, lesson set                                                    |
 * | exportLedger  | 6    | as branchTable + the branch's credits                                      |
 * | (timer) liveReminders | 1+n | due reminders, one update each (+ one subscribe message each)     |
 * | (timer) sweepSessions | 1+≈10n | silent sessions, one flush each                                 |
 */
import crypto from 'crypto';
import { runAction, type FunctionEvent } from '../../core/fn/router';
import { callerLoader } from '../../core/fn/caller';
import { routeTimer } from '../../core/fn/timer';
import { rulesFromEnv } from '../../core/study/rules';
import type { SessionDoc } from '../../core/study/heartbeat';
import { C, sendLiveReminders, studyActions, sweepSessions, type StudyCtx } from './actions';
import config from './config.json';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
const db = cloud.database({ throwOnNotFound: false });

function makeCtx(): StudyCtx {
  return {
    db,
    // the function's clock is the only clock crediting trusts
    now: new Date(),
    rules: rulesFromEnv(process.env),
    randomId: () => crypto.randomBytes(12).toString('hex'),
    sendSubscribe: async (msg) => {
      try {
        const res = await cloud.openapi.subscribeMessage.send({ ...msg, miniprogramState: 'formal', lang: 'zh_CN' });
        return !res || res.errCode === undefined || res.errCode === 0;
      } catch (e) {
        console.error('[subscribeMessage.send]', (e as Error).message);
        return false;
      }
    },
    tempUrl: async (fileId) => {
      try {
        const res = await cloud.getTempFileURL({ fileList: [fileId] });
        return res?.fileList?.[0]?.tempFileURL ?? null;
      } catch {
        return null;
      }
    },
    callerDoc: { doc: null },
    session: { doc: null, loaded: false },
  };
}

const TIMERS = { liveReminders: sendLiveReminders, sweepSessions };

export const main = async (event: FunctionEvent, _context: unknown) => {
  const ctx = makeCtx();
  const wx = cloud.getWXContext();
  // timers run only when the platform started them (core/fn/timer.ts); never through the action table
  const timer = routeTimer(event, wx, config.triggers, TIMERS);
  if (timer.kind === 'refused') {
    console.warn('[timer] refused:', timer.reason);
    return timer.result;
  }
  if (timer.kind === 'timer') return { ok: true, data: await timer.handler(ctx) };
  const { OPENID } = wx;
  const isBeat = event?.action === 'beat';
  return runAction(
    studyActions,
    event,
    OPENID ?? '',
    async (openid) => {
      if (isBeat) {
        const res = await db.collection(C.sessions).doc(openid).get();
        const s = (Array.isArray(res?.data) ? res.data[0] : res?.data) as SessionDoc | null;
        ctx.session = { doc: s ?? null, loaded: true };
        return { openid, member: null };
      }
      return callerLoader(db, ctx.callerDoc)(openid);
    },
    ctx,
  );
};

/**
 * 每日答题 (daily quiz): today's set, answering, wrong book and practice, reminders, the secretary's
 * view, rankings, and the question bank.
 *
 * Database operations per call (each SDK request counts one; a transaction's start and commit count
 * too). Every call first loads the caller: 1 read (org_members by openid). A warm instance caches
 * the day's set (immutable once chosen), and for 60 s which org's config and points rules apply.
 *
 * | action          | ops      | what                                                                   |
 * |-----------------|----------|------------------------------------------------------------------------|
 * | today           | 1–2      | caller, [own result if answered today]; cold instance: + config, set   |
 * |  (first of day) | +7–8     | config, questions after cursor, org node, tx(start, set, config,       |
 * |                 |          |  set write, config write, commit) — once per org per day; + the org's  |
 * |                 |          |  stored sets once, for a config stored before it listed `used`         |
 * | submit          | 6        | caller, then one transaction: start, read of the answer record        |
 * |                 |          |  (_id day:member), its write, member counters + points, commit; cold   |
 * |                 |          |  instance: + config, set, rules                                        |
 * |  (retry)        | 4        | caller, start, the stored record, commit                               |
 * | wrongBook       | 4        | caller, ledger (quiz entries with misses), mastered, questions         |
 * | practice        | 3–5      | caller, quiz config; wrong book (2) + questions, or questions by tag   |
 * | checkPractice   | 4–7      | caller, quiz config, questions, practice counter (conditional update); |
 * |                 |          |  [wrong book (2) when an answer is right or only the book allows it,   |
 * |                 |          |  mastered write]                                                       |
 * | tags            | 3        | caller, quiz config, bank tags                                         |
 * |  (practice)     | +2–3     | pins for today and later, count after the cursor, [the next cycle's    |
 * |                 |          |  start]: once per instance, org and cursor per 60 s (practice by tag,  |
 * |                 |          |  checkPractice, tags)                                                  |
 * | subscribe       | 1–2      | caller, [member quota inc]                                             |
 * | branchToday     | 4        | caller, branch node, branch members (counters ride on them), reminder  |
 * | remind          | 5–6      | caller, members, reminder insert (lock), node, quota dec, reminder upd |
 * |                 |          |  + one subscribeMessage.send per member reminded (open API, not DB)    |
 * | rankMembers     | 3        | caller, branch node, branch members                                    |
 * | rankBranches    | 4        | caller, scope node, branches, one aggregate over member counters       |
 * | bankStatus      | 7        | caller, node, config, 3 counts, pinned days                            |
 * | listQuestions   | 3        | caller, count, page                                                    |
 * | importBank      | 2–3      | caller, existing ids, [one batch insert]                               |
 * | edit/retire     | 3–4      | caller, question, [its org node], update                               |
 * | pin             | 7        | caller, node, questions, tx(start, set, config, set write, commit)     |
 * | setPerDay       | 6        | caller, node, tx(start, config, config write, commit)                  |
 *
 * None of the secretary or ranking views reads answer history: they read the counters each answer
 * updates on the member's own document, so their cost does not grow with the days answered.
 */
import { runAction, type FunctionEvent } from '../../core/fn/router';
import { callerLoader } from '../../core/fn/caller';
import { quizActions, type QuizCtx } from './actions';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const cloud = require('wx-server-sdk');

cloud.init({ env: cloud.DYNAMIC_CURRENT_ENV });
// A missing document reads as `data: null` instead of throwing: "not found" is an answer here.
const db = cloud.database({ throwOnNotFound: false });

export const main = async (event: FunctionEvent, _context: unknown) => {
  const { OPENID } = cloud.getWXContext();
  const ctx: QuizCtx = {
    db,
    now: new Date(),
    callerDoc: { doc: null },
    sendSubscribe: (msg) => cloud.openapi.subscribeMessage.send({ ...msg, miniprogramState: 'formal', lang: 'zh_CN' }),
  };
  return runAction(
    quizActions,
    event,
    OPENID ?? '',
    callerLoader(db, ctx.callerDoc),
    ctx,
  );
};

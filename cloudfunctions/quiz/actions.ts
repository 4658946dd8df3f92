/**
 * The quiz function's actions: database work only. Rules (day windows, set choice, scoring, points,
 * counters, rankings, bank validation) come from core/quiz and core/points and are unit-tested.
 */
import { getDoc, isDuplicateKey, stripId, type Db } from '../../core/fn/db';
import { AppError } from '../../core/fn/errors';
import { actionsFor, type ActionTable } from '../../core/fn/router';
import type { OrganiserCaller, StoredMember } from '../../core/fn/caller';
import type { Platform } from '../../core/fn/serve';
import { isInSubtree, loadBranchInScope, nodeFullPath } from '../../core/org/scope';
import { readBankFile, readBankTable, type BankTable } from '../../core/quiz/bank-file';
import { SheetFileError } from '../../core/sheet/read';
import { importDir, isOwnImport, MAX_IMPORT_BYTES } from '../../core/sheet/upload-path';
import { runBankImport, validateCached, type ImportStorage } from './bank-import';
import { bankHealth } from './bank-health';
import { MAX_REMIND_QUOTA, QUIZ_PAGE, reminderData } from '../../core/quiz/config';
import { subscribeMessage } from '../../core/subscribe/templates';
import {
  quizInputs,
  type QuestionAdminView,
  type QuizOutputs,
  type SubmissionView,
  type WrongItem,
} from '../../core/quiz/contracts';
import { acceptableDays, checkSubmissionDay, LATE_GRACE_MINUTES, monthOf } from '../../core/quiz/day';
import { addDays, dayOf, isValidDay } from '../../core/day';
import { freshDays, LOW_BANK_DAYS, markUsed, pickDailySet, walkWindow } from '../../core/quiz/daily-set';
import { newConfig, newDailySet, pinnedSetData, setId, type QuizConfig, type StoredSet } from '../../core/quiz/stored';
import {
  openDaysFor,
  practicable,
  practiceChecksOn,
  practiceLimitMessage,
  PRACTICE_CHECKS_PER_DAY,
  wrapHeadSize,
  type MemberPracticeFields,
  type PracticeGate,
  type PracticeMember,
} from '../../core/quiz/practice';
import { checkAnswers, foldWrongBook, masterAfterPractice, quizAwardLines, type StoredResult } from '../../core/quiz/answers';
import { scoreQuestion, toPublic, type QuestionResult, type StoredQuestion } from '../../core/quiz/question';
import { branchCounts, currentStreak, quizCounters, quizUnranked, rankBranches, rankMembers, rate, type BranchCounts, type MemberQuizFields } from '../../core/quiz/stats';
import { awardPointsMarked } from '../../core/points/ledger';
import { participationTrend, recentDays } from '../../core/quiz/trend';
import { effectiveRules } from '../../core/points/rules';
import { ledgerId, type LedgerEntry, type MemberPoints, type StoredRules } from '../../core/points/stored';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type { Db };

export interface QuizCtx {
  db: Db;
  now: Date;
  /** cloud.openapi.subscribeMessage.send */
  sendSubscribe: (msg: { touser: string; templateId: string; page: string; data: Record<string, { value: string }> }) => Promise<unknown>;
  /** cloud storage: an uploaded bank file, and the report file of an import */
  storage: ImportStorage & { download(fileID: string): Promise<Buffer> };
}

/** cloud.downloadFile, which core/fn/serve.ts's CloudSdk does not list */
type WithDownload = { downloadFile(o: { fileID: string }): Promise<{ fileContent: Buffer }> };

export const makeQuizCtx = (p: Platform): QuizCtx => ({
  db: p.db,
  now: p.now,
  sendSubscribe: (msg) => p.cloud.openapi.subscribeMessage.send({ ...msg, miniprogramState: 'formal', lang: 'zh_CN' }),
  storage: {
    download: async (fileID) => (await (p.cloud as unknown as WithDownload).downloadFile({ fileID })).fileContent,
    upload: async (cloudPath, fileContent) => (await p.cloud.uploadFile({ cloudPath, fileContent })).fileID,
    tempUrl: async (fileID) => (await p.cloud.getTempFileURL({ fileList: [fileID] })).fileList[0]?.tempFileURL ?? '',
  },
});

/** The caller's stored document carries the quiz, practice and points counters. */
type QuizMemberDoc = StoredMember & MemberQuizFields & MemberPracticeFields & MemberPoints;
const { action } = actionsFor<QuizCtx, QuizMemberDoc>();

const C = {
  members: 'org_members',
  nodes: 'org_nodes',
  questions: 'quiz_questions',
  sets: 'quiz_sets',
  config: 'quiz_config',
  mastered: 'quiz_mastered',
  reminders: 'quiz_reminders',
  ledger: 'points_ledger',
  rules: 'points_rules',
} as const;

// ---------------------------------------------------------------- per-instance cache

/**
 * A warm instance keeps the day's set (immutable once chosen) and which org's config and rules
 * apply to a path (60 s), so an answer submission costs no reads beyond the caller.
 */
const TTL_MS = 60_000;
const cache = new Map<string, { at: number; value: unknown }>();
function cached<T>(key: string, now: number, ttl = TTL_MS): T | undefined {
  const hit = cache.get(key);
  if (!hit) return undefined;
  if (now - hit.at > ttl) {
    cache.delete(key);
    return undefined;
  }
  return hit.value as T;
}
function remember<T>(key: string, now: number, value: T): T {
  if (cache.size > 500) cache.clear();
  cache.set(key, { at: now, value });
  return value;
}
/** tests and benchmarks start from a cold instance */
export function clearQuizCache(): void {
  cache.clear();
}

// ---------------------------------------------------------------- helpers

const first = <T>(res: any): T | null => {
  const d = res?.data;
  return ((Array.isArray(d) ? d[0] : d) as T) ?? null;
};


interface OrgNode {
  _id: string;
  name: string;
  type: string;
  parentId: string | null;
  path: string[];
}

/**
 * Orgs that run their own daily quiz or points rules are few (one per district, street or
 * community that chose to), so a warm instance keeps all of them for 60 s and resolves any
 * member's path locally: one read per instance per minute, not one per branch.
 */
async function allDocs<T extends { _id: string }>(db: Db, coll: string, now: number): Promise<Map<string, T>> {
  const key = `all:${coll}`;
  const hit = cached<Map<string, T>>(key, now);
  if (hit) return hit;
  const res = await db.collection(coll).limit(1000).get();
  return remember(key, now, new Map((res.data as T[]).map((d) => [d._id, d])));
}

/** The daily-quiz org for a member: the deepest org on their path that runs one, else the root. */
async function resolveConfig(db: Db, path: string[], now: number): Promise<QuizConfig> {
  const byId = await allDocs<QuizConfig>(db, C.config, now);
  const found = [...path].reverse().find((id) => byId.has(id));
  return found ? byId.get(found)! : newConfig(path[0], [path[0]]);
}

/**
 * The quiz org's config as stored now: practice decides from its cursor and `used`, which move when
 * the day's set is chosen, so the 60 s list above could hold today's questions back for a minute.
 */
async function currentConfig(db: Db, path: string[], now: number): Promise<QuizConfig> {
  const cfg = await resolveConfig(db, path, now);
  return (await getDoc<QuizConfig>(db, C.config, cfg.orgId)) ?? cfg;
}

async function resolveRules(db: Db, path: string[], now: number): Promise<StoredRules | null> {
  const byId = await allDocs<StoredRules>(db, C.rules, now);
  const found = [...path].reverse().find((id) => byId.has(id));
  return found ? byId.get(found)! : null;
}

class Retry extends Error {}

/**
 * The org's set for the day: from the instance cache, else the stored set, else chosen now. The
 * choice runs in a transaction over the set and the org's config, so concurrent first fetches
 * (any instance) agree: a loser's commit conflicts, it retries and reads the winner's set.
 */
async function daySet(db: Db, cfg: QuizConfig, day: string, nowMs: number, opts: { create: boolean }): Promise<StoredSet | null> {
  const id = setId(cfg.orgId, day);
  const hit = cached<StoredSet>(`set:${id}`, nowMs, 24 * 3600_000);
  if (hit) return hit;
  const stored = await getDoc<StoredSet>(db, C.sets, id);
  if (stored?.materialised) return remember(`set:${id}`, nowMs, stored);
  if (!opts.create) return null;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      return await materialise(db, cfg, day, stored, nowMs);
    } catch (e) {
      if (!(e instanceof Retry)) throw e;
    }
  }
  throw new AppError('INTERNAL', '今天的题目正在生成，请稍后再试');
}

async function materialise(db: Db, cfgHint: QuizConfig, day: string, storedHint: StoredSet | null, nowMs: number): Promise<StoredSet | null> {
  const _ = db.command;
  const id = setId(cfgHint.orgId, day);
  const cfg = (await getDoc<QuizConfig>(db, C.config, cfgHint.orgId)) ?? cfgHint;
  const pinnedIds = storedHint?.pinned ?? [];
  const want = walkWindow(cfg, pinnedIds.length);
  const base = { orgId: _.in(cfg.orgPath), status: 'active' };
  const [after, pinnedRes, node] = await Promise.all([
    db.collection(C.questions).where({ ...base, order: _.gt(cfg.cursor) }).orderBy('order', 'asc').limit(want).get(),
    pinnedIds.length ? db.collection(C.questions).where({ _id: _.in(pinnedIds), status: 'active' }).limit(pinnedIds.length).get() : { data: [] },
    getDoc<OrgNode>(db, C.nodes, cfg.orgId),
  ]);
  let fromStart: StoredQuestion[] = [];
  if ((after.data as StoredQuestion[]).length < cfg.perDay + cfg.pinnedInCycle.length) {
    fromStart = (await db.collection(C.questions).where(base).orderBy('order', 'asc').limit(Math.min(1000, cfg.perDay * 2 + pinnedIds.length)).get()).data;
  }
  const byId = new Map((pinnedRes.data as StoredQuestion[]).map((q) => [q._id, q]));
  const pinned = pinnedIds.map((pid) => byId.get(pid)).filter((q): q is StoredQuestion => !!q);
  const pick = pickDailySet({ config: cfg, afterCursor: after.data, fromStart, pinned });
  if (pick.questions.length === 0) return null; // an empty bank: nothing to persist, try again after an import
  // a config stored before `used` existed: rebuilt once from the org's stored sets
  const usedBefore = cfg.used ?? (await usedFromStoredSets(db, cfg.orgId));
  const set = newDailySet({ orgId: cfg.orgId, orgName: node?.name ?? '' }, day, pick, pinnedIds, new Date(nowMs));
  const out = await db.runTransaction(async (tx: Db) => {
    const existing = first<StoredSet>(await tx.collection(C.sets).doc(id).get());
    if (existing?.materialised) return existing;
    const current = first<QuizConfig>(await tx.collection(C.config).doc(cfg.orgId).get());
    if ((current?.cursor ?? '') !== cfg.cursor || (current?.cycle ?? 1) !== cfg.cycle) throw new Retry();
    await tx.collection(C.sets).doc(id).set({ data: stripId(set) });
    const cfgData = stripId({
      ...cfg,
      cursor: pick.cursor,
      cycle: pick.cycle,
      pinnedInCycle: pick.pinnedInCycle,
      used: markUsed(current?.used ?? usedBefore, pick.questions, day),
      updatedAt: new Date(nowMs),
    });
    await tx.collection(C.config).doc(cfg.orgId).set({ data: cfgData });
    return set;
  });
  return remember(`set:${id}`, nowMs, out as StoredSet);
}

async function usedFromStoredSets(db: Db, orgId: string): Promise<Record<string, string>> {
  const res = await db.collection(C.sets).where({ orgId, materialised: true }).orderBy('day', 'asc').limit(1000).get();
  let used: Record<string, string> = {};
  for (const s of res.data as StoredSet[]) used = markUsed(used, s.questions ?? [], s.day);
  return used;
}

function submissionView(entry: LedgerEntry, set: StoredSet | null): SubmissionView {
  const quiz = (entry.quiz ?? {}) as { results?: Array<{ id: string; correct: boolean; choice: string[] }>; correct?: number; total?: number; streak?: number };
  const qs = new Map((set?.questions ?? []).map((q) => [q._id, q]));
  const results: QuestionResult[] = (quiz.results ?? []).map((r) => {
    const q = qs.get(r.id);
    return { id: r.id, correct: r.correct, choice: r.choice, answer: q ? [...q.answer].sort() : [], explanation: q?.explanation ?? '' };
  });
  return {
    day: entry.day,
    correct: quiz.correct ?? 0,
    total: quiz.total ?? results.length,
    results,
    points: entry.points,
    lines: entry.lines,
    capped: entry.capped,
    streak: quiz.streak ?? 1,
    submittedAt: new Date(entry.at).toISOString(),
  };
}

/** End of the window in which `day`'s set may be submitted: 00:30 the next day, Asia/Shanghai. */
const deadlineOf = (day: string) => `${addDays(day, 1)}T00:${String(LATE_GRACE_MINUTES).padStart(2, '0')}:00+08:00`;

function adminView(q: StoredQuestion): QuestionAdminView {
  return { ...toPublic(q), answer: q.answer, explanation: q.explanation, status: q.status, orgId: q.orgId };
}

async function wrongEntries(db: Db, memberId: string) {
  const _ = db.command;
  const [ledger, mastered] = await Promise.all([
    db.collection(C.ledger).where({ memberId, 'source.type': 'quiz', 'quiz.wrong': _.gt(0) }).orderBy('day', 'desc').limit(200).get(),
    getDoc<{ ids?: Record<string, string> }>(db, C.mastered, memberId),
  ]);
  const masteredIds = mastered?.ids ?? {};
  return { items: foldWrongBook(ledger.data as Array<{ day: string; quiz?: { results?: StoredResult[] } }>, masteredIds), masteredIds };
}

/**
 * Questions of a daily set the caller may still submit (today's, and yesterday's until 00:30) and has
 * not answered: practice must neither show nor check them, or their answers would travel early.
 */
async function openSetQuestionIds(db: Db, cfg: QuizConfig, days: readonly string[], now: Date): Promise<Set<string>> {
  if (!days.length) return new Set();
  const sets = await Promise.all(days.map((d) => daySet(db, cfg, d, now.getTime(), { create: false })));
  return new Set(sets.flatMap((s) => (s?.questions ?? []).map((q) => q._id)));
}

/**
 * What practice holds back for a member of the org `cfg` (core/quiz/practice.ts): the sets they may
 * still submit, questions pinned for today or later, and the next cycle's first questions when the
 * walk wraps within a week. Pins and the wrap are read once per instance, org, day and cursor per
 * 60 s (2–3 reads); a pin made meanwhile could only hide what was practicable a minute before.
 */
async function practiceGate(db: Db, cfg: QuizConfig, member: PracticeMember, now: Date): Promise<PracticeGate> {
  const nowMs = now.getTime();
  const today = dayOf(now);
  const key = `ahead:${cfg.orgId}:${today}:${cfg.cycle}:${cfg.cursor}`;
  let ahead = cached<string[]>(key, nowMs);
  if (!ahead) {
    const _ = db.command;
    const base = { orgId: _.in(cfg.orgPath), status: 'active' };
    const [pins, after] = await Promise.all([
      db.collection(C.sets).where({ orgId: cfg.orgId, day: _.gte(today), materialised: false }).field({ pinned: true }).limit(400).get(),
      db.collection(C.questions).where({ ...base, order: _.gt(cfg.cursor) }).count(),
    ]);
    const headSize = wrapHeadSize(cfg, after.total);
    const head = headSize ? (await db.collection(C.questions).where(base).orderBy('order', 'asc').field({ _id: true }).limit(headSize).get()).data : [];
    ahead = remember(key, nowMs, [...(pins.data as Array<{ pinned?: string[] }>).flatMap((p) => p.pinned ?? []), ...(head as Array<{ _id: string }>).map((q) => q._id)]);
  }
  const openDays = openDaysFor(now, member);
  const open = await openSetQuestionIds(db, cfg, openDays, now);
  return { cfg, openDays, open, ahead: new Set(ahead) };
}

/**
 * Counts `n` practice checks against the member's daily limit, atomically: the update only matches
 * while the count leaves room, so two devices cannot both take the last ones. One write.
 */
async function takePracticeChecks(db: Db, memberId: string, doc: MemberPracticeFields, day: string, n: number): Promise<number> {
  const _ = db.command;
  const limit = PRACTICE_CHECKS_PER_DAY;
  const refuse = () => new AppError('RESOURCE_EXHAUSTED', practiceLimitMessage(limit), { limit });
  if (practiceChecksOn(doc, day) + n > limit) throw refuse();
  const members = db.collection(C.members);
  const sameDay = () => members.where({ _id: memberId, quizPracticeDay: day, quizPracticeChecks: _.lte(limit - n) }).update({ data: { quizPracticeChecks: _.inc(n) } });
  let res = doc.quizPracticeDay === day ? await sameDay() : await members.where({ _id: memberId, quizPracticeDay: _.neq(day) }).update({ data: { quizPracticeDay: day, quizPracticeChecks: n } });
  // another call of this member started the day first, or took checks meanwhile
  if (!res?.stats?.updated && doc.quizPracticeDay !== day) res = await sameDay();
  if (!res?.stats?.updated) throw refuse();
  return limit - practiceChecksOn(doc, day) - n;
}

/**
 * Questions the walk took ahead of its cursor to mix types (`pinnedInCycle`): asked already, so
 * practice may show them like those before the cursor. Few (at most a few days' worth).
 */
async function takenAhead(db: Db, cfg: QuizConfig, where: object): Promise<StoredQuestion[]> {
  const ids = cfg.pinnedInCycle.filter((p) => p.order > cfg.cursor).map((p) => p.id);
  if (!ids.length) return [];
  return (await db.collection(C.questions).where({ ...where, _id: db.command.in(ids.slice(0, 1000)) }).limit(1000).get()).data;
}

async function questionsByIds(db: Db, ids: string[]): Promise<StoredQuestion[]> {
  if (!ids.length) return [];
  const _ = db.command;
  return (await db.collection(C.questions).where({ _id: _.in(ids.slice(0, 1000)) }).limit(1000).get()).data;
}

const shuffle = <T>(xs: T[]): T[] => {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
};

/** How long a branch reminder in progress holds off a second one: longer than the function's timeout. */
const REMIND_LEASE_MS = 60_000;

/** A member the secretary can remind today: bound, with a grant banked, not yet reminded today. */
function remindable(m: StoredMember & MemberQuizFields, day: string): boolean {
  return !!m.openid && (m.quizRemindQuota ?? 0) > 0 && (m as { quizRemindedDay?: string }).quizRemindedDay !== day;
}

async function branchMembers(db: Db, branchId: string): Promise<Array<StoredMember & MemberQuizFields & { quizRecent?: string[] }>> {
  const res = await db
    .collection(C.members)
    .where({ branchId, status: 'active' })
    .field({
      _id: true, name: true, openid: true, role: true, scopeId: true,
      quizLastDay: true, quizStreak: true, quizMonth: true, quizMonthDays: true, quizRemindQuota: true, quizRemindedDay: true, quizRecent: true,
    })
    .limit(1000)
    .get();
  return res.data;
}

async function orgNodeForOrganiser(db: Db, sc: { scopeId: string }): Promise<OrgNode> {
  const node = await getDoc<OrgNode>(db, C.nodes, sc.scopeId);
  if (!node) throw new AppError('FAILED_PRECONDITION', '找不到您管理的组织');
  return node;
}

// ---------------------------------------------------------------- actions

export const quizActions: ActionTable<QuizCtx> = {
  today: action({
    allow: ['member'],
    input: quizInputs.today,
    ops: {
      count: '1–2',
      what: 'caller, [own result if answered today]; cold instance: + config, set',
      cases: {
        'first of day': {
          count: '+7–8',
          what:
            'config, questions after cursor, org node, tx(start, set, config, set write, config write, commit) — once per org per day; ' +
            "+ the org's stored sets once, for a config stored before it listed `used`",
        },
      },
    },
    handler: async (_in, ctx): Promise<QuizOutputs['today']> => {
      const { db, now } = ctx;
      const { member: me, doc } = ctx.caller;
      const day = dayOf(now);
      const cfg = await resolveConfig(db, me.path, now.getTime());
      const set = await daySet(db, cfg, day, now.getTime(), { create: true });
      const answered = doc.quizLastDay === day;
      const entry = answered ? await getDoc<LedgerEntry>(db, C.ledger, ledgerId({ type: 'quiz', id: day }, me._id)) : null;
      return {
        day,
        memberId: me._id,
        setId: set?._id ?? '',
        orgName: (set as { orgName?: string } | null)?.orgName ?? '',
        questions: (set?.questions ?? []).map(toPublic),
        submission: entry ? submissionView(entry, set) : null,
        streak: currentStreak(doc, day),
        remindQuota: doc.quizRemindQuota ?? 0,
        deadline: deadlineOf(day),
        unranked: quizUnranked(me, me.path),
      };
    },
  }),

  submit: action({
    allow: ['member'],
    input: quizInputs.submit,
    ops: {
      count: '3',
      what: 'caller, insert of the answer record (_id day:member), member counters + points where the day is not yet counted; cold instance: + config, set, rules',
      cases: {
        retry: { count: '2', what: 'caller, the stored record' },
        'retry after a failure between the writes': { count: '4', what: 'caller, insert (duplicate), the stored record, member counters + points' },
      },
    },
    handler: async (input, ctx): Promise<QuizOutputs['submit']> => {
      const { db, now } = ctx;
      const { member: me, doc } = ctx.caller;
      const { day } = input;
      if (!isValidDay(day)) throw new AppError('INVALID_ARGUMENT', '日期不对');
      const check = checkSubmissionDay(day, now);
      if (!check.ok) {
        throw check.reason === 'future'
          ? new AppError('INVALID_ARGUMENT', '还没到这一天，不能提前作答')
          : new AppError('FAILED_PRECONDITION', `这一天的答题已经截止（次日 00:${LATE_GRACE_MINUTES} 前可补交）`);
      }
      const cfg = await resolveConfig(db, me.path, now.getTime());
      const set = await daySet(db, cfg, day, now.getTime(), { create: day === dayOf(now) });
      if (!set) throw new AppError('NOT_FOUND', '这一天没有题目');
      const id = ledgerId({ type: 'quiz', id: day }, me._id);
      if (doc.quizLastDay === day) {
        // answered already (another device, a retry): the stored result, never a second score
        const stored = await getDoc<LedgerEntry>(db, C.ledger, id);
        if (stored) return { ...submissionView(stored, set), duplicate: true };
      }
      const choices = checkAnswers(set.questions, input.answers);
      const results = set.questions.map((q) => scoreQuestion(q, choices.get(q._id)!));
      const correct = results.filter((r) => r.correct).length;
      const rulesDoc = await resolveRules(db, me.path, now.getTime());
      const rules = effectiveRules(rulesDoc, day);
      const counters = quizCounters(doc, day);
      // an organiser who can read this set's answers in 题库管理 answers for the record only
      const unranked = quizUnranked(me, me.path);
      const lines = quizAwardLines(rules, correct, results.length, counters.streak, unranked);
      const _ = db.command;
      // no transaction: the record's id makes it once, and the member update lands only while the day
      // is not among quizRecent, which it adds (core/points/ledger.ts awardPointsMarked)
      const { entry, duplicate } = await awardPointsMarked(db, {
        member: { _id: me._id, branchId: me.branchId, pointsDay: doc.pointsDay, pointsDayTotal: doc.pointsDayTotal },
        day,
        now,
        rules,
        lines,
        reason: `每日答题 ${day}：答对 ${correct}/${results.length}${unranked ? '（上级管理员可查看题库答案，不计积分）' : ''}`,
        source: { type: 'quiz', id: day },
        extra: {
          quiz: {
            orgId: set.orgId,
            setId: set._id,
            correct,
            total: results.length,
            wrong: results.length - correct,
            streak: counters.streak,
            results: results.map((r) => ({ id: r.id, correct: r.correct, choice: r.choice })),
          },
        },
        unapplied: { quizRecent: _.nin([day]) },
        memberPatch: (stored) => ({
          ...counters.set,
          // the branch's 30-day participation chart reads these from the members it loads anyway
          quizRecent: _.set(recentDays((doc as { quizRecent?: string[] }).quizRecent, day)),
          quizDays: _.inc(1),
          quizCorrect: _.inc((stored.quiz as { correct: number } | undefined)?.correct ?? correct),
          quizAnswered: _.inc((stored.quiz as { total: number } | undefined)?.total ?? results.length),
        }),
      });
      return { ...submissionView(entry, set), duplicate };
    },
  }),

  wrongBook: action({
    allow: ['member'],
    input: quizInputs.wrongBook,
    ops: { count: '4', what: 'caller, ledger (quiz entries with misses), mastered, questions' },
    handler: async (_in, ctx): Promise<QuizOutputs['wrongBook']> => {
      const me = ctx.caller.member;
      const { items } = await wrongEntries(ctx.db, me._id);
      const qs = await questionsByIds(ctx.db, [...items.keys()]);
      const byId = new Map(qs.map((q) => [q._id, q]));
      const out: WrongItem[] = [];
      for (const [id, it] of items) {
        const q = byId.get(id);
        if (!q) continue;
        out.push({ ...toPublic(q), answer: q.answer, explanation: q.explanation, ...it });
      }
      return { items: out };
    },
  }),

  practice: action({
    allow: ['member'],
    input: quizInputs.practice,
    ops: { count: '3–6', what: 'caller, quiz config; wrong book (2) + questions, or questions by tag [+ those the walk took ahead of its cursor]' },
    handler: async (input, ctx): Promise<QuizOutputs['practice']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const cfg = await currentConfig(db, me.path, now.getTime());
      if (input.mode === 'wrong') {
        // the wrong book shows these answers already; only a set still open to the caller is held back
        const open = await openSetQuestionIds(db, cfg, openDaysFor(now, ctx.caller.doc), now);
        const { items } = await wrongEntries(db, me._id);
        const qs = (await questionsByIds(db, [...items.keys()])).filter((q) => q.status === 'active' && cfg.orgPath.includes(q.orgId) && !open.has(q._id));
        return { questions: shuffle(qs).slice(0, input.size).map(toPublic) };
      }
      if (!input.tag) throw new AppError('INVALID_ARGUMENT', '请选择一个标签');
      const gate = await practiceGate(db, cfg, ctx.caller.doc, now);
      const _ = db.command;
      // questions after the cursor are still to come (bar the few pinned ahead): not even fetched
      const where = { orgId: _.in(cfg.orgPath), status: 'active', tags: input.tag };
      const [res, ahead] = await Promise.all([db.collection(C.questions).where({ ...where, order: _.lte(cfg.cursor) }).limit(200).get(), takenAhead(db, cfg, where)]);
      const qs = [...(res.data as StoredQuestion[]), ...ahead].filter((q) => practicable(q, gate));
      return { questions: shuffle(qs).slice(0, input.size).map(toPublic) };
    },
  }),

  checkPractice: action({
    allow: ['member'],
    input: quizInputs.checkPractice,
    ops: {
      count: '4–10',
      what:
        'caller, quiz config, questions, practice counter (conditional update); [wrong book (2) when an answer is right or only the book allows it]; ' +
        'when a question is mastered, tx (start, member, counter, mastered write, commit) instead of the conditional update',
    },
    handler: async (input, ctx): Promise<QuizOutputs['checkPractice']> => {
      const { db, now } = ctx;
      const { member: me, doc } = ctx.caller;
      const ids = [...new Set(input.answers.map((a) => a.questionId))];
      // only the banks the caller's own org draws from: another street's questions stay unknown
      const cfg = await currentConfig(db, me.path, now.getTime());
      const qs = (await questionsByIds(db, ids)).filter((q) => q.status === 'active' && cfg.orgPath.includes(q.orgId));
      const byId = new Map(qs.map((q) => [q._id, q]));
      const unknown = ids.find((i) => !byId.has(i));
      if (unknown) throw new AppError('INVALID_ARGUMENT', '有题目不存在或已停用');
      const gate = await practiceGate(db, cfg, doc, now);
      if (ids.some((i) => gate.open.has(i))) throw new AppError('FAILED_PRECONDITION', '这道题在今天的每日答题中，请先完成今天的答题');
      // answers only for what the caller has already been asked: a closed daily set, or the wrong book
      // (a question mastered out of it has shown its answer too, so a retry after a lost reply passes)
      let book: Awaited<ReturnType<typeof wrongEntries>> | null = null;
      if (ids.some((i) => !practicable(byId.get(i)!, gate))) {
        book = await wrongEntries(db, me._id);
        const seen = (i: string) => book!.items.has(i) || !!book!.masteredIds[i];
        if (ids.some((i) => !practicable(byId.get(i)!, gate) && !seen(i))) {
          throw new AppError('FAILED_PRECONDITION', '只能练习已截止的每日答题中出过的题目和错题本中的题目');
        }
      }
      const choices = checkAnswers(ids.map((i) => byId.get(i)!), input.answers);
      const day = dayOf(now);
      const results = ids.map((i) => scoreQuestion(byId.get(i)!, choices.get(i)!));
      const rightIds = results.filter((r) => r.correct).map((r) => r.id);
      let next: ReturnType<typeof masterAfterPractice> | null = null;
      if (rightIds.length) {
        const { items, masteredIds } = book ?? (await wrongEntries(db, me._id));
        next = masterAfterPractice(items, masteredIds, rightIds, day);
      }
      if (!next?.mastered.length) {
        const checksLeft = await takePracticeChecks(db, me._id, doc, day, ids.length);
        return { correct: rightIds.length, total: results.length, results, mastered: [], checksLeft };
      }
      // the checks counted and the questions mastered land together, or neither does
      const { ids: masteredIds } = next;
      const checksLeft = await db.runTransaction(async (tx: Db) => {
        const fresh = await getDoc<MemberPracticeFields>(tx, C.members, me._id);
        const taken = practiceChecksOn(fresh ?? {}, day);
        if (taken + ids.length > PRACTICE_CHECKS_PER_DAY) {
          throw new AppError('RESOURCE_EXHAUSTED', practiceLimitMessage(PRACTICE_CHECKS_PER_DAY), { limit: PRACTICE_CHECKS_PER_DAY });
        }
        await tx.collection(C.members).doc(me._id).update({ data: { quizPracticeDay: day, quizPracticeChecks: taken + ids.length } });
        await tx.collection(C.mastered).doc(me._id).set({ data: { ids: masteredIds, updatedAt: now } });
        return PRACTICE_CHECKS_PER_DAY - taken - ids.length;
      });
      return { correct: rightIds.length, total: results.length, results, mastered: next.mastered, checksLeft };
    },
  }),

  tags: action({
    allow: ['member'],
    input: quizInputs.tags,
    ops: {
      count: '3–4',
      what: 'caller, quiz config, bank tags [+ tags of questions the walk took ahead of its cursor]',
      cases: {
        practice: {
          count: '+2–3',
          what: "pins for today and later, count after the cursor, [the next cycle's start]: once per instance, org and cursor per 60 s (practice by tag, checkPractice, tags)",
        },
      },
    },
    handler: async (_in, ctx): Promise<QuizOutputs['tags']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const cfg = await currentConfig(db, me.path, now.getTime());
      const gate = await practiceGate(db, cfg, ctx.caller.doc, now);
      const _ = db.command;
      // the topics of 专题练习: counted over the questions practice may show the caller
      const where = { orgId: _.in(cfg.orgPath), status: 'active' };
      const [res, ahead] = await Promise.all([
        db.collection(C.questions).where({ ...where, order: _.lte(cfg.cursor) }).field({ _id: true, order: true, tags: true }).limit(1000).get(),
        takenAhead(db, cfg, where),
      ]);
      const counts = new Map<string, number>();
      for (const q of [...(res.data as Array<Pick<StoredQuestion, '_id' | 'order' | 'tags'>>), ...ahead]) {
        if (practicable(q, gate)) for (const t of q.tags ?? []) counts.set(t, (counts.get(t) ?? 0) + 1);
      }
      return { tags: [...counts].map(([tag, count]) => ({ tag, count })).sort((a, b) => b.count - a.count || a.tag.localeCompare(b.tag, 'zh')) };
    },
  }),

  subscribe: action({
    allow: ['member'],
    input: quizInputs.subscribe,
    ops: { count: '1–2', what: 'caller, [member quota inc]' },
    handler: async (input, ctx): Promise<QuizOutputs['subscribe']> => {
      const { member: me, doc } = ctx.caller;
      const quota = doc.quizRemindQuota ?? 0;
      if (!input.accepted || quota >= MAX_REMIND_QUOTA) return { remindQuota: quota };
      await ctx.db.collection(C.members).doc(me._id).update({ data: { quizRemindQuota: ctx.db.command.inc(1) } });
      return { remindQuota: quota + 1 };
    },
  }),

  branchToday: action({
    allow: ['secretary', 'organiser'],
    input: quizInputs.branchToday,
    ops: { count: '4', what: 'caller, branch node, branch members (counters ride on them, the 30-day series too), reminder' },
    handler: async (input, ctx): Promise<QuizOutputs['branchToday']> => {
      const { db, now } = ctx;
      const node = await loadBranchInScope(db, ctx.caller.member, input.branchId);
      const branchId = node._id;
      const day = dayOf(now);
      const [members, reminder] = await Promise.all([
        branchMembers(db, branchId),
        getDoc<{ at: Date; sent: number }>(db, C.reminders, `${branchId}:${day}`),
      ]);
      const answered = members.filter((m) => m.quizLastDay === day);
      const missing = members.filter((m) => m.quizLastDay !== day);
      return {
        day,
        branchId,
        branchName: node.name,
        members: members.length,
        answered: answered.length,
        rate: rate(answered.length, members.length),
        missing: missing
          .map((m) => ({
            memberId: m._id,
            name: m.name,
            canRemind: remindable(m, day),
            streakLost: m.quizLastDay !== addDays(day, -1) && (m.quizStreak ?? 0) > 0,
          }))
          .sort((a, b) => a.name.localeCompare(b.name, 'zh')),
        answeredList: answered.map((m) => ({ memberId: m._id, name: m.name, streak: m.quizStreak ?? 1 })).sort((a, b) => a.name.localeCompare(b.name, 'zh')),
        remindable: missing.filter((m) => remindable(m, day)).length,
        remindedToday: reminder ? { at: new Date(reminder.at).toISOString(), sent: reminder.sent } : null,
        trend: participationTrend(members, day),
      };
    },
  }),

  remind: action({
    allow: ['secretary'],
    input: quizInputs.remind,
    ops: {
      count: '5+n',
      what: 'caller, members, reminder insert (lease; on a clash: reminder, lease take-over), node, n × member mark, reminder upd + one subscribeMessage.send per member reminded (open API, not DB)',
    },
    handler: async (_in, ctx): Promise<QuizOutputs['remind']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const branchId = me.branchId;
      const day = dayOf(now);
      const members = await branchMembers(db, branchId);
      const missing = members.filter((m) => m.quizLastDay !== day);
      const targets = missing.filter((m) => remindable(m, day));
      const noGrant = missing.filter((m) => !m.openid || (m.quizRemindQuota ?? 0) <= 0).length;
      const remId = `${branchId}:${day}`;
      // One reminder per branch per day. The record is a lease, not a verdict: a call that runs out of
      // time mid-send leaves it unfinished, and once the lease has passed a retry sends to the members
      // not yet marked. A double tap inside the lease sends once.
      const leaseUntil = new Date(now.getTime() + REMIND_LEASE_MS);
      try {
        await db.collection(C.reminders).add({ data: { _id: remId, branchId, day, byId: me._id, at: now, sent: 0, planned: targets.length, leaseUntil } });
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
        const held = await getDoc<{ done?: boolean; leaseUntil?: Date | string }>(db, C.reminders, remId);
        const expired = !!held && !held.done && !!held.leaseUntil && new Date(held.leaseUntil).getTime() <= now.getTime();
        const _ = db.command;
        const taken = expired && (await db.collection(C.reminders).where({ _id: remId, done: _.neq(true), leaseUntil: held.leaseUntil }).update({ data: { leaseUntil } }));
        if (!taken || !taken.stats?.updated) return { sent: 0, failed: 0, noGrant, alreadyReminded: true };
      }
      const node = await getDoc<OrgNode>(db, C.nodes, branchId);
      const message = { page: QUIZ_PAGE, ...subscribeMessage('quizRemind', reminderData(day, node?.name ?? '党支部')) };
      const _ = db.command;
      let sent = 0;
      let failed = 0;
      for (const m of targets) {
        let ok: boolean;
        try {
          const r = (await ctx.sendSubscribe({ touser: m.openid as string, ...message })) as { errCode?: number; errcode?: number };
          ok = (r?.errCode ?? r?.errcode ?? 0) === 0;
        } catch {
          ok = false;
        }
        if (!ok) {
          failed++;
          continue;
        }
        // marked right after its message, so a timeout later in the loop strands nobody
        await db.collection(C.members).doc(m._id).update({ data: { quizRemindQuota: _.inc(-1), quizRemindedDay: day } });
        sent++;
      }
      await db.collection(C.reminders).doc(remId).update({ data: { sent: _.inc(sent), failed, done: true } });
      return { sent, failed, noGrant, alreadyReminded: false };
    },
  }),

  rankMembers: action({
    allow: ['member'],
    input: quizInputs.rankMembers,
    ops: { count: '3', what: 'caller, branch node, branch members' },
    handler: async (_in, ctx): Promise<QuizOutputs['rankMembers']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const day = dayOf(now);
      const [node, members] = await Promise.all([getDoc<OrgNode>(db, C.nodes, me.branchId), branchMembers(db, me.branchId)]);
      // members of one branch share its path
      const ranked = members.filter((m) => !quizUnranked(m, me.path));
      const rows = rankMembers(ranked as any, day);
      // the branch's own 参与率, counted as the branch ranking counts it
      const counts = branchCounts(ranked, day);
      const branch = { ...counts, todayRate: rate(counts.answeredToday, counts.members), monthRate: rate(counts.answeredMonth, counts.members) };
      return { day, branchName: node?.name ?? '', branch, rows, me: rows.find((r) => r.memberId === me._id) ?? null, meUnranked: quizUnranked(me, me.path) };
    },
  }),

  rankBranches: action({
    allow: ['member', 'organiser'],
    input: quizInputs.rankBranches,
    ops: { count: '4', what: 'caller, scope node, branches, one aggregate over member counters' },
    handler: async (input, ctx): Promise<QuizOutputs['rankBranches']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const day = dayOf(now);
      let scopeId: string | undefined;
      if (me.role === 'organiser' && me.scopeId) scopeId = me.scopeId;
      else {
        const p = me.path;
        scopeId = input.level === 'street' ? p[p.length - 3] : p[p.length - 2];
      }
      if (!scopeId) throw new AppError('FAILED_PRECONDITION', '所在组织没有上级，无法排名');
      const _ = db.command;
      const $ = db.command.aggregate;
      const [scope, branches] = await Promise.all([
        getDoc<OrgNode>(db, C.nodes, scopeId),
        db.collection(C.nodes).where({ path: scopeId, type: 'branch' }).field({ _id: true, name: true }).limit(1000).get(),
      ]);
      const ids = (branches.data as OrgNode[]).map((b) => b._id);
      // quizUnranked in the database's words: an organiser whose scope is on their own path counts nowhere
      const unranked = $.and([$.eq(['$role', 'organiser']), $.in([$.ifNull(['$scopeId', '']), $.ifNull(['$path', []])])]);
      const counts = ids.length
        ? await db
            .collection(C.members)
            .aggregate()
            .match({ branchId: _.in(ids), status: 'active' })
            .group({
              _id: '$branchId',
              members: $.sum($.cond([unranked, 0, 1])),
              answeredToday: $.sum($.cond([unranked, 0, $.cond([$.eq(['$quizLastDay', day]), 1, 0])])),
              monthDays: $.sum($.cond([unranked, 0, $.cond([$.eq(['$quizMonth', monthOf(day)]), '$quizMonthDays', 0])])),
              // core/quiz/stats.ts branchCounts in the database's words: answered at least once this month
              answeredMonth: $.sum($.cond([unranked, 0, $.cond([$.and([$.eq(['$quizMonth', monthOf(day)]), $.gt(['$quizMonthDays', 0])]), 1, 0])])),
            })
            .limit(1000)
            .end()
        : { list: [] };
      const byId = new Map<string, any>((counts.list as any[]).map((c) => [c._id, c]));
      const rows: BranchCounts[] = (branches.data as OrgNode[]).map((b) => ({
        branchId: b._id,
        name: b.name,
        members: byId.get(b._id)?.members ?? 0,
        answeredToday: byId.get(b._id)?.answeredToday ?? 0,
        monthDays: byId.get(b._id)?.monthDays ?? 0,
        answeredMonth: byId.get(b._id)?.answeredMonth ?? 0,
      }));
      return { day, level: input.level, scopeName: scope?.name ?? '', rows: rankBranches(rows) };
    },
  }),

  bankStatus: action({
    allow: ['organiser'],
    input: quizInputs.bankStatus,
    ops: { count: '9', what: 'caller, node, config, 3 counts, pinned days, 2 aggregates (by type, by topic)' },
    handler: async (_in, ctx): Promise<QuizOutputs['bankStatus']> => {
      const { db, now } = ctx;
      const org = ctx.caller.member;
      const _ = db.command;
      const [node, stored] = await Promise.all([orgNodeForOrganiser(db, org), getDoc<QuizConfig>(db, C.config, org.scopeId)]);
      const cfg = stored ?? newConfig(org.scopeId, nodeFullPath(node));
      const base = { orgId: _.in(cfg.orgPath), status: 'active' };
      const [active, retired, ahead, pins] = await Promise.all([
        db.collection(C.questions).where(base).count(),
        db.collection(C.questions).where({ orgId: org.scopeId, status: 'retired' }).count(),
        db.collection(C.questions).where({ ...base, order: _.gt(cfg.cursor) }).count(),
        db.collection(C.sets).where({ orgId: org.scopeId, day: _.gte(dayOf(now)), materialised: false }).field({ day: true }).limit(100).get(),
      ]);
      const fresh = freshDays(cfg, ahead.total);
      const health = await bankHealth(db, cfg, dayOf(now), fresh);
      return {
        orgId: org.scopeId,
        orgName: node.name,
        perDay: cfg.perDay,
        active: active.total,
        retired: retired.total,
        freshDays: fresh,
        low: fresh < LOW_BANK_DAYS,
        cycle: cfg.cycle,
        pinnedDays: (pins.data as Array<{ day: string }>).map((p) => p.day).sort(),
        health,
        importDir: importDir('quiz', ctx.caller.openid),
        ownQuizUnranked: quizUnranked(org, org.path),
      };
    },
  }),

  listQuestions: action({
    allow: ['organiser'],
    input: quizInputs.listQuestions,
    ops: { count: '3', what: 'caller, count, page' },
    handler: async (input, ctx): Promise<QuizOutputs['listQuestions']> => {
      const { db } = ctx;
      const org = ctx.caller.member;
      const where = { orgId: org.scopeId, status: input.status };
      const PAGE = 20;
      const [count, page] = await Promise.all([
        db.collection(C.questions).where(where).count(),
        db.collection(C.questions).where(where).orderBy('createdAt', 'desc').orderBy('_id', 'asc').skip(input.page * PAGE).limit(PAGE).get(),
      ]);
      return { total: count.total, page: input.page, questions: (page.data as StoredQuestion[]).map(adminView) };
    },
  }),

  importBank: action({
    allow: ['organiser'],
    input: quizInputs.importBank,
    ops: {
      count: '1 + 2 per 1000 rows',
      what: 'caller; per 500 valid rows: existing ids and stems (2 reads), one batch insert; + the report file to storage when rows need changes',
    },
    handler: async (input, ctx): Promise<QuizOutputs['importBank']> => {
      const org = ctx.caller.member;
      const checked = await validateCached(null, () => readOrRefuse(() => readBankTable(input.fileName, input.contentBase64)), input.defaultSource, ctx.now.getTime());
      // small enough for one call: every valid row is imported (or checked) now
      const r = await runBankImport(
        { db: ctx.db, now: ctx.now, orgId: org.scopeId, openid: ctx.caller.openid, storage: ctx.storage, dryRun: input.dryRun, defaultSource: input.defaultSource, from: 0,
          startedAt: Date.now(), budgetMs: Infinity },
        checked,
      );
      return r;
    },
  }),

  importBankFile: action({
    allow: ['organiser'],
    input: quizInputs.importBankFile,
    ops: {
      count: '1 + 6 per 1000 questions',
      what:
        'caller; the file from storage (not DB; once per instance and file); per 500 valid rows: existing ids and stems (2 reads), one batch insert; ' +
        'a dry run reads 2 per 1000 rows and writes nothing; the first call uploads the report file when rows need changes',
    },
    handler: async (input, ctx): Promise<QuizOutputs['importBankFile']> => {
      const startedAt = Date.now();
      const org = ctx.caller.member;
      // only the caller's own upload: a fileID must not open someone else's file through the report
      if (!isOwnImport(input.fileID, 'quiz', ctx.caller.openid)) throw new AppError('PERMISSION_DENIED', '只能导入您自己上传的文件，请重新选择文件');
      if (input.from > 0 && !input.runId) throw new AppError('INVALID_ARGUMENT', '缺少导入编号，请重新开始导入');
      const checked = await validateCached(
        input.fileID,
        () =>
          readOrRefuse(async () => {
            let buf: Buffer;
            try {
              buf = await ctx.storage.download(input.fileID);
            } catch {
              throw new SheetFileError('找不到上传的文件，请重新选择文件');
            }
            if (buf.length > MAX_IMPORT_BYTES) throw new SheetFileError('文件太大：单个文件不超过 10 MB，请拆分后分批导入');
            return readBankFile(input.fileName, buf);
          }),
        input.defaultSource,
        ctx.now.getTime(),
      );
      return runBankImport(
        { db: ctx.db, now: ctx.now, orgId: org.scopeId, openid: ctx.caller.openid, storage: ctx.storage, dryRun: input.dryRun, defaultSource: input.defaultSource,
          from: input.from, runId: input.runId, startedAt },
        checked,
      );
    },
  }),

  editQuestion: action({
    allow: ['organiser'],
    input: quizInputs.editQuestion,
    ops: { count: '3–4', what: 'caller, question, [its org node], update' },
    handler: async (input, ctx): Promise<QuizOutputs['editQuestion']> => {
      const q = await ownQuestion(ctx.db, ctx.caller.member, input.id);
      const patch: Partial<StoredQuestion> = {};
      if (input.explanation !== undefined) patch.explanation = input.explanation;
      if (input.source !== undefined) patch.source = input.source;
      if (input.tags !== undefined) patch.tags = [...new Set(input.tags)];
      if (input.difficulty !== undefined) patch.difficulty = input.difficulty;
      await ctx.db.collection(C.questions).doc(q._id).update({ data: { ...patch, updatedAt: ctx.now } });
      return adminView({ ...q, ...patch });
    },
  }),

  retireQuestion: action({
    allow: ['organiser'],
    input: quizInputs.retireQuestion,
    ops: { count: '3–4', what: 'caller, question, [its org node], update' },
    handler: async (input, ctx): Promise<QuizOutputs['retireQuestion']> => {
      const q = await ownQuestion(ctx.db, ctx.caller.member, input.id);
      const status = input.retired ? 'retired' : 'active';
      if (q.status !== status) await ctx.db.collection(C.questions).doc(q._id).update({ data: { status, updatedAt: ctx.now } });
      return adminView({ ...q, status });
    },
  }),

  pin: action({
    allow: ['organiser'],
    input: quizInputs.pin,
    ops: { count: '7', what: 'caller, node, questions, tx(start, set, config, set write, commit)' },
    handler: async (input, ctx): Promise<QuizOutputs['pin']> => {
      const { db, now } = ctx;
      const org = ctx.caller.member;
      const today = dayOf(now);
      if (!isValidDay(input.day)) throw new AppError('INVALID_ARGUMENT', '日期不对');
      if (input.day < today) throw new AppError('INVALID_ARGUMENT', '不能为过去的日期指定题目');
      if (input.day > addDays(today, 366)) throw new AppError('INVALID_ARGUMENT', '最多提前一年指定题目');
      const node = await orgNodeForOrganiser(db, org);
      const orgPath = nodeFullPath(node);
      const ids = [...new Set(input.questionIds)];
      const qs = await questionsByIds(db, ids);
      const byId = new Map(qs.map((q) => [q._id, q]));
      for (const i of ids) {
        const q = byId.get(i);
        if (!q || !orgPath.includes(q.orgId)) throw new AppError('NOT_FOUND', '题目不存在或不在本组织可用的题库中');
        if (q.status !== 'active') throw new AppError('FAILED_PRECONDITION', `题目“${q.stem.slice(0, 12)}…”已停用，不能指定`);
      }
      const sid = setId(org.scopeId, input.day);
      await db.runTransaction(async (tx: Db) => {
        const [set, cfg] = [first<StoredSet>(await tx.collection(C.sets).doc(sid).get()), first<QuizConfig>(await tx.collection(C.config).doc(org.scopeId).get())];
        if (set?.materialised) throw new AppError('FAILED_PRECONDITION', '这一天的题目已经发布，不能再更改');
        const perDay = cfg?.perDay ?? newConfig(org.scopeId, orgPath).perDay;
        if (ids.length > perDay) throw new AppError('INVALID_ARGUMENT', `每天只有 ${perDay} 道题，最多指定 ${perDay} 道`);
        await tx.collection(C.sets).doc(sid).set({ data: pinnedSetData(org.scopeId, input.day, ids, org._id, now) });
        if (!cfg) {
          await tx.collection(C.config).doc(org.scopeId).set({ data: { ...stripId(newConfig(org.scopeId, orgPath)), updatedAt: now } });
        }
      });
      return { day: input.day, questionIds: ids };
    },
  }),

  setPerDay: action({
    allow: ['organiser'],
    input: quizInputs.setPerDay,
    ops: { count: '6', what: 'caller, node, tx(start, config, config write, commit)' },
    handler: async (input, ctx): Promise<QuizOutputs['setPerDay']> => {
      const { db, now } = ctx;
      const org = ctx.caller.member;
      const node = await orgNodeForOrganiser(db, org);
      await db.runTransaction(async (tx: Db) => {
        const cfg = first<QuizConfig>(await tx.collection(C.config).doc(org.scopeId).get());
        const base = stripId(cfg ?? newConfig(org.scopeId, nodeFullPath(node)));
        // takes effect from the next set chosen (today's, if nobody has fetched it yet)
        await tx.collection(C.config).doc(org.scopeId).set({ data: { ...base, perDay: input.perDay, ...(input.mix ? { mix: input.mix } : {}), updatedAt: now } });
      });
      return { perDay: input.perDay, ...(input.mix ? { mix: input.mix } : {}) };
    },
  }),
};

/** A file the import cannot read is the person's mistake, said in their words. */
async function readOrRefuse(read: () => Promise<BankTable>): Promise<BankTable> {
  try {
    return await read();
  } catch (e) {
    if (e instanceof SheetFileError) throw new AppError('INVALID_ARGUMENT', e.message);
    throw e;
  }
}

async function ownQuestion(db: Db, org: OrganiserCaller['member'], id: string): Promise<StoredQuestion> {
  const q = await getDoc<StoredQuestion>(db, C.questions, id);
  if (!q) throw new AppError('NOT_FOUND', '题目不存在');
  if (q.orgId !== org.scopeId) {
    const node = await getDoc<OrgNode>(db, C.nodes, q.orgId);
    if (!node || !isInSubtree(nodeFullPath(node), org.scopeId)) throw new AppError('PERMISSION_DENIED', '只能管理本组织及下级组织的题库');
  }
  return q;
}

// re-exported for tests that reason about the late-night window
export { acceptableDays };

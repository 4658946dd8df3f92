/**
 * The study function's actions: database work only. Crediting rules live in core/study (heartbeat.ts,
 * credit.ts, rules.ts, views.ts) and are unit-tested without a server.
 */
import crypto from 'crypto';
import { getDoc, isDuplicateKey, stripId, type Db } from '../../core/fn/db';
import { AppError } from '../../core/fn/errors';
import { actionsFor, type ActionTable, type CallerMember } from '../../core/fn/router';
import { loadCaller, narrowCaller, type CallerDb, type CallerFor, type StoredMember } from '../../core/fn/caller';
import type { Platform, TimerDef } from '../../core/fn/serve';
import { isInSubtree, isSecretaryOf, loadBranchInScope, nodeFullPath } from '../../core/org/scope';
import {
  studyInputs,
  type BranchTable,
  type LessonDetail,
  type LessonView,
  type OrgRateRow,
  type StudyOutputs,
} from '../../core/study/contracts';
import { creditStudy, totalsId, type CreditInput, type TotalsDoc } from '../../core/study/credit';
import { applyBeat, applyCheckpoint, settleSession, takeOver, NOT_STARTED, OTHER_DEVICE, OTHER_LESSON, SESSION_CLOSED, type SessionDoc } from '../../core/study/heartbeat';
import { leaseOf, leaseSecret, openLease, openOffer, signLease, signOffer, type LeaseState } from '../../core/study/lease';
import { applyLiveJoin, applyLiveReturn, LIVE_NOT_CHANNELS, type LiveOutcome } from '../../core/study/live';
import { buildStudyLedgerXlsx, readLedgerCredits, studyLedgerFileName } from '../../core/study/ledger';
import { flushWrites, mustFlushBeforeStart, newSession, offerFor, offerLesson, sessionClock } from '../../core/study/session';
import {
  lessonId,
  newLessonDoc,
  newOfflineRecord,
  offlineRecordId,
  offlineView,
  progressId,
  reminderId,
  type LessonDoc,
  type OfflineRecordDoc,
  type ProgressDoc,
} from '../../core/study/stored';
import { dayOf, yearOf } from '../../core/day';
import {
  DEFAULT_RULES,
  resolveTarget,
  rulesFromEnv,
  staleAfterSec,
  targetId,
  toStudyHours,
  type StudyRules,
  type TargetDoc,
} from '../../core/study/rules';
import { buildBranchRows, buildProgress, liveState, type RosterMember } from '../../core/study/views';
import { subscribeMessage, subscribeTime } from '../../core/subscribe/templates';
import { sendSubscribe, type SendOutcome, type SubscribeMsg } from '../../core/subscribe/send';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type { Db };

export interface StudyCtx {
  db: Db;
  now: Date;
  rules: StudyRules;
  randomId: () => string;
  /** cloud.openapi.subscribeMessage.send and cloud.getTempFileURL, injectable for tests */
  sendSubscribe: (msg: SubscribeMsg) => Promise<SendOutcome>;
  tempUrl: (fileId: string) => Promise<string | null>;
  /** the key that signs study leases and offers (STUDY_LEASE_SECRET); throws while it is not configured */
  leaseSecret: () => string;
}

export function makeStudyCtx(p: Platform): StudyCtx {
  return {
    db: p.db,
    // the function's clock is the only clock crediting trusts
    now: p.now,
    rules: rulesFromEnv(p.env),
    randomId: () => crypto.randomBytes(12).toString('hex'),
    leaseSecret: () => leaseSecret(p.env),
    sendSubscribe: (msg) => sendSubscribe((o) => p.cloud.openapi.subscribeMessage.send(o), msg),
    tempUrl: async (fileId) => {
      try {
        const res = await p.cloud.getTempFileURL({ fileList: [fileId] });
        return res?.fileList?.[0]?.tempFileURL ?? null;
      } catch {
        return null;
      }
    },
  };
}

/** `progress` reads the committee flag from the caller's stored document */
const { action, loadingAction } = actionsFor<StudyCtx, StoredMember & { committee?: boolean }>();

/**
 * `beat`'s caller: the session `start` wrote after the full caller check (it carries the caller's
 * snapshot), read in place of org_members so a heartbeat costs one read.
 */
const loadSession = async (ctx: StudyCtx, openid: string) => ({ session: await getDoc<SessionDoc>(ctx.db, C.sessions, openid) });

/**
 * `start`, `checkpoint` and `stop`: no caller read. What proves the caller is signed (the `lesson`
 * view's offer, the session's lease) or is the caller's own session (`study_sessions/<openid>`,
 * keyed by the identity the platform gives); `start` without a usable offer reads the caller itself.
 */
const noRead = async () => ({});

export const C = {
  lessons: 'study_lessons',
  sessions: 'study_sessions',
  progress: 'study_progress',
  credits: 'study_credits',
  totals: 'study_totals',
  offline: 'study_offline',
  targets: 'study_targets',
  reminders: 'study_reminders',
  members: 'org_members',
  nodes: 'org_nodes',
} as const;

const toDate = (v: unknown): Date | null => (v ? new Date(v as string | number | Date) : null);

const visible = (lesson: LessonDoc | null, member: CallerMember): lesson is LessonDoc =>
  !!lesson && lesson.status === 'published' && (isInSubtree(member.path, lesson.orgId) || (member.role === 'organiser' && lesson.orgId === member.scopeId));

function creditRule(l: LessonDoc, rules: StudyRules): string {
  const h = toStudyHours(l.durationSec, rules);
  if (l.kind === 'live') return `按实际观看时长计学时（${rules.minutesPerHour} 分钟 = 1 学时），直播或回放最多 ${h} 学时`;
  return `按实际学习时长计学时（${rules.minutesPerHour} 分钟 = 1 学时），本课最多 ${h} 学时`;
}

async function mediaLink(ctx: StudyCtx, url: string | null | undefined): Promise<string | null> {
  if (!url) return null;
  return url.startsWith('cloud://') ? ctx.tempUrl(url) : url;
}

async function toLessonView(
  ctx: StudyCtx,
  l: LessonDoc,
  p: ProgressDoc | null,
  reminded: boolean,
): Promise<LessonView> {
  const startsAt = toDate(l.startsAt);
  const endsAt = toDate(l.endsAt);
  return {
    id: l._id,
    kind: l.kind,
    title: l.title,
    speaker: l.speaker,
    durationSec: l.durationSec,
    maxHours: toStudyHours(l.durationSec, ctx.rules),
    creditRule: creditRule(l, ctx.rules),
    cover: await mediaLink(ctx, l.cover),
    mediaUrl: await mediaLink(ctx, l.mediaUrl),
    orgName: l.orgName,
    publishedAt: l.publishedAt ? new Date(l.publishedAt).toISOString() : null,
    live:
      l.kind === 'live' && startsAt && endsAt
        ? {
            startsAt: startsAt.toISOString(),
            endsAt: endsAt.toISOString(),
            streamUrl: await mediaLink(ctx, l.streamUrl),
            channelsId: l.channelsId ?? null,
            replayUrl: await mediaLink(ctx, l.replayUrl),
            state: liveState(startsAt, endsAt, ctx.now),
            reminded,
          }
        : null,
    progress: { creditedSec: p?.creditedSec ?? 0, position: p?.position ?? 0, completed: !!p?.completed },
  };
}

async function targetsFor(db: Db, path: string[], year: number): Promise<TargetDoc[]> {
  if (!path.length) return [];
  const _ = db.command;
  const ids = path.map((id) => targetId(id, year));
  const res = await db.collection(C.targets).where({ _id: _.in(ids) }).limit(ids.length).get();
  return res.data as TargetDoc[];
}

/**
 * The year's targets for a member's own 学时 page, kept per warm instance for TARGETS_TTL_MS: a
 * district sets a handful (the district, some streets), so one read of them all serves every member
 * for ten minutes. Targets are set in the console and only shape what the page shows against the
 * credit, never the credit; a changed target shows within the TTL. More than a page of them: read
 * per path as before.
 */
const TARGETS_TTL_MS = 10 * 60_000;
const yearTargets = new Map<number, { at: number; docs: TargetDoc[] | null }>();

async function cachedTargetsFor(db: Db, path: string[], year: number, nowMs: number): Promise<TargetDoc[]> {
  let hit = yearTargets.get(year);
  if (!hit || nowMs - hit.at >= TARGETS_TTL_MS || nowMs < hit.at) {
    const res = await db.collection(C.targets).where({ year }).limit(1000).get();
    hit = { at: nowMs, docs: res.data.length < 1000 ? (res.data as TargetDoc[]) : null };
    yearTargets.set(year, hit);
  }
  if (!hit.docs) return targetsFor(db, path, year);
  const ids = new Set(path.map((id) => targetId(id, year)));
  return hit.docs.filter((d) => ids.has(d._id));
}

/** A stop's last checkpoint: the lease the app held and what it played since. */
export interface FinalCheckpoint {
  lease: LeaseState;
  played: number;
  position: number;
  rules: StudyRules;
}

const updatedCount = (res: any): number => Number(res?.stats?.updated ?? res?.updated ?? 0);

/**
 * Writes a session's pending credit into the ledger in one transaction that reads only the session:
 * credit records, the year's counters (increments; created whole on the member's first credit of the
 * year) and the lesson's progress (written whole, core/study/session.ts flushWrites), then the session
 * itself (pending cleared, flush count and `seq` up). The session read inside the transaction is the
 * exactly-once guard: a flush that committed moved it, so a retried, repeated or racing flush finds
 * nothing to write, and a beat or checkpoint that read the session before cannot write the old
 * pending back. `end` also closes the session; `final` first applies the stop's own checkpoint when
 * its lease is the stored session. A closed session is left as it is (a repeated stop writes nothing).
 */
export async function flushSession(
  db: Db,
  openid: string,
  now: Date,
  opts: { end: boolean; expectSessionId?: string; final?: FinalCheckpoint },
): Promise<SessionDoc | null> {
  return db.runTransaction(async (tx: Db) => {
    let s = await getDoc<SessionDoc>(tx, C.sessions, openid);
    if (!s || (opts.expectSessionId && s.sessionId !== opts.expectSessionId)) return s;
    const f = opts.final;
    if (f && s.active && s.sessionId === f.lease.sessionId && s.seq === f.lease.seq) {
      try {
        s = { ...s, ...applyCheckpoint(s, { played: f.played, position: f.position }, now.getTime(), f.rules, { final: true }).patch };
      } catch (e) {
        // a position past the end: the stop still closes, without this last stretch
        if (!(e instanceof AppError)) throw e;
      }
    }
    const step = settleSession(s, opts.end);
    if (!step) return s;
    if (s.completedAt === undefined && step.credits.length) {
      // a session started before sessions carried the first completion: ask the progress once
      const p = await getDoc<ProgressDoc>(tx, C.progress, progressId(s.memberId, s.lessonId));
      s = { ...s, completedAt: p?.completed ? new Date(p.completedAt ?? now).getTime() : null };
    }
    const w = flushWrites(s, step.credits, now);
    const _ = db.command;
    for (const c of w.credits) await tx.collection(C.credits).doc(c.id).set({ data: c.data });
    for (const t of w.totals) {
      const inc = Object.fromEntries(
        Object.entries(t.inc).map(([k, v]) => [k, typeof v === 'number' ? _.inc(v) : Object.fromEntries(Object.entries(v).map(([kk, vv]) => [kk, _.inc(vv)]))]),
      );
      const res = await tx.collection(C.totals).doc(t.id).update({ data: { ...inc, ...t.set } });
      // none yet: the member's first credit of the year (a racing creation conflicts and retries)
      if (!updatedCount(res)) await tx.collection(C.totals).doc(t.id).set({ data: stripId(t.whole) });
    }
    if (w.progress) await tx.collection(C.progress).doc(w.progress.id).set({ data: w.progress.data });
    const next: SessionDoc = { ...step.next, completedAt: s.completedAt ?? (s.completed && step.credits.length ? now.getTime() : null) };
    await tx.collection(C.sessions).doc(openid).set({ data: stripId(next) });
    return next;
  });
}

const TAKEN_OVER = '您刚在另一台设备或页面开始了学习，请重新进入课程';

/**
 * A 视频号 join or return (core/study/live.ts) written like a checkpoint: one update conditional on
 * the lease. When it lands nothing, the stored session says why, or — the same call repeated after a
 * lost answer — hands back its lease with nothing credited. Null: landed; otherwise the session read.
 */
async function writeLive(db: Db, openid: string, lease: LeaseState, out: LiveOutcome): Promise<SessionDoc | null> {
  const _ = db.command;
  const res = await db
    .collection(C.sessions)
    .where({ _id: openid, seq: lease.seq, sessionId: lease.sessionId, active: true })
    .update({ data: { ...out.patch, pending: _.set(out.patch.pending), liveJoin: out.patch.liveJoin ? _.set(out.patch.liveJoin) : null } });
  if (updatedCount(res)) return null;
  const s = await getDoc<SessionDoc>(db, C.sessions, openid);
  if (!s || s.sessionId !== lease.sessionId) throw new AppError('FAILED_PRECONDITION', s?.active && s.lessonId !== lease.lessonId ? OTHER_LESSON : OTHER_DEVICE);
  if (!s.active) throw new AppError('FAILED_PRECONDITION', SESSION_CLOSED);
  return s;
}

/**
 * Writes the session a start made, only over the session document the start read (`base`, same
 * `seq`), or as a new document when there was none: a beat, checkpoint, flush or start that landed
 * in between makes this write land nothing (false) instead of wiping credit or restarting the clock
 * behind a flushed beat.
 */
async function writeSession(db: Db, base: Pick<SessionDoc, 'seq'> | null, next: SessionDoc): Promise<boolean> {
  if (!base) {
    try {
      await db.collection(C.sessions).add({ data: next });
      return true;
    } catch (e) {
      if (isDuplicateKey(e)) return false;
      throw e;
    }
  }
  // _.set: a plain object would be merged key by key into the old pending
  const data = { ...stripId(next), pending: db.command.set(next.pending) };
  const res = await db.collection(C.sessions).where({ _id: next._id, seq: base.seq }).update({ data });
  return updatedCount(res) > 0;
}

/** A start's reading path: the lesson, the stored session, progress and totals, read afresh. */
async function startReading(ctx: StudyCtx, m: CallerFor<'member'>['member'], openid: string, lessonIdIn: string): Promise<SessionDoc> {
  const { db, now } = ctx;
  const [lesson, old, progress, totals] = await Promise.all([
    getDoc<LessonDoc>(db, C.lessons, lessonIdIn),
    getDoc<SessionDoc>(db, C.sessions, openid),
    progressOf(db, m._id, lessonIdIn),
    getDoc<TotalsDoc>(db, C.totals, totalsId(yearOf(now), m._id)),
  ]);
  if (!visible(lesson, m)) throw new AppError('NOT_FOUND', '没有找到这门课程');
  const clock = sessionClock(lesson, now.getTime());
  // whatever the member was studying before stops here; its time goes into the ledger first, and
  // the new session replaces exactly the session as stored after that
  const base = mustFlushBeforeStart(old) ? await flushSession(db, openid, now, { end: true }) : old;
  const session = newSession({
    openid,
    member: m,
    lesson,
    clock,
    old,
    takeOver: takeOver(base, now.getTime()),
    // the flush above may have moved this lesson's progress: the session counts it from old's pending
    progress,
    totals,
    sessionId: ctx.randomId(),
    nowMs: now.getTime(),
  });
  if (!(await writeSession(db, base, session))) throw new AppError('FAILED_PRECONDITION', TAKEN_OVER);
  return session;
}

async function progressOf(db: Db, memberId: string, lessonId: string): Promise<ProgressDoc | null> {
  return getDoc<ProgressDoc>(db, C.progress, progressId(memberId, lessonId));
}

async function branchTable(ctx: StudyCtx, caller: CallerMember, branchId: string | undefined, year: number): Promise<BranchTable & { roster: RosterMember[]; totals: TotalsDoc[] }> {
  const { db } = ctx;
  const node = await loadBranchInScope(db, caller, branchId);
  const [members, totals, targets] = await Promise.all([
    db.collection(C.members).where({ branchId: node._id, status: 'active' }).limit(1000).get(),
    db.collection(C.totals).where({ branchId: node._id, year }).limit(1000).get(),
    targetsFor(db, nodeFullPath(node), year),
  ]);
  const roster = members.data as RosterMember[];
  const rows = buildBranchRows(roster, totals.data as TotalsDoc[], year, targets, ctx.rules, ctx.now, isSecretaryOf(caller, node._id));
  return {
    branchId: node._id,
    branchName: node.name,
    year,
    rows,
    met: rows.filter((r) => r.behind === 0).length,
    total: rows.length,
    roster,
    totals: totals.data as TotalsDoc[],
  };
}

export const studyActions: ActionTable<StudyCtx> = {
  lessons: action({
    allow: ['member'],
    input: studyInputs.lessons,
    ops: { count: '3–4', what: 'caller, lessons, progress of those lessons, [reminders of live lessons]' },
    handler: async (input, ctx): Promise<StudyOutputs['lessons']> => {
      const { db } = ctx;
      const m = ctx.caller.member;
      const _ = db.command;
      const orgs = [...m.path, ...(m.scopeId ? [m.scopeId] : [])];
      const where: Record<string, unknown> = { orgId: _.in(orgs), status: 'published' };
      if (input.kind) where.kind = input.kind;
      const lessons = (await db.collection(C.lessons).where(where).orderBy('publishedAt', 'desc').limit(100).get()).data as LessonDoc[];
      if (!lessons.length) return [];
      const live = lessons.filter((l) => l.kind === 'live').map((l) => reminderId(l._id, m._id));
      const [progress, reminders] = await Promise.all([
        db.collection(C.progress).where({ _id: _.in(lessons.map((l) => progressId(m._id, l._id))) }).limit(lessons.length).get(),
        live.length ? db.collection(C.reminders).where({ _id: _.in(live) }).limit(live.length).get() : Promise.resolve({ data: [] }),
      ]);
      const pById = new Map((progress.data as ProgressDoc[]).map((p) => [p.lessonId, p]));
      const reminded = new Set((reminders.data as Array<{ lessonId: string }>).map((r) => r.lessonId));
      return Promise.all(lessons.map((l) => toLessonView(ctx, l, pById.get(l._id) ?? null, reminded.has(l._id))));
    },
  }),

  lesson: action({
    allow: ['member'],
    input: studyInputs.lesson,
    ops: { count: '5', what: 'caller, lesson, progress, session, reminder — and a signed offer, so that `start` reads nothing' },
    handler: async (input, ctx): Promise<StudyOutputs['lesson']> => {
      const { db } = ctx;
      const m = ctx.caller.member;
      const [lesson, progress, session, reminder] = await Promise.all([
        getDoc<LessonDoc>(db, C.lessons, input.lessonId),
        progressOf(db, m._id, input.lessonId),
        getDoc<SessionDoc>(db, C.sessions, ctx.caller.openid),
        getDoc(db, C.reminders, reminderId(input.lessonId, m._id)),
      ]);
      if (!visible(lesson, m)) throw new AppError('NOT_FOUND', '没有找到这门课程');
      const view = await toLessonView(ctx, lesson, progress, !!reminder);
      // an open session on this lesson knows more than the last flush
      if (session && session.active && session.lessonId === lesson._id && session.memberId === m._id) {
        view.progress = { creditedSec: session.lessonSec, position: session.position, completed: session.completed };
      }
      const detail: LessonDetail = { ...view, body: lesson.body ?? null, startOffer: null };
      const offer = offerFor(ctx.caller.openid, m, lesson, session, progress, ctx.now.getTime());
      if (offer) {
        try {
          detail.startOffer = signOffer(ctx.leaseSecret(), offer);
        } catch (e) {
          // not configured: the lesson still shows; `start` refuses and says why
          if (!(e instanceof AppError)) throw e;
        }
      }
      return detail;
    },
  }),

  start: loadingAction({
    // the caller is checked here: by the `lesson` view's signed offer, or by reading them as any action does
    allow: ['guest'],
    load: noRead,
    input: studyInputs.start,
    ops: {
      count: '1',
      what: "with the `lesson` view's offer: the session write (conditional on the seq the view saw, or create)",
      cases: {
        'without an offer, or the session moved since': {
          count: '6',
          what: "caller, lesson, old session, progress, totals, session write (conditional on the old seq, or create); + flush of the previous lesson's unwritten time when there is some",
        },
      },
    },
    handler: async (input, ctx): Promise<StudyOutputs['start']> => {
      const { db, now, rules } = ctx;
      const openid = ctx.caller.openid;
      const secret = ctx.leaseSecret();
      const offer = openOffer(secret, input.offer, openid, input.lessonId, now.getTime());
      let session: SessionDoc | null = null;
      if (offer) {
        const next = newSession({
          openid,
          member: offer.member,
          lesson: offer.lesson,
          clock: sessionClock(offerLesson(offer), now.getTime()),
          old: offer.base,
          takeOver: takeOver(offer.base, now.getTime()),
          progress: offer.progress,
          totals: null,
          sessionId: ctx.randomId(),
          nowMs: now.getTime(),
        });
        // the session moved since the view read it: start again from what is stored
        if (await writeSession(db, offer.base, next)) session = next;
      }
      if (!session) {
        const loaded = await loadCaller(db as CallerDb, openid);
        const caller = narrowCaller(['member'], loaded);
        if (!caller) throw new AppError('PERMISSION_DENIED', loaded.member ? '您没有权限进行此操作' : '请先加入党支部');
        session = await startReading(ctx, caller.member, openid, input.lessonId);
      }
      return {
        sessionId: session.sessionId,
        lease: signLease(secret, leaseOf(session)),
        resumeAt: session.position,
        beatEverySec: rules.beatEverySec,
        checkpointEverySec: rules.checkpointEverySec,
        mode: session.mode,
        creditedSec: session.lessonSec,
        completed: session.completed,
      };
    },
  }),

  beat: loadingAction({
    // the session doc stands in for the caller; no session → NOT_STARTED
    allow: ['guest'],
    load: loadSession,
    input: studyInputs.beat,
    ops: {
      count: '2',
      what: 'app versions from before checkpoints, kept for one release: session, conditional update (where _id, seq, sessionId, active); +7 once per lesson, when it completes (flush)',
    },
    handler: async (input, ctx): Promise<StudyOutputs['beat']> => {
      const { db, now, rules } = ctx;
      const s = ctx.caller.session;
      const out = applyBeat(s, input, now.getTime(), rules);
      const _ = db.command;
      const patch = { ...out.patch, pending: _.set(out.patch.pending) };
      // a flush or start since the read moved seq; a stopped session takes no beat
      const res = await db.collection(C.sessions).where({ _id: s!._id, seq: s!.seq, sessionId: s!.sessionId, active: true }).update({ data: patch });
      if (!res?.stats?.updated) {
        // another beat for this member landed first: the same beat replayed, or another device
        throw new AppError('FAILED_PRECONDITION', '这次计时与另一台设备或页面冲突，本次不计学时');
      }
      if (out.completedNow) await flushSession(db, s!._id, now, { end: false, expectSessionId: s!.sessionId });
      return {
        creditedSec: out.credited,
        lessonSec: out.patch.lessonSec,
        todaySec: out.patch.daySec,
        completed: out.patch.completed,
        note: out.note,
      };
    },
  }),

  checkpoint: loadingAction({
    // the lease stands in for the caller: signed by `start` after the caller check, bound to the openid
    allow: ['guest'],
    load: noRead,
    input: studyInputs.checkpoint,
    ops: {
      count: '1',
      what: 'session update conditional on the lease (where _id, seq, sessionId, active): the credit accumulates in the session; the ledger gets it at stop',
      cases: { 'the lease is stale (taken over, stopped, answer lost)': { count: '2', what: 'the conditional update (lands nothing), the session: why, or the lease to go on with' } },
    },
    handler: async (input, ctx): Promise<StudyOutputs['checkpoint']> => {
      const { db, now, rules } = ctx;
      const openid = ctx.caller.openid;
      const secret = ctx.leaseSecret();
      const lease = openLease(secret, input.lease, openid);
      if (!lease) throw new AppError('FAILED_PRECONDITION', NOT_STARTED);
      const out = applyCheckpoint(lease, input, now.getTime(), rules);
      const _ = db.command;
      const res = await db
        .collection(C.sessions)
        .where({ _id: openid, seq: lease.seq, sessionId: lease.sessionId, active: true })
        .update({ data: { ...out.patch, pending: _.set(out.patch.pending), beats: _.inc(1) } });
      if (updatedCount(res)) {
        const next = { ...lease, ...out.patch };
        return {
          lease: signLease(secret, next),
          creditedSec: out.credited,
          lessonSec: next.lessonSec,
          todaySec: next.daySec,
          completed: next.completed,
          note: out.note,
        };
      }
      // nothing landed: say why, or hand back the stored session's lease (an answer that was lost,
      // the same lease sent twice): this checkpoint's time was credited already or not at all
      const s = await getDoc<SessionDoc>(db, C.sessions, openid);
      if (!s || s.sessionId !== lease.sessionId) throw new AppError('FAILED_PRECONDITION', s?.active && s.lessonId !== lease.lessonId ? OTHER_LESSON : OTHER_DEVICE);
      if (!s.active) throw new AppError('FAILED_PRECONDITION', SESSION_CLOSED);
      return { lease: signLease(secret, leaseOf(s)), creditedSec: 0, lessonSec: s.lessonSec, todaySec: s.daySec, completed: s.completed, note: 'resumed' };
    },
  }),

  liveJoin: loadingAction({
    // the lease stands in for the caller, as for `checkpoint`
    allow: ['guest'],
    load: noRead,
    input: studyInputs.liveJoin,
    ops: {
      count: '2',
      what: 'the lesson (is it on 视频号), session update conditional on the lease: the join time, nothing credited',
      cases: { 'repeated (double tap) or stale lease': { count: '3', what: 'lesson, the conditional update (lands nothing), the session: why, or its lease' } },
    },
    handler: async (input, ctx): Promise<StudyOutputs['liveJoin']> => {
      const { db, now } = ctx;
      const openid = ctx.caller.openid;
      const secret = ctx.leaseSecret();
      const lease = openLease(secret, input.lease, openid);
      if (!lease) throw new AppError('FAILED_PRECONDITION', NOT_STARTED);
      const out = applyLiveJoin(lease, now.getTime());
      // away time is believed only for a lesson that cannot be watched on the page
      const lesson = await getDoc<LessonDoc>(db, C.lessons, lease.lessonId);
      if (!lesson?.channelsId) throw new AppError('FAILED_PRECONDITION', LIVE_NOT_CHANNELS);
      const stored = await writeLive(db, openid, lease, out);
      const s = stored ?? { ...lease, ...out.patch };
      // the same join twice: the stored session is already the joined one
      if (!s.liveJoin || s.liveJoin.sessionId !== s.sessionId) throw new AppError('FAILED_PRECONDITION', '这次进入直播与另一台设备或页面冲突，请重新进入课程');
      return {
        lease: signLease(secret, stored ? leaseOf(stored) : { ...lease, ...out.patch }),
        joinedAt: new Date(s.liveJoin.at).toISOString(),
        returnBy: new Date(s.liveJoin.until).toISOString(),
      };
    },
  }),

  liveReturn: loadingAction({
    allow: ['guest'],
    load: noRead,
    input: studyInputs.liveReturn,
    ops: {
      count: '1',
      what: 'session update conditional on the lease: the time away inside the broadcast window, capped; the ledger gets it at stop',
      cases: { 'repeated or stale lease': { count: '2', what: 'the conditional update (lands nothing), the session: why, or its lease' } },
    },
    handler: async (input, ctx): Promise<StudyOutputs['liveReturn']> => {
      const { db, now, rules } = ctx;
      const openid = ctx.caller.openid;
      const secret = ctx.leaseSecret();
      const lease = openLease(secret, input.lease, openid);
      if (!lease) throw new AppError('FAILED_PRECONDITION', NOT_STARTED);
      const out = applyLiveReturn(lease, now.getTime(), rules);
      const stored = await writeLive(db, openid, lease, out);
      if (stored) {
        return { lease: signLease(secret, leaseOf(stored)), creditedSec: 0, lessonSec: stored.lessonSec, todaySec: stored.daySec, completed: stored.completed, note: 'resumed' };
      }
      const next = { ...lease, ...out.patch };
      return { lease: signLease(secret, next), creditedSec: out.credited, lessonSec: next.lessonSec, todaySec: next.daySec, completed: next.completed, note: out.note };
    },
  }),

  stop: loadingAction({
    // the caller's own session (keyed by their openid) is all a stop touches
    allow: ['guest'],
    load: noRead,
    input: studyInputs.stop,
    ops: {
      count: '7',
      what: 'flush: tx(start, session, credit set, totals update, progress set, session set, commit) — with the lease, the last checkpoint first',
      cases: {
        'repeated stop': { count: '3', what: 'tx(start, session, commit), nothing written' },
        "the member's first credit of the year": { count: '8', what: 'the totals update lands nothing; the totals are created whole' },
      },
    },
    handler: async (input, ctx): Promise<StudyOutputs['stop']> => {
      const { db, now, rules } = ctx;
      const openid = ctx.caller.openid;
      const lease = input.lease ? openLease(ctx.leaseSecret(), input.lease, openid) : null;
      const final = lease && lease.sessionId === input.sessionId ? { lease, played: input.played ?? 0, position: input.position ?? 0, rules } : undefined;
      const s = await flushSession(db, openid, now, { end: true, expectSessionId: input.sessionId, final });
      // no session at all: nothing was ever started under this identity
      if (!s) throw new AppError('NOT_FOUND', '没有正在进行的学习');
      if (s.sessionId !== input.sessionId) return { creditedSec: 0, completed: false };
      return { creditedSec: s.lessonSec, completed: s.completed };
    },
  }),

  progress: action({
    allow: ['member'],
    input: studyInputs.progress,
    ops: { count: '3', what: 'caller, totals (counters), session (unwritten time); the year\'s targets from the instance cache (1 read per warm instance per 10 minutes)' },
    handler: async (input, ctx): Promise<StudyOutputs['progress']> => {
      const { db, now } = ctx;
      const { member: m, doc } = ctx.caller;
      const year = input.year ?? yearOf(now);
      const [totals, session, targets] = await Promise.all([
        getDoc<TotalsDoc>(db, C.totals, totalsId(year, m._id)),
        getDoc<SessionDoc>(db, C.sessions, ctx.caller.openid),
        cachedTargetsFor(db, m.path, year, now.getTime()),
      ]);
      const open = session && session.memberId === m._id ? session : null;
      return buildProgress(year, totals, open, { path: m.path, role: m.role, committee: doc.committee === true }, targets, ctx.rules);
    },
  }),

  remind: action({
    allow: ['member'],
    input: studyInputs.remind,
    ops: { count: '3', what: 'caller, lesson, reminder set' },
    handler: async (input, ctx): Promise<StudyOutputs['remind']> => {
      const { db, now } = ctx;
      const m = ctx.caller.member;
      const lesson = await getDoc<LessonDoc>(db, C.lessons, input.lessonId);
      if (!visible(lesson, m) || lesson.kind !== 'live') throw new AppError('NOT_FOUND', '没有找到这场直播');
      const startsAt = toDate(lesson.startsAt)!;
      if (startsAt.getTime() <= now.getTime()) throw new AppError('FAILED_PRECONDITION', '直播已经开始，直接进入观看即可');
      await db
        .collection(C.reminders)
        .doc(reminderId(lesson._id, m._id))
        .set({ data: { lessonId: lesson._id, memberId: m._id, openid: ctx.caller.openid, title: lesson.title, speaker: lesson.speaker, startsAt, sent: false, createdAt: now } });
      return { reminded: true, startsAt: startsAt.toISOString() };
    },
  }),

  branchTable: action({
    allow: ['secretary', 'organiser'],
    input: studyInputs.branchTable,
    ops: { count: '5', what: 'caller, branch, members, totals of the branch, targets' },
    handler: async (input, ctx): Promise<StudyOutputs['branchTable']> => {
      const t = await branchTable(ctx, ctx.caller.member, input.branchId, input.year ?? yearOf(ctx.now));
      const { roster, totals, ...view } = t;
      return view;
    },
  }),

  remindBehind: action({
    allow: ['secretary'],
    input: studyInputs.remindBehind,
    ops: { count: '5', what: 'as branchTable; then one subscribe message per member behind (no DB)' },
    handler: async (input, ctx): Promise<StudyOutputs['remindBehind']> => {
      const me = ctx.caller.member;
      const year = input.year ?? yearOf(ctx.now);
      const t = await branchTable(ctx, me, me.branchId, year);
      const openids = new Map(t.roster.map((m) => [m._id, m.openid ?? null]));
      let sent = 0;
      let skipped = 0;
      for (const row of t.rows.filter((r) => r.behind > 0).slice(0, 200)) {
        const openid = openids.get(row.memberId);
        if (!openid) {
          skipped++;
          continue;
        }
        const out = await ctx.sendSubscribe({
          touser: openid,
          page: 'pages/study/index',
          ...subscribeMessage('studyBehind', {
            thing1: `${year} 年度学时`,
            number2: String(row.hours),
            number3: String(row.targetHours),
            thing4: `还差 ${row.behind} 学时，请抓紧学习`,
          }),
        });
        if (out.ok) sent++;
        else skipped++;
      }
      return { sent, skipped };
    },
  }),

  recordOffline: action({
    allow: ['secretary'],
    input: studyInputs.recordOffline,
    ops: { count: '4+4n', what: 'caller, members, tx(start, record, n × (credit, totals, credit set, totals set), record set, commit)' },
    handler: async (input, ctx): Promise<StudyOutputs['recordOffline']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const today = dayOf(now);
      if (input.date > today) throw new AppError('INVALID_ARGUMENT', '学习日期不能晚于今天');
      if (Number(input.date.slice(0, 4)) < yearOf(now) - 1) throw new AppError('INVALID_ARGUMENT', '只能补记今年和去年的学习');
      const ids = [...new Set(input.memberIds)];
      const _ = db.command;
      const found = (await db.collection(C.members).where({ _id: _.in(ids) }).limit(ids.length).get()).data as Array<
        RosterMember & { branchId: string; status: string }
      >;
      const byId = new Map(found.map((m) => [m._id, m]));
      for (const id of ids) {
        const m = byId.get(id);
        if (!m) throw new AppError('NOT_FOUND', '所选党员不存在');
        // another branch's member is not named back: an id must not reveal who it belongs to
        if (m.branchId !== me.branchId) throw new AppError('PERMISSION_DENIED', '所选党员不是本支部党员，只能为本支部党员记录学时');
        if (m.status !== 'active') throw new AppError('PERMISSION_DENIED', `${m.name} 不是本支部党员，只能为本支部党员记录学时`);
      }
      const recordId = offlineRecordId(me.branchId, input.requestId);
      const seconds = Math.round(input.hours * 3600);
      return db.runTransaction(async (tx: Db) => {
        const existing = await getDoc<{ memberIds: string[] }>(tx, C.offline, recordId);
        if (existing) return { id: recordId, credited: 0, skipped: existing.memberIds.length };
        const credits: CreditInput[] = ids.map((id) => {
          const m = byId.get(id)!;
          return {
            memberId: m._id,
            branchId: me.branchId,
            path: m.path,
            name: m.name,
            role: m.role,
            day: input.date,
            source: 'offline',
            sourceId: recordId,
            seconds,
            reason: `${input.kind}：${input.topic}`,
            by: me._id,
          };
        });
        const r = await creditStudy(tx, credits, now);
        const record = newOfflineRecord(
          { ...input, branchId: me.branchId, recordedBy: me._id, recordedByName: me.name, createdAt: now },
          ids.map((id) => byId.get(id)!),
        );
        await tx.collection(C.offline).doc(recordId).set({ data: record });
        return { id: recordId, credited: r.credited, skipped: r.skipped };
      });
    },
  }),

  listOffline: action({
    allow: ['secretary'],
    input: studyInputs.listOffline,
    ops: { count: '2', what: 'caller, records' },
    handler: async (input, ctx): Promise<StudyOutputs['listOffline']> => {
      const me = ctx.caller.member;
      const year = input.year ?? yearOf(ctx.now);
      const res = await ctx.db.collection(C.offline).where({ branchId: me.branchId, year }).orderBy('date', 'desc').limit(100).get();
      return (res.data as OfflineRecordDoc[]).map(offlineView);
    },
  }),

  orgRates: action({
    allow: ['organiser'],
    input: studyInputs.orgRates,
    ops: { count: '6', what: 'caller, scope node, targets, branches, member counts (aggregate), totals by branch (aggregate)' },
    handler: async (input, ctx): Promise<StudyOutputs['orgRates']> => {
      const { db, now, rules } = ctx;
      const scope = ctx.caller.member.scopeId;
      const year = input.year ?? yearOf(now);
      const scopeNode = await getDoc<{ _id: string; path: string[] }>(db, C.nodes, scope);
      const targets = await targetsFor(db, scopeNode ? nodeFullPath(scopeNode) : [scope], year);
      // one target for the whole subtree (the scope's): branch-level overrides show in the branch table
      const target = resolveTarget(scopeNode ? nodeFullPath(scopeNode) : [scope], year, targets);
      const memberSec = Math.round(target.member * rules.minutesPerHour * 60);
      const cadreSec = Math.round(target.cadre * rules.minutesPerHour * 60);
      const $ = db.command.aggregate;
      const [branches, members, totals] = await Promise.all([
        db.collection(C.nodes).where({ path: scope, type: 'branch' }).limit(1000).get(),
        db.collection(C.members).aggregate().match({ path: scope, status: 'active' }).group({ _id: '$branchId', n: $.sum(1) }).limit(1000).end(),
        db
          .collection(C.totals)
          .aggregate()
          .match({ path: scope, year })
          .group({
            _id: '$branchId',
            sec: $.sum('$totalSec'),
            met: $.sum($.cond([$.gte(['$totalSec', $.cond([$.in(['$role', ['secretary', 'organiser']]), cadreSec, memberSec])]), 1, 0])),
          })
          .limit(1000)
          .end(),
      ]);
      const memberCount = new Map((members.list as any[]).map((r) => [r._id, r.n as number]));
      const totalsBy = new Map((totals.list as any[]).map((r) => [r._id, r]));
      const rows: OrgRateRow[] = (branches.data as Array<{ _id: string; name: string }>).map((b) => {
        const n = memberCount.get(b._id) ?? 0;
        const t = totalsBy.get(b._id);
        const met = t?.met ?? 0;
        return {
          branchId: b._id,
          branchName: b.name,
          members: n,
          met,
          rate: n ? Math.round((met / n) * 1000) / 1000 : 0,
          avgHours: n ? toStudyHours((t?.sec ?? 0) / n, rules) : 0,
        };
      });
      rows.sort((a, b) => a.rate - b.rate || a.avgHours - b.avgHours || a.branchName.localeCompare(b.branchName, 'zh'));
      return { year, rows };
    },
  }),

  createLesson: action({
    allow: ['secretary', 'organiser'],
    input: studyInputs.createLesson,
    ops: { count: '3', what: 'caller, org, lesson set' },
    handler: async (input, ctx): Promise<StudyOutputs['createLesson']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member;
      const orgId = me.role === 'organiser' ? me.scopeId : me.branchId;
      const org = await getDoc<{ _id: string; name: string }>(db, C.nodes, orgId);
      if (!org) throw new AppError('NOT_FOUND', '没有找到所在组织');
      const doc = newLessonDoc({
        ...input,
        orgId,
        orgName: org.name,
        startsAt: input.startsAt ? new Date(input.startsAt) : null,
        publishedAt: input.publish ? now : null,
        createdBy: me._id,
        createdAt: now,
      });
      const id = lessonId(doc);
      await db.collection(C.lessons).doc(id).set({ data: doc });
      return { id };
    },
  }),

  exportLedger: action({
    allow: ['secretary', 'organiser'],
    input: studyInputs.exportLedger,
    ops: { count: '5+n', what: "as branchTable + the branch's credits (n = credits / 1000)" },
    handler: async (input, ctx): Promise<StudyOutputs['exportLedger']> => {
      const year = input.year ?? yearOf(ctx.now);
      // scope is checked in loadBranchInScope, as for branchTable: an organiser names a branch of their subtree
      const t = await branchTable(ctx, ctx.caller.member, input.branchId, year);
      const credits = await readLedgerCredits(ctx.db, t.branchId, year);
      const names = new Map(t.roster.map((m) => [m._id, m.name]));
      const buf = await buildStudyLedgerXlsx({ branchName: t.branchName, year, rows: t.rows, credits, names, rules: ctx.rules });
      return { fileName: studyLedgerFileName(t.branchName, year), base64: buf.toString('base64') };
    },
  }),
};

/**
 * How one run of the live-reminder job spends the study function's time. A district lesson can have
 * every member of the district (25,000) asking to be reminded, all due in the same 15 minutes, and
 * the timer runs once a minute: each run reads the due reminders a page at a time (earliest lesson
 * first), sends `concurrency` subscribe messages at once and marks each batch with two multi-document
 * updates (delivered / not), and stops taking new batches after `budgetMs`, leaving the rest to the
 * next minute. WeChat documents a daily cap for subscribeMessage.send (10 million, 30 million with
 * WeChat Pay), no per-minute one
 * (接口限制, https://developers.weixin.qq.com/miniprogram/dev/api-backend/open-api/subscribe-message/subscribeMessage.send.html;
 * 45009 is its answer when a frequency limit is hit).
 * `budgetMs` plus the session sweep that shares the tick must fit the study function's timeout in
 * cloudbaserc.json (60 s; test/unit/live-reminders-budget.test.ts holds them together).
 */
export const LIVE_REMINDERS = {
  /** reminders go out from this many minutes before the start */
  leadMinutes: 15,
  /** a reminder later than this after the start helps nobody: it is marked, not sent */
  lateMinutes: 10,
  /** due reminders read per query (the server's limit() maximum) */
  page: 1000,
  /** reminders sent and then marked together */
  batch: 100,
  /** subscribe messages in flight at once */
  concurrency: 20,
  /** no new batch starts after this long */
  budgetMs: 40_000,
} as const;

type DueReminder = { _id: string; openid: string; lessonId: string; title: string; speaker: string; startsAt: Date };

/** Timer trigger: subscribe messages for live lessons starting within 15 minutes. */
export async function sendLiveReminders(
  ctx: Pick<StudyCtx, 'db' | 'now' | 'sendSubscribe'>,
  limits: { [K in keyof typeof LIVE_REMINDERS]: number } = LIVE_REMINDERS,
): Promise<{ sent: number; failed: number; left: boolean }> {
  const { db, now } = ctx;
  const _ = db.command;
  // the budget is wall-clock time of this run; `now` is the time the run is for
  const started = Date.now();
  const withinBudget = () => Date.now() - started < limits.budgetMs;
  let sent = 0;
  let failed = 0;
  const send = async (r: DueReminder): Promise<SendOutcome | 'late'> => {
    const startsAt = new Date(r.startsAt);
    if (startsAt.getTime() <= now.getTime() - limits.lateMinutes * 60_000) return 'late';
    return ctx.sendSubscribe({
      touser: r.openid,
      page: `pages/study/lesson/index?id=${r.lessonId}`,
      ...subscribeMessage('studyLive', {
        thing1: r.title.slice(0, 20),
        thing2: r.speaker.slice(0, 20),
        time3: subscribeTime(startsAt),
        thing4: '直播即将开始，点击进入观看',
      }),
    });
  };
  while (withinBudget()) {
    const due = (await db
      .collection(C.reminders)
      .where({ sent: false, startsAt: _.lte(new Date(now.getTime() + limits.leadMinutes * 60_000)) })
      .field({ openid: true, lessonId: true, title: true, speaker: true, startsAt: true })
      .orderBy('startsAt', 'asc')
      .limit(limits.page)
      .get()).data as DueReminder[];
    let done = 0;
    // the first batch of a run goes out whatever the read cost, so every run moves the queue on
    for (; done < due.length && (sent + failed === 0 || withinBudget()); done += limits.batch) {
      const batch = due.slice(done, done + limits.batch);
      const out = new Array<SendOutcome | 'late'>(batch.length);
      let next = 0;
      const worker = async () => {
        while (next < batch.length) {
          const k = next++;
          // sendSubscribe never throws (core/subscribe/send.ts); a throw here is a bug, and stops the run
          out[k] = await send(batch[k]);
        }
      };
      await Promise.all(Array.from({ length: Math.min(limits.concurrency, batch.length) }, worker));
      const ok = out.map((o) => o !== 'late' && o.ok);
      // "not now" (45009, busy): left unsent for the next run, until it is too late
      const later = out.map((o) => o !== 'late' && !o.ok && o.retry);
      // the rest are marked sent either way: one tap grants one message, and a refusal for good would be refused again
      for (const delivered of [true, false]) {
        const ids = batch.filter((_r, k) => !later[k] && ok[k] === delivered).map((r) => r._id);
        if (ids.length) await db.collection(C.reminders).where({ _id: _.in(ids) }).update({ data: { sent: true, sentAt: now, delivered } });
      }
      const n = ok.filter(Boolean).length;
      sent += n;
      failed += batch.length - n - later.filter(Boolean).length;
      // WeChat asked to slow down: the rest of the queue waits for the next run (a minute later)
      if (later.some(Boolean)) return { sent, failed, left: true };
    }
    if (done < due.length) break;
    if (due.length < limits.page) return { sent, failed, left: false };
  }
  return { sent, failed, left: true };
}

/**
 * Timer trigger: sessions silent for longer than two checkpoint intervals and a minute (13 minutes
 * by default: an app that stopped checkpointing is gone) are closed and their time written to the ledger.
 */
export async function sweepSessions(ctx: Pick<StudyCtx, 'db' | 'now'> & { rules?: StudyRules }): Promise<{ closed: number }> {
  const { db, now } = ctx;
  const _ = db.command;
  const stale = (await db
    .collection(C.sessions)
    .where(
      _.and([
        { active: true, lastAt: _.lt(now.getTime() - staleAfterSec(ctx.rules ?? DEFAULT_RULES) * 1000) },
        // a member away in 视频号 live is silent by design: closed only once the return can credit nothing
        _.or([{ 'liveJoin.until': _.exists(false) }, { 'liveJoin.until': _.lt(now.getTime()) }]),
      ]),
    )
    .limit(100)
    .get()).data as SessionDoc[];
  for (const s of stale) await flushSession(db, s._id, now, { end: true, expectSessionId: s.sessionId });
  return { closed: stale.length };
}

export const studyTimers: Record<string, TimerDef<StudyCtx>> = {
  liveReminders: {
    run: (ctx) => sendLiveReminders(ctx),
    ops: { count: '1+n', what: 'due reminders, a page of 1,000 per read; two updates per 100 (+ one subscribe message each, 20 at a time, for up to 40 s a run)' },
  },
  sweepSessions: { run: sweepSessions, ops: { count: '1+≈10n', what: 'silent sessions, one flush each' } },
};

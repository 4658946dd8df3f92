/**
 * The study function's actions: database work only. Crediting rules live in core/study (heartbeat.ts,
 * credit.ts, rules.ts, views.ts) and are unit-tested without a server.
 */
import { getDoc, isDuplicateKey, stripId, type Db } from '../../core/fn/db';
import ExcelJS from 'exceljs';
import { AppError } from '../../core/fn/errors';
import { action, type ActionTable, type CallerMember } from '../../core/fn/router';
import type { StoredMember } from '../../core/fn/caller';
import { fnv1a64 } from '../../core/org/member';
import { isInSubtree, isOrganiserOver, isSecretaryOf, nodeFullPath } from '../../core/org/scope';
import {
  studyInputs,
  type BranchTable,
  type LessonDetail,
  type LessonKind,
  type LessonView,
  type OfflineView,
  type OrgRateRow,
  type StudyOutputs,
} from '../../core/study/contracts';
import { creditStudy, totalsId, type CreditInput, type TotalsDoc } from '../../core/study/credit';
import { applyBeat, settleSession, takeOver, type SessionDoc } from '../../core/study/heartbeat';
import {
  dayKey,
  resolveTarget,
  targetId,
  toStudyHours,
  yearOf,
  SOURCE_LABEL,
  type StudyRules,
  type TargetDoc,
} from '../../core/study/rules';
import { buildBranchRows, buildProgress, liveState, LIVE_ENTER_EARLY_MS, type RosterMember } from '../../core/study/views';
import { LIVE_REMINDER_TEMPLATE_ID, BEHIND_REMINDER_TEMPLATE_ID } from '../../core/study/templates';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type { Db };

export interface StudyCtx {
  db: Db;
  now: Date;
  rules: StudyRules;
  randomId: () => string;
  /** cloud.openapi.subscribeMessage.send and cloud.getTempFileURL, injectable for tests */
  sendSubscribe: (msg: { touser: string; templateId: string; page: string; data: Record<string, { value: string }> }) => Promise<boolean>;
  tempUrl: (fileId: string) => Promise<string | null>;
  /** filled by the loader: the caller's member document, or for `beat` the session */
  callerDoc: { doc: StoredMember | null };
  session: { doc: SessionDoc | null; loaded: boolean };
}

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

export interface LessonDoc {
  _id: string;
  kind: LessonKind;
  title: string;
  speaker: string;
  durationSec: number;
  cover: string | null;
  mediaUrl: string | null;
  body: string | null;
  orgId: string;
  orgName: string;
  status: 'draft' | 'published';
  publishedAt: Date | null;
  startsAt?: Date | null;
  endsAt?: Date | null;
  streamUrl?: string | null;
  channelsId?: string | null;
  replayUrl?: string | null;
  createdBy: string;
  createdAt: Date;
}

interface ProgressDoc {
  _id: string;
  memberId: string;
  lessonId: string;
  creditedSec: number;
  position: number;
  completed: boolean;
  completedAt: Date | null;
  updatedAt: Date;
}


const toDate = (v: unknown): Date | null => (v ? new Date(v as string | number | Date) : null);
const progressId = (memberId: string, lessonId: string) => `${memberId}:${lessonId}`;
const reminderId = (lessonId: string, memberId: string) => `${lessonId}:${memberId}`;

const mustMember = (caller: CallerMember | null): CallerMember & { branchId: string } => {
  if (!caller || !caller.branchId) throw new AppError('PERMISSION_DENIED', '请先加入党支部');
  return caller as CallerMember & { branchId: string };
};
const mustSecretary = (caller: CallerMember | null): CallerMember & { branchId: string } => {
  if (!caller || caller.role !== 'secretary' || !caller.branchId) throw new AppError('PERMISSION_DENIED', '只有支部书记可以进行此操作');
  return caller as CallerMember & { branchId: string };
};

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
 * Writes a session's pending credit into the ledger, inside a transaction: credit records and
 * counters (creditStudy), the lesson's progress, and the session itself (pending cleared, flush
 * count and `seq` up, so a beat that read the session before cannot write the old pending back).
 * `end` also closes the session; a closed session is left as it is (a repeated stop writes nothing).
 * A retried transaction re-reads everything.
 */
export async function flushSession(db: Db, openid: string, now: Date, opts: { end: boolean; expectSessionId?: string }): Promise<SessionDoc | null> {
  return db.runTransaction(async (tx: Db) => {
    const s = await getDoc<SessionDoc>(tx, C.sessions, openid);
    if (!s || (opts.expectSessionId && s.sessionId !== opts.expectSessionId)) return s;
    const step = settleSession(s, opts.end);
    if (!step) return s;
    const plan = step.credits;
    if (plan.length) {
      const pid = progressId(s.memberId, s.lessonId);
      const p = await getDoc<ProgressDoc>(tx, C.progress, pid);
      const completesNow = s.completed && !p?.completed;
      const credits: CreditInput[] = plan.map((f, i) => ({
        memberId: s.memberId,
        branchId: s.branchId,
        path: s.path,
        name: s.name,
        role: s.role,
        day: f.day,
        source: s.source,
        sourceId: f.sourceId,
        seconds: f.seconds,
        reason: `${s.mode === 'replay' ? '直播回放' : s.mode === 'live' ? '直播课' : '在线课程'}：${s.lessonTitle}`,
        lessonId: s.lessonId,
        completesLesson: completesNow && i === plan.length - 1,
        session: { id: s.sessionId, startedAt: s.startedAt, endedAt: s.lastAt },
      }));
      await creditStudy(tx, credits, now);
      const added = plan.reduce((a, f) => a + f.seconds, 0);
      const next: Omit<ProgressDoc, '_id'> = {
        memberId: s.memberId,
        lessonId: s.lessonId,
        creditedSec: Math.round(((p?.creditedSec ?? 0) + added) * 1000) / 1000,
        position: s.position,
        completed: !!p?.completed || s.completed,
        completedAt: p?.completedAt ?? (s.completed ? now : null),
        updatedAt: now,
      };
      await tx.collection(C.progress).doc(pid).set({ data: next });
    }
    await tx.collection(C.sessions).doc(openid).set({ data: stripId(step.next) });
    return step.next;
  });
}

const TAKEN_OVER = '您刚在另一台设备或页面开始了学习，请重新进入课程';

/**
 * Writes the session a start made, only over the session document the start read (`base`, same
 * `seq`), or as a new document when there was none: a beat, flush or start that landed in between
 * makes this start fail instead of wiping credit or restarting the clock behind a flushed beat.
 */
async function replaceSession(db: Db, base: SessionDoc | null, next: SessionDoc): Promise<void> {
  if (!base) {
    try {
      await db.collection(C.sessions).add({ data: next });
      return;
    } catch (e) {
      if (isDuplicateKey(e)) throw new AppError('FAILED_PRECONDITION', TAKEN_OVER);
      throw e;
    }
  }
  // _.set: a plain object would be merged key by key into the old pending
  const data = { ...stripId(next), pending: db.command.set(next.pending) };
  const res = await db.collection(C.sessions).where({ _id: next._id, seq: base.seq }).update({ data });
  if (!res?.stats?.updated) throw new AppError('FAILED_PRECONDITION', TAKEN_OVER);
}

async function progressOf(db: Db, memberId: string, lessonId: string): Promise<ProgressDoc | null> {
  return getDoc<ProgressDoc>(db, C.progress, progressId(memberId, lessonId));
}

async function branchNode(ctx: StudyCtx, caller: CallerMember, branchId: string | undefined): Promise<{ _id: string; name: string; path: string[] }> {
  const id = branchId ?? caller.branchId;
  if (!id) throw new AppError('INVALID_ARGUMENT', '请选择党支部');
  const node = await getDoc<{ _id: string; name: string; path: string[]; type: string }>(ctx.db, C.nodes, id);
  if (!node || node.type !== 'branch') throw new AppError('NOT_FOUND', '没有找到这个党支部');
  if (!isSecretaryOf(caller, node._id) && !isOrganiserOver(caller, nodeFullPath(node))) {
    throw new AppError('PERMISSION_DENIED', '只能查看本支部（或所辖组织）的学时');
  }
  return node;
}

async function branchTable(ctx: StudyCtx, caller: CallerMember, branchId: string | undefined, year: number): Promise<BranchTable & { roster: RosterMember[]; totals: TotalsDoc[] }> {
  const { db } = ctx;
  const node = await branchNode(ctx, caller, branchId);
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
    handler: async (input, ctx): Promise<StudyOutputs['lessons']> => {
      const { db } = ctx;
      const m = mustMember(ctx.caller.member);
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
    handler: async (input, ctx): Promise<StudyOutputs['lesson']> => {
      const { db } = ctx;
      const m = mustMember(ctx.caller.member);
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
      const detail: LessonDetail = { ...view, body: lesson.body ?? null };
      return detail;
    },
  }),

  start: action({
    allow: ['member'],
    input: studyInputs.start,
    handler: async (input, ctx): Promise<StudyOutputs['start']> => {
      const { db, now, rules } = ctx;
      const m = mustMember(ctx.caller.member);
      const openid = ctx.caller.openid;
      const today = dayKey(now);
      const [lesson, old, progress, totals] = await Promise.all([
        getDoc<LessonDoc>(db, C.lessons, input.lessonId),
        getDoc<SessionDoc>(db, C.sessions, openid),
        progressOf(db, m._id, input.lessonId),
        getDoc<TotalsDoc>(db, C.totals, totalsId(yearOf(now), m._id)),
      ]);
      if (!visible(lesson, m)) throw new AppError('NOT_FOUND', '没有找到这门课程');
      let mode: SessionDoc['mode'] = 'lesson';
      let windowStart: number | null = null;
      let windowEnd: number | null = null;
      let durationSec = lesson.durationSec;
      if (lesson.kind === 'live') {
        const s = toDate(lesson.startsAt)!;
        const e = toDate(lesson.endsAt)!;
        if (now.getTime() < s.getTime() - LIVE_ENTER_EARLY_MS) {
          throw new AppError('FAILED_PRECONDITION', '直播还没有开始，开播前 15 分钟可以进入');
        }
        if (now.getTime() < e.getTime()) {
          mode = 'live';
          windowStart = s.getTime();
          windowEnd = e.getTime();
        } else {
          if (!lesson.replayUrl) throw new AppError('FAILED_PRECONDITION', '直播已结束，回放还没有上传');
          mode = 'replay';
        }
        durationSec = Math.round((e.getTime() - s.getTime()) / 1000);
      }
      // whatever the member was studying before stops here; its time goes into the ledger first
      const oldPendingToday = old?.active && old.memberId === m._id ? old.pending?.[today] ?? 0 : 0;
      const oldPendingLesson =
        old?.active && old.lessonId === lesson._id && old.memberId === m._id ? Object.values(old.pending ?? {}).reduce((a, b) => a + b, 0) : 0;
      // the session as stored once the old lesson's time is in the ledger: the new one replaces exactly it
      const base = old?.active && Object.keys(old.pending ?? {}).length ? await flushSession(db, openid, now, { end: true }) : old;
      const clock = takeOver(base, now.getTime());
      const lessonSec = (progress?.creditedSec ?? 0) + oldPendingLesson;
      const daySec = Math.max((totals?.days?.[today] ?? 0) + oldPendingToday, old?.memberId === m._id && old?.day === today ? old.daySec : 0);
      const resumeAt = old?.active && old.lessonId === lesson._id ? old.position : progress?.position ?? 0;
      const session: SessionDoc = {
        _id: openid,
        memberId: m._id,
        name: m.name,
        branchId: m.branchId,
        path: m.path,
        role: m.role,
        active: true,
        sessionId: ctx.randomId(),
        lessonId: lesson._id,
        lessonTitle: lesson.title,
        source: lesson.kind === 'live' ? 'live' : 'online',
        mode,
        durationSec,
        windowStart,
        windowEnd,
        lessonSec,
        day: today,
        daySec,
        pending: {},
        completed: !!progress?.completed,
        position: mode === 'live' ? 0 : Math.min(resumeAt, durationSec),
        startedAt: clock.at,
        lastAt: clock.at,
        seq: clock.seq,
        beats: 0,
        flushes: 0,
      };
      await replaceSession(db, base, session);
      return {
        sessionId: session.sessionId,
        resumeAt: session.position,
        beatEverySec: rules.beatEverySec,
        mode,
        creditedSec: lessonSec,
        completed: session.completed,
      };
    },
  }),

  beat: action({
    // the session doc stands in for the caller here (see index.ts); no session → NOT_STARTED
    allow: ['guest'],
    input: studyInputs.beat,
    handler: async (input, ctx): Promise<StudyOutputs['beat']> => {
      const { db, now, rules } = ctx;
      const s = ctx.session.doc;
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

  stop: action({
    allow: ['member'],
    input: studyInputs.stop,
    handler: async (input, ctx): Promise<StudyOutputs['stop']> => {
      const s = await flushSession(ctx.db, ctx.caller.openid, ctx.now, { end: true, expectSessionId: input.sessionId });
      if (!s || s.sessionId !== input.sessionId) return { creditedSec: 0, completed: false };
      return { creditedSec: s.lessonSec, completed: s.completed };
    },
  }),

  progress: action({
    allow: ['member'],
    input: studyInputs.progress,
    handler: async (input, ctx): Promise<StudyOutputs['progress']> => {
      const { db, now } = ctx;
      const m = mustMember(ctx.caller.member);
      const year = input.year ?? yearOf(now);
      const [totals, session, targets] = await Promise.all([
        getDoc<TotalsDoc>(db, C.totals, totalsId(year, m._id)),
        getDoc<SessionDoc>(db, C.sessions, ctx.caller.openid),
        targetsFor(db, m.path, year),
      ]);
      const doc = ctx.callerDoc.doc as (StoredMember & { committee?: boolean }) | null;
      const open = session && session.memberId === m._id ? session : null;
      return buildProgress(year, totals, open, { path: m.path, role: m.role, committee: doc?.committee === true }, targets, ctx.rules);
    },
  }),

  remind: action({
    allow: ['member'],
    input: studyInputs.remind,
    handler: async (input, ctx): Promise<StudyOutputs['remind']> => {
      const { db, now } = ctx;
      const m = mustMember(ctx.caller.member);
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
    handler: async (input, ctx): Promise<StudyOutputs['branchTable']> => {
      const t = await branchTable(ctx, ctx.caller.member!, input.branchId, input.year ?? yearOf(ctx.now));
      const { roster, totals, ...view } = t;
      void roster;
      void totals;
      return view;
    },
  }),

  remindBehind: action({
    allow: ['secretary'],
    input: studyInputs.remindBehind,
    handler: async (input, ctx): Promise<StudyOutputs['remindBehind']> => {
      const me = mustSecretary(ctx.caller.member);
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
        const ok = await ctx.sendSubscribe({
          touser: openid,
          templateId: BEHIND_REMINDER_TEMPLATE_ID,
          page: 'pages/study/index',
          data: {
            thing1: { value: `${year} 年度学时` },
            number2: { value: String(row.hours) },
            number3: { value: String(row.targetHours) },
            thing4: { value: `还差 ${row.behind} 学时，请抓紧学习` },
          },
        });
        if (ok) sent++;
        else skipped++;
      }
      return { sent, skipped };
    },
  }),

  recordOffline: action({
    allow: ['secretary'],
    input: studyInputs.recordOffline,
    handler: async (input, ctx): Promise<StudyOutputs['recordOffline']> => {
      const { db, now } = ctx;
      const me = mustSecretary(ctx.caller.member);
      const today = dayKey(now);
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
      const recordId = `${me.branchId}:${input.requestId}`;
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
        await tx.collection(C.offline).doc(recordId).set({
          data: {
            branchId: me.branchId,
            year: Number(input.date.slice(0, 4)),
            kind: input.kind,
            date: input.date,
            topic: input.topic,
            hours: input.hours,
            place: input.place,
            deliveredBy: input.deliveredBy,
            memberIds: ids,
            memberNames: ids.map((id) => byId.get(id)!.name),
            recordedBy: me._id,
            recordedByName: me.name,
            createdAt: now,
          },
        });
        return { id: recordId, credited: r.credited, skipped: r.skipped };
      });
    },
  }),

  listOffline: action({
    allow: ['secretary'],
    input: studyInputs.listOffline,
    handler: async (input, ctx): Promise<StudyOutputs['listOffline']> => {
      const me = mustSecretary(ctx.caller.member);
      const year = input.year ?? yearOf(ctx.now);
      const res = await ctx.db.collection(C.offline).where({ branchId: me.branchId, year }).orderBy('date', 'desc').limit(100).get();
      return (res.data as any[]).map(
        (r): OfflineView => ({
          id: r._id,
          kind: r.kind,
          date: r.date,
          topic: r.topic,
          hours: r.hours,
          place: r.place,
          deliveredBy: r.deliveredBy,
          members: (r.memberIds as string[]).map((id, i) => ({ id, name: r.memberNames?.[i] ?? '' })),
          recordedBy: r.recordedByName ?? '',
        }),
      );
    },
  }),

  orgRates: action({
    allow: ['organiser'],
    input: studyInputs.orgRates,
    handler: async (input, ctx): Promise<StudyOutputs['orgRates']> => {
      const { db, now, rules } = ctx;
      const me = ctx.caller.member!;
      const scope = me.scopeId;
      if (!scope) throw new AppError('PERMISSION_DENIED', '您还没有分管的组织');
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
    handler: async (input, ctx): Promise<StudyOutputs['createLesson']> => {
      const { db, now } = ctx;
      const me = ctx.caller.member!;
      const orgId = me.role === 'organiser' ? me.scopeId : me.branchId;
      if (!orgId) throw new AppError('PERMISSION_DENIED', '您还没有可以发布课程的组织');
      const org = await getDoc<{ _id: string; name: string }>(db, C.nodes, orgId);
      if (!org) throw new AppError('NOT_FOUND', '没有找到所在组织');
      const startsAt = input.startsAt ? new Date(input.startsAt) : null;
      const id = `l_${fnv1a64(`${orgId}|${input.kind}|${input.title}|${startsAt?.toISOString() ?? ''}`)}`;
      const doc: Omit<LessonDoc, '_id'> = {
        kind: input.kind,
        title: input.title,
        speaker: input.speaker,
        durationSec: input.minutes * 60,
        cover: input.cover || null,
        mediaUrl: input.mediaUrl || null,
        body: input.body ?? null,
        orgId,
        orgName: org.name,
        status: input.publish ? 'published' : 'draft',
        publishedAt: input.publish ? now : null,
        startsAt,
        endsAt: startsAt ? new Date(startsAt.getTime() + input.minutes * 60_000) : null,
        streamUrl: input.streamUrl || null,
        channelsId: input.channelsId || null,
        replayUrl: input.replayUrl || null,
        createdBy: me._id,
        createdAt: now,
      };
      await db.collection(C.lessons).doc(id).set({ data: doc });
      return { id };
    },
  }),

  exportLedger: action({
    allow: ['secretary', 'organiser'],
    input: studyInputs.exportLedger,
    handler: async (input, ctx): Promise<StudyOutputs['exportLedger']> => {
      const year = input.year ?? yearOf(ctx.now);
      const me = ctx.caller.member!;
      // scope is checked in branchNode, as for branchTable: an organiser names a branch of their subtree
      const t = await branchTable(ctx, me, input.branchId, year);
      const credits = (await ctx.db.collection(C.credits).where({ branchId: t.branchId, year }).orderBy('day', 'asc').limit(1000).get()).data as any[];
      const wb = new ExcelJS.Workbook();
      const sum = wb.addWorksheet('学时汇总');
      sum.addRow([`${t.branchName} ${year} 年度学时台账`]);
      sum.addRow(['姓名', '身份', '年度要求(学时)', '已完成(学时)', '还差(学时)', ...(['online', 'live', 'activity', 'offline'] as const).map((s) => SOURCE_LABEL[s])]);
      for (const r of t.rows) {
        sum.addRow([r.name, r.role === 'secretary' ? '支部书记' : r.role === 'organiser' ? '组织管理员' : '党员', r.targetHours, r.hours, r.behind, r.bySource.online, r.bySource.live, r.bySource.activity, r.bySource.offline]);
      }
      const names = new Map(t.roster.map((m) => [m._id, m.name]));
      const det = wb.addWorksheet('学时明细');
      det.addRow(['日期', '姓名', '来源', '内容', '时长(分钟)', '学时']);
      for (const c of credits) {
        det.addRow([c.day, names.get(c.memberId) ?? c.memberId, SOURCE_LABEL[c.source as keyof typeof SOURCE_LABEL] ?? c.source, c.reason, Math.round(c.seconds / 6) / 10, toStudyHours(c.seconds, ctx.rules)]);
      }
      const buf = Buffer.from(await wb.xlsx.writeBuffer());
      return { fileName: `${t.branchName}-${year}-学时台账.xlsx`, base64: buf.toString('base64') };
    },
  }),
};

/** Timer trigger: subscribe messages for live lessons starting within 15 minutes. */
export async function sendLiveReminders(ctx: Pick<StudyCtx, 'db' | 'now' | 'sendSubscribe'>): Promise<{ sent: number; failed: number }> {
  const { db, now } = ctx;
  const _ = db.command;
  const due = (await db
    .collection(C.reminders)
    .where({ sent: false, startsAt: _.lte(new Date(now.getTime() + 15 * 60_000)) })
    .limit(100)
    .get()).data as Array<{ _id: string; openid: string; lessonId: string; title: string; speaker: string; startsAt: Date }>;
  let sent = 0;
  let failed = 0;
  for (const r of due) {
    const startsAt = new Date(r.startsAt);
    // a reminder after the lesson has long started helps nobody
    const ok =
      startsAt.getTime() > now.getTime() - 10 * 60_000 &&
      (await ctx.sendSubscribe({
        touser: r.openid,
        templateId: LIVE_REMINDER_TEMPLATE_ID,
        page: `pages/study/lesson/index?id=${r.lessonId}`,
        data: {
          thing1: { value: r.title.slice(0, 20) },
          thing2: { value: r.speaker.slice(0, 20) },
          time3: { value: `${dayKey(startsAt)} ${new Date(startsAt.getTime() + 8 * 3600_000).toISOString().slice(11, 16)}` },
          thing4: { value: '直播即将开始，点击进入观看' },
        },
      }));
    if (ok) sent++;
    else failed++;
    await db.collection(C.reminders).doc(r._id).update({ data: { sent: true, sentAt: now, delivered: !!ok } });
  }
  return { sent, failed };
}

/** Timer trigger: sessions silent for 5 minutes are closed and their time written to the ledger. */
export async function sweepSessions(ctx: Pick<StudyCtx, 'db' | 'now'>): Promise<{ closed: number }> {
  const { db, now } = ctx;
  const _ = db.command;
  const stale = (await db
    .collection(C.sessions)
    .where({ active: true, lastAt: _.lt(now.getTime() - 5 * 60_000) })
    .limit(100)
    .get()).data as SessionDoc[];
  for (const s of stale) await flushSession(db, s._id, now, { end: true, expectSessionId: s.sessionId });
  return { closed: stale.length };
}

/**
 * How `start` builds a member's study session and how a flush turns one into ledger credits.
 * Pure: the function reads the lesson, the stored session, progress and totals, and writes what
 * these return (heartbeat.ts holds the beat and settle rules).
 */
import { dayOf } from '../day';
import { AppError } from '../fn/errors';
import { applyCredit, creditId, newCreditDoc, totalsId, type CreditInput, type TotalsDoc } from './credit';
import type { FlushCredit, SessionDoc } from './heartbeat';
import type { Offer } from './lease';
import { progressId, type LessonDoc, type ProgressDoc } from './stored';
import { LIVE_ENTER_EARLY_MS } from './views';

export const LIVE_NOT_STARTED = '直播还没有开始，开播前 15 分钟可以进入';
export const NO_REPLAY_YET = '直播已结束，回放还没有上传';

export interface SessionClock {
  mode: SessionDoc['mode'];
  /** live mode: credit only inside [windowStart, windowEnd] (ms) */
  windowStart: number | null;
  windowEnd: number | null;
  durationSec: number;
}

/**
 * How a lesson is studied at `nowMs`: a live lesson is live inside its broadcast window (entered up
 * to 15 minutes early) and a replay after it, once the replay is uploaded; any other lesson runs on
 * its own duration.
 */
export function sessionClock(lesson: Pick<LessonDoc, 'kind' | 'durationSec' | 'startsAt' | 'endsAt' | 'replayUrl'>, nowMs: number): SessionClock {
  if (lesson.kind !== 'live') return { mode: 'lesson', windowStart: null, windowEnd: null, durationSec: lesson.durationSec };
  const s = new Date(lesson.startsAt as Date).getTime();
  const e = new Date(lesson.endsAt as Date).getTime();
  if (nowMs < s - LIVE_ENTER_EARLY_MS) throw new AppError('FAILED_PRECONDITION', LIVE_NOT_STARTED);
  const durationSec = Math.round((e - s) / 1000);
  if (nowMs < e) return { mode: 'live', windowStart: s, windowEnd: e, durationSec };
  if (!lesson.replayUrl) throw new AppError('FAILED_PRECONDITION', NO_REPLAY_YET);
  return { mode: 'replay', windowStart: null, windowEnd: null, durationSec };
}

/** Whether the stored session has time that must reach the ledger before a new start replaces it. */
export function mustFlushBeforeStart(old: SessionDoc | null): boolean {
  return !!old?.active && Object.keys(old.pending ?? {}).length > 0;
}

export interface NewSession {
  openid: string;
  member: Pick<SessionDoc, 'name' | 'branchId' | 'path' | 'role'> & { _id: string };
  lesson: Pick<LessonDoc, '_id' | 'kind' | 'title'>;
  clock: SessionClock;
  /** the session as `start` read it, before flushing it */
  old: (Pick<SessionDoc, 'active' | 'memberId' | 'lessonId' | 'day' | 'daySec' | 'position'> & { pending?: SessionDoc['pending'] }) | null;
  /** takeOver(): the new session's seq and start */
  takeOver: { seq: number; at: number };
  progress: (Pick<ProgressDoc, 'creditedSec' | 'position' | 'completed'> & { completedAt?: Date | number | string | null }) | null;
  totals: Pick<TotalsDoc, 'days'> | null;
  sessionId: string;
  nowMs: number;
}

/**
 * The session a start writes. What the member studied before counts toward the lesson and the
 * day's cap whether or not its flush is in the counters yet; a start on the same lesson resumes at
 * the old session's position, another at the stored progress.
 */
export function newSession(a: NewSession): SessionDoc {
  const { old, member: m, lesson, clock } = a;
  const today = dayOf(a.nowMs);
  const oldIsMine = !!old?.active && old.memberId === m._id;
  const oldPendingToday = oldIsMine ? old.pending?.[today] ?? 0 : 0;
  const oldPendingLesson = oldIsMine && old.lessonId === lesson._id ? Object.values(old.pending ?? {}).reduce((x, y) => x + y, 0) : 0;
  const lessonSec = (a.progress?.creditedSec ?? 0) + oldPendingLesson;
  const daySec = Math.max((a.totals?.days?.[today] ?? 0) + oldPendingToday, old?.memberId === m._id && old?.day === today ? old.daySec : 0);
  const resumeAt = old?.active && old.lessonId === lesson._id ? old.position : a.progress?.position ?? 0;
  return {
    _id: a.openid,
    memberId: m._id,
    name: m.name,
    branchId: m.branchId,
    path: m.path,
    role: m.role,
    active: true,
    sessionId: a.sessionId,
    lessonId: lesson._id,
    lessonTitle: lesson.title,
    source: lesson.kind === 'live' ? 'live' : 'online',
    mode: clock.mode,
    durationSec: clock.durationSec,
    windowStart: clock.windowStart,
    windowEnd: clock.windowEnd,
    lessonSec,
    day: today,
    daySec,
    pending: {},
    completed: !!a.progress?.completed,
    position: clock.mode === 'live' ? 0 : Math.min(resumeAt, clock.durationSec),
    startedAt: a.takeOver.at,
    lastAt: a.takeOver.at,
    seq: a.takeOver.seq,
    beats: 0,
    flushes: 0,
    completedAt: a.progress?.completed && a.progress.completedAt ? new Date(a.progress.completedAt).getTime() : null,
  };
}

/**
 * What `start` needs, as the `lesson` view read it, for a start that reads nothing (lease.ts). None
 * when the stored session still holds time the ledger has not got: that start must flush it first.
 */
export function offerFor(
  openid: string,
  member: Offer['member'],
  lesson: LessonDoc,
  session: SessionDoc | null,
  progress: ProgressDoc | null,
  nowMs: number,
): Offer | null {
  if (mustFlushBeforeStart(session)) return null;
  const ms = (v: unknown) => (v ? new Date(v as Date).getTime() : null);
  return {
    openid,
    issuedAt: nowMs,
    member: { _id: member._id, name: member.name, branchId: member.branchId, path: member.path, role: member.role },
    lesson: {
      _id: lesson._id,
      kind: lesson.kind,
      title: lesson.title,
      durationSec: lesson.durationSec,
      replayUrl: lesson.replayUrl ? 'yes' : null,
      startsAt: ms(lesson.startsAt),
      endsAt: ms(lesson.endsAt),
    },
    base: session
      ? {
          seq: session.seq,
          lastAt: session.lastAt,
          active: session.active,
          memberId: session.memberId,
          lessonId: session.lessonId,
          day: session.day,
          daySec: session.daySec,
          position: session.position,
        }
      : null,
    progress: progress
      ? { creditedSec: progress.creditedSec, position: progress.position, completed: progress.completed, completedAt: ms(progress.completedAt) }
      : null,
  };
}

/** A lesson as sessionClock() needs it, from an offer. */
export function offerLesson(o: Offer): Pick<LessonDoc, 'kind' | 'durationSec' | 'startsAt' | 'endsAt' | 'replayUrl'> {
  return {
    kind: o.lesson.kind,
    durationSec: o.lesson.durationSec,
    startsAt: o.lesson.startsAt === null ? null : new Date(o.lesson.startsAt),
    endsAt: o.lesson.endsAt === null ? null : new Date(o.lesson.endsAt),
    replayUrl: o.lesson.replayUrl,
  };
}

/** Field paths → amounts to add, and fields to set: one update of a totals document. */
export interface TotalsUpdate {
  id: string;
  inc: Record<string, Record<string, number> | number>;
  set: Record<string, unknown>;
  /** the document to create when there is none yet (the member's first credit of the year) */
  whole: TotalsDoc;
}

/**
 * The writes of one flush, none of which needs a read: the credit records (set by their
 * deterministic ids), the year's counters as increments, and the lesson's progress whole — the
 * session's `lessonSec` is the stored progress at start plus everything credited since, and flushes
 * of one member's sessions happen one after another (a start flushes the session it replaces
 * before it writes), so nothing else changed that progress meanwhile. The caller runs them in the
 * transaction that read the session and writes the session after, which makes them exactly-once.
 */
export function flushWrites(
  s: SessionDoc,
  plan: readonly FlushCredit[],
  now: Date,
): { credits: Array<{ id: string; data: Record<string, unknown> }>; totals: TotalsUpdate[]; progress: { id: string; data: Omit<ProgressDoc, '_id'> } | null } {
  if (!plan.length) return { credits: [], totals: [], progress: null };
  const completesNow = s.completed && !s.completedAt;
  const inputs = sessionCredits(s, plan, completesNow);
  const byYear = new Map<number, CreditInput[]>();
  for (const c of inputs) {
    const y = Number(c.day.slice(0, 4));
    byYear.set(y, [...(byYear.get(y) ?? []), c]);
  }
  const totals: TotalsUpdate[] = [];
  for (const [year, list] of byYear) {
    // applyCredit checks every credit (source, day, length) before anything is written
    let whole: TotalsDoc | null = null;
    for (const c of list) whole = applyCredit(whole, c, now);
    const sum = (f: (c: CreditInput) => string) => {
      const out: Record<string, number> = {};
      for (const c of list) out[f(c)] = Math.round(((out[f(c)] ?? 0) + c.seconds) * 1000) / 1000;
      return out;
    };
    const seconds = Math.round(list.reduce((a, c) => a + c.seconds, 0) * 1000) / 1000;
    const inc: TotalsUpdate['inc'] = { totalSec: seconds, credits: list.length, bySource: { [s.source]: seconds }, byMonth: sum((c) => c.day.slice(5, 7)), days: sum((c) => c.day) };
    const done = list.filter((c) => c.completesLesson).length;
    if (done) inc.lessonsCompleted = done;
    totals.push({ id: totalsId(year, s.memberId), inc, set: { branchId: s.branchId, path: s.path, name: s.name, role: s.role, updatedAt: now }, whole: whole! });
  }
  const completedAt = s.completedAt ? new Date(s.completedAt) : s.completed ? now : null;
  return {
    credits: inputs.map((c) => ({ id: creditId(c), data: newCreditDoc(c, now) })),
    totals,
    progress: {
      id: progressId(s.memberId, s.lessonId),
      data: { memberId: s.memberId, lessonId: s.lessonId, creditedSec: s.lessonSec, position: s.position, completed: s.completed, completedAt, updatedAt: now },
    },
  };
}

/**
 * The ledger credits of one flush of a session: one per day it spans; the last one completes the
 * lesson when this flush is what completes it.
 */
export function sessionCredits(s: SessionDoc, plan: readonly FlushCredit[], completesNow: boolean): CreditInput[] {
  const what = s.mode === 'replay' ? '直播回放' : s.mode === 'live' ? '直播课' : '在线课程';
  return plan.map((f, i) => ({
    memberId: s.memberId,
    branchId: s.branchId,
    path: s.path,
    name: s.name,
    role: s.role,
    day: f.day,
    source: s.source,
    sourceId: f.sourceId,
    seconds: f.seconds,
    reason: `${what}：${s.lessonTitle}`,
    lessonId: s.lessonId,
    completesLesson: completesNow && i === plan.length - 1,
    session: { id: s.sessionId, startedAt: s.startedAt, endedAt: s.lastAt },
  }));
}

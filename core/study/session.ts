/**
 * How `start` builds a member's study session and how a flush turns one into ledger credits.
 * Pure: the function reads the lesson, the stored session, progress and totals, and writes what
 * these return (heartbeat.ts holds the beat and settle rules).
 */
import { dayOf } from '../day';
import { AppError } from '../fn/errors';
import type { CreditInput, TotalsDoc } from './credit';
import type { FlushCredit, SessionDoc } from './heartbeat';
import type { LessonDoc, ProgressDoc } from './stored';
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
  old: SessionDoc | null;
  /** takeOver(): the new session's seq and start */
  takeOver: { seq: number; at: number };
  progress: Pick<ProgressDoc, 'creditedSec' | 'position' | 'completed'> | null;
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

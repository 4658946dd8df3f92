/**
 * Honest crediting of study time from checkpoints (and, for app versions from before them, from
 * heartbeats). Pure: the function hands in the stored session
 * and its own clock; nothing here trusts a total, a timestamp or a duration from the client.
 *
 * One session per member (`study_sessions/<openid>`), so one clock per member:
 *  - a beat credits at most the server time since the member's previous beat (or the start), so
 *    credits summed over any period never exceed the wall-clock time of that period;
 *  - starting a lesson replaces the session (a new random sessionId): a second lesson, tab or
 *    device takes over, and beats carrying the old sessionId are refused — two lessons never
 *    run at once;
 *  - a lesson earns at most its duration, a day at most `dailyCapMinutes` of online + live study;
 *  - a beat sooner than `minGapSec` is refused, a beat after more than `maxGapSec` credits nothing
 *    (the member was away), a paused player credits nothing.
 *
 * Every write of the session moves `seq` and is conditional on the `seq` it read: a beat
 * (`where({_id, seq, sessionId, active})`), a flush (in a transaction) and a start (`where({_id, seq})`,
 * or create). So a beat computed on a session that a flush or a start has moved on since cannot land,
 * and pending credit reaches the ledger exactly once. A stopped session takes no beats and a second
 * stop changes nothing. `lastAt` never goes back (a start takes over at the later of its clock and
 * the replaced session's `lastAt`), so the credited stretches of one member never overlap.
 *
 * Checkpoints (applyCheckpoint) follow the same rules without reading the session: the app counts
 * the seconds its player actually played and sends them every few minutes and on pause, hide, stop
 * and lesson end, with the signed lease of the session (lease.ts). A checkpoint credits
 * min(server time since the lease's `lastAt`, the seconds claimed, `checkpointMaxSec`, what is left
 * of the lesson and the day, the live window); the write is conditional on the lease's
 * `{seq, sessionId}` and an active session, exactly like a beat's. Heartbeats (`applyBeat`) stay for
 * app versions that still send them. A 视频号 live, watched outside the app, is credited by join and
 * return instead (live.ts); while a join is open, checkpoints and beats are refused.
 */
import { AppError } from '../fn/errors';
import { dayOf } from '../day';
import type { StudyRules } from './rules';

export type SessionSource = 'online' | 'live';

export interface SessionDoc {
  _id: string;
  /** snapshot of the caller at start, so a beat needs no second identity read */
  memberId: string;
  name: string;
  branchId: string;
  path: string[];
  role: 'member' | 'secretary' | 'organiser';
  active: boolean;
  sessionId: string;
  lessonId: string;
  lessonTitle: string;
  source: SessionSource;
  /** 'live' = during the broadcast window, 'replay' or 'lesson' otherwise */
  mode: 'lesson' | 'live' | 'replay';
  durationSec: number;
  /** live mode: credit only inside [windowStart, windowEnd] (ms) */
  windowStart: number | null;
  windowEnd: number | null;
  /** credited for this lesson so far, flushed or not */
  lessonSec: number;
  /** China-time day of `daySec` */
  day: string;
  /** online + live credited on `day`, flushed or not */
  daySec: number;
  /** credited in this session and not yet written to the ledger, by day */
  pending: Record<string, number>;
  completed: boolean;
  position: number;
  startedAt: number;
  lastAt: number;
  seq: number;
  beats: number;
  /** how many flushes this session made: part of each credit's deterministic id */
  flushes: number;
  /**
   * When the lesson was first completed (ms), from the stored progress at start or this session:
   * the flush writes the progress whole instead of reading it (absent on sessions from before).
   */
  completedAt?: number | null;
  /**
   * The member left for 视频号 live from this session (live.ts): the server time of 进入直播 and
   * until when a return may still be confirmed. Belongs to `sessionId` only: a later session
   * written over this document ignores it.
   */
  liveJoin?: LiveJoin | null;
}

export interface LiveJoin {
  sessionId: string;
  /** server time of 进入直播 (ms) */
  at: number;
  /** after this (ms) a return credits nothing and the sweep may close the session */
  until: number;
}

/** Whether the session is waiting for the member's return from 视频号 live. */
export const isAwayLive = (s: Pick<SessionDoc, 'sessionId' | 'liveJoin'>): boolean => !!s.liveJoin && s.liveJoin.sessionId === s.sessionId;

/** a checkpoint or beat while the member is away in 视频号: only the return confirms that time */
export const AWAY_LIVE = '您正在视频号观看直播：回到本页后确认返回，再计学时';

export interface BeatInput {
  sessionId: string;
  lessonId: string;
  /** seconds into the lesson (player position, or seconds read for an article) */
  position: number;
  /** false while the player is paused or the page hidden */
  playing: boolean;
}

export interface BeatOutcome {
  /** fields to write, conditional on the stored `seq` being unchanged */
  patch: Pick<SessionDoc, 'lastAt' | 'position' | 'seq' | 'beats' | 'day' | 'daySec' | 'lessonSec' | 'pending' | 'completed'>;
  credited: number;
  /** the lesson just reached its completion share: flush now so the member sees 已完成 */
  completedNow: boolean;
  /** why nothing was credited, if nothing was */
  note: 'credited' | 'paused' | 'away' | 'lesson-full' | 'day-full' | 'outside-live';
}

/** Seconds a client's position may run past the end (players report the last frame late). */
export const POSITION_SLACK_SEC = 5;

export const NOT_STARTED = '请先打开课程开始学习，再计学时';
export const OTHER_LESSON = '您正在学习另一门课程：同一时间只计一门课程的学时';
export const OTHER_DEVICE = '这门课程已在另一台设备或另一个页面打开，这里不再计学时';
export const BEYOND_END = '播放位置超出了课程时长，本次不计学时';
export const TOO_FAST = '计时太频繁，本次不计学时';
/** the session ended (stopped, or closed after a long silence): the app may simply start again */
export const SESSION_CLOSED = '本次学习已结束，请重新开始学习';

const round3 = (n: number) => Math.round(n * 1000) / 1000;

/** What the seconds credited now do to a session's counters: the caps, the day, pending, completion. */
export function creditStep(
  s: Pick<SessionDoc, 'day' | 'daySec' | 'lessonSec' | 'durationSec' | 'pending' | 'completed'>,
  rawCredit: number,
  elapsed: number,
  nowMs: number,
  rules: StudyRules,
  note: BeatOutcome['note'],
): { credit: number; note: BeatOutcome['note']; day: string; daySec: number; lessonSec: number; pending: Record<string, number>; completed: boolean; completedNow: boolean } {
  const day = dayOf(nowMs);
  const daySec = day === s.day ? s.daySec : 0;
  const lessonLeft = Math.max(0, s.durationSec - s.lessonSec);
  const dayLeft = Math.max(0, rules.dailyCapMinutes * 60 - daySec);
  if (rawCredit > 0 && lessonLeft <= 0) note = 'lesson-full';
  else if (rawCredit > 0 && dayLeft <= 0) note = 'day-full';
  // never more than the wall time since the previous write, and never fractions of a millisecond
  const credit = Math.max(0, Math.floor(Math.min(rawCredit, elapsed, lessonLeft, dayLeft) * 1000) / 1000);
  const lessonSec = round3(s.lessonSec + credit);
  const pending = { ...(s.pending ?? {}) };
  if (credit > 0) pending[day] = round3((pending[day] ?? 0) + credit);
  const completedNow = !s.completed && lessonSec >= s.durationSec * rules.completeRatio;
  return { credit, note, day, daySec: round3(daySec + credit), lessonSec, pending, completed: s.completed || completedNow, completedNow };
}

/** Seconds of a live session's stretch [fromMs, toMs] inside its broadcast window. */
export function liveOverlap(s: Pick<SessionDoc, 'windowStart' | 'windowEnd'>, fromMs: number, toMs: number): number {
  const from = Math.max(fromMs, s.windowStart ?? fromMs);
  const to = Math.min(toMs, s.windowEnd ?? toMs);
  return Math.max(0, (to - from) / 1000);
}

export const livePosition = (s: Pick<SessionDoc, 'windowStart'>, nowMs: number) => Math.max(0, Math.round((nowMs - (s.windowStart ?? nowMs)) / 1000));

export function applyBeat(session: SessionDoc | null, input: BeatInput, nowMs: number, rules: StudyRules): BeatOutcome {
  if (!session || !session.active) throw new AppError('FAILED_PRECONDITION', NOT_STARTED);
  if (session.lessonId !== input.lessonId) throw new AppError('FAILED_PRECONDITION', OTHER_LESSON);
  if (session.sessionId !== input.sessionId) throw new AppError('FAILED_PRECONDITION', OTHER_DEVICE);
  if (isAwayLive(session)) throw new AppError('FAILED_PRECONDITION', AWAY_LIVE);
  if (!Number.isFinite(input.position) || input.position < 0) throw new AppError('INVALID_ARGUMENT', BEYOND_END);
  if (session.mode !== 'live' && input.position > session.durationSec + POSITION_SLACK_SEC) {
    throw new AppError('INVALID_ARGUMENT', BEYOND_END);
  }
  const elapsed = (nowMs - session.lastAt) / 1000;
  if (elapsed < rules.minGapSec) throw new AppError('RESOURCE_EXHAUSTED', TOO_FAST);

  let note: BeatOutcome['note'] = 'credited';
  let credit = 0;
  if (!input.playing) note = 'paused';
  else if (elapsed > rules.maxGapSec) note = 'away';
  else if (session.mode === 'live' && session.windowStart !== null && session.windowEnd !== null) {
    credit = liveOverlap(session, session.lastAt, nowMs);
    if (credit === 0) note = 'outside-live';
  } else credit = elapsed;

  const out = stepOutcome(session, creditStep(session, credit, elapsed, nowMs, rules, note), input.position, nowMs);
  return { ...out, patch: { ...out.patch, beats: session.beats + 1 } };
}

/** What a beat or a checkpoint writes and answers, from its credit step (`seq` moves by one). */
function stepOutcome(
  s: Pick<SessionDoc, 'mode' | 'windowStart' | 'seq'>,
  c: ReturnType<typeof creditStep>,
  position: number,
  nowMs: number,
): CheckpointOutcome {
  return {
    patch: {
      lastAt: nowMs,
      position: s.mode === 'live' ? livePosition(s, nowMs) : position,
      seq: s.seq + 1,
      day: c.day,
      daySec: c.daySec,
      lessonSec: c.lessonSec,
      pending: c.pending,
      completed: c.completed,
    },
    credited: c.credit,
    completedNow: c.completedNow,
    note: c.note,
  };
}

export interface CheckpointInput {
  /** seconds the player played (and the page was shown) since the lease's checkpoint, by the app's count */
  played: number;
  /** seconds into the lesson (player position, or seconds read for an article) */
  position: number;
}

export type CheckpointState = Pick<
  SessionDoc,
  'sessionId' | 'lessonId' | 'seq' | 'lastAt' | 'lessonSec' | 'day' | 'daySec' | 'pending' | 'durationSec' | 'mode' | 'windowStart' | 'windowEnd' | 'completed' | 'liveJoin'
>;

export interface CheckpointOutcome {
  /** fields to write, conditional on `{seq, sessionId}` of the state and an active session */
  patch: Pick<SessionDoc, 'lastAt' | 'position' | 'seq' | 'day' | 'daySec' | 'lessonSec' | 'pending' | 'completed'>;
  credited: number;
  completedNow: boolean;
  note: BeatOutcome['note'];
}

/**
 * A checkpoint on the session state a lease carries (or the stored session, for the final one of a
 * stop: `final`). Refuses a position beyond the end and — except the final one, whose flush writes
 * anyway — a checkpoint sooner than `checkpointMinGapSec`; credits nothing for nothing played.
 */
export function applyCheckpoint(s: CheckpointState, input: CheckpointInput, nowMs: number, rules: StudyRules, opts: { final?: boolean } = {}): CheckpointOutcome {
  if (isAwayLive(s)) throw new AppError('FAILED_PRECONDITION', AWAY_LIVE);
  if (!Number.isFinite(input.position) || input.position < 0) throw new AppError('INVALID_ARGUMENT', BEYOND_END);
  if (s.mode !== 'live' && input.position > s.durationSec + POSITION_SLACK_SEC) throw new AppError('INVALID_ARGUMENT', BEYOND_END);
  const elapsed = Math.max(0, (nowMs - s.lastAt) / 1000);
  if (!opts.final && elapsed < rules.checkpointMinGapSec) throw new AppError('RESOURCE_EXHAUSTED', TOO_FAST);
  const played = Number.isFinite(input.played) ? Math.max(0, input.played) : 0;

  let note: BeatOutcome['note'] = 'credited';
  // a checkpoint that comes late (a dropped one before it, the app asleep) credits no more than
  // one long interval: the time in between is the member's word only
  let credit = Math.min(played, elapsed, rules.checkpointMaxSec);
  if (played <= 0) note = 'paused';
  else if (s.mode === 'live' && s.windowStart !== null && s.windowEnd !== null) {
    credit = Math.min(credit, liveOverlap(s, s.lastAt, nowMs));
    if (credit === 0) note = 'outside-live';
  }
  return stepOutcome(s, creditStep(s, credit, elapsed, nowMs, rules, note), input.position, nowMs);
}

export interface FlushCredit {
  /** unique per session flush and day: a retried flush cannot count twice */
  sourceId: string;
  day: string;
  seconds: number;
}

/** The ledger entries a session's pending credit becomes (one per day it spans). */
export function planFlush(session: Pick<SessionDoc, 'sessionId' | 'pending' | 'flushes'>): FlushCredit[] {
  return Object.entries(session.pending ?? {})
    .filter(([, s]) => s > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, seconds]) => ({ sourceId: `${session.sessionId}:${session.flushes}:${day}`, day, seconds }));
}

/**
 * What a flush does to a session: its pending credit becomes ledger entries, and the session moves
 * on (pending cleared, `seq` up; closed when `end`). Null when there is nothing to write: a session
 * already stopped (a repeated stop, a late sweep: its credit is in the ledger already) or one that
 * stays open with nothing pending.
 */
export function settleSession(s: SessionDoc, end: boolean): { credits: FlushCredit[]; next: SessionDoc } | null {
  if (!s.active) return null;
  const credits = planFlush(s);
  if (!credits.length && !end) return null;
  return { credits, next: { ...s, pending: {}, flushes: s.flushes + (credits.length ? 1 : 0), active: !end, seq: s.seq + 1 } };
}

/**
 * The clock of a session that replaces `base` (the stored session as the start read it, null if
 * none): its `seq` follows base's, and it starts no earlier than base's last beat, so no stretch of
 * time is credited twice even when the two functions' clocks or requests cross.
 */
export function takeOver(base: Pick<SessionDoc, 'seq' | 'lastAt'> | null, nowMs: number): { seq: number; at: number } {
  return { seq: (base?.seq ?? 0) + 1, at: Math.max(nowMs, base?.lastAt ?? 0) };
}

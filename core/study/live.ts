/**
 * 视频号 live, credited by join and return. WeChat plays a 视频号 live room only in WeChat's own
 * player: wx.openChannelsLive leaves the mini-program, and the embeddable `channel-live` component
 * shows the room's cover and status and, when tapped, opens the same room (it has no play events).
 * So the app cannot measure watching. What the server can measure is its own clock: when the member
 * taps 进入直播 (join) and when the app is shown again (return). A return credits
 *
 *   min(the time away, the part of it inside the broadcast window, LIVE_AWAY_MAX_SEC)
 *
 * and then the usual caps (what is left of the lesson and of the day, the wall time since the
 * session's previous write). Time on the lesson page itself earns nothing: the join moves the
 * session's clock to the tap without crediting, and the page sends no checkpoints for such a lesson.
 *
 * Both steps are lease writes like a checkpoint (lease.ts): conditional on the lease's
 * `{seq, sessionId}` and an active session, so a start elsewhere (another lesson, another device)
 * voids an open join — two lessons are never credited at once — and a repeated join or return lands
 * nothing. While a join is open the session takes no checkpoint or beat (AWAY_LIVE), and the sweep
 * leaves it open until `until`; a return after that, or never, credits nothing for the time away.
 * Pure: the function hands in the lease's state and its own clock.
 */
import { AppError } from '../fn/errors';
import { creditStep, isAwayLive, liveOverlap, livePosition, type BeatOutcome, type CheckpointState, type LiveJoin, type SessionDoc } from './heartbeat';
import type { StudyRules } from './rules';

/** One join credits at most this much: a member watching longer comes back and taps 进入直播 again. */
export const LIVE_AWAY_MAX_SEC = 2 * 3600;
/**
 * How long after the end of what a join can credit its return is still believed. WeChat destroys a
 * mini-program that stayed in the background for 30 minutes; the member who comes back then opens
 * the lesson again, and the page confirms the return it kept in storage.
 */
export const LIVE_RETURN_GRACE_MS = 30 * 60_000;

export const LIVE_NOT_ON_AIR = '直播不在进行中，现在进入视频号观看不计学时';
export const LIVE_NOT_CHANNELS = '这门直播课不在视频号播出，请在本页观看';
export const LIVE_ALREADY_AWAY = '您已进入视频号直播：回到本页确认返回后，可以再次进入';
export const LIVE_NO_JOIN = '没有进入视频号直播的记录，本次不计学时';

export type LiveState = CheckpointState;

export interface LiveOutcome {
  /** fields to write, conditional on `{seq, sessionId}` of the state and an active session */
  patch: Pick<SessionDoc, 'lastAt' | 'position' | 'seq' | 'day' | 'daySec' | 'lessonSec' | 'pending' | 'completed' | 'liveJoin'>;
  credited: number;
  completedNow: boolean;
  note: BeatOutcome['note'] | 'joined' | 'late';
}

/** The latest time a join at `at` can be credited to (exclusive of the grace). */
export function joinCreditsUntil(s: Pick<SessionDoc, 'windowEnd'>, at: number): number {
  return Math.min(s.windowEnd ?? at, at + LIVE_AWAY_MAX_SEC * 1000);
}

/**
 * The member tapped 进入直播. Only in live mode, before the broadcast ends; nothing is credited, and
 * the session's clock moves to the tap, so the time spent on the page before it earns nothing.
 */
export function applyLiveJoin(s: LiveState, nowMs: number): LiveOutcome {
  if (isAwayLive(s)) throw new AppError('FAILED_PRECONDITION', LIVE_ALREADY_AWAY);
  if (s.mode !== 'live' || s.windowStart === null || s.windowEnd === null || nowMs >= s.windowEnd) {
    throw new AppError('FAILED_PRECONDITION', LIVE_NOT_ON_AIR);
  }
  // the clock never goes back (a session taken over at a later lastAt keeps it)
  const at = Math.max(nowMs, s.lastAt);
  const join: LiveJoin = { sessionId: s.sessionId, at, until: joinCreditsUntil(s, at) + LIVE_RETURN_GRACE_MS };
  return {
    patch: {
      lastAt: at,
      position: livePosition(s, nowMs),
      seq: s.seq + 1,
      day: s.day,
      daySec: s.daySec,
      lessonSec: s.lessonSec,
      pending: { ...(s.pending ?? {}) },
      completed: s.completed,
      liveJoin: join,
    },
    credited: 0,
    completedNow: false,
    note: 'joined',
  };
}

/**
 * The app is shown again after a join: credits the time away inside the broadcast window, at most
 * LIVE_AWAY_MAX_SEC, within the lesson's and the day's caps and the wall time since the join.
 * A return later than the join's `until` credits nothing (the member's word is all there is).
 */
export function applyLiveReturn(s: LiveState, nowMs: number, rules: StudyRules): LiveOutcome {
  if (!isAwayLive(s)) throw new AppError('FAILED_PRECONDITION', LIVE_NO_JOIN);
  const join = s.liveJoin!;
  const elapsed = Math.max(0, (nowMs - s.lastAt) / 1000);
  let note: LiveOutcome['note'] = 'credited';
  let raw = 0;
  if (nowMs > join.until) note = 'late';
  else {
    const to = Math.min(nowMs, join.at + LIVE_AWAY_MAX_SEC * 1000);
    raw = Math.min(Math.max(0, (to - join.at) / 1000), liveOverlap(s, join.at, to), LIVE_AWAY_MAX_SEC);
    if (raw === 0) note = 'outside-live';
  }
  const c = creditStep(s, raw, elapsed, nowMs, rules, note === 'late' ? 'away' : note);
  return {
    patch: {
      lastAt: Math.max(nowMs, s.lastAt),
      position: livePosition(s, nowMs),
      seq: s.seq + 1,
      day: c.day,
      daySec: c.daySec,
      lessonSec: c.lessonSec,
      pending: c.pending,
      completed: c.completed,
      liveJoin: null,
    },
    credited: c.credit,
    completedNow: c.completedNow,
    note: note === 'late' ? 'late' : c.note,
  };
}

/**
 * Signed study tokens, so that crediting needs no database read between the start and the end of
 * a lesson. Two kinds, signed with the function's STUDY_LEASE_SECRET (HMAC-SHA256, the kind is part
 * of what is signed, so one kind never passes for the other):
 *
 *  - a lease: the state of the member's session at one `seq` (clock, caps, what is credited so far),
 *    handed out by `start` and by every checkpoint. A checkpoint verifies it, computes the credit
 *    from it and the function's clock, and writes the session with one update conditional on
 *    `{_id, seq, sessionId, active}` — so the lease is exactly the stored session whenever the
 *    write lands, and a stale lease (another device took over, a replay, a stopped session) lands
 *    nothing. The answer carries the next lease.
 *  - an offer: what `start` needs to know (the caller, the lesson, the stored session and progress),
 *    read by the `lesson` view the page opens first. Valid for OFFER_TTL_MS; `start` writes the new
 *    session conditional on the session `seq` the offer saw, so an offer that is out of date
 *    changes nothing and `start` reads afresh.
 *
 * The app holds the tokens but cannot change them; it never sees the secret.
 */
import crypto from 'crypto';
import { requireSecret } from '../fn/secrets';
import type { LessonDoc } from './stored';
import type { SessionDoc } from './heartbeat';

export const LEASE_SECRET = 'STUDY_LEASE_SECRET';

/** The signing key from the function's environment; throws FAILED_PRECONDITION when unusable. */
export function leaseSecret(env: Record<string, string | undefined>): string {
  return requireSecret(env, 'STUDY_LEASE_SECRET');
}

/** The session fields a checkpoint computes from (the stored session at `seq`). */
export type LeaseState = Pick<
  SessionDoc,
  'sessionId' | 'lessonId' | 'seq' | 'lastAt' | 'lessonSec' | 'day' | 'daySec' | 'pending' | 'durationSec' | 'mode' | 'windowStart' | 'windowEnd' | 'completed' | 'liveJoin'
> & { openid: string };

export interface Offer {
  openid: string;
  issuedAt: number;
  member: Pick<SessionDoc, 'name' | 'branchId' | 'path' | 'role'> & { _id: string };
  lesson: Pick<LessonDoc, '_id' | 'kind' | 'title' | 'durationSec' | 'replayUrl'> & { startsAt: number | null; endsAt: number | null };
  /** the stored session as the view read it (null: none); only offered when it holds no unwritten time */
  base: (Pick<SessionDoc, 'seq' | 'lastAt' | 'active' | 'memberId' | 'lessonId' | 'day' | 'daySec' | 'position'>) | null;
  progress: { creditedSec: number; position: number; completed: boolean; completedAt: number | null } | null;
}

/** How long an offer stands: the page starts at once; a later start reads for itself. */
export const OFFER_TTL_MS = 10 * 60_000;

const MAX_TOKEN = 4000;

function mac(secret: string, kind: string, body: string): string {
  return crypto.createHmac('sha256', secret).update(`study-${kind}.${body}`).digest('base64url');
}

function sign(secret: string, kind: 'lease' | 'offer', payload: object): string {
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  return `${body}.${mac(secret, kind, body)}`;
}

/** The payload of a token of `kind` signed with `secret`, or null (malformed, forged, another kind). */
function open<T>(secret: string, kind: 'lease' | 'offer', token: string): T | null {
  if (typeof token !== 'string' || token.length > MAX_TOKEN) return null;
  const dot = token.indexOf('.');
  if (dot <= 0) return null;
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1));
  const expected = Buffer.from(mac(secret, kind, body));
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  try {
    const v = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    return v && typeof v === 'object' ? (v as T) : null;
  } catch {
    return null;
  }
}

export function leaseOf(s: Pick<SessionDoc, keyof Omit<LeaseState, 'openid'>> & { _id: string }): LeaseState {
  return {
    openid: s._id,
    sessionId: s.sessionId,
    lessonId: s.lessonId,
    seq: s.seq,
    lastAt: s.lastAt,
    lessonSec: s.lessonSec,
    day: s.day,
    daySec: s.daySec,
    pending: { ...(s.pending ?? {}) },
    durationSec: s.durationSec,
    mode: s.mode,
    windowStart: s.windowStart,
    windowEnd: s.windowEnd,
    completed: s.completed,
    liveJoin: s.liveJoin ?? null,
  };
}

export const signLease = (secret: string, state: LeaseState) => sign(secret, 'lease', state);
export const signOffer = (secret: string, offer: Offer) => sign(secret, 'offer', offer);

/** A lease of this caller, or null when it is not one (forged, altered, someone else's). */
export function openLease(secret: string, token: string, openid: string): LeaseState | null {
  const s = open<LeaseState>(secret, 'lease', token);
  return s && s.openid === openid ? s : null;
}

/** An offer of this caller for this lesson, still fresh at `nowMs`, or null. */
export function openOffer(secret: string, token: string | undefined, openid: string, lessonId: string, nowMs: number): Offer | null {
  if (!token) return null;
  const o = open<Offer>(secret, 'offer', token);
  if (!o || o.openid !== openid || o.lesson?._id !== lessonId) return null;
  // a few seconds' slack: the view and the start may run on instances whose clocks differ slightly
  if (!(nowMs - o.issuedAt >= -5_000 && nowMs - o.issuedAt <= OFFER_TTL_MS)) return null;
  return o;
}

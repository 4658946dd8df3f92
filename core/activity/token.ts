/**
 * The rotating sign-in code shown on the secretary's phone. token = `${activityId}.${slot}.${mac}`
 * where slot = floor(now / 15 s) and mac = HMAC-SHA256(secret, `${activityId}.${slot}`), base64url,
 * first 22 characters (132 bits). A token is accepted during its own slot and the next one, so a
 * code read at the end of its 15 s still works, and a photo of it is useless within 30 s.
 * The secret lives only in the function (env ACTIVITY_QR_SECRET); the app never sees it. Without a
 * usable one, issuing and verifying codes both refuse (core/fn/secrets.ts): there is no fallback.
 *
 * Beside the QR the secretary's screen shows a 签到口令 for members without a camera: CODE_DIGITS
 * decimal digits from the same secret and the same slot (a different HMAC message, so the QR token
 * says nothing about the code), valid exactly as long as the QR (its own slot and the next).
 *
 * Why 6 digits are enough (the arithmetic the limits in cloudfunctions/activity rest on): at any
 * instant 2 codes are valid (this slot's and the last one's), so one blind guess wins with
 * p = 2 / 10^6. A member may try CODE_TRIES_PER_ACTIVITY = 20 codes per activity in all, and after
 * every CODE_TRIES_BEFORE_WAIT = 5 must wait CODE_WAIT_MS = 10 minutes; a guess is only weighed
 * after its try has been counted, so parallel requests buy nothing. One member's chance of signing
 * in by guessing is at most 20 × 2 / 10^6 = 0.004 %; a whole branch of 100 members guessing
 * together, 0.4 %. Only members on the roster may try, and each can only sign in themselves.
 * 4 digits would give 20 × 2 / 10^4 = 0.4 % per member, which is not good enough.
 */
import crypto from 'crypto';
import { AppError } from '../fn/errors';
import { requireSecret } from '../fn/secrets';

export const SLOT_MS = 15_000;
const MAC_LEN = 22;

/** The signing key from the function's environment; throws FAILED_PRECONDITION when unusable. */
export function qrSecret(env: Record<string, string | undefined>): string {
  return requireSecret(env, 'ACTIVITY_QR_SECRET');
}

export const slotOf = (nowMs: number) => Math.floor(nowMs / SLOT_MS);

function mac(secret: string, activityId: string, slot: number): string {
  return crypto.createHmac('sha256', secret).update(`${activityId}.${slot}`).digest('base64url').slice(0, MAC_LEN);
}

export const CODE_DIGITS = 6;
export const CODE_TRIES_BEFORE_WAIT = 5;
export const CODE_WAIT_MS = 10 * 60_000;
export const CODE_TRIES_PER_ACTIVITY = 20;
const CODE_RE = new RegExp(`^\\d{${CODE_DIGITS}}$`);

/**
 * The slot's 签到口令: the first 48 bits of HMAC-SHA256(secret, `code:${activityId}.${slot}`) modulo
 * 10^6 (the modulo bias over 2^48 is below 10^-8), zero-padded.
 */
export function signInCode(secret: string, activityId: string, slot: number): string {
  const h = crypto.createHmac('sha256', secret).update(`code:${activityId}.${slot}`).digest();
  return String(h.readUIntBE(0, 6) % 10 ** CODE_DIGITS).padStart(CODE_DIGITS, '0');
}

export function issueToken(secret: string, activityId: string, nowMs: number): { token: string; code: string; slot: number; expiresAt: number } {
  const slot = slotOf(nowMs);
  return { token: `${activityId}.${slot}.${mac(secret, activityId, slot)}`, code: signInCode(secret, activityId, slot), slot, expiresAt: (slot + 2) * SLOT_MS };
}

/**
 * How many slots one qrToken call hands out: this slot's token and the next ones', so the screen
 * shows each at its slot's start by itself and calls once a minute (at the start of the last one).
 * Issuing ahead changes no validity: a token (and its 签到口令) is still accepted only during its own
 * slot and the next, so one issued for a later slot is refused until that slot begins.
 */
export const SLOTS_PER_CALL = 5;

/** The tokens of `count` consecutive slots from the one `nowMs` is in, each exactly as issueToken makes it. */
export function issueTokens(secret: string, activityId: string, nowMs: number, count = SLOTS_PER_CALL): ReturnType<typeof issueToken>[] {
  const first = slotOf(nowMs);
  return Array.from({ length: count }, (_x, k) => issueToken(secret, activityId, (first + k) * SLOT_MS));
}

/** Is the digits string shaped like a code at all (checked before any try is counted)? */
export const isCodeShaped = (code: string) => CODE_RE.test(code);

/** Does the code match this slot's or the previous slot's 签到口令 of the activity? Constant-time. */
export function codeMatches(secret: string, activityId: string, code: string, nowMs: number): boolean {
  if (!isCodeShaped(code)) return false;
  const now = slotOf(nowMs);
  let ok = false;
  for (const slot of [now, now - 1]) {
    const a = Buffer.from(signInCode(secret, activityId, slot));
    ok = crypto.timingSafeEqual(a, Buffer.from(code)) || ok;
  }
  return ok;
}

/**
 * May a member weigh one more code now, given their earlier tries? `tries` counts every code they
 * tried for this activity, `lastAt` when they tried the latest one. Returns the refusal, or null.
 */
export function codeTryRefusal(tries: number, lastAtMs: number | null, nowMs: number): { message: string; waitMs: number } | null {
  if (tries >= CODE_TRIES_PER_ACTIVITY) {
    return { message: '签到口令输错次数太多，请扫描签到码或请支部书记代签', waitMs: Infinity };
  }
  if (tries > 0 && tries % CODE_TRIES_BEFORE_WAIT === 0 && lastAtMs !== null) {
    const waitMs = lastAtMs + CODE_WAIT_MS - nowMs;
    if (waitMs > 0) {
      return { message: `签到口令已连续输错 ${CODE_TRIES_BEFORE_WAIT} 次，请 ${Math.ceil(waitMs / 60_000)} 分钟后再试，或扫描签到码、请支部书记代签`, waitMs };
    }
  }
  return null;
}

const TOKEN_RE = /^([A-Za-z0-9_-]{1,64})\.(\d{1,12})\.([A-Za-z0-9_-]{22})$/;

/** The activity a token names, or null when it is not even shaped like one. */
export function parseToken(token: string): { activityId: string; slot: number; mac: string } | null {
  const m = TOKEN_RE.exec(token.trim());
  return m ? { activityId: m[1], slot: Number(m[2]), mac: m[3] } : null;
}

/** Returns the activity id of a valid token; throws a member-readable error otherwise. */
export function verifyToken(secret: string, token: string, nowMs: number): string {
  const p = parseToken(token);
  if (!p) throw new AppError('INVALID_ARGUMENT', '签到码无效，请扫描支部书记手机上的签到码');
  const expected = Buffer.from(mac(secret, p.activityId, p.slot));
  const given = Buffer.from(p.mac);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    throw new AppError('INVALID_ARGUMENT', '签到码无效，请扫描支部书记手机上的签到码');
  }
  const now = slotOf(nowMs);
  if (p.slot > now) throw new AppError('INVALID_ARGUMENT', '签到码无效，请扫描支部书记手机上的签到码');
  if (now - p.slot > 1) throw new AppError('FAILED_PRECONDITION', '签到码已过期，请扫描书记手机上最新的签到码');
  return p.activityId;
}

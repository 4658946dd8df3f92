/**
 * The rotating sign-in code shown on the secretary's phone. token = `${activityId}.${slot}.${mac}`
 * where slot = floor(now / 15 s) and mac = HMAC-SHA256(secret, `${activityId}.${slot}`), base64url,
 * first 22 characters (132 bits). A token is accepted during its own slot and the next one, so a
 * code read at the end of its 15 s still works, and a photo of it is useless within 30 s.
 * The secret lives only in the function (env ACTIVITY_QR_SECRET); the app never sees it. Without a
 * usable one, issuing and verifying codes both refuse (core/fn/secrets.ts): there is no fallback.
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

export function issueToken(secret: string, activityId: string, nowMs: number): { token: string; slot: number; expiresAt: number } {
  const slot = slotOf(nowMs);
  return { token: `${activityId}.${slot}.${mac(secret, activityId, slot)}`, slot, expiresAt: (slot + 2) * SLOT_MS };
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

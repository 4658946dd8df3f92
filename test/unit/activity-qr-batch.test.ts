/**
 * One qrToken call hands out several slots' tokens and 签到口令: each must be exactly what the
 * one-slot issue makes for its slot, and accepted exactly as before — from its own slot's start to
 * the end of the next slot, never earlier (a token handed out ahead is useless until its slot).
 */
import { codeMatches, issueToken, issueTokens, SLOT_MS, SLOTS_PER_CALL, slotOf, verifyToken } from '../../core/activity/token';

const SECRET = 'k'.repeat(48);
const ID = 'act-1';

test('a call covers a minute: five consecutive slots from the current one, each as issueToken makes it', () => {
  const now = 1_800_000_000_000 + 7_321;
  const batch = issueTokens(SECRET, ID, now);
  expect(SLOTS_PER_CALL * SLOT_MS).toBeGreaterThanOrEqual(60_000);
  expect(batch).toHaveLength(SLOTS_PER_CALL);
  expect(batch.map((t) => t.slot)).toEqual([0, 1, 2, 3, 4].map((k) => slotOf(now) + k));
  for (const t of batch) expect(t).toEqual(issueToken(SECRET, ID, t.slot * SLOT_MS));
  // the first is the token of now itself
  expect(batch[0]).toEqual(issueToken(SECRET, ID, now));
  expect(new Set(batch.map((t) => t.token)).size).toBe(SLOTS_PER_CALL);
});

test('every token and code of a batch is valid from its slot start to the end of the next slot, and not before', () => {
  const now = 1_800_000_000_000 + 3_000;
  for (const t of issueTokens(SECRET, ID, now)) {
    const start = t.slot * SLOT_MS;
    // before its slot: refused, although issued already
    expect(() => verifyToken(SECRET, t.token, start - 1)).toThrow('签到码无效');
    expect(codeMatches(SECRET, ID, t.code, start - 1)).toBe(false);
    // its own slot and the next: accepted
    for (const at of [start, start + SLOT_MS - 1, start + SLOT_MS, start + 2 * SLOT_MS - 1]) {
      expect(verifyToken(SECRET, t.token, at)).toBe(ID);
      expect(codeMatches(SECRET, ID, t.code, at)).toBe(true);
    }
    // after: expired, as ever
    expect(() => verifyToken(SECRET, t.token, start + 2 * SLOT_MS)).toThrow('签到码已过期');
    expect(codeMatches(SECRET, ID, t.code, start + 2 * SLOT_MS)).toBe(false);
    expect(new Date(t.expiresAt).getTime()).toBe(start + 2 * SLOT_MS);
  }
});

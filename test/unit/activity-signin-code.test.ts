import fc from 'fast-check';
import {
  CODE_TRIES_BEFORE_WAIT,
  CODE_TRIES_PER_ACTIVITY,
  CODE_WAIT_MS,
  codeMatches,
  codeTryRefusal,
  issueToken,
  signInCode,
  SLOT_MS,
} from '../../core/activity/token';

const SECRET = 'k'.repeat(48);

describe('签到口令', () => {
  test('6 digits, the same for the same activity and slot, different across activities, slots and secrets', () => {
    const c = signInCode(SECRET, 'a1', 1000);
    expect(c).toMatch(/^\d{6}$/);
    expect(signInCode(SECRET, 'a1', 1000)).toBe(c);
    const others = [signInCode(SECRET, 'a2', 1000), signInCode(SECRET, 'a1', 1001), signInCode('j'.repeat(48), 'a1', 1000)];
    expect(others.filter((o) => o === c).length).toBe(0);
  });

  test('issued with the QR token of the same slot', () => {
    const t = issueToken(SECRET, 'a1', 1000 * SLOT_MS + 5);
    expect(t.slot).toBe(1000);
    expect(t.code).toBe(signInCode(SECRET, 'a1', 1000));
  });

  test('valid exactly as long as the QR: its slot and the next, never before or after', () => {
    const at = 5000 * SLOT_MS;
    const code = issueToken(SECRET, 'a1', at).code;
    expect(codeMatches(SECRET, 'a1', code, at)).toBe(true);
    expect(codeMatches(SECRET, 'a1', code, at + SLOT_MS - 1)).toBe(true);
    expect(codeMatches(SECRET, 'a1', code, at + 2 * SLOT_MS - 1)).toBe(true);
    const later = [at + 2 * SLOT_MS, at - 1].map((t) => codeMatches(SECRET, 'a1', code, t));
    // a later slot's own code could collide by chance (1 in 10^6): only flag a real acceptance
    const collide = [signInCode(SECRET, 'a1', 5002), signInCode(SECRET, 'a1', 5001), signInCode(SECRET, 'a1', 4999), signInCode(SECRET, 'a1', 4998)].includes(code);
    if (!collide) expect(later).toEqual([false, false]);
    expect(codeMatches(SECRET, 'a2', code, at)).toBe(signInCode(SECRET, 'a2', 5000) === code || signInCode(SECRET, 'a2', 4999) === code);
  });

  test('anything not 6 digits never matches', () => {
    const at = 7000 * SLOT_MS;
    const code = issueToken(SECRET, 'a1', at).code;
    for (const bad of [code.slice(1), `${code}0`, ` ${code}`, code.replace(/\d/, 'a'), '']) expect(codeMatches(SECRET, 'a1', bad, at)).toBe(false);
  });

  test('the digits are spread evenly (no digit position is stuck)', () => {
    const seen = Array.from({ length: 6 }, () => new Set<string>());
    for (let s = 0; s < 400; s++) signInCode(SECRET, 'a1', s).split('').forEach((d, i) => seen[i].add(d));
    expect(seen.every((s) => s.size === 10)).toBe(true);
  });
});

describe('how many codes a member may weigh', () => {
  const now = 1_700_000_000_000;
  test('4 tries: free; the 5th made a moment ago: wait 10 minutes; after the wait: free again', () => {
    expect(codeTryRefusal(0, null, now)).toBeNull();
    expect(codeTryRefusal(CODE_TRIES_BEFORE_WAIT - 1, now, now)).toBeNull();
    const r = codeTryRefusal(CODE_TRIES_BEFORE_WAIT, now - 1000, now)!;
    expect(r.message).toMatch(/10 分钟后再试/);
    expect(r.waitMs).toBe(CODE_WAIT_MS - 1000);
    expect(codeTryRefusal(CODE_TRIES_BEFORE_WAIT, now - CODE_WAIT_MS, now)).toBeNull();
    expect(codeTryRefusal(CODE_TRIES_BEFORE_WAIT + 1, now, now)).toBeNull();
  });

  test('never more than 20 tries per activity, however long one waits', () => {
    fc.assert(
      fc.property(fc.integer({ min: CODE_TRIES_PER_ACTIVITY, max: 10_000 }), fc.integer({ min: 0, max: 10 ** 9 }), (tries, ago) => {
        expect(codeTryRefusal(tries, now - ago, now)?.waitMs).toBe(Infinity);
      }),
    );
  });

  test('the arithmetic: at most 20 weighed codes, 2 valid codes of 10^6 each: ≤ 0.004 % per member', () => {
    let weighed = 0;
    let t = now;
    let last: number | null = null;
    // a patient guesser who retries the moment they are allowed, for two days
    while (t < now + 2 * 86_400_000) {
      if (!codeTryRefusal(weighed, last, t)) {
        weighed++;
        last = t;
      }
      t += 1000;
    }
    expect(weighed).toBe(CODE_TRIES_PER_ACTIVITY);
    expect((weighed * 2) / 10 ** 6).toBeLessThanOrEqual(0.00004);
  });
});

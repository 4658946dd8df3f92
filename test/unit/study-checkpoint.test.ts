/** Checkpoints on signed leases (core/study/heartbeat.ts applyCheckpoint, lease.ts, session.ts flushWrites). */
import fc from 'fast-check';
import { AppError } from '../../core/fn/errors';
import { dayOf } from '../../core/day';
import { applyCheckpoint, settleSession, takeOver, type SessionDoc } from '../../core/study/heartbeat';
import { leaseOf, openLease, openOffer, signLease, signOffer, OFFER_TTL_MS, type LeaseState, type Offer } from '../../core/study/lease';
import { flushWrites, offerFor } from '../../core/study/session';
import { DEFAULT_RULES, rulesFromEnv, staleAfterSec, type StudyRules } from '../../core/study/rules';

/** runs per property: each run plays up to 120 steps twice; `STUDY_PROPERTY_RUNS=2000` for a deeper check */
const PROPERTY_RUNS = Number(process.env.STUDY_PROPERTY_RUNS ?? 150);

const rules: StudyRules = { ...DEFAULT_RULES };
const T0 = Date.parse('2026-05-10T02:00:00Z'); // 10:00 in Shanghai
const SECRET = 'k3y-for-unit-tests-0123456789abcdefXYZ';

function session(over: Partial<SessionDoc> = {}): SessionDoc {
  return {
    _id: 'o1', memberId: 'm1', name: '张三', branchId: 'b1', path: ['d1', 'b1'], role: 'member', active: true,
    sessionId: 's1', lessonId: 'l1', lessonTitle: '课', source: 'online', mode: 'lesson', durationSec: 1800,
    windowStart: null, windowEnd: null, lessonSec: 0, day: dayOf(T0), daySec: 0, pending: {}, completed: false,
    position: 0, startedAt: T0, lastAt: T0, seq: 1, beats: 0, flushes: 0, completedAt: null, ...over,
  };
}
const code = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return (e as AppError).code;
  }
  return 'none';
};

describe('applyCheckpoint', () => {
  test('credits the smallest of server time, time played, the interval cap and what is left', () => {
    const s = leaseOf(session());
    expect(applyCheckpoint(s, { played: 300, position: 300 }, T0 + 360_000, rules)).toMatchObject({ credited: 300, patch: { seq: 2, lastAt: T0 + 360_000, pending: { '2026-05-10': 300 } } });
    // claims more than the server's clock: the clock wins
    expect(applyCheckpoint(s, { played: 999, position: 60 }, T0 + 60_000, rules).credited).toBe(60);
    // a late checkpoint (the one before it dropped): at most two intervals
    expect(applyCheckpoint(s, { played: 3000, position: 900 }, T0 + 3_000_000, rules).credited).toBe(rules.checkpointMaxSec);
    expect(applyCheckpoint(leaseOf(session({ lessonSec: 1790 })), { played: 60, position: 60 }, T0 + 60_000, rules).credited).toBe(10);
    expect(applyCheckpoint(leaseOf(session({ daySec: 240 * 60 - 12 })), { played: 60, position: 60 }, T0 + 60_000, rules).credited).toBe(12);
    expect(applyCheckpoint(s, { played: 0, position: 60 }, T0 + 60_000, rules)).toMatchObject({ credited: 0, note: 'paused' });
  });

  test('refuses a position past the end and a checkpoint sooner than the minimum gap', () => {
    const s = leaseOf(session());
    expect(code(() => applyCheckpoint(s, { played: 30, position: 1806 }, T0 + 60_000, rules))).toBe('INVALID_ARGUMENT');
    expect(code(() => applyCheckpoint(s, { played: 5, position: 5 }, T0 + 5_000, rules))).toBe('RESOURCE_EXHAUSTED');
  });

  test('live: only time inside the broadcast counts', () => {
    const s = leaseOf(session({ mode: 'live', source: 'live', windowStart: T0 + 20_000, windowEnd: T0 + 3_600_000 }));
    expect(applyCheckpoint(s, { played: 60, position: 0 }, T0 + 60_000, rules).credited).toBe(40);
  });

  test('deploy-time interval: the gap and the cap follow it', () => {
    expect(rulesFromEnv({ STUDY_CHECKPOINT_SEC: '1' })).toMatchObject({ checkpointEverySec: 1, checkpointMaxSec: 2 });
    expect(rulesFromEnv({ STUDY_CHECKPOINT_SEC: '300' })).toMatchObject({ checkpointMinGapSec: 10, checkpointMaxSec: 600 });
    // the sweep waits longer than a checkpoint may be late
    expect(staleAfterSec(rules)).toBeGreaterThan(rules.checkpointMaxSec);
  });
});

describe('leases and offers', () => {
  test('a lease opens only unchanged, for its own member, and never as an offer', () => {
    const state = leaseOf(session({ seq: 4, lessonSec: 120 }));
    const token = signLease(SECRET, state);
    expect(openLease(SECRET, token, 'o1')).toEqual(state);
    expect(openLease(SECRET, token, 'o2')).toBeNull();
    expect(openLease('another-secret-0123456789abcdefghijkl', token, 'o1')).toBeNull();
    const [body, mac] = token.split('.');
    const altered = Buffer.from(JSON.stringify({ ...state, lastAt: T0 - 3_600_000 })).toString('base64url');
    expect(openLease(SECRET, `${altered}.${mac}`, 'o1')).toBeNull();
    expect(openLease(SECRET, `${body}.${mac.slice(1)}`, 'o1')).toBeNull();
    // the same payload signed as an offer is not a lease, nor the other way round
    expect(openOffer(SECRET, signLease(SECRET, { ...state, lesson: { _id: 'l1' }, issuedAt: T0 } as unknown as LeaseState), 'o1', 'l1', T0)).toBeNull();
  });

  test('an offer: only without unwritten time, for its lesson and member, for ten minutes', () => {
    const member = { _id: 'm1', name: '张三', branchId: 'b1', path: ['d1', 'b1'], role: 'member' as const };
    const lesson = { _id: 'l1', kind: 'article' as const, title: '课', durationSec: 1800, replayUrl: null, startsAt: null, endsAt: null } as never;
    expect(offerFor('o1', member, lesson, session({ pending: { '2026-05-10': 5 } }), null, T0)).toBeNull();
    const offer = offerFor('o1', member, lesson, session({ seq: 9 }), null, T0) as Offer;
    expect(offer.base).toMatchObject({ seq: 9, lastAt: T0 });
    const token = signOffer(SECRET, offer);
    expect(openOffer(SECRET, token, 'o1', 'l1', T0 + OFFER_TTL_MS)).toEqual(offer);
    expect(openOffer(SECRET, token, 'o1', 'l1', T0 + OFFER_TTL_MS + 1)).toBeNull();
    expect(openOffer(SECRET, token, 'o1', 'l2', T0)).toBeNull();
    expect(openOffer(SECRET, token, 'o2', 'l1', T0)).toBeNull();
  });
});

describe('a flush without reads', () => {
  test('credits, counters as increments (whole when new), progress whole; completion counted once', () => {
    const s = session({ lessonSec: 1700, completed: true, completedAt: null, position: 1750, pending: { '2026-05-10': 100 }, flushes: 1 });
    const now = new Date(T0 + 1000);
    const w = flushWrites(s, settleSession(s, true)!.credits, now);
    expect(w.credits.map((c) => c.id)).toEqual(['online:s1:1:2026-05-10:m1']);
    expect(w.totals[0]).toMatchObject({ id: '2026:m1', inc: { totalSec: 100, credits: 1, lessonsCompleted: 1, bySource: { online: 100 }, byMonth: { '05': 100 }, days: { '2026-05-10': 100 } } });
    expect(w.totals[0].whole).toMatchObject({ totalSec: 100, lessonsCompleted: 1, days: { '2026-05-10': 100 } });
    expect(w.progress).toEqual({ id: 'm1:l1', data: { memberId: 'm1', lessonId: 'l1', creditedSec: 1700, position: 1750, completed: true, completedAt: now, updatedAt: now } });
    // completed before this session: not counted again, the first completion kept
    const again = flushWrites({ ...s, completedAt: T0 - 5000 }, settleSession(s, true)!.credits, now);
    expect(again.totals[0].inc.lessonsCompleted).toBeUndefined();
    expect(again.progress!.data.completedAt).toEqual(new Date(T0 - 5000));
  });
});

/**
 * The protocol of cloudfunctions/study/actions.ts with leases, on one stored session and two
 * devices whose calls interleave between computing and writing: a checkpoint computes from the lease
 * it holds (no read) and lands only if seq, sessionId and active are still the lease's; a stop is one
 * transaction (its own checkpoint first when its lease is current, then the flush); a start replaces
 * the session only at the seq it saw, after flushing unwritten time. Devices hold stale leases, replay
 * old ones, claim any played time and drop checkpoints.
 */
describe('property: leases under any interleaving', () => {
  type Step = { dev: number; k: 'cpCompute' | 'cpCommit' | 'replay' | 'stop' | 'start' | 'tick'; ms: number; played: number; drop: boolean };
  const stepArb = fc.record({
    dev: fc.integer({ min: 0, max: 1 }),
    k: fc.constantFrom<Step['k']>('cpCompute', 'cpCommit', 'cpCompute', 'cpCommit', 'replay', 'stop', 'start', 'tick', 'tick'),
    ms: fc.integer({ min: 0, max: 900_000 }),
    played: fc.integer({ min: 0, max: 2000 }),
    drop: fc.boolean(),
  });

  /**
   * `claims`: 'any' — a device claims whatever played time the step says (a lying client);
   * 'honest' — it claims the seconds it played since its last acknowledged checkpoint, playing on
   * ticks whose `played` is even, and keeps counting when a checkpoint goes unanswered.
   */
  function run(steps: Step[], dropAll: boolean, claims: 'any' | 'honest') {
    let stored = null as SessionDoc | null;
    let now = T0;
    let n = 0;
    const ledger = new Map<string, number>();
    let acked = 0;
    const devs = [0, 1].map(() => ({
      lease: null as LeaseState | null,
      old: [] as LeaseState[],
      unacked: 0,
      pendingCp: null as null | { lease: LeaseState; patch: Partial<SessionDoc>; credited: number; sent: number },
    }));
    const claim = (d: (typeof devs)[number], st: Step) => (claims === 'any' ? st.played : d.unacked);
    const flush = () => {
      const step = stored && settleSession(stored, true);
      if (!step) return;
      for (const c of step.credits) if (!ledger.has(c.sourceId)) ledger.set(c.sourceId, c.seconds);
      stored = step.next;
    };
    const lands = (l: LeaseState) => !!stored && stored.active && stored.seq === l.seq && stored.sessionId === l.sessionId;
    for (const st of steps) {
      const d = devs[st.dev];
      now += st.k === 'tick' ? st.ms : 1;
      if (st.k === 'tick' && st.played % 2 === 0) for (const x of devs) if (x.lease) x.unacked += st.ms / 1000;
      try {
        if (st.k === 'cpCompute' && d.lease) {
          const sent = claim(d, st);
          const out = applyCheckpoint(d.lease, { played: sent, position: 10 }, now, rules);
          d.pendingCp = { lease: d.lease, patch: out.patch, credited: out.credited, sent };
        } else if (st.k === 'cpCommit' && d.pendingCp) {
          const { lease, patch, credited, sent } = d.pendingCp;
          d.pendingCp = null;
          // a dropped checkpoint never reaches the server; the app keeps counting
          if (!(dropAll && st.drop) && lands(lease)) {
            stored = { ...stored!, ...patch };
            acked += credited;
            d.old.push(lease);
            d.lease = { ...lease, ...patch } as LeaseState;
            d.unacked = Math.max(0, d.unacked - sent);
          }
        } else if (st.k === 'replay' && d.old.length) {
          const l = d.old[st.played % d.old.length];
          const out = applyCheckpoint(l, { played: st.played, position: 10 }, now, rules);
          if (lands(l)) {
            stored = { ...stored!, ...out.patch };
            acked += out.credited;
          }
        } else if (st.k === 'stop' && d.lease && stored?.sessionId === d.lease.sessionId) {
          if (lands(d.lease)) {
            const out = applyCheckpoint(stored!, { played: claim(d, st), position: 10 }, now, rules, { final: true });
            stored = { ...stored!, ...out.patch };
            acked += out.credited;
          }
          flush();
          d.lease = null;
          d.unacked = 0;
        } else if (st.k === 'start') {
          if (stored?.active && Object.keys(stored.pending).length) flush();
          const clock = takeOver(stored, now);
          const sid = `s${++n}`;
          stored = session({ sessionId: sid, seq: clock.seq, startedAt: clock.at, lastAt: clock.at, lessonSec: 0, daySec: 0, day: dayOf(clock.at) });
          d.lease = leaseOf(stored);
          d.old = [];
          d.unacked = 0;
        }
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
      }
    }
    flush();
    const credited = [...ledger.values()].reduce((a, b) => a + b, 0);
    return { credited, acked, wall: (now - T0) / 1000 };
  }

  test('every acknowledged second reaches the ledger once, and the ledger never exceeds wall time', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 20, maxLength: 120, size: 'max' }), (steps) => {
        for (const claims of ['any', 'honest'] as const) {
          const r = run(steps, false, claims);
          expect(r.credited).toBeCloseTo(r.acked, 6);
          expect(r.credited).toBeLessThanOrEqual(r.wall + 1e-9);
        }
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });

  test('a dropped checkpoint only credits less (an app that keeps counting what went unanswered)', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 20, maxLength: 120, size: 'max' }), (steps) => {
        const all = run(steps, false, 'honest');
        const dropped = run(steps, true, 'honest');
        // each credit is whole milliseconds (floored): one credit over two stretches may round up to 1 ms
        // more than two credits over them, once per dropped checkpoint at most
        expect(dropped.credited).toBeLessThanOrEqual(all.credited + 0.001 * steps.length + 1e-9);
        expect(dropped.credited).toBeLessThanOrEqual(dropped.wall + 1e-9);
      }),
      { numRuns: PROPERTY_RUNS },
    );
  });
});

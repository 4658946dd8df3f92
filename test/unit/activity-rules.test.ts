import fc from 'fast-check';
import { dayOf } from '../../core/day';
import { AppError } from '../../core/fn/errors';
import {
  absencePlan,
  absenceStreak,
  answerJointInvite,
  assertCanCloseSignIn,
  closeAllowed,
  finaliseDue,
  jointInvitesOf,
  mayChangeAttendance,
  newJointInvites,
  rosterWith,
  type JointInvite,
  assertInsideGeofence,
  assertLeaveOpen,
  assertSignInOpen,
  countAttendance,
  countsDelta,
  distanceMeters,
  periodBounds,
  phaseOf,
  rates,
  signInDecision,
  signInWindow,
  type ActivityTimes,
} from '../../core/activity/rules';
import { issueToken, parseToken, qrSecret, SLOT_MS, verifyToken } from '../../core/activity/token';
import { activityInputs } from '../../core/activity/contracts';

const MIN = 60_000;
const start = new Date('2026-11-25T06:30:00Z'); // 14:30 in Shanghai

function act(over: Partial<ActivityTimes> = {}): ActivityTimes {
  const w = signInWindow(start, 30, 30);
  return { status: 'published', startAt: start, endAt: new Date(start.getTime() + 120 * MIN), signInOpenAt: w.openAt, signInCloseAt: w.closeAt, ...over };
}
const code = (f: () => void) => {
  try {
    f();
  } catch (e) {
    return (e as AppError).code;
  }
  return 'OK';
};

describe('sign-in window', () => {
  test('default window is 30 min before to 30 min after the start; edges are exact', () => {
    const a = act();
    expect(phaseOf(a, new Date(start.getTime() - 30 * MIN - 1))).toBe('upcoming');
    expect(phaseOf(a, new Date(start.getTime() - 30 * MIN))).toBe('signin');
    expect(phaseOf(a, new Date(start.getTime() + 30 * MIN - 1))).toBe('signin');
    expect(phaseOf(a, new Date(start.getTime() + 30 * MIN))).toBe('closed');
    expect(code(() => assertSignInOpen(a, new Date(start.getTime() - 31 * MIN)))).toBe('FAILED_PRECONDITION');
    expect(code(() => assertSignInOpen(a, start))).toBe('OK');
    expect(code(() => assertSignInOpen(a, new Date(start.getTime() + 31 * MIN)))).toBe('FAILED_PRECONDITION');
  });

  test('a manual close ends sign-in early; drafts and cancelled activities never open', () => {
    expect(phaseOf(act({ finalisedAt: start }), start)).toBe('closed');
    expect(code(() => assertSignInOpen(act({ status: 'draft' }), start))).toBe('NOT_FOUND');
    expect(code(() => assertSignInOpen(act({ status: 'cancelled' }), start))).toBe('FAILED_PRECONDITION');
  });

  test('leave only before the start', () => {
    expect(code(() => assertLeaveOpen(act(), new Date(start.getTime() - 1)))).toBe('OK');
    expect(code(() => assertLeaveOpen(act(), start))).toBe('FAILED_PRECONDITION');
    expect(code(() => assertLeaveOpen(act({ status: 'cancelled' }), new Date(0)))).toBe('FAILED_PRECONDITION');
  });
});

describe('geofence', () => {
  const fence = { lat: 34.7916, lng: 113.6629, radiusM: 200 };
  test('distance is right to within a metre on a known pair (0.001° latitude ≈ 111 m)', () => {
    expect(Math.abs(distanceMeters({ lat: 34, lng: 113 }, { lat: 34.001, lng: 113 }) - 111.2)).toBeLessThan(1);
  });
  test('no location, outside, inside, and accuracy slack capped at 100 m', () => {
    expect(code(() => assertInsideGeofence(fence, undefined))).toBe('FAILED_PRECONDITION');
    expect(code(() => assertInsideGeofence(fence, { lat: 34.7946, lng: 113.6629 }))).toBe('FAILED_PRECONDITION'); // ≈ 333 m
    expect(code(() => assertInsideGeofence(fence, { lat: 34.7946, lng: 113.6629, accuracy: 5000 }))).toBe('FAILED_PRECONDITION');
    expect(code(() => assertInsideGeofence(fence, { lat: 34.7941, lng: 113.6629, accuracy: 80 }))).toBe('OK'); // ≈ 278 m
    expect(code(() => assertInsideGeofence(null, undefined))).toBe('OK');
  });
});

describe('attendance decisions', () => {
  const roster = [
    { id: 'a', name: '甲', branchId: 'b' },
    { id: 'b', name: '乙', branchId: 'b' },
    { id: 'c', name: '丙', branchId: 'b' },
    { id: 'd', name: '丁', branchId: 'b' },
    { id: 'e', name: '戊', branchId: 'b' },
  ];
  test('absence plan: no record → insert absent; pending or declined leave → absent; approved leave and presence stay', () => {
    const plan = absencePlan(roster, [
      { memberId: 'a', status: 'present' },
      { memberId: 'b', status: 'leave' },
      { memberId: 'c', status: 'leave_pending' },
      { memberId: 'd', status: 'leave_declined' },
    ]);
    expect(plan.insert.map((m) => m.id)).toEqual(['e']);
    expect(plan.toAbsent.sort()).toEqual(['c', 'd']);
  });

  test('absence plan is idempotent: applying it and planning again finds nothing to do', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('present', 'leave', 'leave_pending', 'leave_declined', 'absent', 'none'), { minLength: 5, maxLength: 5 }), (sts) => {
        const recs = sts.flatMap((s, i) => (s === 'none' ? [] : [{ memberId: roster[i].id, status: s as any }]));
        const plan = absencePlan(roster, recs);
        const after = [
          ...recs.map((r) => (plan.toAbsent.includes(r.memberId) ? { ...r, status: 'absent' as const } : r)),
          ...plan.insert.map((m) => ({ memberId: m.id, status: 'absent' as const })),
        ];
        const again = absencePlan(roster, after);
        const c = countAttendance(roster, after);
        return again.insert.length === 0 && again.toAbsent.length === 0 && c.present + c.leave + c.absent === roster.length;
      }),
    );
  });

  test('sign-in over an existing record', () => {
    expect(signInDecision(null)).toBe('insert');
    expect(signInDecision({ memberId: 'a', status: 'present' })).toBe('already');
    expect(signInDecision({ memberId: 'a', status: 'leave' })).toBe('upgrade');
    expect(signInDecision({ memberId: 'a', status: 'leave_pending' })).toBe('upgrade');
  });

  test('counts, rates and the unexcused-absence streak', () => {
    const c = countAttendance(roster, [
      { memberId: 'a', status: 'present' },
      { memberId: 'b', status: 'present' },
      { memberId: 'c', status: 'leave', madeUpAt: new Date() },
      { memberId: 'd', status: 'absent' },
    ]);
    expect(c).toMatchObject({ expected: 5, present: 2, leave: 1, absent: 1, madeUp: 1, noRecord: 1 });
    expect(rates(c)).toEqual({ attendance: 40, withMakeUp: 60 });
    expect(rates({ expected: 0, present: 0, madeUp: 0 })).toEqual({ attendance: 0, withMakeUp: 0 });
    expect(absenceStreak([{ memberId: 'a', status: 'absent' }, { memberId: 'a', status: 'absent' }, { memberId: 'a', status: 'present' }, { memberId: 'a', status: 'absent' }])).toBe(2);
    expect(absenceStreak([{ memberId: 'a', status: 'absent', madeUpAt: new Date() }, { memberId: 'a', status: 'absent' }])).toBe(0);
  });

  test('a record change after the close moves the stored counts exactly as recounting would', () => {
    const status = fc.constantFrom('present' as const, 'leave' as const, 'absent' as const, 'leave_pending' as const);
    const rec = fc.record({ status, madeUp: fc.boolean() }).map(({ status: st, madeUp }) => ({ memberId: 'c', status: st, ...(madeUp ? { madeUpAt: new Date() } : {}) }));
    fc.assert(
      fc.property(fc.option(rec, { nil: null }), rec, (before, after) => {
        const others = [{ memberId: 'a', status: 'present' as const }, { memberId: 'b', status: 'absent' as const }];
        const stored = countAttendance(roster, before ? [...others, before] : others);
        const delta = countsDelta({ id: 'c' }, before, after);
        const moved = { ...stored };
        for (const [k, v] of Object.entries(delta)) (moved as any)[k] += v;
        return JSON.stringify(moved) === JSON.stringify(countAttendance(roster, [...others, after]));
      }),
    );
    expect(countsDelta({ id: 'c' }, { memberId: 'c', status: 'absent' }, { memberId: 'c', status: 'absent', madeUpAt: new Date() })).toEqual({ madeUp: 1 });
  });
});

describe('days in Asia/Shanghai', () => {
  test('a late-evening activity belongs to the Shanghai day, and periods are whole Shanghai days', () => {
    expect(dayOf(new Date('2026-11-25T16:30:00Z'))).toBe('2026-11-26');
    const p = periodBounds('2026-01-01', '2026-12-31');
    expect(p.start.toISOString()).toBe('2025-12-31T16:00:00.000Z');
    expect(p.end.toISOString()).toBe('2026-12-31T16:00:00.000Z');
  });
});

describe('rotating QR token', () => {
  const secret = 'a-test-secret-of-some-length';
  const t0 = 1_790_000_000_000;
  test('valid in its slot and the next, expired after, never in the future', () => {
    const { token } = issueToken(secret, 'a123', t0);
    expect(verifyToken(secret, token, t0)).toBe('a123');
    expect(verifyToken(secret, token, t0 + SLOT_MS)).toBe('a123');
    expect(code(() => verifyToken(secret, token, t0 + 2 * SLOT_MS + SLOT_MS))).toBe('FAILED_PRECONDITION');
    expect(code(() => verifyToken(secret, token, t0 - SLOT_MS))).toBe('INVALID_ARGUMENT');
  });
  test('another secret, another activity id or a changed slot is rejected', () => {
    const { token } = issueToken(secret, 'a123', t0);
    const p = parseToken(token)!;
    expect(code(() => verifyToken('another-secret-entirely', token, t0))).toBe('INVALID_ARGUMENT');
    expect(code(() => verifyToken(secret, `a124.${p.slot}.${p.mac}`, t0))).toBe('INVALID_ARGUMENT');
    expect(code(() => verifyToken(secret, `a123.${p.slot + 1}.${p.mac}`, t0 + SLOT_MS))).toBe('INVALID_ARGUMENT');
  });
  test('any string that is not a token is INVALID_ARGUMENT, never a crash', () => {
    fc.assert(fc.property(fc.string({ maxLength: 120 }), (s) => code(() => verifyToken(secret, s, t0)) === 'INVALID_ARGUMENT'));
  });
  test('there is no fallback secret: a missing, short or published one refuses with the secretary\'s message', () => {
    const spy = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      for (const env of [{}, { ACTIVITY_QR_SECRET: '' }, { ACTIVITY_QR_SECRET: 'a-long-enough-production-secret' }, { ACTIVITY_QR_SECRET: 'pps-local-activity-qr-secret-change-me' }]) {
        expect(() => qrSecret(env)).toThrow(expect.objectContaining({ code: 'FAILED_PRECONDITION', message: '签到功能尚未配置，请联系管理员' }));
      }
    } finally {
      spy.mockRestore();
    }
    const configured = 'q0Wm8v3R6yTz1LpX4cBn7JkE2sHd9GfA5uQiOe';
    expect(qrSecret({ ACTIVITY_QR_SECRET: configured })).toBe(configured);
  });
});

describe('contracts', () => {
  test('a sign-in payload cannot name another member', () => {
    expect(activityInputs.signIn.safeParse({ token: 'x', memberId: 'm1' }).success).toBe(false);
  });
  test('export period must be ordered', () => {
    const r = activityInputs.exportLedger.safeParse({ from: '2026-12-01', to: '2026-01-01' });
    expect(r.success).toBe(false);
  });
});

describe('联建 invitations, who changes attendance, and closing', () => {
  const invited = (over: Partial<ActivityTimes> = {}, joint: JointInvite[] = newJointInvites([{ id: 'b2', name: '第二党支部' }, { id: 'b3', name: '第三党支部' }])) => ({
    ...act(over),
    branchIds: ['b1'],
    jointBranchIds: ['b2', 'b3'],
    joint,
  });
  const before = new Date(start.getTime() - 60 * MIN);

  test('an invitation is pending until the invited branch answers; only acceptance joins it', () => {
    const a = invited();
    expect(jointInvitesOf(a).map((j) => j.status)).toEqual(['pending', 'pending']);
    const yes = answerJointInvite(a, 'b2', 'accept', 'sec2', before);
    expect(yes).toMatchObject({ changed: true, joins: true });
    expect(yes.invites).toEqual([
      { branchId: 'b2', name: '第二党支部', status: 'accepted', at: before, by: 'sec2' },
      { branchId: 'b3', name: '第三党支部', status: 'pending', at: null, by: null },
    ]);
    const no = answerJointInvite(a, 'b3', 'decline', 'sec3', before);
    expect(no).toMatchObject({ changed: true, joins: false });
    expect(no.invites[1].status).toBe('declined');
  });

  test('the same answer again changes nothing; a declined branch may still accept; an accepted one may not decline', () => {
    const accepted = invited({}, [{ branchId: 'b2', name: '', status: 'accepted', at: before, by: 's' }]);
    expect(answerJointInvite(accepted, 'b2', 'accept', 's', before)).toMatchObject({ changed: false, joins: false });
    expect(code(() => answerJointInvite(accepted, 'b2', 'decline', 's', before))).toBe('FAILED_PRECONDITION');
    const declined = invited({}, [{ branchId: 'b2', name: '', status: 'declined', at: before, by: 's' }]);
    expect(answerJointInvite(declined, 'b2', 'decline', 's', before).changed).toBe(false);
    expect(answerJointInvite(declined, 'b2', 'accept', 's', before)).toMatchObject({ changed: true, joins: true });
  });

  test('answers are taken only for a published activity that has not started, from an invited branch', () => {
    expect(code(() => answerJointInvite(invited(), 'b9', 'accept', 's', before))).toBe('NOT_FOUND');
    expect(code(() => answerJointInvite(invited({ status: 'draft' }), 'b2', 'accept', 's', before))).toBe('NOT_FOUND');
    expect(code(() => answerJointInvite(invited({ status: 'cancelled' }), 'b2', 'accept', 's', before))).toBe('FAILED_PRECONDITION');
    expect(code(() => answerJointInvite(invited(), 'b2', 'accept', 's', start))).toBe('FAILED_PRECONDITION');
    expect(code(() => answerJointInvite(invited({ finalisedAt: before }), 'b2', 'accept', 's', before))).toBe('FAILED_PRECONDITION');
    expect(code(() => answerJointInvite({ ...invited(), closing: true }, 'b2', 'accept', 's', before))).toBe('FAILED_PRECONDITION');
    expect(code(() => answerJointInvite(invited(), 'b2', 'accept', 's', new Date(start.getTime() - 1)))).toBe('OK');
  });

  test('activities stored before invitations read their rostered joint branches as accepted', () => {
    expect(jointInvitesOf({ branchIds: ['b1', 'b2'], jointBranchIds: ['b2'] })).toEqual([{ branchId: 'b2', name: '', status: 'accepted', at: null, by: null }]);
    expect(jointInvitesOf({ branchIds: ['b1'], jointBranchIds: [] })).toEqual([]);
  });

  test('a joining branch adds each member once', () => {
    const r = rosterWith([{ id: 'm1', name: '甲', branchId: 'b1' }], [{ id: 'm2', name: '乙', branchId: 'b2' }, { id: 'm1', name: '甲', branchId: 'b1' }, { id: 'm2', name: '乙', branchId: 'b2' }]);
    expect(r.map((m) => m.id)).toEqual(['m1', 'm2']);
  });

  test('only the member’s own branch secretary changes their attendance, and only while that branch takes part', () => {
    const a = { branchIds: ['b1', 'b2'] };
    const sec = (branchId: string, over: Record<string, unknown> = {}) => ({ role: 'secretary', status: 'active', branchId, ...over });
    expect(mayChangeAttendance(sec('b1'), a, 'b1')).toBe(true);
    expect(mayChangeAttendance(sec('b2'), a, 'b2')).toBe(true);
    // the host does not write a joint branch's members, nor they the host's
    expect(mayChangeAttendance(sec('b1'), a, 'b2')).toBe(false);
    expect(mayChangeAttendance(sec('b2'), a, 'b1')).toBe(false);
    // a branch that has not accepted is not taking part
    expect(mayChangeAttendance(sec('b3'), a, 'b3')).toBe(false);
    expect(mayChangeAttendance({ role: 'organiser', status: 'active', branchId: null }, a, 'b1')).toBe(false);
    expect(mayChangeAttendance(sec('b1', { role: 'member' }), a, 'b1')).toBe(false);
    expect(mayChangeAttendance(sec('b1', { status: 'left' }), a, 'b1')).toBe(false);
    expect(mayChangeAttendance(sec('b1'), a, null)).toBe(false);
    expect(mayChangeAttendance(null, a, 'b1')).toBe(false);
  });

  test('sign-in can be closed by hand only from the start, with a Chinese reason before it', () => {
    const a = act();
    const early = new Date(start.getTime() - 10 * MIN); // sign-in is open, the start is 10 min away
    expect(phaseOf(a, early)).toBe('signin');
    expect(() => assertCanCloseSignIn(a, early)).toThrow(/^活动还没有开始，不能提前结束签到；11-25 14:30 开始后可以结束$/);
    expect(code(() => assertCanCloseSignIn(a, early))).toBe('FAILED_PRECONDITION');
    expect(code(() => assertCanCloseSignIn(a, start))).toBe('OK');
    expect(code(() => assertCanCloseSignIn(act({ status: 'cancelled' }), start))).toBe('FAILED_PRECONDITION');
  });

  test('the timer closes only an activity that has started and whose window is over', () => {
    const a = act();
    expect(finaliseDue(a, new Date(a.signInCloseAt))).toBe(true);
    expect(finaliseDue(a, new Date(new Date(a.signInCloseAt).getTime() - 1))).toBe(false);
    expect(finaliseDue({ ...a, finalisedAt: start }, new Date(a.signInCloseAt))).toBe(false);
    // a window stored as closing before the start still waits for the start
    const skewed = act({ signInOpenAt: new Date(start.getTime() - 60 * MIN), signInCloseAt: new Date(start.getTime() - 5 * MIN) });
    expect(finaliseDue(skewed, new Date(start.getTime() - MIN))).toBe(false);
    expect(closeAllowed(skewed, new Date(start.getTime() - MIN))).toBe(false);
    expect(finaliseDue(skewed, start)).toBe(true);
    fc.assert(
      fc.property(fc.integer({ min: -600, max: 600 }), fc.integer({ min: -600, max: 600 }), (closeMin, nowMin) => {
        const b = act({ signInCloseAt: new Date(start.getTime() + closeMin * MIN) });
        const now = new Date(start.getTime() + nowMin * MIN);
        return !finaliseDue(b, now) || now.getTime() >= start.getTime();
      }),
    );
  });

  test('a sealed record refuses sign-in unless it is already presence', () => {
    expect(signInDecision({ memberId: 'a', status: 'leave', sealed: true })).toBe('closed');
    expect(signInDecision({ memberId: 'a', status: 'absent', sealed: true })).toBe('closed');
    expect(signInDecision({ memberId: 'a', status: 'present', sealed: true })).toBe('already');
    expect(signInDecision({ memberId: 'a', status: 'leave', sealed: false })).toBe('upgrade');
  });
});

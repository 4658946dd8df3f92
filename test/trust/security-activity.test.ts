/**
 * 组织生活 held against a secretary of another branch and against warm instances that disagree:
 *   - 联建 (joint activities): a host cannot roster, mark or close another branch's members. The
 *     joint branch's own secretary accepts the invitation before its members are on the roster, only
 *     a member's own secretary changes that member's record, and sign-in cannot be closed (by hand
 *     or by the timer) before the activity starts.
 *   - An early 结束签到 holds on every instance at once: an instance whose cached copy of the
 *     activity still says "open" cannot record a sign-in after the close, and the stored counts
 *     stay equal to the records.
 * Sign-in codes are minted by the qrToken action, as the secretary's phone gets them.
 */
import { attendanceId, countAttendance } from '../../core/activity/rules';
import { newAttendance } from '../../cloudfunctions/activity/store';
import { activityDoc } from '../fixtures/activity';
import { HOME, startTrustHarness, type Harness, type Reply } from './harness';
import { dayOf } from '../../core/day';

const MIN = 60_000;
let h: Harness;

beforeAll(async () => {
  h = await startTrustHarness();
});
afterAll(async () => {
  await h?.close();
});

const act = (openid: string, action: string, payload: unknown = {}): Promise<Reply> => h.call('activity', action, payload, openid);
const sec = () => h.callers.secretary.openid;
const otherSec = () => h.callers.otherSecretary.openid;
const bound = (branchId: string) =>
  h.store.find('org_members', { branchId, status: 'active', role: 'member', openid: { $ne: null } }, { sort: { _id: 1 } }) as any[];
const item = (id: string) => h.store.findOne('activity_items', id);
const record = (id: string, memberId: string) => h.store.findOne('activity_attendance', attendanceId(id, memberId));

function fields(over: Record<string, unknown> = {}) {
  const start = Date.now() + 20 * MIN;
  return {
    type: 'theme_day',
    title: '联建主题党日：学习党章',
    startAt: new Date(start).toISOString(),
    endAt: new Date(start + 90 * MIN).toISOString(),
    place: { name: '社区党群服务中心', address: '文化路 88 号' },
    studyMinutes: 60,
    ...over,
  };
}

/** A home-branch activity inviting the other branch, published by the home secretary. */
async function publishedJoint(): Promise<string> {
  const saved = await act(sec(), 'save', { fields: fields({ jointBranchIds: [HOME.otherBranchId] }) });
  expect(saved.error).toBeUndefined();
  const pub = await act(sec(), 'publish', { id: saved.data.id });
  expect(pub.error).toBeUndefined();
  return saved.data.id;
}

describe('联建: the joint branch decides, and keeps its own members’ records', () => {
  let id = '';
  const others = () => bound(HOME.otherBranchId);

  test('publishing only invites: the joint branch is not rostered and its members do not see the notice', async () => {
    id = await publishedJoint();
    const a = item(id);
    expect(a.branchIds).toEqual([HOME.branchId]);
    expect(a.roster.length).toBeGreaterThan(0);
    expect(a.roster.every((m: any) => m.branchId === HOME.branchId)).toBe(true);
    expect(a.joint).toEqual([expect.objectContaining({ branchId: HOME.otherBranchId, status: 'pending' })]);
    const list = await act(others()[0].openid, 'list', {});
    expect(list.data.items.map((i: any) => i.id)).not.toContain(id);
    expect((await act(others()[0].openid, 'get', { id })).error?.code).toBe('NOT_FOUND');
    // nothing of theirs can be written before they accept: they are not on the roster
    const leave = await act(others()[0].openid, 'requestLeave', { id, reason: '外出就医' });
    expect(leave.ok).toBe(false);
    expect(h.store.count('activity_attendance', { activityId: id })).toBe(0);
  });

  test('the invitation waits in the joint branch’s list; the host cannot answer it for them', async () => {
    const inv = await act(otherSec(), 'jointInvites', {});
    expect(inv.data.items.find((i: any) => i.activity.id === id)?.invite.status).toBe('pending');
    const before = JSON.stringify(item(id));
    const forThem = await act(sec(), 'respondJoint', { id, branchId: HOME.otherBranchId, decision: 'accept' });
    expect(forThem.error?.code).toBe('PERMISSION_DENIED');
    expect(forThem.ops.writes).toBe(0);
    const asHost = await act(sec(), 'respondJoint', { id, decision: 'accept' });
    expect(asHost.error?.code).toBe('NOT_FOUND');
    expect((await act(sec(), 'jointInvites', { branchId: HOME.otherBranchId })).error?.code).toBe('PERMISSION_DENIED');
    expect(JSON.stringify(item(id))).toBe(before);
  });

  test('a decline keeps them off; acceptance by their own secretary rosters them, once', async () => {
    const no = await act(otherSec(), 'respondJoint', { id, decision: 'decline' });
    expect(no.data.invite.status).toBe('declined');
    expect(item(id).branchIds).toEqual([HOME.branchId]);
    const yes = await act(otherSec(), 'respondJoint', { id, decision: 'accept' });
    expect(yes.error).toBeUndefined();
    const members = h.store.find('org_members', { branchId: HOME.otherBranchId, status: 'active' });
    expect(yes.data).toMatchObject({ changed: true, added: members.length, invite: { status: 'accepted' } });
    const a = item(id);
    expect(a.branchIds).toEqual([HOME.branchId, HOME.otherBranchId]);
    expect(members.every((m: any) => a.roster.some((r: any) => r.id === m._id))).toBe(true);
    const again = await act(otherSec(), 'respondJoint', { id, decision: 'accept' });
    expect(again.data.changed).toBe(false);
    expect(again.ops.writes).toBe(0);
    expect(item(id).roster).toHaveLength(a.roster.length);
    const back = await act(otherSec(), 'respondJoint', { id, decision: 'decline' });
    expect(back.error?.code).toBe('FAILED_PRECONDITION');
    const list = await act(others()[0].openid, 'list', {});
    expect(list.data.items.find((i: any) => i.id === id)).toMatchObject({ required: true, unread: true });
  });

  test('the host sees the joint members’ attendance but cannot change it; their own secretary can', async () => {
    const [leaver, elder, third] = others();
    const leave = await act(leaver.openid, 'requestLeave', { id, reason: '外出就医' });
    expect(leave.data.status).toBe('leave_pending');

    const review = await act(sec(), 'reviewLeave', { id, memberId: leaver._id, decision: 'decline' });
    expect(review.error?.code).toBe('PERMISSION_DENIED');
    const mark = await act(sec(), 'setAttendance', { id, memberId: leaver._id, status: 'absent' });
    expect(mark.error?.code).toBe('PERMISSION_DENIED');
    const manual = await act(sec(), 'manualSignIn', { id, memberId: elder._id, reason: '书记代签一下' });
    expect(manual.error?.code).toBe('PERMISSION_DENIED');
    const markNew = await act(sec(), 'setAttendance', { id, memberId: third._id, status: 'absent' });
    expect(markNew.error?.code).toBe('PERMISSION_DENIED');
    expect(record(id, leaver._id).status).toBe('leave_pending');
    expect(record(id, elder._id)).toBeNull();
    expect(record(id, third._id)).toBeNull();

    const roster = await act(sec(), 'roster', { id });
    const rows = roster.data.rows as any[];
    expect(rows.find((r) => r.memberId === leaver._id)).toMatchObject({ status: 'leave_pending', canChange: false, branchId: HOME.otherBranchId });
    expect(rows.filter((r) => r.branchId === HOME.branchId).every((r) => r.canChange)).toBe(true);

    const ok = await act(otherSec(), 'reviewLeave', { id, memberId: leaver._id, decision: 'approve' });
    expect(ok.data.status).toBe('leave');
    const signed = await act(otherSec(), 'manualSignIn', { id, memberId: elder._id, reason: '老党员没有智能手机' });
    expect(signed.data.status).toBe('present');
    const own = await act(otherSec(), 'roster', { id });
    expect(own.data.rows.every((r: any) => r.branchId === HOME.otherBranchId && r.canChange)).toBe(true);
    // and the joint secretary cannot touch the host's members
    const hostMember = await act(otherSec(), 'setAttendance', { id, memberId: h.callers.member.memberId, status: 'absent' });
    expect(hostMember.error?.code).toBe('PERMISSION_DENIED');
  });

  test('sign-in cannot be closed before the start: a clear refusal, nobody marked absent', async () => {
    const before = h.store.count('activity_attendance', { activityId: id });
    const r = await act(sec(), 'closeSignIn', { id });
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.message).toMatch(/^活动还没有开始，不能提前结束签到/);
    expect(item(id).finalisedAt).toBeNull();
    expect(h.store.count('activity_attendance', { activityId: id })).toBe(before);
    expect(h.store.count('activity_attendance', { activityId: id, status: 'absent' })).toBe(0);
  });

  test('the absence timer never marks absences before the start, whatever the stored window says', async () => {
    const branch = h.store.findOne('org_nodes', HOME.branchId);
    const roster = bound(HOME.branchId).map((m) => ({ id: m._id, name: m.name, branchId: m.branchId }));
    const startAt = new Date(Date.now() + 15 * MIN);
    const tid = `a-sec-timer-${h.seq()}`;
    // a window that (wrongly) closed before the start, as a hand-edited or migrated record might have
    h.store.put(
      'activity_items',
      activityDoc({ id: tid, branch, roster, startAt }, { signInOpenAt: new Date(Date.now() - 30 * MIN), signInCloseAt: new Date(Date.now() - MIN) }),
      'insert',
    );
    await h.emu.fireTrigger('activity', 'tick');
    expect(item(tid).finalisedAt).toBeNull();
    expect(h.store.count('activity_attendance', { activityId: tid })).toBe(0);
  });
});

describe('结束签到 holds on every warm instance at once', () => {
  /**
   * A home activity that began 10 minutes ago (sign-in open): `onLeave` members have approved leave,
   * the rest of the roster has no record yet.
   */
  function started(onLeave: any[]): string {
    const id = `a-sec-close-${h.seq()}`;
    const branch = h.store.findOne('org_nodes', HOME.branchId);
    const members = h.store.find('org_members', { branchId: HOME.branchId, status: 'active' }, { sort: { _id: 1 } });
    const roster = members.map((m: any) => ({ id: m._id, name: m.name, branchId: m.branchId }));
    h.store.put('activity_items', activityDoc({ id, branch, roster, startAt: new Date(Date.now() - 10 * MIN) }), 'insert');
    const a = item(id);
    for (const m of onLeave) {
      const entry = roster.find((r: any) => r.id === m._id)!;
      h.store.put(
        'activity_attendance',
        newAttendance(a, entry, new Date(), { status: 'leave', leaveReason: '外地出差', leaveRequestedAt: new Date(), reviewedBy: h.callers.secretary.memberId, reviewedAt: new Date() }),
        'insert',
      );
    }
    return id;
  }

  async function countsMatch(id: string) {
    const a = item(id);
    const records = h.store.find('activity_attendance', { activityId: id });
    expect(a.counts).toEqual(countAttendance(a.roster, records));
    const check = await h.as('organiser', 'consistency', 'check', { branchId: HOME.branchId });
    expect(check.data.differences.filter((d: any) => d.id === id)).toEqual([]);
  }

  test('closed on one instance, a sign-in through an instance still caching it “open” is refused', async () => {
    const [late] = bound(HOME.branchId);
    const id = started([late]);
    // the first free instance reads the activity and keeps it: the code the secretary shows
    const qr = await act(sec(), 'qrToken', { id });
    expect(qr.error).toBeUndefined();
    // the close runs on another instance: the first one is busy with a 台账 export meanwhile
    const day = (t: number) => dayOf(new Date(t));
    const busy = act(sec(), 'exportLedger', { from: day(Date.now() - 300 * 86_400_000), to: day(Date.now()) });
    await new Promise((r) => setTimeout(r, 40));
    const close = await act(sec(), 'closeSignIn', { id });
    await busy;
    expect(close.error).toBeUndefined();
    expect(item(id).finalisedAt).toBeTruthy();
    // straight after, through the first instance (its copy is seconds old and says open)
    const r = await act(late.openid, 'signIn', { token: qr.data.token });
    expect(r.error?.code).toBe('FAILED_PRECONDITION');
    expect(r.error?.message).toMatch(/签到已结束/);
    expect(record(id, late._id)).toMatchObject({ status: 'leave', method: null, at: null });
    await countsMatch(id);
  });

  test('a burst of sign-ins right after the close, across warm instances, records none', async () => {
    const people = bound(HOME.branchId).slice(0, 8);
    const id = started(people);
    // warm several instances, each caching the activity as open
    const warm = await Promise.all(Array.from({ length: 8 }, () => act(sec(), 'qrToken', { id })));
    expect(warm.every((w) => w.ok)).toBe(true);
    expect(h.emu.host.instanceCount('activity')).toBeGreaterThan(1);
    const token = warm[0].data.token;
    const close = await act(sec(), 'closeSignIn', { id });
    expect(close.error).toBeUndefined();
    const replies = await Promise.all(people.map((m) => act(m.openid, 'signIn', { token })));
    expect(replies.filter((r) => r.ok)).toEqual([]);
    expect(replies.every((r) => r.error?.code === 'FAILED_PRECONDITION')).toBe(true);
    for (const m of people) expect(record(id, m._id).status).toBe('leave');
    await countsMatch(id);
  });
});

/**
 * The 签到口令 (6 digits under the QR) is short enough to guess, so guessing must not pay:
 *   - a member may weigh 5 codes, then waits 10 minutes; 20 codes per activity in all;
 *   - the try is counted before the code is weighed, so a burst of parallel guesses is weighed at
 *     most once per counted try (a code in the burst that happens to be right does not slip through);
 *   - a code is valid only for its activity, its slot and the next (as long as the QR), and only the
 *     caller is signed in.
 * The codes are minted with the function's own secret, as the secretary's phone shows them.
 */
import { attendanceId } from '../../core/activity/rules';
import { CODE_WAIT_MS, issueToken, SLOT_MS } from '../../core/activity/token';
import { activityDoc } from '../fixtures/activity';
import { HOME, startTrustHarness, type Harness, type Reply } from './harness';

const MIN = 60_000;
let h: Harness;

beforeAll(async () => {
  h = await startTrustHarness();
});
afterAll(async () => {
  await h?.close();
});

const act = (openid: string, action: string, payload: unknown = {}): Promise<Reply> => h.call('activity', action, payload, openid);
const members = () =>
  h.store.find('org_members', { branchId: HOME.branchId, status: 'active', role: 'member', openid: { $ne: null } }, { sort: { _id: 1 } }) as any[];

/** A published home activity with sign-in open now; the roster is the home branch's active members. */
function openActivity(): string {
  const n = h.seq();
  const branch = h.store.findOne('org_nodes', HOME.branchId);
  const roster = h.store
    .find('org_members', { branchId: HOME.branchId, status: 'active' }, { sort: { _id: 1 } })
    .map((m: any) => ({ id: m._id, name: m.name, branchId: m.branchId }));
  const id = `a-code-${n}`;
  h.store.put('activity_items', activityDoc({ id, branch, roster, startAt: new Date(Date.now() + 20 * MIN) }), 'insert');
  return id;
}

const secret = () => h.emu.secrets.ACTIVITY_QR_SECRET;
const liveCode = (id: string, at = Date.now()) => issueToken(secret(), id, at).code;
/** A well-formed code that is neither this slot's nor the last one's. */
function wrongCode(id: string): string {
  const valid = new Set([liveCode(id), liveCode(id, Date.now() - SLOT_MS), liveCode(id, Date.now() + SLOT_MS)]);
  for (let i = 0; ; i++) {
    const c = String(123456 + i * 7919).padStart(6, '0').slice(-6);
    if (!valid.has(c)) return c;
  }
}

test('the live code signs the caller in, once, with the method 口令签到', async () => {
  const id = openActivity();
  const m = members()[0];
  const r = await act(m.openid, 'codeSignIn', { id, code: liveCode(id) });
  expect(r.error).toBeUndefined();
  expect(r.data.duplicate).toBe(false);
  const rec = h.store.findOne('activity_attendance', attendanceId(id, m._id));
  expect(rec).toMatchObject({ status: 'present', method: 'code', byId: m._id });
  // a retry after success costs no try and records nothing more
  const again = await act(m.openid, 'codeSignIn', { id, code: liveCode(id) });
  expect(again.data.duplicate).toBe(true);
  expect(h.store.count('activity_attendance', { activityId: id })).toBe(1);
});

test('a code of another activity, or one older than the QR, does not sign in', async () => {
  const id = openActivity();
  const other = openActivity();
  const m = members()[1];
  const r1 = await act(m.openid, 'codeSignIn', { id, code: liveCode(other) === liveCode(id) ? wrongCode(id) : liveCode(other) });
  expect(r1.error?.code).toBe('INVALID_ARGUMENT');
  const stale = liveCode(id, Date.now() - 3 * SLOT_MS);
  const valid = [liveCode(id), liveCode(id, Date.now() - SLOT_MS)];
  const r2 = await act(m.openid, 'codeSignIn', { id, code: valid.includes(stale) ? wrongCode(id) : stale });
  expect(r2.error?.code).toBe('INVALID_ARGUMENT');
  expect(h.store.findOne('activity_attendance', attendanceId(id, m._id))).toBeNull();
});

test('after 5 wrong codes even the right one waits 10 minutes; then it works', async () => {
  const id = openActivity();
  const m = members()[2];
  for (let i = 0; i < 5; i++) {
    const r = await act(m.openid, 'codeSignIn', { id, code: wrongCode(id) });
    expect(r.error?.code).toBe('INVALID_ARGUMENT');
  }
  const locked = await act(m.openid, 'codeSignIn', { id, code: liveCode(id) });
  expect(locked.error?.code).toBe('RESOURCE_EXHAUSTED');
  expect(locked.error?.message).toMatch(/10 分钟后再试/);
  expect(h.store.findOne('activity_attendance', attendanceId(id, m._id))).toBeNull();
  // another member is not held up by this one's mistakes
  const other = members()[3];
  expect((await act(other.openid, 'codeSignIn', { id, code: liveCode(id) })).error).toBeUndefined();
  // the wait passes
  h.store.update('activity_code_tries', { _id: attendanceId(id, m._id) }, { $set: { lastAt: new Date(Date.now() - CODE_WAIT_MS - 1000) } });
  const ok = await act(m.openid, 'codeSignIn', { id, code: liveCode(id) });
  expect(ok.error).toBeUndefined();
  expect(h.store.findOne('activity_attendance', attendanceId(id, m._id))?.status).toBe('present');
});

test('20 tries per activity in all: after them only the QR or the secretary', async () => {
  const id = openActivity();
  const m = members()[4];
  h.store.put('activity_code_tries', { _id: attendanceId(id, m._id), activityId: id, memberId: m._id, tries: 20, lastAt: new Date(Date.now() - 60 * MIN) }, 'insert');
  const r = await act(m.openid, 'codeSignIn', { id, code: liveCode(id) });
  expect(r.error?.code).toBe('RESOURCE_EXHAUSTED');
  expect(r.error?.message).toMatch(/扫描签到码或请支部书记代签/);
  // the QR path stays open to them
  const qr = await act(m.openid, 'signIn', { token: issueToken(secret(), id, Date.now()).token });
  expect(qr.error).toBeUndefined();
});

test('a parallel burst of guesses is weighed once per counted try: the right code hidden in it cannot slip past the limit', async () => {
  const id = openActivity();
  const m = members()[5];
  // 4 wrong tries already: one more may be weighed before the wait
  h.store.put('activity_code_tries', { _id: attendanceId(id, m._id), activityId: id, memberId: m._id, tries: 4, lastAt: new Date() }, 'insert');
  // several warm instances, so the burst really runs side by side
  const warm = await Promise.all(Array.from({ length: 8 }, () => act(h.callers.secretary.openid, 'qrToken', { id })));
  expect(warm.every((w) => w.ok)).toBe(true);
  expect(h.emu.host.instanceCount('activity')).toBeGreaterThan(1);
  const codes = [...Array.from({ length: 7 }, () => wrongCode(id)), liveCode(id)];
  const replies = await Promise.all(codes.map((code) => act(m.openid, 'codeSignIn', { id, code })));
  const weighed = replies.filter((r) => r.error?.code === 'INVALID_ARGUMENT' || r.ok).length;
  expect(weighed).toBeLessThanOrEqual(1);
  expect(replies.filter((r) => !r.ok).every((r) => ['INVALID_ARGUMENT', 'RESOURCE_EXHAUSTED'].includes(r.error!.code))).toBe(true);
  expect(h.store.findOne('activity_code_tries', attendanceId(id, m._id)).tries).toBe(5);
});

test('someone not on the roster, of another branch, learns nothing about the activity', async () => {
  const id = openActivity();
  const stranger = h.store.find('org_members', { branchId: HOME.otherBranchId, status: 'active', openid: { $ne: null } })[0] as any;
  const r = await act(stranger.openid, 'codeSignIn', { id, code: liveCode(id) });
  expect(r.error?.code).toBe('NOT_FOUND');
  expect(h.store.findOne('activity_code_tries', attendanceId(id, stranger._id))).toBeNull();
});
